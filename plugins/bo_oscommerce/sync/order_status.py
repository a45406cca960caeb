"""Order status back to the shop, and the reconciliation of shop and BO.

Processing: BO orders whose shop status the sync has not set or found yet become Processing,
but only from a pending status; Delivered: orders with a final delivery note, only from a
pending status or Processing. Each change is ``orders.orders_status``, ``last_modified`` and
one ``orders_status_history`` row (``shop/orders.change_status``, under a row lock, so nothing
is written twice); e-mails to the buyer go out after the shop commit. An order the merchant
moved by hand (Delivered already, cancelled, a status of their own) is left alone, without a
mail, and BO records the status found (``osc_status_gemeldet``).
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import WRITEBACK_AUFTRAG_STATUS
from bo_oscommerce.quality.suites import orders_suite
from bo_oscommerce.quality.validation import Validated, validate
from bo_oscommerce.shop import orders as shop_orders
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.common import LoadResult, language_ids
from bo_oscommerce.shop.customers import customer_keys as shop_customer_keys
from bo_oscommerce.sync.orders import decide, imported
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, only_keys, shop_columns
from bo_oscommerce.sync.step import Built, Step, run_step
from bo_oscommerce.sync.waiting import new_order_ids
from bo_oscommerce.sync.writeback import Statement, WriteBackError
from bo_oscommerce.transform.orders import status_sources
from bo_oscommerce.transform.text import fit_text

log = logging.getLogger(__name__)

TRACKING = {
    "de": ("Sendungsnummer", "Sendungsnummern"),
    "en": ("Tracking number", "Tracking numbers"),
}


def _due(run: Run, event: str, report: EntityReport) -> tuple[pd.DataFrame, dict[int, str]]:
    """The BO orders whose status ``event`` may be due, and the Delivered comments."""
    statuses = run.settings.order_statuses
    if event == "processing":
        due = imported(run)
        return due[due["osc_status_gemeldet"].isna()], {}
    notes = bo_io.query(run.bo, "extract_lieferungen", {"delivered": statuses.delivered})
    final = notes[notes["vollstaendig"].astype(int) == 1]
    due = final.drop_duplicates("auftrag_nr")[
        ["auftrag_nr", "osc_orders_id", "osc_status_gemeldet"]
    ]
    comments = _tracking_comments(
        notes[notes["auftrag_nr"].isin(set(due["auftrag_nr"]))], run.settings.mail_language
    )
    partial = sorted(set(notes["auftrag_nr"]) - set(due["auftrag_nr"]))
    partial = [str(n) for n in partial if run.only is None or str(n) in run.only]
    if partial:
        report.kept_out["partial delivery: Delivered comes with the final delivery note"] = partial
    return due, comments


class OrderStatus(Step):
    """``event`` "processing": orders BO has whose shop status is not set or found yet;
    "delivered": orders with a final delivery note (vollstaendig) not reported Delivered."""

    load_empty = False  # nothing due: not even a shop transaction

    def __init__(self, run: Run, event: str) -> None:
        super().__init__(run)
        self.event = event
        self.entity = f"status_{event}"
        statuses = run.settings.order_statuses
        self.status = statuses.processing if event == "processing" else statuses.delivered
        self.partial = EntityReport(entity=self.entity)  # kept out and cleaned as found
        self.changes: list[Any] = []

    def extract(self, columns: ShopColumns) -> None:
        due, self.comments = _due(self.run, self.event, self.partial)
        self.due = only_keys(self.run, due, "auftrag_nr")

    def build(self, columns: ShopColumns) -> Built:
        if not self.due.empty:  # the history's columns only when something is due
            self.history = shop_columns(self.run, ["orders_status_history"])
            self.comments = _fit_comments(self.comments, self.history, self.partial)
        return Built(self.due)

    def load(self, target: sa.Connection, rows: pd.DataFrame) -> LoadResult:
        run = self.run
        statuses = run.settings.order_statuses
        sources = status_sources(self.event, statuses.pending, statuses.processing)
        ids = [int(i) for i in rows["osc_orders_id"]]
        self.changes = shop_orders.change_status(
            target, ids, self.status, sources, self.comments, self.history, run.run_at
        )
        self.found = shop_orders.order_statuses(target, ids)
        language = _language(target, run.settings.mail_language)
        self.names = dict(shop_orders.status_names(target, language))
        return LoadResult(updated=len(self.changes))

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        report = self.partial
        report.extracted = len(self.due) + sum(len(keys) for keys in report.kept_out.values())
        if self.due.empty:
            return report
        report.updated = result.updated
        report.unchanged = _left_alone(
            self.due, self.changed, self.found, self.status, self.names, report
        )
        return report

    @property
    def changed(self) -> set[int]:
        return {c.orders_id for c in self.changes}

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        """BO records the status set, or the one found (an order gone from the shop: nothing)."""
        if rows.empty:
            return []
        recorded = []
        for auftrag_nr, oid in zip(rows["auftrag_nr"], rows["osc_orders_id"].astype(int),
                                   strict=True):  # fmt: skip
            status = self.status if oid in self.changed else self.found.get(oid)
            if status is not None:
                recorded.append({"auftrag_nr": int(auftrag_nr), "osc_status_gemeldet": int(status)})
        return [(WRITEBACK_AUFTRAG_STATUS, recorded)]

    def write_back_failed(self, exc: WriteBackError) -> str:
        return (
            f"{self.label} orders: the shop has the status, but BO refused to record it "
            f"({exc.__cause__.__class__.__name__}); the next run finds the shop status already "
            "set and writes no second history row"
        )

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        """The buyers' e-mails, after the shop commit (a failed mail never undoes a status)."""
        from bo_oscommerce.sync.order_mails import send_status_mails

        if self.due.empty or not getattr(self.run.settings.order_mails, self.event):
            return
        sent = send_status_mails(self.run, self.changes, self.status, self.comments)
        _mail(self.run, sent, report)


def report_status(run: Run, event: str) -> EntityReport:
    return run_step(OrderStatus(run, event))


def _language(conn: sa.Connection, code: str) -> int | None:
    return language_ids(conn).get(code)


def _left_alone(
    due: pd.DataFrame,
    changed: set[int],
    found: dict[int, int],
    target: int,
    names: dict[int, str],
    report: EntityReport,
) -> int:
    """Orders the merchant moved by hand are kept out, by the status they are in; returns how
    many already had the target status."""
    already = 0
    for auftrag_nr, oid in zip(due["auftrag_nr"], due["osc_orders_id"].astype(int), strict=True):
        status = found.get(oid)
        if oid in changed:
            continue
        if status == target:
            already += 1
            continue
        if status is None:
            reason = "order gone from the shop"
        else:
            reason = (
                f"set in the shop by hand to {names.get(status, status)!r}: left alone, no e-mail"
            )
        report.kept_out.setdefault(reason, []).append(str(auftrag_nr))
    return already


def _mail(run: Run, outcome: tuple[list[int], dict[int, str]], report: EntityReport) -> None:
    sent, failed = outcome
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
    """Lists for a person to look at: shop orders missing in BO (with why), BO orders whose
    shop status lags behind their delivery notes, BO orders the merchant moved in the shop to
    a status of their own (cancelled ...), BO contacts whose shop account is gone."""
    settings = run.settings
    bo_orders = imported(run)
    known = set(bo_orders["osc_orders_id"].astype(int))
    with run.shop.connect() as conn:
        rules = shop_orders.read_rules(conn, settings.order_hold_statuses)
        orders = shop_orders.all_orders(conn)
        names = dict(shop_orders.status_names(conn, _language(conn, settings.mail_language) or 1))
        customers = set(shop_customer_keys(conn)["customers_id"].astype(int))
    status_of = dict(
        zip(orders["orders_id"].astype(int), orders["orders_status"].astype(int), strict=True)
    )
    result = {
        "orders_missing_in_bo": _missing(run, orders, known, rules, names),
        "status_behind_delivery": _behind(run, status_of, names),
        "orders_in_a_status_of_their_own": _own_status(run, bo_orders, status_of, names),
        "customers_gone_from_shop": _gone_customers(run, customers),
    }
    for name, items in result.items():
        log.info("%s reconciliation: %s: %d", settings.label, name.replace("_", " "), len(items))
        for item in items[:50]:
            log.info("  %s", item)
    return result


def _missing(
    run: Run, orders: pd.DataFrame, known: set[int], rules: Any, names: dict[int, str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    missing = orders[~orders["orders_id"].astype(int).isin(known)]
    for oid, status in zip(missing["orders_id"], missing["orders_status"], strict=True):
        if int(status) in rules.hold:
            rows.append(
                {"orders_id": int(oid),
                 "why": f"in status {names.get(int(status), status)!r}: not yet a sale "
                        "(order_hold_statuses)"}
            )  # fmt: skip
    importable = new_order_ids(missing, known, rules.hold, run.settings.order_import_since)
    if importable:
        with run.bo.connect() as conn:
            bo_columns = read_shop_columns(
                conn, ["auftrag", "auftragsposition", "adresse", "gespraechspartner"]
            )
        decided = decide(run, importable, bo_columns)
        for reason, keys in decided.waiting.items():
            rows += [{"orders_id": int(k), "why": f"waiting: {reason}"} for k in keys]
        checked = validate(decided.auftraege, orders_suite(bo_columns), run.validation_cache)
        for key, group in checked.rejected.groupby("key"):
            pairs = zip(group["reason"], group["value"], strict=True)
            why = "; ".join(dict.fromkeys(f"{r}: {v}" if v else r for r, v in pairs))
            rows.append({"orders_id": int(key), "why": why})
        rows += [
            {"orders_id": int(i), "why": "complete: the next import takes it"}
            for i in checked.valid["osc_orders_id"]
        ]
    return sorted(rows, key=lambda r: r["orders_id"])


def _behind(run: Run, status_of: dict[int, int], names: dict[int, str]) -> list[dict[str, Any]]:
    delivered = run.settings.order_statuses.delivered
    notes = bo_io.query(run.bo, "extract_lieferungen", {"delivered": delivered})
    final = notes[notes["vollstaendig"].astype(int) == 1].drop_duplicates("auftrag_nr")
    return [
        {
            "auftrag_nr": int(r.auftrag_nr),
            "orders_id": int(r.osc_orders_id),
            "shop_status": names.get(status_of.get(int(r.osc_orders_id), -1), "order gone"),
        }
        for r in final.itertuples(index=False)
        if status_of.get(int(r.osc_orders_id)) != delivered
    ]


def _own_status(
    run: Run, bo_orders: pd.DataFrame, status_of: dict[int, int], names: dict[int, str]
) -> list[dict[str, Any]]:
    """BO orders the shop has in a status the sync neither expects nor sets (cancelled in the
    shop admin, or a status of the merchant's own): BO may have to follow by hand."""
    ours = set(run.settings.order_statuses.all())
    out = []
    for nr, oid in zip(
        bo_orders["auftrag_nr"], bo_orders["osc_orders_id"].astype(int), strict=True
    ):
        status = status_of.get(oid)
        if status is not None and status not in ours:
            out.append(
                {"auftrag_nr": int(nr), "orders_id": oid, "shop_status": names.get(status, status)}
            )
    return out


def _gone_customers(run: Run, customers: set[int]) -> list[dict[str, Any]]:
    contacts = bo_io.query(run.bo, "extract_kontakte")
    linked = contacts.dropna(subset=["osc_customers_id"])
    return [
        {"gp_id": int(g), "osc_customers_id": int(c), "email": e}
        for g, c, e in zip(
            linked["gp_id"], linked["osc_customers_id"], linked["email"], strict=True
        )
        if int(c) not in customers
    ]
