"""Shop orders into BO exactly once (Auftragsannahme).

Which orders: every shop order BO does not have (``auftrag.osc_orders_id``), except in the
statuses that are not yet a sale (never by time or by "id above the last one": concurrent
checkouts commit out of id order). Each is judged by ``transform.orders.readiness``: fully
written and settled -> imported; still being written -> waits; not fully written after the
grace period -> set aside. Then its articles, countries and buyer are looked up, and GX
checks every value against BO's columns. One BO transaction per batch writes new buyers,
Auftraege and positions; BO's unique key on ``auftrag.osc_orders_id`` makes each order arrive
once. A batch BO refuses is written again order by order: an order another run imported
meanwhile is left to it, an order BO refuses for another reason is set aside with BO's words,
and every other order goes in.

Status back to the shop and the reconciliation are in ``sync/order_status.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce import failpoints
from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.errors import explain, is_transient
from bo_oscommerce.field_maps import ADRESSE, AUFTRAG, AUFTRAGSPOSITION, GESPRAECHSPARTNER
from bo_oscommerce.quality.suites import new_contacts_suite, orders_suite
from bo_oscommerce.quality.validation import Suite, Validated, validate
from bo_oscommerce.shop import customers as shop_customers
from bo_oscommerce.shop import orders as shop_orders
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.shop.dialect import shop_now
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, rejections
from bo_oscommerce.sync.step import Built, Step, run_step
from bo_oscommerce.sync.waiting import imported_orders, waiting_order_ids
from bo_oscommerce.sync.writeback import reserve_numbers, write
from bo_oscommerce.transform.common import Cleaned
from bo_oscommerce.transform.customers import build_new_contacts
from bo_oscommerce.transform.emails import compare_keys
from bo_oscommerce.transform.orders import (
    ASIDE,
    READY,
    ShopOrder,
    ShopRules,
    auftrag,
    match_buyers,
    positions,
    readiness,
)

log = logging.getLogger(__name__)

ENTITY = "orders"
ATTEMPTS = 3  # decide, insert; again with fresh data if another run got there first
BATCH = 500  # orders per BO transaction
PROBLEMS = ["date_problem", "lines_problem", "unknown_articles", "unknown_countries",
            "buyer_problem", "buyer_invalid"]  # fmt: skip


def imported(run: Run) -> pd.DataFrame:
    """BO's orders from the shop: auftrag_nr, osc_orders_id, osc_status_gemeldet."""
    return imported_orders(run.bo)


def _candidates(run: Run) -> tuple[list[int], frozenset[int]]:
    return waiting_order_ids(run.settings, run.bo, run.shop)


def count_new(run: Run) -> dict[str, Any]:
    """Anzahl neuer Bestellungen: shop orders BO does not have, except those not yet a sale."""
    new, hold = _candidates(run)
    log.info(
        "%s: %d new shop order(s) wait for import (not counted: statuses %s, not yet a sale)",
        run.settings.label,
        len(new),
        sorted(hold),
    )
    return {"waiting": len(new), "orders_ids": new[:1000]}


@dataclass
class Decided:
    """What one pass decided for the candidate orders."""

    auftraege: pd.DataFrame  # one row per order taken now or set aside (with its problems)
    positions: pd.DataFrame
    buyers: pd.DataFrame  # new BO contacts to create first (key: buyer_key)
    waiting: dict[str, list[str]] = field(default_factory=dict)  # reason -> orders ids
    cleaned: Cleaned = field(default_factory=Cleaned)
    buyers_rejected: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class BoLookups:
    """What BO knows that an order needs: articles, countries, contacts."""

    article_of: dict[int, str]  # osc_products_id -> artikel_nr
    by_model: dict[str, str]  # casefolded artikel_nr -> artikel_nr
    staat_of: dict[int, int]  # osc_countries_id -> staat_id
    contacts: pd.DataFrame  # gp_id, adress_nr, email, osc_customers_id, email_key

    @classmethod
    def read(cls, run: Run, collation: str) -> BoLookups:
        """``collation``: how the shop compares e-mails (a buyer is found by the login's rule)."""
        articles = bo_io.query(run.bo, "extract_artikel_nummern")
        staaten = bo_io.query(run.bo, "extract_staaten").dropna(subset=["osc_countries_id"])
        contacts = bo_io.query(run.bo, "extract_kontakte_adresse")
        return cls(
            article_of={
                int(p): str(a)
                for a, p in zip(articles["artikel_nr"], articles["osc_products_id"], strict=True)
                if not pd.isna(p)
            },
            by_model={str(a).casefold(): str(a) for a in articles["artikel_nr"]},
            staat_of=dict(
                zip(
                    staaten["osc_countries_id"].astype(int),
                    staaten["staat_id"].astype(int),
                    strict=True,
                )
            ),  # fmt: skip
            contacts=contacts.assign(email_key=compare_keys(contacts["email"], collation)),
        )


def decide(run: Run, candidates: list[int], bo_columns: ShopColumns) -> Decided:
    """Judge the candidate orders against the shop's rows and BO's articles, buyers and
    countries (one pass, fresh reads)."""
    settings = run.settings
    with run.shop.connect() as conn:
        rules = shop_orders.read_rules(conn, settings.order_hold_statuses)
        now = shop_now(conn)
        orders = shop_orders.read_orders(conn, candidates)
    bo = BoLookups.read(run, rules.email_collation)
    settle = timedelta(seconds=settings.order_settle_seconds)
    grace = timedelta(minutes=settings.order_grace_minutes)
    rows, lines, waiting, taken = [], [], {}, []
    for order in orders:
        state = readiness(order, rules, now, settle, grace)
        if state.state not in (READY, ASIDE):
            waiting.setdefault(state.reason, []).append(str(order.orders_id))
            continue
        taken.append(order)
        if state.state == ASIDE or state.totals is None:
            rows.append({"osc_orders_id": order.orders_id, "lines_problem": state.reason})
            continue
        row = auftrag(order, state.totals, rules, bo.staat_of)
        own, unknown = positions(order, state.totals, bo.article_of, bo.by_model)
        rows.append({**row, "unknown_articles": ", ".join(unknown) or None})
        lines += own
    frame = pd.DataFrame(rows, columns=_AUFTRAG_COLUMNS).assign(geaendert_am=run.run_at)
    buyers = _buyers(run, taken, frame, rules, bo, bo_columns)
    decided = Decided(
        auftraege=buyers.auftraege,
        positions=pd.DataFrame(
            lines, columns=["osc_orders_id", *AUFTRAGSPOSITION.targets()[1:]]
        ),
        buyers=buyers.new,
        waiting=waiting,
        cleaned=buyers.cleaned,
        buyers_rejected=buyers.rejected,
    )
    _fit_texts(decided, bo_columns)
    return decided


_AUFTRAG_COLUMNS = list(
    dict.fromkeys(
        ["osc_orders_id", *PROBLEMS, "buyer_key", "gp_id", "adress_nr", *AUFTRAG.targets()[3:]]
    ).keys()
)


@dataclass
class Buyers:
    auftraege: pd.DataFrame
    new: pd.DataFrame
    cleaned: Cleaned
    rejected: pd.DataFrame


def _buyers(
    run: Run,
    orders: list[ShopOrder],
    frame: pd.DataFrame,
    rules: ShopRules,
    bo: BoLookups,
    bo_columns: ShopColumns,
) -> Buyers:
    """Each taken order's buyer (``match_buyers``), new buyers built and checked like
    Neukunden; an order whose buyer fails a check is set aside with the buyer's reason."""
    taken = {int(o) for o in frame.loc[frame["lines_problem"].isna(), "osc_orders_id"]}
    orders = [o for o in orders if o.orders_id in taken]
    ids = {
        int(o.header["customers_id"]) for o in orders if not pd.isna(o.header.get("customers_id"))
    }
    with run.shop.connect() as conn:
        rows = shop_customers.customers_with_address(conn, sorted(ids))
    customers = dict(zip(rows["customers_id"].astype(int), rows.to_dict("records"), strict=True))
    match = match_buyers(orders, bo.contacts, customers, rules)
    oid = frame["osc_orders_id"].astype(int)
    frame["gp_id"] = pd.array(oid.map(lambda o: match.contact.get(o, (None,))[0]), dtype="Int64")
    frame["adress_nr"] = pd.array(
        oid.map(lambda o: match.contact.get(o, (None, None))[1]), dtype="Int64"
    )
    frame["buyer_key"] = oid.map(match.new).astype(object)
    frame["buyer_problem"] = oid.map(match.problem).astype(object)
    new, cleaned, rejected = _new_buyers(run, sorted(set(match.new.values())), match.rows,
                                         bo_columns, rules.email_collation)  # fmt: skip
    reasons = rejected.groupby("key")["reason"].agg("; ".join).to_dict() if len(rejected) else {}
    frame["buyer_invalid"] = frame["buyer_key"].map(reasons).astype(object)
    orders_of = frame.dropna(subset=["buyer_key"]).groupby("buyer_key")["osc_orders_id"]
    by_order = Cleaned()
    for rule, keys in cleaned.rules.items():  # a cleaned buyer is a cleaned order
        by_order.add(rule, pd.Series([o for k in keys for o in orders_of.get_group(k)]))
    return Buyers(frame, new, by_order, rejected)


def _new_buyers(
    run: Run, keys: list[str], shop_rows: dict[str, dict], bo_columns: ShopColumns, collation: str
) -> tuple[pd.DataFrame, Cleaned, pd.DataFrame]:
    """New BO contacts, built and checked like Neukunden (``build_new_contacts``); a buyer
    whose shop account is gone is no web contact, so no customers run opens it again."""
    if not keys:
        return pd.DataFrame(), Cleaned(), pd.DataFrame(columns=["key", "reason"])
    rows = pd.DataFrame([shop_rows[k] for k in keys])
    staaten = bo_io.query(run.bo, "extract_staaten")
    new, cleaned = build_new_contacts(rows.assign(buyer_key=keys), staaten, bo_columns,
                                      run.run_at, key="buyer_key", collation=collation)  # fmt: skip
    checked = validate(new, new_contacts_suite(bo_columns, key="buyer_key"), run.validation_cache)
    good = checked.valid.assign(im_web=checked.valid["osc_customers_id"].notna().astype(int))
    return good, cleaned, checked.rejected


def _fit_texts(decided: Decided, bo_columns: ShopColumns) -> None:
    """Every text as BO's column takes it (control and 4-byte characters removed, cut to
    the width); each rule that fired is a cleaned row."""
    for name, fields in (("auftraege", AUFTRAG), ("positions", AUFTRAGSPOSITION)):
        frame = getattr(decided, name)
        keys = frame["osc_orders_id"].astype(str)
        setattr(decided, name, fields.fit(frame, bo_columns, keys, decided.cleaned))


class Orders(Step):
    """Every fully written shop order BO does not have into BO, exactly once. A pass that
    finds a buyer linked by another run meanwhile decides again with fresh reads."""

    entity = ENTITY
    target = "bo"
    tables = ("auftrag", "auftragsposition", "adresse", "gespraechspartner")
    one_transaction = False  # one BO transaction per batch, or per order when BO refuses one
    attempts = ATTEMPTS

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.inserted = Inserted()
        self.refused: dict[int, str] = {}  # orders BO refused for a reason that is not a race

    def extract(self, columns: ShopColumns) -> None:
        candidates, _ = _candidates(self.run)
        self.candidates = [c for c in candidates if c not in self.refused]

    def build(self, columns: ShopColumns) -> Built:
        self.decided = decide(self.run, self.candidates, columns)
        return Built(self.decided.auftraege, self.decided.cleaned)

    def suite(self, columns: ShopColumns, built: Built) -> Suite:
        return orders_suite(columns)

    def load(self, target: sa.Engine, rows: pd.DataFrame) -> LoadResult:
        self.inserted = _insert(self.run, rows, self.decided, self.inserted)
        self.refused |= self.inserted.refused
        return LoadResult(inserted=self.inserted.done, again=self.inserted.again)

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        inserted, refused = self.inserted, self.refused
        set_aside = pd.concat(
            [checked.rejected,
             rejections(ENTITY, [(str(o), f"BO refused the order: {r}", "")
                                 for o, r in refused.items()])],
            ignore_index=True,
        )  # fmt: skip
        report = EntityReport(
            entity=ENTITY,
            extracted=len(self.candidates) + len(refused),
            inserted=inserted.done,
            unchanged=inserted.raced,
            set_aside=set_aside,
            cleaned=built.cleaned.rules,
            kept_out=self.decided.waiting,
        )
        if inserted.raced:
            report.notes.append(
                f"{inserted.raced} order(s) were imported by another run at the same time"
            )
        return report

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        failpoints.hit("after_bo_commit")


def import_orders(run: Run) -> EntityReport:
    """Auftragsannahme."""
    return run_step(Orders(run))


@dataclass
class Inserted:
    """What the inserts of one or more passes did."""

    done: int = 0
    raced: int = 0  # imported by another run meanwhile
    refused: dict[int, str] = field(default_factory=dict)  # orders id -> BO's error
    again: bool = False  # a buyer was linked meanwhile: decide again
    made: dict[str, tuple[int, int]] = field(default_factory=dict)  # buyer_key -> gp, adresse


def _insert(run: Run, good: pd.DataFrame, decided: Decided, before: Inserted) -> Inserted:
    """New buyers (each once), Auftraege and positions, one BO transaction per ``BATCH``
    orders; a batch BO refuses goes again order by order."""
    result = Inserted(done=before.done, raced=before.raced, made=dict(before.made))
    for start in range(0, len(good), BATCH):
        part = good.iloc[start : start + BATCH]
        try:
            result.made |= _write(run, part, decided, result.made)
            result.done += len(part)
            continue
        except sa.exc.SQLAlchemyError as exc:
            if is_transient(exc):
                raise
            log.warning("%s: BO refused a batch of orders; one by one", run.settings.label)
        for index in range(len(part)):
            _one(run, part.iloc[index : index + 1], decided, result)
    return result


def _one(run: Run, order: pd.DataFrame, decided: Decided, result: Inserted) -> None:
    oid = int(order["osc_orders_id"].iloc[0])
    try:
        result.made |= _write(run, order, decided, result.made)
        result.done += 1
    except sa.exc.SQLAlchemyError as exc:
        if is_transient(exc):
            raise
        if oid in set(imported(run)["osc_orders_id"].astype(int)):
            result.raced += 1
        elif isinstance(exc, sa.exc.IntegrityError) and _buyer_linked_meanwhile(run, order):
            result.again = True
        else:
            result.refused[oid] = explain(exc)


def _buyer_linked_meanwhile(run: Run, order: pd.DataFrame) -> bool:
    key = order["buyer_key"].iloc[0]
    if not isinstance(key, str) or not key.startswith("c"):
        return False
    linked = bo_io.query(run.bo, "extract_kontakte_adresse")["osc_customers_id"].dropna()
    return int(key[1:]) in set(linked.astype(int))


def _write(
    run: Run, part: pd.DataFrame, decided: Decided, made: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """One BO transaction: the part's new buyers, Auftraege and positions. Returns the
    buyers it created."""
    part = part.copy()
    created: dict[str, tuple[int, int]] = {}
    with run.bo.begin() as conn:
        keys = [k for k in part["buyer_key"].dropna().unique() if k not in made]
        if keys:
            new = decided.buyers[decided.buyers["buyer_key"].isin(keys)].reset_index(drop=True)
            new = new.assign(
                adress_nr=reserve_numbers(conn, "adresse", len(new)),
                gp_id=reserve_numbers(conn, "gespraechspartner", len(new)),
                geaendert_am=run.run_at,
            )
            write(conn, ADRESSE, new)
            write(conn, GESPRAECHSPARTNER, new)
            created = {
                k: (int(g), int(a))
                for k, g, a in zip(new["buyer_key"], new["gp_id"], new["adress_nr"], strict=True)
            }
        every = {**made, **created}
        new_buyer = part["buyer_key"].notna()
        part.loc[new_buyer, "gp_id"] = part.loc[new_buyer, "buyer_key"].map(lambda k: every[k][0])
        part.loc[new_buyer, "adress_nr"] = part.loc[new_buyer, "buyer_key"].map(
            lambda k: every[k][1]
        )
        part = part.astype({"gp_id": "Int64", "adress_nr": "Int64"})
        part["auftrag_nr"] = reserve_numbers(conn, "auftrag", len(part))
        write(conn, AUFTRAG, part)
        numbers = dict(zip(part["osc_orders_id"], part["auftrag_nr"], strict=True))
        lines = decided.positions[decided.positions["osc_orders_id"].isin(numbers)]
        lines = lines.assign(auftrag_nr=lines["osc_orders_id"].map(numbers))
        write(conn, AUFTRAGSPOSITION, lines)
    return created
