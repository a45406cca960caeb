"""Orders reach BO because the shop changed, not because a clock ticked: a real Airflow
(scheduler, DAG processor, triggerer, API server) with the order watcher, a real shop on
MariaDB and a real BO. The watcher's first look finds the shop's orders missing in BO and
starts the orders DAG; an order the checkout then writes is in BO within a minute. The tenant
has no orders cron here, so every run is the watcher's."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.integration.conftest import make_bo

from bo_oscommerce.shop import tables as t
from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAG_ID = "bo_osc_e2e_orders"
TENANTS = """
tenants:
  e2e:
    bo_conn_id: bo_e2e
    shop_conn_id: shop_e2e
    price_source: shop
    price_includes_vat: true
    order_settle_seconds: 2
    watch_orders_seconds: 2
    schedules: {catalog: null, stock: null, customers: null, orders: null}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _imported(bo: sa.Engine) -> set[int]:
    with bo.connect() as conn:
        return {int(i) for i in conn.execute(sa.text(
            "SELECT osc_orders_id FROM auftrag WHERE osc_orders_id IS NOT NULL")).scalars()}


def _runs(home: Path, *states: str) -> list[tuple[str, str]]:
    """(run type, state) of the orders DAG's runs, from the metadata DB."""
    with contextlib.closing(sqlite3.connect(home / "airflow.db")) as db:
        rows = db.execute("SELECT run_type, state FROM dag_run WHERE dag_id = ?", (DAG_ID,))
        return [row for row in rows.fetchall() if not states or row[1] in states]


def _wait(what, deadline: float, step: float = 1.0):
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    return what()


def test_a_new_order_reaches_bo_within_a_minute(tmp_path, orders_shop):
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    make_bo(bo)
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(TENANTS)
    home, port = tmp_path / "airflow", _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # the tenant's DAGs start unpaused; catalog, stock and customers have no schedule here
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "BO_OSC_TENANTS_FILE": str(tenants),
        "BO_OSC_STAGING_URL": (tmp_path / "staging").as_uri(),
        "BO_OSC_REPORTS_URL": (tmp_path / "reports").as_uri(),
        "AIRFLOW_CONN_BO_E2E": f"sqlite:///{bo_path}",
        "AIRFLOW_CONN_SHOP_E2E": orders_shop.url.replace("mysql+pymysql", "mysql"),
        "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO / "fixtures")]),
    }
    for command in (["airflow", "db", "migrate"], ["python", "-m", "bo_oscommerce", "ensure-pools"]):
        done = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
    log = (tmp_path / "airflow.log").open("w")
    proc = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "airflow.sh"), str(BIN / "airflow"), "standalone"],
        env=env, cwd=REPO, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240

        def listed() -> bool:
            done = subprocess.run([str(BIN / "airflow"), "dags", "details", DAG_ID], env=env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
            return done.returncode == 0 and "is_paused" in done.stdout

        assert _wait(listed, deadline, 5), "the orders DAG never appeared"
        with orders_shop.engine.connect() as conn:
            in_shop = set(conn.execute(sa.select(t.orders.c.orders_id)).scalars())
        # the watcher's first look: the shop's orders are missing in BO, so a run starts
        assert _wait(lambda: _imported(bo) >= in_shop, time.monotonic() + 180, 2), _imported(bo)

        assert _wait(lambda: not _runs(home, "running", "queued"), time.monotonic() + 120, 1)

        with orders_shop.engine.connect() as conn:
            buyer, product = conn.execute(sa.text(
                "SELECT o.customers_id, p.products_id FROM orders o JOIN orders_products p "
                "ON p.orders_id = o.orders_id ORDER BY o.orders_id LIMIT 1")).one()  # fmt: skip
        written = time.monotonic()
        (new_id,) = write_orders(orders_shop.engine, [Checkout(buyer, (Line(product, 1),))])
        arrived = _wait(lambda: new_id in _imported(bo), time.monotonic() + 90, 1)
        took = time.monotonic() - written
        assert arrived, f"order {new_id} not in BO after {took:.0f} s"
        assert took < 60, f"order {new_id} took {took:.0f} s"
        print(f"order {new_id} in BO {took:.1f} s after the checkout wrote it")
        # every run came from the watcher (the tenant has no orders cron here)
        runs = _runs(home)
        assert runs and {run_type for run_type, _ in runs} == {"asset_triggered"}, runs
        assert len(runs) >= 2, runs
    finally:
        log.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        bo.dispose()
