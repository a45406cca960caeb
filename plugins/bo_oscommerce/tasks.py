"""The callables behind the DAGs' tasks: read the run's context, call a sync step, return a
small XCom value (paths and counts). Importing this module is cheap; heavy imports happen
inside the functions, at run time."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class SyncCheckFailed(RuntimeError):
    """The connection test found problems; the run stops before touching anything."""


class SyncStepFailed(RuntimeError):
    """The shop has the step's rows, but a later part (BO write-back) failed; retried."""


def _context() -> dict[str, Any]:
    from airflow.sdk import get_current_context

    return get_current_context()


def _settings(tenant_id: str) -> Any:
    from bo_oscommerce.config import load_config

    return load_config().get(tenant_id)


def _run(tenant_id: str) -> Any:
    from bo_oscommerce.connections import engine_for
    from bo_oscommerce.sync.run import Run

    context = _context()
    settings = _settings(tenant_id)
    dag_run = context["dag_run"]
    return Run(
        settings=settings,
        bo=engine_for(settings.bo_conn_id),
        shop=engine_for(settings.shop_conn_id),
        run_key=f"{dag_run.dag_id}/{dag_run.run_id}",
        run_at=settings.shop_time(dag_run.run_after),
        full=context["params"].get("mode") == "full",
    )


def _publish(report: Any, tenant_id: str, run_key: str) -> dict[str, Any]:
    """Counts to the log, the report files and XCom; then fail the task if a step after the
    shop commit failed (the report names what to fix)."""
    result = report.publish(tenant_id, run_key)
    if report.failed:
        raise SyncStepFailed(report.failed)
    return result


def _skip_unless_selected(entity: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    selected = _context()["params"].get("entities") or []
    if entity not in selected:
        raise AirflowSkipException(f"{entity} not selected in this run's 'entities'")


def check_connections(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.connection_test import check_tenant

    result = check_tenant(_settings(tenant_id))
    for line in result.message.splitlines():
        log.info(line)
    if not result.ok:
        if result.transient:
            raise SyncCheckFailed(result.message)  # retried: the server may be back soon
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(result.message)  # a setting to fix: no retries
    return {"ok": True, "checks": len(result.passed)}


def extract(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.run import extract as extract_step

    return extract_step(_run(tenant_id))


def sync_categories(tenant_id: str, extracted: dict[str, Any]) -> dict[str, Any]:
    from bo_oscommerce.sync.categories import sync_categories as step

    _skip_unless_selected("categories")
    run = _run(tenant_id)
    return _publish(step(run, extracted["paths"]), tenant_id, run.run_key)


def sync_products(tenant_id: str, extracted: dict[str, Any]) -> dict[str, Any]:
    from bo_oscommerce.sync.products import sync_products as step

    _skip_unless_selected("products")
    run = _run(tenant_id)
    return _publish(step(run, extracted["paths"]), tenant_id, run.run_key)


def sync_stock(tenant_id: str) -> dict[str, Any]:
    """Reads BO's stock itself (never the run's earlier extract): see sync/stock.py."""
    from bo_oscommerce.sync.stock import sync_stock as step

    _skip_unless_selected("stock")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


def _skip_unless_direction(direction: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    chosen = _context()["params"].get("direction") or "both"
    if chosen not in ("both", direction):
        raise AirflowSkipException(f"direction {chosen!r}: {direction} not selected")


def sync_customers_to_shop(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.customers import sync_customers_to_shop as step

    _skip_unless_direction("to_shop")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


def sync_customers_from_shop(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.customers import sync_customers_from_shop as step

    _skip_unless_direction("from_shop")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


def _skip_unless_criterion(criterion: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    chosen = _context()["params"].get("criteria") or []
    if criterion not in chosen:
        raise AirflowSkipException(f"{criterion} not selected in this run's 'criteria'")


def count_new_orders(tenant_id: str) -> dict[str, Any]:
    """Anzahl neuer Bestellungen: in the log, the XCom and the report."""
    from bo_oscommerce.staging import report_dir, write_json
    from bo_oscommerce.sync.orders import count_new

    run = _run(tenant_id)
    counted = count_new(run)
    write_json(report_dir(tenant_id, run.run_key) / "new_orders.json", counted)
    return {"tenant": tenant_id, "waiting": counted["waiting"]}


def import_orders(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.orders import import_orders as step

    _skip_unless_criterion("import")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


def report_processing(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.orders import report_status

    _skip_unless_criterion("processing")
    run = _run(tenant_id)
    return _publish(report_status(run, "processing"), tenant_id, run.run_key)


def report_delivered(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.orders import report_status

    _skip_unless_criterion("delivered")
    run = _run(tenant_id)
    return _publish(report_status(run, "delivered"), tenant_id, run.run_key)


def reconcile_orders(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.staging import report_dir, write_json
    from bo_oscommerce.sync.orders import reconcile

    run = _run(tenant_id)
    result = reconcile(run)
    write_json(report_dir(tenant_id, run.run_key) / "reconciliation.json", result)
    return {name: len(items) for name, items in result.items()}


def summarize(tenant_id: str, results: list[dict[str, Any] | None]) -> dict[str, Any]:
    """One line per entity in the log, and the run's totals as the DAG's result."""
    done = [r for r in results if r]
    for r in done:
        log.info(
            "%s: extracted %s, inserted %s, updated %s, unchanged %s, hidden %s, set aside %s, "
            "cleaned %s",
            r["entity"],
            r["extracted"],
            r["inserted"],
            r["updated"],
            r["unchanged"],
            r["hidden"],
            r["set_aside"],
            r["cleaned"],
        )
    return {"tenant": tenant_id, "entities": {r["entity"]: r for r in done}}


def reset(tenant_id: str) -> dict[str, Any]:
    """Alles zuruecksetzen: clear the catalog's osCommerce ids and flags in BO."""
    from bo_oscommerce.bo.io import execute_script
    from bo_oscommerce.connections import engine_for

    params = _context()["params"]
    if params.get("confirm") != tenant_id:
        raise ValueError(f"type the tenant id {tenant_id!r} into 'confirm' to reset it")
    settings = _settings(tenant_id)
    execute_script(engine_for(settings.bo_conn_id), "reset_osc_ids")
    log.info("tenant %r: osCommerce ids and flags cleared in BO", tenant_id)
    return {"tenant": tenant_id, "reset": True}
