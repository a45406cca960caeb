"""Reading shop orders and changing their status the way the shop admin's order page does
(``admin/orders.php``, action ``update_order``): ``orders.orders_status``,
``orders.last_modified`` and one ``orders_status_history`` row, in one transaction.

A status is only ever moved forward from the statuses it may come from, under a row lock, so
two runs, or a run and its retry, never write a second history row for one change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import query_frame, result_frame
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids


def waiting(conn: sa.Connection, statuses: Sequence[int]) -> pd.DataFrame:
    """Orders in the import statuses: ``orders_id``, ``date_purchased``, ``orders_status``."""
    o = t.orders.c
    stmt = sa.select(o.orders_id, o.date_purchased, o.orders_status).where(
        o.orders_status.in_(list(statuses))
    )
    return result_frame(conn.execute(stmt.order_by(o.orders_id)))


def all_orders(conn: sa.Connection) -> pd.DataFrame:
    o = t.orders.c
    return query_frame(conn, sa.select(o.orders_id, o.orders_status, o.date_purchased))


def _by_orders(conn: sa.Connection, table: sa.Table, ids: list[int]) -> pd.DataFrame:
    parts = [
        result_frame(conn.execute(sa.select(table).where(table.c.orders_id.in_(list(part)))))
        for part in chunks(sorted(ids), 1000)
    ]
    if not parts:
        return result_frame(conn.execute(sa.select(table).where(sa.false())))
    return pd.concat(parts, ignore_index=True)


@dataclass
class ShopOrders:
    """Everything the shop holds about some orders."""

    orders: pd.DataFrame
    lines: pd.DataFrame
    attributes: pd.DataFrame
    totals: pd.DataFrame
    comments: pd.Series  # orders_id -> the customer's comment (first history row)
    customers: set[int] = field(default_factory=set)  # buyers that still exist in the shop


def read_orders(conn: sa.Connection, ids: Iterable[int]) -> ShopOrders:
    ids = sorted({int(i) for i in ids})
    history = _by_orders(conn, t.orders_status_history, ids)
    first = history.sort_values("orders_status_history_id").drop_duplicates("orders_id")
    orders = _by_orders(conn, t.orders, ids)
    buyers = sorted({int(c) for c in orders["customers_id"].dropna()})
    existing: set[int] = set()
    for part in chunks(buyers, 1000):
        existing |= {
            int(c)
            for c in conn.execute(
                sa.select(t.customers.c.customers_id).where(
                    t.customers.c.customers_id.in_(list(part))
                )
            ).scalars()
        }
    return ShopOrders(
        orders=orders,
        lines=_by_orders(conn, t.orders_products, ids),
        attributes=_by_orders(conn, t.orders_products_attributes, ids),
        totals=_by_orders(conn, t.orders_total, ids),
        comments=first.set_index("orders_id")["comments"]
        if len(first)
        else pd.Series(dtype=object),
        customers=existing,
    )


def country_ids(conn: sa.Connection) -> dict[str, int]:
    """Country name (as orders store it) -> countries_id."""
    c = t.countries.c
    return {str(n): int(i) for n, i in conn.execute(sa.select(c.countries_name, c.countries_id))}


def status_names(conn: sa.Connection, language_id: int) -> dict[int, str]:
    s = t.orders_status.c
    rows = conn.execute(
        sa.select(s.orders_status_id, s.orders_status_name).where(s.language_id == language_id)
    )
    return {int(i): str(n) for i, n in rows}


@dataclass(frozen=True)
class StatusChange:
    """One order moved to ``status``, and the history row that says so."""

    orders_id: int
    history_id: int


def change_status(
    conn: sa.Connection,
    orders_ids: Sequence[int],
    status: int,
    may_come_from: Sequence[int] | None,
    comments: dict[int, str],
    columns: ShopColumns,
    shop_now: datetime,
) -> list[StatusChange]:
    """Move the orders that are still in ``may_come_from`` (None: in any status but
    ``status``) to ``status``, with one history row each (``customer_notified`` 0 until an
    e-mail went out). The rows are locked first: a concurrent run waits, then finds them
    moved and writes nothing."""
    o = t.orders.c
    due: list[int] = []
    for part in chunks(sorted({int(i) for i in orders_ids}), 1000):
        stmt = sa.select(o.orders_id).where(o.orders_id.in_(list(part)))
        stmt = stmt.where(
            o.orders_status.in_(list(may_come_from))
            if may_come_from is not None
            else o.orders_status != status
        )
        due += [int(i) for i in conn.execute(stmt.with_for_update()).scalars()]
    if not due:
        return []
    for part in chunks(due, 1000):
        conn.execute(
            sa.update(t.orders)
            .where(o.orders_id.in_(list(part)))
            .values(orders_status=status, last_modified=shop_now)
        )
    placeholder = placeholder_row(
        [
            columns.spec("orders_status_history", c)
            for c in columns.columns_of("orders_status_history")
        ],
        "orders_status_history_id",
    )
    ids = reserve_ids(conn, t.orders_status_history, len(due), placeholder)
    insert_rows(
        conn,
        t.orders_status_history,
        pd.DataFrame(
            {
                "orders_status_history_id": ids,
                "orders_id": due,
                "orders_status_id": status,
                "date_added": shop_now,
                "customer_notified": 0,
                "comments": [comments.get(i, "") for i in due],
            }
        ),
    )
    return [StatusChange(o_id, h_id) for o_id, h_id in zip(due, ids, strict=True)]


def mark_notified(conn: sa.Connection, history_ids: Sequence[int]) -> None:
    """``customer_notified`` = 1 for the history rows whose e-mail went out."""
    h = t.orders_status_history.c
    for part in chunks(sorted(history_ids), 1000):
        conn.execute(
            sa.update(t.orders_status_history)
            .where(h.orders_status_history_id.in_(list(part)))
            .values(customer_notified=1)
        )
