"""Orders reach BO because the shop changed, not because a clock ticked: a real Airflow
(scheduler, DAG processor, triggerer, API server) with the order watcher, a real shop on
MariaDB and a real BO. The watcher's first look finds the shop's orders missing in BO and
starts the orders DAG; an order the checkout then writes is in BO within a minute. The tenant
has no orders cron here, so every run is the watcher's."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from tests.dags.airflow_stack import airflow_stack, wait
from tests.integration.conftest import make_bo

from bo_oscommerce.shop import tables as t
from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders

pytestmark = pytest.mark.integration

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


def _imported(bo: sa.Engine) -> set[int]:
    with bo.connect() as conn:
        return {int(i) for i in conn.execute(sa.text(
            "SELECT osc_orders_id FROM auftrag WHERE osc_orders_id IS NOT NULL")).scalars()}


def test_a_new_order_reaches_bo_within_a_minute(tmp_path, orders_shop):
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    make_bo(bo)
    connections = {"bo_e2e": f"sqlite:///{bo_path}",
                   "shop_e2e": orders_shop.url.replace("mysql+pymysql", "mysql")}
    with airflow_stack(tmp_path, TENANTS, connections) as stack:

        def runs(*states: str) -> list[tuple[str, str]]:
            rows = stack.query("SELECT run_type, state FROM dag_run WHERE dag_id = ?", DAG_ID)
            return [row for row in rows if not states or row[1] in states]

        assert wait(lambda: stack.listed(DAG_ID), time.monotonic() + 240, 5), \
            "the orders DAG never appeared"
        with orders_shop.engine.connect() as conn:
            in_shop = set(conn.execute(sa.select(t.orders.c.orders_id)).scalars())
        # the watcher's first look: the shop's orders are missing in BO, so a run starts
        assert wait(lambda: _imported(bo) >= in_shop, time.monotonic() + 180, 2), _imported(bo)

        assert wait(lambda: not runs("running", "queued"), time.monotonic() + 120, 1)

        with orders_shop.engine.connect() as conn:
            buyer, product = conn.execute(sa.text(
                "SELECT o.customers_id, p.products_id FROM orders o JOIN orders_products p "
                "ON p.orders_id = o.orders_id ORDER BY o.orders_id LIMIT 1")).one()  # fmt: skip
        written = time.monotonic()
        (new_id,) = write_orders(orders_shop.engine, [Checkout(buyer, (Line(product, 1),))])
        arrived = wait(lambda: new_id in _imported(bo), time.monotonic() + 90, 1)
        took = time.monotonic() - written
        assert arrived, f"order {new_id} not in BO after {took:.0f} s"
        assert took < 60, f"order {new_id} took {took:.0f} s"
        print(f"order {new_id} in BO {took:.1f} s after the checkout wrote it")
        # every run came from the watcher (the tenant has no orders cron here)
        found = runs()
        assert found and {run_type for run_type, _ in found} == {"asset_triggered"}, found
        assert len(found) >= 2, found
    bo.dispose()
