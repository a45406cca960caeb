"""Event-driven runs: the triggerer watches each tenant's shop and BO (ADR 15).

The triggers are ``AssetWatcher`` triggers (``BaseEventTrigger``): they run in the
triggerer, one coroutine per tenant and kind, and fire an asset event when what they watch
has changed and settled (``watch.Watch``); the tenant's DAG of that kind is scheduled on the
asset, with its cron schedule kept as a safety net.

- ``ShopOrdersTrigger``: the shop's orders -> the orders DAG;
- ``BoStockTrigger``: BO's stock bookings -> the stock DAG.

A look is one or two index reads on a connection opened for it and closed after it, run in a
thread so the triggerer's event loop (which serves every tenant) never blocks; so do the
imports and the tenants file. A database that does not answer is looked at less often
(doubling up to ``MAX_BACKOFF``), never given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0  # seconds between looks at a database that does not answer
STOCK_SETTLE = 5.0  # seconds without a new stock booking before the stock DAG starts


class _Watcher(BaseEventTrigger):
    """The poll loop every watcher shares; a kind says what it reads (``look``)."""

    classpath: ClassVar[str]
    kind: ClassVar[str]

    def __init__(self, tenant_id: str, poll_seconds: float = 10.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tenant_id = tenant_id
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (self.classpath, {"tenant_id": self.tenant_id, "poll_seconds": self.poll_seconds})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        watch_module = await asyncio.to_thread(importlib.import_module, "bo_oscommerce.watch")
        watch: Any = None
        resolved = None
        delay = self.poll_seconds
        while True:
            try:  # the tenant's settings and connections: once, again after a failure
                resolved = resolved or await self._resolve()
                mark, at_start = await asyncio.to_thread(self.look, resolved, watch is None)
            except Exception as exc:  # noqa: BLE001 - a database that does not answer now
                resolved = None
                delay = min(delay * 2, MAX_BACKOFF)
                log.warning("tenant %r: %s watch failed (%s); next look in %.0f s",
                            self.tenant_id, self.kind, exc, delay)  # fmt: skip
                await asyncio.sleep(delay)
                continue
            delay = self.poll_seconds
            watch = watch or watch_module.Watch(resolved["settle"])
            if watch.step(mark, time.monotonic(), at_start):
                log.info("tenant %r: %s changed: %s", self.tenant_id, self.kind, mark)
                yield TriggerEvent({"tenant": self.tenant_id, "kind": self.kind,
                                    "mark": str(mark)})  # fmt: skip
            await asyncio.sleep(delay)

    async def _resolve(self) -> dict[str, Any]:
        from bo_oscommerce.config import load_config
        from bo_oscommerce.connections import aendpoint_for

        settings = await asyncio.to_thread(lambda: load_config().get(self.tenant_id))
        return {
            "shop": await aendpoint_for(settings.shop_conn_id),
            "bo": await aendpoint_for(settings.bo_conn_id),
            "settle": self.settle(settings),
        }

    def settle(self, settings: Any) -> float:
        return STOCK_SETTLE

    def look(self, resolved: dict[str, Any], first: bool) -> tuple[Any, bool]:
        """The mark now, and (at the first look) whether to fire at once."""
        raise NotImplementedError


class ShopOrdersTrigger(_Watcher):
    """The shop's orders; at its start it fires if the shop has orders newer than BO's."""

    classpath = "bo_oscommerce.triggers.ShopOrdersTrigger"
    kind = "orders"

    def settle(self, settings: Any) -> float:
        return float(settings.order_settle_seconds)

    def look(self, resolved: dict[str, Any], first: bool) -> tuple[Any, bool]:
        from bo_oscommerce.watch import last_imported, orders_mark

        with _engine(resolved, "shop") as shop, shop.connect() as conn:
            mark = orders_mark(conn)
        if not first:
            return mark, False
        with _engine(resolved, "bo") as bo:
            return mark, mark.last_order > last_imported(bo)


class BoStockTrigger(_Watcher):
    """BO's stock bookings (the safety-net cron covers a triggerer that was down)."""

    classpath = "bo_oscommerce.triggers.BoStockTrigger"
    kind = "stock"

    def look(self, resolved: dict[str, Any], first: bool) -> tuple[Any, bool]:
        from bo_oscommerce.watch import stock_mark

        with _engine(resolved, "bo") as bo:
            return stock_mark(bo), False


@contextlib.contextmanager
def _engine(resolved: dict[str, Any], which: str) -> Iterator[Any]:
    """The watcher's engine for ``which`` (built once), its connection closed after the look:
    no connection is kept between looks."""
    from bo_oscommerce.connections import create_engine_for

    engines = resolved.setdefault("engines", {})
    if which not in engines:
        engines[which] = create_engine_for(resolved[which])
    try:
        yield engines[which]
    finally:
        engines[which].dispose()
