"""The console's live counts of new orders: the import's own rule, briefly cached, and a shop
that does not answer never holds up the others."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import sqlalchemy as sa
from tests.integration.conftest import settings

from bo_oscommerce.connections import engine_for
from bo_oscommerce.console.live import LiveCounts
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = pytest.mark.integration


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word (a hung database host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_counts_follow_the_shop_and_bo_and_a_hung_shop_holds_up_nothing(
    orders_shop, tmp_path, monkeypatch, silent_server
):
    bo = sa.create_engine(f"sqlite:///{tmp_path / 'bo.db'}")
    create_reference_schema(bo)
    monkeypatch.setenv("AIRFLOW_CONN_BO_IT", f"sqlite:///{tmp_path / 'bo.db'}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_IT", orders_shop.url.replace("mysql+pymysql", "mysql"))
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_HUNG", f"mysql://root@127.0.0.1:{silent_server}/shop")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_GONE", "mysql://root@127.0.0.1:3306/no_such_shop")
    engine_for.cache_clear()
    it = settings()
    hung = settings(shop_conn_id="shop_hung").model_copy(update={"id": "hung"})
    gone = settings(shop_conn_id="shop_gone").model_copy(update={"id": "gone"})
    with orders_shop.engine.connect() as conn:
        in_shop = conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one()
    assert in_shop == 7

    live = LiveCounts(fresh=30)
    started = time.monotonic()
    due = live.begin([it, hung, gone])
    counts = live.collect([it, hung, gone], due, wait=1.0)
    assert time.monotonic() - started < 3  # the hung shop waited for no longer than asked
    assert counts["it"].count == in_shop
    assert counts["hung"].count is None and counts["hung"].pending
    assert counts["gone"].count is None and not counts["gone"].pending
    assert "does not exist" in counts["gone"].problem

    with bo.begin() as conn:  # BO takes order 1: it no longer waits
        conn.execute(sa.text(
            "INSERT INTO auftrag (auftrag_nr, adress_nr, auftragsdatum, osc_orders_id, geaendert_am)"
            " VALUES (1, 1, '2026-12-04 08:00:00', 1, '2026-12-04 08:00:00')"))  # fmt: skip
    again = live.collect([it], live.begin([it]), wait=1.0)
    assert again["it"].count == in_shop  # within 30 s the count is not asked again
    fresh = LiveCounts(fresh=0)
    assert fresh.collect([it], fresh.begin([it]), wait=5.0)["it"].count == in_shop - 1
    bo.dispose()
