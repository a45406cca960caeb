"""Builds every tenant's DAGs from the tenants file: cheap to parse, no database calls.

Per active tenant:
- ``bo_osc_<tenant>_catalog``: connection test -> extract -> categories -> products -> stock;
- ``bo_osc_<tenant>_stock``: connection test -> stock (quantities only, frequent);
- ``bo_osc_<tenant>_customers``: contacts to the shop, new shop customers to BO;
- ``bo_osc_<tenant>_orders``: new orders into BO exactly once, status back to the shop;
- ``bo_osc_<tenant>_reset``: manual only, clears one record's osCommerce link (and syncs it
  again) or every link of the tenant.
A tenant whose settings are broken, and an inactive tenant, get one paused DAG instead,
``bo_osc_<tenant>_invalid`` or ``bo_osc_<tenant>_inactive``, that says why in the DAG list, its
docs and, if triggered, its task log; the others load.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from bo_oscommerce.config import ENTITIES, TENANT_ID, TenantSettings, load_config
from bo_oscommerce.tasks import (
    check_connections,
    count_new_orders,
    extract,
    import_orders,
    reconcile_orders,
    report,
    report_delivered,
    report_processing,
    reset,
    resync,
    sync_categories,
    sync_customers_from_shop,
    sync_customers_to_shop,
    sync_products,
    sync_stock,
)

log = logging.getLogger(__name__)

START = datetime(2026, 1, 1)
DEFAULT_ARGS = {"retries": 2, "retry_delay": timedelta(minutes=2), "owner": "bo-oscommerce"}

CATALOG_DOC = """
### BO -> osCommerce catalog sync for tenant `{tenant}`

Product groups become categories, articles become products (with texts per language, net
price, tax class, category and quantity), osCommerce ids are written back into BO.

**Trigger with parameters** to choose what runs:
- `entities`: any of `categories`, `products`, `stock` (default: all);
- `mode`: `incremental` (only what BO marks as changed) or `full` (everything, compared with
  the shop; use after changing tax rates or settings).

Rows that fail the quality checks are set aside with their reason; the task logs and the
files under the reports location show them. Running the DAG twice writes nothing the second
time. Every task that writes the shop runs in the pool `bo_osc_{tenant}` (one slot), so the
tenant's catalog and stock runs never write at the same time.
"""

STOCK_DOC = """
### BO -> osCommerce stock sync for tenant `{tenant}`

Sends only changed quantities (`{source}` stock, negative sent as 0). `mode=incremental`
compares with the quantity last sent (BO only, cheap); `mode=full` compares with the shop.

{looks}
"""

CUSTOMERS_DOC = """
### Customers both ways for tenant `{tenant}`

**To the shop**: contacts (Gespraechspartner) flagged "im Web" with an e-mail address become
shop customers who can log in (first password: `{password}`), or update the customer they are
linked to (never its password). **From the shop** (Neukunden holen): shop customers BO does
not know are linked to the BO contact with their e-mail, or created as Adresse with
Gespraechspartner; each arrives once, even when two runs overlap.

**Trigger with parameters**: `direction` (`both`, `to_shop`, `from_shop`) and `mode`
(`incremental`: contacts changed since their last sync; `full`: all, compared with the shop).

{looks}
"""

ORDERS_DOC = """
### Orders for tenant `{tenant}`: shop -> BO exactly once, status back to the shop

1. **count_new_orders**: how many shop orders BO does not have yet, except those not yet a
   sale ({hold}) (Anzahl neuer Bestellungen; in the log and the report `new_orders.json`).
2. **import**: each fully written order becomes an Auftrag with its positions, once (BO's
   unique key on `osc_orders_id`), with the amounts the buyer paid split into net and VAT.
   An order still being written waits; after {grace} minutes it is set aside with the
   reason. One bad order is set aside alone; the others are imported.
3. **processing**: imported orders still in a pending status get Processing with one history
   row; an order the merchant moved by hand is left alone.
4. **delivered**: orders with a final delivery note get Delivered, with the tracking numbers,
   from a pending status or Processing only.
5. **reconcile**: shop orders missing in BO (and why), statuses behind delivery notes, BO
   orders in a status of the merchant's own (cancelled ...), customers gone from the shop
   (`reconciliation.json`).

**Trigger with parameters**: `criteria`, any of `import`, `processing`, `delivered` (one by
one, or all at once). Runs never overlap; a manual run while another runs waits its turn.

{looks}
"""

RESET_DOC = """
### Reset for tenant `{tenant}` (Zuruecksetzen)

**One record**: set `scope` to `article`, `product_group`, `customer` or `order` and `key` to
its BO number (artikel_nr, warengruppe_nr, gp_id, auftrag_nr). Its osCommerce id, sync marks
and links are cleared, then it is synced at once: the article, customer or order status alone;
a product group through the categories step, which writes only what differs from the shop.
The shop row is found again by its natural key (model, parent and name, e-mail) or created.

**Confirm a customer link**: `scope` `confirm_customer`, `key` the contact's gp_id. An
account the sync did not create (someone registered with the contact's e-mail) is linked but
gets none of BO's data until a person confirms it is the contact's; then it is synced at once.

**Everything** (Alles zuruecksetzen): `scope` `everything` and the tenant id in `confirm`.
Clears every osCommerce id and mark of groups, articles and contacts; the next runs match the
shop's rows again.

Order ids in BO are never cleared: they make sure no shop order is imported twice. Resetting
an order forgets the status reported for it, so the status steps compare it with the shop
again. The run's report says what was cleared.
"""


LOOKS_DOC = """A **scheduled** run looks first: when nothing changed in BO or the shop since the
last quiet run, its connection test is the only task that runs (ADR 16). Runs the watcher or
a person starts always run in full."""

KINDS = ("catalog", "stock", "customers", "orders", "reset")
CRITERIA = ("import", "processing", "delivered")


def dag_ids(tenant: TenantSettings) -> dict[str, str]:
    return {kind: f"bo_osc_{tenant.id}_{kind}" for kind in KINDS}


@functools.cache
def _configured() -> dict[str, Any]:
    """The DAG settings Airflow's configuration gives every DAG, read once per parse of the
    DAG file: left to each DAG, they are three configuration lookups per DAG, a fifth of the
    file's parse time. The same values, so the DAGs are the same."""
    from airflow.sdk.configuration import conf

    return {
        "max_active_tasks": conf.getint("core", "max_active_tasks_per_dag"),
        "max_consecutive_failed_dag_runs": conf.getint(
            "core", "max_consecutive_failed_dag_runs_per_dag"
        ),
        "disable_bundle_versioning": conf.getboolean("dag_processor", "disable_bundle_versioning"),
    }


def _dag_args(tenant: TenantSettings, kind: str, **overrides: Any) -> dict[str, Any]:
    """What every tenant DAG shares: id, start, no catchup, one run at a time, tags."""
    return {
        **_configured(),
        "dag_id": dag_ids(tenant)[kind],
        "start_date": START,
        "catchup": False,
        "max_active_runs": 1,
        "default_args": DEFAULT_ARGS,
        "tags": ["bo-oscommerce", kind, f"tenant:{tenant.id}"],
        **overrides,
    }


# Params name the JSON-schema draft they use: without it every check of a DAG's params (once
# per DAG at parse time) first validates the schema itself against draft 2020-12's
# meta-schema, a quarter of the DAG file's parse time; draft 4 knows all they use.
PARAM_DRAFT = "http://json-schema.org/draft-04/schema#"


def _param(default: Any, description: str | None = None, **schema: Any) -> Any:
    from airflow.sdk import Param

    return Param(default, description, schema={"$schema": PARAM_DRAFT, **schema})


def _params_after_tasks(dag: Any, params: dict[str, Any]) -> Any:
    """Give a DAG its params once its tasks exist. A task made while its DAG has params gets
    a deep copy of them (two per task, a quarter of the DAG file's parse time), yet a task's
    run takes its DAG's params anyway (``process_params``): set now, they are validated and
    serialized once per DAG, and the trigger form and the runs see them as before.

    Set past the attribute's validator: it would check every default against its schema
    again for each DAG (an eighth of the parse time), where the defaults are the same for
    every tenant; ``tests/dags/test_dag_integrity.py`` validates each DAG's params instead."""
    from airflow.sdk.definitions.param import ParamsDict

    object.__setattr__(dag, "params", ParamsDict(params))
    return dag


def _mode_param() -> Any:
    return _param(
        "incremental",
        enum=["incremental", "full"],
        description="incremental: changed in BO only; full: everything",
    )


def _step(task_id: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """One task of the DAG being built: a plain PythonOperator, which parses about a third
    faster than ``@task`` (no decorator objects per task); an XComArg in ``args`` is
    resolved at run time and makes the step downstream of the task that returns it."""
    from airflow.providers.standard.operators.python import PythonOperator

    return PythonOperator(task_id=task_id, python_callable=fn, op_args=list(args), **kwargs)


def _report(tenant: TenantSettings) -> Any:
    """The report task: a teardown, so it runs however the run went (its page says where the
    run stopped) and never turns a failed run green."""
    return _step("report", report, tenant.id, retries=1).as_teardown()


def catalog_dag(tenant: TenantSettings) -> Any:
    from airflow.sdk import TriggerRule, dag

    @dag(
        **_dag_args(tenant, "catalog"),
        description=f"BO -> osCommerce catalog for {tenant.name or tenant.id}",
        doc_md=CATALOG_DOC.format(tenant=tenant.id),
        schedule=tenant.schedules.catalog,
    )
    def catalog() -> None:
        checked = _step("check_connections", check_connections, tenant.id)
        extracted = _step("extract", extract, tenant.id)
        writer = {"trigger_rule": TriggerRule.NONE_FAILED, "pool": tenant.pool}
        categories = _step("categories", sync_categories, tenant.id, extracted.output, **writer)
        products = _step("products", sync_products, tenant.id, extracted.output, **writer)
        stock = _step("stock", sync_stock, tenant.id, **writer)
        checked >> extracted >> categories >> products >> stock >> _report(tenant)

    return _params_after_tasks(
        catalog(),
        {
            "entities": _param(
                list(ENTITIES),
                type="array",
                items={"type": "string", "enum": list(ENTITIES)},
                description="which entities to sync",
            ),
            "mode": _mode_param(),
        },
    )


def stock_dag(tenant: TenantSettings) -> Any:
    from airflow.sdk import dag

    @dag(
        **_dag_args(tenant, "stock"),
        description=f"BO -> osCommerce stock for {tenant.name or tenant.id}",
        doc_md=STOCK_DOC.format(tenant=tenant.id, source=tenant.stock_source, looks=LOOKS_DOC),
        schedule=watched_schedule(tenant, "stock"),
        dagrun_timeout=timedelta(minutes=30),
    )
    def stock() -> None:
        checked = _step("check_connections", check_connections, tenant.id, "stock")
        synced = _step("stock", sync_stock, tenant.id, pool=tenant.pool)
        checked >> synced >> _report(tenant)

    return _params_after_tasks(
        stock(), {"entities": _param(["stock"], type="array"), "mode": _mode_param()}
    )


def customers_dag(tenant: TenantSettings) -> Any:
    from airflow.sdk import TriggerRule, dag

    @dag(
        **_dag_args(tenant, "customers"),
        description=f"BO <-> osCommerce customers for {tenant.name or tenant.id}",
        doc_md=CUSTOMERS_DOC.format(
            tenant=tenant.id, password=tenant.initial_password, looks=LOOKS_DOC
        ),
        schedule=tenant.schedules.customers,
    )
    def customers() -> None:
        writer = {"trigger_rule": TriggerRule.NONE_FAILED, "pool": tenant.pool}
        checked = _step("check_connections", check_connections, tenant.id, "customers")
        to_shop = _step("to_shop", sync_customers_to_shop, tenant.id, **writer)
        from_shop = _step("from_shop", sync_customers_from_shop, tenant.id, **writer)
        checked >> to_shop >> from_shop >> _report(tenant)

    return _params_after_tasks(
        customers(),
        {
            "direction": _param(
                "both",
                enum=["both", "to_shop", "from_shop"],
                description="to_shop: contacts to customers; from_shop: Neukunden holen",
            ),
            "mode": _mode_param(),
        },
    )


def watched_schedule(tenant: TenantSettings, kind: str) -> Any:
    """Runs on the tenant's watcher of ``kind`` (an asset the triggerer updates when what it
    watches changed, ADR 15), with the cron schedule as a safety net; the cron alone without
    a watcher."""
    cron = getattr(tenant.schedules, kind)
    seconds = getattr(tenant, f"watch_{kind}_seconds")
    if seconds is None:
        return cron
    from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable

    from bo_oscommerce.triggers import BoStockTrigger, ShopOrdersTrigger

    watcher = {"orders": ShopOrdersTrigger, "stock": BoStockTrigger}[kind]
    asset = Asset(
        name=f"bo_osc_{tenant.id}_{WATCHED[kind]}",
        watchers=[AssetWatcher(name=f"bo_osc_{tenant.id}_{kind}_watch",
                               trigger=watcher(tenant_id=tenant.id, poll_seconds=seconds))],
    )  # fmt: skip
    if cron is None:
        return [asset]
    return AssetOrTimeSchedule(timetable=CronTriggerTimetable(cron, timezone="UTC"), assets=[asset])


WATCHED = {"orders": "shop_orders", "stock": "bo_stock"}  # kind -> what its asset stands for


def orders_dag(tenant: TenantSettings) -> Any:
    from airflow.sdk import TriggerRule, dag

    @dag(
        **_dag_args(tenant, "orders"),
        description=f"osCommerce orders -> BO, status back, for {tenant.name or tenant.id}",
        doc_md=ORDERS_DOC.format(
            tenant=tenant.id,
            hold=f"statuses {tenant.order_hold_statuses}"
            if tenant.order_hold_statuses is not None
            else "the shop's 'Preparing' statuses",
            grace=tenant.order_grace_minutes,
            looks=LOOKS_DOC,
        ),
        schedule=watched_schedule(tenant, "orders"),
    )
    def orders() -> None:
        writer = {"trigger_rule": TriggerRule.NONE_FAILED, "pool": tenant.pool}
        checked = _step("check_connections", check_connections, tenant.id, "orders")
        counted = _step("count_new_orders", count_new_orders, tenant.id)
        imported = _step("import", import_orders, tenant.id, **writer)
        processing = _step("processing", report_processing, tenant.id, **writer)
        delivered = _step("delivered", report_delivered, tenant.id, **writer)
        reconciled = _step(
            "reconcile", reconcile_orders, tenant.id, trigger_rule=TriggerRule.NONE_FAILED
        )
        checked >> counted >> imported >> processing >> delivered >> reconciled >> _report(tenant)

    return _params_after_tasks(
        orders(),
        {
            "criteria": _param(
                list(CRITERIA),
                type="array",
                items={"type": "string", "enum": list(CRITERIA)},
                description="import: shop orders into BO; processing, delivered: status back",
            )
        },
    )


def reset_dag(tenant: TenantSettings) -> Any:
    from airflow.sdk import dag

    @dag(
        **_dag_args(tenant, "reset", default_args={**DEFAULT_ARGS, "retries": 0}),
        description=f"Reset osCommerce links in BO for {tenant.name or tenant.id}",
        doc_md=RESET_DOC.format(tenant=tenant.id),
        schedule=None,
    )
    def reset_tenant() -> None:
        checked = _step("check_connections", check_connections, tenant.id)
        cleared = _step("reset", reset, tenant.id, pool=tenant.pool)
        synced = _step("resync", resync, tenant.id, pool=tenant.pool)
        checked >> cleared >> synced >> _report(tenant)

    return _params_after_tasks(
        reset_tenant(),
        {
            "scope": _param(
                "article",
                enum=[
                    "article",
                    "product_group",
                    "customer",
                    "order",
                    "confirm_customer",
                    "everything",
                ],
                description="one record, everything (then also 'confirm'), or "
                "confirm_customer: the contact's link to a shop account it did not create",
            ),
            "key": _param("", type="string", description="the record's BO number"),
            "confirm": _param("", type="string", description="for everything: the tenant id"),
        },
    )


def _not_synced(message: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(message)


def placeholder_dag(tenant_id: str, kind: str, message: str) -> Any:
    """A paused DAG with one task, so the operator finds the tenant and the reason where they
    look for its DAGs (the DAG list, its docs, a run's log), not only in a processor log."""
    from airflow.sdk import dag

    @dag(
        dag_id=f"bo_osc_{tenant_id}_{kind}",
        description=message[:200],
        doc_md=f"### Tenant `{tenant_id}`: no sync DAGs\n\n{message}",
        schedule=None,
        start_date=START,
        catchup=False,
        is_paused_upon_creation=True,
        default_args={**DEFAULT_ARGS, "retries": 0},
        tags=["bo-oscommerce", kind, f"tenant:{tenant_id}"],
    )
    def placeholder() -> None:
        _step(f"tenant_{kind}", _not_synced, message)

    return placeholder()


BUILDERS = {
    "catalog": catalog_dag,
    "stock": stock_dag,
    "customers": customers_dag,
    "orders": orders_dag,
    "reset": reset_dag,
}


def build_all() -> dict[str, Any]:
    """DAG id -> DAG for every active tenant; only the requested one when a task runs."""
    from airflow.sdk import get_parsing_context

    config = load_config()
    _configured.cache_clear()  # read again at each parse: a changed setting counts
    for tenant_id, error in sorted(config.errors.items()):
        log.error(
            "bo-oscommerce: tenant %r skipped, its settings are invalid: %s", tenant_id, error
        )
    wanted = get_parsing_context().dag_id
    dags: dict[str, Any] = {}
    for tenant in config.active:
        for kind, dag_id in dag_ids(tenant).items():
            if wanted is None or wanted == dag_id:
                dags[dag_id] = BUILDERS[kind](tenant)
    idle = {
        **{
            t.id: ("inactive", f"Tenant {t.id!r} is inactive (active: false in the tenants "
                   "file): its sync DAGs are not built and nothing is synced. Set active: true "
                   "to sync it again.")
            for t in config.tenants.values() if not t.active
        },
        **{
            tenant_id: ("invalid", f"The settings of tenant {tenant_id!r} are invalid, so its "
                        f"sync DAGs are not built: {error}")
            for tenant_id, error in config.errors.items()
            if TENANT_ID.fullmatch(tenant_id)  # else no valid DAG id: the log says it
        },
    }  # fmt: skip
    for tenant_id, (kind, message) in sorted(idle.items()):
        dag_id = f"bo_osc_{tenant_id}_{kind}"
        if (wanted is None or wanted == dag_id) and dag_id not in dags:
            dags[dag_id] = placeholder_dag(tenant_id, kind, message)
    return dags
