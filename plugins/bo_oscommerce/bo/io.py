"""BO reads and writes, all through the SQL files in ``include/sql/bo/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import query_frame
from bo_oscommerce.shop.dialect import chunks
from bo_oscommerce.sqlfiles import load_sql, load_statement, split_statements


def query(engine: sa.Engine, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run ``include/sql/bo/<name>.sql`` and return its rows."""
    with engine.connect() as conn:
        return query_frame(conn, sa.text(load_statement(f"bo/{name}.sql")), dict(params or {}))


def execute_many(engine: sa.Engine, name: str, rows: Sequence[Mapping[str, Any]]) -> int:
    """Run a write statement for every row, in one transaction; returns the row count."""
    if not rows:
        return 0
    compiled = sa.text(load_statement(f"bo/{name}.sql")).compile(dialect=engine.dialect)
    sql = str(compiled)
    if compiled.positional:  # e.g. SQLite's "?": the driver wants tuples in statement order
        names = list(compiled.positiontup or [])
        params: list[Any] = [tuple(r[n] for n in names) for r in rows]
    else:
        params = [dict(r) for r in rows]
    with engine.begin() as conn:  # the driver's executemany: no per-row SQLAlchemy work
        for batch in chunks(params, 5000):
            conn.exec_driver_sql(sql, list(batch))
    return len(rows)


def execute_script(engine: sa.Engine, name: str) -> None:
    with engine.begin() as conn:
        for statement in split_statements(load_sql(f"bo/{name}.sql")):
            conn.execute(sa.text(statement))


def probe(engine: sa.Engine, name: str, params: Mapping[str, Any] | None = None) -> None:
    """Run a read statement so that it returns no rows: proves tables and columns exist."""
    sql = load_statement(f"bo/{name}.sql")
    sql = sql.rsplit("ORDER BY", 1)[0]
    with engine.connect() as conn:
        conn.execute(sa.text(f"SELECT * FROM ({sql}) probe WHERE 1 = 0"), dict(params or {}))
