"""Reads every shop module shares: rows by id, languages, tax classes, and a diff helper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import query_frame
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.dialect import chunks

DENSE = 3  # a range read when it holds at most this many rows per wanted id
IN_LIST = 5_000  # values per IN list of a look-up
READ_ALL_ABOVE = 5_000  # customers: beyond this many ids, one table scan beats IN lists


def added_text_blanks(columns: ShopColumns, table: str) -> dict[str, str]:
    """Text columns the shop's schema has beyond 2.3's ``table`` (CE Phoenix's SEO fields), as
    the shop's admin fills them in a new row left empty: ``''``."""
    ours = set(t.metadata.tables[table].columns.keys())
    return {
        name: ""
        for name in sorted(columns.columns_of(table) - ours)
        if columns.spec(table, name).is_text
    }


@dataclass
class LoadResult:
    """What one entity's load did in the shop."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    hidden: int = 0
    # BO key -> shop id of every row loaded (created, matched or kept), with "inserted"
    ids: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # key, reason, value
    # stored ids that no longer point at their row: key, stored_id, problem
    stale: pd.DataFrame = field(default_factory=pd.DataFrame)
    # BO keys whose stored id must be cleared in BO (their shop row is gone for good)
    unlink: list[str] = field(default_factory=list)
    hidden_by_reason: dict[str, list[str]] = field(default_factory=dict)
    # rows deliberately not in the shop (e.g. articles of a group that is not in the web)
    kept_out: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # the rows this load created, as written (customers: for their welcome e-mails)
    created: pd.DataFrame = field(default_factory=pd.DataFrame)
    again: bool = False  # another run changed what this load relied on: all of it again

    def hide_reason(self, reason: str, keys: Iterable[str]) -> None:
        keys = [str(k) for k in keys]
        if keys:
            self.hidden_by_reason.setdefault(reason, []).extend(keys)


def language_ids(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(t.languages.c.code, t.languages.c.languages_id))
    return {code: int(lid) for code, lid in rows}


def tax_class_ids(conn: sa.Connection) -> list[int]:
    return sorted(int(i) for i in conn.execute(sa.select(t.tax_class.c.tax_class_id)).scalars())


def read_by_ids(
    conn: sa.Connection, stmt: sa.Select, id_column: sa.Column, ids: Iterable[int]
) -> pd.DataFrame:
    """Rows of ``stmt`` whose ``id_column`` is one of ``ids``: by IN lists on the key, or one
    range read where the ids lie close together; never a scan of the whole table, whose size
    has nothing to do with the caller's chunk."""
    ids = sorted({int(i) for i in ids})
    columns = [c.name for c in stmt.selected_columns]
    if not ids:
        return pd.DataFrame(columns=columns)
    low, high = ids[0], ids[-1]
    if len(ids) > 1000 and high - low < DENSE * len(ids):  # e.g. the ids one full run created
        frame = query_frame(conn, stmt.where(id_column.between(low, high)))
        return frame[frame[id_column.name].isin(ids)].reset_index(drop=True)
    return _read_in_lists(conn, stmt, id_column, ids)


def read_by_values(
    conn: sa.Connection, stmt: sa.Select, column: sa.Column, values: Iterable[str]
) -> pd.DataFrame:
    """Rows of ``stmt`` whose text ``column`` equals one of ``values`` (as the shop's
    collation compares: usually without regard to case), by IN lists on the (indexed)
    column."""
    values = sorted({str(v) for v in values})
    columns = [c.name for c in stmt.selected_columns]
    if not values:
        return pd.DataFrame(columns=columns)
    return _read_in_lists(conn, stmt, column, values)


def _read_in_lists(
    conn: sa.Connection, stmt: sa.Select, column: sa.Column, values: list[Any]
) -> pd.DataFrame:
    """``stmt`` for ``values`` of ``column``, IN_LIST at a time, on the driver's own cursor
    (a third less time than SQLAlchemy's per-parameter processing)."""
    parts = [
        query_frame(conn, stmt.where(column.in_(list(part)))) for part in chunks(values, IN_LIST)
    ]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def natural_text(value: object) -> str | None:
    """A text natural key as MySQL's ``*_ci`` collations compare it: case and trailing spaces
    do not count."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return str(value).rstrip(" ").casefold()


def natural_texts(values: pd.Series) -> pd.Series:
    """``natural_text`` of every value (object dtype, None where missing). A text column is
    trimmed and lower-cased by Arrow (for ASCII, case folding is lower-casing); only its
    non-ASCII values are case-folded one by one (``ß`` -> ``ss``)."""
    if not isinstance(values.dtype, pd.StringDtype):
        return values.map(natural_text).astype(object)
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_rtrim(pa.array(values.array), characters=" ")
    folded = pc.utf8_lower(trimmed).to_numpy(zero_copy_only=False)
    other = ~pc.fill_null(pc.string_is_ascii(trimmed), True).to_numpy(zero_copy_only=False)
    if other.any():
        raw = trimmed.to_numpy(zero_copy_only=False)
        folded[other] = [text.casefold() for text in raw[other]]
    return pd.Series(folded, index=values.index, dtype=object)


def same(left: pd.Series, right: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    both_missing = left.isna() & right.isna()
    equal = left.astype(object) == right.astype(object)
    return (equal | both_missing).fillna(False).astype(bool)
