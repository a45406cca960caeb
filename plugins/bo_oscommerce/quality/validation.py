"""Row-level quarantine engine on top of Great Expectations 1.x.

A :class:`Suite` is a declarative list of GX column-map expectations, each with a
merchant-readable reason. :func:`validate` runs it as a real GX ``ExpectationSuite``
against a pandas DataFrame and splits the frame into rows that passed every check
and one rejection record per (row, failed check).

Great Expectations is imported lazily and its ephemeral context is built once per
process, because the import alone takes seconds.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )

__all__ = [
    "FOUR_BYTE_CHARS_REGEX",
    "Check",
    "CheckExecutionError",
    "REJECTED_COLUMNS",
    "Suite",
    "Validated",
    "validate",
]

#: Matches any character outside the Basic Multilingual Plane, i.e. one that needs 4 bytes
#: in UTF-8 (emoji and the like). osCommerce tables are MySQL ``utf8`` (3 bytes at most),
#: so such a value cannot be stored. Use with ``ExpectColumnValuesToNotMatchRegex``.
FOUR_BYTE_CHARS_REGEX = "[\U00010000-\U0010ffff]"

REJECTED_COLUMNS: tuple[str, ...] = ("entity", "key", "reason", "expectation", "column", "value")

VALUE_MAX_CHARS = 200

# Request every failing row index. COMPLETE is the only format whose unexpected_index_list is
# not cut at partial_unexpected_count (20); the pandas index query string is not needed.
_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
}

_META_KEY = "bo_check_index"

# The cached context shares one datasource whose execution engine holds the active batch.
_gx_lock = threading.Lock()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One GX expectation plus the reason a merchant reads when a row fails it."""

    expectation: str  # GX 1.x expectation class name, e.g. "ExpectColumnValueLengthsToBeBetween"
    kwargs: Mapping[str, Any]  # e.g. {"column": "products_model", "max_value": 12}
    reason: str


@dataclass(frozen=True)
class Suite:
    entity: str  # e.g. "products"
    key: str  # column identifying a row for the merchant, e.g. "artikel_nr"
    checks: tuple[Check, ...]
    # text columns whose UTF-8 byte length checks read as "<column>__utf8_bytes"
    byte_lengths: tuple[str, ...] = ()


@dataclass
class Validated:
    valid: pd.DataFrame
    """Rows that passed every check; original columns, index and order."""
    rejected: pd.DataFrame
    """One row per (row, failed check), indexed by the original row label; see REJECTED_COLUMNS."""
    statistics: dict[str, int]
    """evaluated, valid, rejected (distinct rows), failed_checks (len(rejected))."""


class CheckExecutionError(RuntimeError):
    """GX raised an exception while evaluating a check (e.g. a missing column)."""


def validate(frame: pd.DataFrame, suite: Suite, cache: Any | None = None) -> Validated:
    """Run ``suite`` against ``frame`` with GX and split it into valid and rejected rows.

    Every row that GX reports as unexpected is rejected, regardless of ``mostly``.
    ``cache``: a folder (``ObjectStoragePath``) that keeps GX's verdicts by the frame's content
    and the suite; the same rows checked by the same suite again (the rows still set aside in
    every incremental run, or a full run with nothing changed) are not run through GX again.

    Raises:
        ValueError: the key column is missing, or a check names an unknown or non
            column-map expectation, has invalid kwargs, or its result carries no row indexes.
        CheckExecutionError: GX raised while evaluating a check.
    """
    if frame.empty:
        return Validated(
            valid=frame.copy(),
            rejected=_empty_rejected(frame.index[:0]),
            statistics={"evaluated": 0, "valid": 0, "rejected": 0, "failed_checks": 0},
        )

    if suite.key not in frame.columns:
        raise ValueError(f"suite {suite.entity!r}: key column {suite.key!r} not in frame")
    # A RangeIndex makes GX's unexpected_index_list plain row positions.
    positional = frame.reset_index(drop=True)
    if suite.byte_lengths:
        positional = positional.assign(
            **{f"{c}__utf8_bytes": _utf8_bytes(positional[c]) for c in suite.byte_lengths}
        )
    positions, check_ids = _verdict(positional, suite, cache)
    rejected_mask = np.zeros(len(frame), dtype=bool)
    rejected_mask[positions] = True
    rejected = _rejected_frame(frame, positional, suite, positions, check_ids)
    valid = frame.iloc[np.flatnonzero(~rejected_mask)]
    return Validated(
        valid=valid,
        rejected=rejected,
        statistics={
            "evaluated": len(frame),
            "valid": len(valid),
            "rejected": int(rejected_mask.sum()),
            "failed_checks": len(rejected),
        },
    )


def _verdict(
    positional: pd.DataFrame, suite: Suite, cache: Any | None
) -> tuple[np.ndarray, np.ndarray]:
    """Failing row positions and the index of the check each failed. Only the checks that
    can fail on this frame run (``prescreen``); none: GX is not needed at all, nor the cache,
    whose key then covers only the columns those checks read."""
    from bo_oscommerce.quality.prescreen import may_fail

    running = [i for i, check in enumerate(suite.checks) if may_fail(check, positional)]
    if not running:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key = _cache_key(positional, suite, running) if cache is not None else None
    verdict = _cache_read(cache, key) if key else None
    if verdict is None:
        verdict = _run_gx(positional, suite, running)
        if key:
            _cache_write(cache, key, verdict)
    return verdict


def _run_gx(
    positional: pd.DataFrame, suite: Suite, running: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """GX's verdict on the checks at ``running``."""
    with _gx_lock:
        batch_definition = _batch_definition()  # first: sets up env and logging before import
        gx_suite = _build_gx_suite(suite, running)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": positional})
        results = batch.validate(gx_suite, result_format=_RESULT_FORMAT).results

    failed_positions: list[np.ndarray] = []
    failed_checks: list[np.ndarray] = []
    for result in results:
        index = int(result.expectation_config.meta[_META_KEY])
        check = suite.checks[index]
        positions = _unexpected_positions(result, check, index)
        failed_positions.append(positions)
        failed_checks.append(np.full(len(positions), index, dtype=np.int64))

    positions = np.concatenate(failed_positions) if failed_positions else np.empty(0, np.int64)
    check_ids = np.concatenate(failed_checks) if failed_checks else np.empty(0, np.int64)
    # Group a row's failures together, in row order, then in suite order.
    order = np.lexsort((check_ids, positions))
    return positions[order], check_ids[order]


CACHE_KEEP = 64  # newest verdicts kept per folder


def _cache_key(frame: pd.DataFrame, suite: Suite, running: list[int]) -> str | None:
    """Digest of the GX version, the suite, the checks that run and every value of the
    columns they read (all columns where a check names none; None: not hashable)."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(f"{version('great_expectations')}|{suite!r}|{running}".encode())
    read = [suite.checks[i].kwargs.get("column") for i in running]
    columns = frame.columns if None in read else sorted(set(read) & set(frame.columns))
    try:
        for column in columns:
            values = frame[column]
            digest.update(f"{column}|{values.dtype}".encode())
            digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return digest.hexdigest()


def _cache_read(cache: Any, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    path = cache / f"{key}.npz"
    try:
        if not path.exists():
            return None
        with path.open("rb") as handle:
            stored = np.load(io.BytesIO(handle.read()))
            return stored["positions"], stored["checks"]
    except (OSError, ValueError, KeyError):
        return None


def _cache_write(cache: Any, key: str, verdict: tuple[np.ndarray, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, positions=verdict[0], checks=verdict[1])
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with (cache / f"{key}.npz").open("wb") as handle:
            handle.write(buffer.getvalue())
        kept = sorted(cache.iterdir(), key=_mtime, reverse=True)
        for old in kept[CACHE_KEEP:]:
            old.unlink()
    except (OSError, ValueError):  # a cache that cannot be written only costs time
        log.debug("validation cache %s not written", cache, exc_info=True)


def _mtime(path: Any) -> float:
    """Modification time of a local path or an ObjectStoragePath (fsspec's info)."""
    info = path.stat()
    mtime = getattr(info, "st_mtime", None)
    if mtime is None and hasattr(info, "get"):
        mtime = info.get("mtime") or info.get("LastModified") or info.get("created")
    return mtime.timestamp() if hasattr(mtime, "timestamp") else float(mtime or 0)


@functools.cache
def _batch_definition() -> BatchDefinition:
    """Build the ephemeral GX context once per process and return its whole-frame batch def."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    # Importing GX logs ~200 INFO lines about its docs registry; keep them out of task logs.
    docs_logger = logging.getLogger("great_expectations._docs_decorators")
    if docs_logger.level == logging.NOTSET:
        docs_logger.setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch (hash_pandas_object over all values, twice per run)
    # for batch metadata only; on 100 000 articles with their texts that is about a second of
    # pure overhead per validation. Frames above HASH_THRESHOLD bytes skip it, so set it to 0.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("bo_quality").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def _build_gx_suite(suite: Suite, only: list[int] | None = None) -> Any:
    """The suite's checks (those at ``only``) as a GX ``ExpectationSuite``."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import ColumnMapExpectation

    expectations = []
    for index, check in enumerate(suite.checks):
        if only is not None and index not in only:
            continue
        label = _label(check, index)
        cls = getattr(gx.expectations, check.expectation, None)
        if not (isinstance(cls, type) and issubclass(cls, ColumnMapExpectation)):
            raise ValueError(
                f"{label}: {check.expectation!r} is not a GX column-map expectation; only those "
                "report failing rows"
            )
        try:
            expectations.append(cls(**check.kwargs, meta={_META_KEY: index}))
        except Exception as exc:  # pydantic validation of the kwargs
            raise ValueError(f"{label}: invalid kwargs {dict(check.kwargs)!r}: {exc}") from exc
    # Passed to the constructor rather than add_expectation(): that one consults the current
    # context's store and silently drops an expectation equal to one already present.
    return gx.ExpectationSuite(name=f"bo_{suite.entity}", expectations=expectations)


def _unexpected_positions(
    result: ExpectationValidationResult, check: Check, index: int
) -> np.ndarray:
    label = _label(check, index)
    message = _raised_exception(result.exception_info)
    if message is not None:
        raise CheckExecutionError(f"{label} could not be evaluated by GX: {message}")
    indexes = (result.result or {}).get("unexpected_index_list")
    if indexes is None:
        raise ValueError(
            f"{label}: GX result carries no unexpected_index_list; only column-map "
            "expectations are supported"
        )
    return np.asarray(indexes, dtype=np.int64)


def _raised_exception(exception_info: Any) -> str | None:
    """Return the message if GX recorded a raised exception.

    ``exception_info`` is either one ``{"raised_exception": ..., ...}`` dict or, for metric
    failures, a dict of such dicts keyed by metric id.
    """
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    messages = [
        str(info.get("exception_message") or "unknown error")
        for info in infos
        if isinstance(info, Mapping) and info.get("raised_exception")
    ]
    return "; ".join(messages) if messages else None


def _rejected_frame(
    frame: pd.DataFrame,
    positional: pd.DataFrame,
    suite: Suite,
    positions: np.ndarray,
    check_ids: np.ndarray,
) -> pd.DataFrame:
    if len(positions) == 0:
        return _empty_rejected(frame.index[:0])
    checks = suite.checks
    columns = [str(check.kwargs.get("column", "")) for check in checks]
    values = np.full(len(positions), "", dtype=object)
    for index, column in enumerate(columns):  # one vectorised pass per check, not per row
        selected = check_ids == index
        if column and selected.any():
            source = positional[column].take(positions[selected])
            values[selected] = _as_text(source).to_numpy(dtype=object)
    keys = _as_text(positional[suite.key].take(positions)).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "entity": suite.entity,
            "key": keys,
            "reason": np.array([check.reason for check in checks], dtype=object)[check_ids],
            "expectation": np.array([check.expectation for check in checks], dtype=object)[
                check_ids
            ],
            "column": np.array(columns, dtype=object)[check_ids],
            "value": values,
        },
        index=frame.index.take(positions),
        columns=list(REJECTED_COLUMNS),
    )


def _utf8_bytes(values: pd.Series) -> pd.Series:
    """UTF-8 byte length of each value (0 for missing), computed by Arrow."""
    import pyarrow.compute as pc

    from bo_oscommerce.transform.text import arrow_text

    lengths = pc.binary_length(arrow_text(values)).fill_null(0)
    return pd.Series(lengths.to_numpy(zero_copy_only=False), index=values.index, dtype="int64")


def _as_text(values: pd.Series) -> pd.Series:
    """Values as strings, missing values as "", cut to VALUE_MAX_CHARS."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.slice(0, VALUE_MAX_CHARS)


def _empty_rejected(index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="str") for name in REJECTED_COLUMNS}, index=index)


def _label(check: Check, index: int) -> str:
    return f"check #{index} {check.expectation}({dict(check.kwargs)!r}) [{check.reason}]"
