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
    stmt = sa.text(load_statement(f"bo/{name}.sql"))
    with engine.begin() as conn:
        for batch in chunks(list(rows), 5000):
            conn.execute(stmt, [dict(r) for r in batch])
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
