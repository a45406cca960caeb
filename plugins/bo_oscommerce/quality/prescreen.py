"""Which checks of a suite can fail on a frame at all.

Great Expectations costs a fixed 10-20 ms per expectation and validation (it builds a metric
graph for each), whatever the frame's size; on clean rows most of a suite's checks find
nothing. A check passes to GX unless one vectorised pandas pass, the very operation GX's
pandas engine runs for that expectation (``column.isin``, ``column.astype(str).str.len()``,
``column.astype(str).str.contains``, comparisons, ``isnull``), shows that no row can fail
it. GX stays the judge of every row it reports, with its reason: a check left out here is
one whose verdict is known to be "no row". Anything not known exactly (another expectation,
other arguments, a missing column, values of an unexpected type, an error) goes to GX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from pandas.api import types

from bo_oscommerce.quality.validation import Check
from bo_oscommerce.transform.text import regex_mask

Rule = Callable[[pd.Series, dict[str, Any]], bool]


def may_fail(check: Check, frame: pd.DataFrame) -> bool:
    """False only when no row of ``frame`` can fail ``check``."""
    kwargs = dict(check.kwargs)
    column = kwargs.pop("column", None)
    rule, allowed = RULES.get(check.expectation, (None, set()))
    if rule is None or column not in frame.columns or set(kwargs) - allowed:
        return True
    try:
        return bool(rule(frame[column], kwargs))
    except Exception:  # noqa: BLE001 - unsure: GX decides (and reports its own error)
        return True


def _present(values: pd.Series) -> pd.Series:
    return values[~values.isnull()]


def _in_set(values: pd.Series, kwargs: dict[str, Any]) -> bool:
    if types.is_datetime64_any_dtype(values):
        return True  # GX parses the set as dates there
    return bool((~_present(values).isin(kwargs["value_set"])).any())


def _not_in_set(values: pd.Series, kwargs: dict[str, Any]) -> bool:
    if types.is_datetime64_any_dtype(values):
        return True
    return bool(_present(values).isin(kwargs["value_set"]).any())


def _outside(numbers: pd.Series, kwargs: dict[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is None and high is None:
        return True  # GX refuses the check: let it say so
    below = (numbers < low).any() if low is not None else False
    above = (numbers > high).any() if high is not None else False
    return bool(below or above)


def _between(values: pd.Series, kwargs: dict[str, Any]) -> bool:
    if not types.is_numeric_dtype(values) or types.is_bool_dtype(values):
        return True  # text, dates, Decimal objects: GX's own comparison rules apply
    return _outside(_present(values), kwargs)


def _lengths(values: pd.Series, kwargs: dict[str, Any]) -> bool:
    return _outside(_present(values).astype(str).str.len(), kwargs)


def _matches(values: pd.Series, kwargs: dict[str, Any]) -> pd.Series:
    """``astype(str).str.contains``: pandas' text is Arrow's, and ``str.contains`` is Arrow's
    RE2 ``match_substring_regex``; the values go to it directly (a quarter of the time)."""
    return regex_mask(_present(values), kwargs["regex"])


RULES: dict[str, tuple[Rule, set[str]]] = {
    "ExpectColumnValuesToNotBeNull": (lambda v, _: bool(v.isnull().any()), set()),
    "ExpectColumnValuesToBeNull": (lambda v, _: bool((~v.isnull()).any()), set()),
    "ExpectColumnValuesToBeUnique": (lambda v, _: bool(_present(v).duplicated().any()), set()),
    "ExpectColumnValuesToBeInSet": (_in_set, {"value_set"}),
    "ExpectColumnValuesToNotBeInSet": (_not_in_set, {"value_set"}),
    "ExpectColumnValuesToBeBetween": (_between, {"min_value", "max_value"}),
    "ExpectColumnValueLengthsToBeBetween": (_lengths, {"min_value", "max_value"}),
    "ExpectColumnValuesToMatchRegex": (lambda v, k: bool((~_matches(v, k)).any()), {"regex"}),
    "ExpectColumnValuesToNotMatchRegex": (lambda v, k: bool(_matches(v, k).any()), {"regex"}),
}
