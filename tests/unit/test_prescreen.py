"""The prescreen leaves out only checks GX would pass: every verdict equals GX's own on every
check, on clean frames (nothing left for GX) and on frames with one bad row per check."""

from __future__ import annotations

import pandas as pd
import pytest

from bo_oscommerce.quality import validation
from bo_oscommerce.quality.prescreen import may_fail
from bo_oscommerce.quality.validation import FOUR_BYTE_CHARS_REGEX, Check, Suite, validate

CHECKS = (
    Check("ExpectColumnValuesToNotBeNull", {"column": "name"}, "name missing"),
    Check("ExpectColumnValuesToBeNull", {"column": "price_text"}, "price is text"),
    Check("ExpectColumnValuesToBeUnique", {"column": "model"}, "model twice"),
    Check("ExpectColumnValuesToBeInSet", {"column": "tax", "value_set": [1, 2]}, "tax unknown"),
    Check("ExpectColumnValuesToNotBeInSet", {"column": "tree", "value_set": ["cycle"]}, "cycle"),
    Check("ExpectColumnValuesToBeBetween", {"column": "price", "min_value": 0,
                                             "max_value": 999.99}, "price range"),  # fmt: skip
    Check("ExpectColumnValuesToBeBetween", {"column": "qty", "min_value": 0}, "negative qty"),
    Check("ExpectColumnValueLengthsToBeBetween", {"column": "model", "max_value": 5}, "long"),
    Check("ExpectColumnValueLengthsToBeBetween", {"column": "zip", "min_value": 1}, "no zip"),
    Check("ExpectColumnValuesToMatchRegex", {"column": "name", "regex": r"\S"}, "blank name"),
    Check("ExpectColumnValuesToNotMatchRegex", {"column": "name",
                                                "regex": FOUR_BYTE_CHARS_REGEX}, "emoji"),  # fmt: skip
)
SUITE = Suite(entity="t", key="key", checks=CHECKS)
CLEAN = {
    "key": ["a", "b", "c"],
    "name": ["Schraube", "Mutter", "Dübel"],
    "price_text": [None, None, None],
    "model": ["M-1", "M-2", None],
    "tax": [1, 2, None],
    "tree": ["ok", None, "ok"],
    "price": [0.0, 999.99, None],
    "qty": pd.array([0, 5, None], dtype="Int64"),
    "zip": ["1", "48143", None],
}
BAD = {  # one bad value per check
    "name": [None, "   ", "Schraube 😀"],
    "price_text": ["24,90"],
    "model": ["M-1", "M-1", "M-123456"],
    "tax": [3],
    "tree": ["cycle"],
    "price": [-0.01, 1000.0],
    "qty": [-1],
    "zip": [""],
}


def _frame(changes: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame(CLEAN)
    for column, values in changes.items():
        series = frame[column].astype(object)
        for row, value in enumerate(values):
            series.iloc[row] = value
        frame[column] = series.astype(frame[column].dtype) if column in ("qty",) else series
    return frame


def _all_in_gx(monkeypatch) -> None:
    monkeypatch.setattr("bo_oscommerce.quality.prescreen.may_fail", lambda *_: True)


def test_a_clean_frame_needs_no_gx(monkeypatch):
    frame = _frame({})
    assert [c.reason for c in CHECKS if may_fail(c, frame)] == []

    def no_gx(*_args):
        raise AssertionError("GX ran for a frame no check can fail")

    monkeypatch.setattr(validation, "_batch_definition", no_gx)
    checked = validate(frame, SUITE)
    assert checked.rejected.empty and len(checked.valid) == 3


@pytest.mark.parametrize("column", sorted(BAD))
def test_a_bad_value_reaches_gx_and_gets_gx_verdict(column, monkeypatch):
    frame = _frame({column: BAD[column]})
    flagged = {c.reason for c in CHECKS if may_fail(c, frame)}
    assert flagged and all(c.kwargs["column"] == column for c in CHECKS if c.reason in flagged)
    screened = validate(frame, SUITE).rejected
    _all_in_gx(monkeypatch)
    whole = validate(frame, SUITE).rejected
    pd.testing.assert_frame_equal(screened, whole)
    assert not whole.empty


def test_unknown_arguments_and_missing_columns_go_to_gx():
    frame = _frame({})
    mostly = Check("ExpectColumnValuesToNotBeNull", {"column": "name", "mostly": 0.5}, "x")
    other = Check("ExpectColumnValuesToBeIncreasing", {"column": "qty"}, "x")
    missing = Check("ExpectColumnValuesToNotBeNull", {"column": "nowhere"}, "x")
    text_range = Check("ExpectColumnValuesToBeBetween", {"column": "model", "min_value": 0}, "x")
    assert all(may_fail(c, frame) for c in (mostly, other, missing, text_range))


@pytest.mark.parametrize(
    "names",
    [["\u00a0", "\t", "x"], [1, 2, "x"], ["a\U0001f600", "ok", None], ["\u3000", " x ", "\n"]],
    ids=["unicode-space", "not-text", "emoji", "ideographic-space"],
)
def test_regex_verdicts_equal_gx_on_odd_text(names, monkeypatch):
    frame = _frame({"name": names})
    screened = validate(frame, SUITE).rejected
    _all_in_gx(monkeypatch)
    pd.testing.assert_frame_equal(screened, validate(frame, SUITE).rejected)
