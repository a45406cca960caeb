"""Fleet benchmark: what N idle tenants cost on a real Airflow, and how fast an order arrives.

``make benchmark FLEET=50``. Builds N tenants (a SQLite BO each, a MariaDB shop each holding
``shop-with-orders.sql``), then starts Airflow as an operator runs it (scheduler, DAG
processor, triggerer, API server; LocalExecutor; PostgreSQL metadata DB on 127.0.0.1) with the
settings the product ships (``deploy/airflow.env``) and the tenants' default schedules. Every
Airflow process runs in a cgroup of its own, so its CPU is the kernel's accounting of the
whole process tree (task processes that came and went included), not a sample.

1. paused: every DAG paused, the stack alone, for ``--paused-minutes``;
2. first day: the DAGs unpaused; every tenant's first runs (the shop's orders into BO, the
   catalog, customers and stock) until no run is queued or running;
3. idle: one run of orders, stock and customers per tenant by hand (they find nothing and
   keep their marks, ADR 16); then, nothing changing in BO or the shops, the watchers'
   polling up to the next full hour (at least ``--idle-minutes``) and the hourly safety nets
   until their runs are done (``idle_hour``); idle cost per tenant and hour = (an idle hour's
   CPU - the paused stack's) / N;
4. latency: 20 orders, each written into another tenant's shop as ``checkout_process.php``
   writes it, timed until its Auftrag is in BO (median and worst);
5. parse time: the DAG file with 1, N and 200 tenants, each in a fresh process.

Figures go into docs/benchmarks.md (the ``fleet`` section).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "fixtures"), str(ROOT / "scripts")]

import sqlalchemy as sa  # noqa: E402

BIN = Path(sys.executable).parent
ORDERS_SQL = ROOT.parent / "shared" / "oscommerce" / "shop-with-orders.sql"
SETTINGS = ROOT / "deploy" / "airflow.env"
METADATA_DB = "bo_osc_fleet"
SHOP_PREFIX = "bo_osc_fleet_"
COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
TARGETS = {"idle_cpu_s_per_tenant_hour": 5.0, "stack_core_share": 0.35,
           "latency_worst_s": 60.0, "parse_ms_per_tenant": 10.0}  # fmt: skip


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


# --- CPU by cgroup --------------------------------------------------------------------------


class CpuGroups:
    """One cgroup per component (cgroup v1 cpuacct, else v2): CPU-seconds of every process
    ever started in it, exited ones included."""

    def __init__(self, name: str) -> None:
        v1, v2 = Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup/unified")
        if not v2.is_dir() and Path("/sys/fs/cgroup/cgroup.controllers").exists():
            v2 = Path("/sys/fs/cgroup")
        self.v1 = (v1 / "cpuacct.usage").exists()
        base = v1 if self.v1 else v2
        self.root = base / name
        self.root.mkdir(exist_ok=True)

    def path(self, component: str) -> Path:
        group = self.root / component
        group.mkdir(exist_ok=True)
        return group

    def seconds(self, component: str) -> float:
        group = self.root / component
        if self.v1:
            return int((group / "cpuacct.usage").read_text()) / 1e9
        usage = (group / "cpu.stat").read_text().split("\n", 1)[0]
        return int(usage.split()[1]) / 1e6

    def all(self) -> dict[str, float]:
        return {c: self.seconds(c) for c in COMPONENTS}

    def remove(self) -> None:
        for group in [*self.root.iterdir(), self.root]:
            if group.is_dir():
                with contextlib.suppress(OSError):
                    group.rmdir()


# --- tenants --------------------------------------------------------------------------------


def mariadb(database: str = "") -> str:
    return f"mysql+pymysql://root@127.0.0.1:3306/{database}?charset=utf8mb4"


def build_tenants(count: int, work: Path) -> dict[str, str]:
    """N tenants: BO copies of one generated BO, shops loaded from the upstream dump. Returns
    the environment naming their connections and the tenants file."""
    from bo_oscommerce_fixtures.demo_bo import generate
    from bo_oscommerce_fixtures.reference_bo import create_reference_schema

    template = work / "bo-template.db"
    bo = sa.create_engine(f"sqlite:///{template}")
    create_reference_schema(bo)
    generate(bo, articles=60)
    with bo.begin() as conn:  # the upstream shop has tax class 1 only
        conn.execute(sa.text("UPDATE umsatzsteuer SET osc_tax_class_id = 1 "
                             "WHERE ust_schluessel = '2'"))  # fmt: skip
    bo.dispose()
    dump = ORDERS_SQL.read_bytes()
    server = sa.create_engine(mariadb(), isolation_level="AUTOCOMMIT")
    env, lines = {}, ["tenants:"]
    client = shutil.which("mariadb") or shutil.which("mysql") or "mysql"
    for n in range(1, count + 1):
        tenant = f"t{n:03d}"
        shutil.copy(template, work / f"bo_{tenant}.db")
        with server.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{SHOP_PREFIX}{tenant}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{SHOP_PREFIX}{tenant}`"))
        subprocess.run([client, "-h127.0.0.1", "-uroot", "--default-character-set=utf8",
                        f"{SHOP_PREFIX}{tenant}"], input=dump, check=True)  # fmt: skip
        env[f"AIRFLOW_CONN_BO_{tenant.upper()}"] = f"sqlite:///{work / f'bo_{tenant}.db'}"
        env[f"AIRFLOW_CONN_SHOP_{tenant.upper()}"] = (
            f"mysql://root@127.0.0.1:3306/{SHOP_PREFIX}{tenant}?charset=utf8mb4")
        lines += [f"  {tenant}:", f"    bo_conn_id: bo_{tenant}",
                  f"    shop_conn_id: shop_{tenant}", "    price_source: shop"]  # fmt: skip
    server.dispose()
    (work / "tenants.yaml").write_text("\n".join(lines) + "\n")
    env["BO_OSC_TENANTS_FILE"] = str(work / "tenants.yaml")
    return env


def drop_shops(count: int) -> None:
    server = sa.create_engine(mariadb(), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for n in range(1, count + 1):
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{SHOP_PREFIX}t{n:03d}`"))
    server.dispose()


# --- the Airflow stack ----------------------------------------------------------------------


def shipped_settings() -> dict[str, str]:
    """deploy/airflow.env: KEY=VALUE lines, # comments."""
    pairs = {}
    for line in SETTINGS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metadata_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{METADATA_DB}"


def recreate_metadata_db() -> None:
    server = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                              isolation_level="AUTOCOMMIT")  # fmt: skip
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {METADATA_DB} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {METADATA_DB}"))
    server.dispose()


def stack_env(work: Path, tenants_env: dict[str, str], port: int) -> dict[str, str]:
    return {
        **os.environ,
        **shipped_settings(),
        **tenants_env,
        "AIRFLOW_HOME": str(work / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url(),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(2 * len(os.sched_getaffinity(0))),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API_AUTH__JWT_SECRET": "fleet-benchmark-jwt-secret",
        # the benchmark triggers runs through the REST API on 127.0.0.1 without logging in
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "BO_OSC_STAGING_URL": (work / "staging").as_uri(),
        "BO_OSC_REPORTS_URL": (work / "reports").as_uri(),
        "GX_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "fixtures")]),
    }


def start_stack(env: dict[str, str], groups: CpuGroups, work: Path) -> list[subprocess.Popen]:
    setup = (["airflow", "db", "migrate"], ["python", "-m", "bo_oscommerce", "ensure-pools"])
    for command in setup:
        done = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    procs = []
    for component in COMPONENTS:
        tasks = groups.path(component) / "cgroup.procs"
        out = (work / f"{component}.log").open("w")
        procs.append(subprocess.Popen(
            ["sh", "-c", f'echo $$ > "{tasks}" && exec "$0" "$@"', str(BIN / "airflow"),
             component],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        ))  # fmt: skip
    return procs


def stop_stack(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def wait_for(what, timeout: float, step: float = 2.0, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    raise SystemExit(f"timed out after {timeout:.0f} s: {message}")


def window(groups: CpuGroups, minutes: float, until: Any = None) -> dict[str, Any]:
    """CPU-seconds per component over ``minutes`` of wall time, or until ``until()`` is true
    (checked every 10 s) once ``minutes`` have passed."""
    before, started = groups.all(), time.monotonic()
    time.sleep(max(minutes * 60, 0))
    while until is not None and not until():
        time.sleep(10)
    after, wall = groups.all(), time.monotonic() - started
    cpu = {c: after[c] - before[c] for c in COMPONENTS}
    return {"wall_s": wall, "cpu_s": cpu, "total_cpu_s": sum(cpu.values())}


def idle_hour(groups: CpuGroups, db: sa.Engine, least_minutes: float) -> dict[str, Any]:
    """An idle hour, measured in two windows: the watchers' polling up to 30 s before the next
    full hour (at least ``least_minutes``, else the hour after), then the hourly safety nets
    until their runs are done. Per hour: the polling rate for 3 600 s, plus what the round
    cost above the polling rate."""
    now = datetime.now()
    top = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if (top - now).total_seconds() - 30 < least_minutes * 60:
        top += timedelta(hours=1)
    since = datetime.now(UTC)
    polling = window(groups, ((top - now).total_seconds() - 30) / 60)
    polling.update(runs=runs_since(db, since), tasks=tasks_since(db, since))
    log(f"polling: {polling['total_cpu_s']:.1f} CPU-s in {polling['wall_s']:.0f} s")
    since = datetime.now(UTC)
    hourly = window(groups, 1.5, until=lambda: quiet(db))
    hourly.update(runs=runs_since(db, since), tasks=tasks_since(db, since))
    log(f"hourly round: {hourly['total_cpu_s']:.1f} CPU-s in {hourly['wall_s']:.0f} s, "
        f"{hourly['runs']}")  # fmt: skip
    rate = polling["total_cpu_s"] / polling["wall_s"]
    per_hour = rate * 3600 + hourly["total_cpu_s"] - rate * hourly["wall_s"]
    return {"polling": polling, "hourly": hourly, "cpu_s_per_hour": per_hour}


def trigger(port: int, dag_id: str) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v2/dags/{dag_id}/dagRuns",
        data=json.dumps({"logical_date": None, "conf": {}}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()


def quiet_round(port: int, tenants: int) -> None:
    """One run of each looked-at kind per tenant, by hand: after the first day's writes they
    find nothing and keep their marks, as the next hourly round would (ADR 16)."""
    for n in range(1, tenants + 1):
        for kind in ("orders", "stock", "customers"):
            trigger(port, f"bo_osc_t{n:03d}_{kind}")


# --- latency ---------------------------------------------------------------------------------


def imported(bo_path: Path, orders_id: int) -> bool:
    import sqlite3

    with contextlib.closing(sqlite3.connect(bo_path)) as db:
        row = db.execute("SELECT 1 FROM auftrag WHERE osc_orders_id = ?", (orders_id,))
        return row.fetchone() is not None


def order_latency(count: int, tenants: int, work: Path) -> list[float]:
    """Seconds from an order written into a shop to its Auftrag in BO, one tenant after
    another (tenant n, n + N/count, ...)."""
    from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders

    took = []
    for k in range(count):
        tenant = f"t{1 + (k * max(tenants // count, 1)) % tenants:03d}"
        shop = sa.create_engine(mariadb(f"{SHOP_PREFIX}{tenant}"))
        with shop.connect() as conn:
            buyer, product = conn.execute(sa.text(
                "SELECT o.customers_id, p.products_id FROM orders o JOIN orders_products p "
                "ON p.orders_id = o.orders_id ORDER BY o.orders_id LIMIT 1")).one()  # fmt: skip
        written = time.monotonic()
        (orders_id,) = write_orders(shop, [Checkout(buyer, (Line(product, 1),))])
        shop.dispose()
        bo_path = work / f"bo_{tenant}.db"
        wait_for(lambda p=bo_path, o=orders_id: imported(p, o), 300, 0.5,
                 f"order {orders_id} of {tenant} never reached BO")  # fmt: skip
        took.append(time.monotonic() - written)
        log(f"order {orders_id} of {tenant}: in BO after {took[-1]:.1f} s")
    return took


# --- parse time ------------------------------------------------------------------------------

PARSE = """
import os, sys, time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
took = time.perf_counter() - started
assert not bag.import_errors, bag.import_errors
print("PARSED", took, len(bag.dags))
"""


def parse_time(tenants: int, work: Path) -> tuple[float, int]:
    """Seconds to parse the DAG file with ``tenants`` tenants, in a fresh process."""
    path = work / f"parse-{tenants}.yaml"
    path.write_text("tenants:\n" + "".join(
        f"  p{n:03d}:\n    bo_conn_id: bo_p{n:03d}\n    shop_conn_id: shop_p{n:03d}\n"
        for n in range(tenants)))  # fmt: skip
    env = {**os.environ, "BO_OSC_TENANTS_FILE": str(path), "AIRFLOW_HOME": str(work / "parse"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "fixtures")])}
    dag_file = str(ROOT / "dags" / "bo_oscommerce_dags.py")
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", PARSE, dag_file],
                          env=env, capture_output=True, text=True, check=True)  # fmt: skip
    line = [row for row in done.stdout.splitlines() if row.startswith("PARSED ")][-1]
    _, seconds, dags = line.split()
    return float(seconds), int(dags)


def processor_timeout() -> float:
    from airflow.configuration import conf

    return conf.getfloat("core", "dag_file_processor_timeout")


# --- metadata queries ------------------------------------------------------------------------


def metadata() -> sa.Engine:
    return sa.create_engine(metadata_url())


def scalar(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def runs_since(engine: sa.Engine, since: datetime) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT split_part(dag_id, '_', 4) AS kind, run_type, count(*) FROM dag_run "
            "WHERE start_date >= :since GROUP BY 1, 2"), {"since": since}).all()  # fmt: skip
    return {f"{kind} {run_type}": n for kind, run_type, n in rows}


def tasks_since(engine: sa.Engine, since: datetime) -> int:
    return int(scalar(engine, "SELECT count(*) FROM task_instance WHERE start_date >= :since",
                      since=since) or 0)  # fmt: skip


def quiet(engine: sa.Engine) -> bool:
    return not scalar(engine, "SELECT count(*) FROM dag_run WHERE state IN ('queued', 'running')")


# --- main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    n = args.fleet
    parse = {str(k): parse_time(k, work) for k in sorted({1, n, 200})}
    log(f"parse time: {parse}")
    log(f"building {n} tenants in {work}")
    tenants_env = build_tenants(n, work)
    recreate_metadata_db()
    groups = CpuGroups(f"bo_osc_fleet_{os.getpid()}")
    port = free_port()
    env = stack_env(work, tenants_env, port)
    procs = start_stack(env, groups, work)
    db = metadata()
    result: dict[str, Any] = {"fleet": n, "settings": shipped_settings(), "parse": parse,
                              "processor_timeout_s": processor_timeout(),
                              "parallelism": env["AIRFLOW__CORE__PARALLELISM"]}  # fmt: skip
    partial = work / "result-partial.json"
    try:
        expected = 5 * n
        wait_for(lambda: (scalar(db, "SELECT count(*) FROM dag WHERE dag_id LIKE 'bo_osc_%' "
                                 "AND is_stale = false") or 0) >= expected,
                 600, 5, f"{expected} DAGs never appeared")  # fmt: skip
        log(f"{expected} DAGs parsed; settling 60 s, then {args.paused_minutes} min paused")
        time.sleep(60)
        result["paused"] = window(groups, args.paused_minutes)
        log(f"paused: {result['paused']['total_cpu_s']:.1f} CPU-s")
        first_day = datetime.now(UTC)
        with db.begin() as conn:
            conn.execute(sa.text("UPDATE dag SET is_paused = false WHERE dag_id LIKE 'bo_osc_%'"))
        started = time.monotonic()
        time.sleep(30)
        wait_for(lambda: quiet(db), 3600, 10, "first runs never finished")
        time.sleep(30)
        wait_for(lambda: quiet(db), 3600, 10, "first runs never finished")
        result["first_day"] = {"wall_s": time.monotonic() - started,
                               "runs": runs_since(db, first_day),
                               "failed": int(scalar(db, "SELECT count(*) FROM dag_run WHERE "
                                                    "state = 'failed'") or 0)}  # fmt: skip
        log(f"first runs done: {result['first_day']}; a quiet round")
        quiet_round(port, n)
        for _ in range(2):  # again after a pause: a cron round that fell due meanwhile
            time.sleep(30)
            wait_for(lambda: quiet(db), 3600, 10, "the quiet round never finished")
        wait_for(lambda: (scalar(db, "SELECT count(*) FROM trigger WHERE classpath LIKE "
                                 "'bo_oscommerce.triggers.%'") or 0) >= 2 * n,
                 900, 10, "the watchers never started")  # fmt: skip
        partial.write_text(json.dumps(result, default=str))
        result["idle"] = idle_hour(groups, db, args.idle_minutes)
        partial.write_text(json.dumps(result, default=str))
        result["latency_s"] = order_latency(args.orders, n, work)
        result["failed_runs"] = int(scalar(db, "SELECT count(*) FROM dag_run WHERE "
                                           "state = 'failed'") or 0)  # fmt: skip
    finally:
        stop_stack(procs)
        db.dispose()
        groups.remove()
    return result


def figures(r: dict[str, Any]) -> dict[str, float]:
    paused, idle, n = r["paused"], r["idle"], r["fleet"]
    paused_rate = paused["total_cpu_s"] / paused["wall_s"]
    idle_rate = idle["cpu_s_per_hour"] / 3600
    (one, _), (many, _) = r["parse"]["1"], r["parse"][str(n)]
    return {
        "paused_core_share": paused_rate,
        "stack_core_share": idle_rate,
        "idle_cpu_s_per_tenant_hour": (idle_rate - paused_rate) * 3600 / n,
        "latency_median_s": statistics.median(r["latency_s"]),
        "latency_worst_s": max(r["latency_s"]),
        "parse_ms_per_tenant": (many - one) / (n - 1) * 1000 if n > 1 else one * 1000,
        "parse_200_s": r["parse"]["200"][0],
    }


def render(r: dict[str, Any]) -> str:
    f, n = figures(r), r["fleet"]
    paused_min = r["paused"]["wall_s"] / 60
    polling, hourly = r["idle"]["polling"], r["idle"]["hourly"]
    rows = [
        ("idle cost per tenant and hour", f"{f['idle_cpu_s_per_tenant_hour']:.1f} CPU-s",
         f["idle_cpu_s_per_tenant_hour"] <= TARGETS["idle_cpu_s_per_tenant_hour"], "at most 5"),
        ("whole stack, idle", f"{f['stack_core_share']:.1%} of a core",
         f["stack_core_share"] < TARGETS["stack_core_share"], "under 35 %"),
        ("order latency, worst of {}".format(len(r["latency_s"])),
         f"{f['latency_worst_s']:.1f} s (median {f['latency_median_s']:.1f} s)",
         f["latency_worst_s"] < TARGETS["latency_worst_s"], "under 60 s"),
        ("DAG file parse time per tenant", f"{f['parse_ms_per_tenant']:.1f} ms",
         f["parse_ms_per_tenant"] < TARGETS["parse_ms_per_tenant"], "under 10 ms"),
        ("200 tenants parse within the DAG file processor timeout",
         f"{f['parse_200_s']:.1f} s of {r['processor_timeout_s']:.0f} s",
         f["parse_200_s"] < r["processor_timeout_s"], "within"),
    ]  # fmt: skip
    def split(w: dict[str, Any]) -> str:
        if not w.get("cpu_s"):
            return "not split by component"
        return " · ".join(f"{c} {w['cpu_s'][c]:.1f} s" for c in COMPONENTS)

    def runs(w: dict[str, Any]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(w["runs"].items())) or "none"

    first = r["first_day"]
    lines = [
        f"## Fleet: {n} tenants on one Airflow",
        "",
        f"Measured {r['date']} by `make benchmark FLEET={n}` (`scripts/benchmark_fleet.py`): "
        f"scheduler, DAG processor, triggerer and API server, LocalExecutor with parallelism "
        f"{r['parallelism']}, PostgreSQL metadata DB, the settings of `deploy/airflow.env`; "
        f"{n} tenants with the default schedules and watchers, each a SQLite BO and a MariaDB "
        "shop. CPU is the kernel's accounting of each component's cgroup.",
        "",
        *([r["remark"], ""] if r.get("remark") else []),
        f"- Paused ({paused_min:.0f} min, every DAG paused): {r['paused']['total_cpu_s']:.0f} "
        f"CPU-s, {f['paused_core_share']:.1%} of a core ({split(r['paused'])}).",
        f"- First runs after unpausing (every shop's orders into BO, catalog, customers, "
        f"stock): {first['wall_s'] / 60:.1f} min; failed runs: {first['failed']}.",
        f"- Idle, the watchers polling ({polling['wall_s'] / 60:.0f} min up to the full hour, "
        f"nothing changing): {polling['total_cpu_s']:.0f} CPU-s, "
        f"{polling['total_cpu_s'] / polling['wall_s']:.1%} of a core ({split(polling)}); "
        f"runs: {runs(polling)}; {polling['tasks']} task instances.",
        f"- Idle, the hourly safety nets ({hourly['wall_s'] / 60:.1f} min from the full hour "
        f"until their runs were done): {hourly['total_cpu_s']:.0f} CPU-s ({split(hourly)}); "
        f"runs: {runs(hourly)}; {hourly['tasks']} task instances.",
        f"- An idle hour: {r['idle']['cpu_s_per_hour']:.0f} CPU-s (the polling rate for "
        f"3 600 s plus the round above it), {f['stack_core_share']:.1%} of a core.",
        "- Order latency, checkout write to Auftrag in BO: "
        + ", ".join(f"{s:.0f}" for s in r["latency_s"]) + " s.",
        "- Parse time of the DAG file (fresh process, DagBag): "
        + ", ".join(f"{k} tenants {s:.2f} s ({d} DAGs)" for k, (s, d) in r["parse"].items())
        + ".",
        "",
        "| Target | Measured | Result |",
        "|---|---|---|",
        *(f"| {name} ({goal}) | {value} | **{'PASS' if ok else 'FAIL'}** |"
          for name, value, ok, goal in rows),
    ]  # fmt: skip
    if r.get("failed_runs"):
        lines.append(f"\nFailed DAG runs during the benchmark: {r['failed_runs']}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fleet", type=int, default=50, help="tenants")
    parser.add_argument("--paused-minutes", type=float, default=10)
    parser.add_argument("--idle-minutes", type=float, default=20,
                        help="at least this long a polling window before the hourly round")
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and databases")
    parser.add_argument("--from-json", type=Path, help="only render a result.json again")
    args = parser.parse_args(argv)
    result = measured(args, "fleet", run, args.fleet)
    write_block(args.output, "fleet", render(result))
    return 0 if not result.get("failed_runs") else 1


def measured(args: argparse.Namespace, name: str, run: Any, tenants: int) -> dict[str, Any]:
    """``run(args, work)`` in a fresh ``var/<name>`` (its shops dropped after, unless
    ``--keep``), its result kept as result.json; or only that file (``--from-json``)."""
    if args.from_json:
        return json.loads(args.from_json.read_text())
    work = ROOT / "var" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        result = run(args, work)
    finally:
        if not args.keep:
            drop_shops(tenants)
    result["date"] = f"{datetime.now():%Y-%m-%d %H:%M}"
    (work / "result.json").write_text(json.dumps(result, indent=1, default=str))
    return result


def write_block(output: Path, name: str, block: str) -> None:
    """The benchmark's section of docs/benchmarks.md (or ``output``), replaced or added."""
    import benchmark

    text = output.read_text(encoding="utf-8")
    output.write_text(benchmark.with_block(text, name, block), encoding="utf-8")
    print(block)


if __name__ == "__main__":
    sys.exit(main())
