"""One way to write into BO: a declared statement (``field_maps.STATEMENTS``) and its rows.

The write-back tells BO what the shop now holds: ids, change markers, links (osc_bindung).
All statements of one entity (of a chunk) run in one BO transaction that commits after the
shop's commit (products run them while the shop takes their new rows, ADR 13). If BO refuses
them, the shop keeps its rows and the step reports what to fix; the next run finds the rows
again by their natural key (``identity.resolve``) and writes the ids then: nothing is created
twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.errors import explain
from bo_oscommerce.field_maps import (
    NUMMERN_RESERVIEREN,
    STATEMENTS,
    WRITEBACK_BINDUNG,
    WRITEBACK_BINDUNG_LOESCHEN,
)
from bo_oscommerce.fields import FieldMap
from bo_oscommerce.sqlfiles import load_statement

Rows = pd.DataFrame | Sequence[Mapping[str, Any]]
Statement = tuple[FieldMap, Rows]  # a declared BO statement and its rows
WRITE_STATEMENTS = tuple(STATEMENTS)  # every BO statement the sync writes with


class WriteBackError(RuntimeError):
    """BO refused the write-back after the shop commit."""


def bindings(bo: sa.Engine, entity: str) -> pd.DataFrame:
    """``bo_schluessel``, ``osc_id``, ``osc_schluessel`` of the links recorded for ``entity``."""
    frame = bo_io.query(bo, "extract_bindungen", {"entitaet": entity})
    return frame.astype({"bo_schluessel": str})


def relink(entity: str, links: pd.DataFrame) -> list[Statement]:
    """Statements that record ``links`` (``bo_schluessel``, ``osc_id``, ``osc_schluessel``)."""
    if links.empty:
        return []
    rows = links[["bo_schluessel", "osc_id", "osc_schluessel"]].assign(entitaet=entity)
    return [(WRITEBACK_BINDUNG_LOESCHEN, rows), (WRITEBACK_BINDUNG, rows)]


def unbind(entity: str, keys: Iterable[str]) -> list[Statement]:
    rows = [{"entitaet": entity, "bo_schluessel": str(k)} for k in dict.fromkeys(keys)]
    return [(WRITEBACK_BINDUNG_LOESCHEN, rows)] if rows else []


def write(conn: sa.Connection | sa.Engine, fields: FieldMap, rows: Rows) -> int:
    """Run the declared statement of ``fields`` for every row; on a connection in the caller's
    transaction, on an engine in one of its own. Returns the row count."""
    assert fields.statement, f"{fields.table}: no BO statement declared"
    if isinstance(rows, pd.DataFrame):
        return bo_io.execute_columns(conn, fields.statement, fields.parameters(rows))
    return bo_io.execute_many(conn, fields.statement, fields.rows(rows))


def reserve_numbers(conn: sa.Connection, name: str, count: int) -> list[int]:
    """``count`` numbers from BO's number range ``name`` (adapted SQL: nummern_*.sql), in the
    caller's transaction."""
    write(conn, NUMMERN_RESERVIEREN, [{"name": name, "anzahl": count}])
    statement = sa.text(load_statement("bo/nummern_lesen.sql"))
    last = int(conn.execute(statement, {"name": name}).scalar_one())
    return list(range(last - count + 1, last + 1))


def write_back(
    bo: sa.Engine,
    label: str,
    entity: str,
    steps: Sequence[Statement],
    before_commit: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Run the ``(declared statement, rows)`` steps in one BO transaction; returns the rows per
    statement. Raises ``WriteBackError`` with what to fix. ``before_commit`` runs after the
    statements, inside the transaction: what it raises rolls BO back and propagates."""
    written: dict[str, int] = {}
    statement = ""
    try:
        with bo.begin() as conn:
            for fields, rows in steps:
                statement = str(fields.statement)
                written[statement] = written.get(statement, 0) + write(conn, fields, rows)
            if before_commit is not None:
                before_commit()
    except sa.exc.SQLAlchemyError as exc:
        raise WriteBackError(
            f"{label} {entity}: the shop has this run's rows, but BO refused their ids "
            f"(include/sql/bo/{statement}.sql: {explain(exc)}). Fix that and run again: the "
            "next run finds the shop rows by their natural key and writes the ids then; "
            "nothing is created twice."
        ) from exc
    return written
