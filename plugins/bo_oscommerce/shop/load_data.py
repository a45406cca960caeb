"""Large inserts into a MySQL/MariaDB shop as the server's own bulk load (ADR 12).

``LOAD DATA LOCAL INFILE`` of a tab-separated file is the database's fastest way in, about
twice as fast as multi-row INSERTs. Two of its habits must not reach the shop:

- With LOCAL the server turns errors into warnings (a duplicate key skips the row, a value
  that does not fit is cut, as with IGNORE), even in strict mode. So every load runs behind a
  SAVEPOINT: unless the server says it took every row without a single warning, the load is
  rolled back to it and the rows go in as multi-row INSERTs, which raise the error that the
  strict session gives (the same rows, or the same error, on either path).
- A server may ask the client for any file while the client allows LOCAL. The connection
  announces the capability (it cannot be switched on later), but the driver answers a request
  only while one of our own loads runs, and only with the file that load wrote.

Where the server refuses (its ``local_infile`` is OFF, or a proxy in between), the rows go in
as INSERTs and the step's report says so. ``dialect.MySQL`` calls this; nothing else does.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

LOAD_DATA_ROWS = 5_000  # below this, INSERTs cost less than writing and sending a file
FILE_ROWS = 20_000
LOADED = "LOAD DATA LOCAL INFILE"
INSERTED = "multi-row INSERT"
_SPECIAL = re.compile(r"[\\\t\n\r\0]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
# backslash first: the escapes of the others bring their own
_ESCAPE_ORDER = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"), ("\0", "\\0"))
_allowed = threading.local()  # the one file the current thread's load may send


def install_guard() -> bool:
    """Let the driver send a local file only while our own load asks for the file it wrote.
    False where the driver lacks the hook: then no load runs (INSERTs only)."""
    from pymysql import connections

    original = getattr(connections, "_send_local_file", None)
    if original is None:
        return False
    if getattr(original, "guarded", False):
        return True

    def send_only_ours(filename: str | bytes, conn: Any) -> None:
        ours = getattr(_allowed, "path", None)
        if ours is None or os.fsencode(filename) != os.fsencode(ours):
            from pymysql import err

            raise err.OperationalError(
                2000, f"the server asked for local file {filename!r}, which this load did not "
                "write; refused"
            )  # fmt: skip
        original(filename, conn)

    send_only_ours.guarded = True  # type: ignore[attr-defined]
    connections._send_local_file = send_only_ours
    return True


def on_connect(dbapi_conn: Any, _record: Any) -> None:
    """New connections answer no LOCAL request until a load of ours runs."""
    dbapi_conn._local_infile = False


def load(conn: sa.Connection, table: str, frame: pd.DataFrame) -> str | None:
    """Load ``frame`` into ``table`` inside the connection's transaction. Returns None when the
    server took every row cleanly, else why not (the rows are not there then)."""
    dbapi_conn = conn.connection.dbapi_connection
    if not hasattr(dbapi_conn, "_local_infile") or not install_guard():
        return "this driver version offers no guarded LOCAL INFILE"
    fd, path = tempfile.mkstemp(prefix="bo-osc-load-", suffix=".tsv")
    try:
        with os.fdopen(fd, "wb") as out:
            for start in range(0, len(frame), FILE_ROWS):  # a slice at a time: lean on memory
                out.write(tsv_bytes(frame.iloc[start : start + FILE_ROWS]))
        names = ", ".join(f"`{c}`" for c in frame.columns)
        sql = (
            f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `{table}` CHARACTER SET utf8mb4 "
            # tab, backslash, newline as hex literals: the same under NO_BACKSLASH_ESCAPES
            "FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' "
            f"({names})"
        )
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("SAVEPOINT bo_osc_load")
            return _run(dbapi_conn, cursor, sql, path, len(frame))
        finally:
            cursor.close()
    finally:
        os.unlink(path)


def _run(dbapi_conn: Any, cursor: Any, sql: str, path: str, rows: int) -> str | None:
    from pymysql import err

    _allowed.path, dbapi_conn._local_infile = path, True
    try:
        taken = cursor.execute(sql)
    except (err.OperationalError, err.InternalError, err.ProgrammingError,
            err.NotSupportedError) as exc:  # fmt: skip
        if not dbapi_conn.open:
            raise
        cursor.execute("ROLLBACK TO SAVEPOINT bo_osc_load")
        return f"the server refused it ({exc.args[-1]})"
    finally:
        _allowed.path, dbapi_conn._local_infile = None, False
    if taken != rows or cursor.warning_count:
        cursor.execute("ROLLBACK TO SAVEPOINT bo_osc_load")
        return f"{taken} of {rows} rows taken, {cursor.warning_count} warning(s)"
    cursor.execute("RELEASE SAVEPOINT bo_osc_load")
    return None


def tsv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame in LOAD DATA's default text format, UTF-8: tab-separated, ``\\N`` for NULL,
    tab, newline, carriage return, NUL and backslash escaped. Built column by column in Arrow,
    so the rows never become Python objects; a column Arrow cannot type goes value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if frame.empty:
        return b""
    columns = [_arrow_text(frame[name]) for name in frame.columns]
    lines = pc.binary_join_element_wise(*columns, "\t")
    lines = pc.binary_join_element_wise(lines, pa.scalar("\n"), "")
    offsets, data = lines.buffers()[1:3]
    ends = pa.Array.from_buffers(pa.int32(), len(lines) + 1, [None, offsets], offset=lines.offset)
    first, last = ends[0].as_py(), ends[-1].as_py()
    return data.to_pybytes()[first:last]


def _arrow_text(values: pd.Series) -> Any:
    """One column as LOAD DATA text, an Arrow string array without nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        # the column's array, not the Series: pyarrow's probe of a Series for
        # ``__arrow_array__`` goes through pandas' attribute lookup on the index (ms per column)
        array = pa.array(values.array, from_pandas=True)
        if isinstance(array, pa.ChunkedArray):  # a column pandas keeps in Arrow already
            array = array.combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = None
    kind = array.type if array is not None else None
    if kind is None:
        return pa.array(_texts(_python_values(values)), type=pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = pc.cast(array, pa.string())
        if pc.any(pc.match_substring_regex(text, r"[\\\t\n\r\x00]")).as_py():
            for raw, escaped in _ESCAPE_ORDER:
                text = pc.replace_substring(text, raw, escaped)
    elif pa.types.is_boolean(kind):
        text = pc.cast(pc.cast(array, pa.int8()), pa.string())
    elif pa.types.is_null(kind):
        text = pa.nulls(len(array), pa.string())
    elif any(test(kind) for test in (pa.types.is_integer, pa.types.is_floating,
                                     pa.types.is_decimal, pa.types.is_date32)):  # fmt: skip
        text = pc.cast(array, pa.string())
    elif pa.types.is_timestamp(kind) and kind.tz is None and _whole_seconds(array):
        text = pc.strftime(pc.cast(array, pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")
    else:
        text = pa.array(_texts(_python_values(values)), type=pa.string())
    return pc.fill_null(text, "\\N")


def _whole_seconds(array: Any) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    seconds = pc.cast(array, pa.timestamp("s"), safe=False)
    return bool(pc.all(pc.equal(pc.cast(seconds, array.type), array)).as_py() is not False)


def _python_values(values: pd.Series) -> list[Any]:
    from bo_oscommerce.frames import frame_columns

    return frame_columns(values.to_frame())[0]


def _texts(values: list[Any]) -> list[str]:
    if all(type(v) is str for v in values[:100]):  # a text column: escape only where needed
        search, escapes = _SPECIAL.search, _ESCAPES
        return [
            (v.translate(escapes) if search(v) else v) if type(v) is str else _text(v)
            for v in values
        ]
    return [_text(v) for v in values]


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is int:
        return str(value)
    if kind is bool or kind.__name__ in ("bool", "bool_"):  # numpy's too, without numpy
        return "1" if value else "0"
    if kind is float:
        return repr(value)
    if kind is Decimal:
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)
