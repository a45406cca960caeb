"""The only place that knows MySQL/MariaDB from SQLite on the shop side.

Sync steps call these helpers with a ``Connection`` inside their transaction and never
branch on the database themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import frame_rows

BATCH = 2000


def chunks(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    update_columns: Iterable[str],
) -> None:
    """Insert rows, or update ``update_columns`` where the primary key exists (batched)."""
    if not rows:
        return
    update_columns = list(update_columns)
    if conn.dialect.name == "mysql":
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(table)
        # A no-op assignment keeps "insert or leave alone" valid when nothing is to update.
        columns = update_columns or [next(iter(table.primary_key.columns)).name]
        stmt = stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in columns})
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
        keys = [c.name for c in table.primary_key.columns]
        if update_columns:
            stmt = stmt.on_conflict_do_update(
                index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - guarded by connections.SUPPORTED
        raise NotImplementedError(f"no upsert for {conn.dialect.name}")
    for batch in chunks(rows):
        conn.execute(stmt, list(batch))


STATEMENT_BYTES = 1_000_000  # like PyMySQL's executemany; far below max_allowed_packet


def _mysql_statements(dbapi_conn: Any, table: str, frame: pd.DataFrame) -> Iterator[str]:
    """Multi-row INSERT statements of at most ~1 MB, values escaped by the driver itself
    (``mogrify`` honours the connection's charset and NO_BACKSLASH_ESCAPES)."""
    names = ", ".join(f"`{c}`" for c in frame.columns)
    prefix = f"INSERT INTO `{table}` ({names}) VALUES "
    template = "(" + ",".join(["%s"] * len(frame.columns)) + ")"
    mogrify = dbapi_conn.cursor().mogrify  # escaping only, never touches the socket
    values: list[str] = []
    size = len(prefix)
    for row in frame_rows(frame):
        value = mogrify(template, row)
        if values and size + len(value) > STATEMENT_BYTES:
            yield prefix + ",".join(values)
            values, size = [], len(prefix)
        values.append(value)
        size += len(value) + 1
    if values:
        yield prefix + ",".join(values)


PREFETCH_ROWS = 2_000  # below this, one statement: a helper thread costs more than it saves


def _prefetched(statements: Iterator[str], ahead: bool) -> Iterator[str]:
    """``statements``, the next one built by a helper thread while the caller sends this one."""
    if not ahead:
        yield from statements
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, statements, None)
        while (sql := upcoming.result()) is not None:
            upcoming = pool.submit(next, statements, None)
            yield sql


def insert_rows(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Plain multi-row inserts of a frame whose columns are ``table``'s column names.

    On MySQL a helper thread escapes the next statement while the server executes the
    current one (the driver releases the GIL while it waits on the socket), on the same
    connection and transaction: the same SQL PyMySQL's ``executemany`` sends, in less time.
    """
    if frame.empty:
        return
    if conn.dialect.name == "mysql":
        dbapi_conn = conn.connection.dbapi_connection
        statements = _mysql_statements(dbapi_conn, table.name, frame)
        cursor = dbapi_conn.cursor()  # same connection, so same transaction
        try:
            for sql in _prefetched(statements, len(frame) > PREFETCH_ROWS):
                try:
                    cursor.execute(sql)  # no args: the driver leaves '%' in values alone
                except conn.dialect.loaded_dbapi.Error as exc:
                    raise sa.exc.DBAPIError.instance(
                        sql[:300], None, exc, conn.dialect.loaded_dbapi.Error,
                        dialect=conn.dialect,
                    ) from exc  # fmt: skip
        finally:
            cursor.close()
        return
    # SQLite (the demo shop): the driver's executemany, values as the shop would hold them
    # (datetimes as text, so the zero date '0000-00-00 00:00:00' goes in like any other)
    names = ", ".join(f'"{c}"' for c in frame.columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(frame.columns))})'
    rows = [tuple(_sqlite_value(v) for v in row) for row in frame_rows(frame)]
    for batch in chunks(rows):
        conn.exec_driver_sql(sql, list(batch))


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


def shop_now(conn: sa.Connection) -> datetime:
    """The shop database's own clock, as its ``now()`` writes ``date_purchased`` (SQLite, the
    demo shop: the machine's local time)."""
    if conn.dialect.name == "mysql":
        return conn.exec_driver_sql("SELECT NOW()").scalar_one()
    text = conn.exec_driver_sql("SELECT datetime('now', 'localtime')").scalar_one()
    return datetime.fromisoformat(text)


# auto_increment_increment's upper bound: the largest block one allocation can reserve
MAX_BLOCK = 65_535
_PLACEHOLDER_VALUES = {"int": 0, "decimal": 0, "text": "", "datetime": datetime(2000, 1, 1)}


def reserve_ids(
    conn: sa.Connection, table: sa.Table, count: int, placeholder: dict[str, Any]
) -> list[int]:
    """``count`` new primary keys that the shop never handed out and never will again.

    On MySQL/MariaDB the table's own AUTO_INCREMENT counter hands out the block: one insert of
    ``placeholder`` with ``auto_increment_increment`` set to the block size moves the counter
    past the whole block in a single atomic step, so a shop admin inserting at the same moment
    gets an id after it, under any isolation level and lock mode. The placeholder row is
    deleted again at once; the counter never goes back, even if the transaction rolls back,
    so a deleted product's id is never reused. ``placeholder`` holds a value for every NOT
    NULL column without default (see ``placeholder_row``).

    On SQLite (the demo shop, one writer at a time) ``sqlite_sequence`` plays the counter.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "mysql":
        ids: list[int] = []
        while len(ids) < count:
            ids += _mysql_block(conn, table, min(MAX_BLOCK, count - len(ids)), placeholder)
        return ids
    return _sqlite_block(conn, table, count)


def placeholder_row(specs: Iterable[Any], id_column: str) -> dict[str, Any]:
    """A row that satisfies every NOT NULL column of a table (``ColumnSpec``s of the shop)."""
    row = {}
    for spec in specs:
        if spec.name == id_column or spec.nullable:
            continue
        if spec.is_integer or spec.is_decimal:
            row[spec.name] = 0
        elif spec.is_text:
            row[spec.name] = ""
        elif spec.data_type in ("datetime", "timestamp", "date"):
            row[spec.name] = _PLACEHOLDER_VALUES["datetime"]
    return row


def _mysql_block(
    conn: sa.Connection, table: sa.Table, size: int, placeholder: dict[str, Any]
) -> list[int]:
    (pk,) = table.primary_key.columns
    counter = conn.execute(
        sa.text(
            "SELECT AUTO_INCREMENT FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t"
        ),
        {"t": table.name},
    ).scalar()
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(pk), 0))).scalar_one()
    # the offset aligns the block with the counter's next value, so nothing is skipped when
    # nobody else inserts; if somebody does, the server moves on to the next aligned block
    start = max(int(counter or 0), int(top) + 1)
    offset = (start - 1) % size + 1
    saved = conn.exec_driver_sql(
        "SELECT @@SESSION.auto_increment_increment, @@SESSION.auto_increment_offset"
    ).one()
    conn.exec_driver_sql(
        f"SET SESSION auto_increment_increment = {size}, auto_increment_offset = {offset}"
    )
    columns = [pk.name, *(c for c in placeholder if c != pk.name)]
    names = ", ".join(f"`{c}`" for c in columns)
    values = ", ".join(["NULL", *(f":p{i}" for i in range(1, len(columns)))])
    params = {f"p{i}": placeholder[c] for i, c in enumerate(columns) if i}
    try:
        first = conn.execute(
            sa.text(f"INSERT INTO `{table.name}` ({names}) VALUES ({values})"), params
        )
        block_start = int(first.lastrowid)
    finally:
        conn.exec_driver_sql(
            f"SET SESSION auto_increment_increment = {int(saved[0])}, "
            f"auto_increment_offset = {int(saved[1])}"
        )
    conn.execute(sa.delete(table).where(pk == block_start))
    return list(range(block_start, block_start + size))


def _sqlite_block(conn: sa.Connection, table: sa.Table, size: int) -> list[int]:
    (pk,) = table.primary_key.columns
    top = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(pk), 0))).scalar_one())
    has_sequence = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
    ).first()
    if not has_sequence:  # no AUTOINCREMENT table: SQLite itself reuses max + 1
        return list(range(top + 1, top + 1 + size))
    seq = conn.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table.name,)
    ).scalar()
    start = max(int(seq or 0), top) + 1
    if seq is None:
        conn.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table.name, start + size - 1)
        )
    else:
        conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (start + size - 1, table.name)
        )
    return list(range(start, start + size))
