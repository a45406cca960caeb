"""The set-aside memo: an article the checks set aside is not checked again until it changes.

When the checks set an article aside, BO keeps a memo of what they saw (``osc_ausgesondert``):
a fingerprint of the article's rows as extracted (its fields and texts, not its sync marks),
a fingerprint of the check context (everything else the checks read: settings, VAT keys,
product groups, the shop's tax classes, languages and columns) and the reasons. An
incremental run skips an article whose memo still matches: nothing it would check changed,
so the verdict would be the same; it lists the article as still set aside, with the memo's
reasons. The fingerprint is of the content, not of the change marker, so an edit within the
marker's precision (two in one second) still counts. A load clears the memo.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pandas as pd

MEMO_COLUMN = "osc_ausgesondert"
MEMO_CHARS = 255  # the BO column's width
REASONS = " ~ "  # between two reasons in a memo
STILL_SET_ASIDE = "not checked again: unchanged since it was set aside"


def check_context(parts: dict[str, Any]) -> str:
    """A short fingerprint of what the checks read besides the article itself."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def fingerprints(rows: pd.DataFrame, key: str) -> pd.Series:
    """key -> a fingerprint of that key's rows (every column but the sync marks ``osc_*``),
    in a fixed order of rows and columns. Plain Python: it sees the few set-aside rows."""
    from bo_oscommerce.frames import frame_columns

    content = sorted(c for c in rows.columns if not str(c).startswith("osc_"))
    lines: dict[str, list[str]] = {}
    at = content.index(key)
    for row in zip(*frame_columns(rows[content]), strict=True):
        lines.setdefault(str(row[at]), []).append("\x1f".join(_canonical(v) for v in row))
    return pd.Series(
        {k: hashlib.sha256("\x1e".join(sorted(v)).encode()).hexdigest()[:16]
         for k, v in lines.items()},
        dtype=object,
    )  # fmt: skip


def _canonical(value: Any) -> str:
    """A value as text that does not depend on how a chunk's column was typed: missing as "",
    numbers in one notation (10, 10.0 and Decimal('10.0000') alike)."""
    if value is None or value != value:  # None, NaN, NaT
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f"{value:.6f}"
    return str(value)


def memo_rows(
    found: pd.Series, rejected: pd.DataFrame, key: str, context: str
) -> pd.DataFrame:
    """``key`` and memo of every key the checks set aside (``found``: the keys' fingerprints;
    ``rejected``: the verdict's ``key`` and ``reason``, one row per failed check)."""
    reasons = rejected.groupby("key", sort=False)["reason"].agg(
        lambda r: REASONS.join(dict.fromkeys(r))
    )
    reasons = reasons[reasons.index.isin(found.index)]
    memo = (found.reindex(reasons.index) + "|" + context + "|" + reasons).str.slice(0, MEMO_CHARS)
    return pd.DataFrame({key: memo.index.astype(str), MEMO_COLUMN: memo.to_numpy(dtype=object)})


def still_set_aside(rows: pd.DataFrame, key: str, context: str) -> pd.DataFrame:
    """Of ``rows`` (the extract's rows of keys with a memo, the memo among them), the keys
    whose memo still matches: ``key`` and the memo's reasons, one row per reason."""
    memo = rows.drop_duplicates(key).set_index(key)[MEMO_COLUMN].astype(str)
    fields = memo.str.split("|", n=2)
    now = fingerprints(rows, key).reindex(memo.index) + "|" + context
    same = (fields.str.slice(0, 2).str.join("|") == now).to_numpy()
    frame = pd.DataFrame({
        key: memo.index[same].astype(str), "reason": fields[same].str[2].fillna("").to_numpy()
    })  # fmt: skip
    frame["reason"] = frame["reason"].str.split(REASONS, regex=False)
    return frame.explode("reason", ignore_index=True)
