"""A scheduled run with nothing to do is one short task (ADR 16), on a real Airflow: the
tenant's orders, stock and customers crons fire every minute (watchers off), a real shop on
MariaDB, a real BO. The first runs do the work, the next ones find nothing and are quiet, and
after that a scheduled run is its connection test alone, every other task skipped. Then a
checkout writes an order: the next scheduled orders run runs in full and imports it."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from tests.dags.airflow_stack import airflow_stack, wait
from tests.integration.conftest import make_bo

from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders

pytestmark = pytest.mark.integration

KINDS = ("orders", "stock", "customers")
TENANTS = """
tenants:
  look:
    bo_conn_id: bo_look
    shop_conn_id: shop_look
    price_source: shop
    price_includes_vat: true
    order_settle_seconds: 2
    watch_orders_seconds: null
    watch_stock_seconds: null
    schedules: {catalog: null, stock: "* * * * *", customers: "* * * * *", orders: "* * * * *"}
"""


def _tasks(stack, dag_id: str, run_id: str) -> dict[str, str]:
    rows = stack.query("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                       dag_id, run_id)  # fmt: skip
    return dict(rows)


def _finished(stack, dag_id: str) -> list[tuple[str, str]]:
    """(run id, state) of the DAG's finished scheduled runs, oldest first."""
    return stack.query(
        "SELECT run_id, state FROM dag_run WHERE dag_id = ? AND run_type = 'scheduled' "
        "AND state IN ('success', 'failed') ORDER BY logical_date", dag_id)  # fmt: skip


def _one_task_run(stack, dag_id: str) -> dict[str, str] | None:
    """The tasks of the first finished scheduled run that was its first task alone."""
    for run_id, _ in _finished(stack, dag_id):
        tasks = _tasks(stack, dag_id, run_id)
        if tasks.get("check_connections") == "success" and all(
            state == "skipped" for task, state in tasks.items() if task != "check_connections"
        ):
            return tasks
    return None


def test_a_scheduled_run_that_finds_nothing_is_one_task(tmp_path, orders_shop):
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    make_bo(bo)
    connections = {"bo_look": f"sqlite:///{bo_path}",
                   "shop_look": orders_shop.url.replace("mysql+pymysql", "mysql")}  # fmt: skip
    dag_ids = {kind: f"bo_osc_look_{kind}" for kind in KINDS}
    with airflow_stack(tmp_path, TENANTS, connections) as stack:
        assert wait(lambda: stack.listed(dag_ids["orders"]), time.monotonic() + 240, 5)
        deadline = time.monotonic() + 330
        skipped = {kind: wait(lambda d=dag_id: _one_task_run(stack, d), deadline, 5)
                   for kind, dag_id in dag_ids.items()}  # fmt: skip
        for kind, dag_id in dag_ids.items():
            runs = _finished(stack, dag_id)
            assert skipped[kind], (kind, [(r, _tasks(stack, dag_id, r)) for r, _ in runs])
            assert {"report", "check_connections"} < set(skipped[kind]), skipped[kind]
            assert all(state == "success" for _, state in runs), (kind, runs)
            # the work was done before: the first run was a full one
            first = _tasks(stack, dag_id, runs[0][0])
            assert first.get("report") == "success", (kind, first)
        with bo.connect() as conn:
            imported = conn.execute(sa.text("SELECT COUNT(*) FROM auftrag")).scalar()
            linked = conn.execute(sa.text(
                "SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IS NOT NULL"
            )).scalar()  # fmt: skip
        assert imported > 0 and linked > 0, (imported, linked)

        # a change: the next scheduled orders run runs in full and imports the order
        with orders_shop.engine.connect() as conn:
            buyer, product = conn.execute(sa.text(
                "SELECT o.customers_id, p.products_id FROM orders o JOIN orders_products p "
                "ON p.orders_id = o.orders_id ORDER BY o.orders_id LIMIT 1")).one()  # fmt: skip
        (new_id,) = write_orders(orders_shop.engine, [Checkout(buyer, (Line(product, 1),))])

        def in_bo() -> bool:
            with bo.connect() as conn:
                return bool(conn.execute(sa.text(
                    "SELECT COUNT(*) FROM auftrag WHERE osc_orders_id = :o"), {"o": new_id}
                ).scalar())  # fmt: skip

        assert wait(in_bo, time.monotonic() + 150, 2), f"order {new_id} never imported"
    bo.dispose()
