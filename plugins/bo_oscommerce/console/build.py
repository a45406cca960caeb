"""The console's rows for one user: the tenants whose DAGs they may read, judged and
ordered, with the facts of ``sources`` and ``live``."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bo_oscommerce.config import TENANT_ID, TenantConfig
from bo_oscommerce.console.live import WAIT_SECONDS, LiveCounts
from bo_oscommerce.console.sources import RecentRuns, dag_states, stop_message
from bo_oscommerce.console.views import (
    SHOWN_KINDS,
    ConnectionFailure,
    TenantView,
    connection_failure,
    from_index,
    judge,
    ordered,
    shop_of,
)

READERS = 8  # tenants whose reports are read at once

MayRead = Callable[[list[str]], bool]  # any of these DAG ids readable by the user
MayTrigger = Callable[[str], bool]  # the user may start runs of this DAG


def tenant_dag_ids(tenant: str) -> dict[str, str]:
    """Kind -> DAG id of every DAG a tenant can have (``dag_factory``): its sync DAGs, the
    reset DAG and the placeholders of an inactive or invalid tenant."""
    kinds = (*SHOWN_KINDS, "reset", "inactive", "invalid")
    return {kind: f"bo_osc_{tenant}_{kind}" for kind in kinds}


def _rows(config: TenantConfig, may_read: MayRead) -> list[TenantView]:
    rows = [
        TenantView(t.id, t.name or t.id, "active" if t.active else "inactive",
                   "" if t.active else "active: false in the tenants file")
        for t in config.tenants.values()
    ] + [
        TenantView(tenant, tenant, "invalid", error)
        for tenant, error in config.errors.items() if TENANT_ID.fullmatch(tenant)
    ]  # fmt: skip
    return [r for r in rows if may_read(list(tenant_dag_ids(r.tenant).values()))]


def _from_reports(view: TenantView, recent: RecentRuns) -> TenantView:
    runs, message = recent(view.tenant)
    view.set_aside, view.orders_set_aside = from_index(runs)
    view.shop = shop_of(runs)
    failed = connection_failure(runs)
    if failed is not None:
        view.connection = ConnectionFailure(
            at=str(failed.get("started") or failed.get("finished") or ""),
            kind=str(failed.get("kind", "")),
            message=message if message is not None else stop_message(view.tenant, failed),
            passed_since=failed["passed_since"],
        )
    return view


def tenant_views(
    config: TenantConfig,
    may_read: MayRead,
    may_trigger: MayTrigger,
    live: LiveCounts,
    recent: RecentRuns,
    now: datetime | None = None,
) -> list[TenantView]:
    """Every readable tenant's row, most urgent first."""
    now = now or datetime.now(UTC)
    started = time.monotonic()
    views = _rows(config, may_read)
    active = [v for v in views if v.status == "active"]
    settings = [config.tenants[v.tenant] for v in active]
    due = live.begin(settings)  # the shops count while the rest is read
    ids = {v.tenant: tenant_dag_ids(v.tenant) for v in active}
    states = dag_states(i for kinds in ids.values() for i in kinds.values())
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        views = list(pool.map(lambda v: _from_reports(v, recent), views))
    waiting = live.collect(settings, due, WAIT_SECONDS - (time.monotonic() - started))
    for view in active:
        view.dags = {kind: states[ids[view.tenant][kind]] for kind in SHOWN_KINDS}
        view.waiting = waiting[view.tenant]
        view.triggerable = frozenset(
            kind for kind in ("catalog", "orders") if may_trigger(ids[view.tenant][kind])
        )
        schedules = config.tenants[view.tenant].schedules
        view.schedules = {k: c for k in SHOWN_KINDS if (c := getattr(schedules, k))}
    return ordered([judge(v, now) for v in views])
