"""Great Expectations suites per entity, run on transformed rows before anything is written.

Each check carries the reason a merchant reads in the report. Limits come from the osCommerce
2.3 schema; text columns get one check per shop language.
"""

from __future__ import annotations

from bo_oscommerce.quality.validation import FOUR_BYTE_CHARS_REGEX, Check, Suite
from bo_oscommerce.transform.categories import (
    CATEGORIES_NAME_WIDTH,
    TREE_CYCLE,
    TREE_PARENT_NOT_IN_WEB,
    TREE_UNKNOWN_PARENT,
)
from bo_oscommerce.transform.products import PRODUCTS_NAME_WIDTH
from bo_oscommerce.transform.stock import INT_MAX

PRICE_MAX = 99_999_999_999.9999  # decimal(15,4)


def _text_checks(column: str, width: int, label: str) -> list[Check]:
    return [
        Check("ExpectColumnValuesToNotBeNull", {"column": column}, f"{label} is missing"),
        Check(
            "ExpectColumnValueLengthsToBeBetween",
            {"column": column, "min_value": 1, "max_value": width},
            f"{label} is empty or longer than {width} characters",
        ),
        Check(
            "ExpectColumnValuesToNotMatchRegex",
            {"column": column, "regex": FOUR_BYTE_CHARS_REGEX},
            f"{label} holds 4-byte characters (emoji) the shop's utf8 tables cannot store",
        ),
    ]


def categories_suite(language_codes: list[str]) -> Suite:
    checks = [
        Check(
            "ExpectColumnValuesToNotBeInSet",
            {"column": "tree", "value_set": [TREE_CYCLE]},
            "product group is part of, or below, a cycle of parent groups (ober_warengruppe_nr)",
        ),
        Check(
            "ExpectColumnValuesToNotBeInSet",
            {"column": "tree", "value_set": [TREE_UNKNOWN_PARENT]},
            "parent product group does not exist in BO (ober_warengruppe_nr)",
        ),
        Check(
            "ExpectColumnValuesToNotBeInSet",
            {"column": "tree", "value_set": [TREE_PARENT_NOT_IN_WEB]},
            "parent product group is not in the web (im_web)",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "sort_order", "min_value": -999, "max_value": 999},
            "sort order outside osCommerce's int(3)",
        ),
    ]
    for code in language_codes:
        checks += _text_checks(
            f"categories_name__{code}", CATEGORIES_NAME_WIDTH, f"category name ({code})"
        )
    return Suite(entity="categories", key="warengruppe_nr", checks=tuple(checks))


def products_suite(
    language_codes: list[str],
    known_tax_keys: list[str],
    valid_groups: list[str],
    shop_tax_classes: list[int] | None = None,
) -> Suite:
    """``shop_tax_classes``: the shop's tax_class ids; None skips that check (no shop at hand)."""
    checks = [
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "products_model"},
            "article number is missing",
        ),
        Check(
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "products_model", "min_value": 1, "max_value": 12},
            "article number longer than 12 characters (osCommerce products_model)",
        ),
        Check(
            "ExpectColumnValuesToBeUnique",
            {"column": "products_model"},
            "article number occurs more than once",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "products_price"},
            "price is missing for the configured price source",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "products_price", "min_value": 0, "max_value": PRICE_MAX},
            "price is negative or too large for decimal(15,4)",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "ust_schluessel", "value_set": known_tax_keys},
            "unknown VAT key (not in umsatzsteuer)",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull", {"column": "ust_schluessel"}, "article has no VAT key"
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "products_tax_class_id"},
            "VAT key has no osCommerce tax class (umsatzsteuer.osc_tax_class_id)",
        ),
        *(
            [
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "products_tax_class_id", "value_set": list(shop_tax_classes)},
                    "the VAT key's osCommerce tax class does not exist in the shop (tax_class)",
                )
            ]
            if shop_tax_classes is not None
            else []
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "warengruppe_nr"},
            "article has no product group",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "warengruppe_nr", "value_set": valid_groups},
            "product group unknown, not in the web, or set aside",
        ),
        Check(
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "products_image", "max_value": 64},
            "image path longer than 64 characters (osCommerce products_image)",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "products_quantity", "min_value": 0, "max_value": INT_MAX},
            "quantity outside 0..2147483647",
        ),
    ]
    for code in language_codes:
        checks += _text_checks(
            f"products_name__{code}", PRODUCTS_NAME_WIDTH, f"product name ({code})"
        )
        checks.append(
            Check(
                "ExpectColumnValuesToNotMatchRegex",
                {"column": f"products_description__{code}", "regex": FOUR_BYTE_CHARS_REGEX},
                f"product description ({code}) holds 4-byte characters (emoji)",
            )
        )
    return Suite(entity="products", key="artikel_nr", checks=tuple(checks))
