"""What the watchers read and when they fire (``triggers``).

Orders (``ShopOrdersTrigger``):

A poll is two index-only reads on a short connection: the shop's orders (count, highest id)
and its highest status-history id. Any write the checkout, a payment module or the admin
makes to an order changes them. The watcher fires once the mark has stopped changing for
``order_settle_seconds`` (the import takes an order only once nothing was written to it for
that long), so one checkout makes one DAG run, not one per statement.

Stock (``BoStockTrigger``): BO's latest stock booking (``watch_lagerbestand.sql``, one
index read); a burst of bookings makes one run once it has been still for a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bo_oscommerce.bo.rows import first_row
from bo_oscommerce.shop import tables as t


@dataclass(frozen=True)
class OrdersMark:
    orders: int
    last_order: int
    last_history: int


def orders_mark(conn: sa.Connection) -> OrdersMark:
    o, h = t.orders.c, t.orders_status_history.c
    count, last = conn.execute(sa.select(sa.func.count(), sa.func.max(o.orders_id))).one()
    history = conn.execute(sa.select(sa.func.max(h.orders_status_history_id))).scalar()
    return OrdersMark(int(count or 0), int(last or 0), int(history or 0))


def stock_mark(bo: sa.Engine) -> str:
    """BO's latest stock booking, as text (any type BO keeps it in compares alike)."""
    stand = first_row(bo, "watch_lagerbestand").get("stand")
    return "" if stand is None else str(stand)


def last_imported(bo: sa.Engine) -> int:
    """The highest shop orders id BO has an Auftrag for (0: none)."""
    value = first_row(bo, "osc_bestellung_hoechste").get("osc_orders_id")
    return 0 if value is None else int(value)


class Watch:
    """Fire when the mark has been still for ``settle`` seconds after a change; at the first
    poll, fire (once) if the shop holds orders newer than any BO imported."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self.seen: object | None = None
        self.due: float | None = None

    def step(self, mark: object, now: float, newer_than_bo: bool = False) -> bool:
        if self.seen is None:
            self.seen = mark
            self.due = now if newer_than_bo else None
        elif mark != self.seen:
            self.seen, self.due = mark, now + self.settle
        if self.due is not None and now >= self.due:
            self.due = None
            return True
        return False
