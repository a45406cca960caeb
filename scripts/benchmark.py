"""Benchmark of the catalog sync into osCommerce on MariaDB, with raw bulk-insert baselines.

Builds a reference BO (SQLite, ``generate(articles=N)``) and an empty demo shop on MariaDB, then
times these scenarios, each in a fresh Python process so that its peak RSS is its own:

a. full sync into the empty shop (extract, categories, products, stock; ``full=True``);
a2. the same full sync from a copy of the unsynced BO into another empty shop, with
   ``load_data.LOAD_DATA_ROWS`` forced to 10**9: every insert takes the multi-row INSERT path;
d. baseline: the rows the full sync wrote, inserted into another empty shop with plain PyMySQL
   ``executemany`` (one transaction per table; only the inserts are timed);
d2. baseline: the same rows into another empty shop with PyMySQL ``LOAD DATA LOCAL INFILE``
   (one transaction per table; writing the tab-separated file is timed with the load);
b. no-op sync: incremental, nothing changed in BO;
c. 1 %-changed sync: price of 1 % of the articles +1 (``geaendert_am`` bumped) and stock of
   another 1 % +7, then an incremental sync.

Every scenario is checked, not only timed: row counts, quantities against BO, the same shop rows
on both insert paths and in the LOAD DATA baseline, "nothing changed" after the no-op, and
"exactly the chosen products changed, as expected" after the 1 % run.
Results are kept per article count inside the Markdown file (an HTML comment holds the raw
figures), so a 10 000 and a 100 000 run both show; the section between the ``notes`` markers
is hand-written and kept as it is.

Usage::

    python scripts/benchmark.py [--articles 10000] [--output docs/benchmarks.md]
        [--profile DIR] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import json
import logging
import os
import pickle
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "fixtures"))
sys.path.insert(0, str(ROOT / "scripts"))

import sqlalchemy as sa  # noqa: E402

MARIADB_HOST, MARIADB_PORT, MARIADB_USER = "127.0.0.1", 3306, "root"
SHOP_DB = "bo_osc_bench"
BASELINE_DB = "bo_osc_bench_base"
INSERT_DB = "bo_osc_bench_insert"  # full sync on the multi-row INSERT path
LOAD_DB = "bo_osc_bench_load"  # baseline by LOAD DATA LOCAL INFILE
ROUND_DB = "bo_osc_bench_round"  # the repeated full syncs
DATABASES = (SHOP_DB, BASELINE_DB, INSERT_DB, LOAD_DB, ROUND_DB)
# runs of the full sync, the executemany baseline and the no-op, alternating, whose median
# the ratios take: one run's ratio moves by 20 % with the machine
DEFAULT_ROUNDS = 3
ROUNDS_UP_TO = 100_000  # larger catalogs: one run each by default (the 20-minute budget)
FORCED_LOAD_DATA_ROWS = 10**9  # load_data.LOAD_DATA_ROWS of the INSERT-path run
BULK_NOTE = "bulk insert by "  # how the step reports say which insert path a table took
TENANT = "demo"  # settings (price source, VAT, languages) of the demo tenant in dags/tenants.yaml

RUN_AT = {
    "full": datetime(2026, 11, 1, 12, 0, 0),
    "full_insert": datetime(2026, 11, 1, 12, 0, 0),
    "full_round": datetime(2026, 11, 1, 12, 0, 0),
    "noop_first": datetime(2026, 11, 1, 13, 0, 0),
    "noop": datetime(2026, 11, 1, 14, 0, 0),
    "changed": datetime(2026, 11, 2, 12, 0, 0),
}
CHANGED_AT = datetime(2026, 11, 2, 9, 0, 0)  # geaendert_am of the changed BO rows
STOCK_DELTA = 7

CATALOG_TABLES = (
    "categories",
    "categories_description",
    "products",
    "products_description",
    "products_to_categories",
)
PRIMARY_KEYS = {
    "categories": ("categories_id",),
    "categories_description": ("categories_id", "language_id"),
    "products": ("products_id",),
    "products_description": ("products_id", "language_id"),
    "products_to_categories": ("products_id", "categories_id"),
}

# the targets of big catalogs; at 10 000 articles and below the fixed costs weigh more
TARGET_FULL_VS_BASELINE = 1.3
TARGET_NOOP_VS_FULL = 0.05
TARGET_SMALL_FULL_VS_BASELINE = 2.0
TARGET_SMALL_NOOP_S = 2.0
SMALL = 10_000
TARGET_PEAK_MIB = 1024.0
TARGET_PEAK_GROWTH = 1.2  # the peak of any size within 20 % of the 100 000-article peak
PEAK_REFERENCE = "100000"

RESULTS_MARK = "benchmark-results"
STAGES = ("extract", "categories", "products", "stock")

log = logging.getLogger("benchmark")


# --- shared helpers ------------------------------------------------------------------------


def mariadb_url(database: str = "") -> str:
    return (
        f"mysql+pymysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{database}?charset=utf8mb4"
    )


def shop_engine(database: str) -> sa.Engine:
    """An engine built exactly like the DAG tasks build theirs (strict mode, pre-ping)."""
    from bo_oscommerce.connections import Endpoint, create_engine_for

    return create_engine_for(Endpoint("benchmark_shop", sa.make_url(mariadb_url(database))))


def bo_engine(path: Path) -> sa.Engine:
    from bo_oscommerce.connections import Endpoint, create_engine_for

    url = sa.URL.create("sqlite", database=f"file:{path}", query={"mode": "rw", "uri": "true"})
    return create_engine_for(Endpoint("benchmark_bo", url))


def tenant_settings() -> Any:
    from bo_oscommerce.config import load_config

    return load_config(ROOT / "dags" / "tenants.yaml").get(TENANT)


def memory_kib() -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of this process in KiB, from /proc/self/status.

    VmHWM belongs to the process's own address space, so it starts fresh after exec; unlike
    ``ru_maxrss``, which Linux carries over from the parent across fork/exec.
    """
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak() -> None:
    """Start VmHWM afresh at the current RSS (Linux ``clear_refs`` 5), so that the peak after a
    stage is that stage's own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def recreate_database(name: str) -> None:
    server = sa.create_engine(mariadb_url(), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
    finally:
        server.dispose()


def drop_database(name: str) -> None:
    server = sa.create_engine(mariadb_url(), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        server.dispose()


def new_demo_shop(name: str) -> None:
    from bo_oscommerce_fixtures.demo_shop import create_demo_shop

    recreate_database(name)
    engine = shop_engine(name)
    try:
        create_demo_shop(engine)
    finally:
        engine.dispose()


@contextlib.contextmanager
def profiled(target: Path | None) -> Iterator[None]:
    """cProfile the block if ``target`` is set: ``<target>.prof`` plus a text summary."""
    if target is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(target.with_suffix(".prof"))
        with target.with_suffix(".txt").open("w") as out:
            for order in ("cumulative", "tottime"):
                out.write(f"===== sorted by {order} =====\n")
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(45)


# --- worker: one scenario in its own process ------------------------------------------------


def _warm_up() -> float:
    """Imports, Airflow's storage layer and the GX context: paid once per task process (and
    already done by Airflow's task runner for its part), so timed apart from the sync."""
    started = time.perf_counter()
    import pandas as pd
    from airflow.sdk import ObjectStoragePath  # noqa: F401

    from bo_oscommerce.quality.validation import Check, Suite, validate
    from bo_oscommerce.staging import read_frame, staging_dir, write_frame
    from bo_oscommerce.sync import categories, products, stock  # noqa: F401

    suite = Suite(
        "warm_up", "k", (Check("ExpectColumnValuesToNotBeNull", {"column": "k"}, "warm-up"),)
    )
    frame = pd.DataFrame({"k": ["x"]})
    validate(pd.DataFrame({"k": [None]}), suite)  # a failing row: GX itself runs once
    # the first ObjectStoragePath I/O loads Airflow's plugins (lineage hooks) once per process
    read_frame(write_frame(staging_dir("warm_up", "warm_up/warm_up") / "k.parquet", frame))
    return time.perf_counter() - started


def _sync_target(state: dict[str, Any], scenario: str) -> tuple[Path, str]:
    """BO file and shop database of a sync scenario. The INSERT-path run has its own of both,
    its own staging (GX's validation cache as cold as in the full run) and no LOAD DATA."""
    if scenario == "full_round":  # a fresh copy of the unsynced BO, its own staging and shop
        os.environ["BO_OSC_STAGING_URL"] = state["round_staging_url"]
        return Path(state["round_bo_path"]), state["round_db"]
    if scenario != "full_insert":
        return Path(state["bo_path"]), state["shop_db"]
    from bo_oscommerce.shop import load_data

    load_data.LOAD_DATA_ROWS = FORCED_LOAD_DATA_ROWS
    os.environ["BO_OSC_STAGING_URL"] = state["insert_staging_url"]
    return Path(state["insert_bo_path"]), state["insert_db"]


def _report_figures(report: Any) -> dict[str, Any]:
    """A step report's counts, set-aside reasons and bulk-insert notes (not in ``counts()``)."""
    return {
        **report.counts(),
        "set_aside_reasons": report.reasons(),
        "bulk_insert": [note for note in report.notes if note.startswith(BULK_NOTE)],
    }


def _timed_steps(run: Any) -> dict[str, Any]:
    """Extract, categories, products, stock: wall time, time and peak RSS after each stage."""
    from bo_oscommerce.sync.categories import sync_categories
    from bo_oscommerce.sync.products import sync_products
    from bo_oscommerce.sync.run import extract
    from bo_oscommerce.sync.stock import sync_stock

    stages: dict[str, float] = {}
    reports = {}
    started = time.perf_counter()
    extracted = extract(run)
    stages["extract"] = time.perf_counter() - started
    stage_peaks = {"extract": memory_kib()["VmHWM"]}
    overall = stage_peaks["extract"]
    for entity, step in (
        ("categories", lambda: sync_categories(run, extracted["paths"])),
        ("products", lambda: sync_products(run, extracted["paths"])),
        ("stock", lambda: sync_stock(run)),
    ):
        reset_peak()
        begun = time.perf_counter()
        reports[entity] = _report_figures(step())
        stages[entity] = time.perf_counter() - begun
        stage_peaks[entity] = memory_kib()["VmHWM"]
        overall = max(overall, stage_peaks[entity])
    return {
        "wall_s": time.perf_counter() - started,
        "stages_s": stages,
        "extracted": extracted["counts"],
        "reports": reports,
        "stage_peak_rss_kib": stage_peaks,
        "peak_rss_kib": overall,
    }


def run_sync(state: dict[str, Any], scenario: str) -> dict[str, Any]:
    from bo_oscommerce.shop import load_data
    from bo_oscommerce.sync.run import Run

    bo_path, shop_db = _sync_target(state, scenario)
    warm_up = _warm_up()
    memory_before = memory_kib()
    bo, shop = bo_engine(bo_path), shop_engine(shop_db)
    run = Run(
        settings=tenant_settings(),
        bo=bo,
        shop=shop,
        run_key=f"benchmark/{scenario}",
        run_at=RUN_AT[scenario],
        full=scenario in ("full", "full_insert", "full_round"),
    )
    profile = Path(state["profile_dir"]) / f"profile_{scenario}" if state["profile_dir"] else None
    with profiled(profile):
        timed = _timed_steps(run)
    memory_after = memory_kib()
    bo.dispose()
    shop.dispose()
    return {
        **timed,
        "warm_up_s": warm_up,
        "load_data_rows": load_data.LOAD_DATA_ROWS,
        "rss_start_kib": memory_before["VmRSS"],
        "peak_rss_kib": max(timed["peak_rss_kib"], memory_after["VmHWM"]),
    }


Rows = tuple[list[str], list[tuple[Any, ...]]]  # columns, rows


def _fetch_rows(conn: Any, table: str) -> Rows:
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM `{table}` ORDER BY {', '.join(PRIMARY_KEYS[table])}")
        columns = [d[0] for d in cursor.description]
        return columns, list(cursor.fetchall())


def _pymysql_connect(database: str, local_infile: bool = False) -> Any:
    import pymysql

    from bo_oscommerce.connections import _MYSQL_INIT

    return pymysql.connect(
        host=MARIADB_HOST,
        port=MARIADB_PORT,
        user=MARIADB_USER,
        database=database,
        charset="utf8mb4",
        init_command=_MYSQL_INIT,
        autocommit=False,
        local_infile=local_infile,
    )


def _catalog_rows(state: dict[str, Any], database: str) -> dict[str, Rows]:
    """Columns and rows of every catalog table, by primary key. The first baseline to read
    them keeps them in a pickle beside the state, named by the tables' checksums, for every
    later baseline that finds the same rows: PyMySQL reads 3.4 million rows (1 000 000
    articles) in about a minute, the pickle in seconds."""
    checksums = json.dumps(snapshot(database).tables, sort_keys=True)
    path = Path(state["tmp"], f"rows_{hashlib.sha256(checksums.encode()).hexdigest()[:16]}.pickle")
    if path.exists():
        with path.open("rb") as stored:
            return pickle.load(stored)
    source = _pymysql_connect(database)
    try:
        rows = {table: _fetch_rows(source, table) for table in CATALOG_TABLES}
    finally:
        source.close()
    with path.open("wb") as out:
        pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
    return rows


def _table_counts(conn: Any) -> dict[str, int]:
    with conn.cursor() as cursor:
        counts = {}
        for table in CATALOG_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
            counts[table] = int(cursor.fetchone()[0])
        return counts


def run_baseline(state: dict[str, Any]) -> dict[str, Any]:
    """Insert the synced shop's catalog rows into a fresh shop; only the inserts are timed."""
    new_demo_shop(state["baseline_db"])
    data = _catalog_rows(state, state["shop_db"])
    reset_peak()  # the peak of the inserts, not of reading the rows
    memory_before = memory_kib()
    target = _pymysql_connect(state["baseline_db"])
    per_table: dict[str, float] = {}
    rows: dict[str, int] = {}
    try:
        for table, (columns, values) in data.items():
            sql = (
                f"INSERT INTO `{table}` ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            started = time.perf_counter()
            with target.cursor() as cursor:
                target.begin()
                cursor.executemany(sql, values)
                target.commit()
            per_table[table] = time.perf_counter() - started
            rows[table] = len(values)
        copied = _table_counts(target)
    finally:
        target.close()
    return {
        "wall_s": sum(per_table.values()),
        "stages_s": per_table,
        "rows": rows,
        "copied": copied,
        "rss_start_kib": memory_before["VmRSS"],
        "peak_rss_kib": memory_kib()["VmHWM"],
    }


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def _tsv_field(value: Any) -> str:
    """One value in LOAD DATA's default text format: ``\\N`` for NULL, backslash, tab,
    newline, carriage return and NUL escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return str(value).translate(_TSV_ESCAPES)


def _load_table(conn: Any, table: str, columns: list[str], values: list[Any], path: Path) -> int:
    """Write the rows to ``path`` and load them in one transaction; returns warnings + rows
    the server did not take (0 when it took every row cleanly)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.writelines("\t".join(map(_tsv_field, row)) + "\n" for row in values)
    sql = (
        f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `{table}` CHARACTER SET utf8mb4 "
        "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
        f"({', '.join(f'`{c}`' for c in columns)})"
    )
    with conn.cursor() as cursor:
        conn.begin()
        taken = cursor.execute(sql)
        problems = cursor.warning_count + abs(len(values) - taken)
        conn.commit()
    path.unlink()
    return problems


def run_baseline_load(state: dict[str, Any]) -> dict[str, Any]:
    """Load the synced shop's catalog rows into the fresh shop ``load_db`` (made by the parent:
    a shop engine in this process would guard LOCAL INFILE) with LOAD DATA LOCAL INFILE;
    writing each table's file, its load and commit are timed."""
    data = _catalog_rows(state, state["shop_db"])
    reset_peak()  # the peak of the inserts, not of reading the rows
    memory_before = memory_kib()
    target = _pymysql_connect(state["load_db"], local_infile=True)
    per_table: dict[str, float] = {}
    problems: dict[str, int] = {}
    try:
        for table, (columns, values) in data.items():
            started = time.perf_counter()
            path = Path(state["tmp"], f"load_{table}.tsv")
            problems[table] = _load_table(target, table, columns, values, path)
            per_table[table] = time.perf_counter() - started
        copied = _table_counts(target)
    finally:
        target.close()
    return {
        "wall_s": sum(per_table.values()),
        "stages_s": per_table,
        "rows": {table: len(values) for table, (_, values) in data.items()},
        "copied": copied,
        "problems": problems,
        "rss_start_kib": memory_before["VmRSS"],
        "peak_rss_kib": memory_kib()["VmHWM"],
    }


BASELINES = {"baseline": run_baseline, "baseline_load": run_baseline_load}


def worker(scenario: str, state_file: Path) -> None:
    logging.basicConfig(level=logging.WARNING)
    state = json.loads(state_file.read_text())
    if scenario.startswith("customers_"):
        import benchmark_customers

        result = benchmark_customers.run_scenario(
            state, scenario.removeprefix("customers_"), sys.modules[__name__]
        )
    elif scenario.startswith("orders_"):
        import benchmark_orders

        result = benchmark_orders.run_scenario(
            state, scenario.removeprefix("orders_"), sys.modules[__name__]
        )
    else:
        baseline = BASELINES.get(scenario)
        result = baseline(state) if baseline else run_sync(state, scenario)
    Path(state["tmp"], f"result_{scenario}.json").write_text(json.dumps(result))


CUSTOMERS_START, CUSTOMERS_END = "<!-- customers:start -->", "<!-- customers:end -->"


def benchmark_contacts(contacts: int, tmp: Path) -> tuple[str, list[tuple[str, bool, str]]]:
    """The customers benchmark (scripts/benchmark_customers.py): markdown and checks."""
    import benchmark_customers as bc

    os.environ["BO_OSC_STAGING_URL"] = (tmp / "staging").as_uri()
    os.environ["BO_OSC_REPORTS_URL"] = (tmp / "reports").as_uri()
    bo_path = tmp / "bo_contacts.db"
    started = time.perf_counter()
    bc.build_bo(bo_path, contacts)
    log.info("BO with %s contacts built in %.1f s", contacts, time.perf_counter() - started)
    new_demo_shop(bc.SHOP_DB)
    state = {"tmp": str(tmp), "bo_path": str(bo_path)}
    state_file = tmp / "state_customers.json"
    state_file.write_text(json.dumps(state))
    scenarios = {
        key: run_worker(f"customers_{key}", state_file, tmp)
        for key in ("full", "baseline", "noop_first", "noop")
    }
    checks = bc.check(state, contacts, sys.modules[__name__])
    for name in (bc.SHOP_DB, bc.BASELINE_DB):
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            drop_database(name)
    return bc.render(contacts, scenarios, checks, machine()), checks


def benchmark_order_import(orders: int, tmp: Path) -> tuple[str, list[tuple[str, bool, str]]]:
    """The orders benchmark (scripts/benchmark_orders.py): markdown and checks."""
    import benchmark_orders as ob

    os.environ["BO_OSC_STAGING_URL"] = (tmp / "staging").as_uri()
    os.environ["BO_OSC_REPORTS_URL"] = (tmp / "reports").as_uri()
    state = {"tmp": str(tmp), "bo_path": str(tmp / "bo_orders.db")}
    started = time.perf_counter()
    ob.build(Path(state["bo_path"]), orders, sys.modules[__name__])
    log.info("shop with %s orders built in %.1f s", orders, time.perf_counter() - started)
    state_file = tmp / "state_orders.json"
    state_file.write_text(json.dumps(state))
    scenarios = {key: run_worker(f"orders_{key}", state_file, tmp) for key in ("full", "noop")}
    checks = ob.check(state, orders, sys.modules[__name__])
    with contextlib.suppress(sa.exc.SQLAlchemyError):
        drop_database(ob.SHOP_DB)
    return ob.render(orders, scenarios, checks, machine()), checks


BLOCKS = {
    "customers": (CUSTOMERS_START, CUSTOMERS_END),
    "orders": ("<!-- orders:start -->", "<!-- orders:end -->"),
    "fleet": ("<!-- fleet:start -->", "<!-- fleet:end -->"),
    "images": ("<!-- images:start -->", "<!-- images:end -->"),
    "console": ("<!-- console:start -->", "<!-- console:end -->"),
}


def with_block(text: str, name: str, block: str | None) -> str:
    """``text`` with the named section (between its markers) replaced or added."""
    if block is None:
        return text
    start, end = BLOCKS[name]
    section = f"{start}\n{block.strip()}\n{end}"
    if start in text:
        return re.sub(
            rf"{re.escape(start)}.*?{re.escape(end)}", lambda _: section, text, flags=re.S
        )
    return text.replace(NOTES_START, f"{section}\n\n{NOTES_START}", 1)


def stored_block(text: str, name: str) -> str | None:
    start, end = BLOCKS[name]
    found = re.search(rf"{re.escape(start)}\n(.*?){re.escape(end)}", text, re.S)
    return found.group(1) if found else None


# --- parent: data, scenarios, checks --------------------------------------------------------


SETTLE_DIRTY_PAGES = 100  # InnoDB pages still unwritten at which the server counts as quiet
SETTLE_TIMEOUT_S = 120


def settle_server() -> float:
    """Wait until MariaDB has written the pages the last scenario dirtied (its page cleaner
    told to flush everything meanwhile, then set back), so that no scenario pays for the
    flushing of the one before it; returns the seconds waited."""
    import pymysql

    started = time.perf_counter()
    conn = _pymysql_connect("")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
            (before,) = cursor.fetchone()
            try:
                cursor.execute("SET GLOBAL innodb_max_dirty_pages_pct = 0")
            except pymysql.err.MySQLError:  # no right to: wait for the server's own pace
                before = None
            try:
                while time.perf_counter() - started < SETTLE_TIMEOUT_S:
                    cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
                    if int(cursor.fetchone()[1]) <= SETTLE_DIRTY_PAGES:
                        break
                    time.sleep(0.2)
            finally:
                if before is not None:
                    cursor.execute(f"SET GLOBAL innodb_max_dirty_pages_pct = {float(before)}")
    finally:
        conn.close()
    return time.perf_counter() - started


def run_worker(scenario: str, state_file: Path, tmp: Path) -> dict[str, Any]:
    log.info("scenario %s: the server settled in %.1f s", scenario, settle_server())
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", scenario, str(state_file)],
        check=True,
        env=os.environ.copy(),
    )
    result = json.loads((tmp / f"result_{scenario}.json").read_text())
    log.info("scenario %s: %.2f s", scenario, result["wall_s"])
    return result


def build_bo(path: Path, articles: int) -> dict[str, int]:
    from bo_oscommerce_fixtures.demo_bo import generate
    from bo_oscommerce_fixtures.reference_bo import create_reference_schema

    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        create_reference_schema(engine)
        return generate(engine, articles=articles).counts
    finally:
        engine.dispose()


@dataclass
class Snapshot:
    """The shop's catalog at one moment: per table its row count and ``CHECKSUM TABLE`` (the
    server's checksum over every column of every row, so equal tables compare without
    fetching them); where a check reads them, every product's quantity and a digest of its
    row, and the whole rows of the products asked for."""

    database: str
    tables: dict[str, tuple[int, int]]  # table -> (rows, checksum)
    quantities: dict[int, Any] = field(default_factory=dict)  # products_id -> quantity
    digests: dict[int, str] = field(default_factory=dict)  # products_id -> MD5 of the row
    columns: list[str] = field(default_factory=list)  # of the products rows
    products: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {table: rows for table, (rows, _) in self.tables.items()}

    def product(self, products_id: int) -> dict[str, Any]:
        return dict(zip(self.columns, self.products[products_id], strict=True))


def snapshot(database: str, products: bool = False, rows_of: Iterable[int] = ()) -> Snapshot:
    """Row counts and checksums of every catalog table; with ``products`` each product's
    quantity and row digest (MD5 over a JSON array of every column, by the server), and the
    whole rows of the ``rows_of`` products_ids."""
    conn = _pymysql_connect(database)
    try:
        with conn.cursor() as cursor:
            tables = {}
            for table in CATALOG_TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM `{table}`")
                (rows,) = cursor.fetchone()
                cursor.execute(f"CHECKSUM TABLE `{table}`")
                tables[table] = (int(rows), int(cursor.fetchone()[1]))
            shot = Snapshot(database, tables)
            if not products:
                return shot
            cursor.execute("SELECT * FROM products LIMIT 0")
            shot.columns = [d[0] for d in cursor.description]
            row_json = f"JSON_ARRAY({', '.join(f'`{c}`' for c in shot.columns)})"
            cursor.execute(f"SELECT products_id, products_quantity, MD5({row_json}) FROM products")
            for products_id, quantity, digest in cursor.fetchall():
                shot.quantities[products_id] = quantity
                shot.digests[products_id] = digest
            wanted = sorted(set(rows_of))
            key = shot.columns.index("products_id")
            for start in range(0, len(wanted), 5_000):
                part = wanted[start : start + 5_000]
                cursor.execute("SELECT * FROM products WHERE products_id IN %s", (part,))
                shot.products.update((row[key], row) for row in cursor.fetchall())
        return shot
    finally:
        conn.close()


def differing_rows(expected: str, got: str, table: str) -> int:
    """Rows of ``table`` in database ``got`` that database ``expected`` does not hold as they
    are, and the other way round (by the server's EXCEPT over every column)."""
    conn = _pymysql_connect("")
    try:
        with conn.cursor() as cursor:
            total = 0
            for a, b in ((got, expected), (expected, got)):
                cursor.execute(
                    f"SELECT COUNT(*) FROM (SELECT * FROM `{a}`.`{table}`"
                    f" EXCEPT SELECT * FROM `{b}`.`{table}`) AS d"
                )
                total += int(cursor.fetchone()[0])
            return total
    finally:
        conn.close()


def shop_counts(shot: Snapshot) -> dict[str, int]:
    return shot.counts()


def bo_state(bo_path: Path, settings: Any) -> dict[str, Any]:
    """What the shop should hold per article, computed from BO with the sync's own rules."""
    import pandas as pd

    from bo_oscommerce.bo import io as bo_io
    from bo_oscommerce.transform.products import net_price
    from bo_oscommerce.transform.stock import quantities

    engine = bo_engine(bo_path)
    try:
        stock = bo_io.query(engine, "extract_lagerbestand")
        price_column = "listenpreis" if settings.price_source == "list" else "ladenpreis"
        with engine.connect() as conn:
            articles = pd.DataFrame(
                conn.execute(
                    sa.text(
                        f"SELECT a.artikel_nr, a.osc_products_id, a.im_web, a.{price_column} AS p,"
                        " u.satz FROM artikel a"
                        " LEFT JOIN umsatzsteuer u ON u.ust_schluessel = a.ust_schluessel"
                    )
                ).all(),
                columns=["artikel_nr", "osc_products_id", "im_web", "p", "satz"],
            )
    finally:
        engine.dispose()
    qty = quantities(stock, settings.stock_source).set_index("artikel_nr")["products_quantity"]
    articles["net"] = net_price(articles["p"], articles["satz"], settings.price_includes_vat)
    articles["qty"] = articles["artikel_nr"].map(qty)
    in_shop = articles[articles["osc_products_id"].notna()]
    return {
        "products_id": {
            r.artikel_nr: int(r.osc_products_id) for r in in_shop.itertuples(index=False)
        },
        "net": dict(zip(in_shop["artikel_nr"], in_shop["net"], strict=True)),
        "qty": dict(zip(in_shop["artikel_nr"], in_shop["qty"], strict=True)),
        "web_articles": int((articles["im_web"].astype(int) == 1).sum()),
    }


def change_bo(bo_path: Path, settings: Any, articles: int) -> dict[str, list[str]]:
    """Price +1 for 1 % of the synced articles, stock +7 for another 1 %; returns both sets."""
    price_column = "listenpreis" if settings.price_source == "list" else "ladenpreis"
    count = max(1, articles // 100)
    engine = bo_engine(bo_path)
    try:
        with engine.begin() as conn:
            synced = [
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT artikel_nr FROM artikel WHERE im_web = 1"
                        " AND osc_products_id IS NOT NULL ORDER BY artikel_nr"
                    )
                )
            ]
            step = max(1, len(synced) // count)
            priced = synced[::step][:count]
            # stock: articles with a warehouse row and stock >= 0, so +7 always shows in the shop
            stocked = [
                r[0]
                for r in conn.execute(
                    sa.text(
                        "SELECT a.artikel_nr FROM artikel a JOIN lagerbestand l"
                        " ON l.artikel_nr = a.artikel_nr"
                        " WHERE a.im_web = 1 AND a.osc_products_id IS NOT NULL"
                        " GROUP BY a.artikel_nr"
                        " HAVING MIN(l.bestand - l.reserviert) >= 0 AND MIN(l.bestand) >= 0"
                        " ORDER BY a.artikel_nr"
                    )
                )
            ]
            taken = set(priced)
            stocked = [nr for nr in stocked if nr not in taken]
            stock_step = max(1, len(stocked) // count)
            restocked = stocked[stock_step // 2 :: stock_step][:count]
            conn.execute(
                sa.text(
                    f"UPDATE artikel SET {price_column} = {price_column} + 1, geaendert_am = :t"
                    " WHERE artikel_nr = :nr"
                ),
                [{"nr": nr, "t": CHANGED_AT} for nr in priced],
            )
            conn.execute(
                sa.text(
                    "UPDATE lagerbestand SET bestand = bestand + :d, geaendert_am = :t"
                    " WHERE artikel_nr = :nr AND lager_nr ="
                    " (SELECT MIN(lager_nr) FROM lagerbestand WHERE artikel_nr = :nr)"
                ),
                [{"nr": nr, "t": CHANGED_AT, "d": STOCK_DELTA} for nr in restocked],
            )
    finally:
        engine.dispose()
    return {"price": priced, "stock": restocked}


class Checks:
    """Named correctness checks; a failed one is recorded, reported and fails the run."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.items.append({"name": name, "ok": bool(ok), "detail": detail})
        (log.info if ok else log.error)("check %s: %s %s", "OK" if ok else "FAILED", name, detail)

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.items)


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and abs(float(a) - float(b)) < 0.00005
    return a == b


def check_quantities(checks: Checks, label: str, shot: Snapshot, expected: dict[str, Any]) -> None:
    wrong = [
        nr
        for nr, pid in expected["products_id"].items()
        if pid in shot.quantities and shot.quantities[pid] != expected["qty"][nr]
    ]
    missing = [nr for nr, pid in expected["products_id"].items() if pid not in shot.quantities]
    checks.check(
        f"{label}: every product's quantity equals BO's stock",
        not wrong and not missing,
        f"{len(wrong)} wrong, {len(missing)} ids unknown to the shop"
        + (f", e.g. {(wrong + missing)[:5]}" if wrong or missing else ""),
    )


def check_full(checks: Checks, result: dict[str, Any], shot: Snapshot, bo: dict[str, Any]) -> None:
    counts = shop_counts(shot)
    products = result["reports"]["products"]
    categories = result["reports"]["categories"]
    checks.check(
        "full: products in the shop = products inserted",
        counts["products"] == products["inserted"] > 0,
        f"{counts['products']} rows, {products['inserted']} inserted",
    )
    checks.check(
        "full: every web article is in the shop, set aside, or kept out (offline group)",
        products["inserted"] + products["set_aside"] + products["kept_out"] == bo["web_articles"],
        f"{products['inserted']} inserted + {products['set_aside']} set aside + "
        f"{products['kept_out']} kept out vs {bo['web_articles']} web articles",
    )
    checks.check(
        "full: one description per product and language, one category per product",
        counts["products_description"] == 2 * counts["products"]
        and counts["products_to_categories"] == counts["products"],
        f"{counts['products_description']} descriptions, {counts['products_to_categories']} p2c",
    )
    checks.check(
        "full: categories inserted, two names each",
        counts["categories"] == categories["inserted"] > 0
        and counts["categories_description"] == 2 * counts["categories"],
        f"{counts['categories']} categories, {counts['categories_description']} names",
    )
    checks.check(
        "full: every synced BO article has its products_id written back",
        len(bo["products_id"]) == counts["products"],
        f"{len(bo['products_id'])} ids in BO",
    )
    check_quantities(checks, "full", shot, bo)


def check_noop(checks: Checks, result: dict[str, Any], before: Snapshot, after: Snapshot) -> None:
    changed = changed_tables(before, after)
    checks.check("no-op: no shop row changed by any no-op run", not changed, json.dumps(changed))
    written = {e: r["inserted"] + r["updated"] + r["hidden"] for e, r in result["reports"].items()}
    checks.check("no-op: reports count no writes", not any(written.values()), json.dumps(written))


def changed_tables(before: Snapshot, after: Snapshot) -> dict[str, str]:
    """The tables whose rows differ (by count or checksum), with both row counts."""
    return {
        table: f"{before.tables[table][0]} -> {after.tables[table][0]} rows"
        for table in CATALOG_TABLES
        if before.tables[table] != after.tables[table]
    }


def changed_products(before: Snapshot, after: Snapshot) -> set[int]:
    """The products_ids whose row differs between two snapshots taken with ``products``."""
    keys = before.digests.keys() | after.digests.keys()
    return {k for k in keys if before.digests.get(k) != after.digests.get(k)}


def check_changed(
    checks: Checks,
    before: Snapshot,
    after: Snapshot,
    chosen: dict[str, list[str]],
    bo: dict[str, Any],
) -> int:
    """Exactly the chosen products changed, in exactly the expected columns; returns rows."""
    diff = changed_products(before, after)
    priced = {bo["products_id"][nr]: nr for nr in chosen["price"]}
    stocked = {bo["products_id"][nr]: nr for nr in chosen["stock"]}
    checks.check(
        "1 %: exactly the chosen products changed",
        diff == set(priced) | set(stocked),
        f"{len(diff)} changed, {len(priced)} price + {len(stocked)} stock chosen; "
        f"unexpected {sorted(diff - set(priced) - set(stocked))[:5]}, "
        f"missed {sorted((set(priced) | set(stocked)) - diff)[:5]}",
    )
    others = {t: n for t, n in changed_tables(before, after).items() if t != "products"}
    checks.check("1 %: no description, category or p2c row changed", not others, str(others))

    bad_price = []
    for key, nr in priced.items():
        old, new = before.product(key), after.product(key)
        columns = {c for c in new if not _same_value(old[c], new[c])}
        if (
            columns != {"products_price", "products_last_modified"}
            or not _same_value(new["products_price"], bo["net"][nr])
            or new["products_last_modified"] != RUN_AT["changed"]
        ):
            bad_price.append((nr, sorted(columns)))
    checks.check(
        "1 %: changed prices = BO's new net price, last_modified = run time, nothing else",
        not bad_price,
        f"{len(bad_price)} wrong" + (f", e.g. {bad_price[:3]}" if bad_price else ""),
    )
    bad_qty = []
    for key, nr in stocked.items():
        old, new = before.product(key), after.product(key)
        columns = {c for c in new if not _same_value(old[c], new[c])}
        if (
            columns != {"products_quantity"}
            or new["products_quantity"] != old["products_quantity"] + STOCK_DELTA
        ):
            bad_qty.append((nr, sorted(columns)))
    checks.check(
        f"1 %: changed quantities = old + {STOCK_DELTA}, nothing else changed",
        not bad_qty,
        f"{len(bad_qty)} wrong" + (f", e.g. {bad_qty[:3]}" if bad_qty else ""),
    )
    check_quantities(checks, "1 %", after, bo)
    return len(diff)


def same_rows(checks: Checks, name: str, expected: Snapshot, got: Snapshot) -> None:
    """Every catalog row equal in every column: the same row count and checksum per table.
    Where a table differs, the detail counts its differing rows against the expected
    database as it is now."""
    differing = {
        table: differing_rows(expected.database, got.database, table)
        for table in changed_tables(expected, got)
    }
    checks.check(
        name,
        not differing,
        json.dumps(shop_counts(got))
        + (f"; rows differing: {json.dumps(differing)}" if differing else ""),
    )


def bulk_paths(result: dict[str, Any]) -> list[str]:
    """The bulk-insert notes of a sync scenario's categories and products reports."""
    reports = result["reports"]
    return [
        note
        for entity in ("categories", "products")
        for note in reports[entity].get("bulk_insert", [])
    ]


def run_insert_path(
    checks: Checks,
    scenarios: dict[str, dict[str, Any]],
    after_full: Snapshot,
    state_file: Path,
    tmp: Path,
) -> int:
    """The full sync once more, on the multi-row INSERT path into its own empty shop: it must
    write the same rows as the full sync. Returns the rows it wrote."""
    new_demo_shop(INSERT_DB)
    scenarios["full_insert"] = run_worker("full_insert", state_file, tmp)
    after_insert = snapshot(INSERT_DB)
    same_rows(checks, "INSERT path: the same shop rows as the full sync", after_full, after_insert)
    loaded = [p for p in bulk_paths(scenarios["full_insert"]) if p.startswith(BULK_NOTE + "LOAD")]
    checks.check("INSERT path: no table went in by LOAD DATA", not loaded, "; ".join(loaded))
    return sum(shop_counts(after_insert).values())


def run_rounds(
    checks: Checks,
    scenarios: dict[str, dict[str, Any]],
    after_full: Snapshot,
    state_file: Path,
    tmp: Path,
    rounds: int,
) -> None:
    """Further runs of the full sync (from a fresh copy of the unsynced BO into a fresh shop),
    the executemany baseline and the no-op, one of each per round; each scenario's wall time
    becomes the median of its runs (``rounds_s`` keeps them all, the other figures are the
    first run's). Every repeated full sync must write the full sync's rows."""
    state = json.loads(state_file.read_text())
    walls = {key: [scenarios[key]["wall_s"]] for key in ROUND_SCENARIOS}
    for number in range(2, rounds + 1):
        shutil.copyfile(tmp / "bo_unsynced.db", state["round_bo_path"])
        shutil.rmtree(tmp / "staging_round", ignore_errors=True)
        new_demo_shop(ROUND_DB)
        walls["full"].append(run_worker("full_round", state_file, tmp)["wall_s"])
        same_rows(
            checks, f"run {number} of the full sync: the same shop rows", after_full,
            snapshot(ROUND_DB),
        )  # fmt: skip
        walls["baseline"].append(run_worker("baseline", state_file, tmp)["wall_s"])
        walls["noop"].append(run_worker("noop", state_file, tmp)["wall_s"])
    for key, runs in walls.items():
        scenarios[key]["rounds_s"] = runs
        scenarios[key]["wall_s"] = statistics.median(runs)


ROUND_SCENARIOS = ("full", "baseline", "noop")


def run_load_baseline(
    checks: Checks,
    scenarios: dict[str, dict[str, Any]],
    after_full: Snapshot,
    state_file: Path,
    tmp: Path,
) -> None:
    """The LOAD DATA LOCAL INFILE baseline into its own empty shop, checked like the other."""
    new_demo_shop(LOAD_DB)
    result = scenarios["baseline_load"] = run_worker("baseline_load", state_file, tmp)
    checks.check(
        "LOAD DATA baseline: same row counts as the full sync, every row taken without warning",
        result["copied"] == shop_counts(after_full) and not any(result["problems"].values()),
        json.dumps(result["copied"])
        + f"; warnings or rows not taken {json.dumps(result['problems'])}",
    )
    same_rows(
        checks, "LOAD DATA baseline: the same rows as the full sync", after_full, snapshot(LOAD_DB)
    )


# --- machine and report ---------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib.metadata import version as package_version

    import pandas

    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    server = sa.create_engine(mariadb_url())
    try:
        with server.connect() as conn:
            version = conn.execute(sa.text("SELECT VERSION()")).scalar_one()
            pool = conn.execute(sa.text("SELECT @@innodb_buffer_pool_size")).scalar_one()
            flush = conn.execute(sa.text("SELECT @@innodb_flush_log_at_trx_commit")).scalar_one()
    finally:
        server.dispose()
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "mariadb": str(version),
        "innodb_buffer_pool_mib": int(pool) // 1024 // 1024,
        "innodb_flush_log_at_trx_commit": int(flush),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "sqlalchemy": sa.__version__,
        "pymysql": package_version("PyMySQL"),
        "kernel": platform.release(),
    }


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB".replace(",", " ")


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def _sync_peak(result: dict[str, Any]) -> float:
    """The largest peak RSS (MiB) of the sync scenarios; the baselines hold every row at once
    by design."""
    s = result["scenarios"]
    syncs = [k for k in SCENARIO_NAMES if k in s and "baseline" not in k]
    return max(s[k]["peak_rss_kib"] for k in syncs) / 1024


def targets(
    result: dict[str, Any], results: dict[str, Any] | None = None
) -> list[tuple[str, str, bool]]:
    s = result["scenarios"]
    full, base, noop = s["full"]["wall_s"], s["baseline"]["wall_s"], s["noop"]["wall_s"]
    peak = _sync_peak(result)
    small = result["articles"] <= SMALL
    ratio = TARGET_SMALL_FULL_VS_BASELINE if small else TARGET_FULL_VS_BASELINE
    found = [
        (
            f"full sync within {ratio:g}x the executemany baseline",
            f"{full / base:.2f}x ({full:.1f} s vs {base:.1f} s)",
            full / base <= ratio,
        ),
        (
            f"no-op sync under {TARGET_SMALL_NOOP_S:g} s"
            if small
            else f"no-op sync under {TARGET_NOOP_VS_FULL:.0%} of the full sync",
            f"{noop:.2f} s ({noop / full:.1%} of the full sync)",
            noop < TARGET_SMALL_NOOP_S if small else noop / full < TARGET_NOOP_VS_FULL,
        ),
        (
            "peak memory (largest peak RSS of a sync scenario) under 1 GiB",
            f"{peak:,.0f} MiB".replace(",", " "),
            peak < TARGET_PEAK_MIB,
        ),
    ]
    reference = (results or {}).get(PEAK_REFERENCE)
    if reference and result["articles"] > int(PEAK_REFERENCE):
        ref_peak = _sync_peak(reference)
        found.append((
            f"peak memory within {TARGET_PEAK_GROWTH - 1:.0%} of the {_n(int(PEAK_REFERENCE))}"
            "-article peak",
            f"{peak:.0f} MiB vs {ref_peak:.0f} MiB ({peak / ref_peak - 1:+.0%})",
            peak <= ref_peak * TARGET_PEAK_GROWTH,
        ))  # fmt: skip
    return found


SCENARIO_NAMES = {
    "full": "a. full sync into the empty shop",
    "full_insert": "a2. full sync, INSERT path",
    "noop_first": "b1. first no-op sync after the full one (incremental)",
    "noop": "b. no-op sync (incremental, nothing changed, steady state)",
    "changed": "c. 1 %-changed sync (incremental)",
    "baseline": "d. baseline: PyMySQL executemany of the same rows",
    "baseline_load": "d2. baseline: PyMySQL LOAD DATA LOCAL INFILE of the same rows",
}


def _intro_lines(result: dict[str, Any]) -> list[str]:
    m = result["machine"]
    return [
        f"## {_n(result['articles'])} articles",
        "",
        f"Measured {result['date']} on {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM; "
        f"MariaDB {m['mariadb']} (innodb_buffer_pool_size {m['innodb_buffer_pool_mib']} MiB, "
        f"innodb_flush_log_at_trx_commit {m['innodb_flush_log_at_trx_commit']}); "
        f"Python {m['python']}, pandas {m['pandas']}, SQLAlchemy {m['sqlalchemy']}, "
        f"PyMySQL {m['pymysql']}.",
        "",
        f"BO: {_n(result['bo_counts'].get('artikel', 0))} articles (incl. the deliberately dirty "
        f"ones), {_n(result['bo_counts'].get('warengruppe', 0))} product groups. Shop after the "
        "full sync: " + ", ".join(f"{t} {_n(n)}" for t, n in result["shop_counts"].items()) + ".",
        "",
    ]


def _ratio(s: dict[str, Any], top: str, bottom: str) -> str:
    """``top``'s wall time over ``bottom``'s, "–" where a scenario is missing (older runs)."""
    if top not in s or bottom not in s or not s[bottom]["wall_s"]:
        return "–"
    return f"{s[top]['wall_s'] / s[bottom]['wall_s']:.2f}x"


def _scenario_lines(result: dict[str, Any]) -> list[str]:
    """The scenario table and the ratios under it."""
    s, rows = result["scenarios"], result["rows_written"]
    lines = [
        "| Scenario | Wall time | Shop rows written | Rows/s | Peak RSS (+ over start) "
        "| Process warm-up |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, name in SCENARIO_NAMES.items():
        if key not in s:
            continue
        v = s[key]
        written = rows.get(key)
        rate = _n(written / v["wall_s"]) if written and v["wall_s"] else "–"
        warm = f"{v['warm_up_s']:.1f} s" if "warm_up_s" in v else "–"
        lines.append(
            f"| {name} | {v['wall_s']:.2f} s | {_n(written) if written is not None else '–'} "
            f"| {rate} | {_mib(v['peak_rss_kib'])} "
            f"(+{(v['peak_rss_kib'] - v['rss_start_kib']) / 1024:.0f}) | {warm} |"
        )
    full, noop = s["full"]["wall_s"], s["noop"]["wall_s"]
    return lines + [
        "",
        f"Ratios: full / executemany baseline **{_ratio(s, 'full', 'baseline')}**, "
        f"full / LOAD DATA baseline {_ratio(s, 'full', 'baseline_load')}, "
        f"full (INSERT path) / executemany baseline {_ratio(s, 'full_insert', 'baseline')}, "
        f"no-op / full **{noop / full:.1%}**, 1 %-changed / full "
        f"{s['changed']['wall_s'] / full:.1%}.",
        *_round_lines(s),
        *_path_lines(s),
    ]


def _round_lines(s: dict[str, Any]) -> list[str]:
    """The runs behind the medians (older results ran each scenario once: no line)."""
    runs = [
        (key, s[key]["rounds_s"]) for key in ROUND_SCENARIOS if len(s[key].get("rounds_s", [])) > 1
    ]
    if not runs:
        return []
    text = "; ".join(
        f"{SCENARIO_NAMES[key].split('. ')[0]}. " + ", ".join(f"{v:.2f}" for v in values) + " s"
        for key, values in runs
    )
    return [
        "",
        f"Wall times of a, b and d are the median of {len(runs[0][1])} runs, taken in turn "
        f"(every other figure is the first run's): {text}.",
    ]


def _path_lines(s: dict[str, Any]) -> list[str]:
    """Which insert path each full sync took, from its step reports' notes (older results
    carry no notes: no line)."""
    parts = []
    for key in ("full", "full_insert"):
        if "load_data_rows" not in s.get(key, {}):
            continue
        paths = [note.removeprefix(BULK_NOTE) for note in bulk_paths(s[key])]
        rest = f"by multi-row INSERT (below LOAD_DATA_ROWS = {_n(s[key]['load_data_rows'])})"
        paths.append(f"{'every other' if paths else 'every'} table {rest}")
        parts.append(f"{SCENARIO_NAMES[key].split('. ')[0]}. {'; '.join(paths)}.")
    return (
        ["", "Insert paths of the full syncs (step reports): " + " ".join(parts)] if parts else []
    )


def _stage_lines(result: dict[str, Any]) -> list[str]:
    """Stage split, peak RSS per stage, baselines per table."""
    s = result["scenarios"]
    lines = [
        "",
        "Stage split: seconds, and the peak RSS during the stage (a stage's own peak, where the "
        "run measured it so; the high-water mark so far in older runs):",
        "",
        "| Scenario | extract | categories | products | stock |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in ("full", "full_insert", "noop", "changed"):
        if key not in s:
            continue
        st, peaks = s[key]["stages_s"], s[key].get("stage_peak_rss_kib", {})
        cells = [
            f"{st[stage]:.2f} s" + (f" · {_mib(peaks[stage])}" if stage in peaks else "")
            for stage in STAGES
        ]
        name = SCENARIO_NAMES[key].split(" ", 1)[1].split(" (")[0]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"Process RSS at the start of the full sync, after warm-up: "
              f"{_mib(s['full']['rss_start_kib'])}."]  # fmt: skip
    for key, label in (
        ("baseline", "Baseline per table (seconds)"),
        ("baseline_load", "LOAD DATA baseline per table (seconds, writing the file included)"),
    ):
        if key in s:
            bt = s[key]["stages_s"]
            lines += [
                "",
                f"{label}: " + ", ".join(f"{t} {bt[t]:.2f}" for t in CATALOG_TABLES) + ".",
            ]
    return lines


def _target_lines(result: dict[str, Any], results: dict[str, Any]) -> list[str]:
    """Targets, correctness checks and the notes of the run."""
    lines = ["", "| Target | Measured | Result |", "|---|---|---|"]
    lines += [
        f"| {name} | {value} | {_verdict(ok)} |" for name, value, ok in targets(result, results)
    ]
    failed = [c for c in result["checks"] if not c["ok"]]
    lines += [
        "",
        f"Correctness checks: {len(result['checks']) - len(failed)} of "
        f"{len(result['checks'])} passed"
        + (
            ":"
            if failed
            else " (counts, quantities vs BO, no-op unchanged, exactly the 1 % "
            "changed with the expected values)."
        ),
    ]
    lines += [f"- FAILED {c['name']}: {c['detail']}" for c in failed]
    extra = result.get("notes") or []
    if extra:
        lines += ["", *[f"- {note}" for note in extra]]
    return lines


def render_section(result: dict[str, Any], results: dict[str, Any]) -> str:
    return "\n".join(
        _intro_lines(result)
        + _scenario_lines(result)
        + _stage_lines(result)
        + _target_lines(result, results)
    )


HEADER = """# Benchmarks

Catalog sync (reference BO in SQLite -> osCommerce 2.3 on MariaDB), measured by
`scripts/benchmark.py`. Reproduce with `make benchmark` (10 000 articles) or
`make benchmark ARTICLES=100000`; directly: `python scripts/benchmark.py --articles 100000`
(MariaDB on 127.0.0.1:3306, root without password; `bash scripts/ensure-mariadb.sh`).
`--profile DIR` writes cProfile files of each sync scenario.

How it is measured:

- BO: `generate(articles=N)` into a fresh SQLite file; shop: a fresh MariaDB database made by
  `create_demo_shop`, engine built like the DAG tasks build theirs (`create_engine_for`).
  Settings of the `demo` tenant in `dags/tenants.yaml`; fixed `run_at` per scenario.
- Each scenario runs the Airflow-free steps `extract`, `sync_categories`, `sync_products`,
  `sync_stock` (no `dag.test`, no report files) in a fresh Python process. **Wall time** is
  `time.perf_counter()` around the four steps. **Process warm-up** (imports, the Great
  Expectations context and Airflow's storage layer, paid once per Airflow task process) is
  measured apart and not included.
- **Peak RSS** is the process's `VmHWM` from `/proc/self/status` (absolute, including the
  interpreter, pandas, GX and Airflow imports), read at the end of the scenario; "+" is the
  growth over the RSS after warm-up. The 1 GiB target is checked against the absolute figure.
  `ru_maxrss` is not used: Linux carries it over from the parent across fork/exec.
- **Shop rows written**: full sync and baseline count every catalog row (categories,
  categories_description, products, products_description, products_to_categories); the
  incremental runs count the products rows that changed (price or quantity).
- **Insert paths**: the shop writes a table's large inserts (at least
  `load_data.LOAD_DATA_ROWS` rows, 5 000) with `LOAD DATA LOCAL INFILE` and smaller ones, or
  where the server refuses, with multi-row INSERTs; the step reports say which path a table
  took. **a2** is the full sync again, from a copy of the unsynced BO into another fresh demo
  shop (own staging, so GX's validation cache is as cold as in **a**), with `LOAD_DATA_ROWS`
  forced to 10^9: every insert takes the INSERT path. Its shop rows must equal those of **a**.
- **Baseline**: the catalog rows the full sync produced, read back and inserted into another
  fresh demo shop with plain PyMySQL `cursor.executemany` (its multi-row INSERT batching), one
  transaction per table; only the inserts and commits are timed. **d2**: the same rows into a
  further fresh demo shop with PyMySQL `LOAD DATA LOCAL INFILE` (`local_infile=True`; a
  tab-separated file, `\\N` for NULL, backslash, tab, newline, CR and NUL escaped, CHARACTER
  SET utf8mb4), one transaction per table; writing the file, the load and the commit are
  timed. Its rows must equal the full sync's, taken without a warning.
- 1 %-changed: price +1 (and `geaendert_am` later) for every 100th synced article, stock +7 in
  one warehouse for another 1 % (articles without negative stock); the script then checks that
  exactly those products changed, to BO's net price / old quantity + 7, and nothing else.
- **Same rows** (insert paths, baselines, rounds, no-op) means the same row count and
  `CHECKSUM TABLE` (the server's checksum over every column of every row) per catalog table;
  where one differs, the check counts the differing rows with the server's `EXCEPT`. The
  quantity checks read every product's quantity; the 1 % check finds the changed products by a
  digest of each row (MD5 over all its columns, by the server) and compares the whole rows of
  the chosen ones before and after.
- **A quiet server for each scenario**: before each one the script waits until MariaDB has
  written every page the scenario before dirtied (`innodb_max_dirty_pages_pct` set to 0 for
  the wait, then back), so no scenario pays for the flushing of another.
- **Rounds** (`--rounds N`; 3 up to 100 000 articles, else 1): the full sync (each further
  run from a fresh copy of the unsynced BO into a fresh demo shop with its own staging, its
  rows checked against the first run's), the executemany baseline and the no-op run N times,
  in turn; their wall times, the ratios and the targets are the medians. A single run's ratio
  moves by about 20 % with the machine (other load on the host, MariaDB's page flushing).
"""


NOTES_START, NOTES_END = "<!-- notes:start -->", "<!-- notes:end -->"
NOTES_PLACEHOLDER = "## Notes\n\n(Hand-written analysis goes here; it survives re-runs.)"


def render(results: dict[str, dict[str, Any]], notes: str) -> str:
    sections = [render_section(results[k], results) for k in sorted(results, key=int)]
    data = (  # one line per article count
        "{\n"
        + ",\n".join(
            f"{json.dumps(k)}: {json.dumps(results[k], sort_keys=True, default=str)}"
            for k in sorted(results, key=int)
        )
        + "\n}"
    )
    return (
        HEADER
        + "\n"
        + "\n\n".join(sections)
        + f"\n\n{NOTES_START}\n{notes.strip() or NOTES_PLACEHOLDER}\n{NOTES_END}\n"
        + f"\n<!-- {RESULTS_MARK}: raw figures this file is generated from; kept so that runs "
        f"with other article counts can be added.\n{data}\n-->\n"
    )


def stored(path: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """Results and the hand-written notes section of an earlier run's Markdown file."""
    if not path.exists():
        return {}, ""
    text = path.read_text(encoding="utf-8")
    data = re.search(rf"<!-- {RESULTS_MARK}:[^\n]*\n(.*?)\n-->", text, re.S)
    notes = re.search(rf"{re.escape(NOTES_START)}\n(.*?){re.escape(NOTES_END)}", text, re.S)
    return (json.loads(data.group(1)) if data else {}), (notes.group(1) if notes else "")


# --- main -----------------------------------------------------------------------------------


def _prepare(articles: int, tmp: Path, profile_dir: Path | None) -> tuple[Path, dict[str, int]]:
    """BO, its unsynced copy for the INSERT-path run, the empty shop; returns the state file."""
    os.environ["BO_OSC_STAGING_URL"] = (tmp / "staging").as_uri()
    os.environ["BO_OSC_REPORTS_URL"] = (tmp / "reports").as_uri()
    bo_path = tmp / "bo.db"
    started = time.perf_counter()
    bo_counts = build_bo(bo_path, articles)
    log.info("BO with %s articles built in %.1f s", articles, time.perf_counter() - started)
    shutil.copyfile(bo_path, tmp / "bo_insert.db")
    shutil.copyfile(bo_path, tmp / "bo_unsynced.db")
    new_demo_shop(SHOP_DB)
    state = {
        "tmp": str(tmp),
        "bo_path": str(bo_path),
        "shop_db": SHOP_DB,
        "baseline_db": BASELINE_DB,
        "insert_bo_path": str(tmp / "bo_insert.db"),
        "insert_db": INSERT_DB,
        "insert_staging_url": (tmp / "staging_insert").as_uri(),
        "load_db": LOAD_DB,
        "round_bo_path": str(tmp / "bo_round.db"),
        "round_db": ROUND_DB,
        "round_staging_url": (tmp / "staging_round").as_uri(),
        "profile_dir": str(profile_dir) if profile_dir else None,
    }
    state_file = tmp / "state.json"
    state_file.write_text(json.dumps(state))
    return state_file, bo_counts


def _findings(scenarios: dict[str, dict[str, Any]]) -> list[str]:
    """Notes under the section: what the full sync set aside, what the no-op still reads."""
    notes = []
    reasons = scenarios["full"]["reports"]["products"]["set_aside_reasons"]
    if reasons:
        notes.append(
            "Products set aside by the full sync: "
            + "; ".join(f"{n} x {reason}" for reason, n in reasons.items())
            + "."
        )
    set_aside = scenarios["noop"]["reports"]["products"]["set_aside"]
    if set_aside:
        notes.append(
            f"The no-op run still extracts {scenarios['noop']['extracted']['articles']} article "
            f"rows (article x text language): the {set_aside} set-aside articles never get a "
            "sync marker (osc_abgleich_stand), so every incremental run fetches them again; "
            "their set-aside memo (ADR 18) spares building and validating them."
        )
    return notes


def benchmark(
    articles: int, tmp: Path, profile_dir: Path | None, rounds: int = 1
) -> dict[str, Any]:
    settings = tenant_settings()
    state_file, bo_counts = _prepare(articles, tmp, profile_dir)
    bo_path = tmp / "bo.db"
    checks = Checks()
    scenarios: dict[str, dict[str, Any]] = {}

    scenarios["full"] = run_worker("full", state_file, tmp)
    after_full = snapshot(SHOP_DB, products=True)
    bo_full = bo_state(bo_path, settings)
    check_full(checks, scenarios["full"], after_full, bo_full)
    insert_rows = run_insert_path(checks, scenarios, after_full, state_file, tmp)

    scenarios["baseline"] = run_worker("baseline", state_file, tmp)
    checks.check(
        "baseline: same row counts as the full sync",
        scenarios["baseline"]["copied"] == shop_counts(after_full),
        json.dumps(scenarios["baseline"]["copied"]),
    )
    run_load_baseline(checks, scenarios, after_full, state_file, tmp)

    # the first incremental run after the full one validates the rows still set aside once
    # more; every later one finds GX's verdict on them in the validation cache (steady state)
    scenarios["noop_first"] = run_worker("noop_first", state_file, tmp)
    scenarios["noop"] = run_worker("noop", state_file, tmp)
    run_rounds(checks, scenarios, after_full, state_file, tmp, rounds)

    chosen = change_bo(bo_path, settings, articles)  # BO only: the shop is as the no-ops left it
    log.info("BO changed: %s prices, %s stocks", len(chosen["price"]), len(chosen["stock"]))
    ids = [bo_full["products_id"][nr] for nr in chosen["price"] + chosen["stock"]]
    after_noop = snapshot(SHOP_DB, products=True, rows_of=ids)
    check_noop(checks, scenarios["noop"], after_full, after_noop)
    scenarios["changed"] = run_worker("changed", state_file, tmp)
    after_changed = snapshot(SHOP_DB, products=True, rows_of=ids)
    changed = check_changed(checks, after_noop, after_changed, chosen, bo_state(bo_path, settings))
    reports = scenarios["changed"]["reports"]
    checks.check(
        "1 %: reports count the chosen changes",
        reports["products"]["updated"] == len(chosen["price"])
        and reports["stock"]["updated"] == len(chosen["stock"]),
        f"products updated {reports['products']['updated']}, "
        f"stock updated {reports['stock']['updated']}",
    )
    return {
        "articles": articles,
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "bo_counts": bo_counts,
        "shop_counts": shop_counts(after_full),
        "scenarios": scenarios,
        "rows_written": {
            "full": sum(shop_counts(after_full).values()),
            "full_insert": insert_rows,
            "baseline": sum(scenarios["baseline"]["rows"].values()),
            "baseline_load": sum(scenarios["baseline_load"]["rows"].values()),
            "noop_first": 0,
            "noop": 0,
            "changed": changed,
        },
        "chosen": {k: len(v) for k, v in chosen.items()},
        "rounds": rounds,
        "checks": checks.items,
        "notes": _findings(scenarios),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="clean articles in BO")
    parser.add_argument(
        "--contacts", type=int, help="benchmark the customers sync with this many contacts instead"
    )
    parser.add_argument(
        "--orders", type=int, help="benchmark the order import with this many shop orders instead"
    )
    parser.add_argument(
        "--images", type=int, help="benchmark the images step with this many pictures instead"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--profile", type=Path, help="write cProfile files of each sync here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and databases")
    parser.add_argument(
        "--rounds", type=int,
        help="runs of the full sync, the executemany baseline and the no-op, whose median the "
        f"ratios take (default {DEFAULT_ROUNDS} up to {_n(ROUNDS_UP_TO)} articles, else 1)",
    )  # fmt: skip
    parser.add_argument("--worker", nargs=2, metavar=("SCENARIO", "STATE"), help=argparse.SUPPRESS)
    return parser


def _set_environment() -> None:
    """Logging, and the environment the Makefile sets for `make benchmark`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.environ.setdefault("AIRFLOW_HOME", str(ROOT / "var" / "airflow"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p
        for p in (str(ROOT / "plugins"), str(ROOT / "fixtures"), os.environ.get("PYTHONPATH"))
        if p
    )


def _other_benchmark(args: argparse.Namespace, tmp: Path) -> int:
    """The customers, order import or images benchmark: its block in the output file."""
    name = "customers" if args.contacts else "orders" if args.orders else "images"
    try:
        if args.contacts:
            block, checks = benchmark_contacts(args.contacts, tmp)
        elif args.orders:
            block, checks = benchmark_order_import(args.orders, tmp)
        else:
            import benchmark_images

            block, checks = benchmark_images.run(args.images, tmp, sys.modules[__name__])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(with_block(text, name, block), encoding="utf-8")
    print(block)
    return 0 if all(ok for _, ok, _ in checks) else 1


def _catalog_benchmark(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """The catalog benchmark's result; its temp dir and databases dropped unless kept."""
    try:
        rounds = args.rounds or (DEFAULT_ROUNDS if args.articles <= ROUNDS_UP_TO else 1)
        profile = args.profile.resolve() if args.profile else None
        return benchmark(args.articles, tmp, profile, max(rounds, 1))
    finally:
        if args.keep:
            log.info("kept %s and databases %s", tmp, ", ".join(DATABASES))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            for name in DATABASES:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    drop_database(name)


def _write_catalog(output: Path, articles: int, result: dict[str, Any]) -> int:
    """The catalog result into the output file (other sizes and blocks kept); the verdicts."""
    results, notes = stored(output)
    old = output.read_text(encoding="utf-8") if output.exists() else ""
    results[str(articles)] = result
    output.parent.mkdir(parents=True, exist_ok=True)
    text = render(results, notes)
    for name in BLOCKS:
        text = with_block(text, name, stored_block(old, name))
    output.write_text(text, encoding="utf-8")
    for name, value, ok in targets(result, results):
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    failed = [c for c in result["checks"] if not c["ok"]]
    print(f"correctness: {len(result['checks']) - len(failed)}/{len(result['checks'])} passed")
    for c in failed:
        print(f"  FAILED {c['name']}: {c['detail']}")
    print(f"written {output}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return 0
    _set_environment()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bo_osc_bench_"))
    if args.contacts or args.orders or args.images:
        return _other_benchmark(args, tmp)
    return _write_catalog(args.output, args.articles, _catalog_benchmark(args, tmp))


if __name__ == "__main__":
    sys.exit(main())
