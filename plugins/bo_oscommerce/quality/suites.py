"""Great Expectations suites per entity, run on transformed rows before anything is written.

Two kinds of checks, each with the reason a merchant reads in the report:
- derived from the shop's real columns (``shop/columns.py``), read when the run starts: every
  value we write must fit its column's width, bytes, character set, range, sign and
  nullability, so no single row can fail the shop transaction;
- business rules: a price and a VAT key that BO knows, a product group in the web, ...
Text columns get their checks once per shop language.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def _byte_columns(columns: ShopColumns, targets: Iterable[tuple[str, str, str]]) -> tuple[str, ...]:
    return tuple(
        column for column, table, name in targets if columns.spec(table, name).max_bytes is not None
    )


def _name_check(column: str, label: str) -> Check:
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
        *column_checks("sort_order", columns.spec("categories", "sort_order"), "sort order"),
    ]
    name = columns.spec("categories_description", "categories_name")
    for code in language_codes:
        column, label = f"categories_name__{code}", f"category name ({code})"
        checks += [_name_check(column, label), *column_checks(column, name, label)]
    return Suite(entity="categories", key="warengruppe_nr", checks=tuple(checks))


# frame column -> (shop table, column, label) of every products column the sync writes
PRODUCT_TARGETS = {
    "products_model": ("products", "products_model", "article number"),
    "products_price": ("products", "products_price", "net price"),
    "products_tax_class_id": ("products", "products_tax_class_id", "tax class"),
    "products_status": ("products", "products_status", "status"),
    "products_image": ("products", "products_image", "image path"),
    "products_weight": ("products", "products_weight", "weight"),
    "products_quantity": ("products", "products_quantity", "quantity"),
}
# the business rules below say these better than "is missing"
_BUSINESS_NOT_NULL = {"products_model", "products_price", "products_tax_class_id"}


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
    for column, (table, name, label) in PRODUCT_TARGETS.items():
        checks += column_checks(
            column, columns.spec(table, name), label, not_null=column not in _BUSINESS_NOT_NULL
        )
    if master_column and columns.has("products", master_column):
        checks += column_checks("master_id", columns.spec("products", master_column), "Master-ID")
    texts = []
    for code in language_codes:
        for field, label in (
            ("products_name", "product name"),
            ("products_description", "product description"),
        ):
            column = f"{field}__{code}"
            texts.append((column, "products_description", field))
            if field == "products_name":
                checks.append(_name_check(column, f"{label} ({code})"))
            checks += column_checks(
                column, columns.spec("products_description", field), f"{label} ({code})"
            )
    return Suite(
        entity="products",
        key="artikel_nr",
        checks=tuple(checks),
        byte_lengths=_byte_columns(columns, texts),
    )


# --- customers ------------------------------------------------------------------------------

EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$"
# frame column -> (shop table, column, label) of every customers value the sync writes
CUSTOMER_TARGETS = {
    "customers_gender": ("customers", "customers_gender", "gender"),
    "customers_firstname": ("customers", "customers_firstname", "first name"),
    "customers_lastname": ("customers", "customers_lastname", "last name"),
    "customers_email_address": ("customers", "customers_email_address", "e-mail address"),
    "customers_telephone": ("customers", "customers_telephone", "telephone"),
    "customers_newsletter": ("customers", "customers_newsletter", "newsletter flag"),
    "entry_company": ("address_book", "entry_company", "company"),
    "entry_street_address": ("address_book", "entry_street_address", "street"),
    "entry_postcode": ("address_book", "entry_postcode", "postal code"),
    "entry_city": ("address_book", "entry_city", "city"),
    "entry_state": ("address_book", "entry_state", "region"),
    "entry_country_id": ("address_book", "entry_country_id", "country"),
    "entry_zone_id": ("address_book", "entry_zone_id", "zone"),
}


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
        _name_check("customers_lastname", "last name"),
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
    for column, (table, name, label) in CUSTOMER_TARGETS.items():
        checks += column_checks(
            column,
            columns.spec(table, name),
            label,
            not_null=column not in ("entry_country_id", "customers_email_address"),
        )
    return Suite(entity="customers", key="gp_id", checks=tuple(checks))


# frame column -> (BO table, column, label) of every value a Neukunde brings into BO
CONTACT_TARGETS = {
    "anrede": ("gespraechspartner", "anrede", "salutation"),
    "vorname": ("gespraechspartner", "vorname", "first name"),
    "nachname": ("gespraechspartner", "nachname", "last name"),
    "email": ("gespraechspartner", "email", "e-mail address"),
    "firma": ("adresse", "firma", "company"),
    "strasse": ("adresse", "strasse", "street"),
    "plz": ("adresse", "plz", "postal code"),
    "ort": ("adresse", "ort", "city"),
    "region": ("adresse", "region", "region"),
    "telefon": ("adresse", "telefon", "telephone"),
}


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
            {"column": "email", "regex": EMAIL_REGEX},
            "e-mail address is not valid",
        ),
        Check(
            "ExpectColumnValuesToNotBeNull",
            {"column": "staat_id"},
            "the shop customer's country has no Staat in BO (staat.osc_countries_id)",
        ),
    ]
    for column, (table, name, label) in CONTACT_TARGETS.items():
        if bo_columns.has(table, name):
            checks += column_checks(column, bo_columns.spec(table, name), label, owner="BO's")
    return Suite(entity="new_contacts", key=key, checks=tuple(checks))


# --- orders ---------------------------------------------------------------------------------

# frame column -> (BO table, column, label) of the order values that go into BO
ORDER_TARGETS = {
    "email": ("auftrag", "email", "buyer's e-mail"),
    "liefer_name": ("auftrag", "liefer_name", "delivery name"),
    "liefer_firma": ("auftrag", "liefer_firma", "delivery company"),
    "liefer_strasse": ("auftrag", "liefer_strasse", "delivery street"),
    "liefer_plz": ("auftrag", "liefer_plz", "delivery postal code"),
    "liefer_ort": ("auftrag", "liefer_ort", "delivery city"),
    "rechnung_name": ("auftrag", "rechnung_name", "billing name"),
    "rechnung_strasse": ("auftrag", "rechnung_strasse", "billing street"),
    "rechnung_plz": ("auftrag", "rechnung_plz", "billing postal code"),
    "rechnung_ort": ("auftrag", "rechnung_ort", "billing city"),
    "zahlungsart": ("auftrag", "zahlungsart", "payment method"),
    "waehrung": ("auftrag", "waehrung", "currency"),
    "summe_brutto": ("auftrag", "summe_brutto", "order total"),
}


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
    for column, (table, name, label) in ORDER_TARGETS.items():
        if bo_columns.has(table, name):
            checks += column_checks(
                column, bo_columns.spec(table, name), label, not_null=False, owner="BO's"
            )
    return Suite(entity="orders", key="osc_orders_id", checks=tuple(checks))
