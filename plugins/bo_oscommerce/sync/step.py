"""The one shape of every sync step (ADR 11).

``run_step`` does what every step does, in this order:

1. read the target's real columns (the shop's; BO's for what comes from the shop): the
   checks and the text fitting are made from them;
2. ``extract``: read what the step needs from BO and the shop;
3. ``build``: the entity's business rules (``transform/``, pure pandas) make the rows;
4. validate them with the entity's GX suite: a row that must not be written is set aside
   with its reason, the others go on (``checked`` adds what follows from a set-aside row);
5. ``load`` into the target, in one transaction (the identity rule resolves the rows inside
   it); a step whose rows each need a transaction of their own says so (``one_transaction``),
   and a step that lost a race to another run says so (``LoadResult.again``: all of it again,
   with fresh reads, up to ``attempts`` times);
6. ``report``: counts, set-aside rows, cleaning rules;
7. ``write_back``: declared BO statements in one BO transaction (ids, markers, links). If BO
   refuses them, the target keeps its rows, and the report says what to fix and fails the
   task; the next run finds the rows by their natural key;
8. ``finish``: what comes after (ids staged for the next step, e-mails).

A catalog step whose rows grow with the catalog runs 2-8 once per chunk (``parts``), each
chunk in a shop transaction of its own followed by its write-back (ADR 13), so its memory
depends on the chunk size, not on the catalog; with ``overlaps`` a chunk is loaded in a
helper thread while the next chunk is built and checked, and the previous one written back;
with ``early_write_back`` a chunk's write-back starts once its load knows the new ids, while
the shop takes the new rows, and BO commits after the shop (ADR 13).

An entity declares its parts by subclassing ``Step``; ``sync/<entity>.py`` holds that
declaration and the entity's own rules, and the task calls ``run_step``.
"""

from __future__ import annotations

import copy
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.quality.validation import REJECTED_COLUMNS, Suite, Validated, validate
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.shop.dialect import (
    BULK_PATHS,
    QUEUED_INSERTS,
    queue_inserts,
    run_queued_inserts,
)
from bo_oscommerce.shop.flavour import OSCOMMERCE, detect
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, freeze_startup_objects, rejections
from bo_oscommerce.sync.writeback import Statement, WriteBackError, write_back
from bo_oscommerce.transform.common import Cleaned

log = logging.getLogger(__name__)


@dataclass
class Built:
    """What the business rules made: the rows to check and write, and the cleaning rules
    that fired (rule -> keys)."""

    rows: pd.DataFrame
    cleaned: Cleaned = field(default_factory=Cleaned)


class Step(ABC):
    """One entity's parts. A step object serves one run: ``extract`` and ``load`` may keep
    what later parts need on ``self``."""

    entity: str
    target: ClassVar[str] = "shop"  # where ``load`` writes: "shop" or "bo"
    tables: ClassVar[tuple[str, ...]] = ()  # the target's tables whose columns are read
    one_transaction: ClassVar[bool] = True  # False: ``load`` gets the engine, not a connection
    attempts: ClassVar[int] = 1
    counted: ClassVar[str | None] = None  # the write-back statement that counts as written back
    load_empty: ClassVar[bool] = True  # False: no rows, no load (not even a transaction)
    # True: a chunk is loaded while the next one is built (``run_step``);
    # the step then keeps no state across chunks that ``load``, ``report`` or ``write_back``
    # change, as these run on the chunk's own shallow copy of the step
    overlaps: ClassVar[bool] = False
    # True (with ``overlaps``): ``load`` only adds new rows by ``insert_rows`` that nothing else
    # in it reads; they are queued and written last, and the chunk's write-back runs in BO
    # meanwhile, committed only after the shop's commit (``_settle``)
    early_write_back: ClassVar[bool] = False

    def __init__(self, run: Run) -> None:
        self.run = run
        self.target_columns = ShopColumns([])  # set by ``run_step`` before ``extract``
        self.flavour = OSCOMMERCE  # the shop's, found by ``run_step`` before ``extract``

    @property
    def label(self) -> str:
        return self.run.settings.label

    @property
    def engine(self) -> sa.Engine:
        """The target's engine."""
        return self.run.shop if self.target == "shop" else self.run.bo

    def columns(self) -> ShopColumns:
        """The target's real columns, read at the start of the step."""
        if not self.tables:
            return ShopColumns([])
        with self.engine.connect() as conn:
            return read_shop_columns(conn, list(self.tables))

    def parts(self, columns: ShopColumns) -> Iterator[None]:
        """The step's parts, each one round of extract .. finish: a step whose rows grow with
        the catalog readies one chunk per ``yield`` (ADR 13); by default the whole entity is
        one part."""
        yield

    def extract(self, columns: ShopColumns) -> None:  # noqa: B027 - a step may read nothing
        """Read what the step (or its part) needs from BO and the shop."""

    @abstractmethod
    def build(self, columns: ShopColumns) -> Built:
        """The rows to write, by the entity's business rules."""

    def suite(self, columns: ShopColumns, built: Built) -> Suite | None:
        """The entity's GX suite (None: nothing to check)."""
        return None

    def checked(self, built: Built, checked: Validated) -> Validated:
        """What follows from the verdict (e.g. children of a set-aside row)."""
        return checked

    @abstractmethod
    def load(self, target: Any, rows: pd.DataFrame) -> LoadResult:
        """Write the valid rows: ``target`` is a connection inside the target's transaction
        (``one_transaction``) or the target's engine."""

    @abstractmethod
    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        """The step's counts and lists."""

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        """Declared BO statements that record what the target now holds."""
        return []

    def settle_before_part(self) -> bool:
        """True: the next part reads what the write-backs before it write (``overlaps``)."""
        return False

    def write_back_failed(self, exc: WriteBackError) -> str:
        """What the report says when BO refused the write-back."""
        return str(exc)

    def finish(self, report: EntityReport, result: LoadResult) -> None:  # noqa: B027
        """After the write-back (``report.failed`` says whether it went in)."""


def all_valid(rows: pd.DataFrame) -> Validated:
    """The verdict of a step without a suite."""
    return Validated(
        valid=rows,
        rejected=pd.DataFrame(columns=list(REJECTED_COLUMNS)),
        statistics={"evaluated": len(rows), "valid": len(rows), "rejected": 0,
                    "failed_checks": 0},
    )  # fmt: skip


def load_report(
    entity: str, extracted: int, built: Built, checked: Validated, result: LoadResult,
    unchanged: int = 0,
) -> EntityReport:  # fmt: skip
    """The report of a shop load: its counts and lists, the rows the suite set aside and those
    the load set aside (``result.rejected``); ``unchanged``: rows settled before the load."""
    return EntityReport(
        entity=entity,
        extracted=extracted,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged + unchanged,
        hidden=result.hidden,
        set_aside=pd.concat(
            [checked.rejected, rejections(entity, result.rejected)], ignore_index=True
        ),
        cleaned=built.cleaned.rules,
        hidden_by_reason=result.hidden_by_reason,
        kept_out=result.kept_out,
        stale=result.stale,
        notes=result.notes,
    )


def run_step(step: Step) -> EntityReport:
    """Every step's parts, in the one order; a step in chunks runs it once per chunk and
    reports the sum. A step that ``overlaps`` loads each chunk in a helper thread (one chunk
    at a time, in chunk order) while the next chunk is extracted, built and checked; once a
    chunk is loaded, this thread writes its ids back while the helper loads the next (no load
    reads BO). A chunk whose write-back BO refuses stops the step there (with overlap: after
    the chunk in flight, whose rows the next run finds by their natural key, as after any
    refusal)."""
    freeze_startup_objects()
    columns = step.target_columns = step.columns()
    step.flavour = detect(step.run.shop)
    total: EntityReport | None = None
    chunks = 0
    pending: _Loading | None = None
    loader = _Loader() if step.overlaps else None  # a helper thread only for these
    try:
        for _ in step.parts(columns):
            if pending is not None and step.settle_before_part():
                total, pending = _add(total, _settle(step, pending)), None
                if total.failed:
                    break
            built, checked = _check_part(step, columns)
            chunks += 1
            if loader is None:
                total = _add(total, _finish(step, *_write_part(step, built, checked)))
            else:
                loading = loader.submit(step, built, checked)
                if pending is not None:
                    total = _add(total, _settle(step, pending))
                pending = loading
            if total is not None and total.failed:
                break
        if pending is not None:
            total = _add(total, _settle(step, pending))
    except BaseException:
        if loader is not None:
            loader.stop.set()  # the step fails: a chunk not yet loading is not started
        raise
    finally:
        if loader is not None:
            loader.pool.shutdown()
    assert total is not None, "a step has at least one part"
    if chunks > 1:
        total.notes.append(f"done in {chunks} chunks of the catalog, each its own transaction")
    total.shop = step.flavour.label
    return total


def _add(total: EntityReport | None, part: EntityReport) -> EntityReport:
    return part if total is None else total.add(part)


Loaded = tuple[EntityReport, LoadResult, pd.DataFrame]


@dataclass
class _Loading:
    """A chunk in the helper thread: its own copy of the step and its load; ``planned``: the
    load's result and rows once its ids are known, before its queued inserts run
    (``early_write_back``)."""

    chunk: Step
    load: Future[Loaded]
    planned: Future[tuple[LoadResult, pd.DataFrame]] | None = None


class _ShopFailed(Exception):  # noqa: N818 - carries the shop load's own error out of BO's
    """The shop load failed while BO's write-back waited for its commit."""


class _Loader:
    """The helper thread of a step that ``overlaps``: loads one chunk at a time, in chunk
    order, each on its own copy of the step (the next chunk's build replaces the step's
    state). Once a load raised or the step failed, the chunks queued behind it are not
    written into the shop."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="load")
        self.stop = threading.Event()

    def submit(self, step: Step, built: Built, checked: Validated) -> _Loading:
        chunk = copy.copy(step)
        planned: Future[tuple[LoadResult, pd.DataFrame]] | None = (
            Future() if step.early_write_back else None
        )
        load = self.pool.submit(self._load, chunk, built, checked, planned)
        return _Loading(chunk, load, planned)

    def _load(
        self, step: Step, built: Built, checked: Validated, planned: Future[Any] | None
    ) -> Loaded:
        try:
            if self.stop.is_set():
                raise RuntimeError(
                    f"{step.label} {step.entity}: chunk not loaded, the step failed"
                )
            return _load_part(step, built, checked, planned)
        except BaseException as exc:
            self.stop.set()
            if planned is not None and not planned.done():
                planned.set_exception(exc)
            raise


def _settle(step: Step, loading: _Loading) -> EntityReport:
    """Wait for a chunk's load, then write its ids back (here, while the helper thread loads
    the next chunk). With ``planned``, the write-back starts as soon as the load knows its
    ids and runs while the shop takes the queued inserts; BO commits only after the shop
    committed, and rolls back if the shop load failed: the same order as one after the other
    (a crash in between leaves shop rows that the next run finds by their natural key)."""
    if loading.planned is None:
        return _finish(step, *_write_back_part(loading.chunk, *loading.load.result()))
    try:
        result, rows = loading.planned.result()
    except BaseException:
        loading.load.result()  # the load's own error
        raise
    chunk = loading.chunk
    try:  # BO refusing: the shop keeps its rows, as after a refusal after its commit
        written = _written_back(chunk, chunk.write_back(rows, result),
                                before_commit=lambda: _shop_committed(loading))  # fmt: skip
    except _ShopFailed as exc:
        raise exc.args[0] from None
    report, result, _rows = loading.load.result()
    return _finish(step, _noted(chunk, report, written), result)


def _shop_committed(loading: _Loading) -> None:
    try:
        loading.load.result()
    except BaseException as exc:
        raise _ShopFailed(exc) from exc


def _finish(step: Step, report: EntityReport, result: LoadResult) -> EntityReport:
    step.finish(report, result)
    return report


def _check_part(step: Step, columns: ShopColumns) -> tuple[Built, Validated]:
    """Extract, build and check one part (the load's retries start here again)."""
    step.extract(columns)
    built = step.build(columns)
    suite = step.suite(columns, built)
    verdict = validate(built.rows, suite, step.run.validation_cache) if suite else None
    return built, step.checked(built, verdict or all_valid(built.rows))


def _write_part(step: Step, built: Built, checked: Validated) -> tuple[EntityReport, LoadResult]:
    """Load one checked part, report it and write its ids back into BO."""
    return _write_back_part(step, *_load_part(step, built, checked))


def _load_part(
    step: Step, built: Built, checked: Validated, planned: Future[Any] | None = None
) -> Loaded:
    """Load one checked part (again from the extract where another run got there first) and
    report it; returns the rows loaded too. ``planned`` receives the result and rows once the
    ids are known, before the queued inserts run."""
    for attempt in range(1, step.attempts + 1):
        if attempt > 1:
            built, checked = _check_part(step, step.target_columns)
        rows = checked.valid
        result = _load(step, rows, None if planned is None else
                       lambda result, rows=rows: planned.set_result((result, rows)))  # fmt: skip
        if not result.again:
            break
        log.warning("%s %s: another run got there first; again (%d)", step.label, step.entity,
                    attempt)  # fmt: skip
    else:
        raise RuntimeError(
            f"{step.label} {step.entity}: not done in {step.attempts} attempts; other runs "
            "kept changing the same rows"
        )
    return step.report(built, checked, result), result, checked.valid


def _write_back_part(
    step: Step, report: EntityReport, result: LoadResult, rows: pd.DataFrame
) -> tuple[EntityReport, LoadResult]:
    """Write a loaded part's ids back into BO; a refusal goes into the report."""
    return _noted(step, report, _written_back(step, step.write_back(rows, result))), result


def _written_back(
    step: Step, statements: list[Statement], before_commit: Callable[[], None] | None = None
) -> dict[str, int] | WriteBackError:
    """BO's write-back of ``statements``: the rows per statement, or BO's refusal."""
    if not statements:
        return {}
    try:
        return write_back(step.run.bo, step.label, step.entity, statements, before_commit)
    except WriteBackError as exc:
        return exc


def _noted(
    step: Step, report: EntityReport, written: dict[str, int] | WriteBackError
) -> EntityReport:
    """The write-back's outcome in the report."""
    if isinstance(written, WriteBackError):
        report.failed = step.write_back_failed(written)
    elif step.counted and written:
        report.written_back = written.get(step.counted, 0)
    return report


def _load(
    step: Step, rows: pd.DataFrame, planned: Callable[[LoadResult], None] | None = None
) -> LoadResult:
    """The load in its transaction; with ``planned``, new rows' inserts are queued and
    written after ``planned`` got the result (``early_write_back``)."""
    if rows.empty and not step.load_empty:
        return LoadResult()
    if not step.one_transaction:
        return step.load(step.engine, rows)
    with step.engine.begin() as conn:
        conn.info.pop(BULK_PATHS, None)
        try:
            if planned is not None:
                queue_inserts(conn)
            result = step.load(conn, rows)
            if planned is not None:
                if not result.again:
                    planned(result)
                run_queued_inserts(conn)
        finally:
            conn.info.pop(QUEUED_INSERTS, None)
        paths = conn.info.pop(BULK_PATHS, {})
    result.notes += bulk_notes(paths)
    return result


def bulk_notes(paths: dict[str, str]) -> list[str]:
    """How the large inserts went in, one note per path: the report says which path ran."""
    by_path: dict[str, list[str]] = {}
    for table, path in paths.items():
        by_path.setdefault(path, []).append(table)
    return [f"bulk insert by {path}: {', '.join(tables)}" for path, tables in by_path.items()]
