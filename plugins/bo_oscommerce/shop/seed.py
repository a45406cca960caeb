"""Minimal osCommerce 2.3.4.1 seed data for a demo/test shop.

Rows are copied from the INSERTs of the upstream ``oscommerce-2.3.4.1.sql`` (same ids),
limited to the tables in :mod:`bo_oscommerce.shop.tables`, plus what a German shop owner adds
after installation: the German language, German order status names and a reduced tax class.

Upstream's tax rate 1 (7 % "FL TAX") points at geo zone 1 (Florida); ``geo_zones`` is not one
of our tables, so the ids are kept as-is and no zones are seeded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from bo_oscommerce.shop.tables import (
    countries,
    languages,
    metadata,
    orders_status,
    tax_class,
    tax_rates,
)

__all__ = [
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

# 1 is upstream (tax zone = geo zone 1, Florida), 2 is added by the shop owner.
TAX_RATES = _rows(
    "tax_rates_id tax_zone_id tax_class_id tax_priority tax_rate tax_description",
    [
        (1, 1, 1, 1, Decimal("7.0000"), "FL TAX 7.0%"),
        (2, 1, 2, 1, Decimal("7.0000"), "Reduced rate 7%"),
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
