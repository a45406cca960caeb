"""Query results to DataFrames and DataFrames to driver parameters, fast and lean.

SQLAlchemy rows are not tuples, which sends pandas down a slow per-row path; fetching in
chunks keeps the Python objects of a 100 000-row result from all existing at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.shop.dialect import dialect_of

FETCH = 20_000
T = TypeVar("T")
# Arrow types whose pandas conversion equals pandas' own inference from Python values: text
# (pandas' str), int64 (float64 where a value is missing, as pandas infers), double, bool and
# all-missing columns; every other column (dates, Decimal, bytes, mixed) is inferred by pandas
ARROW_AS_PANDAS = ("string", "int64", "double", "bool", "null")


def rows_frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)``, the same dtypes and values, cheaper for text
    (a third less at 156 000 rows of articles with their texts): a column of a type Arrow
    converts as pandas infers goes through Arrow, where pandas keeps text anyway, instead of
    an object array that pandas infers and converts; every other column through pandas."""
    if not rows or len(set(columns)) != len(columns):
        return pd.DataFrame(rows, columns=columns)
    import pyarrow as pa

    values = list(zip(*rows, strict=True))
    arrays: dict[str, Any] = {}
    inferred: list[int] = []
    for at, column in enumerate(columns):
        try:
            array = pa.array(values[at])
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            array = None  # mixed or unknown types: pandas infers
        if array is None or str(array.type) not in ARROW_AS_PANDAS:
            inferred.append(at)
            continue
        arrays[column] = array
    frame = pa.table(arrays).to_pandas() if arrays else pd.DataFrame(index=range(len(rows)))
    if inferred:
        rest = pd.DataFrame(
            list(zip(*(values[at] for at in inferred), strict=True)),
            columns=[columns[at] for at in inferred],
        )
        frame = pd.concat([frame, rest], axis=1)
    return frame[columns] if inferred else frame


def result_frame(result: sa.CursorResult[Any]) -> pd.DataFrame:
    columns = list(result.keys())
    parts = []
    while rows := result.fetchmany(FETCH):
        parts.append(rows_frame([tuple(r) for r in rows], columns))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def query_frame(
    conn: sa.Connection, stmt: sa.Executable, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Run ``stmt`` on the driver's own cursor: rows arrive as tuples, no Row objects.

    For large reads (extracts, whole-table scans, look-ups by long ``IN`` lists: the
    expanding list is rendered as plain parameters).
    """
    parts = list(query_parts(conn, stmt, params, stream=False))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def query_parts(
    conn: sa.Connection,
    stmt: sa.Executable,
    params: dict[str, Any] | None = None,
    rows: int = FETCH,
    key: str | None = None,
    stream: bool = True,
) -> Iterator[pd.DataFrame]:
    """``query_frame`` in parts of about ``rows`` rows, read as they arrive (an unbuffered
    cursor), so a result larger than memory can be staged. With ``key`` (a column the
    statement orders by) the rows of one key never split over two parts. At least one part
    (empty, with the columns). The connection is busy until the parts are consumed.
    ``stream=False``: the driver's buffered cursor (faster per row; the whole result is read
    at once)."""
    # expanding IN lists become plain parameters of the statement's text
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    dialect = dialect_of(conn)
    args = dialect.bind(compiled, compiled.construct_params(params or {}))
    dbapi_connection = conn.connection.dbapi_connection
    cursor = dialect.stream_cursor(dbapi_connection) if stream else dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        columns = [d[0] for d in cursor.description]
        at = columns.index(key) if key else None
        pending: list[Any] = []
        yielded = False
        while batch := cursor.fetchmany(min(rows, FETCH)):
            pending.extend(batch)
            cut = _cut(pending, at) if len(pending) >= rows else 0
            if cut:
                yield rows_frame(pending[:cut], columns)
                pending, yielded = pending[cut:], True
        if pending or not yielded:
            yield rows_frame(pending, columns)
    finally:
        cursor.close()


def _cut(pending: list[Any], at: int | None) -> int:
    """Where a part ends: after the last row whose key differs from the final row's (that key
    may go on in the next batch); 0 while one key fills everything."""
    if at is None:
        return len(pending)
    last = pending[-1][at]
    end = len(pending) - 1
    while end >= 0 and pending[end][at] == last:
        end -= 1
    return end + 1


def _python(values: pd.Series) -> list[Any]:
    """A column as plain Python values: NA -> None, numpy scalars -> int/float/..."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return values.tolist()  # no missing values possible
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]  # NaN -> None
    if dtype.kind == "M":  # drivers bind datetime, not pandas Timestamp
        if isinstance(values.array, pd.arrays.DatetimeArray):  # converted in one pass
            return [None if v is pd.NaT else v for v in values.array.to_pydatetime().tolist()]
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    listed = values.to_numpy(dtype=object, na_value=None).tolist()
    if values.dtype == object and any(isinstance(v, np.generic) for v in listed[:1000]):
        # numpy scalars inside an object column (a sample decides; drivers fail loudly else)
        listed = [v.item() if isinstance(v, np.generic) else v for v in listed]
    return listed


def frame_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values, in the frame's column order."""
    return list(zip(*(_python(frame[c]) for c in frame.columns), strict=True))


def frame_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Each column as plain Python values."""
    return [_python(frame[c]) for c in frame.columns]


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in frame_rows(frame)]


def prefetched(parts: Iterator[T]) -> Iterator[T]:
    """``parts``, each made in a helper thread while the caller works on the one before: a
    query's next part is fetched and framed while the previous one is staged (the driver
    and the file writer leave the interpreter free while they wait or write). Every step of
    ``parts``, its closing included, runs in that one thread, as a database connection opened
    in it wants; two parts at most are held at once."""
    done = object()
    with ThreadPoolExecutor(1, thread_name_prefix="prefetch") as pool:
        pending = pool.submit(next, parts, done)
        try:
            while (part := pending.result()) is not done:
                pending = pool.submit(next, parts, done)
                yield part
        finally:
            pending.cancel()
            close = getattr(parts, "close", None)
            if close is not None:
                pool.submit(close).result()
