"""The shop's real column types, read when a run starts, and what fits into each.

Limits are never hard-coded: a shop whose owner widened ``products_weight`` to
decimal(8,2), or converted its tables to utf8mb4, gets checks that say so. The shop's dialect
reads them (``Dialect.read_columns``): on MySQL/MariaDB from ``information_schema.COLUMNS``; on
SQLite (the demo shop) from the declared types of our own osCommerce table definitions, with
text treated as osCommerce's 3-byte utf8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from bo_oscommerce.shop.dialect import dialect_of

# Byte limits of MySQL's text types; varchar and char limits are characters.
TEXT_BYTES = {"tinytext": 255, "text": 65_535, "mediumtext": 16_777_215, "longtext": 4_294_967_295}
INT_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8}
DECIMAL_TYPES = {"decimal", "numeric"}
TEXT_TYPES = {"varchar", "char", *TEXT_BYTES}


@dataclass(frozen=True)
class ColumnSpec:
    """One shop column: its type and the range of values it can hold."""

    table: str
    name: str
    data_type: str  # lower-case base type: varchar, text, int, tinyint, decimal, datetime ...
    nullable: bool = True
    max_chars: int | None = None  # varchar/char: characters
    max_bytes: int | None = None  # text types: bytes of the stored (utf8) value
    precision: int | None = None  # decimal
    scale: int | None = None
    unsigned: bool = False
    charset: str = "utf8mb3"
    collation: str = "utf8mb3_unicode_ci"  # how the column compares texts (case, accents)

    @property
    def qualified(self) -> str:
        return f"{self.table}.{self.name}"

    @property
    def is_text(self) -> bool:
        return self.data_type in TEXT_TYPES

    @property
    def four_byte_ok(self) -> bool:
        """utf8mb4 (and utf8mb4-compatible) columns store emoji; utf8 (3 bytes) cannot."""
        return self.charset.lower().startswith("utf8mb4") or self.charset.lower() == "binary"

    @property
    def is_integer(self) -> bool:
        return self.data_type in INT_BYTES

    @property
    def is_decimal(self) -> bool:
        return self.data_type in DECIMAL_TYPES

    @property
    def max_value(self) -> float | int | None:
        if self.is_integer:
            bits = 8 * INT_BYTES[self.data_type]
            return 2**bits - 1 if self.unsigned else 2 ** (bits - 1) - 1
        if self.is_decimal and self.precision is not None:
            scale = self.scale or 0
            return float(Decimal(10) ** (self.precision - scale) - Decimal(10) ** -scale)
        return None

    @property
    def min_value(self) -> float | int | None:
        if self.unsigned:
            return 0
        top = self.max_value
        if top is None:
            return None
        return -top - 1 if self.is_integer else -top

    @property
    def type_text(self) -> str:
        """As the shop's DDL writes it, e.g. ``decimal(5,2)``, ``varchar(64)``, ``int unsigned``."""
        if self.is_decimal:
            text = f"{self.data_type}({self.precision},{self.scale or 0})"
        elif self.max_chars is not None:
            text = f"{self.data_type}({self.max_chars})"
        else:
            text = self.data_type
        return f"{text} unsigned" if self.unsigned else text

    def limit_text(self) -> str:
        """What fits, for a merchant: ``at most 999.99``, ``at most 64 characters``."""
        if self.max_chars is not None:
            return f"at most {self.max_chars} characters"
        if self.max_bytes is not None:
            return f"at most {self.max_bytes} bytes"
        low, high = self.min_value, self.max_value
        if high is None:
            return "any value"
        fmt = (lambda v: f"{v:.{self.scale or 0}f}") if self.is_decimal else str
        return f"{fmt(low)} to {fmt(high)}"


class ShopColumns(Mapping[tuple[str, str], ColumnSpec]):
    """``(table, column) -> ColumnSpec`` for the shop tables a sync writes."""

    def __init__(self, specs: Iterable[ColumnSpec]) -> None:
        self._specs = {(s.table, s.name): s for s in specs}

    def __getitem__(self, key: tuple[str, str]) -> ColumnSpec:
        return self._specs[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def spec(self, table: str, column: str) -> ColumnSpec:
        try:
            return self._specs[(table, column)]
        except KeyError:
            raise KeyError(f"the shop has no column {table}.{column}") from None

    def has(self, table: str, column: str) -> bool:
        return (table, column) in self._specs

    def columns_of(self, table: str) -> set[str]:
        return {name for t, name in self._specs if t == table}


_DECLARED = re.compile(r"^\s*(\w+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\))?")


def declared_spec(table: str, name: str, declared: str, nullable: bool) -> ColumnSpec:
    """A spec from a declared SQL type such as ``VARCHAR(64)`` or ``NUMERIC(15, 4)``."""
    match = _DECLARED.match(declared)
    base = (match.group(1) if match else declared).lower()
    first = int(match.group(2)) if match and match.group(2) else None
    second = int(match.group(3)) if match and match.group(3) else None
    base = {"integer": "int", "numeric": "decimal", "timestamp": "datetime"}.get(base, base)
    return ColumnSpec(
        table=table,
        name=name,
        data_type=base,
        nullable=nullable,
        max_chars=first if base in ("varchar", "char") else None,
        max_bytes=TEXT_BYTES.get(base),
        precision=first if base in DECIMAL_TYPES else None,
        scale=(second or 0) if base in DECIMAL_TYPES else None,
    )


def read_shop_columns(conn: sa.Connection, tables: Iterable[str]) -> ShopColumns:
    """The real columns of ``tables`` in the shop behind ``conn``."""
    return ShopColumns(dialect_of(conn).read_columns(conn, sorted(set(tables))))


def metadata_columns(tables: Iterable[str] | None = None) -> ShopColumns:
    """Specs of our own osCommerce 2.3.4.1 table definitions (upstream's schema), for code that
    has no shop at hand (unit tests, documentation)."""
    from sqlalchemy.dialects import mysql

    from bo_oscommerce.shop.tables import metadata

    dialect = mysql.dialect()
    specs = []
    for table in metadata.sorted_tables:
        if tables is not None and table.name not in set(tables):
            continue
        for column in table.columns:
            declared = column.type.compile(dialect=dialect)
            spec = declared_spec(table.name, column.name, declared, bool(column.nullable))
            if "UNSIGNED" in declared.upper():
                spec = ColumnSpec(**{**spec.__dict__, "unsigned": True})
            specs.append(spec)
    return ShopColumns(specs)
