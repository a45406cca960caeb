"""Cleaning rules for texts bound for osCommerce's utf8 (3-byte) columns.

Documented rules (README "Bad data"):
- characters outside the Basic Multilingual Plane (emoji and the like) are removed, because
  osCommerce tables are ``utf8`` and cannot store them; surrounding whitespace is collapsed;
- a name longer than its column is cut to the column width (trailing space removed).
Each rule reports which rows it changed, so the run can count cleaned rows.
"""

from __future__ import annotations

import pandas as pd

FOUR_BYTE = r"[\U00010000-\U0010FFFF]"


def has_four_byte(values: pd.Series) -> pd.Series:
    """Mask of the values holding a character outside the BMP (RE2 via Arrow: linear, fast)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.array(values.astype("string"), type=pa.large_string())
    found = pc.match_substring_regex(arrow, r"[\x{10000}-\x{10FFFF}]")
    return (
        pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)
        .fillna(False)
        .astype(bool)
    )


def strip_four_byte(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Values without 4-byte characters, and a mask of the values that had any."""
    text = values.astype("string")
    had = has_four_byte(values)
    if not had.any():
        return values, had
    cleaned = values.astype(object).where(values.notna(), None)
    cleaned[had] = (
        text[had]
        .str.replace(FOUR_BYTE, "", regex=True)
        .str.replace(r"\s{2,}", " ", regex=True)
        .str.strip()
        .astype(object)
    )
    return cleaned, had


def cut_to_width(values: pd.Series, width: int) -> tuple[pd.Series, pd.Series]:
    """Values cut to ``width`` characters, and a mask of the values that were longer."""
    text = values.astype("string")
    too_long = text.str.len().gt(width).fillna(False).astype(bool)
    if not too_long.any():
        return values, too_long
    cut = text.where(~too_long, text.str.slice(0, width).str.rstrip())
    return cut.astype(object).where(cut.notna(), None), too_long
