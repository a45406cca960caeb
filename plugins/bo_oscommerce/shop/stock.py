"""Reading and writing the shop's quantities (``products.products_quantity``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.identity import holding
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.common import DENSE, natural_texts, read_by_ids
from bo_oscommerce.shop.dialect import chunks, int_pairs


def current_quantities(conn: sa.Connection, ids: Iterable[int]) -> pd.Series:
    """products_id -> products_quantity of the products ``ids`` that exist. Ids that lie
    close together (a chunk of a full run) are read as one packed range."""
    p = t.products.c
    wanted = np.unique(np.fromiter((int(i) for i in ids), dtype="int64"))
    if len(wanted) > 1000 and wanted[-1] - wanted[0] < DENSE * len(wanted):
        keys, values = int_pairs(conn, p.products_id, p.products_quantity,
                                 int(wanted[0]), int(wanted[-1]))  # fmt: skip
        mine = np.isin(keys, wanted)
        return pd.Series(values[mine], index=pd.Index(keys[mine], name="products_id"),
                         name="products_quantity")  # fmt: skip
    frame = read_by_ids(conn, sa.select(p.products_id, p.products_quantity), p.products_id, wanted)
    return frame.set_index("products_id")["products_quantity"].astype("int64")


def write_quantities(conn: sa.Connection, changes: pd.DataFrame) -> set[str]:
    """Set products_quantity of each changed article's product, if that product still holds
    the article number (a stored id is never trusted blindly). Returns the articles written."""
    if changes.empty:
        return set()
    ids = changes["osc_products_id"].astype("int64")
    rows = read_by_ids(
        conn,
        sa.select(t.products.c.products_id, t.products.c.products_model),
        t.products.c.products_id,
        ids,
    )
    shop = pd.DataFrame(
        {"shop_id": rows["products_id"].astype("int64"),
         "natural_key": natural_texts(rows["products_model"])}
    )  # fmt: skip
    ours, _ = holding(ids, natural_texts(changes["artikel_nr"]), shop)
    stmt = (
        sa.update(t.products)
        .where(t.products.c.products_id == sa.bindparam("b_id"))
        .values(products_quantity=sa.bindparam("b_qty"))
    )
    params = [
        {"b_id": int(pid), "b_qty": int(qty)}
        for pid, qty in zip(ids[ours], changes.loc[ours, "products_quantity"], strict=True)
    ]
    for batch in chunks(params):
        conn.execute(stmt, list(batch))
    return set(changes.loc[ours, "artikel_nr"])
