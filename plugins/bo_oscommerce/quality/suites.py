"""Great Expectations suites per entity, run on transformed rows before anything is written.

Two kinds of checks, each with the reason a merchant reads in the report:
- derived from the shop's real columns (``shop/columns.py``), read when the run starts: every
  value we write must fit its column's width, bytes, character set, range, sign and
  nullability, so no single row can fail the shop transaction;
- business rules: a price and a VAT key that BO knows, a product group in the web, ...
Text columns get their checks once per shop language. Which columns are written, and their
labels, come from the field maps (``field_maps.py``).
"""

from __future__ import annotations

from bo_oscommerce.field_maps import (
    ADDRESS_BOOK,
    ADRESSE,
    AUFTRAG,
    CATEGORIES,
    CATEGORY_TEXTS,
    CUSTOMERS,
    GESPRAECHSPARTNER,
    PRODUCT_TEXTS,
    PRODUCTS,
)
from bo_oscommerce.quality.validation import FOUR_BYTE_CHARS_REGEX, Check, Suite
from bo_oscommerce.shop.columns import ColumnSpec, ShopColumns
from bo_oscommerce.transform.categories import (
    TREE_CYCLE,
    TREE_PARENT_NOT_IN_WEB,
    TREE_UNKNOWN_PARENT,
)
from bo_oscommerce.transform.emails import SHOP_EMAIL_REGEX

BYTES_SUFFIX = "__utf8_bytes"


def column_checks(
    column: str, spec: ColumnSpec, label: str, not_null: bool = True, owner: str = "the shop's"
) -> list[Check]:
    """Checks that a frame column fits the column ``spec`` (``not_null``: add the NOT NULL
    check when the column has one; off where a business rule says it better; ``owner``: whose
    column, for the reason)."""
    where = f"{owner} {spec.qualified} {spec.type_text}"
    checks = []
    if not_null and not spec.nullable:
        checks.append(
            Check(
                "ExpectColumnValuesToNotBeNull",
                {"column": column},
                f"{label} is missing; {where} cannot be empty",
            )
        )
    if spec.max_chars is not None:
        checks.append(
            Check(
                "ExpectColumnValueLengthsToBeBetween",
                {"column": column, "max_value": spec.max_chars},
                f"{label} longer than {where}: {spec.limit_text()}",
            )
        )
    elif spec.max_bytes is not None:
        checks.append(
            Check(
                "ExpectColumnValuesToBeBetween",
                {"column": column + BYTES_SUFFIX, "max_value": spec.max_bytes},
                f"{label} longer than {where}: {spec.limit_text()}",
            )
        )
    if spec.is_text and not spec.four_byte_ok:
        checks.append(
            Check(
                "ExpectColumnValuesToNotMatchRegex",
                {"column": column, "regex": FOUR_BYTE_CHARS_REGEX},
                f"{label} holds 4-byte characters (emoji) {where} ({spec.charset}) cannot store",
            )
        )
    if spec.max_value is not None:
        checks.append(
            Check(
                "ExpectColumnValuesToBeBetween",
                {"column": column, "min_value": spec.min_value, "max_value": spec.max_value},
                f"{label} does not fit {where}: {spec.limit_text()}",
            )
        )
    return checks


def name_check(column: str, label: str) -> Check:
    """A name must hold something visible: empty, or only spaces, is no name."""
    return Check(
        "ExpectColumnValuesToMatchRegex",
        {"column": column, "regex": r"\S"},
        f"{label} is empty",
    )


def categories_suite(language_codes: list[str], columns: ShopColumns) -> Suite:
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
        *CATEGORIES.checks(columns),
        *CATEGORY_TEXTS.checks(columns, language_codes),
    ]
    return Suite(entity="categories", key="warengruppe_nr", checks=tuple(checks))


def products_suite(
    language_codes: list[str],
    columns: ShopColumns,
    known_tax_keys: list[str],
    valid_groups: list[str],
    shop_tax_classes: list[int] | None = None,
    master_column: str | None = None,
) -> Suite:
    """``shop_tax_classes``: the shop's tax_class ids; None skips that check (no shop at hand).
    ``master_column``: the shop's Master-ID column, when it has one."""
    checks = [
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "products_model"},
            "article number is missing",
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
            "ExpectColumnValuesToBeNull",
            {"column": "price_text"},
            "price in BO is text, not a number (e.g. a decimal comma)",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "products_price", "min_value": 0},
            "price is negative",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "products_weight", "min_value": 0},
            "weight is negative",
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
            "product group unknown or set aside",
        ),
    ]
    checks += PRODUCTS.checks(columns)
    if master_column and columns.has("products", master_column):
        checks += column_checks("master_id", columns.spec("products", master_column), "Master-ID")
    checks += PRODUCT_TEXTS.checks(columns, language_codes)
    return Suite(
        entity="products",
        key="artikel_nr",
        checks=tuple(checks),
        byte_lengths=PRODUCT_TEXTS.byte_checked(columns, language_codes),
    )


# --- customers ------------------------------------------------------------------------------

def customers_suite(columns: ShopColumns, shop_countries: list[int]) -> Suite:
    """BO contacts on their way into the shop."""
    checks = [
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "email_key"},
            "contact has no e-mail address",
        ),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "customers_email_address", "regex": SHOP_EMAIL_REGEX},
            "e-mail address is not valid: the shop's own forms refuse it (tep_validate_email)",
        ),
        Check(
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "entry_postcode", "min_value": 1},
            "postal code missing: the shop needs one, and it is the first password",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "entry_country_id"},
            "country (Staat) has no osCommerce country (staat.osc_countries_id)",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "entry_country_id", "value_set": list(shop_countries)},
            "the Staat's osCommerce country does not exist in the shop (countries)",
        ),
    ]
    checks += CUSTOMERS.checks(columns) + ADDRESS_BOOK.checks(columns)
    return Suite(entity="customers", key="gp_id", checks=tuple(checks))


def new_contacts_suite(bo_columns: ShopColumns, key: str = "osc_customers_id") -> Suite:
    """Shop customers on their way into BO (checked against BO's own columns); ``key`` names
    a row in the reasons (orders' buyers: their buyer key)."""
    checks = [
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "has_address", "value_set": [True]},
            "shop customer has no address_book row (customers_default_address_id)",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "email_key"},
            "shop customer has no e-mail address",
        ),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "email", "regex": SHOP_EMAIL_REGEX},
            "e-mail address is not valid",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "staat_id"},
            "the shop customer's country has no Staat in BO (staat.osc_countries_id)",
        ),
    ]
    checks += GESPRAECHSPARTNER.checks(bo_columns) + ADRESSE.checks(bo_columns)
    return Suite(entity="new_contacts", key=key, checks=tuple(checks))


# --- orders ---------------------------------------------------------------------------------

def orders_suite(bo_columns: ShopColumns) -> Suite:
    """Shop orders on their way into BO: complete, every article and country known, one
    buyer, every value fitting BO's columns."""
    checks = [
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "date_problem"},
            "the order has no valid purchase date (orders.date_purchased)",
        ),
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "lines_problem"},
            "the order is not fully written (its rows are not what the shop's checkout writes)",
        ),
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "unknown_articles"},
            "an article of the order is unknown in BO (neither its products id nor its model)",
        ),
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "unknown_countries"},
            "a country of the order has no Staat in BO",
        ),
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "buyer_problem"},
            "the buyer cannot be told apart in BO",
        ),
        Check(
            "ExpectColumnValuesToBeNull",
            {"column": "buyer_invalid"},
            "the buyer cannot become a BO contact",
        ),
    ]
    checks += AUFTRAG.checks(bo_columns)
    return Suite(entity="orders", key="osc_orders_id", checks=tuple(checks))
