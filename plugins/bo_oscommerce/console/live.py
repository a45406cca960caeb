"""New orders counted live from the shops, in parallel, briefly cached, never blocking.

A page waits at most ``wait`` seconds for counts that are due; a shop that answers later
fills the cache for the next page, one that does not answer is "unknown" with the reason.
Engines are made per count and disposed: a changed Airflow connection counts at once, and
an idle console holds no database connections.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from datetime import UTC, datetime

from bo_oscommerce.config import TenantSettings
from bo_oscommerce.console.views import Waiting

log = logging.getLogger(__name__)

FRESH_SECONDS = 30.0  # a count this young is shown without asking the shop again
WAIT_SECONDS = 1.2  # what a page waits for due counts
COUNTERS = 16  # shops counted at once


def count_waiting(settings: TenantSettings) -> Waiting:
    """Anzahl neuer Bestellungen of one tenant, exactly as the orders DAG counts them."""
    from bo_oscommerce.connections import create_engine_for, endpoint_for
    from bo_oscommerce.errors import explain
    from bo_oscommerce.sync.waiting import waiting_order_ids

    engines = []
    try:
        bo = create_engine_for(endpoint_for(settings.bo_conn_id))
        engines.append(bo)
        shop = create_engine_for(endpoint_for(settings.shop_conn_id))
        engines.append(shop)
        ids, _ = waiting_order_ids(settings, bo, shop)
        return Waiting(len(ids), "", datetime.now(UTC))
    except Exception as exc:  # noqa: BLE001 - any failure is shown as the reason
        return Waiting(None, explain(exc), datetime.now(UTC))
    finally:
        for engine in engines:
            engine.dispose()


class LiveCounts:
    def __init__(self, fresh: float = FRESH_SECONDS, workers: int = COUNTERS) -> None:
        self.fresh = fresh
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-count")
        self._lock = threading.Lock()
        self._known: dict[str, Waiting] = {}
        self._running: dict[str, Future] = {}

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
            future = self._pool.submit(count_waiting, settings)
            self._running[settings.id] = future
        future.add_done_callback(lambda f, tenant=settings.id: self._done(tenant, f))
        return future

    def get(self, tenants: list[TenantSettings], wait: float = WAIT_SECONDS) -> dict[str, Waiting]:
        """The newest count of each tenant, after waiting up to ``wait`` s for due ones."""
        now = datetime.now(UTC)
        due = [f for f in (self._due(t, now) for t in tenants) if f is not None]
        if due:
            wait_for(due, timeout=wait)
        found = {}
        with self._lock:
            for tenant in tenants:
                known = self._known.get(tenant.id)
                if known is None:
                    known = Waiting(None, f"still counting (no answer within {wait:g} s)",
                                    pending=True)  # fmt: skip
                found[tenant.id] = known
        return found
