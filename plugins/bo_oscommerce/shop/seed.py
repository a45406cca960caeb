"""Minimal osCommerce 2.3.4.1 seed data for a demo/test shop.

Rows are copied from the INSERTs of the upstream ``oscommerce-2.3.4.1.sql`` (same ids),
limited to the tables in :mod:`bo_oscommerce.shop.tables`, plus what a German shop owner adds
after installation: the German language, German order status names and a reduced tax class.

Upstream's tax rate 1 (7 % "FL TAX") points at geo zone 1 (Florida, US zone 18). The owner
adds geo zone 2, Germany with all its zones, and its rates: 19 % for tax class 1, 7 % for
class 2. The settings (``configuration``) are a German merchant's: prices shown with tax,
store country Germany, flat-rate shipping taxed with class 1, the order total modules in
their sort order (shipping before tax, as the admin's Modules page saves them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from bo_oscommerce.shop.tables import (
    configuration,
    countries,
    currencies,
    languages,
    metadata,
    orders_status,
    tax_class,
    tax_rates,
    zones_to_geo_zones,
)

__all__ = [
    "CONFIGURATION",
    "COUNTRIES",
    "LANGUAGES",
    "ORDERS_STATUS",
    "TAX_CLASSES",
    "TAX_RATES",
    "create_demo_shop",
]


def _rows(columns: str, values: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Turn value tuples into insert dicts; ``columns`` is space separated."""
    names = columns.split()
    return [dict(zip(names, row, strict=True)) for row in values]


# 1 is upstream, 2 is added by the shop owner.
LANGUAGES = _rows(
    "languages_id name code image directory sort_order",
    [
        (1, "English", "en", "icon.gif", "english", 1),
        (2, "Deutsch", "de", "icon.gif", "german", 2),
    ],
)

# Upstream has the English names (language 1); the German ones are added by the owner.
_STATUS_NAMES = {
    1: ("Pending", "Offen"),
    2: ("Processing", "In Bearbeitung"),
    3: ("Delivered", "Versendet"),
}
_STATUS_FLAGS = {1: (1, 0), 2: (1, 1), 3: (1, 1)}  # (public_flag, downloads_flag), upstream
ORDERS_STATUS = _rows(
    "orders_status_id language_id orders_status_name public_flag downloads_flag",
    [
        (status_id, language_id, names[language_id - 1], *_STATUS_FLAGS[status_id])
        for status_id, names in _STATUS_NAMES.items()
        for language_id in (1, 2)
    ],
)

# 1 is upstream, 2 is added by the shop owner.
TAX_CLASSES = _rows(
    "tax_class_id tax_class_title tax_class_description",
    [
        (
            1,
            "Taxable Goods",
            "The following types of products are included non-food, services, etc",
        ),
        (2, "Reduced rate", "Reduced rate (7%), e.g. food and books"),
    ],
)

# 1 is upstream (tax zone = geo zone 1, Florida), 2 and 3 are the owner's (geo zone 2).
TAX_RATES = _rows(
    "tax_rates_id tax_zone_id tax_class_id tax_priority tax_rate tax_description",
    [
        (1, 1, 1, 1, Decimal("7.0000"), "FL TAX 7.0%"),
        (2, 2, 2, 1, Decimal("7.0000"), "MwSt 7 %"),
        (3, 2, 1, 1, Decimal("19.0000"), "MwSt 19 %"),
    ],
)

# 1 is upstream (Florida), 2 the owner's: Germany, all zones.
ZONES_TO_GEO_ZONES = _rows(
    "association_id zone_country_id zone_id geo_zone_id",
    [(1, 223, 18, 1), (2, 81, 0, 2)],
)

# Euro is upstream (id 2); the owner made it the default.
CURRENCIES = _rows(
    "currencies_id title code symbol_left symbol_right decimal_point thousands_point "
    "decimal_places value",
    [(2, "Euro", "EUR", "", "€", ",", ".", "2", 1.0)],
)

CONFIGURATION = _rows(
    "configuration_key configuration_value configuration_group_id",
    [
        ("STORE_COUNTRY", "81", 1),
        ("DISPLAY_PRICE_WITH_TAX", "true", 1),
        ("DEFAULT_CURRENCY", "EUR", 6),
        ("DEFAULT_ORDERS_STATUS_ID", "1", 6),
        ("MODULE_SHIPPING_INSTALLED", "flat.php", 6),
        ("MODULE_SHIPPING_FLAT_COST", "5.00", 6),
        ("MODULE_SHIPPING_FLAT_TAX_CLASS", "1", 6),
        (
            "MODULE_ORDER_TOTAL_INSTALLED",
            "ot_subtotal.php;ot_shipping.php;ot_tax.php;ot_total.php",
            6,
        ),
        ("MODULE_ORDER_TOTAL_SHIPPING_FREE_SHIPPING", "false", 6),
    ],
)

# Verbatim from upstream (ids included).
COUNTRIES = _rows(
    "countries_id countries_name countries_iso_code_2 countries_iso_code_3 address_format_id",
    [
        (14, "Austria", "AT", "AUT", 5),
        (73, "France", "FR", "FRA", 1),
        (81, "Germany", "DE", "DEU", 5),
        (150, "Netherlands", "NL", "NLD", 1),
        (204, "Switzerland", "CH", "CHE", 1),
        (222, "United Kingdom", "GB", "GBR", 1),
        (223, "United States", "US", "USA", 2),
    ],
)


def create_demo_shop(engine: Engine) -> None:
    """Create our osCommerce tables on an empty database and insert the minimal seed.

    Raises if one of the tables already exists; nothing is inserted then.
    """
    now = datetime.now().replace(microsecond=0)
    stamps = {"date_added": now, "last_modified": now}
    with engine.begin() as conn:
        metadata.create_all(conn, checkfirst=False)
        conn.execute(insert(languages), LANGUAGES)
        conn.execute(insert(orders_status), ORDERS_STATUS)
        conn.execute(insert(tax_class), [{**row, **stamps} for row in TAX_CLASSES])
        conn.execute(insert(tax_rates), [{**row, **stamps} for row in TAX_RATES])
        conn.execute(insert(countries), COUNTRIES)
        conn.execute(
            insert(zones_to_geo_zones), [{**r, "date_added": now} for r in ZONES_TO_GEO_ZONES]
        )
        conn.execute(insert(currencies), CURRENCIES)
        conn.execute(
            insert(configuration),
            [
                {**r, "configuration_title": r["configuration_key"],
                 "configuration_description": "", "date_added": now}
                for r in CONFIGURATION
            ],
        )  # fmt: skip
