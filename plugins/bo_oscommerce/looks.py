"""A scheduled run's first look: has anything changed since the last quiet run? (ADR 16)

The orders, stock and customers DAGs keep a cron schedule as a safety net beside their
watchers. Most of those runs find nothing to do, and each task of a run costs a process.
So the first task (the connection test) also takes the kind's *marks*: cheap reads of what
the run's steps read (counts, highest ids, latest change stamps, the shop's table checksums).
A scheduled run whose marks equal those kept by the last *quiet* run skips every other task.

A run is quiet when it succeeded, left nothing waiting (no order still to import) and the
marks after it equal the marks before it: nothing changed while it ran, and it wrote nothing
that the marks see. Only then does its state stand for "everything handled". A run that wrote
something keeps no marks, so the next scheduled run runs in full and, finding nothing, keeps
them. Runs started by a watcher or by hand never skip. Where a side cannot be looked at
cheaply (a customers run on a shop without ``CHECKSUM TABLE``), there are no marks and every
run runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

LOOKED = ("orders", "stock", "customers")  # the kinds whose scheduled runs look first
BO_LOOK = {"orders": "look_auftraege", "stock": "look_artikel", "customers": "look_kontakte"}
CUSTOMER_TABLES = ("customers", "customers_info", "address_book")


def settings_mark(settings: Any) -> str:
    """The tenant's settings as a mark: changed settings (a price group, a stock source, a
    status mapping) change what a run writes."""
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()[:16]


def mark_text(value: Any) -> str:
    return "" if value is None or value != value else str(value)


def statement_marks(bo: sa.Engine, statement: str) -> dict[str, str]:
    """The first row of a BO look (``include/sql/bo/<statement>.sql``) as marks."""
    from bo_oscommerce.bo.rows import first_row

    return {f"bo.{k}": mark_text(v) for k, v in first_row(bo, statement).items()}


def bo_marks(bo: sa.Engine, kind: str) -> dict[str, str]:
    return statement_marks(bo, BO_LOOK[kind])


def _shop_marks(shop: sa.Engine, kind: str) -> dict[str, str] | None:
    """The shop's side; None where it cannot be looked at cheaply."""
    if kind == "stock":  # an incremental stock run compares with what BO last sent
        return {}
    if kind == "orders":
        from bo_oscommerce.watch import orders_mark

        with shop.connect() as conn:
            mark = orders_mark(conn)
        return {f"shop.{k}": str(v) for k, v in vars(mark).items()}
    from bo_oscommerce.shop.dialect import dialect_of

    with shop.connect() as conn:  # a customer's own edits leave no time stamp: checksums
        sums = dialect_of(conn).table_checksums(conn, CUSTOMER_TABLES)
    return None if sums is None else {f"shop.{table}": value for table, value in sums.items()}


def marks(kind: str, bo: sa.Engine, shop: sa.Engine) -> dict[str, str] | None:
    """What a run of ``kind`` would find changed, as comparable text; None: always run."""
    if kind not in LOOKED:
        return None
    shop_side = _shop_marks(shop, kind)
    if shop_side is None:
        return None
    return {**bo_marks(bo, kind), **shop_side}


def _path(tenant_id: str, kind: str) -> Any:
    from bo_oscommerce.staging import staging_root

    return staging_root() / tenant_id / "_looks" / f"{kind}.json"


def quiet_marks(tenant_id: str, kind: str) -> dict[str, Any] | None:
    """The marks and run of the last quiet run of ``kind``, if any."""
    path = _path(tenant_id, kind)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def keep(
    tenant_id: str,
    kind: str,
    run_key: str,
    found: dict[str, str],
    outcome: dict[str, Any] | None = None,
) -> None:
    """Keep a quiet run's marks, and what a run that finds the same may report (``outcome``)."""
    path = _path(tenant_id, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {"run": run_key, "marks": found, **({"outcome": outcome} if outcome else {})}
    path.write_text(json.dumps(kept, sort_keys=True, default=str))


def forget(tenant_id: str, kind: str) -> None:
    path = _path(tenant_id, kind)
    if path.exists():
        path.unlink()
