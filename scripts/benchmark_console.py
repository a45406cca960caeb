"""Console benchmark: how fast the operator's console answers for N tenants.

``make benchmark CONSOLE=200``. Builds N tenants as the fleet benchmark does (a SQLite BO
each, a MariaDB shop each holding ``shop-with-orders.sql``: 7 orders waiting), lets Airflow
parse their DAGs into a PostgreSQL metadata database (``airflow dags reserialize``), gives
every DAG a newest run (one in ten failed, some running) and every tenant 30 report entries
(one in twenty with a failed connection test), then starts Airflow's API server with the
product's settings (``deploy/airflow.env``) and times the console as a logged-in user:

- cold: the first page after the start (every shop counted for the first time);
- warm: pages within the counts' 30 s;
- stale: pages after the counts went stale (counted again while the page waits);
- Airflow's own DAG list (``GET /api/v2/dags``, the same DAGs) as the baseline of the run.

Figures go into docs/benchmarks.md (the ``console`` section).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "fixtures"), str(ROOT / "scripts")]

import benchmark_fleet as fleet  # noqa: E402

BIN = Path(sys.executable).parent
USER, PASSWORD = "operator", "console-benchmark"
TARGET_S = 2.0
KINDS = ("catalog", "stock", "customers", "orders")
WAITING = 7  # orders in shop-with-orders.sql, none in BO


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


def console_env(work: Path, tenants_env: dict[str, str], port: int) -> dict[str, str]:
    (work / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
    env = fleet.stack_env(work, tenants_env, port)
    env.pop("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", None)
    env.update({
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:op",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(work / "passwords.json"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
    })  # fmt: skip
    return env


def airflow(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"airflow {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def give_runs(count: int) -> dict[str, int]:
    """A newest run for every DAG: failed for one tenant in ten, running for one in seven."""
    import sqlalchemy as sa

    engine = sa.create_engine(fleet.metadata_url())
    now = datetime.now(UTC)
    states: dict[str, int] = {}
    rows, unpause = [], []
    for n in range(1, count + 1):
        for kind in KINDS:
            dag_id = f"bo_osc_t{n:03d}_{kind}"
            state = ("failed" if n % 10 == 0 and kind == "orders"
                     else "running" if n % 7 == 0 and kind == "stock" else "success")  # fmt: skip
            states[state] = states.get(state, 0) + 1
            started = now - timedelta(minutes=n % 50 + 1)
            rows.append({"dag_id": dag_id, "run_id": f"scheduled__{started:%Y%m%dT%H%M%S}",
                         "state": state, "run_type": "scheduled", "run_after": started,
                         "start_date": started, "queued_at": started,
                         "end_date": None if state == "running" else started + timedelta(seconds=9),
                         "clear_number": 0, "span_status": "ended"})  # fmt: skip
            unpause.append(dag_id)
    with engine.begin() as conn:
        table = sa.Table("dag_run", sa.MetaData(), autoload_with=conn)
        conn.execute(sa.insert(table), rows)
        conn.execute(sa.text("UPDATE dag SET is_paused = false WHERE dag_id = ANY(:ids)"),
                     {"ids": unpause})  # fmt: skip
    engine.dispose()
    return states


def write_reports(count: int, reports: Path) -> int:
    """30 index entries per tenant and the console's summary of them, as the report tasks
    write them; one tenant in twenty stopped at its connection test."""
    import os

    from bo_oscommerce.console.sources import SUMMARY, summary

    os.environ["BO_OSC_REPORTS_URL"] = reports.as_uri()
    now = datetime.now(UTC)
    failing = 0
    for n in range(1, count + 1):
        tenant = f"t{n:03d}"
        runs = reports / tenant / "_runs"
        runs.mkdir(parents=True, exist_ok=True)
        entries = []
        for i in range(30):
            kind = KINDS[i % 4]
            started = now - timedelta(minutes=10 * i)
            stopped = ["check_connections"] if n % 20 == 0 and i == 0 else []
            folder = f"bo_osc_{tenant}_{kind}/run{i:02d}"
            entities = {"orders": {"extracted": 3, "set_aside": (n + i) % 3}} if kind == "orders" \
                else {"products": {"extracted": 100, "set_aside": (n * i) % 5}}
            entry = {"dag_id": f"bo_osc_{tenant}_{kind}", "kind": kind, "run_id": f"run{i:02d}",
                     "run_type": "scheduled", "started": started.isoformat(), "finished": None,
                     "state": "failed" if stopped else "success", "folder": folder,
                     "stopped_at": stopped, "entities": entities}  # fmt: skip
            name = f"{started:%Y%m%dT%H%M%S}__{folder.replace('/', '__')}.json"
            (runs / name).write_text(json.dumps(entry))
            entries.append(entry)
            if stopped:
                failing += 1
                (reports / tenant / folder).mkdir(parents=True, exist_ok=True)
                (reports / tenant / folder / "run.json").write_text(json.dumps({"stopped": [{
                    "task": "check_connections", "error":
                    "tenant: 1 problem(s)\n  FAIL shop: cannot connect (MySQL error 2003)"}]}))
        (reports / tenant / SUMMARY).write_text(json.dumps(summary(tenant, entries)))
    return failing


def token(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/token",
        data=json.dumps({"username": USER, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["access_token"]


def get(port: int, path: str, bearer: str) -> tuple[float, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"authorization": f"Bearer {bearer}"})  # fmt: skip
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    return time.perf_counter() - started, body


def counted(body: bytes) -> dict[str, int]:
    rows = json.loads(body)["tenants"]
    return {
        "rows": len(rows),
        "counted": sum(1 for r in rows if (r["waiting"] or {}).get("count") == WAITING),
        "pending": sum(1 for r in rows if (r["waiting"] or {}).get("pending")),
        "problems": sum(1 for r in rows if r["rank"] == "problem"),
    }


def measure(port: int, count: int, bearer: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    seconds, body = get(port, "/bo-osc-reports/console.json", bearer)
    result["cold"] = {"seconds": seconds, **counted(body)}
    log(f"cold console: {seconds:.2f} s, {result['cold']}")
    time.sleep(3)  # the counts of the cold page finish
    warm = [get(port, "/bo-osc-reports/", bearer)[0] for _ in range(5)]
    result["warm"] = warm
    _, body = get(port, "/bo-osc-reports/console.json", bearer)
    result["warm_rows"] = counted(body)
    log(f"warm console pages: {[round(s, 2) for s in warm]}, {result['warm_rows']}")
    time.sleep(31)  # past the counts' freshness: every shop is counted again
    stale = []
    for _ in range(3):
        seconds, body = get(port, "/bo-osc-reports/", bearer)
        stale.append(seconds)
        time.sleep(31)
    result["stale"] = stale
    log(f"stale console pages: {[round(s, 2) for s in stale]}")
    baseline = [get(port, f"/api/v2/dags?limit={count * 5}&dag_id_pattern=bo_osc_%", bearer)[0]
                for _ in range(5)]  # fmt: skip
    result["baseline"] = baseline
    log(f"Airflow's DAG list: {[round(s, 2) for s in baseline]}")
    return result


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    log(f"building {args.tenants} tenants (BO + shop each)")
    tenants_env = fleet.build_tenants(args.tenants, work)
    fleet.recreate_metadata_db()
    port = fleet.free_port()
    env = console_env(work, tenants_env, port)
    result: dict[str, Any] = {"tenants": args.tenants}
    airflow(env, "db", "migrate")
    result["reserialize_s"] = airflow(env, "dags", "reserialize")
    log(f"DAGs parsed into the metadata DB in {result['reserialize_s']:.1f} s")
    result["run_states"] = give_runs(args.tenants)
    result["connection_failures"] = write_reports(args.tenants, work / "reports")
    out = (work / "api-server.log").open("w")
    server = subprocess.Popen([str(BIN / "airflow"), "api-server", "--port", str(port)], env=env,
                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    try:
        fleet.wait_for(lambda: _healthy(port), 180, 1, "the API server did not come up")
        result.update(measure(port, args.tenants, token(port)))
    finally:
        fleet.stop_stack([server])
    return result


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5):
            return True
    except OSError:
        return False


def render(r: dict[str, Any]) -> str:
    warm, stale, base = (statistics.median(r[k]) for k in ("warm", "stale", "baseline"))
    worst = max([r["cold"]["seconds"], *r["warm"], *r["stale"]])
    verdict = "PASS" if worst < TARGET_S else "FAIL"
    cold = r["cold"]
    return "\n".join([
        f"## The operator's console, {r['tenants']} tenants",
        "",
        f"Measured {r['date']} with `make benchmark CONSOLE={r['tenants']}`: {r['tenants']} "
        "tenants (a SQLite BO and a MariaDB shop with 7 waiting orders each), Airflow's API "
        "server alone with the shipped settings (one worker), PostgreSQL metadata DB, "
        f"{r['tenants'] * 4} DAG runs ({r['run_states']}), 30 report entries per tenant "
        f"({r['connection_failures']} tenants with a failed connection test).",
        "",
        "| page | seconds | rows | waiting orders counted | still counting |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| console, cold (first after the start) | {cold['seconds']:.2f} | {cold['rows']} | "
        f"{cold['counted']} | {cold['pending']} |",
        f"| console, warm (median of {len(r['warm'])}) | {warm:.2f} | {r['warm_rows']['rows']} | "
        f"{r['warm_rows']['counted']} | {r['warm_rows']['pending']} |",
        f"| console, counts stale: every shop counted again (median of {len(r['stale'])}) | "
        f"{stale:.2f} | | | |",
        f"| baseline: Airflow's own `GET /api/v2/dags` of the same DAGs (median of "
        f"{len(r['baseline'])}) | {base:.2f} | | | |",
        "",
        f"Slowest console page {worst:.2f} s (target under {TARGET_S:g} s for "
        f"{r['tenants']} tenants: **{verdict}**); warm page {warm / base:.1f}x Airflow's DAG "
        f"list. The DAGs of {r['tenants']} tenants parsed into the metadata DB "
        f"(`airflow dags reserialize`) in {r['reserialize_s']:.0f} s.",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and databases")
    parser.add_argument("--from-json", type=Path, help="only render a result.json again")
    args = parser.parse_args(argv)
    result = fleet.measured(args, "console-benchmark", run, args.tenants)
    fleet.write_block(args.output, "console", render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
