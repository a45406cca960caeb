"""The customers steps, both ways.

To the shop: web contacts -> validate -> shop customers (created with their first password,
or updated, never their password) -> ids and links back to BO. A contact that leaves the web
keeps its shop customer (orders reference it; osCommerce has no customer status): it is no
longer synced and the report lists it.

From the shop (Neukunden holen): shop customers BO does not know -> linked to the BO contact
with their e-mail, or created as Adresse + Gespraechspartner with numbers from BO's number
ranges. BO's unique key on ``osc_customers_id`` makes a customer arrive once, even when two
runs overlap: a run that loses the race finds its insert refused and imports nothing twice.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.mail import Mail, send_mails
from bo_oscommerce.quality.suites import customers_suite, new_contacts_suite
from bo_oscommerce.quality.validation import validate
from bo_oscommerce.shop import customers as shop_customers
from bo_oscommerce.shop.columns import read_shop_columns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.sqlfiles import load_statement
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, marker_changed, only_keys, rejections, shop_columns
from bo_oscommerce.sync.writeback import WriteBackError, bindings, relink, write_back
from bo_oscommerce.transform.customers import build_customers, build_new_contacts, email_key

log = logging.getLogger(__name__)

TO_SHOP = "customers"
FROM_SHOP = "new_contacts"
CUSTOMER_TABLES = ["customers", "address_book", "customers_info", "countries", "zones"]
LEFT_WEB = (
    "contact left the web: its shop customer is kept (orders reference it) and no longer synced"
)


def _contacts(run: Run) -> pd.DataFrame:
    return bo_io.query(run.bo, "extract_kontakte").assign(
        email_key=lambda f: email_key(f["email"]),
    )


def _with_gone(run: Run, conn: sa.Connection, extract: pd.DataFrame) -> pd.DataFrame:
    """Incremental runs also take web contacts whose shop customer is gone (deleted in the
    shop admin): the identity rule reports the stale id and the customer is synced again."""
    linked = _contacts(run)
    linked = linked[linked["osc_customers_id"].notna() & (linked["im_web"].astype(int) == 1)]
    present = set(shop_customers.customer_keys(conn)["customers_id"].astype(int))
    gone = set(linked.loc[~linked["osc_customers_id"].astype(int).isin(present), "gp_id"])
    gone -= set(extract["gp_id"])
    if not gone:
        return extract
    whole = bo_io.query(run.bo, "extract_gespraechspartner", {"full_sync": 1})
    return pd.concat([extract, whole[whole["gp_id"].isin(gone)]], ignore_index=True)


def sync_customers_to_shop(run: Run) -> EntityReport:
    settings = run.settings
    columns = shop_columns(run, CUSTOMER_TABLES)
    extract = bo_io.query(run.bo, "extract_gespraechspartner", {"full_sync": 1 if run.full else 0})
    with run.shop.connect() as conn:
        zones, countries = shop_customers.zones(conn), shop_customers.country_ids(conn)
        if not run.full:
            extract = _with_gone(run, conn, extract)
    extract = only_keys(run, extract, "gp_id")
    customers, left, cleaned = build_customers(extract, zones, run.run_at.date(), columns)
    checked = validate(customers, customers_suite(columns, countries), run.validation_cache)

    links = bindings(run.bo, TO_SHOP)
    remembered = dict(zip(links["bo_schluessel"].astype(int), links["osc_schluessel"], strict=True))
    everyone = _contacts(run)
    others = everyone[~everyone["gp_id"].isin(set(customers["gp_id"]))]
    taken = {int(i) for i in others["osc_customers_id"].dropna()}
    first = shop_customers.FirstPassword(settings.initial_password, settings.password_cost)
    with run.shop.begin() as conn:
        result = shop_customers.load_customers(
            conn, checked.valid, columns, first, run.run_at, remembered, taken
        )
    report = EntityReport(
        entity=TO_SHOP,
        extracted=len(customers) + len(left),
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        set_aside=pd.concat(
            [checked.rejected, rejections(TO_SHOP, result.rejected)], ignore_index=True
        ),
        cleaned=cleaned.rules,
        stale=result.stale,
        kept_out={LEFT_WEB: [str(k) for k in left["gp_id"]]} if len(left) else {},
    )
    try:
        report.written_back = _write_back(run, checked.valid, result, remembered)
    except WriteBackError as exc:
        report.failed = str(exc)
        return report
    _welcome(run, result, report)
    return report


def _write_back(
    run: Run, valid: pd.DataFrame, result: LoadResult, remembered: dict[int, str]
) -> int:
    loaded = valid[["gp_id", "osc_customers_id", "osc_abgleich_stand", "stand"]].merge(
        result.ids, on="gp_id"
    )
    due = (
        loaded["inserted"].astype(bool)
        | (pd.array(loaded["osc_customers_id"], dtype="Int64") != loaded["customers_id"]).fillna(
            True
        )
        | marker_changed(loaded["osc_abgleich_stand"], loaded["stand"]).to_numpy()
    )
    rows = loaded.loc[due]
    links = loaded.loc[due | (loaded["gp_id"].map(remembered) != loaded["email_key"]).to_numpy()]
    steps = [
        (
            "writeback_gespraechspartner",
            [
                {
                    "gp_id": int(gp),
                    "osc_customers_id": int(cid),
                    "osc_abgleich_stand": None if pd.isna(s) else pd.Timestamp(s).to_pydatetime(),
                }
                for gp, cid, s in zip(
                    rows["gp_id"], rows["customers_id"], rows["stand"], strict=True
                )
            ],
        ),
        *relink(
            TO_SHOP,
            pd.DataFrame(
                {
                    "bo_schluessel": links["gp_id"].astype(str),
                    "osc_id": links["customers_id"].astype("int64"),
                    "osc_schluessel": links["email_key"],
                }
            ),
        ),
    ]
    return write_back(run.bo, run.settings.label, TO_SHOP, steps).get(
        "writeback_gespraechspartner", 0
    )


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


def _welcome(run: Run, result: LoadResult, report: EntityReport) -> None:
    """reset_link: a welcome e-mail with the reset link to each new account."""
    settings = run.settings
    new = result.created
    if settings.initial_password != "reset_link" or new.empty:
        return
    subject, body = WELCOME.get(settings.languages[settings.default_language], WELCOME["en"])
    base = (settings.shop_url or "").rstrip("/") + "/password_reset.php"
    mails = [
        Mail(
            key=str(row.gp_id),
            to=row.customers_email_address,
            subject=subject,
            text=body.format(
                name=f"{row.customers_firstname} {row.customers_lastname}".strip(),
                email=row.customers_email_address,
                link=f"{base}?account={quote(row.customers_email_address)}&key={row.password_reset_key}",
            ),
        )
        for row in new.itertuples(index=False)
    ]
    sent, failed = send_mails(settings.smtp_conn_id, settings.mail_from or "", mails)
    report.notes.append(f"{len(sent)} welcome e-mail(s) with a password link sent")
    if failed:
        report.failed = (
            f"{settings.label} customers: {len(failed)} welcome e-mail(s) not sent "
            f"({'; '.join(f'{k}: {v}' for k, v in sorted(failed.items())[:5])}). The accounts "
            'exist; those customers can use "Password forgotten?" in the shop.'
        )


# --- shop -> BO -----------------------------------------------------------------------------


def _decide(unknown: pd.DataFrame, shop_keys: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """For each shop customer BO does not know: link (``gp_id``), create, or set aside
    (``reason``), by its e-mail."""
    shop_count = shop_keys.groupby("email_key")["customers_id"].size()
    bo = contacts.dropna(subset=["email_key"])
    bo_count = bo.groupby("email_key")["gp_id"].size()
    first_bo = bo.drop_duplicates("email_key").set_index("email_key")
    decisions = []
    for row in unknown.itertuples(index=False):
        key = row.email_key
        if key is None:
            decisions.append(("create", None, None))
        elif shop_count.get(key, 0) > 1:
            decisions.append(
                (
                    "aside",
                    None,
                    "e-mail address is held by several shop customers; merge them in the shop",
                )
            )
        elif bo_count.get(key, 0) > 1:
            decisions.append(
                (
                    "aside",
                    None,
                    "several BO contacts have this e-mail address; make them differ in BO",
                )
            )
        elif key in first_bo.index:
            match = first_bo.loc[key]
            if pd.isna(match["osc_customers_id"]):
                decisions.append(("link", int(match["gp_id"]), None))
            else:
                decisions.append(
                    (
                        "aside",
                        None,
                        f"e-mail address belongs to BO contact {int(match['gp_id'])}, linked to "
                        f"shop customer {int(match['osc_customers_id'])}",
                    )
                )
        else:
            decisions.append(("create", None, None))
    return unknown.assign(
        action=[d[0] for d in decisions],
        gp_id=pd.array([d[1] for d in decisions], dtype="Int64"),
        reason=[d[2] for d in decisions],
    )


def sync_customers_from_shop(run: Run) -> EntityReport:
    """Neukunden holen: every shop customer BO does not know yet."""
    contacts = _contacts(run)
    with run.shop.connect() as conn:
        keys = shop_customers.customer_keys(conn)
    keys = keys.assign(
        customers_id=keys["customers_id"].astype("int64"),
        email_key=email_key(keys["customers_email_address"]),
    )
    known = {int(i) for i in contacts["osc_customers_id"].dropna()}
    unknown = keys[~keys["customers_id"].isin(known)].reset_index(drop=True)
    decided = _decide(unknown, keys, contacts)
    aside = decided[decided["action"] == "aside"]
    links = decided[decided["action"] == "link"]
    create_ids = decided.loc[decided["action"] == "create", "customers_id"].astype(int).tolist()
    with run.shop.connect() as conn:
        shop_rows = shop_customers.customers_with_address(conn, create_ids)
    with run.bo.connect() as conn:
        bo_columns = read_shop_columns(conn, ["adresse", "gespraechspartner"])
    staaten = bo_io.query(run.bo, "extract_staaten")
    new, cleaned = build_new_contacts(shop_rows, staaten, bo_columns, run.run_at)
    checked = validate(new, new_contacts_suite(bo_columns), run.validation_cache)
    created, linked, raced = import_contacts(run, checked.valid, links)
    set_aside = pd.concat(
        [
            checked.rejected,
            rejections(
                FROM_SHOP,
                [
                    (str(r.customers_id), r.reason, r.customers_email_address)
                    for r in aside.itertuples()
                ],
            ),
        ],
        ignore_index=True,
    )
    report = EntityReport(
        entity=FROM_SHOP,
        extracted=len(keys),
        inserted=created,
        updated=linked,
        unchanged=len(keys) - len(unknown) + raced,
        set_aside=set_aside,
        cleaned=cleaned.rules,
    )
    if raced:
        report.notes.append(
            f"{raced} shop customer(s) were imported by another run at the same time"
        )
    return report


def import_contacts(run: Run, new: pd.DataFrame, links: pd.DataFrame) -> tuple[int, int, int]:
    """Create and link in one BO transaction; when BO refuses it (another run imported one of
    them first: the unique key on osc_customers_id), each customer again on its own.
    Returns (created, linked, already imported by another run)."""
    if new.empty and links.empty:
        return 0, 0, 0
    try:
        with run.bo.begin() as conn:
            return (*_import(conn, run, new, links), 0)
    except sa.exc.IntegrityError:
        log.warning(
            "%s: another run imported some of these shop customers; one by one", run.settings.label
        )
    created = linked = raced = 0
    for frame, is_link in ((new, False), (links, True)):
        for index in range(len(frame)):
            one = frame.iloc[index : index + 1]
            try:
                with run.bo.begin() as conn:
                    c, n = _import(
                        conn,
                        run,
                        one.iloc[:0] if is_link else one,
                        one if is_link else links.iloc[:0],
                    )
                created, linked = created + c, linked + n
            except sa.exc.IntegrityError:
                raced += 1
    return created, linked, raced


def _import(
    conn: sa.Connection, run: Run, new: pd.DataFrame, links: pd.DataFrame
) -> tuple[int, int]:
    linked = 0
    for row in links.itertuples(index=False):
        done = conn.execute(
            sa.text(load_statement("bo/link_gespraechspartner.sql")),
            # no marker: the next run to the shop writes BO's data into the customer it linked
            {
                "gp_id": int(row.gp_id),
                "osc_customers_id": int(row.customers_id),
                "osc_abgleich_stand": None,
            },
        ).rowcount
        if done == 0:  # linked meanwhile by another run: the unique key's way of saying so
            raise sa.exc.IntegrityError("link_gespraechspartner", {}, Exception("already linked"))
        linked += 1
    if new.empty:
        return 0, linked
    adress_nr = _numbers(conn, "adresse", len(new))
    gp_ids = _numbers(conn, "gespraechspartner", len(new))
    rows = new.assign(adress_nr=adress_nr, gp_id=gp_ids, im_web=1)
    bo_io.execute_many(
        conn,
        "insert_adresse",
        _records(
            rows,
            [
                "adress_nr",
                "firma",
                "strasse",
                "plz",
                "ort",
                "staat_id",
                "region",
                "telefon",
                "geaendert_am",
            ],
        ),
    )
    bo_io.execute_many(
        conn,
        "insert_gespraechspartner",
        _records(
            rows,
            [
                "gp_id",
                "adress_nr",
                "anrede",
                "vorname",
                "nachname",
                "email",
                "geburtstag",
                "newsletter",
                "im_web",
                "osc_customers_id",
                "geaendert_am",
            ],
        ),
    )
    return len(new), linked


def _numbers(conn: sa.Connection, name: str, count: int) -> list[int]:
    """``count`` numbers from BO's number range ``name`` (adapted SQL: nummern_*.sql)."""
    conn.execute(
        sa.text(load_statement("bo/nummern_reservieren.sql")), {"name": name, "anzahl": count}
    )
    last = int(
        conn.execute(sa.text(load_statement("bo/nummern_lesen.sql")), {"name": name}).scalar_one()
    )
    return list(range(last - count + 1, last + 1))


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    from bo_oscommerce.frames import frame_records

    out = frame_records(frame[columns])
    for record in out:
        for key, value in record.items():
            if isinstance(value, pd.Timestamp):
                record[key] = value.to_pydatetime()
    return out
