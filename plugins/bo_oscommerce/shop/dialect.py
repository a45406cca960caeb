"""The only place that knows MySQL/MariaDB from SQLite on the shop side.

Sync steps call these helpers with a ``Connection`` inside their transaction and never
branch on the database themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import frame_records, frame_rows

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
            with ThreadPoolExecutor(max_workers=1) as pool:
                upcoming = pool.submit(next, statements, None)
                while (sql := upcoming.result()) is not None:
                    upcoming = pool.submit(next, statements, None)
                    try:
                        cursor.execute(sql)  # no args: the driver leaves '%' in values alone
                    except conn.dialect.loaded_dbapi.Error as exc:
                        raise sa.exc.DBAPIError.instance(
                            sql[:300],
                            None,
                            exc,
                            conn.dialect.loaded_dbapi.Error,
                            dialect=conn.dialect,
                        ) from exc
        finally:
            cursor.close()
        return
    records = frame_records(frame)
    for batch in chunks(records):
        conn.execute(sa.insert(table), list(batch))


def next_ids(conn: sa.Connection, column: sa.Column, count: int) -> list[int]:
    """``count`` fresh primary keys after the current maximum.

    On MySQL the ``FOR UPDATE`` read locks the end of the index until commit, so a shop admin
    inserting at the same moment waits instead of taking the same id. SQLite writers are
    serialised by the database lock.
    """
    if count == 0:
        return []
    stmt = sa.select(sa.func.coalesce(sa.func.max(column), 0))
    if conn.dialect.name == "mysql":
        stmt = stmt.with_for_update()
    start = int(conn.execute(stmt).scalar_one()) + 1
    return list(range(start, start + count))
