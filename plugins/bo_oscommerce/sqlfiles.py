"""SQL files an installation may adapt: located under ``include/sql/`` and read at run time."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

_DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "include" / "sql"


def sql_root() -> Path:
    """``BO_OSC_SQL_DIR`` points an installation at its own adapted copy of ``include/sql``."""
    return Path(os.environ.get("BO_OSC_SQL_DIR", _DEFAULT_ROOT))


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load_sql(name: str) -> str:
    """Text of ``include/sql/<name>``, e.g. ``load_sql("bo/extract_artikel.sql")``."""
    path = sql_root() / name
    if not path.is_file():
        raise FileNotFoundError(f"SQL file {name!r} not found under {sql_root()}")
    return _read(path)


def strip_comments(script: str) -> str:
    """Without ``--`` comments (they may mention ``:names`` that are no bind parameters)."""
    return re.sub(r"--[^\n]*", "", script).strip()


def split_statements(script: str) -> list[str]:
    """Split a script of plain statements on ``;`` (no procedures, no ``;`` inside literals)."""
    return [s.strip() for s in strip_comments(script).split(";") if s.strip()]


def load_statement(name: str) -> str:
    """One statement from ``include/sql/<name>``, comments removed, no trailing ``;``."""
    return strip_comments(load_sql(name)).rstrip(";").strip()
