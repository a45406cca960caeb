"""The order watcher (``ShopOrdersTrigger``) against a real shop on MariaDB and a real BO: it
fires at its start when the shop holds orders BO lacks, once per settled change (an order
the checkout writes), never while nothing changes, and keeps polling a shop that does not
answer. Its events are what starts the orders DAG (see tests/dags for the schedule)."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.triggers import ShopOrdersTrigger
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = pytest.mark.integration

TENANTS = """
tenants:
  w:
    bo_conn_id: bo_w
    shop_conn_id: shop_w
    order_settle_seconds: 1
    watch_orders_seconds: 1
"""


@pytest.fixture
def watched(tmp_path, monkeypatch, orders_shop):
    path = tmp_path / "tenants.yaml"
    path.write_text(TENANTS)
    monkeypatch.setenv("BO_OSC_TENANTS_FILE", str(path))
    bo = sa.create_engine(f"sqlite:///{tmp_path / 'bo.db'}")
    create_reference_schema(bo)
    monkeypatch.setenv("AIRFLOW_CONN_BO_W", f"sqlite:///{tmp_path / 'bo.db'}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_W", orders_shop.url.replace("mysql+pymysql", "mysql"))
    yield bo, orders_shop.engine
    bo.dispose()


def checkout(shop: sa.Engine) -> int:
    """A new order as checkout_process.php writes it: the order, then its first history row."""
    with shop.begin() as conn:
        row = dict(conn.execute(sa.select(t.orders).limit(1)).mappings().one())
        new_id = conn.execute(sa.select(sa.func.max(t.orders.c.orders_id))).scalar() + 1
        conn.execute(sa.insert(t.orders).values(
            {**row, "orders_id": new_id, "date_purchased": sa.func.now()}))  # fmt: skip
    with shop.begin() as conn:
        conn.execute(sa.insert(t.orders_status_history).values(
            orders_id=new_id, orders_status_id=1, date_added=sa.func.now(),
            customer_notified=1, comments="",
        ))  # fmt: skip
    return new_id


async def _watch(trigger: ShopOrdersTrigger, events: list, stop: asyncio.Event) -> None:
    async for event in trigger.run():
        events.append((time.monotonic(), event.payload))
        if stop.is_set():
            return


def test_fires_at_start_then_once_per_settled_order_and_never_when_idle(watched):
    bo, shop = watched

    async def scenario() -> dict:
        events: list = []
        stop = asyncio.Event()
        task = asyncio.create_task(_watch(ShopOrdersTrigger("w", poll_seconds=1), events, stop))
        await asyncio.sleep(2.5)
        at_start = len(events)  # BO has no Auftrag yet: the shop's orders wait
        await asyncio.sleep(4)
        idle = len(events) - at_start
        written = time.monotonic()
        new_id = await asyncio.to_thread(checkout, shop)
        await asyncio.sleep(4.5)
        after = events[at_start + idle:]
        stop.set()
        task.cancel()
        return {"at_start": at_start, "idle": idle, "after": after, "written": written,
                "new_id": new_id}  # fmt: skip

    seen = asyncio.run(scenario())
    assert seen["at_start"] == 1
    assert seen["idle"] == 0
    assert len(seen["after"]) == 1, seen["after"]
    fired_at, payload = seen["after"][0]
    assert payload["tenant"] == "w" and payload["last_order"] == seen["new_id"]
    assert 1.0 <= fired_at - seen["written"] <= 4.0  # settled (1 s), then the next poll


def test_no_start_event_when_bo_has_every_order(watched):
    bo, shop = watched
    with shop.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(t.orders.c.orders_id))).scalar()
    with bo.begin() as conn:
        conn.execute(sa.text("INSERT INTO auftrag (auftrag_nr, adress_nr, auftragsdatum, geaendert_am, "
                             "osc_orders_id) VALUES (1, 1, :t, :t, :o)"),
                     {"o": last, "t": "2026-12-01 10:00:00"})  # fmt: skip

    async def scenario() -> list:
        events: list = []
        task = asyncio.create_task(_watch(ShopOrdersTrigger("w", poll_seconds=1), events,
                                          asyncio.Event()))  # fmt: skip
        await asyncio.sleep(3)
        task.cancel()
        return events

    assert asyncio.run(scenario()) == []


def test_a_shop_that_does_not_answer_is_polled_again_later(watched, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_W", "mysql://root@127.0.0.1:1/nowhere")

    async def scenario() -> tuple[list, bool]:
        events: list = []
        task = asyncio.create_task(_watch(ShopOrdersTrigger("w", poll_seconds=1), events,
                                          asyncio.Event()))  # fmt: skip
        await asyncio.sleep(3)
        alive = not task.done()
        task.cancel()
        return events, alive

    events, alive = asyncio.run(scenario())
    assert events == [] and alive
