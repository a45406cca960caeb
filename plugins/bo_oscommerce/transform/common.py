"""Small helpers shared by the transforms."""

from __future__ import annotations

import pandas as pd


def to_timestamp(values: pd.Series) -> pd.Series:
    """BO change markers as pandas timestamps (SQLite hands out text, MariaDB datetimes)."""
    return pd.to_datetime(values, errors="coerce").astype("datetime64[us]")


def latest(*columns: pd.Series) -> pd.Series:
    """Row-wise newest of several timestamp columns, ignoring missing values."""
    return pd.concat(columns, axis=1).max(axis=1)


def pivot_texts(
    long: pd.DataFrame,
    key: str,
    languages: dict[str, str],
    default_language: str,
    fields: dict[str, str],
    fallback: dict[str, str],
) -> pd.DataFrame:
    """One row per ``key`` with a column ``<target>__<osc code>`` per text field and language.

    ``long`` has a row per key and BO language (``sprache``). ``fields`` maps a source column of
    ``long`` to its target name; a missing text falls back to the default language's text, then
    to the ``fallback`` column of the key's main row (the BO master name).
    """
    keys = long[[key, *fallback.values()]].drop_duplicates(key).set_index(key)
    texts = long[long["sprache"].isin(list(languages))].copy()
    for source in fields:  # a blank text counts as missing, so it falls back like one
        blank = texts[source].astype("string").str.strip().eq("").fillna(False).astype(bool)
        texts[source] = texts[source].where(~blank, None)
    wide = texts.set_index([key, "sprache"])[list(fields)].unstack("sprache").reindex(keys.index)
    empty = pd.Series(None, index=keys.index, dtype=object)
    out = pd.DataFrame(index=keys.index)
    for source, target in fields.items():
        default = wide.get((source, default_language), empty)
        if target in fallback:
            default = default.where(default.notna(), keys[fallback[target]])
        for bo_language, osc_code in languages.items():
            column = wide.get((source, bo_language), empty)
            out[f"{target}__{osc_code}"] = column.where(column.notna(), default).astype(object)
    return out.reset_index()
