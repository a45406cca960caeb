"""Which osCommerce 2.x line a shop database belongs to, found from its schema (ADR 21).

Two flavours are supported: osCommerce 2.3 (2.3.4.1's schema) and CE Phoenix Cart 1.1, its
maintained successor. Phoenix's schema is 2.3's grown up: more tables, wider columns, a
``customers.status`` that refuses a login, country ids on orders, no ``products_viewed``. The
flavour is never configured: a run reads it from the shop it meets, so a merchant who moves
from 2.3 to Phoenix changes nothing in the tenant's settings.

Rules that differ follow the shop's real columns (``ShopColumns.has``), not the flavour's
name: the flavour names what was found (connection test, every step's report) and which of
2.3's columns a shop may lack.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns

# what a CE Phoenix Cart database has and osCommerce 2.3's has not (Phoenix 1.1.0.6 schema)
PHOENIX_TABLES = ("hooks", "customer_data_groups", "outgoing_tpl", "pages")
PHOENIX_COLUMNS = (("customers", "status"), ("orders", "customers_country_id"))
PHOENIX_MARKS_NEEDED = 3  # one add-on table or column does not make a 2.3 shop a Phoenix one
PHOENIX_1_1_TABLES = ("importers",)  # new in the 1.1 line
# 2.3's columns a Phoenix shop no longer has
PHOENIX_DROPPED = frozenset({("products_description", "products_viewed")})


@dataclass(frozen=True)
class Flavour:
    """A shop database's line and version, and the schema marks it was recognised by."""

    name: str  # "osCommerce" or "CE Phoenix Cart"
    version: str
    marks: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def is_phoenix(self) -> bool:
        return self.name == PHOENIX.name

    @property
    def dropped(self) -> frozenset[tuple[str, str]]:
        """2.3's columns this flavour's schema does not have (the sync does without them)."""
        return PHOENIX_DROPPED if self.is_phoenix else frozenset()

    def found(self) -> str:
        """What a report or the connection test says about the shop."""
        how = f" ({'; '.join(self.marks)})" if self.marks else ""
        return f"shop flavour {self.label}, found from its schema{how}"


OSCOMMERCE = Flavour("osCommerce", "2.3")
PHOENIX = Flavour("CE Phoenix Cart", "1.1")


MARK_TABLES = (*PHOENIX_TABLES, *PHOENIX_1_1_TABLES, *(table for table, _ in PHOENIX_COLUMNS))


def flavour_of(columns: ShopColumns) -> Flavour:
    """The flavour of a shop whose columns of ``MARK_TABLES`` are ``columns``."""
    present = {table for table, _ in columns}
    marks = [f"table {name}" for name in PHOENIX_TABLES if name in present]
    marks += [f"column {t}.{c}" for t, c in PHOENIX_COLUMNS if columns.has(t, c)]
    if len(marks) < PHOENIX_MARKS_NEEDED:
        return OSCOMMERCE
    version = "1.1" if set(PHOENIX_1_1_TABLES) <= present else "1.0"
    return Flavour(PHOENIX.name, version, tuple(marks))


def detect(target: sa.Connection | sa.Engine) -> Flavour:
    """The flavour of the shop behind ``target``: one read of the database's catalog."""
    if isinstance(target, sa.Engine):
        with target.connect() as conn:
            return detect(conn)
    return flavour_of(read_shop_columns(target, MARK_TABLES))
