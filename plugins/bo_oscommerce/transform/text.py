"""Cleaning rules for texts bound for osCommerce's utf8 (3-byte) columns.

Documented rules (README "Bad data"), driven by the shop's real column (``ColumnSpec``):
- control characters (C0 except tab, line feed and carriage return; DEL) are removed: no
  column of the shop or BO is meant to hold them, and a storefront or feed cannot show them;
- characters outside the Basic Multilingual Plane (emoji and the like) are removed when the
  column is 3-byte ``utf8``, as osCommerce's tables are; surrounding whitespace is collapsed;
- a name longer than its column is cut to the column width (trailing space removed);
- a long text longer than its column's bytes (TEXT: 65 535) is cut at a character boundary.
Each rule reports which rows it changed, so the run can count cleaned rows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FOUR_BYTE = r"[\U00010000-\U0010FFFF]"
# C0 controls but tab, LF, CR, and DEL; the same syntax for Python's re and Arrow's RE2
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def arrow_text(values: pd.Series) -> Any:
    """``values`` as one Arrow ``large_string`` column, missing values null: text as it is (one
    conversion), anything else as pandas' ``astype("string")`` writes it."""
    import pyarrow as pa

    try:
        return pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return pa.array(values.astype("string"), type=pa.large_string())


def regex_mask(values: pd.Series, pattern: str) -> pd.Series:
    """Mask of the values ``pattern`` finds something in (RE2 via Arrow, the search pandas'
    ``str.contains`` runs on Arrow text: linear, fast); missing values: False."""
    import pyarrow.compute as pc

    found = pc.match_substring_regex(arrow_text(values), pattern)
    return (
        pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)
        .fillna(False)
        .astype(bool)
    )


def has_four_byte(values: pd.Series) -> pd.Series:
    """Mask of the values holding a character outside the BMP."""
    return regex_mask(values, r"[\x{10000}-\x{10FFFF}]")


def has_control(values: pd.Series) -> pd.Series:
    """Mask of the values holding a control character."""
    return regex_mask(values, CONTROL)


def cut_to_bytes(values: pd.Series, max_bytes: int) -> tuple[pd.Series, pd.Series]:
    """Values whose UTF-8 form is cut to ``max_bytes`` at a character boundary, and a mask of
    the values that were longer."""
    text = values.astype("string")
    # a character takes at most 4 bytes: only values longer than max_bytes / 4 can be too long
    maybe = text.str.len().gt(max_bytes // 4).fillna(False).astype(bool)
    too_long = pd.Series(False, index=values.index)
    if maybe.any():
        too_long[maybe] = text[maybe].map(lambda v: len(v.encode("utf-8")) > max_bytes)
    if not too_long.any():
        return values, too_long
    cut = values.astype(object).where(values.notna(), None)
    cut[too_long] = [
        v.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore").rstrip()
        for v in text[too_long]
    ]
    return cut, too_long


def fit_text(values: pd.Series, spec: Any) -> tuple[pd.Series, dict[str, pd.Series]]:
    """``values`` made to fit the shop column ``spec``: control characters removed, 4-byte
    characters removed where the column cannot store them, then cut to its characters or
    bytes. Returns the values (text or None) and a mask per rule that fired (rule text ->
    mask). Every rule works on one Arrow text column, converted once, not once per rule."""
    fired: dict[str, pd.Series] = {}
    text = values.astype("string")
    had = has_control(text)
    fired[f"control characters removed from {spec.name}"] = had
    if had.any():
        text = text.copy()
        text[had] = text[had].str.replace(CONTROL, "", regex=True)
    if not spec.four_byte_ok:
        had = has_four_byte(text)
        fired[f"4-byte characters removed from {spec.name}"] = had
        if had.any():
            text = text.copy()
            text[had] = (
                text[had]
                .str.replace(FOUR_BYTE, "", regex=True)
                .str.replace(r"\s{2,}", " ", regex=True)
                .str.strip()
            )
    if spec.max_chars is not None:
        too_long = text.str.len().gt(spec.max_chars).fillna(False).astype(bool)
        fired[f"{spec.name} cut to {spec.max_chars} characters"] = too_long
        if too_long.any():
            text = text.where(~too_long, text.str.slice(0, spec.max_chars).str.rstrip())
    elif spec.max_bytes is not None:
        cut, too_long = cut_to_bytes(text, spec.max_bytes)
        fired[f"{spec.name} cut to {spec.max_bytes} bytes"] = too_long
        if too_long.any():
            text = cut.astype("string")
    return text.astype(object).where(text.notna(), None), fired
