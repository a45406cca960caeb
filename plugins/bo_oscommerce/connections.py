"""Database engines built from Airflow connections (``AIRFLOW_CONN_...`` variables work).

We build SQLAlchemy engines ourselves: the Airflow MySQL provider needs mysqlclient, we use
PyMySQL. The connection's type picks its ``Dialect`` (``shop/dialect.py``), which builds the URL
and the engine with its driver quirks; the sync steps only ever see an ``Engine``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from bo_oscommerce.shop.dialect import (
    DIALECTS,
    Dialect,
    MySQL,
    UnsupportedDialectError,
    dialect_of,
    for_name,
)

# conn_type -> SQLAlchemy drivername of the URLs we build
SUPPORTED = {name: dialect.driver for name, dialect in DIALECTS.items()}
# the strict session setup of MySQL/MariaDB engines (scripts/benchmark.py imports it from here)
_MYSQL_INIT = MySQL.INIT_COMMAND


class ConnectionSetupError(RuntimeError):
    """A connection id that is missing or cannot be turned into an engine."""


@dataclass(frozen=True)
class Endpoint:
    """Where a connection points, with the password kept out of every text form."""

    conn_id: str
    url: sa.URL

    @property
    def dialect(self) -> Dialect:
        return dialect_of(self.url)

    @property
    def where(self) -> str:
        return self.dialect.where(self.url)

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
    return _endpoint(conn_id, _airflow_connection(conn_id))


async def aendpoint_for(conn_id: str) -> Endpoint:
    """``endpoint_for`` from a trigger's event loop (the triggerer's own connection access)."""
    from airflow.sdk import BaseHook

    try:
        conn = await BaseHook.aget_connection(conn_id)
    except Exception as exc:  # as in _airflow_connection
        raise ConnectionSetupError(f"Airflow connection {conn_id!r} is not defined") from exc
    return _endpoint(conn_id, conn)


def _endpoint(conn_id: str, conn: Any) -> Endpoint:
    conn_type = (conn.conn_type or "").lower()
    try:
        dialect = for_name(conn_type)
    except UnsupportedDialectError:
        raise ConnectionSetupError(
            f"connection {conn_id!r} has type {conn_type!r}; supported: {sorted(SUPPORTED)}"
        ) from None
    return Endpoint(conn_id, dialect.url_for(conn_id, conn))


def create_engine_for(endpoint: Endpoint) -> sa.Engine:
    return endpoint.dialect.create_engine(endpoint.url)


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
