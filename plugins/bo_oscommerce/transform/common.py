"""Small helpers shared by the transforms."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Cleaned:
    """Rows changed by a cleaning rule: rule -> list of keys."""

    rules: dict[str, list[str]] = field(default_factory=dict)

    def add(self, rule: str, keys: pd.Series) -> None:
        if len(keys):
            # a rule applied in several languages still lists each row once
            listed = self.rules.get(rule, [])
            self.rules[rule] = list(dict.fromkeys([*listed, *(str(k) for k in keys)]))

    @property
    def count(self) -> int:
        return len({k for keys in self.rules.values() for k in keys})


def is_in(values: pd.Series, keys: Collection[object] | pd.Series) -> np.ndarray:
    """``values.isin(keys)`` for many keys: for a column of Arrow strings (what ``astype(str)``
    gives) pandas converts the keys one by one into Arrow scalars; Arrow's own ``is_in`` does
    it in one go (keys given as a column of Arrow strings are not even taken apart)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return values.isin(keys).to_numpy(dtype=bool)
    array = pa.array(values.array, from_pandas=True)
    try:
        if isinstance(keys, pd.Series):
            value_set = pa.array(keys.array, from_pandas=True).cast(array.type)
        else:
            value_set = pa.array(list(keys), type=array.type)
        found = pc.is_in(array, value_set=value_set)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # no text keys
        return values.isin(keys).to_numpy(dtype=bool)
    return found.to_numpy(zero_copy_only=False).astype(bool)


def texts(values: pd.Series) -> pd.Series:
    """Texts trimmed, missing values as '' (the shop's NOT NULL text columns take '')."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("").str.strip()
    present = values.astype(object).where(values.notna(), "").to_numpy()
    return pd.Series([str(v).strip() for v in present], index=values.index, dtype="str")


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
    cleaned: Cleaned | None = None,
) -> pd.DataFrame:
    """One row per ``key`` with a column ``<target>__<osc code>`` per text field and language.

    ``long`` has a row per key and BO language (``sprache``). ``fields`` maps a source column of
    ``long`` to its target name; a missing text falls back to the default language's text, then
    to the ``fallback`` column of the key's main row (the BO master name). Each fallback is
    recorded in ``cleaned`` (rule "<target> (<code>) missing: ... used").
    """
    keys = long[[key, *fallback.values()]].drop_duplicates(key).set_index(key)
    texts = long[long["sprache"].isin(list(languages))].copy()
    for source in fields:  # a blank text counts as missing, so it falls back like one
        blank = texts[source].astype("string").str.strip().eq("").fillna(False).astype(bool)
        if blank.any():
            texts[source] = texts[source].where(~blank, None)
    wide = texts.set_index([key, "sprache"])[list(fields)].unstack("sprache").reindex(keys.index)
    empty = pd.Series(None, index=keys.index, dtype=object)
    out = pd.DataFrame(index=keys.index)
    for source, target in fields.items():
        own_default = wide.get((source, default_language), empty)
        default = own_default
        if target in fallback:
            default = default.where(default.notna(), keys[fallback[target]])
        for bo_language, osc_code in languages.items():
            column = wide.get((source, bo_language), empty)
            out[f"{target}__{osc_code}"] = column.where(column.notna(), default)
            if cleaned is None:
                continue
            missing = column.isna()
            if bo_language != default_language:
                cleaned.add(
                    f"{target} ({osc_code}) missing in BO: default-language text used",
                    keys.index[missing & own_default.notna()].to_series(),
                )
            if target in fallback:
                cleaned.add(
                    f"{target} ({osc_code}) missing in BO: the BO name used",
                    keys.index[missing & own_default.isna()].to_series(),
                )
    return out.reset_index()
