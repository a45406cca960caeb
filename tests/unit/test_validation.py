"""The GX quarantine engine, run against real Great Expectations (no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bo_oscommerce.quality.validation import (
    FOUR_BYTE_CHARS_REGEX,
    REJECTED_COLUMNS,
    Check,
    CheckExecutionError,
    Suite,
    validate,
)

LONG = "model too long"
NO_NAME = "name missing"
NEGATIVE = "negative price"
EMOJI = "4-byte character in name"
STATUS = "unknown status"
DUP_EAN = "EAN occurs more than once"

SUITE = Suite(
    entity="products",
    key="artikel_nr",
    checks=(
        Check("ExpectColumnValueLengthsToBeBetween", {"column": "model", "max_value": 12}, LONG),
        Check("ExpectColumnValuesToNotBeNull", {"column": "name"}, NO_NAME),
        Check("ExpectColumnValuesToBeBetween", {"column": "price", "min_value": 0}, NEGATIVE),
        Check(
            "ExpectColumnValuesToNotMatchRegex",
            {"column": "name", "regex": FOUR_BYTE_CHARS_REGEX},
            EMOJI,
        ),
        Check("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": ["0", "1"]}, STATUS),
        Check("ExpectColumnValuesToBeUnique", {"column": "ean"}, DUP_EAN),
    ),
)

ROWS = [
    # artikel_nr, model, name, price, status, ean
    ("OK1", "M-1", "Müller Schraube", 1.5, "1", "4000000000001"),
    ("OK2", "M-2", "Mutter 5 €", None, "0", "4000000000002"),  # null price: skipped by GX
    ("OK3", "M" * 12, "Ω ß ä ö ü – “quoted”", 0.0, "1", None),  # BMP only, nulls not duplicates
    ("LONG", "M" * 13, "Bolzen", 2.0, "1", "4000000000003"),
    ("NULL", "M-4", None, 2.0, "1", "4000000000004"),
    ("NEG", "M-5", "Scheibe", -0.01, "1", "4000000000005"),
    ("EMOJI", "M-6", "Schraube 😀", 2.0, "1", "4000000000006"),
    ("CLEF", "M-7", "Noten 𝄞", 2.0, "1", "4000000000007"),
    ("SET", "M-8", "Dübel", 2.0, "x", "4000000000008"),
    ("DUP1", "M-9", "Nagel", 2.0, "1", "4000000000009"),
    ("DUP2", "M-10", "Nagel", 2.0, "1", "4000000000009"),
    ("TWO", "M" * 20, "Haken", -5.0, "1", "4000000000010"),
]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    columns = ["artikel_nr", "model", "name", "price", "status", "ean"]
    # A non-default index: labels must come back unchanged, not as positions.
    return pd.DataFrame(ROWS, columns=columns, index=[100 + 10 * i for i in range(len(ROWS))])


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame):
    return validate(frame, SUITE)


def test_rejects_exactly_the_bad_rows_with_their_reasons(result) -> None:
    assert list(zip(result.rejected["key"], result.rejected["reason"], strict=True)) == [
        ("LONG", LONG),
        ("NULL", NO_NAME),
        ("NEG", NEGATIVE),
        ("EMOJI", EMOJI),
        ("CLEF", EMOJI),
        ("SET", STATUS),
        ("DUP1", DUP_EAN),
        ("DUP2", DUP_EAN),
        ("TWO", LONG),
        ("TWO", NEGATIVE),
    ]


def test_rejected_records_name_expectation_column_and_value(result, frame) -> None:
    rejected = result.rejected
    assert list(rejected.columns) == list(REJECTED_COLUMNS)
    assert set(rejected["entity"]) == {"products"}
    by_key = rejected.drop_duplicates("key").set_index("key")
    assert by_key.loc["LONG", "expectation"] == "ExpectColumnValueLengthsToBeBetween"
    assert by_key.loc["LONG", "column"] == "model"
    assert by_key.loc["LONG", "value"] == "M" * 13
    assert by_key.loc["NEG", "value"] == "-0.01"
    assert by_key.loc["NULL", "value"] == ""
    assert by_key.loc["EMOJI", "value"] == "Schraube 😀"
    # Indexed by the original row label.
    label_of = dict(zip(frame["artikel_nr"], frame.index, strict=True))
    assert list(rejected.index) == [label_of[key] for key in rejected["key"]]


def test_valid_rows_keep_columns_and_original_index(result, frame) -> None:
    expected = frame.loc[frame["artikel_nr"].isin(["OK1", "OK2", "OK3"])]
    pd.testing.assert_frame_equal(result.valid, expected)
    assert list(result.valid.index) == [100, 110, 120]


def test_row_failing_two_checks_counts_once_but_is_listed_twice(result) -> None:
    assert (result.rejected["key"] == "TWO").sum() == 2
    assert result.statistics == {
        "evaluated": len(ROWS),
        "valid": 3,
        "rejected": 9,
        "failed_checks": 10,
    }


def test_value_is_truncated_and_key_is_text() -> None:
    frame = pd.DataFrame({"nr": [1001, 1002], "text": ["x" * 300, "ok"]}, index=["a", "b"])
    suite = Suite(
        "products",
        "nr",
        (Check("ExpectColumnValueLengthsToBeBetween", {"column": "text", "max_value": 5}, "long"),),
    )
    out = validate(frame, suite)
    assert out.rejected["key"].tolist() == ["1001"]
    assert out.rejected["value"].tolist() == ["x" * 200]
    assert out.rejected.index.tolist() == ["a"]
    assert out.valid.index.tolist() == ["b"]


def test_duplicate_and_named_index_labels_are_kept() -> None:
    frame = pd.DataFrame(
        {"nr": ["a", "b", "c"], "qty": [1, -1, 2]},
        index=pd.Index([7, 7, 8], name="row"),
    )
    suite = Suite(
        "stock",
        "nr",
        (Check("ExpectColumnValuesToBeBetween", {"column": "qty", "min_value": 0}, "neg"),),
    )
    out = validate(frame, suite)
    assert out.rejected["key"].tolist() == ["b"]
    pd.testing.assert_frame_equal(out.valid, frame.iloc[[0, 2]])


def test_more_than_twenty_failing_rows_are_all_reported() -> None:
    n = 10_000
    frame = pd.DataFrame({"nr": [f"A{i}" for i in range(n)], "qty": [-1] * (n - 1) + [1]})
    suite = Suite(
        "stock",
        "nr",
        (Check("ExpectColumnValuesToBeBetween", {"column": "qty", "min_value": 0}, "neg"),),
    )
    out = validate(frame, suite)
    assert len(out.rejected) == n - 1
    assert out.rejected["key"].tolist() == [f"A{i}" for i in range(n - 1)]
    assert out.valid["nr"].tolist() == [f"A{n - 1}"]


@pytest.mark.parametrize(
    "check",
    [
        Check("ExpectTableRowCountToBeBetween", {"min_value": 0, "max_value": 1}, "table"),
        Check("ExpectColumnMeanToBeBetween", {"column": "qty", "min_value": 0}, "aggregate"),
        Check("ExpectNoSuchThing", {"column": "qty"}, "typo"),
    ],
    ids=["table-level", "column-aggregate", "unknown"],
)
def test_unsupported_expectation_raises(check: Check) -> None:
    frame = pd.DataFrame({"nr": ["a"], "qty": [1]})
    with pytest.raises(ValueError, match=check.expectation):
        validate(frame, Suite("stock", "nr", (check,)))


def test_result_without_row_indexes_raises() -> None:
    """The guard behind the column-map check: a result GX gives for a table-level check."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

    from bo_oscommerce.quality.validation import _unexpected_positions

    check = Check("ExpectTableRowCountToBeBetween", {"max_value": 1}, "table")
    config = gx.expectations.ExpectTableRowCountToBeBetween(max_value=1).configuration
    result = ExpectationValidationResult(
        success=False, expectation_config=config, result={"observed_value": 3}
    )
    with pytest.raises(ValueError, match="unexpected_index_list"):
        _unexpected_positions(result, check, 0)


def test_invalid_kwargs_raise_value_error_naming_the_check() -> None:
    frame = pd.DataFrame({"nr": ["a"], "qty": [1]})
    check = Check("ExpectColumnValuesToBeInSet", {"column": "qty", "value_sett": [1]}, "typo'd")
    with pytest.raises(ValueError, match="typo'd"):
        validate(frame, Suite("stock", "nr", (check,)))


def test_exception_inside_gx_raises_naming_the_check() -> None:
    frame = pd.DataFrame({"nr": ["a"], "qty": [1]})
    suite = Suite(
        "stock",
        "nr",
        (
            Check("ExpectColumnValuesToNotBeNull", {"column": "nr"}, "no number"),
            Check("ExpectColumnValuesToNotBeNull", {"column": "missing"}, "no such column"),
        ),
    )
    with pytest.raises(CheckExecutionError, match=r"no such column.*missing"):
        validate(frame, suite)


def test_missing_key_column_raises() -> None:
    with pytest.raises(ValueError, match="key column"):
        validate(pd.DataFrame({"qty": [1]}), Suite("stock", "nr", ()))


def test_empty_frame_returns_empty_outputs(frame) -> None:
    out = validate(frame.iloc[:0], SUITE)
    assert out.valid.empty
    assert list(out.valid.columns) == list(frame.columns)
    assert out.rejected.empty
    assert list(out.rejected.columns) == list(REJECTED_COLUMNS)
    assert out.statistics == {"evaluated": 0, "valid": 0, "rejected": 0, "failed_checks": 0}


def test_empty_frame_and_import_do_not_load_gx() -> None:
    code = (
        "import sys, pandas as pd\n"
        "from bo_oscommerce.quality.validation import Suite, validate\n"
        "validate(pd.DataFrame({'nr': []}), Suite('x', 'nr', ()))\n"
        "assert 'great_expectations' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "plugins")},
    )


def test_a_cached_verdict_serves_the_same_rows_and_suite_without_gx(frame, tmp_path, monkeypatch):
    from bo_oscommerce.quality import validation

    first = validate(frame, SUITE, tmp_path)
    assert len(list(tmp_path.iterdir())) == 1

    def no_gx(*_args):
        raise AssertionError("GX ran although the verdict was cached")

    monkeypatch.setattr(validation, "_run_gx", no_gx)
    again = validate(frame.copy(), SUITE, tmp_path)
    pd.testing.assert_frame_equal(again.rejected, first.rejected)
    pd.testing.assert_frame_equal(again.valid, first.valid)
    # a column no check reads (the key) changed: still the cached verdict, with the new keys
    renamed = frame.assign(artikel_nr=[f"R-{nr}" for nr in frame["artikel_nr"]])
    served = validate(renamed, SUITE, tmp_path)
    assert list(served.rejected["key"]) == [f"R-{nr}" for nr in first.rejected["key"]]
    # clean rows: no check can fail, so neither GX nor the cache is asked
    validate(frame.loc[frame["artikel_nr"].str.startswith("OK")], SUITE, tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    # one changed value: GX must look again
    changed = frame.copy()
    changed.iloc[0, changed.columns.get_loc("name")] = "Neu"
    with pytest.raises(AssertionError, match="GX ran"):
        validate(changed, SUITE, tmp_path)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["ä", None, "a😀", ""], dtype=object),
        pd.Series(["ä", None, "a😀", ""], dtype="str"),
        pd.Series(["ä", float("nan"), 12, "a😀"], dtype=object),  # not all text: as strings
    ],
    ids=["object", "arrow-text", "mixed"],
)
def test_utf8_byte_lengths_count_bytes_and_missing_as_zero(values) -> None:
    from bo_oscommerce.quality.validation import _utf8_bytes

    expected = [0 if not isinstance(v, str | int) else len(str(v).encode()) for v in values]
    assert _utf8_bytes(values).tolist() == expected
