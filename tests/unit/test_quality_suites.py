"""The real GX suites on frames built by the real transforms: every bad-data rule sets rows aside.

Reasons are the merchant-readable texts of ``quality/suites.py``; each bad row is made bad in
exactly one way, so its set of reasons is known from the rule it breaks.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from bo_frames import article, articles, group, group_text, groups, settings, stock, text, vat

from bo_oscommerce.quality.suites import categories_suite, products_suite
from bo_oscommerce.quality.validation import REJECTED_COLUMNS, Validated, validate
from bo_oscommerce.shop.columns import metadata_columns
from bo_oscommerce.transform.categories import build_categories, descendants_of, offline_groups
from bo_oscommerce.transform.products import build_products

COLUMNS = metadata_columns()  # upstream osCommerce 2.3.4.1

LANGUAGES = {"D": "de", "E": "en"}
CODES = list(LANGUAGES.values())

# products
MODEL_TOO_LONG = (
    "article number longer than the shop's products.products_model varchar(12): "
    "at most 12 characters"
)
MODEL_TWICE = "article number occurs more than once"
PRICE_MISSING = "price is missing for the configured price source"
PRICE_NEGATIVE = "price is negative"
PRICE_RANGE = (
    "net price does not fit the shop's products.products_price decimal(15,4): "
    "-99999999999.9999 to 99999999999.9999"
)
VAT_UNKNOWN = "unknown VAT key (not in umsatzsteuer)"
VAT_MISSING = "article has no VAT key"
TAX_CLASS_MISSING = "VAT key has no osCommerce tax class (umsatzsteuer.osc_tax_class_id)"
GROUP_MISSING = "article has no product group"
GROUP_INVALID = "product group unknown or set aside"
WEIGHT_RANGE = (
    "weight does not fit the shop's products.products_weight decimal(5,2): -999.99 to 999.99"
)
IMAGE_TOO_LONG = (
    "image path longer than the shop's products.products_image varchar(64): at most 64 characters"
)
# categories
CYCLE = "product group is part of, or below, a cycle of parent groups (ober_warengruppe_nr)"
UNKNOWN_PARENT = "parent product group does not exist in BO (ober_warengruppe_nr)"
PARENT_OFFLINE = "parent product group is not in the web (im_web)"
SORT_RANGE = (
    "sort order does not fit the shop's categories.sort_order int: -2147483648 to 2147483647"
)


def _name_empty(entity: str, code: str) -> str:
    return f"{entity} name ({code}) is empty"


def _reasons(checked: Validated) -> dict[str, set[str]]:
    reasons: dict[str, set[str]] = {}
    for key, reason in zip(checked.rejected["key"], checked.rejected["reason"], strict=True):
        reasons.setdefault(key, set()).add(reason)
    return reasons


# --- categories ------------------------------------------------------------------------------


def _bo_groups() -> pd.DataFrame:
    return groups(
        group_text("TOOLS", "D", "Werkzeug", sortierung=10),
        group_text("TOOLS", "E", "Tools", sortierung=10),
        group_text("SAWS", "D", "Sägen & Zubehör", "TOOLS", sortierung=20),
        group("GARDEN", bezeichnung="Garten 🌻"),  # cleaned, still valid
        group("SELF", "SELF"),
        group("CYC_A", "CYC_C"),
        group("CYC_B", "CYC_A"),
        group("CYC_C", "CYC_B"),
        group("BELOW_CYCLE", "CYC_B"),
        group("ORPHAN", "GONE"),
        group("OFFLINE", "TOOLS", im_web=0),
        group("UNDER_OFFLINE", "OFFLINE"),
        group("SORT", "TOOLS", sortierung=1000),  # int(3) is a display width: it fits
        group("HUGESORT", "TOOLS", sortierung=2**31),
        group("EMOJI_ONLY", bezeichnung="🌻🌻"),
        group("UNDER_EMOJI_ONLY", "EMOJI_ONLY"),
    )


@pytest.fixture(scope="module")
def category_check() -> tuple[pd.DataFrame, Validated]:
    categories, _ = build_categories(_bo_groups(), LANGUAGES, "D")
    return categories, validate(categories, categories_suite(CODES, COLUMNS))


def test_category_rules_set_rows_aside_with_their_reason(
    category_check: tuple[pd.DataFrame, Validated],
) -> None:
    _, checked = category_check
    assert _reasons(checked) == {
        "SELF": {CYCLE},
        "CYC_A": {CYCLE},
        "CYC_B": {CYCLE},
        "CYC_C": {CYCLE},
        "BELOW_CYCLE": {CYCLE},
        "ORPHAN": {UNKNOWN_PARENT},
        "UNDER_OFFLINE": {PARENT_OFFLINE},
        "HUGESORT": {SORT_RANGE},
        "EMOJI_ONLY": {_name_empty("category", "de"), _name_empty("category", "en")},
    }
    assert list(checked.rejected.columns) == list(REJECTED_COLUMNS)
    assert set(checked.rejected["entity"]) == {"categories"}
    sort_value = checked.rejected.loc[checked.rejected["key"] == "HUGESORT", "value"]
    assert sort_value.tolist() == ["2147483648"]


def test_clean_categories_pass_untouched(category_check: tuple[pd.DataFrame, Validated]) -> None:
    categories, checked = category_check
    clean = ["GARDEN", "TOOLS", "UNDER_EMOJI_ONLY", "SAWS", "SORT"]  # depth, sort order, number
    assert checked.valid["warengruppe_nr"].tolist() == clean
    # passed through unchanged: the rows of the transform, in its order
    assert checked.valid.index.tolist() == [
        categories.index[categories["warengruppe_nr"] == nr][0] for nr in clean
    ]
    assert checked.valid.set_index("warengruppe_nr").loc["GARDEN", "categories_name__de"] == (
        "Garten"
    )
    assert checked.statistics == {"evaluated": 14, "valid": 5, "rejected": 9, "failed_checks": 10}


def test_groups_below_a_set_aside_group_follow_it(
    category_check: tuple[pd.DataFrame, Validated],
) -> None:
    categories, checked = category_check
    below = descendants_of(categories, set(checked.rejected["key"]))
    # the only valid group under a rejected one; groups under a cycle are rejected themselves
    assert below == {"UNDER_EMOJI_ONLY": "EMOJI_ONLY"}


# --- products --------------------------------------------------------------------------------

IMAGE_64 = "bilder/" + "b" * 53 + ".jpg"
IMAGE_65 = "bilder/" + "b" * 54 + ".jpg"


def _in_tools(row: dict) -> dict:
    """Rows of the fixture hang in the valid group TOOLS unless they name their own group."""
    return {**row, "warengruppe_nr": "TOOLS"} if row["warengruppe_nr"] == "G1" else row


def _bo_articles() -> pd.DataFrame:
    return _articles_in_tools(
        # clean rows
        text("OK-1", "D", "Schraube", "Verzinkt, 100 Stück"),
        text("OK-1", "E", "Screw", "Galvanised, 100 pieces"),
        article("OK-2", ust_schluessel="7", warengruppe_nr="SAWS", listenpreis=Decimal("0.0000")),
        article("OK-MAX12CHAR"),  # exactly 12 characters
        article("OK-IMG", bildpfad=IMAGE_64),
        text("OK-EMOJI", "D", "Säge 🪚 fein", "Schnitt 😀"),  # cleaned, then valid
        article("OK-FREE", warengruppe_nr="UNDER_EMOJI_ONLY"),
        article("OK-WEIGHT", gewicht=Decimal("999.994")),  # rounds to 999.99: fits decimal(5,2)
        # one broken rule each
        article("A-1234567890123"),  # 15 characters
        article("NOPRICE", listenpreis=None),
        article("NEGPRICE", listenpreis=Decimal("-0.0100")),
        article("HUGEPRICE", listenpreis=Decimal("100000000000.0000")),
        article("BADVAT", ust_schluessel="99"),
        article("NOVAT", ust_schluessel=None),
        article("NOCLASS", ust_schluessel="16"),
        article("NOGROUP", warengruppe_nr=None),
        article("BOGROUP", warengruppe_nr="NO_SUCH_GROUP"),
        article("CYCGROUP", warengruppe_nr="CYC_B"),
        article("OFFGROUP", warengruppe_nr="OFFLINE", osc_products_id=6),
        article("LONGIMG", bildpfad=IMAGE_65),
        article("HEAVY", gewicht=Decimal("999.995")),  # rounds to 1000.00: beyond decimal(5,2)
        text("EMPTYNAME", "D", "😀"),
        # left the web: hidden, not checked
        article("HIDDEN", im_web=0, osc_products_id=5, listenpreis=None),
    )


def _articles_in_tools(*rows: dict) -> pd.DataFrame:
    return articles(*(_in_tools(row) for row in rows))


def _valid_groups() -> list[str]:
    categories, _ = build_categories(_bo_groups(), LANGUAGES, "D")
    checked = validate(categories, categories_suite(CODES, COLUMNS))
    below = descendants_of(categories, set(checked.rejected["key"]))
    return sorted(set(checked.valid["warengruppe_nr"]) - set(below))


def _offline() -> set[str]:
    return offline_groups(_bo_groups())


@pytest.fixture(scope="module")
def product_check() -> tuple[pd.DataFrame, pd.DataFrame, Validated]:
    bo_stock = stock(("OK-1", None, None, Decimal("3.000"), Decimal("-2.000")))
    products, hide, _ = build_products(
        _bo_articles(), vat(), bo_stock, settings(), COLUMNS, _offline()
    )
    suite = products_suite(
        CODES,
        COLUMNS,
        known_tax_keys=sorted(vat()["ust_schluessel"].astype(str)),
        valid_groups=_valid_groups(),
    )
    return products, hide, validate(products, suite)


def test_valid_groups_of_the_fixture() -> None:
    assert _valid_groups() == ["GARDEN", "SAWS", "SORT", "TOOLS"]
    assert _offline() == {"OFFLINE", "UNDER_OFFLINE"}


def test_product_rules_set_rows_aside_with_their_reason(
    product_check: tuple[pd.DataFrame, pd.DataFrame, Validated],
) -> None:
    _, _, checked = product_check
    assert _reasons(checked) == {
        "A-1234567890123": {MODEL_TOO_LONG},
        "NOPRICE": {PRICE_MISSING},
        "NEGPRICE": {PRICE_NEGATIVE},
        "HUGEPRICE": {PRICE_RANGE},
        "BADVAT": {VAT_UNKNOWN, TAX_CLASS_MISSING},
        "NOVAT": {VAT_MISSING, TAX_CLASS_MISSING},
        "NOCLASS": {TAX_CLASS_MISSING},
        "NOGROUP": {GROUP_MISSING},
        "BOGROUP": {GROUP_INVALID},
        "CYCGROUP": {GROUP_INVALID},
        "OK-FREE": {GROUP_INVALID},  # its group is valid but hangs below a set-aside group
        "LONGIMG": {IMAGE_TOO_LONG},
        "HEAVY": {WEIGHT_RANGE},
        "EMPTYNAME": {_name_empty("product", "de"), _name_empty("product", "en")},
    }


def test_rejections_carry_the_offending_value(
    product_check: tuple[pd.DataFrame, pd.DataFrame, Validated],
) -> None:
    _, _, checked = product_check
    rejected = checked.rejected.set_index(["key", "reason"])
    assert rejected.loc[("A-1234567890123", MODEL_TOO_LONG), "value"] == "A-1234567890123"
    assert rejected.loc[("A-1234567890123", MODEL_TOO_LONG), "column"] == "products_model"
    assert rejected.loc[("NEGPRICE", PRICE_NEGATIVE), "value"] == "-0.01"
    assert rejected.loc[("HUGEPRICE", PRICE_RANGE), "value"] == "100000000000.0"
    assert rejected.loc[("HEAVY", WEIGHT_RANGE), "value"] == "1000.0"
    assert rejected.loc[("BADVAT", VAT_UNKNOWN), "value"] == "99"
    assert rejected.loc[("BOGROUP", GROUP_INVALID), "value"] == "NO_SUCH_GROUP"
    assert rejected.loc[("LONGIMG", IMAGE_TOO_LONG), "value"] == IMAGE_65


def test_gross_price_with_unknown_vat_key_is_also_a_missing_price() -> None:
    frame = articles(article("BADVAT", ust_schluessel="99"), article("OK"))
    products, _, _ = build_products(frame, vat(), stock(), settings(price_includes_vat=True))
    suite = products_suite(CODES, COLUMNS, known_tax_keys=["16", "19", "7"], valid_groups=["G1"])
    checked = validate(products, suite)
    assert _reasons(checked) == {"BADVAT": {VAT_UNKNOWN, TAX_CLASS_MISSING, PRICE_MISSING}}
    assert checked.valid["artikel_nr"].tolist() == ["OK"]


def test_names_of_only_spaces_and_negative_weights_are_set_aside() -> None:
    frame = articles(
        article("BLANK", bezeichnung="   "),  # no texts: the BO name, only spaces
        text("NEGWEIGHT", "D", "Schraube"),
        article("OK", gewicht=Decimal("0.000")),
    )
    frame.loc[frame["artikel_nr"] == "NEGWEIGHT", "gewicht"] = Decimal("-0.500")
    products, _, _ = build_products(frame, vat(), stock(), settings())
    suite = products_suite(CODES, COLUMNS, known_tax_keys=["16", "19", "7"], valid_groups=["G1"])
    checked = validate(products, suite)
    assert _reasons(checked) == {
        "BLANK": {_name_empty("product", "de"), _name_empty("product", "en")},
        "NEGWEIGHT": {"weight is negative"},
    }
    categories, _ = build_categories(
        groups(group("BLANK", bezeichnung="  "), group_text("OK", "D", "Werkzeug")), LANGUAGES, "D"
    )
    checked = validate(categories, categories_suite(CODES, COLUMNS))
    assert _reasons(checked) == {
        "BLANK": {_name_empty("category", "de"), _name_empty("category", "en")}
    }


def test_duplicate_model_sets_both_rows_aside() -> None:
    # build_products keeps one row per artikel_nr (several text rows are one article), so a
    # duplicate model can only come from a merged extract: two BO pulls of the same article
    products, _, _ = build_products(
        articles(article("TWICE"), article("ONCE")), vat(), stock(), settings()
    )
    merged = pd.concat([products, products[products["artikel_nr"] == "TWICE"]])
    suite = products_suite(CODES, COLUMNS, known_tax_keys=["16", "19", "7"], valid_groups=["G1"])
    checked = validate(merged, suite)
    assert checked.rejected["key"].tolist() == ["TWICE", "TWICE"]
    assert set(checked.rejected["reason"]) == {MODEL_TWICE}
    assert checked.valid["artikel_nr"].tolist() == ["ONCE"]


def test_clean_products_pass_untouched(
    product_check: tuple[pd.DataFrame, pd.DataFrame, Validated],
) -> None:
    products, hide, checked = product_check
    assert sorted(checked.valid["artikel_nr"]) == [
        "OK-1", "OK-2", "OK-EMOJI", "OK-IMG", "OK-MAX12CHAR", "OK-WEIGHT",
    ]  # fmt: skip
    for nr in checked.valid["artikel_nr"]:  # passed through as the transform made them
        pd.testing.assert_series_equal(
            checked.valid.set_index("artikel_nr").loc[nr],
            products.set_index("artikel_nr").loc[nr],
        )
    assert checked.valid.set_index("artikel_nr").loc["OK-WEIGHT", "products_weight"] == 999.99
    ok1 = checked.valid.set_index("artikel_nr").loc["OK-1"]
    assert ok1["products_name__en"] == "Screw"
    assert ok1["products_quantity"] == 0  # negative available stock sent as 0
    assert checked.valid.set_index("artikel_nr").loc["OK-EMOJI", "products_name__de"] == (
        "Säge fein"
    )
    # articles that left the web, or whose group did, are hidden, never validated or set aside
    assert hide[["artikel_nr", "reason"]].values.tolist() == [
        ["OFFGROUP", "product group is not in the web"],
        ["HIDDEN", "article left the web (im_web)"],
    ]
    assert not {"HIDDEN", "OFFGROUP"} & set(checked.rejected["key"])
