"""BO stock -> products_quantity, and which shop quantities need an update."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from bo_frames import stock

from bo_oscommerce.transform.stock import INT_MAX, changed_quantities, quantities


def _as_dict(frame: pd.DataFrame, column: str) -> dict[str, object]:
    return {nr: v for nr, v in zip(frame["artikel_nr"], frame[column], strict=True)}


def _changed(frame: pd.DataFrame) -> dict[str, tuple[int, object]]:
    """artikel_nr -> (quantity to send, what the shop had before)."""
    return {
        nr: (int(q), None if pd.isna(b) else int(b))
        for nr, q, b in zip(
            frame["artikel_nr"], frame["products_quantity"], frame["before"], strict=True
        )
    }


def test_available_and_total_stock() -> None:
    frame = stock(
        ("A1", 1, 0, Decimal("12.000"), Decimal("9.000")),
        ("A2", 2, 0, Decimal("0.000"), Decimal("0.000")),
    )
    assert _as_dict(quantities(frame, "available"), "products_quantity") == {"A1": 9, "A2": 0}
    assert _as_dict(quantities(frame, "total"), "products_quantity") == {"A1": 12, "A2": 0}


def test_fractions_are_floored_negatives_sent_as_0_and_huge_values_capped() -> None:
    frame = stock(
        ("FRAC", 1, 0, Decimal("7.999"), Decimal("2.500")),
        ("NEG", 2, 0, Decimal("-4.000"), Decimal("-0.250")),
        ("HUGE", 3, 0, Decimal("9999999999.000"), Decimal("9999999999.000")),
    )
    available = quantities(frame, "available")
    assert _as_dict(available, "products_quantity") == {"FRAC": 2, "NEG": 0, "HUGE": INT_MAX}
    assert _as_dict(available, "negative") == {"FRAC": False, "NEG": True, "HUGE": False}
    total = quantities(frame, "total")
    assert _as_dict(total, "products_quantity") == {"FRAC": 7, "NEG": 0, "HUGE": INT_MAX}


def test_changed_quantities_against_last_sent_quantity() -> None:
    frame = stock(
        ("SAME", 10, 5, Decimal("8.000"), Decimal("5.000")),
        ("MORE", 11, 5, Decimal("8.000"), Decimal("6.000")),
        ("NEVER_SENT", 12, None, Decimal("3.000"), Decimal("3.000")),
        ("NOT_IN_SHOP", None, None, Decimal("3.000"), Decimal("3.000")),
        ("NOW_NEG", 13, 2, Decimal("-1.000"), Decimal("-1.000")),
        ("STILL_0", 14, 0, Decimal("-1.000"), Decimal("-1.000")),
    )
    changed = changed_quantities(frame, "available")
    assert _changed(changed) == {"MORE": (6, 5), "NEVER_SENT": (3, None), "NOW_NEG": (0, 2)}
    ids = dict(zip(changed["artikel_nr"], changed["osc_products_id"], strict=True))
    assert {nr: int(i) for nr, i in ids.items()} == {"MORE": 11, "NEVER_SENT": 12, "NOW_NEG": 13}


def test_changed_quantities_uses_the_stock_source() -> None:
    frame = stock(("A1", 10, 5, Decimal("8.000"), Decimal("5.000")))
    assert changed_quantities(frame, "available").empty
    assert _changed(changed_quantities(frame, "total")) == {"A1": (8, 5)}


def test_fractions_are_floored_before_comparing() -> None:
    frame = stock(
        ("A1", 10, 4, Decimal("4.900"), Decimal("4.900")),  # 4 whole pieces: unchanged
        ("A2", 11, 5, Decimal("4.900"), Decimal("4.900")),  # sent 5, now 4 whole pieces
    )
    assert _changed(changed_quantities(frame, "available")) == {"A2": (4, 5)}


def test_changed_quantities_against_the_shop() -> None:
    frame = stock(
        ("SAME", 10, 99, Decimal("5.000"), Decimal("5.000")),
        ("DIFF", 11, 7, Decimal("7.000"), Decimal("7.000")),
        ("MISSING", 12, 1, Decimal("1.000"), Decimal("1.000")),
        ("NOT_IN_SHOP", None, 0, Decimal("4.000"), Decimal("4.000")),
    )
    shop = pd.Series({10: 5, 11: 3, 99: 1})  # products_id -> products_quantity; 12 is gone
    changed = changed_quantities(frame, "available", shop)
    # osc_menge is ignored: only the shop's own quantity counts
    assert _changed(changed) == {"DIFF": (7, 3), "MISSING": (1, None)}


@pytest.mark.parametrize("current", [None, pd.Series({1: 0})])
def test_only_articles_with_a_shop_id(current: pd.Series | None) -> None:
    frame = stock(
        ("WEB", None, None, Decimal("3.000"), Decimal("3.000")),
        ("SHOP", 1, None, Decimal("3.000"), Decimal("3.000")),
    )
    changed = changed_quantities(frame, "available", current)
    assert changed["artikel_nr"].tolist() == ["SHOP"]
