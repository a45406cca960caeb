"""BO reads of one row, without pandas: the watchers and a scheduled run's first look run in
processes that should not pay for importing it (a third of a one-task run's CPU)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bo_oscommerce.sqlfiles import load_statement


def first_row(engine: sa.Engine, name: str) -> dict[str, Any]:
    """The first row of ``include/sql/bo/<name>.sql`` (empty: no row)."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(load_statement(f"bo/{name}.sql"))).mappings().first()
    return dict(row) if row is not None else {}
