"""Checks derived from shop columns: a value at each limit passes, one just over it is set aside
alone, with a reason that names the column and what fits."""

from __future__ import annotations

import pandas as pd
import pytest
from bo_frames import article, articles, settings, stock, text, vat

from bo_oscommerce.quality.suites import products_suite
from bo_oscommerce.quality.validation import validate
from bo_oscommerce.shop.columns import ColumnSpec, ShopColumns, metadata_columns
from bo_oscommerce.transform.products import build_products

UPSTREAM = metadata_columns()
CODES = ["de", "en"]


def _widened(**changes: ColumnSpec) -> ShopColumns:
    specs = dict(UPSTREAM)
    for name, spec in changes.items():
        specs[("products", name)] = spec
    return ShopColumns(specs.values())


def _check(frame: pd.DataFrame, columns: ShopColumns = UPSTREAM) -> dict[str, set[str]]:
    products, _, _ = build_products(frame, vat(), stock(), settings(), columns)
    suite = products_suite(
        CODES, columns, known_tax_keys=["16", "19", "7"], valid_groups=["G1"]
    )
    checked = validate(products, suite)
    reasons: dict[str, set[str]] = {}
    for key, reason in zip(checked.rejected["key"], checked.rejected["reason"], strict=True):
        reasons.setdefault(key, set()).add(reason)
    assert len(checked.valid) + len(reasons) == len(products)
    return reasons


def test_spec_limits_of_upstream_columns() -> None:
    weight = UPSTREAM.spec("products", "products_weight")
    assert (weight.type_text, weight.max_value, weight.min_value) == ("decimal(5,2)", 999.99, -999.99)
    assert UPSTREAM.spec("products", "products_status").max_value == 127  # tinyint(1)
    assert UPSTREAM.spec("products", "products_quantity").max_value == 2147483647
    assert UPSTREAM.spec("orders_total", "orders_total_id").min_value == 0  # int unsigned
    assert UPSTREAM.spec("products_description", "products_description").max_bytes == 65535
    assert not UPSTREAM.spec("products", "products_model").four_byte_ok  # utf8 (3 bytes)


@pytest.mark.parametrize(
    ("values", "fits"),
    [
        ({"gewicht": 999.99}, True),
        ({"gewicht": 1000}, False),
        ({"listenpreis": 99_999_999_999.9999}, True),
        ({"listenpreis": 100_000_000_000}, False),
        ({"bildpfad": "b" * 64}, True),
        ({"bildpfad": "b" * 65}, False),
        ({"master_id": None}, True),
    ],
)
def test_value_at_and_just_over_each_products_limit(values: dict, fits: bool) -> None:
    reasons = _check(articles(article("ROW", **values), article("OTHER")))
    assert "OTHER" not in reasons  # one bad row never takes another along
    assert ("ROW" not in reasons) is fits, reasons


def test_model_at_and_just_over_its_width() -> None:
    reasons = _check(articles(article("M" * 12), article("M" * 13)))
    assert set(reasons) == {"M" * 13}
    assert reasons["M" * 13] == {
        "article number longer than the shop's products.products_model varchar(12): "
        "at most 12 characters"
    }


def test_weight_reason_names_the_column_and_what_fits() -> None:
    reasons = _check(articles(article("HEAVY", gewicht=1000)))
    assert reasons == {
        "HEAVY": {
            "weight does not fit the shop's products.products_weight decimal(5,2): "
            "-999.99 to 999.99"
        }
    }


def test_a_widened_shop_column_takes_what_upstream_cannot() -> None:
    wide = _widened(
        products_weight=ColumnSpec("products", "products_weight", "decimal", False, precision=8, scale=2),
        products_model=ColumnSpec("products", "products_model", "varchar", True, max_chars=30),
    )
    assert _check(articles(article("HEAVY", gewicht=1000), article("M" * 13)), wide) == {}


def test_a_utf8mb4_shop_keeps_emoji_and_a_utf8_shop_loses_them() -> None:
    frame = articles(text("A1", "D", "Grillzange 🔥", "Heiß 🌶"))
    mb4 = ShopColumns(
        [
            *(s for k, s in UPSTREAM.items() if k[0] != "products_description"),
            *(
                ColumnSpec(**{**s.__dict__, "charset": "utf8mb4"})
                for k, s in UPSTREAM.items()
                if k[0] == "products_description"
            ),
        ]
    )
    kept, _, kept_rules = build_products(frame, vat(), stock(), settings(), mb4)
    lost, _, lost_rules = build_products(frame, vat(), stock(), settings(), UPSTREAM)
    assert kept["products_name__de"].tolist() == ["Grillzange 🔥"]
    assert kept["products_description__de"].tolist() == ["Heiß 🌶"]
    assert not any("4-byte" in rule for rule in kept_rules.rules)
    assert lost["products_name__de"].tolist() == ["Grillzange"]
    assert lost["products_description__de"].tolist() == ["Heiß"]
    assert lost_rules.rules["4-byte characters removed from products_name"] == ["A1"]


def test_quantity_over_a_smaller_column_is_capped_to_it() -> None:
    small = _widened(
        products_quantity=ColumnSpec("products", "products_quantity", "smallint", False)
    )
    frame = articles(article("MANY"), article("FEW"))
    bo_stock = stock(("MANY", None, None, 40000, 40000), ("FEW", None, None, 32767, 32767))
    products, _, cleaned = build_products(frame, vat(), bo_stock, settings(), small)
    assert dict(zip(products["artikel_nr"], products["products_quantity"], strict=True)) == {
        "MANY": 32767,
        "FEW": 32767,
    }
    assert cleaned.rules["stock above the shop's maximum sent as 32767"] == ["MANY"]
