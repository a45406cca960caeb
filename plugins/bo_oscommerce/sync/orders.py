"""Shop orders into BO exactly once (Auftragsannahme), and their status back to the shop.

Import: orders in the tenant's import statuses that BO does not have yet (never by time or by
"id above the last one": concurrent checkouts commit out of id order) -> complete? (lines add
up to totals; else they wait, and after the grace period are set aside) -> articles, buyer,
countries known? -> one BO transaction per batch: Auftrag, positions, new buyers. BO's unique
key on ``auftrag.osc_orders_id`` makes each order arrive once: a run that loses a race finds
its insert refused and decides again with fresh data.

Status: BO orders not yet reported become Processing in the shop, and orders with a final
delivery note Delivered, each with one history row (``shop/orders.change_status``); e-mails to
the buyer go out after the shop commit, and ``customer_notified`` says whether they did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce import failpoints
from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.quality.suites import orders_suite
from bo_oscommerce.quality.validation import validate
from bo_oscommerce.shop import orders as shop_orders
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.common import language_ids
from bo_oscommerce.shop.customers import customer_keys as shop_customer_keys
from bo_oscommerce.sync.customers import _numbers, _records
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, only_keys, shop_columns
from bo_oscommerce.transform.common import Cleaned
from bo_oscommerce.transform.customers import email_key
from bo_oscommerce.transform.orders import position_texts, split_name, verdict
from bo_oscommerce.transform.text import fit_text

log = logging.getLogger(__name__)

ENTITY = "orders"
ATTEMPTS = 3  # decide, insert; again with fresh data if another run got there first
BATCH = 500  # orders per BO transaction
AUFTRAG_TEXTS = (
    "liefer_name", "liefer_firma", "liefer_strasse", "liefer_plz", "liefer_ort",
    "rechnung_name", "rechnung_firma", "rechnung_strasse", "rechnung_plz", "rechnung_ort",
    "zahlungsart", "bemerkung", "email",
)  # fmt: skip


def _imported(run: Run) -> pd.DataFrame:
    return bo_io.query(run.bo, "extract_auftraege_osc")


def count_new(run: Run) -> dict[str, Any]:
    """Anzahl neuer Bestellungen: shop orders in the import statuses that BO does not have."""
    known = set(_imported(run)["osc_orders_id"].astype(int))
    with run.shop.connect() as conn:
        waiting = shop_orders.waiting(conn, run.settings.order_import_statuses)
    new = sorted(set(waiting["orders_id"].astype(int)) - known)
    log.info(
        "%s: %d new shop order(s) wait for import (statuses %s)",
        run.settings.label,
        len(new),
        run.settings.order_import_statuses,
    )
    return {"waiting": len(new), "orders_ids": new[:1000]}


@dataclass
class Decided:
    """What one pass decided for the candidate orders."""

    auftraege: pd.DataFrame  # importable orders as auftrag rows (with osc_orders_id)
    positions: pd.DataFrame
    buyers: pd.DataFrame  # new BO contacts to create first (key: buyer_key)
    set_aside: pd.DataFrame
    waiting: list[int] = field(default_factory=list)  # incomplete, within the grace period
    cleaned: Cleaned = field(default_factory=Cleaned)


def _buyers(run: Run) -> tuple[dict[int, tuple[int, int]], pd.DataFrame]:
    """Shop customer id -> (gp_id, adress_nr) of linked BO contacts, and every contact by
    e-mail (several per e-mail: ambiguous)."""
    rows = bo_io.query(
        run.bo, "extract_kontakte_adresse"
    )  # gp_id, adress_nr, email, osc_customers_id
    rows = rows.assign(email_key=email_key(rows["email"]))
    linked = {
        int(c): (int(g), int(a))
        for c, g, a in zip(rows["osc_customers_id"], rows["gp_id"], rows["adress_nr"], strict=True)
        if not pd.isna(c)
    }
    return linked, rows


def decide(run: Run, candidates: list[int], bo_columns: ShopColumns) -> Decided:
    """Evaluate the candidate orders against the shop's rows and BO's articles, buyers and
    countries (one pass, fresh reads)."""
    settings = run.settings
    with run.shop.connect() as conn:
        data = shop_orders.read_orders(conn, candidates)
        countries = shop_orders.country_ids(conn)
    staaten = bo_io.query(run.bo, "extract_staaten").dropna(subset=["osc_countries_id"])
    staat_of = dict(
        zip(staaten["osc_countries_id"].astype(int), staaten["staat_id"].astype(int), strict=True)
    )
    articles = bo_io.query(run.bo, "extract_artikel_nummern")
    by_id = {
        int(p): str(a)
        for a, p in zip(articles["artikel_nr"], articles["osc_products_id"], strict=True)
        if not pd.isna(p)
    }
    by_model = {str(a).casefold(): str(a) for a in articles["artikel_nr"]}
    linked, contacts = _buyers(run)
    by_email: dict[str, list[tuple[int, int]]] = {}
    for key, gp, adr in contacts[["email_key", "gp_id", "adress_nr"]].itertuples(
        index=False, name=None
    ):
        if isinstance(key, str):
            by_email.setdefault(key, []).append((int(gp), int(adr)))

    grace = timedelta(minutes=settings.order_grace_minutes)
    lines = data.lines.sort_values(["orders_id", "orders_products_id"])
    texts = position_texts(lines, data.attributes)
    lines_of: dict[int, list[tuple]] = {}
    for line, text in zip(
        lines[["orders_id", "products_id", "products_model", "final_price", "products_tax",
               "products_quantity"]].itertuples(index=False, name=None),
        texts,
        strict=True,
    ):  # fmt: skip
        lines_of.setdefault(int(line[0]), []).append((*line[1:], text))
    totals_of: dict[int, dict[str, Decimal]] = {}
    fees_of: dict[int, list[tuple[str, Decimal]]] = {}
    for oid, cls, value, title in data.totals[["orders_id", "class", "value", "title"]].itertuples(
        index=False, name=None
    ):
        by_class = totals_of.setdefault(int(oid), {})
        by_class[str(cls)] = by_class.get(str(cls), Decimal(0)) + Decimal(str(value))
        if cls == "ot_loworderfee":
            fees_of.setdefault(int(oid), []).append((str(title).rstrip(":"), Decimal(str(value))))
    rows, positions, buyers, waiting = [], [], {}, []

    def staat(name: object) -> int | None:
        cid = countries.get(str(name))
        return staat_of.get(cid) if cid is not None else None

    for order in data.orders.itertuples(index=False):
        oid = int(order.orders_id)
        own = lines_of.get(oid, [])
        value = totals_of.get(oid, {})
        judged = verdict([(f, r, q) for _, _, f, r, q, _ in own], value)
        problem = None
        purchased = _purchase_date(order.date_purchased)
        if not judged.complete:
            if purchased is not None and run.run_at - purchased < grace:
                waiting.append(oid)
                continue
            problem = (
                f"{judged.reason} after the grace period of {settings.order_grace_minutes} minutes"
            )
        unknown = []
        for pos, (pid, model, final, rate, qty, text) in enumerate(own, 1):
            nr = by_id.get(int(pid)) or by_model.get(str(model or "").casefold())
            if nr is None:
                unknown.append(f"{model} (products_id {pid})")
            positions.append(
                {"osc_orders_id": oid, "pos_nr": pos, "artikel_nr": nr, "bezeichnung": text,
                 "menge": int(qty), "einzelpreis_netto": final, "ust_satz": rate}
            )  # fmt: skip
        for pos, (title, fee) in enumerate(fees_of.get(oid, []), len(own) + 1):
            positions.append(
                {"osc_orders_id": oid, "pos_nr": pos, "artikel_nr": None, "bezeichnung": title,
                 "menge": 1, "einzelpreis_netto": fee, "ust_satz": Decimal(0)}
            )  # fmt: skip
        missing = sorted(
            {
                str(n)
                for n in (order.delivery_country, order.billing_country, order.customers_country)
                if staat(n) is None
            }
        )
        key = str(order.customers_email_address or "").strip().casefold() or None
        buyer_problem, gp_id, adress_nr, buyer_key = None, None, None, None
        cid = int(order.customers_id) if not pd.isna(order.customers_id) else None
        if cid in linked:
            gp_id, adress_nr = linked[cid]
        elif key is not None and key in by_email:
            found = by_email[key]
            if len(found) > 1:
                buyer_problem = "several BO contacts have the buyer's e-mail address"
            else:
                gp_id, adress_nr = found[0]
        else:
            buyer_key = f"c{cid}" if cid in data.customers else f"e{key}"
            buyers.setdefault(buyer_key, _new_buyer(order, cid in data.customers, staat))
        total_tax = judged.tax if judged.complete else Decimal(0)
        gross = value.get("ot_total", Decimal(0))
        rows.append(
            {
                "osc_orders_id": oid,
                "lines_problem": problem,
                "unknown_articles": ", ".join(unknown) or None,
                "unknown_countries": ", ".join(missing) or None,
                "buyer_problem": buyer_problem,
                "buyer_key": buyer_key,
                "gp_id": gp_id,
                "adress_nr": adress_nr,
                "date_problem": None
                if purchased is not None
                else f"date_purchased is {order.date_purchased!r}",
                "auftragsdatum": purchased,
                "email": str(order.customers_email_address or "").strip() or None,
                "liefer_name": order.delivery_name,
                "liefer_firma": order.delivery_company or None,
                "liefer_strasse": order.delivery_street_address,
                "liefer_plz": order.delivery_postcode,
                "liefer_ort": order.delivery_city,
                "liefer_staat_id": staat(order.delivery_country),
                "rechnung_name": order.billing_name,
                "rechnung_firma": order.billing_company or None,
                "rechnung_strasse": order.billing_street_address,
                "rechnung_plz": order.billing_postcode,
                "rechnung_ort": order.billing_city,
                "rechnung_staat_id": staat(order.billing_country),
                "zahlungsart": order.payment_method,
                "waehrung": order.currency,
                "waehrungsfaktor": order.currency_value,
                "bemerkung": (str(data.comments.get(oid, "") or "").strip() or None),
                "summe_brutto": gross,
                "summe_steuer": total_tax,
                "summe_netto": gross - total_tax,
                "versandkosten": value.get("ot_shipping", Decimal(0)),
                "geaendert_am": run.run_at,
            }
        )
    auftraege = pd.DataFrame(rows, columns=_AUFTRAG_COLUMNS)
    cleaned = Cleaned()
    for column in AUFTRAG_TEXTS:
        if bo_columns.has("auftrag", column) and len(auftraege):
            auftraege[column], fired = fit_text(
                auftraege[column].astype(object), bo_columns.spec("auftrag", column)
            )
            for rule, mask in fired.items():
                cleaned.add(
                    rule.replace(column, f"BO auftrag.{column}"),
                    auftraege.loc[mask, "osc_orders_id"].astype(str),
                )
    positions_frame = pd.DataFrame(positions, columns=_POSITION_COLUMNS)
    if bo_columns.has("auftragsposition", "bezeichnung") and len(positions_frame):
        positions_frame["bezeichnung"], fired = fit_text(
            positions_frame["bezeichnung"], bo_columns.spec("auftragsposition", "bezeichnung")
        )
        for rule, mask in fired.items():
            cleaned.add(
                rule.replace("bezeichnung", "BO auftragsposition.bezeichnung"),
                positions_frame.loc[mask, "osc_orders_id"].astype(str),
            )
    return Decided(
        auftraege=auftraege,
        positions=positions_frame,
        buyers=pd.DataFrame(list(buyers.values())).assign(buyer_key=list(buyers))
        if buyers
        else pd.DataFrame(),
        set_aside=pd.DataFrame(),
        waiting=waiting,
        cleaned=cleaned,
    )


_AUFTRAG_COLUMNS = [
    "osc_orders_id", "date_problem", "lines_problem", "unknown_articles", "unknown_countries",
    "buyer_problem", "buyer_key", "gp_id", "adress_nr", "auftragsdatum", "email", "liefer_name",
    "liefer_firma", "liefer_strasse", "liefer_plz", "liefer_ort", "liefer_staat_id",
    "rechnung_name", "rechnung_firma", "rechnung_strasse", "rechnung_plz", "rechnung_ort",
    "rechnung_staat_id", "zahlungsart", "waehrung", "waehrungsfaktor", "bemerkung",
    "summe_brutto", "summe_steuer", "summe_netto", "versandkosten", "geaendert_am",
]  # fmt: skip
_POSITION_COLUMNS = [
    "osc_orders_id", "pos_nr", "artikel_nr", "bezeichnung", "menge", "einzelpreis_netto",
    "ust_satz",
]  # fmt: skip


def _purchase_date(value: Any) -> datetime | None:
    """The order's date_purchased, or None when the shop holds none it could have written
    (NULL, the zero date, text): such an order is set aside, the others import."""
    try:
        moment = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(moment) or moment.year < 1970 else moment.to_pydatetime()


def _new_buyer(order: Any, customer_exists: bool, staat: Any) -> dict[str, Any]:
    """An unknown buyer as a new BO contact, from the order's customer address (the address
    the shop copied at checkout; the customer row may be gone since: then the contact is not
    a web contact, so no customers sync opens the deleted account again)."""
    first, last = split_name(order.customers_name)
    return {
        "osc_customers_id": int(order.customers_id) if customer_exists else None,
        "im_web": 1 if customer_exists else 0,
        "anrede": None,
        "vorname": first or None,
        "nachname": last,
        "email": str(order.customers_email_address or "").strip() or None,
        "geburtstag": None,
        "newsletter": 0,
        "firma": order.customers_company or None,
        "strasse": order.customers_street_address,
        "plz": order.customers_postcode,
        "ort": order.customers_city,
        "region": order.customers_state or None,
        "telefon": order.customers_telephone or None,
        "staat_id": staat(order.customers_country),
    }


def import_orders(run: Run) -> EntityReport:
    """Every waiting, complete shop order into BO, exactly once."""
    settings = run.settings
    with run.bo.connect() as conn:
        bo_columns = read_shop_columns(
            conn, ["auftrag", "auftragsposition", "adresse", "gespraechspartner"]
        )
    imported = raced = 0
    report = EntityReport(entity=ENTITY)
    for _attempt in range(ATTEMPTS):
        known = set(_imported(run)["osc_orders_id"].astype(int))
        with run.shop.connect() as conn:
            waiting = shop_orders.waiting(conn, settings.order_import_statuses)
        candidates = sorted(set(waiting["orders_id"].astype(int)) - known)
        decided = decide(run, candidates, bo_columns)
        checked = validate(decided.auftraege, orders_suite(bo_columns), run.validation_cache)
        good = checked.valid
        try:
            imported += _insert(run, good, decided)
        except Raced as raced_at:
            imported += raced_at.done
            log.warning(
                "%s: another run imported some of these orders; deciding again", settings.label
            )
            raced += 1
            continue
        report = EntityReport(
            entity=ENTITY,
            extracted=len(candidates),
            inserted=imported,
            set_aside=checked.rejected,
            cleaned=decided.cleaned.rules,
            kept_out={
                "waiting for its lines (within the grace period)": [str(i) for i in decided.waiting]
            }
            if decided.waiting
            else {},
        )
        break
    else:
        raise RuntimeError(f"{settings.label}: orders could not be imported in {ATTEMPTS} attempts")
    if raced:
        report.notes.append(
            "another run imported some orders at the same time; they were left to it"
        )
    failpoints.hit("after_bo_commit")
    return report


class Raced(Exception):
    """Another run imported some of these orders first (BO refused a batch)."""

    def __init__(self, done: int) -> None:
        super().__init__(f"{done} imported before the refused batch")
        self.done = done


ADRESSE = ["adress_nr", "firma", "strasse", "plz", "ort", "staat_id", "region", "telefon",
           "geaendert_am"]  # fmt: skip
KONTAKT = ["gp_id", "adress_nr", "anrede", "vorname", "nachname", "email", "geburtstag",
           "newsletter", "im_web", "osc_customers_id", "geaendert_am"]  # fmt: skip
AUFTRAG = [
    "auftrag_nr", "adress_nr", "gp_id", "auftragsdatum", "email", "liefer_name", "liefer_firma",
    "liefer_strasse", "liefer_plz", "liefer_ort", "liefer_staat_id", "rechnung_name",
    "rechnung_firma", "rechnung_strasse", "rechnung_plz", "rechnung_ort", "rechnung_staat_id",
    "zahlungsart", "waehrung", "waehrungsfaktor", "bemerkung", "summe_netto", "summe_steuer",
    "summe_brutto", "versandkosten", "osc_orders_id", "geaendert_am",
]  # fmt: skip
POSITION = ["auftrag_nr", "pos_nr", "artikel_nr", "bezeichnung", "menge", "einzelpreis_netto",
            "ust_satz"]  # fmt: skip


def _insert(run: Run, good: pd.DataFrame, decided: Decided) -> int:
    """New buyers (each once), Auftraege and positions, in BO transactions of ``BATCH``
    orders; raises ``Raced`` with the number imported when BO refuses a batch."""
    made = pd.DataFrame(columns=["gp_id", "adress_nr"])
    done = 0
    for start in range(0, len(good), BATCH):
        part = good.iloc[start : start + BATCH].copy()
        try:
            with run.bo.begin() as conn:
                keys = [k for k in part["buyer_key"].dropna().unique() if k not in made.index]
                if keys:
                    new = decided.buyers[decided.buyers["buyer_key"].isin(keys)]
                    new = new.reset_index(drop=True).assign(
                        adress_nr=_numbers(conn, "adresse", len(keys)),
                        gp_id=_numbers(conn, "gespraechspartner", len(keys)),
                        geaendert_am=run.run_at,
                    )
                    bo_io.execute_many(conn, "insert_adresse", _records(new, ADRESSE))
                    bo_io.execute_many(conn, "insert_gespraechspartner", _records(new, KONTAKT))
                    made = pd.concat([made, new.set_index("buyer_key")[["gp_id", "adress_nr"]]])
                new_buyer = part["buyer_key"].notna()
                part.loc[new_buyer, "gp_id"] = part.loc[new_buyer, "buyer_key"].map(made["gp_id"])
                part.loc[new_buyer, "adress_nr"] = part.loc[new_buyer, "buyer_key"].map(
                    made["adress_nr"]
                )
                part = part.astype({"gp_id": "Int64", "adress_nr": "Int64"})
                part["auftrag_nr"] = _numbers(conn, "auftrag", len(part))
                bo_io.execute_many(conn, "insert_auftrag", _records(part, AUFTRAG))
                numbers = dict(zip(part["osc_orders_id"], part["auftrag_nr"], strict=True))
                positions = decided.positions[decided.positions["osc_orders_id"].isin(numbers)]
                positions = positions.assign(auftrag_nr=positions["osc_orders_id"].map(numbers))
                bo_io.execute_many(conn, "insert_auftragsposition", _records(positions, POSITION))
        except sa.exc.IntegrityError as exc:
            raise Raced(done) from exc
        done += len(part)
    return done


# --- status back to the shop ---------------------------------------------------------------


def _status_report(entity: str) -> EntityReport:
    return EntityReport(entity=entity)


def report_status(run: Run, event: str) -> EntityReport:
    """``event`` "processing": orders BO has and the shop does not know it has; "delivered":
    orders with a final delivery note (vollstaendig) whose Delivered is not reported."""
    from bo_oscommerce.sync.order_mails import send_status_mails

    settings = run.settings
    statuses = settings.order_statuses
    report = EntityReport(entity=f"status_{event}")
    if event == "processing":
        due = _imported(run)
        due = due[due["osc_status_gemeldet"].isna()]
        target, come_from, comments = statuses.processing, settings.order_import_statuses, {}
    else:
        notes = bo_io.query(run.bo, "extract_lieferungen", {"delivered": statuses.delivered})
        final = notes[notes["vollstaendig"].astype(int) == 1]
        due = final.drop_duplicates("auftrag_nr")[
            ["auftrag_nr", "osc_orders_id", "osc_status_gemeldet"]
        ]
        comments = _tracking_comments(
            notes[notes["auftrag_nr"].isin(set(due["auftrag_nr"]))], settings.mail_language
        )
        partial = sorted(set(notes["auftrag_nr"]) - set(due["auftrag_nr"]))
        partial = [str(n) for n in partial if run.only is None or str(n) in run.only]
        if partial:
            report.kept_out = {
                "partial delivery: Delivered comes with the final delivery note": partial
            }
        target, come_from = statuses.delivered, None
    due = only_keys(run, due, "auftrag_nr")
    report.extracted = len(due) + sum(len(keys) for keys in report.kept_out.values())
    if due.empty:
        return report
    ids = [int(i) for i in due["osc_orders_id"]]
    columns = shop_columns(run, ["orders_status_history"])
    comments = _fit_comments(comments, columns, report)
    with run.shop.begin() as conn:
        changes = shop_orders.change_status(
            conn, ids, target, come_from, comments, columns, run.run_at
        )
    report.updated = len(changes)
    report.unchanged = len(due) - len(changes)
    if getattr(settings.order_mails, event):
        sent, failed = send_status_mails(run, changes, target, comments)
        if sent:
            with run.shop.begin() as conn:
                shop_orders.mark_notified(conn, sent)
        report.notes.append(f"{len(sent)} status e-mail(s) sent")
        if failed:
            report.notes.append(
                f"{len(failed)} status e-mail(s) not sent "
                f"({'; '.join(sorted(failed.values())[:3])}); the status change stands "
                "(customer_notified 0): notify those buyers from the shop admin"
            )
    try:
        bo_io.execute_many(
            run.bo,
            "writeback_auftrag_status",
            [{"auftrag_nr": int(n), "osc_status_gemeldet": target} for n in due["auftrag_nr"]],
        )
    except sa.exc.SQLAlchemyError as exc:
        report.failed = (
            f"{settings.label} orders: the shop has the status, but BO refused to record it "
            f"({exc.__class__.__name__}); the next run finds the shop status already set and "
            "writes no second history row"
        )
    return report


TRACKING = {
    "de": ("Sendungsnummer", "Sendungsnummern"),
    "en": ("Tracking number", "Tracking numbers"),
}


def _fit_comments(
    comments: dict[int, str], columns: ShopColumns, report: EntityReport
) -> dict[int, str]:
    """History comments as the shop's column takes them (e.g. no emoji in a utf8 column)."""
    if not comments:
        return comments
    ids = list(comments)
    fitted, fired = fit_text(
        pd.Series([comments[i] for i in ids], index=ids, dtype=object),
        columns.spec("orders_status_history", "comments"),
    )
    for rule, mask in fired.items():
        keys = [str(i) for i in fitted.index[mask.to_numpy(dtype=bool)]]
        if keys:
            report.cleaned[rule] = keys
    return dict(zip(ids, fitted, strict=True))


def _tracking_comments(notes: pd.DataFrame, language: str) -> dict[int, str]:
    """osc_orders_id -> the history comment of its Delivered: the tracking numbers."""
    out = {}
    for oid, group in notes.groupby("osc_orders_id"):
        numbers = [str(n) for n in group["sendungsnummer"].dropna() if str(n).strip()]
        if numbers:
            one, many = TRACKING.get(language, TRACKING["en"])
            out[int(oid)] = f"{many if len(numbers) > 1 else one}: " + ", ".join(numbers)
    return out


# --- reconciliation -------------------------------------------------------------------------


def reconcile(run: Run) -> dict[str, list[dict[str, Any]]]:
    """Three lists for a person to look at: shop orders missing in BO (with why), BO orders
    whose shop status lags behind their delivery notes, BO contacts whose shop account is
    gone."""
    settings = run.settings
    imported = _imported(run)
    known = set(imported["osc_orders_id"].astype(int))
    with run.shop.connect() as conn:
        orders = shop_orders.all_orders(conn)
        language = language_ids(conn).get(settings.mail_language, 1)
        names = shop_orders.status_names(conn, language)
        customers = set(shop_customer_keys(conn)["customers_id"].astype(int))
    missing = orders[~orders["orders_id"].astype(int).isin(known)]
    importable = missing[missing["orders_status"].astype(int).isin(settings.order_import_statuses)]
    rows: list[dict[str, Any]] = []
    for order in missing.itertuples(index=False):
        if int(order.orders_status) not in settings.order_import_statuses:
            status = names.get(int(order.orders_status), str(order.orders_status))
            rows.append(
                {"orders_id": int(order.orders_id),
                 "why": f"in status {status!r}, which is not imported (order_import_statuses)"}
            )  # fmt: skip
    if len(importable):
        with run.bo.connect() as conn:
            bo_columns = read_shop_columns(conn, ["auftrag", "auftragsposition"])
        decided = decide(run, importable["orders_id"].astype(int).tolist(), bo_columns)
        rows += [
            {"orders_id": i, "why": "waiting for its lines to add up (within the grace period)"}
            for i in decided.waiting
        ]
        checked = validate(decided.auftraege, orders_suite(bo_columns), run.validation_cache)
        for key, group in checked.rejected.groupby("key"):
            rows.append({"orders_id": int(key), "why": "; ".join(dict.fromkeys(group["reason"]))})
        rows += [
            {"orders_id": int(i), "why": "complete: the next import takes it"}
            for i in checked.valid["osc_orders_id"]
        ]
    notes = bo_io.query(
        run.bo, "extract_lieferungen", {"delivered": settings.order_statuses.delivered}
    )
    final = notes[notes["vollstaendig"].astype(int) == 1].drop_duplicates("auftrag_nr")
    status_of = dict(
        zip(orders["orders_id"].astype(int), orders["orders_status"].astype(int), strict=True)
    )
    gone_order = "order gone from the shop"
    lagging = [
        {
            "auftrag_nr": int(r.auftrag_nr),
            "orders_id": int(r.osc_orders_id),
            "shop_status": names.get(status_of.get(int(r.osc_orders_id), -1), gone_order),
        }
        for r in final.itertuples(index=False)
        if status_of.get(int(r.osc_orders_id)) != settings.order_statuses.delivered
    ]
    contacts = bo_io.query(run.bo, "extract_kontakte")
    linked = contacts.dropna(subset=["osc_customers_id"])
    gone = [
        {"gp_id": int(g), "osc_customers_id": int(c), "email": e}
        for g, c, e in zip(
            linked["gp_id"], linked["osc_customers_id"], linked["email"], strict=True
        )
        if int(c) not in customers
    ]
    result = {
        "orders_missing_in_bo": sorted(rows, key=lambda r: r["orders_id"]),
        "status_behind_delivery": lagging,
        "customers_gone_from_shop": gone,
    }
    for name, items in result.items():
        log.info("%s reconciliation: %s: %d", settings.label, name.replace("_", " "), len(items))
        for item in items[:50]:
            log.info("  %s", item)
    return result
