"""The customers steps, both ways.

To the shop: web contacts -> validate -> which shop account is each (``identity.resolve`` on
the e-mail as the shop's column compares it) -> new accounts created one by one (first
password hashed before, each in a transaction of milliseconds); linked accounts kept in
step per field, both ways (``transform/customer_merge.py``): what changed in BO goes into the
shop, what the customer changed in the shop goes into BO, a conflict is BO's except a
newsletter withdrawal, and is reported. An account the sync did not create gets nothing of
BO's data until the link is confirmed (``confirm_customer``, or ``adopt_existing_accounts``).
What the sync knows of each link (confirmed, its own address book entry, both sides' values
after the last sync) is kept in BO's ``osc_kunde``, written before an account is created and
again after the run, so a run that dies anywhere leaves nothing that a later run cannot
finish (a welcome e-mail still to be sent included).

From the shop (Neukunden holen): shop customers BO does not know -> linked to the BO contact
with their e-mail (unconfirmed: the customer chose that e-mail, BO did not), or created as
Adresse + Gespraechspartner with numbers from BO's number ranges. BO's unique key on
``osc_customers_id`` makes a customer arrive once, even when two runs overlap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.errors import explain, is_transient
from bo_oscommerce.field_maps import (
    ADRESSE,
    GESPRAECHSPARTNER,
    KUNDEN_STAND,
    LINK_GESPRAECHSPARTNER,
    UPDATE_ADRESSE_AUS_SHOP,
    UPDATE_KONTAKT_AUS_SHOP,
    WRITEBACK_GESPRAECHSPARTNER,
    WRITEBACK_KUNDEN_STAND,
    WRITEBACK_KUNDEN_STAND_LOESCHEN,
    WRITEBACK_WILLKOMMEN_GESENDET,
)
from bo_oscommerce.identity import AMBIGUOUS, NEW, Names, incoming, resolve
from bo_oscommerce.mail import Mail, send_mails
from bo_oscommerce.quality.suites import customers_suite, new_contacts_suite
from bo_oscommerce.quality.validation import Suite, Validated
from bo_oscommerce.shop import customers as shop_customers
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.common import LoadResult, read_by_ids
from bo_oscommerce.sqlfiles import load_statement
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, only_keys, rejections, write_back_due
from bo_oscommerce.sync.step import Built, Step, run_step
from bo_oscommerce.sync.writeback import (
    Statement,
    bindings,
    relink,
    reserve_numbers,
    write,
    write_back,
)
from bo_oscommerce.transform.common import to_timestamp
from bo_oscommerce.transform.customer_merge import (
    FIELDS,
    Merged,
    differences,
    merge,
    state_frame,
    state_json,
)
from bo_oscommerce.transform.customers import (
    build_customers,
    build_new_contacts,
    entry_zone,
)
from bo_oscommerce.transform.emails import DEFAULT_COLLATION, compare_keys

log = logging.getLogger(__name__)

TO_SHOP = "customers"
FROM_SHOP = "new_contacts"
CUSTOMER_TABLES = ["customers", "address_book", "customers_info", "countries", "zones"]
LEFT_WEB = (
    "contact left the web: its shop customer is kept (orders reference it) and no longer synced"
)
WAITING = (
    "waiting for confirmation: an account the sync did not create has this e-mail (someone "
    "registered with it); BO's data goes into it once confirmed (reset DAG, scope "
    "confirm_customer) or with adopt_existing_accounts"
)
REGISTERED_MEANWHILE = "a customer registered with this e-mail while the sync created its account"
WHAT = "e-mail address"
NAMES = Names(shop="shop customer", bo="BO contact")
STATE = list(KUNDEN_STAND)


def _contacts(run: Run) -> pd.DataFrame:
    return bo_io.query(run.bo, "extract_kontakte")


def link_state(run: Run) -> pd.DataFrame:
    """``osc_kunde``: what the sync knows of each contact's account, by gp_id."""
    state = bo_io.query(run.bo, "extract_kunden_stand")
    return state.astype({"gp_id": "int64"}).set_index("gp_id", drop=False)


@dataclass
class Plan:
    """What one run does with the web contacts, by gp_id."""

    customers: pd.DataFrame  # valid contacts with customers_id (NA: new) and how they matched
    state: pd.DataFrame  # osc_kunde
    confirmed: pd.Series  # bool: BO's data may go into the account
    report: EntityReport
    emails: dict[int, str] = field(default_factory=dict)  # gp_id -> e-mail to write (BO changed it)
    accounts: pd.DataFrame = field(default_factory=pd.DataFrame)  # customers_with_address rows
    remembered: dict[int, str] = field(default_factory=dict)  # gp_id -> the link's e-mail key
    collation: str = DEFAULT_COLLATION  # how the shop compares e-mails


class CustomersToShop(Step):
    """Web contacts -> shop accounts: new ones created one by one, linked ones kept in step
    per field both ways, so ``load`` gets the engine and keeps its transactions short."""

    entity = TO_SHOP
    tables = tuple(CUSTOMER_TABLES)
    one_transaction = False
    counted = "writeback_gespraechspartner"

    def extract(self, columns: ShopColumns) -> None:
        self.collation = columns.spec("customers", "customers_email_address").collation
        self.every = bo_io.query(self.run.bo, "extract_gespraechspartner", {"full_sync": 1})
        self.contacts = only_keys(self.run, self.every, "gp_id")
        with self.run.shop.connect() as conn:
            self.zones = shop_customers.zones(conn)
            self.countries = shop_customers.country_ids(conn)

    def build(self, columns: ShopColumns) -> Built:
        customers, self.left, cleaned = build_customers(
            self.contacts, self.zones, self.run.run_at.date(), columns, self.collation
        )
        return Built(customers, cleaned)

    def suite(self, columns: ShopColumns, built: Built) -> Suite:
        return customers_suite(columns, self.countries)

    def load(self, target: sa.Engine, rows: pd.DataFrame) -> LoadResult:
        """Which account each contact is, the linked ones merged, the new ones created. What
        the identity rule and the creation set aside goes into ``self.plan.report``."""
        run = self.run
        self.plan = _plan(run, rows, self.every, self.collation, EntityReport(entity=TO_SHOP))
        self.linked = _merge(run, self.plan, self.contacts, rows, self.zones)
        self.created = _create(run, self.plan, self.target_columns, self.contacts)
        self.logins = _logins(run, self.plan, self.left, self.target_columns)
        return LoadResult(inserted=len(self.created.rows))

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        plan, linked, left = self.plan, self.linked, self.left
        report = plan.report
        report.extracted = len(built.rows) + len(left)
        report.set_aside = pd.concat([checked.rejected, report.set_aside], ignore_index=True)
        report.cleaned = built.cleaned.rules
        if len(left):
            report.kept_out = {LEFT_WEB: [str(k) for k in left["gp_id"]], **report.kept_out}
        refused, allowed = self.logins
        if refused:
            report.notes.append(f"{len(refused)} account(s) of contacts who left the web can no "
                                f"longer log in (customers.status 0): {refused}")  # fmt: skip
        if allowed:
            report.notes.append(f"{len(allowed)} account(s) of contacts back in the web may log "
                                f"in again (customers.status 1): {allowed}")  # fmt: skip
        found = plan.customers[plan.customers["how"] != NEW]
        confirmed = found[plan.confirmed.loc[found.index].to_numpy()]
        report.updated = len(linked.changed)
        report.unchanged = len(confirmed) - len(linked.changed & set(confirmed["gp_id"]))
        if linked.kontakt or linked.adresse:
            report.notes.append(
                f"{len(linked.kontakt) + len(linked.adresse)} change(s) the customers made in "
                "the shop written into BO"
            )
        return report

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        return _write_back(self.run, self.plan, self.linked, self.created)

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        """The welcome e-mails, once BO knows the accounts are there."""
        if not report.failed:
            _welcome(self.run, report)


def _logins(
    run: Run, plan: Plan, left: pd.DataFrame, columns: ShopColumns
) -> tuple[list[int], list[int]]:
    """Where the shop can refuse a login (CE Phoenix's ``customers.status``), BO's web flag
    rules it: a contact who left the web can no longer log in; one in the web whose BO record
    changed since the last sync (e.g. back in the web) may again. A shop owner's own lock of
    an account stays until BO changes the contact. Returns (refused, allowed) accounts."""
    if not columns.has("customers", "status"):
        return [], []
    leaving = left["osc_customers_id"].dropna().astype(int)
    linked = plan.customers[(plan.customers["how"] != NEW) & plan.confirmed]
    synced = to_timestamp(linked["osc_abgleich_stand"])
    changed = linked[synced.isna() | (to_timestamp(linked["stand"]) > synced)]
    with run.shop.begin() as conn:
        refused = shop_customers.set_login(conn, leaving, allowed=False)
        allowed = shop_customers.set_login(conn, changed["customers_id"].astype(int), allowed=True)
    return refused, allowed


def sync_customers_to_shop(run: Run) -> EntityReport:
    return run_step(CustomersToShop(run))


def _plan(
    run: Run, valid: pd.DataFrame, every: pd.DataFrame, collation: str, report: EntityReport
) -> Plan:
    """Which shop account each valid contact is, and whether BO's data may go into it.
    ``every``: the whole extract (also the contacts a reset leaves out)."""
    state = link_state(run)
    stored = pd.array(valid["osc_customers_id"], dtype="Int64")
    from_state = pd.array(valid["gp_id"].map(state["osc_customers_id"]), dtype="Int64")
    valid = valid.assign(stored_id=pd.Series(stored).fillna(pd.Series(from_state)).to_numpy())
    links = bindings(run.bo, TO_SHOP)
    remembered = dict(zip(links["bo_schluessel"].astype(int), links["osc_schluessel"], strict=True))
    # a contact set aside keeps its claim on its account: no other contact takes it over (the
    # extract holds every contact with a stored id, osc_kunde every other link or intent)
    mine = set(valid["gp_id"].astype(int))
    others = every[~every["gp_id"].astype(int).isin(mine)]
    taken = {int(i) for i in others["osc_customers_id"].dropna()}
    taken |= {int(i) for i in state.loc[~state.index.isin(mine), "osc_customers_id"].dropna()}
    wanted = pd.DataFrame(
        {"gp_id": valid["gp_id"], "stored_id": valid["stored_id"],
         "natural_key": valid["email_key"].astype(object),
         "remembered_key": valid["gp_id"].map(remembered).astype(object)},
        index=valid.index,
    )  # fmt: skip
    with run.shop.connect() as conn:
        accounts = shop_customers.accounts_for(
            conn, wanted["stored_id"].dropna().astype(int), valid["customers_email_address"]
        )
    accounts = accounts.assign(key=compare_keys(accounts["customers_email_address"], collation))
    identity = resolve(
        wanted,
        pd.DataFrame(
            {"shop_id": accounts["customers_id"].astype("int64"), "natural_key": accounts["key"]}
        ),  # fmt: skip
        key="gp_id",
        what=WHAT,
        taken=taken,
        unique_in_shop=True,
        other_key="set_aside",
    )
    named = _with_names(identity.ambiguous, accounts)
    report.set_aside = pd.concat([report.set_aside, rejections(TO_SHOP, named)], ignore_index=True)
    report.stale = identity.stale
    keep = identity.how != AMBIGUOUS
    resolved = (
        valid.loc[keep]
        .assign(customers_id=identity.shop_id[keep], how=identity.how[keep])
        .reset_index(drop=True)
    )
    plan = Plan(resolved, state, pd.Series(dtype=bool), report, accounts=accounts,
                remembered=remembered, collation=collation)  # fmt: skip
    _email_changes(plan, accounts, collation)
    frame = plan.customers
    known = frame["gp_id"].map(state["osc_customers_id"])
    same = pd.Series(
        pd.array(known, dtype="Int64") == pd.array(frame["customers_id"], dtype="Int64"),
        index=frame.index,
    ).fillna(False)
    confirmed = frame["gp_id"].map(state["bestaetigt"]).fillna(0).astype(int).eq(1)
    plan.confirmed = (same.astype(bool) & confirmed) | run.settings.adopt_existing_accounts
    return plan


def _with_names(ambiguous: pd.DataFrame, accounts: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Set-aside rows of the identity rule, naming the shop account that holds the e-mail."""
    if ambiguous.empty:
        return []
    names = {
        k: f"shop customer {int(i)} ({f} {n})".strip()
        for i, k, f, n in zip(accounts["customers_id"], accounts["key"],
                              accounts["customers_firstname"], accounts["customers_lastname"],
                              strict=True)
    }  # fmt: skip
    rows = []
    for key, reason, value in ambiguous.itertuples(index=False):
        holder = names.get(str(value).split(" (shop ids")[0])
        rows.append((str(key), reason, f"{value}: {holder}" if holder else str(value)))
    return rows


def _email_changes(plan: Plan, accounts: pd.DataFrame, collation: str) -> None:
    """A linked contact whose e-mail BO changed: the new one goes into its account, unless
    another account holds it (then the contact is set aside, with both names)."""
    frame = plan.customers
    found = frame[frame["how"] != NEW]
    key_of = dict(zip(accounts["customers_id"].astype(int), accounts["key"], strict=True))
    holder = accounts.drop_duplicates("key").set_index("key")
    changed = found["customers_id"].astype(int).map(key_of) != found["email_key"]
    drop = []
    for row in found[changed.to_numpy()].itertuples():
        other = holder.loc[row.email_key] if row.email_key in holder.index else None
        if other is not None and int(other["customers_id"]) != int(row.customers_id):
            drop.append(row.Index)
            plan.report.set_aside = pd.concat([plan.report.set_aside, rejections(TO_SHOP, [(
                str(row.gp_id), "the new e-mail address belongs to another shop account",
                f"{row.customers_email_address}: shop customer {int(other['customers_id'])} "
                f"({other['customers_firstname']} {other['customers_lastname']}); this "
                f"contact is shop customer {int(row.customers_id)}",
            )])], ignore_index=True)  # fmt: skip
        else:
            plan.emails[int(row.gp_id)] = row.customers_email_address
    plan.customers = frame.drop(index=drop).reset_index(drop=True)


# --- linked accounts: both ways, per field ------------------------------------------------

# merge field -> the BO column holding it, in the contact and in its Adresse
KONTAKT_FIELDS = {f.merge: f.target for f in GESPRAECHSPARTNER if f.merge}
ADRESSE_FIELDS = {f.merge: f.target for f in ADRESSE if f.merge}
SHARED = (
    "changed by the customer in the shop, not written into BO: the Adresse serves several "
    "contacts; change it in BO if it is right for all of them"
)


@dataclass
class LinkedResult:
    """What the merge of the linked accounts wrote and will record."""

    states: pd.DataFrame = field(default_factory=pd.DataFrame)  # osc_kunde rows (STATE)
    kontakt: list[dict[str, Any]] = field(default_factory=list)  # update_kontakt_aus_shop
    adresse: list[dict[str, Any]] = field(default_factory=list)  # update_adresse_aus_shop
    changed: set[int] = field(default_factory=set)  # gp_ids with a write on either side


def _merge(
    run: Run, plan: Plan, extract: pd.DataFrame, built: pd.DataFrame, zones: pd.DataFrame
) -> LinkedResult:
    """Linked accounts: confirmed ones kept in step both ways, the others listed with their
    differences. A link whose two sides both still hold what its state says is settled at
    once (one comparison of each side's values with its stored state)."""
    found = plan.customers[plan.customers["how"] != NEW]
    result = LinkedResult()
    if found.empty:
        return result
    gp = found["gp_id"].astype(int).to_numpy()
    rows = plan.accounts.drop_duplicates("customers_id")
    rows = rows.set_index(rows["customers_id"].astype(int))
    shop_now = rows.reindex(found["customers_id"].astype(int).to_numpy()).set_axis(gp)
    shop_now["entry_zone"] = entry_zone(shop_now["entry_zone_id"], shop_now["entry_state"])
    bo_now = extract.drop_duplicates("gp_id").set_index("gp_id").reindex(gp)
    state = plan.state.reindex(gp)
    confirmed = pd.Series(plan.confirmed.loc[found.index].to_numpy(), index=gp)
    settled = (
        confirmed
        & state["osc_address_book_id"].notna()
        & (_as_state(bo_now, "bo") == state["stand_bo"])
        & (_as_state(shop_now, "shop") == state["stand_shop"])
    )
    work = found[~settled.to_numpy()]
    if work.empty:
        return result
    gp = work["gp_id"].astype(int).to_numpy()
    shop_now, bo_now, state, confirmed = (
        shop_now.loc[gp], bo_now.loc[gp], state.loc[gp], confirmed.loc[gp]
    )
    with run.bo.connect() as conn:
        bo_columns = read_shop_columns(conn, ["adresse", "gespraechspartner"])
    staaten = bo_io.query(run.bo, "extract_staaten")
    shop_as_bo, _ = build_new_contacts(
        shop_now.reset_index(drop=True).assign(gp=gp), staaten, bo_columns, run.run_at, key="gp"
    )
    shop_as_bo = shop_as_bo.set_axis(gp)
    bo_as_shop = built.drop_duplicates("gp_id").set_index("gp_id").reindex(gp)
    owned = pd.Series(pd.array(state["osc_address_book_id"], dtype="Int64"), index=gp)
    default = pd.Series(pd.array(shop_now["address_book_id"], dtype="Int64"), index=gp)
    owned = owned.where(~(owned.isna() & confirmed), default)  # adopted: its entry becomes ours
    merged = merge(
        bo_now, bo_as_shop, shop_now, shop_as_bo,
        state_frame(state["stand_bo"], pd.Index(gp)),
        state_frame(state["stand_shop"], pd.Index(gp)),
        (owned == default).fillna(False).astype(bool),
    )  # fmt: skip
    waiting = set(gp[~confirmed.to_numpy()])
    _report_waiting(plan.report, waiting, bo_as_shop, shop_now)
    _report_conflicts(plan.report, merged, waiting)
    shared = _shared_addresses(run, bo_now) if len(merged.to_bo) else set()
    refused = _write_shop(run, plan, merged, waiting, owned, bo_now)
    _bo_updates(result, merged, waiting | refused, shared, bo_now, run, plan.report)
    result.states = _states(plan, work, merged, waiting | refused, owned, confirmed, shared)
    return result


def _as_state(frame: pd.DataFrame, side: str) -> pd.Series:
    """One side's values in the form its stored state has them."""
    return state_json(pd.DataFrame({f.name: frame[getattr(f, side)] for f in FIELDS}))


def _report_waiting(
    report: EntityReport, waiting: set[int], bo_as_shop: pd.DataFrame, shop_now: pd.DataFrame
) -> None:
    if not waiting:
        return
    ids = sorted(waiting)
    report.kept_out[WAITING] = [str(g) for g in ids]
    differ = differences(bo_as_shop.loc[ids], shop_now.loc[ids])
    report.details["links waiting for confirmation"] = [
        {"gp_id": g, "shop customer": int(shop_now.at[g, "customers_id"]),
         "differences": "; ".join(differ.get(g, [])) or "none"}
        for g in ids
    ]  # fmt: skip


def _report_conflicts(report: EntityReport, merged: Merged, waiting: set[int]) -> None:
    rows = [c for c in merged.conflicts if c["gp_id"] not in waiting]
    if rows:
        report.details["changed in BO and in the shop (conflicts)"] = rows


def _shared_addresses(run: Run, bo_now: pd.DataFrame) -> set[int]:
    """Contacts whose Adresse other contacts share (the customer's address edit is theirs)."""
    every = bo_io.query(run.bo, "extract_kontakte_adresse")
    counts = every.groupby("adress_nr")["gp_id"].size()
    adresse = bo_now["adress_nr"].map(counts).fillna(1)
    return {int(g) for g in adresse.index[adresse > 1]}


def _write_shop(
    run: Run,
    plan: Plan,
    merged: Merged,
    waiting: set[int],
    owned: pd.Series,
    bo_now: pd.DataFrame,
) -> set[int]:
    """The fields BO changed into the shop (never into an account waiting for confirmation),
    and e-mails BO changed; returns the contacts a customer edited at this very moment."""
    changes = merged.to_shop[~merged.to_shop["gp_id"].isin(waiting)].copy()
    emails = {g: e for g, e in plan.emails.items() if g not in waiting}
    if changes.empty and not emails:
        return set()
    linked = plan.customers[plan.customers["how"] != NEW]
    account = dict(zip(linked["gp_id"].astype(int), linked["customers_id"].astype(int),
                       strict=True))  # fmt: skip
    changes["customers_id"] = changes["gp_id"].map(account)
    changes["address_book_id"] = changes["gp_id"].map(owned)
    changes["guarded"] = True
    with run.shop.begin() as conn:
        refused = shop_customers.write_fields(conn, changes, run.run_at)
        for gp, email in emails.items():
            shop_customers.write_email(conn, account[gp], email)
    gp_of = {c: g for g, c in account.items()}
    refused_gp = {gp_of[c] for c in refused}
    if refused_gp:
        plan.report.notes.append(
            f"{len(refused_gp)} customer(s) edited their account while the sync wrote it: their "
            "edit stands, the next run decides again"
        )
    return refused_gp


def _bo_updates(
    result: LinkedResult,
    merged: Merged,
    skip: set[int],
    shared: set[int],
    bo_now: pd.DataFrame,
    run: Run,
    report: EntityReport,
) -> None:
    """The customers' own edits as BO statements, one row per contact and per Adresse."""
    changes = merged.to_bo[~merged.to_bo["gp_id"].isin(skip)]
    kept: list[str] = []
    for gp, group in changes.groupby("gp_id"):
        values = dict(zip(group["field"], group["value"], strict=True))
        row = bo_now.loc[gp]
        kontakt = {f: values[f] for f in KONTAKT_FIELDS if f in values}
        if kontakt:
            result.kontakt.append(
                {"gp_id": int(gp), "geaendert_am": run.run_at,
                 **{bo: _bo_value(kontakt.get(f, row[bo])) for f, bo in KONTAKT_FIELDS.items()}}
            )  # fmt: skip
        adresse = {f: values[f] for f in ADRESSE_FIELDS if f in values}
        if adresse and gp in shared:
            kept.append(str(gp))
        elif adresse:
            result.adresse.append(
                {"adress_nr": int(row["adress_nr"]), "geaendert_am": run.run_at,
                 **{bo: _bo_value(adresse.get(f, row[bo])) for f, bo in ADRESSE_FIELDS.items()}}
            )  # fmt: skip
        result.changed.add(int(gp))
    if kept:
        report.kept_out[SHARED] = kept
    result.changed |= {int(g) for g in merged.to_shop["gp_id"] if int(g) not in skip}


def _bo_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _states(
    plan: Plan,
    found: pd.DataFrame,
    merged: Merged,
    keep_old: set[int],
    owned: pd.Series,
    confirmed: pd.Series,
    shared: set[int],
) -> pd.DataFrame:
    """osc_kunde rows after the run: the new states of confirmed links (contacts whose write
    was refused, or that wait, keep their old state: the next run decides again)."""
    gp = found["gp_id"].astype(int).to_numpy()
    old = plan.state.reindex(gp)
    state_bo, state_shop = merged.state_bo.copy(), merged.state_shop.copy()
    address = [f.name for f in FIELDS if f.name in ADRESSE_FIELDS]
    for g in shared:  # an address edit not written into BO stays a shop change
        if g in state_bo.index:
            prior = state_frame(old["stand_bo"], pd.Index(gp)).loc[g, address]
            state_bo.loc[g, address] = prior.fillna(state_bo.loc[g, address]).to_numpy()
    fresh = pd.DataFrame(
        {"gp_id": gp, "osc_customers_id": found["customers_id"].astype(int).to_numpy(),
         "osc_address_book_id": pd.array(owned.to_numpy(), dtype="Int64"),
         "bestaetigt": confirmed.astype(int).to_numpy(),
         "willkommen_offen": old["willkommen_offen"].fillna(0).astype(int).to_numpy(),
         "stand_bo": state_json(state_bo).to_numpy(),
         "stand_shop": state_json(state_shop).to_numpy()},
        index=gp,
    )  # fmt: skip
    held = [g for g in gp if g in keep_old or not confirmed[g]]
    for column in ("stand_bo", "stand_shop"):
        fresh.loc[held, column] = old.loc[held, column].to_numpy()
    return fresh


# --- new accounts ----------------------------------------------------------------------------

BETWEEN_CHECK_AND_INSERT: shop_customers.Check | None = None  # a test's seam: a registration


@dataclass
class Created:
    rows: pd.DataFrame  # gp_id, customers_id, address_book_id, email_key, stand, reset key
    failed: list[int] = field(default_factory=list)  # gp_ids whose e-mail was taken meanwhile


def _create(run: Run, plan: Plan, columns: ShopColumns, extract: pd.DataFrame) -> Created:
    """New accounts, a few per transaction of milliseconds. Before the first shop write, BO learns
    which accounts this run creates (``osc_kunde``), so whatever happens after, a later run
    knows them as the sync's own and sends a welcome e-mail still due."""
    new = plan.customers[plan.customers["how"] == NEW].reset_index(drop=True)
    if new.empty:
        return Created(new.assign(customers_id=pd.Series(dtype="int64")))
    settings = run.settings
    first = shop_customers.FirstPassword(settings.initial_password, settings.password_cost)
    hashes, keys = shop_customers.first_passwords(new, first)  # before any transaction
    ids, addresses = shop_customers.reserve_accounts(run.shop, len(new), columns)
    new = new.assign(customers_id=ids, address_book_id=addresses, password_reset_key=keys)
    intent = _intent_states(new, extract, settings.initial_password == "reset_link")
    write_back(run.bo, settings.label, TO_SHOP, [
        (WRITEBACK_KUNDEN_STAND_LOESCHEN, intent),
        (WRITEBACK_KUNDEN_STAND, intent.assign(geaendert_am=run.run_at)),
    ])  # fmt: skip
    held = shop_customers.create_accounts(
        run.shop, new, hashes, keys, run.run_at, BETWEEN_CHECK_AND_INSERT
    )
    failed = new[new["customers_id"].isin(held)]
    aside = rejections(TO_SHOP, [
        (str(g), REGISTERED_MEANWHILE, f"{e}: shop customer {held[int(c)]}")
        for g, e, c in zip(failed["gp_id"], failed["customers_email_address"],
                           failed["customers_id"], strict=True)
    ])  # fmt: skip
    plan.report.set_aside = pd.concat([plan.report.set_aside, aside], ignore_index=True)
    created = new[~new["customers_id"].isin(held)].reset_index(drop=True)
    _look_for_twins(run, created, plan)
    plan.report.inserted = len(created)
    return Created(created, [int(g) for g in failed["gp_id"]])


def _intent_states(new: pd.DataFrame, extract: pd.DataFrame, welcome: bool) -> pd.DataFrame:
    """osc_kunde rows of accounts about to be created: both sides will hold BO's values."""
    gp = new["gp_id"].astype(int).to_numpy()
    bo_now = extract.drop_duplicates("gp_id").set_index("gp_id").reindex(gp)
    shop = new.set_index(pd.Index(gp))
    state_bo = pd.DataFrame({f.name: bo_now[f.bo] for f in FIELDS}, index=gp)
    state_shop = pd.DataFrame({f.name: shop[f.shop] for f in FIELDS}, index=gp)
    return pd.DataFrame(
        {"gp_id": gp, "osc_customers_id": new["customers_id"].to_numpy(),
         "osc_address_book_id": new["address_book_id"].to_numpy(), "bestaetigt": 1,
         "willkommen_offen": int(welcome), "stand_bo": state_json(state_bo).to_numpy(),
         "stand_shop": state_json(state_shop).to_numpy()},
        index=gp,
    )  # fmt: skip


def _look_for_twins(run: Run, created: pd.DataFrame, plan: Plan) -> None:
    """After the commit: an account the shop created with the same e-mail meanwhile (a
    customer registering at this moment) is reported for a person, never merged silently."""
    if created.empty:
        return
    with run.shop.connect() as conn:
        found = shop_customers.accounts_with_emails(conn, created["customers_email_address"])
    found = found.assign(key=compare_keys(found["customers_email_address"], plan.collation))
    mine = dict(zip(created["email_key"], created["customers_id"].astype(int), strict=True))
    twins = [
        {"e-mail": k, "created by the sync": mine[k],
         "also in the shop": ", ".join(str(int(i)) for i in g["customers_id"] if int(i) != mine[k])}
        for k, g in found.groupby("key") if k in mine and len(g) > 1
    ]  # fmt: skip
    if twins:
        plan.report.details[
            "e-mail held by two shop accounts since this run (merge them in the shop)"
        ] = twins


# --- BO -------------------------------------------------------------------------------------


def _write_back(
    run: Run, plan: Plan, linked: LinkedResult, created: Created
) -> list[Statement]:
    """Links, change markers, states and the customers' own edits into BO."""
    frame = plan.customers
    found = frame[frame["how"] != NEW]
    loaded = pd.concat(
        [found[["gp_id", "customers_id", "email_key", "osc_customers_id", "osc_abgleich_stand",
                "stand"]],
         created.rows.reindex(columns=["gp_id", "customers_id", "email_key", "osc_customers_id",
                                       "osc_abgleich_stand", "stand"])],
        ignore_index=True,
    )  # fmt: skip
    loaded = loaded[~loaded["gp_id"].isin(created.failed)]
    due = write_back_due(loaded, "osc_customers_id", "customers_id", counts=False)
    rows = loaded.loc[due]
    remembered = plan.remembered
    relinked = loaded.loc[due | (loaded["gp_id"].map(remembered) != loaded["email_key"]).to_numpy()]
    states = _changed_states(plan.state, linked.states)
    return [
        (WRITEBACK_GESPRAECHSPARTNER, rows.assign(
            gp_id=rows["gp_id"].astype("int64"),
            osc_customers_id=rows["customers_id"].astype("int64"),
            osc_abgleich_stand=rows["stand"])),
        *relink(TO_SHOP, pd.DataFrame({
            "bo_schluessel": relinked["gp_id"].astype(str),
            "osc_id": relinked["customers_id"].astype("int64"),
            "osc_schluessel": relinked["email_key"]})),
        (WRITEBACK_KUNDEN_STAND_LOESCHEN, [{"gp_id": int(g)}
                                           for g in [*states["gp_id"], *created.failed]]),
        (WRITEBACK_KUNDEN_STAND, states.assign(geaendert_am=run.run_at)),
        (UPDATE_KONTAKT_AUS_SHOP, linked.kontakt),
        (UPDATE_ADRESSE_AUS_SHOP, linked.adresse),
    ]  # fmt: skip


def _changed_states(stored: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The osc_kunde rows that differ from what BO holds (a run with nothing new writes none)."""
    if new.empty:
        return new.reindex(columns=STATE)
    old = stored.reindex(new.index)
    differs = pd.Series(False, index=new.index)
    for column in STATE[1:]:
        a = old[column].astype(object).where(old[column].notna(), None).map(_same_form)
        b = new[column].astype(object).where(new[column].notna(), None).map(_same_form)
        differs |= a != b
    return new[differs]


def _same_form(value: Any) -> Any:
    return None if value is None else str(int(value)) if isinstance(value, float) else str(value)


WELCOME = {
    "de": (
        "Ihr Kundenkonto",
        "Guten Tag {name},\n\nfür Sie wurde ein Kundenkonto in unserem Shop angelegt "
        "(Anmeldung mit {email}).\nBitte legen Sie Ihr Passwort innerhalb von 24 Stunden "
        'über diesen Link fest:\n\n{link}\n\nDanach hilft "Passwort vergessen?" auf der '
        "Anmeldeseite.\n",
    ),
    "en": (
        "Your customer account",
        "Hello {name},\n\nan account has been opened for you in our shop (log in with "
        "{email}).\nPlease set your password within 24 hours with this link:\n\n{link}\n\n"
        'After that, use "Password forgotten?" on the login page.\n',
    ),
}


def _welcome(run: Run, report: EntityReport) -> None:
    """reset_link: a welcome e-mail with the reset link to every account the sync created
    whose link has not gone out yet, from this run or an earlier one (a link older than the
    shop's one day is issued anew)."""
    settings = run.settings
    if settings.initial_password != "reset_link":
        return
    due = bo_io.query(run.bo, "extract_willkommen_offen").astype({"gp_id": "int64"})
    if due.empty:
        return
    due = due.set_index("gp_id", drop=False)
    accounts = _accounts_for_welcome(run, due)
    subject, body = WELCOME.get(settings.languages[settings.default_language], WELCOME["en"])
    base = (settings.shop_url or "").rstrip("/") + "/password_reset.php"
    mails = [
        Mail(
            key=str(gp),
            to=row.customers_email_address,
            subject=subject,
            text=body.format(
                name=f"{row.customers_firstname} {row.customers_lastname}".strip(),
                email=row.customers_email_address,
                link=f"{base}?account={quote(row.customers_email_address)}&key={row.password_reset_key}",
            ),
        )
        for gp, row in accounts.iterrows()
    ]
    sent, failed = send_mails(settings.smtp_conn_id, settings.mail_from or "", mails)
    if sent:
        write(run.bo, WRITEBACK_WILLKOMMEN_GESENDET, [{"gp_id": int(g)} for g in sent])
    report.notes.append(f"{len(sent)} welcome e-mail(s) with a password link sent")
    if failed:
        report.failed = (
            f"{settings.label} customers: {len(failed)} welcome e-mail(s) not sent "
            f"({'; '.join(f'{k}: {v}' for k, v in sorted(failed.items())[:5])}). The accounts "
            "exist; the next run sends them again."
        )


def _accounts_for_welcome(run: Run, due: pd.DataFrame) -> pd.DataFrame:
    """The accounts whose welcome is due, by gp_id, each with a reset key valid for a day."""
    c, i = t.customers.c, t.customers_info.c
    ids = due["osc_customers_id"].astype(int).tolist()
    stmt = sa.select(c.customers_id, c.customers_firstname, c.customers_lastname,
                     c.customers_email_address, i.password_reset_key,
                     i.password_reset_date).join(t.customers_info,
                                                 i.customers_info_id == c.customers_id)  # fmt: skip
    expired = pd.Timestamp(run.run_at) - timedelta(days=1)  # password_reset.php: one day
    with run.shop.begin() as conn:
        found = read_by_ids(conn, stmt, c.customers_id, ids).set_index("customers_id")
        stale = [
            int(cid) for cid, key, at in zip(found.index, found["password_reset_key"],
                                              found["password_reset_date"], strict=True)
            if not key or pd.isna(at) or pd.Timestamp(at) < expired
        ]  # fmt: skip
        for cid in stale:
            key = shop_customers.random_text(40)
            conn.execute(
                sa.update(t.customers_info)
                .where(i.customers_info_id == cid)
                .values(password_reset_key=key, password_reset_date=run.run_at)
            )
            found.loc[cid, "password_reset_key"] = key
    gp_of = dict(zip(due["osc_customers_id"].astype(int), due["gp_id"].astype(int), strict=True))
    return found.set_axis([gp_of[int(c)] for c in found.index])


# --- shop -> BO -----------------------------------------------------------------------------


class CustomersFromShop(Step):
    """Neukunden holen: every shop customer BO does not know yet, into BO."""

    entity = FROM_SHOP
    target = "bo"
    tables = ("adresse", "gespraechspartner")
    one_transaction = False  # all in one BO transaction, or each customer in its own

    def extract(self, columns: ShopColumns) -> None:
        run = self.run
        contacts = _contacts(run)
        with run.shop.connect() as conn:
            keys = shop_customers.customer_keys(conn)
            self.collation = (
                read_shop_columns(conn, ["customers"])
                .spec("customers", "customers_email_address")
                .collation
            )
        self.keys = keys.assign(
            customers_id=keys["customers_id"].astype("int64"),
            email_key=compare_keys(keys["customers_email_address"], self.collation),
        )
        contacts = contacts.assign(email_key=compare_keys(contacts["email"], self.collation))
        known = {int(i) for i in contacts["osc_customers_id"].dropna()}
        self.unknown = self.keys[~self.keys["customers_id"].isin(known)].reset_index(drop=True)
        decided = incoming(
            self.unknown, self.keys, contacts, shop_id="customers_id", bo_id="gp_id",
            bo_link="osc_customers_id", natural_key="email_key", what=WHAT, names=NAMES,
        )  # fmt: skip
        self.aside = decided[decided["action"] == "aside"]
        self.links = decided[decided["action"] == "link"]
        create = decided.loc[decided["action"] == "create", "customers_id"].astype(int).tolist()
        with run.shop.connect() as conn:
            self.shop_rows = shop_customers.customers_with_address(conn, create)
        self.staaten = bo_io.query(run.bo, "extract_staaten")

    def build(self, columns: ShopColumns) -> Built:
        new, cleaned = build_new_contacts(
            self.shop_rows, self.staaten, columns, self.run.run_at, collation=self.collation
        )
        return Built(new, cleaned)

    def suite(self, columns: ShopColumns, built: Built) -> Suite:
        return new_contacts_suite(columns)

    def load(self, target: sa.Engine, rows: pd.DataFrame) -> LoadResult:
        good = rows.assign(**_neukunden_states(rows, self.shop_rows))
        self.outcome = import_contacts(self.run, good, self.links)
        return LoadResult(inserted=self.outcome.created, updated=self.outcome.linked)

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        outcome, keys = self.outcome, self.keys
        set_aside = pd.concat(
            [
                checked.rejected,
                rejections(
                    FROM_SHOP,
                    [(str(r.customers_id), r.reason, r.customers_email_address)
                     for r in self.aside.itertuples()]
                    + [(str(c), f"BO refused the contact: {e}", "")
                       for c, e in outcome.refused.items()],
                ),
            ],
            ignore_index=True,
        )  # fmt: skip
        report = EntityReport(
            entity=FROM_SHOP,
            extracted=len(keys),
            inserted=outcome.created,
            updated=outcome.linked,
            unchanged=len(keys) - len(self.unknown) + outcome.raced,
            set_aside=set_aside,
            cleaned=built.cleaned.rules,
        )
        if outcome.raced:
            report.notes.append(
                f"{outcome.raced} shop customer(s) were imported by another run at the same time"
            )
        if outcome.linked:
            report.notes.append(
                f"{outcome.linked} shop customer(s) linked to the BO contact with their e-mail: "
                "BO's data goes into those accounts once the link is confirmed "
                "(confirm_customer)"
            )
        return report


def sync_customers_from_shop(run: Run) -> EntityReport:
    """Neukunden holen."""
    return run_step(CustomersFromShop(run))


def _neukunden_states(new: pd.DataFrame, shop_rows: pd.DataFrame) -> dict[str, Any]:
    """The link state of a Neukunde: BO's contact came from the account, so the link is
    confirmed, the account's primary address book entry is the one the sync keeps in step,
    and both sides hold what was just read and written."""
    if new.empty:
        return {"stand_bo": [], "stand_shop": [], "osc_address_book_id": []}
    shop = shop_rows.set_index(shop_rows["customers_id"].astype(int))
    shop = shop.reindex(new["osc_customers_id"].astype(int).to_numpy())
    shop["entry_zone"] = entry_zone(shop["entry_zone_id"], shop["entry_state"])
    bo = new.set_axis(shop.index)
    return {
        "stand_bo": state_json(pd.DataFrame({f.name: bo[f.bo] for f in FIELDS})).to_numpy(),
        "stand_shop": state_json(pd.DataFrame({f.name: shop[f.shop] for f in FIELDS})).to_numpy(),
        "osc_address_book_id": shop["address_book_id"].to_numpy(),
    }


@dataclass
class Imported:
    created: int = 0
    linked: int = 0
    raced: int = 0  # imported or linked by another run meanwhile
    refused: dict[int, str] = field(default_factory=dict)  # customers_id -> BO's error


def import_contacts(run: Run, new: pd.DataFrame, links: pd.DataFrame) -> Imported:
    """Create and link in one BO transaction; when BO refuses it, each customer again on its
    own: one another run imported meanwhile (it is linked now) counts as that, any other
    refusal sets that customer aside with BO's words."""
    outcome = Imported()
    if new.empty and links.empty:
        return outcome
    try:
        with run.bo.begin() as conn:
            outcome.created, outcome.linked = _import(conn, run, new, links)
        return outcome
    except sa.exc.SQLAlchemyError as exc:
        if is_transient(exc):
            raise
        log.warning("%s: BO refused some of these shop customers; one by one", run.settings.label)
    for frame, is_link in ((new, False), (links, True)):
        for index in range(len(frame)):
            one = frame.iloc[index : index + 1]
            cid = int(one["osc_customers_id" if not is_link else "customers_id"].iloc[0])
            try:
                with run.bo.begin() as conn:
                    made, joined = _import(
                        conn,
                        run,
                        one.iloc[:0] if is_link else one,
                        one if is_link else links.iloc[:0],
                    )
                outcome.created, outcome.linked = outcome.created + made, outcome.linked + joined
            except sa.exc.SQLAlchemyError as exc:
                if is_transient(exc):
                    raise
                linked_now = set(_contacts(run)["osc_customers_id"].dropna().astype(int))
                if cid in linked_now:
                    outcome.raced += 1
                else:
                    outcome.refused[cid] = explain(exc)
    return outcome


def _import(
    conn: sa.Connection, run: Run, new: pd.DataFrame, links: pd.DataFrame
) -> tuple[int, int]:
    linked = 0
    for row in links.itertuples(index=False):
        # no marker, no state: BO's data goes into the account once the link is confirmed
        (params,) = LINK_GESPRAECHSPARTNER.rows([{
            "gp_id": int(row.gp_id), "osc_customers_id": int(row.customers_id),
            "osc_abgleich_stand": None}])  # fmt: skip
        done = conn.execute(sa.text(load_statement("bo/link_gespraechspartner.sql")), params)
        done = done.rowcount
        if done == 0:  # linked meanwhile by another run: the unique key's way of saying so
            raise sa.exc.IntegrityError("link_gespraechspartner", {}, Exception("already linked"))
        linked += 1
    if new.empty:
        return 0, linked
    adress_nr = reserve_numbers(conn, "adresse", len(new))
    gp_ids = reserve_numbers(conn, "gespraechspartner", len(new))
    rows = new.assign(adress_nr=adress_nr, gp_id=gp_ids, im_web=1)
    write(conn, ADRESSE, rows)
    write(conn, GESPRAECHSPARTNER, rows)
    write(conn, WRITEBACK_KUNDEN_STAND, rows.assign(bestaetigt=1, willkommen_offen=0))
    for fields, bound in relink(TO_SHOP, pd.DataFrame({
        "bo_schluessel": rows["gp_id"].astype(str),
        "osc_id": rows["osc_customers_id"].astype("int64"),
        "osc_schluessel": rows["email_key"]})):  # fmt: skip
        write(conn, fields, bound)
    return len(new), linked
