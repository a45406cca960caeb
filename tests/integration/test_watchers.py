"""The watchers against a real shop on MariaDB and a real BO. The order watcher
(``ShopOrdersTrigger``) fires at its start when the shop holds orders BO lacks, once per
settled change (an order the checkout writes), never while nothing changes, and keeps
polling a shop that does not answer. The stock watcher (``BoStockTrigger``) fires once per
settled burst of stock bookings in BO, never at its start or while nothing changes. Their
events are what starts the orders and stock DAGs (see tests/dags)."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from bo_oscommerce import triggers
from bo_oscommerce.shop import tables as t
from bo_oscommerce.triggers import BoStockTrigger, ShopOrdersTrigger
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = pytest.mark.integration

TENANTS = """
tenants:
  w:
    bo_conn_id: bo_w
    shop_conn_id: shop_w
    order_settle_seconds: 1
    watch_orders_seconds: 1
    watch_stock_seconds: 1
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
    assert payload["tenant"] == "w" and f"last_order={seen['new_id']}," in payload["mark"]
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


def test_stock_fires_once_per_settled_burst_of_bookings(watched, monkeypatch):
    from bo_oscommerce_fixtures.demo_bo import generate

    bo, _shop = watched
    generate(bo, articles=20)
    monkeypatch.setattr(triggers, "STOCK_SETTLE", 1.0)

    def book(minute: int) -> None:
        with bo.begin() as conn:
            conn.execute(sa.text("UPDATE lagerbestand SET bestand = bestand + 1, geaendert_am = :t "
                                 "WHERE artikel_nr = 'A-000001'"),
                         {"t": f"2026-12-02 17:{minute:02d}:00"})  # fmt: skip

    async def scenario() -> tuple[int, int, list]:
        events: list = []
        task = asyncio.create_task(_watch(BoStockTrigger("w", poll_seconds=1), events,
                                          asyncio.Event()))  # fmt: skip
        await asyncio.sleep(3)
        at_start = len(events)
        for minute in range(3):  # a burst: three bookings within the settle time
            await asyncio.to_thread(book, minute)
            await asyncio.sleep(0.3)
        await asyncio.sleep(3.5)
        burst = len(events) - at_start
        await asyncio.sleep(2)
        idle = len(events) - at_start - burst
        task.cancel()
        return at_start, burst, idle

    at_start, burst, idle = asyncio.run(scenario())
    assert (at_start, burst, idle) == (0, 1, 0)


def test_looks_share_one_tls_context(watched, monkeypatch):
    """Every look opens a connection; building a TLS context for each (PyMySQL's default)
    cost 15x the look's own query, so the process builds the preferred-TLS context once,
    and only if the server offers TLS."""
    import ssl

    import pymysql
    from pymysql.constants import CLIENT

    probe = pymysql.connect(host="127.0.0.1", user="root", ssl_disabled=True)
    offers_tls = bool(probe.server_capabilities & CLIENT.SSL)
    probe.close()

    built: list[int] = []
    real = ssl.create_default_context

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    trigger = ShopOrdersTrigger("w", poll_seconds=1)
    resolved = asyncio.run(trigger._resolve())
    opened: list[int] = []
    marks = []
    for look in range(5):
        shop_engine = resolved.get("engines", {}).get("shop")
        if shop_engine is not None and look == 1:
            sa.event.listen(shop_engine, "connect", lambda *_: opened.append(1))
        marks.append(trigger.look(resolved, first=False)[0])
    assert len(opened) == 4  # a new connection for every look after the first ...
    assert len(built) == (1 if offers_tls else 0)  # ... and one TLS context at most
    assert len(set(marks)) == 1
