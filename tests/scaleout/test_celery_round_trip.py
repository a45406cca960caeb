"""docs/deploy.md's scale-out recipe, run on this machine: CeleryExecutor with Redis as the
broker, PostgreSQL as the metadata DB and the result backend, a scheduler, a DAG processor, an
API server and two Celery workers (each its own celery hostname and log server port), all
sharing staging and reports. One tenant's catalog, customers and orders DAGs, triggered at once
through the REST API, do a real round trip between a MariaDB BO and a MariaDB shop, and their
tasks run on both workers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.integration.conftest import bo_engine, make_bo

from bo_oscommerce.shop import tables as t

pytestmark = [pytest.mark.celery, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TENANT = "scale"
DAGS = {  # DAG id -> the run's conf
    f"bo_osc_{TENANT}_catalog": {"mode": "full"},
    f"bo_osc_{TENANT}_customers": {"direction": "both", "mode": "incremental"},
    f"bo_osc_{TENANT}_orders": {"criteria": ["import", "processing", "delivered"]},
}
# no schedules and no watchers: the test's three runs are the only ones
TENANTS = f"""
tenants:
  {TENANT}:
    bo_conn_id: bo_{TENANT}
    shop_conn_id: shop_{TENANT}
    price_source: shop
    price_includes_vat: true
    order_settle_seconds: 0
    watch_orders_seconds: null
    watch_stock_seconds: null
    schedules: {{catalog: null, stock: null, customers: null, orders: null}}
"""
WORKERS = ("worker-a", "worker-b")
DEADLINE_START = 150  # s until the API server answers, the DAGs are parsed, both workers ready
DEADLINE_RUNS = 180  # s for the three runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: Callable[[], object], seconds: float, step: float = 1.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    return what()


@dataclass
class Stack:
    """The Airflow processes, each in its own process group, and their log files."""

    tmp: Path
    env: dict[str, str]
    procs: dict[str, subprocess.Popen]

    def start(self, name: str, args: list[str], **extra_env: str) -> None:
        log = (self.tmp / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            [str(BIN / "airflow"), *args], env={**self.env, **extra_env}, cwd=REPO,
            start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def logs(self, lines: int = 40) -> str:
        """The tail of every process's log, for a failure's message."""
        out = []
        for name in self.procs:
            text = (self.tmp / f"{name}.log").read_text(errors="replace").splitlines()
            out.append(
                f"--- {name} (exit {self.procs[name].poll()}) ---\n" + "\n".join(text[-lines:])
            )
        return "\n".join(out)

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            # the group outlives its leader if a child ignored SIGTERM
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def bo(tmp_path, mariadb_server) -> Iterator[tuple[sa.Engine, str]]:
    """The reference BO with demo articles and contacts on MariaDB (every worker reaches it)."""
    engine, database = bo_engine("mariadb", tmp_path, mariadb_server)
    try:
        make_bo(engine)
        yield engine, database
    finally:
        engine.dispose()
        with mariadb_server.engine.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{database}`"))


def _ids(engine: sa.Engine, sql: str) -> set[int]:
    with engine.connect() as conn:
        return {int(i) for i in conn.execute(sa.text(sql)).scalars() if i is not None}


def test_three_dags_round_trip_on_two_celery_workers(
    tmp_path, redis_url, metadata_db, bo, orders_shop
):
    bo_db, bo_name = bo
    shop = orders_shop.engine
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(TENANTS)
    token = uuid.uuid4().hex[:10]
    queue = f"bo_osc_test_{token}"  # the broker may be shared: a queue no one else serves
    port = _free_port()
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_db,
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_db}",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        # the REST calls below need no login
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "BO_OSC_TENANTS_FILE": str(tenants),
        "BO_OSC_STAGING_URL": (tmp_path / "staging").as_uri(),
        "BO_OSC_REPORTS_URL": (tmp_path / "reports").as_uri(),
        f"AIRFLOW_CONN_BO_{TENANT.upper()}": f"mysql://root@127.0.0.1:3306/{bo_name}",
        f"AIRFLOW_CONN_SHOP_{TENANT.upper()}": f"mysql://root@127.0.0.1:3306/{orders_shop.database}",
        "PYTHONPATH": os.pathsep.join(str(REPO / p) for p in ("plugins", "fixtures", "")),
        "GX_ANALYTICS_ENABLED": "False",
    }
    before = {table: _ids(shop, f"SELECT {table}_id FROM {table}")
              for table in ("products", "categories", "customers")}  # fmt: skip
    products_before, statuses_before = _shop_state(shop)
    assert not _ids(bo_db, "SELECT osc_products_id FROM artikel")  # BO starts unlinked
    started = time.monotonic()
    for command in (
        ["airflow", "db", "migrate"],
        ["python", "-m", "bo_oscommerce", "ensure-pools"],
    ):
        done = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    print(f"metadata DB migrated and pools set in {time.monotonic() - started:.0f} s")

    stack = Stack(tmp_path, env, {})
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v2", timeout=30)
    try:
        stack.start("api-server", ["api-server"])
        stack.start("scheduler", ["scheduler"])
        stack.start("dag-processor", ["dag-processor"])
        for name in WORKERS:
            stack.start(
                name,
                ["celery", "worker", "--celery-hostname", f"{name}-{token}", "--queues", queue,
                 "--concurrency", "1", "--without-mingle", "--without-gossip"],
                AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
                AIRFLOW__CORE__HOSTNAME_CALLABLE="tests.scaleout.worker_name.from_env",
                BO_OSC_WORKER_NAME=name,
            )  # fmt: skip

        def get(path: str) -> httpx.Response | None:
            with contextlib.suppress(httpx.TransportError):
                return api.get(path)
            return None

        def ready() -> bool:
            assert not stack.dead(), stack.logs()
            return all((r := get(f"/dags/{dag_id}")) is not None and r.status_code == 200
                       for dag_id in DAGS)  # fmt: skip

        assert _wait(ready, DEADLINE_START, 2), "the DAGs never appeared\n" + stack.logs()
        from celery import Celery

        broker = Celery(broker=redis_url)

        def workers_up() -> bool:
            assert not stack.dead(), stack.logs()
            answered = {name for reply in broker.control.ping(timeout=1) for name in reply}
            return all(f"celery@{name}-{token}" in answered for name in WORKERS)

        assert _wait(workers_up, DEADLINE_START, 1), "the workers never answered\n" + stack.logs()
        print(f"stack up {time.monotonic() - started:.0f} s after the start")

        # three runs at once: the tenant's pool takes their shop writes one at a time
        runs = {}
        for dag_id, conf in DAGS.items():
            response = api.post(
                f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
            )
            assert response.status_code == 200, response.text
            runs[dag_id] = response.json()["dag_run_id"]

        def states() -> dict[str, str]:
            return {dag_id: api.get(f"/dags/{dag_id}/dagRuns/{run_id}").json()["state"]
                    for dag_id, run_id in runs.items()}  # fmt: skip

        def finished() -> dict[str, str] | None:
            assert not stack.dead(), stack.logs()
            got = states()
            return got if all(s in ("success", "failed") for s in got.values()) else None

        triggered = time.monotonic()
        _wait(finished, DEADLINE_RUNS, 2)
        final = states()
        print(f"runs finished in {time.monotonic() - triggered:.0f} s: {final}")

        # which worker ran which task (hostname_callable: the worker's name), and the outcomes
        # in Celery's result backend (db+postgresql+psycopg://), written as each Celery task
        # returns, a moment after its task instance's state
        meta = sa.create_engine(metadata_db)

        def results() -> dict[str, int] | None:
            with meta.connect() as conn:
                got = dict(conn.execute(sa.text(
                    "SELECT status, COUNT(*) FROM celery_taskmeta GROUP BY status")).all())  # fmt: skip
            return got if got.keys() <= {"SUCCESS", "FAILURE"} else None

        outcomes = _wait(results, 30, 0.5)
        with meta.connect() as conn:
            ran = conn.execute(sa.text(
                "SELECT dag_id, task_id, state, hostname FROM task_instance ORDER BY start_date"
            )).all()  # fmt: skip
        meta.dispose()
        assert final == dict.fromkeys(DAGS, "success"), f"{final}\n{ran}\n{stack.logs()}"
    finally:
        api.close()
        stack.stop()
        _forget_queue(redis_url, queue)

    for dag_id, task_id, state, hostname in ran:
        print(f"{hostname or '-':9} {state:8} {dag_id}.{task_id}")
    done = [(dag_id, task_id, hostname) for dag_id, task_id, state, hostname in ran
            if state == "success"]  # fmt: skip
    assert {hostname for *_, hostname in done} == set(WORKERS), done
    assert {dag_id for dag_id, *_ in done} == set(DAGS), done
    assert outcomes == {"SUCCESS": len(done)}, outcomes

    reports = {dag_id: _summaries(tmp_path / "reports", dag_id, run_id)
               for dag_id, run_id in runs.items()}  # fmt: skip
    catalog, customers, orders = (reports[dag_id] for dag_id in DAGS)
    print({entity: {k: v for k, v in counts.items() if isinstance(v, int)}
           for summary in reports.values() for entity, counts in summary.items()})  # fmt: skip

    # catalog: the shop holds a product and a category for every id written back into BO
    products = _ids(bo_db, "SELECT osc_products_id FROM artikel")
    categories = _ids(bo_db, "SELECT osc_categories_id FROM warengruppe")
    with shop.connect() as conn:
        shop_products = set(conn.execute(sa.select(t.products.c.products_id)).scalars())
        shop_categories = set(conn.execute(sa.select(t.categories.c.categories_id)).scalars())
    assert products and products <= shop_products, products - shop_products
    assert categories and categories <= shop_categories, categories - shop_categories
    for entity, in_shop, ids in (("products", shop_products, products),
                                 ("categories", shop_categories, categories)):  # fmt: skip
        counts = catalog[entity]
        assert counts["inserted"] == len(in_shop - before[entity]), (entity, counts)
        assert counts["written_back_to_bo"] == len(ids), (entity, counts)
        assert len(ids) == sum(counts[k] for k in ("inserted", "updated", "unchanged", "hidden"))
    products_after, statuses_after = _shop_state(shop)
    changed = {i for i, row in products_after.items() if row != products_before.get(i)}
    # products and stock rewrote exactly the shop rows they report, all of them linked from BO
    assert changed and changed <= products, (changed, products)
    assert len(changed) >= max(catalog["products"]["inserted"] + catalog["products"]["updated"],
                               catalog["stock"]["updated"]), catalog  # fmt: skip
    # customers: every shop customer is linked to a BO contact, and every link to a shop customer
    with shop.connect() as conn:
        shop_customers = set(conn.execute(sa.select(t.customers.c.customers_id)).scalars())
    linked = _ids(bo_db, "SELECT osc_customers_id FROM gespraechspartner")
    assert linked == shop_customers, linked ^ shop_customers
    new_customers = shop_customers - before["customers"]
    assert customers["customers"]["inserted"] == len(new_customers) > 0, customers
    # orders: every shop order is in BO once, as an auftrag
    with shop.connect() as conn:
        shop_orders = set(conn.execute(sa.select(t.orders.c.orders_id)).scalars())
    with bo_db.connect() as conn:
        imported = [int(i) for i in conn.execute(sa.text(
            "SELECT osc_orders_id FROM auftrag WHERE osc_orders_id IS NOT NULL")).scalars()]  # fmt: skip
    assert shop_orders and sorted(imported) == sorted(shop_orders)
    assert orders["orders"]["inserted"] == len(shop_orders), orders
    # and went back to the shop as Processing: one status change per order the step reports
    moved = {i for i, status in statuses_after.items() if status != statuses_before[i]}
    assert len(moved) == orders["status_processing"]["updated"] == len(shop_orders), orders
    print(f"shop: {len(shop_products)} products, {len(shop_categories)} categories, "
          f"{len(shop_customers)} customers, {len(shop_orders)} orders; BO: {len(products)} "
          f"articles and {len(categories)} groups with shop ids, {len(linked)} contacts linked, "
          f"{len(imported)} orders imported")  # fmt: skip


def _shop_state(shop: sa.Engine) -> tuple[dict[int, tuple], dict[int, int]]:
    """The shop's products (price, quantity, status, last change) and orders' statuses."""
    p, o = t.products.c, t.orders.c
    with shop.connect() as conn:
        products = {row[0]: tuple(row[1:]) for row in conn.execute(sa.select(
            p.products_id, p.products_price, p.products_quantity, p.products_status,
            p.products_last_modified))}  # fmt: skip
        statuses = dict(conn.execute(sa.select(o.orders_id, o.orders_status)).all())
    return products, statuses


def _summaries(reports: Path, dag_id: str, run_id: str) -> dict[str, dict]:
    """A run's ``summary_<entity>.json`` files (written by whichever worker ran the step)."""
    folder = reports / TENANT / dag_id / run_id.replace(":", "_").replace("+", "_")
    return {p.stem.removeprefix("summary_"): json.loads(p.read_text())
            for p in folder.glob("summary_*.json")}  # fmt: skip


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the test queue's keys from the broker (nothing else is touched)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    finally:
        client.close()
