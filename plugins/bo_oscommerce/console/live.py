"""New orders counted live from the shops, in parallel, briefly cached, never blocking.

A page waits at most ``wait`` seconds for counts that are due; a shop that answers later
fills the cache for the next page, one that does not answer is "unknown" with the reason.
Engines are kept per connection and closed after each count: a changed Airflow connection
counts at once, and an idle console holds no database connections.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from datetime import UTC, datetime

import sqlalchemy as sa

from bo_oscommerce.config import TenantSettings
from bo_oscommerce.console.views import Waiting

FRESH_SECONDS = 30.0  # a count this young is shown without asking the shop again
WAIT_SECONDS = 1.2  # what a page waits for due counts
COUNTERS = 16  # shops counted at once


class Engines:
    """One engine per connection as it is now (a changed connection gets a new one), its
    connections closed after each count, as the watchers keep theirs (``triggers._engine``):
    a console at rest holds none, and a count does not set a dialect up again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple[str, str], sa.Engine] = {}

    @contextlib.contextmanager
    def __call__(self, conn_id: str) -> Iterator[sa.Engine]:
        from bo_oscommerce.connections import create_engine_for, endpoint_for

        endpoint = endpoint_for(conn_id)
        key = (conn_id, endpoint.url.render_as_string(hide_password=False))
        with self._lock:
            engine = self._made.get(key)
            if engine is None:
                engine = self._made[key] = create_engine_for(endpoint)
        try:
            yield engine
        finally:
            engine.dispose()


def count_waiting(settings: TenantSettings, engines: Engines) -> Waiting:
    """Anzahl neuer Bestellungen of one tenant, exactly as the orders DAG counts them."""
    from bo_oscommerce.errors import explain
    from bo_oscommerce.sync.waiting import waiting_order_ids

    try:
        with engines(settings.bo_conn_id) as bo, engines(settings.shop_conn_id) as shop:
            ids, _ = waiting_order_ids(settings, bo, shop)
        return Waiting(len(ids), "", datetime.now(UTC))
    except Exception as exc:  # noqa: BLE001 - any failure is shown as the reason
        return Waiting(None, explain(exc), datetime.now(UTC))


class LiveCounts:
    def __init__(self, fresh: float = FRESH_SECONDS, workers: int = COUNTERS) -> None:
        self.fresh = fresh
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-count")
        self._lock = threading.Lock()
        self._known: dict[str, Waiting] = {}
        self._running: dict[str, Future] = {}
        self._engines = Engines()

    def _done(self, tenant: str, future: Future) -> None:
        try:
            found = future.result()
        except Exception as exc:  # noqa: BLE001 - kept as the reason, like any failure
            found = Waiting(None, str(exc), datetime.now(UTC))
        with self._lock:
            self._known[tenant] = found
            self._running.pop(tenant, None)

    def _due(self, settings: TenantSettings, now: datetime) -> Future | None:
        with self._lock:
            if settings.id in self._running:
                return self._running[settings.id]
            known = self._known.get(settings.id)
            if known and known.counted_at and (now - known.counted_at).total_seconds() < self.fresh:
                return None
            future = self._pool.submit(count_waiting, settings, self._engines)
            self._running[settings.id] = future
        future.add_done_callback(lambda f, tenant=settings.id: self._done(tenant, f))
        return future

    def begin(self, tenants: list[TenantSettings]) -> dict[str, Future]:
        """Start the counts that are due (none fresh, none running); returns them."""
        now = datetime.now(UTC)
        due = {t.id: self._due(t, now) for t in tenants}
        return {tenant: future for tenant, future in due.items() if future is not None}

    def collect(
        self, tenants: list[TenantSettings], due: dict[str, Future], wait: float = WAIT_SECONDS
    ) -> dict[str, Waiting]:
        """The newest count of each tenant, after waiting up to ``wait`` s for ``due``."""
        if due and wait > 0:
            wait_for(due.values(), timeout=wait)
        with self._lock:
            found = {t.id: self._known.get(t.id) for t in tenants}
        for tenant, future in due.items():  # done, its callback perhaps not yet run
            if future.done() and not future.exception():
                found[tenant] = future.result()
        return {
            tenant: known
            or Waiting(None, "still counting: the shop has not answered yet", pending=True)
            for tenant, known in found.items()
        }
