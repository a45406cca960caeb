"""Anzahl neuer Bestellungen: which shop orders wait for the import.

Kept apart from the import itself (``sync/orders.py``) so that the operator's console can
count them live without loading the import's checks.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.config import TenantSettings
from bo_oscommerce.shop import orders as shop_orders


def imported_orders(bo: sa.Engine) -> pd.DataFrame:
    """BO's orders from the shop: auftrag_nr, osc_orders_id, osc_status_gemeldet."""
    return bo_io.query(bo, "extract_auftraege_osc")


def new_order_ids(
    orders: pd.DataFrame, known: set[int], hold: frozenset[int], since: Any | None
) -> list[int]:
    """Shop orders BO does not have, in a status that is a sale (not in ``hold``), placed
    since ``since``."""
    ids = orders["orders_id"].astype(int)
    wanted = ~ids.isin(known) & ~orders["orders_status"].astype(int).isin(hold)
    if since is not None:
        placed = pd.to_datetime(orders["date_purchased"], errors="coerce")
        wanted &= ~(placed < pd.Timestamp(since)).fillna(False).astype(bool)
    return sorted(ids[wanted].tolist())


def waiting_order_ids(
    settings: TenantSettings, bo: sa.Engine, shop: sa.Engine
) -> tuple[list[int], frozenset[int]]:
    """The shop orders the next import takes or judges, and the statuses held back (never by
    time or "id above the last one": checkouts commit out of id order)."""
    known = set(imported_orders(bo)["osc_orders_id"].astype(int))
    with shop.connect() as conn:
        hold = shop_orders.read_hold(conn, settings.order_hold_statuses)
        orders = shop_orders.all_orders(conn)
    return new_order_ids(orders, known, hold, settings.order_import_since), hold
