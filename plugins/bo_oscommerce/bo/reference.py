"""The reference BO schema (``include/sql/bo/schema.sql``): create and drop it.

Used by the demo and the tests only; a real installation has its own BO tables.
"""

from __future__ import annotations

import re

import sqlalchemy
from sqlalchemy import text

from bo_oscommerce.sqlfiles import load_sql, split_statements

SCHEMA_FILE = "bo/schema.sql"

_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\s+(\w+)", re.IGNORECASE)


def schema_statements() -> list[str]:
    """The statements of the reference schema, in file order."""
    return split_statements(load_sql(SCHEMA_FILE))


def reference_table_names() -> list[str]:
    """Names of the tables the reference schema creates, in file order."""
    names = []
    for statement in schema_statements():
        match = _CREATE_TABLE.match(statement)
        if match:
            names.append(match.group(1))
    return names


def create_reference_schema(engine: sqlalchemy.Engine) -> None:
    """Create every table and index of the reference schema in one transaction.

    MariaDB/MySQL commit DDL implicitly, so there a failure can leave some tables behind;
    ``drop_reference_schema`` cleans up.
    """
    with engine.begin() as conn:
        for statement in schema_statements():
            conn.execute(text(statement))


def drop_reference_schema(engine: sqlalchemy.Engine) -> None:
    """Drop the reference tables that exist (their indexes go with them)."""
    with engine.begin() as conn:
        for name in reversed(reference_table_names()):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
