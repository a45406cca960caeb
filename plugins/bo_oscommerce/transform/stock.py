"""Lagermenge (BO stock) -> osCommerce products_quantity, as pure pandas.

Rules: the tenant chooses available (bestand - reserviert) or total stock (bestand), summed over
all warehouses; fractions are rounded down (the shop sells whole pieces); negative stock is sent
as 0 (the shop cannot hold less than nothing); stock above the shop column's maximum is sent as
that maximum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INT_MAX = 2_147_483_647
FRACTION_RULE = "stock with a fraction rounded down (the shop sells whole pieces)"


def quantities(stock: pd.DataFrame, source: str, maximum: int | None = None) -> pd.DataFrame:
    """``artikel_nr``, ``products_quantity``, ``negative`` (BO stock was below 0), ``capped``
    (above ``maximum``, the shop column's largest value; default: osCommerce's int) and
    ``fraction`` (a positive stock with a fraction, rounded down)."""
    top = maximum or INT_MAX
    column = "verfuegbar" if source == "available" else "gesamt"
    exact = pd.to_numeric(stock[column], errors="coerce").fillna(0).astype("float64")
    raw = np.floor(exact)
    return pd.DataFrame(
        {
            "artikel_nr": stock["artikel_nr"].astype(str).to_numpy(),
            "products_quantity": raw.clip(0, top).astype("int64").to_numpy(),
            "negative": (raw < 0).to_numpy(),
            "capped": (raw > top).to_numpy(),
            "fraction": ((exact != raw) & (raw >= 0) & (raw <= top)).to_numpy(),
        }
    )


def changed_quantities(
    stock: pd.DataFrame,
    source: str,
    current: pd.Series | None = None,
    maximum: int | None = None,
) -> pd.DataFrame:
    """Articles in the shop whose quantity differs from what the shop holds.

    ``current`` maps osc_products_id -> the shop's quantity (full comparison); without it the
    comparison is with ``osc_menge``, the quantity last sent (cheap: BO only).
    """
    in_shop = stock[stock["osc_products_id"].notna()].reset_index(drop=True)
    wanted = quantities(in_shop, source, maximum)
    wanted["osc_products_id"] = pd.array(in_shop["osc_products_id"], dtype="Int64")
    if current is None:
        before = pd.array(in_shop["osc_menge"], dtype="Int64")
    else:
        before = pd.array(wanted["osc_products_id"].map(current), dtype="Int64")
    wanted["before"] = before
    differs = (wanted["before"] != wanted["products_quantity"]).fillna(True).astype(bool)
    return wanted.loc[differs].reset_index(drop=True)
