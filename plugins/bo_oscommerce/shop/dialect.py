"""The only place that knows MySQL/MariaDB from SQLite, for the shop and for BO alike.

A ``Dialect`` is chosen once per connection from its backend name (``dialect_of``, or
``for_name`` for an Airflow conn_type): the ``DIALECTS`` lookup is the one place where the
name decides. Each dialect owns what differs between the databases: upserts, bulk inserts,
id reservation, the database clock, reading column types, building URLs and engines, and
binding parameters the way the driver wants them. No other module branches on the database.

Sync steps call the module functions below with a ``Connection`` inside their transaction;
each delegates to the connection's dialect.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import sqlalchemy as sa

from bo_oscommerce.shop import load_data

if TYPE_CHECKING:
    import pandas as pd

    from bo_oscommerce.shop.columns import ColumnSpec

BATCH = 2000
STATEMENT_BYTES = 1_000_000  # like PyMySQL's executemany; far below max_allowed_packet
PREFETCH_ROWS = 2_000  # below this, one statement: a helper thread costs more than it saves
# auto_increment_increment's upper bound: the largest block one allocation can reserve
MAX_BLOCK = 65_535
BULK_PATHS = "bo_osc_bulk_paths"  # Connection.info: table -> how its large insert went in
# Connection.info: while set (a list), ``insert_rows`` only queues its frames there; the load
# runs them later in the same transaction (``run_queued_inserts``)
QUEUED_INSERTS = "bo_osc_queued_inserts"
_PLACEHOLDER_VALUES = {"int": 0, "decimal": 0, "text": "", "datetime": datetime(2000, 1, 1)}


class UnsupportedDialectError(ValueError):
    """A database (backend name or conn_type) this project cannot talk to."""


class Dialect:
    """What differs between the databases we support; one shared instance per database."""

    name: ClassVar[str]  # the backend name, as SQLAlchemy spells it
    driver: ClassVar[str]  # the SQLAlchemy drivername of the URLs we build

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # --- shop writes -------------------------------------------------------------------------

    def upsert(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: Sequence[dict[str, Any]],
        update_columns: Iterable[str],
    ) -> None:
        """Insert rows, or update ``update_columns`` where the primary key exists (batched)."""
        if not rows:
            return
        stmt = self.upsert_statement(table, list(update_columns))
        for batch in chunks(rows):
            conn.execute(stmt, list(batch))

    def upsert_statement(self, table: sa.Table, update_columns: list[str]) -> sa.Insert:
        raise NotImplementedError

    def insert_rows(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
        """Plain multi-row inserts of a frame whose columns are ``table``'s column names; only
        queued while the connection queues inserts (``QUEUED_INSERTS``)."""
        if frame.empty:
            return
        queued = conn.info.get(QUEUED_INSERTS)
        if queued is not None:
            queued.append((table, frame))
            return
        self._insert_frame(conn, table, frame)

    def _insert_frame(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def reserve_ids(
        self, conn: sa.Connection, table: sa.Table, count: int, placeholder: dict[str, Any]
    ) -> list[int]:
        """``count`` new primary keys that the database never handed out and never will again
        (see the module function ``reserve_ids``)."""
        if count <= 0:
            return []
        return self._reserve(conn, table, count, placeholder)

    def _reserve(
        self, conn: sa.Connection, table: sa.Table, count: int, placeholder: dict[str, Any]
    ) -> list[int]:
        raise NotImplementedError

    def now(self, conn: sa.Connection) -> datetime:
        """The database's own clock, as its ``now()`` writes ``date_purchased``."""
        raise NotImplementedError

    def read_columns(self, conn: sa.Connection, tables: list[str]) -> list[ColumnSpec]:
        """The real column types of ``tables`` (those that exist)."""
        raise NotImplementedError

    def int_pairs(
        self, conn: sa.Connection, key: sa.Column, value: sa.Column, low: int, high: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``key`` and ``value`` (both integer, NOT NULL) of the rows whose key lies in
        [low, high], as two arrays."""
        rows = conn.execute(sa.select(key, value).where(key.between(low, high))).all()
        keys = np.fromiter((r[0] for r in rows), dtype="int64", count=len(rows))
        return keys, np.fromiter((r[1] for r in rows), dtype="int64", count=len(rows))

    # --- engines -----------------------------------------------------------------------------

    def url_for(self, conn_id: str, airflow_connection: Any) -> sa.URL:
        """The URL of an Airflow connection of this type; ``ConnectionSetupError`` if unusable."""
        raise NotImplementedError

    def create_engine(self, url: sa.URL) -> sa.Engine:
        """An engine whose sessions are set up as the sync expects."""
        raise NotImplementedError

    def where(self, url: sa.URL) -> str:
        """Where ``url`` points, without its password: ``host:port/db`` or the file."""
        raise NotImplementedError

    def table_checksums(self, conn: sa.Connection, tables: Sequence[str]) -> dict[str, str] | None:
        """A checksum of each table's content, where the server computes one (None: not here)."""
        return None

    # --- driver parameters -------------------------------------------------------------------

    def stream_cursor(self, dbapi_connection: Any) -> Any:
        """A cursor that hands rows over as they arrive, not after the whole result."""
        return dbapi_connection.cursor()

    def bind(self, compiled: sa.Compiled, params: Mapping[str, Any]) -> Any:
        """``params`` (by name) as the driver's ``execute`` takes them for ``compiled``."""
        raise NotImplementedError

    def bind_many(self, compiled: sa.Compiled, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Every row of ``rows`` as ``bind`` would give it, for the driver's ``executemany``."""
        return [self.bind(compiled, row) for row in rows]

    def bind_columns(
        self, compiled: sa.Compiled, columns: Mapping[str, Sequence[Any]]
    ) -> list[Any]:
        """``bind_many`` of rows given column by column (name -> values, equally long)."""
        names = list(columns)
        rows = zip(*columns.values(), strict=True)
        return self.bind_many(compiled, [dict(zip(names, row, strict=True)) for row in rows])


class MySQL(Dialect):
    """MySQL and MariaDB through PyMySQL: the merchants' shops, and BO where it runs there."""

    name = "mysql"
    driver = "mysql+pymysql"
    # Make every shop session strict, so a value that does not fit raises instead of being cut,
    # but allow the zero date: osCommerce stores "no birthday" as '0000-00-00 00:00:00' (MySQL
    # 8's default NO_ZERO_DATE would refuse what the shop itself writes).
    INIT_COMMAND = (
        "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(REPLACE("
        "CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES'), "
        "'NO_ZERO_IN_DATE', ''), 'NO_ZERO_DATE', ''), ',,', ','))"
    )
    _COLUMNS_SQL = sa.text(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, "
        "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, CHARACTER_SET_NAME, "
        "COLLATION_NAME "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME IN :tables"
    ).bindparams(sa.bindparam("tables", expanding=True))

    PACKED_ROWS = 50_000  # rows per packed read: about 1 MB of text, far below the packet limit

    def int_pairs(
        self, conn: sa.Connection, key: sa.Column, value: sa.Column, low: int, high: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Packed by the server into one text per block of keys ("k v k v ..."): PyMySQL
        parses a row in about 10 µs, a number in a text in a fraction of that."""
        conn.exec_driver_sql("SET SESSION group_concat_max_len = 67108864")
        table = key.table.name
        found: list[np.ndarray] = []
        for start in range(low, high + 1, self.PACKED_ROWS):
            stop = min(start + self.PACKED_ROWS - 1, high)
            packed = conn.exec_driver_sql(
                f"SELECT GROUP_CONCAT(`{key.name}`, ' ', `{value.name}` SEPARATOR ' ') "
                f"FROM `{table}` WHERE `{key.name}` BETWEEN %s AND %s",
                (start, stop),
            ).scalar()
            if packed:
                found.append(np.array(packed.split(), dtype="int64"))
        numbers = np.concatenate(found) if found else np.empty(0, dtype="int64")
        return numbers[0::2], numbers[1::2]

    def upsert_statement(self, table: sa.Table, update_columns: list[str]) -> sa.Insert:
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(table)
        # A no-op assignment keeps "insert or leave alone" valid when nothing is to update.
        columns = update_columns or [next(iter(table.primary_key.columns)).name]
        return stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in columns})

    def _insert_frame(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
        """Large frames: the server's bulk load where it takes them cleanly (``load_data``),
        else, like small ones, multi-row INSERTs. The path taken is noted on the connection
        (``bulk_paths``) for the step's report."""
        if len(frame) < load_data.LOAD_DATA_ROWS:
            self._insert_statements(conn, table, frame)
            return
        refused = load_data.load(conn, table.name, frame)
        paths = conn.info.setdefault(BULK_PATHS, {})
        if refused is None:
            paths[table.name] = load_data.LOADED
            return
        paths[table.name] = f"{load_data.INSERTED} ({load_data.LOADED}: {refused})"
        self._insert_statements(conn, table, frame)

    def _insert_statements(
        self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame
    ) -> None:
        """A helper thread escapes the next statement while the server executes the current one
        (the driver releases the GIL while it waits on the socket), on the same connection and
        transaction: the same SQL PyMySQL's ``executemany`` sends, in less time."""
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

    def _reserve(
        self, conn: sa.Connection, table: sa.Table, count: int, placeholder: dict[str, Any]
    ) -> list[int]:
        ids: list[int] = []
        while len(ids) < count:
            ids += _mysql_block(conn, table, min(MAX_BLOCK, count - len(ids)), placeholder)
        return ids

    def now(self, conn: sa.Connection) -> datetime:
        return conn.exec_driver_sql("SELECT NOW()").scalar_one()

    def read_columns(self, conn: sa.Connection, tables: list[str]) -> list[ColumnSpec]:
        """From ``information_schema.COLUMNS``: the types, charsets and collations the shop
        really has."""
        from bo_oscommerce.shop.columns import DECIMAL_TYPES, TEXT_BYTES, ColumnSpec

        specs = []
        for row in conn.execute(self._COLUMNS_SQL, {"tables": tables}):
            table, name, data_type, column_type, nullable, chars, precision, scale = row[:8]
            charset, collation = row[8], row[9]
            data_type = str(data_type).lower()
            specs.append(
                ColumnSpec(
                    table=str(table),
                    name=str(name),
                    data_type=data_type,
                    nullable=str(nullable).upper() == "YES",
                    max_chars=int(chars) if data_type in ("varchar", "char") else None,
                    max_bytes=TEXT_BYTES.get(data_type),
                    precision=int(precision) if data_type in DECIMAL_TYPES else None,
                    scale=int(scale) if data_type in DECIMAL_TYPES else None,
                    unsigned="unsigned" in str(column_type).lower(),
                    charset=str(charset or "binary"),
                    collation=str(collation or "binary"),
                )
            )
        return specs

    def url_for(self, conn_id: str, airflow_connection: Any) -> sa.URL:
        conn = airflow_connection
        if not conn.host or not conn.schema:
            raise _setup_error(
                f"connection {conn_id!r}: host and schema (the database name) must be set"
            )
        return sa.URL.create(
            self.driver,
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host,
            port=conn.port or 3306,
            database=conn.schema,
            query={"charset": "utf8mb4"},
        )

    def create_engine(self, url: sa.URL) -> sa.Engine:
        """Sessions strict; LOCAL INFILE announced, answered only for our own loads."""
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_recycle=3600,
            connect_args={"init_command": self.INIT_COMMAND, "connect_timeout": 10,
                          "local_infile": load_data.install_guard()},
        )  # fmt: skip
        sa.event.listen(engine, "do_connect", _connect_sharing_tls_context)
        sa.event.listen(engine, "connect", load_data.on_connect)
        return engine

    def where(self, url: sa.URL) -> str:
        return f"{url.host}:{url.port or 3306}/{url.database}"

    def table_checksums(self, conn: sa.Connection, tables: Sequence[str]) -> dict[str, str] | None:
        rows = conn.exec_driver_sql("CHECKSUM TABLE " + ", ".join(tables)).all()
        return {table.rsplit(".", 1)[-1]: str(checksum) for table, checksum in rows}

    def stream_cursor(self, dbapi_connection: Any) -> Any:
        """PyMySQL's unbuffered cursor: its default one reads the whole result first."""
        import pymysql.cursors

        return dbapi_connection.cursor(pymysql.cursors.SSCursor)

    def bind(self, compiled: sa.Compiled, params: Mapping[str, Any]) -> Any:
        return dict(params)  # PyMySQL's "pyformat": by name


class SQLite(Dialect):
    """SQLite: the demo shop and the demo BO (one writer at a time)."""

    name = "sqlite"
    driver = "sqlite"

    def upsert_statement(self, table: sa.Table, update_columns: list[str]) -> sa.Insert:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
        keys = [c.name for c in table.primary_key.columns]
        if update_columns:
            return stmt.on_conflict_do_update(
                index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns}
            )
        return stmt.on_conflict_do_nothing(index_elements=keys)

    def _insert_frame(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
        """The driver's executemany, values as the shop would hold them (datetimes as text, so
        the zero date '0000-00-00 00:00:00' goes in like any other)."""
        from bo_oscommerce.frames import frame_rows

        names = ", ".join(f'"{c}"' for c in frame.columns)
        marks = ", ".join("?" * len(frame.columns))
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        rows = [tuple(_sqlite_value(v) for v in row) for row in frame_rows(frame)]
        for batch in chunks(rows):
            conn.exec_driver_sql(sql, list(batch))

    def _reserve(
        self, conn: sa.Connection, table: sa.Table, count: int, placeholder: dict[str, Any]
    ) -> list[int]:
        return _sqlite_block(conn, table, count)

    def now(self, conn: sa.Connection) -> datetime:
        """The machine's local time, as the demo shop writes it."""
        text = conn.exec_driver_sql("SELECT datetime('now', 'localtime')").scalar_one()
        return datetime.fromisoformat(text)

    def read_columns(self, conn: sa.Connection, tables: list[str]) -> list[ColumnSpec]:
        """From the declared types of our own osCommerce table definitions."""
        from bo_oscommerce.shop.columns import declared_spec

        inspector = sa.inspect(conn)
        specs = []
        for table in tables:
            if not inspector.has_table(table):
                continue
            for column in inspector.get_columns(table):
                declared = column["type"].compile(dialect=conn.dialect)
                specs.append(declared_spec(table, column["name"], declared, column["nullable"]))
        return specs

    def url_for(self, conn_id: str, airflow_connection: Any) -> sa.URL:
        path = airflow_connection.host or airflow_connection.schema
        if not path:
            raise _setup_error(f"connection {conn_id!r}: sqlite needs a file path")
        # uri mode "rw": a wrong path is an error, not a new empty database
        return sa.URL.create(
            self.driver, database=f"file:{path}", query={"mode": "rw", "uri": "true"}
        )

    def create_engine(self, url: sa.URL) -> sa.Engine:
        # amounts arrive as Decimal (the shop's DECIMAL columns); SQLite stores them as numbers
        sqlite3.register_adapter(Decimal, str)
        engine = sa.create_engine(url)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

        return engine

    def where(self, url: sa.URL) -> str:
        return f"sqlite file {(url.database or '').removeprefix('file:')}"

    def bind(self, compiled: sa.Compiled, params: Mapping[str, Any]) -> Any:
        # "?" placeholders: a tuple in statement order
        return tuple(params[name] for name in compiled.positiontup or ())

    def bind_many(self, compiled: sa.Compiled, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        names = list(compiled.positiontup or ())
        return [tuple(row[n] for n in names) for row in rows]

    def bind_columns(
        self, compiled: sa.Compiled, columns: Mapping[str, Sequence[Any]]
    ) -> list[Any]:
        # no dict per row: the columns in statement order, zipped
        return list(zip(*(columns[n] for n in compiled.positiontup or ()), strict=True))


_MYSQL = MySQL()
# backend names (SQLAlchemy's, and Airflow's conn_types) -> dialect: the one place that decides
DIALECTS: dict[str, Dialect] = {"mysql": _MYSQL, "mariadb": _MYSQL, "sqlite": SQLite()}


def _connect_sharing_tls_context(
    _dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]
) -> Any:
    """A PyMySQL connection that builds PyMySQL's preferred (optional) TLS context once per
    process, and only when a server offers TLS: PyMySQL builds a fresh
    ``ssl.create_default_context()`` per connection (loading the system's CA store, ~25 ms
    of CPU), which made each watcher look cost 15x its query, and every task process paid
    it once even against a server without TLS."""
    return _shared_tls_connection_class()(*cargs, **cparams)


@functools.cache
def _shared_tls_connection_class() -> type:
    import pymysql.connections

    class PreferredTls:
        """Stands in for the preferred-TLS context; the real one is built on first use (the
        TLS handshake with a server that offers it), then shared by every connection."""

        @functools.cached_property
        def context(self) -> Any:
            return pymysql.connections.Connection._create_ssl_ctx(None, {})  # uses no self

        def __getattr__(self, name: str) -> Any:
            return getattr(self.context, name)

    preferred = PreferredTls()

    class SharedTlsConnection(pymysql.connections.Connection):
        def _create_ssl_ctx(self, sslp: Any) -> Any:
            if sslp:  # the connection's own TLS settings: its own context
                return super()._create_ssl_ctx(sslp)
            return preferred

    return SharedTlsConnection


def for_name(name: str) -> Dialect:
    """The dialect of a backend name or Airflow conn_type: ``mysql``, ``mariadb``, ``sqlite``."""
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        raise UnsupportedDialectError(
            f"unsupported database {name!r}; supported: {sorted(DIALECTS)}"
        ) from None


def dialect_of(target: sa.Connection | sa.Engine | sa.URL) -> Dialect:
    """The dialect of a connection, an engine or a URL."""
    if isinstance(target, sa.URL):
        return for_name(target.get_backend_name())
    return for_name(target.dialect.name)


def _setup_error(message: str) -> Exception:
    from bo_oscommerce.connections import ConnectionSetupError  # it imports us

    return ConnectionSetupError(message)


# --- the helpers sync steps call: each goes to the connection's dialect -------------------------


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
    dialect_of(conn).upsert(conn, table, rows, update_columns)


def insert_rows(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Plain multi-row inserts of a frame whose columns are ``table``'s column names.

    On MySQL a helper thread escapes the next statement while the server executes the
    current one (the driver releases the GIL while it waits on the socket), on the same
    connection and transaction: the same SQL PyMySQL's ``executemany`` sends, in less time.
    """
    dialect_of(conn).insert_rows(conn, table, frame)


def queue_inserts(conn: sa.Connection) -> None:
    """From now on ``insert_rows`` on ``conn`` only queues its frames, until
    ``run_queued_inserts`` writes them in the same transaction. For a load whose inserts add
    rows that nothing else in it reads or touches (new rows under ids it reserved): they may
    come last, so that what depends on the ids can start before the bulk of the writing."""
    conn.info[QUEUED_INSERTS] = []


def run_queued_inserts(conn: sa.Connection) -> None:
    """Write the frames queued on ``conn`` in their order; inserts are direct again."""
    for table, frame in conn.info.pop(QUEUED_INSERTS, None) or []:
        dialect_of(conn).insert_rows(conn, table, frame)


def int_pairs(
    conn: sa.Connection, key: sa.Column, value: sa.Column, low: int, high: int
) -> tuple[np.ndarray, np.ndarray]:
    """Two integer columns of the rows whose ``key`` lies in [low, high] (``key.table``)."""
    return dialect_of(conn).int_pairs(conn, key, value, low, high)


def shop_now(conn: sa.Connection) -> datetime:
    """The shop database's own clock, as its ``now()`` writes ``date_purchased`` (SQLite, the
    demo shop: the machine's local time)."""
    return dialect_of(conn).now(conn)


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
    return dialect_of(conn).reserve_ids(conn, table, count, placeholder)


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


# --- MySQL/MariaDB internals ---------------------------------------------------------------


def _mysql_statements(dbapi_conn: Any, table: str, frame: pd.DataFrame) -> Iterator[str]:
    """Multi-row INSERT statements of at most ~1 MB, values escaped by the driver itself
    (``mogrify`` honours the connection's charset and NO_BACKSLASH_ESCAPES)."""
    from bo_oscommerce.frames import frame_rows

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


# --- SQLite internals --------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, Decimal):
        return float(value)
    return value


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
