"""One way to tell BO what the shop now holds: ids, change markers and links (osc_bindung).

All statements of one entity run in one BO transaction after the shop commit. If BO refuses
them, the shop keeps its rows and the step reports what to fix; the next run finds the rows
again by their natural key (``identity.resolve``) and writes the ids then: nothing is created
twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.errors import explain
from bo_oscommerce.frames import frame_records

WRITE_STATEMENTS = (
    "writeback_warengruppe",
    "writeback_artikel",
    "writeback_menge",
    "unlink_warengruppe",
    "unlink_artikel",
    "writeback_bindung_loeschen",
    "writeback_bindung",
    "writeback_gespraechspartner",
    "unlink_gespraechspartner",
    "link_gespraechspartner",
    "nummern_reservieren",
    "insert_adresse",
    "insert_gespraechspartner",
    "insert_auftrag",
    "insert_auftragsposition",
    "writeback_auftrag_status",
    "reset_auftrag_status",
    "writeback_kunden_stand_loeschen",
    "writeback_kunden_stand",
    "writeback_willkommen_gesendet",
    "bestaetigen_kunde",
    "update_kontakt_aus_shop",
    "update_adresse_aus_shop",
)


class WriteBackError(RuntimeError):
    """BO refused the write-back after the shop commit."""


def bindings(bo: sa.Engine, entity: str) -> pd.DataFrame:
    """``bo_schluessel``, ``osc_id``, ``osc_schluessel`` of the links recorded for ``entity``."""
    frame = bo_io.query(bo, "extract_bindungen", {"entitaet": entity})
    return frame.astype({"bo_schluessel": str})


def relink(entity: str, links: pd.DataFrame) -> list[tuple[str, list[dict[str, Any]]]]:
    """Statements that record ``links`` (``bo_schluessel``, ``osc_id``, ``osc_schluessel``)."""
    if links.empty:
        return []
    rows = frame_records(
        links[["bo_schluessel", "osc_id", "osc_schluessel"]].assign(entitaet=entity)
    )
    return [
        (
            "writeback_bindung_loeschen",
            [{"entitaet": entity, "bo_schluessel": r["bo_schluessel"]} for r in rows],
        ),
        ("writeback_bindung", rows),
    ]


def unbind(entity: str, keys: Iterable[str]) -> list[tuple[str, list[dict[str, Any]]]]:
    rows = [{"entitaet": entity, "bo_schluessel": str(k)} for k in dict.fromkeys(keys)]
    return [("writeback_bindung_loeschen", rows)] if rows else []


def write_back(
    bo: sa.Engine,
    label: str,
    entity: str,
    steps: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
) -> dict[str, int]:
    """Run ``(statement, rows)`` steps in one BO transaction; returns the rows per statement.
    Raises ``WriteBackError`` with what to fix."""
    written: dict[str, int] = {}
    try:
        with bo.begin() as conn:
            for statement, rows in steps:
                count = bo_io.execute_many(conn, statement, rows)
                written[statement] = written.get(statement, 0) + count
    except sa.exc.SQLAlchemyError as exc:
        raise WriteBackError(
            f"{label} {entity}: the shop has this run's rows, but BO refused their ids "
            f"(include/sql/bo/{statement}.sql: {explain(exc)}). Fix that and run again: the "
            "next run finds the shop rows by their natural key and writes the ids then; "
            "nothing is created twice."
        ) from exc
    return written
