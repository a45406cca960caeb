"""BO reads and writes, all through the SQL files in ``include/sql/bo/``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce import frames
from bo_oscommerce.frames import FETCH, query_frame
from bo_oscommerce.shop.dialect import chunks, dialect_of
from bo_oscommerce.sqlfiles import load_sql, load_statement, split_statements


def _lists(params: Mapping[str, Any]) -> list[str]:
    """The parameters that are IN lists (``IN :name``, a list value)."""
    return [key for key, value in params.items() if isinstance(value, list | tuple)]


def _text(sql: str, params: Mapping[str, Any]) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(key, expanding=True) for key in _lists(params)))


def _statement(name: str, params: Mapping[str, Any]) -> sa.TextClause:
    """``include/sql/bo/<name>.sql`` with its IN lists."""
    return _text(load_statement(f"bo/{name}.sql"), params)


def query(engine: sa.Engine, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run ``include/sql/bo/<name>.sql`` and return its rows."""
    params = dict(params or {})
    statement = _statement(name, params)
    with engine.connect() as conn:
        if _lists(params):
            return frames.result_frame(conn.execute(statement, params))  # IN lists: SQLAlchemy
        return query_frame(conn, statement, params)


def query_parts(
    engine: sa.Engine,
    name: str,
    params: Mapping[str, Any] | None = None,
    rows: int = FETCH,
    key: str | None = None,
) -> Iterator[pd.DataFrame]:
    """``query`` in parts of about ``rows`` rows, a ``key``'s rows in one part."""
    params = dict(params or {})
    with engine.connect() as conn:
        yield from frames.query_parts(conn, _statement(name, params), params, rows, key)


def query_for(
    engine: sa.Engine, name: str, column: str, values: Sequence[Any], size: int = 2000
) -> Iterator[pd.DataFrame]:
    """``query`` with the list parameter ``column`` bound to ``values``, ``size`` at a time
    (one empty part for no values)."""
    for batch in chunks(list(values), size) if len(values) else [[]]:
        yield query(engine, name, {column: list(batch)})


def execute_many(
    target: sa.Engine | sa.Connection, name: str, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run a write statement for every row; returns the row count. On an engine it is one
    transaction of its own; on a connection it joins the caller's transaction."""
    if not rows:
        return 0
    compiled = sa.text(load_statement(f"bo/{name}.sql")).compile(dialect=target.dialect)
    return _execute(target, str(compiled), dialect_of(target).bind_many(compiled, rows))


def execute_columns(
    target: sa.Engine | sa.Connection, name: str, columns: Mapping[str, Sequence[Any]]
) -> int:
    """``execute_many`` of rows given column by column (name -> values, equally long): a
    frame's rows go to the driver without a dict per row."""
    if not columns or not len(next(iter(columns.values()))):
        return 0
    compiled = sa.text(load_statement(f"bo/{name}.sql")).compile(dialect=target.dialect)
    return _execute(target, str(compiled), dialect_of(target).bind_columns(compiled, columns))


def _execute(target: sa.Engine | sa.Connection, sql: str, params: list[Any]) -> int:
    """``params`` as the driver wants them; on an engine in a transaction of its own."""
    if isinstance(target, sa.Engine):
        with target.begin() as conn:
            return _executemany(conn, sql, params)
    return _executemany(target, sql, params)


def _executemany(conn: sa.Connection, sql: str, params: list[Any]) -> int:
    for batch in chunks(params, 5000):  # the driver's executemany: no per-row SQLAlchemy work
        conn.exec_driver_sql(sql, list(batch))
    return len(params)


def probe_write(conn: sa.Connection, name: str) -> None:
    """Run a write statement once with values that match no row: proves the statement parses
    and that BO grants this user the right to run it. The caller rolls back."""
    statement = sa.text(load_statement(f"bo/{name}.sql"))
    conn.execute(statement, {key: _probe_value(key) for key in statement.compile().params})


# no BO key looks like this, so an UPDATE or DELETE probe matches no row
PROBE_VALUE = "~bo-osc-probe~"


def _probe_value(name: str) -> Any:
    """A value of the parameter's type, by the naming convention of include/sql/bo."""
    if name.endswith("_id") or name in ("osc_menge", "osc_texte"):
        return -1
    if "stand" in name or name.endswith("_am"):
        return datetime(1970, 1, 2)
    return PROBE_VALUE


def execute_script(engine: sa.Engine, name: str) -> None:
    with engine.begin() as conn:
        for statement in split_statements(load_sql(f"bo/{name}.sql")):
            conn.execute(sa.text(statement))


def probe(engine: sa.Engine, name: str, params: Mapping[str, Any] | None = None) -> None:
    """Run a read statement so that it returns no rows: proves tables and columns exist."""
    params = dict(params or {})
    sql = load_statement(f"bo/{name}.sql")
    sql = sql.rsplit("ORDER BY", 1)[0]
    with engine.connect() as conn:
        conn.execute(_text(f"SELECT * FROM ({sql}) probe WHERE 1 = 0", params), params)
