"""Database engines built from Airflow connections (``AIRFLOW_CONN_...`` variables work).

We build SQLAlchemy engines ourselves: the Airflow MySQL provider needs mysqlclient, we use
PyMySQL. Driver quirks stay here; the sync steps only ever see an ``Engine``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa

SUPPORTED = {"mysql": "mysql+pymysql", "mariadb": "mysql+pymysql", "sqlite": "sqlite"}

# Make every shop session strict, so a value that does not fit raises instead of being cut,
# but allow the zero date: osCommerce stores "no birthday" as '0000-00-00 00:00:00' (MySQL 8's
# default NO_ZERO_DATE would refuse what the shop itself writes).
_MYSQL_INIT = (
    "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(REPLACE("
    "CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_TRANS_TABLES'), "
    "'NO_ZERO_IN_DATE', ''), 'NO_ZERO_DATE', ''), ',,', ','))"
)


class ConnectionSetupError(RuntimeError):
    """A connection id that is missing or cannot be turned into an engine."""


@dataclass(frozen=True)
class Endpoint:
    """Where a connection points, with the password kept out of every text form."""

    conn_id: str
    url: sa.URL

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def where(self) -> str:
        if self.dialect == "sqlite":
            return f"sqlite file {(self.url.database or '').removeprefix('file:')}"
        port = self.url.port or 3306
        return f"{self.url.host}:{port}/{self.url.database}"

    def __str__(self) -> str:
        return f"connection {self.conn_id!r} ({self.where})"


def _airflow_connection(conn_id: str) -> Any:
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # AirflowNotFoundException and secrets-backend errors alike
        raise ConnectionSetupError(
            f"Airflow connection {conn_id!r} is not defined: create it in the Airflow UI "
            f"(Admin > Connections) or set AIRFLOW_CONN_{conn_id.upper()}"
        ) from exc


def endpoint_for(conn_id: str) -> Endpoint:
    conn = _airflow_connection(conn_id)
    conn_type = (conn.conn_type or "").lower()
    if conn_type not in SUPPORTED:
        raise ConnectionSetupError(
            f"connection {conn_id!r} has type {conn_type!r}; supported: {sorted(SUPPORTED)}"
        )
    if conn_type == "sqlite":
        path = conn.host or conn.schema
        if not path:
            raise ConnectionSetupError(f"connection {conn_id!r}: sqlite needs a file path")
        # uri mode "rw": a wrong path is an error, not a new empty database
        return Endpoint(
            conn_id,
            sa.URL.create("sqlite", database=f"file:{path}", query={"mode": "rw", "uri": "true"}),
        )
    if not conn.host or not conn.schema:
        raise ConnectionSetupError(
            f"connection {conn_id!r}: host and schema (the database name) must be set"
        )
    url = sa.URL.create(
        SUPPORTED[conn_type],
        username=conn.login or None,
        password=conn.password or None,
        host=conn.host,
        port=conn.port or 3306,
        database=conn.schema,
        query={"charset": "utf8mb4"},
    )
    return Endpoint(conn_id, url)


def create_engine_for(endpoint: Endpoint) -> sa.Engine:
    if endpoint.dialect == "sqlite":
        # amounts arrive as Decimal (the shop's DECIMAL columns); SQLite stores them as numbers
        sqlite3.register_adapter(Decimal, str)
        engine = sa.create_engine(endpoint.url)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

        return engine
    return sa.create_engine(
        endpoint.url,
        pool_pre_ping=True,
        pool_recycle=3600,
        connect_args={"init_command": _MYSQL_INIT, "connect_timeout": 10},
    )


@cache
def engine_for(conn_id: str) -> sa.Engine:
    """One engine per connection id and process (tasks run in their own processes)."""
    return create_engine_for(endpoint_for(conn_id))


def passwords(conn_ids: list[str]) -> list[str]:
    """The passwords of these connections (any type; those that resolve), as written and as
    they appear in a URI, to keep them out of reports."""
    from urllib.parse import quote

    found: list[str] = []
    for conn_id in conn_ids:
        try:
            password = _airflow_connection(conn_id).password
        except ConnectionSetupError:
            continue
        if password:
            found += dict.fromkeys([str(password), quote(str(password), safe="")])
    return found
