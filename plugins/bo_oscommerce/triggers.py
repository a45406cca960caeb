"""Event-driven runs: the triggerer watches each tenant's shop for order activity.

``ShopOrdersTrigger`` is an ``AssetWatcher`` trigger (``BaseEventTrigger``): it runs in the
triggerer, one coroutine per tenant, and fires an asset event when the shop's orders have
changed and settled (``watch.Watch``); the tenant's orders DAG is scheduled on that asset,
with its cron schedule kept as a safety net. Polls are two index-only reads on a connection
opened for the poll and closed after it, run in a thread so the triggerer's event loop never
blocks; a shop that does not answer is polled less often (doubling up to ``MAX_BACKOFF``),
never given up.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0  # seconds between polls of a shop that does not answer


class ShopOrdersTrigger(BaseEventTrigger):
    def __init__(self, tenant_id: str, poll_seconds: float = 10.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tenant_id = tenant_id
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "bo_oscommerce.triggers.ShopOrdersTrigger",
            {"tenant_id": self.tenant_id, "poll_seconds": self.poll_seconds},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        # imports and file reads in a thread: the triggerer's event loop serves every tenant
        watch_module = await asyncio.to_thread(importlib.import_module, "bo_oscommerce.watch")
        watch: Any = None
        resolved = None
        delay = self.poll_seconds
        while True:
            try:  # the tenant's settings and connections: once, again after a failure
                resolved = resolved or await self._endpoints()
                shop, bo, settle = resolved
                first = watch is None
                mark, newer = await asyncio.to_thread(_poll, shop, bo if first else None)
            except Exception as exc:  # noqa: BLE001 - a shop or BO that does not answer now
                resolved = None
                delay = min(delay * 2, MAX_BACKOFF)
                log.warning("tenant %r: order watch failed (%s); next poll in %.0f s",
                            self.tenant_id, exc, delay)  # fmt: skip
                await asyncio.sleep(delay)
                continue
            delay = self.poll_seconds
            watch = watch or watch_module.Watch(settle)
            if watch.step(mark, time.monotonic(), newer):
                log.info("tenant %r: shop orders changed: %s", self.tenant_id, mark)
                yield TriggerEvent({"tenant": self.tenant_id, "orders": mark.orders,
                                    "last_order": mark.last_order})  # fmt: skip
            await asyncio.sleep(delay)

    async def _endpoints(self) -> tuple[Any, Any, float]:
        from bo_oscommerce.config import load_config
        from bo_oscommerce.connections import aendpoint_for

        settings = await asyncio.to_thread(lambda: load_config().get(self.tenant_id))
        return (
            await aendpoint_for(settings.shop_conn_id),
            await aendpoint_for(settings.bo_conn_id),
            float(settings.order_settle_seconds),
        )


def _poll(shop: Any, bo: Any | None) -> tuple[Any, bool]:
    """The shop's orders mark; with ``bo``, also whether the shop has orders newer than any BO
    imported. Each engine lives for this poll only: no connection is held between polls."""
    from bo_oscommerce.connections import create_engine_for
    from bo_oscommerce.watch import last_imported, orders_mark

    shop_engine = create_engine_for(shop)
    try:
        with shop_engine.connect() as conn:
            mark = orders_mark(conn)
    finally:
        shop_engine.dispose()
    if bo is None:
        return mark, False
    bo_engine = create_engine_for(bo)
    try:
        return mark, mark.last_order > last_imported(bo_engine)
    finally:
        bo_engine.dispose()
