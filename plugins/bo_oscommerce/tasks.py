"""The callables behind the DAGs' tasks: read the run's context, call a sync step, return a
small XCom value (paths and counts). Importing this module is cheap; heavy imports happen
inside the functions, at run time."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
STOP_TEXT = 4000  # characters of an error kept for the report


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


def _stop_text(exc: BaseException) -> str:
    import sqlalchemy as sa
    from airflow.sdk.exceptions import AirflowFailException

    from bo_oscommerce.errors import explain

    if isinstance(exc, sa.exc.SQLAlchemyError):  # never the statement with its row values
        return explain(exc)
    text = str(exc)
    ours = (AirflowFailException, RuntimeError, ValueError)  # messages written for a person
    return text if isinstance(exc, ours) else f"{type(exc).__name__}: {text}"


def recorded(fn: F) -> F:
    """Keep the task's failure in the run's report folder, so the report says where the run
    stopped and why; a later try that passes removes it again."""

    @functools.wraps(fn)
    def wrapper(tenant_id: str, *args: Any, **kwargs: Any) -> Any:
        from airflow.sdk.exceptions import AirflowSkipException

        from bo_oscommerce.connections import passwords
        from bo_oscommerce.reports.record import clear_stop, record_stop

        context = _context()
        ti, dag_run = context["ti"], context["dag_run"]
        run_key = f"{dag_run.dag_id}/{dag_run.run_id}"
        try:
            result = fn(tenant_id, *args, **kwargs)
        except AirflowSkipException:
            raise
        except Exception as exc:
            try:
                settings = _settings(tenant_id)
                conn_ids = [settings.bo_conn_id, settings.shop_conn_id, settings.smtp_conn_id]
                error = _stop_text(exc)[:STOP_TEXT]
                secrets = passwords([c for c in conn_ids if c])
                record_stop(tenant_id, run_key, ti.task_id, error, ti.try_number, secrets)
            except Exception:  # the task's own error matters more than its report entry
                log.warning("could not keep this failure for the run's report", exc_info=True)
            raise
        clear_stop(tenant_id, run_key, ti.task_id)
        return result

    return wrapper  # type: ignore[return-value]


def _skip_unless_selected(entity: str) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    selected = _context()["params"].get("entities") or []
    if entity not in selected:
        raise AirflowSkipException(f"{entity} not selected in this run's 'entities'")


@recorded
def check_connections(tenant_id: str, kind: str | None = None) -> dict[str, Any]:
    """Verbindung testen; for ``kind`` first the look (``looks``): a scheduled run that finds
    nothing changed since the last quiet run skips every other task. It writes nothing, so it
    needs no more than the look's own reads of both sides; every run that goes on, and so
    every run that writes, passes the whole connection test first."""
    settings = _settings(tenant_id)
    found = _marks(settings, kind) if kind else None
    if found is not None:
        _skip_if_unchanged(tenant_id, kind, found)
    from bo_oscommerce.connection_test import check_tenant

    result = check_tenant(settings, images=kind is None)
    for line in result.message.splitlines():
        log.info(line)
    if not result.ok:
        if result.transient:
            raise SyncCheckFailed(result.message)  # retried: the server may be back soon
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(result.message)  # a setting to fix: no retries
    return {"ok": True, "checks": len(result.passed), "marks": found}


def _marks(settings: Any, kind: str) -> dict[str, str] | None:
    from bo_oscommerce.connections import engine_for
    from bo_oscommerce.looks import marks, settings_mark

    try:
        found = marks(kind, engine_for(settings.bo_conn_id), engine_for(settings.shop_conn_id))
    except Exception:  # noqa: BLE001 - a look that fails only means the run runs in full
        log.warning("could not look at what changed; the run runs in full", exc_info=True)
        return None
    if found is None:
        return None
    return {**found, "settings": settings_mark(settings)}


def _skip_if_unchanged(tenant_id: str, kind: str, found: dict[str, str]) -> None:
    from airflow.sdk.exceptions import DownstreamTasksSkipped

    from bo_oscommerce.looks import quiet_marks

    context = _context()
    run_type = str(getattr(context["dag_run"].run_type, "value", context["dag_run"].run_type))
    quiet = quiet_marks(tenant_id, kind)
    if run_type != "scheduled" or not quiet or quiet["marks"] != found:
        return
    log.info("nothing changed since the quiet run %s: this scheduled run skips its other "
             "tasks (%s)", quiet["run"], found)  # fmt: skip
    task = context["task"]
    raise DownstreamTasksSkipped(tasks=sorted(task.get_flat_relative_ids(upstream=False)))


@recorded
def extract(tenant_id: str) -> dict[str, Any]:
    """BO's catalog for the categories and products tasks; nothing to read when neither is
    selected (a stock-only run, or the console's "Test connection": ``entities: []``)."""
    from bo_oscommerce.sync.run import extract as extract_step

    selected = set(_context()["params"].get("entities") or [])
    if not selected & {"categories", "products"}:
        log.info("neither categories nor products selected: BO's catalog is not read")
        return {"paths": {}, "counts": {}}
    return extract_step(_run(tenant_id))


@recorded
def sync_categories(tenant_id: str, extracted: dict[str, Any]) -> dict[str, Any]:
    from bo_oscommerce.sync.categories import sync_categories as step

    _skip_unless_selected("categories")
    run = _run(tenant_id)
    return _publish(step(run, extracted["paths"]), tenant_id, run.run_key)


@recorded
def sync_products(tenant_id: str, extracted: dict[str, Any]) -> dict[str, Any]:
    """The products, then (tenants with the ``images`` setting) their image files: the
    images step needs the products' shop ids, and in this task it costs no task of its own."""
    from bo_oscommerce.sync.images import sync_images
    from bo_oscommerce.sync.products import sync_products as step

    _skip_unless_selected("products")
    run = _run(tenant_id)
    published = _publish(step(run, extracted["paths"]), tenant_id, run.run_key)
    images = sync_images(run)
    if images is not None:
        published["images"] = _publish(images, tenant_id, run.run_key)
    return published


@recorded
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


@recorded
def sync_customers_to_shop(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.customers import sync_customers_to_shop as step

    _skip_unless_direction("to_shop")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


@recorded
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


@recorded
def count_new_orders(tenant_id: str) -> dict[str, Any]:
    """Anzahl neuer Bestellungen: in the log, the XCom and the report."""
    from bo_oscommerce.staging import report_dir, write_json
    from bo_oscommerce.sync.orders import count_new

    run = _run(tenant_id)
    counted = count_new(run)
    write_json(report_dir(tenant_id, run.run_key) / "new_orders.json", counted)
    return {"tenant": tenant_id, "waiting": counted["waiting"]}


@recorded
def import_orders(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.orders import import_orders as step

    _skip_unless_criterion("import")
    run = _run(tenant_id)
    return _publish(step(run), tenant_id, run.run_key)


@recorded
def report_processing(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.order_status import report_status

    _skip_unless_criterion("processing")
    run = _run(tenant_id)
    return _publish(report_status(run, "processing"), tenant_id, run.run_key)


@recorded
def report_delivered(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.sync.order_status import report_status

    _skip_unless_criterion("delivered")
    run = _run(tenant_id)
    return _publish(report_status(run, "delivered"), tenant_id, run.run_key)


@recorded
def reconcile_orders(tenant_id: str) -> dict[str, Any]:
    from bo_oscommerce.staging import report_dir, write_json
    from bo_oscommerce.sync.order_status import reconcile

    run = _run(tenant_id)
    result = reconcile(run)
    write_json(report_dir(tenant_id, run.run_key) / "reconciliation.json", result)
    return {name: len(items) for name, items in result.items()}


def report(tenant_id: str) -> dict[str, Any]:
    """The run's report page and the tenant's index; runs however the other tasks ended."""
    from bo_oscommerce.reports.record import RunMeta, publish

    context = _context()
    dag_run = context["dag_run"]
    settings = _settings(tenant_id)
    record = publish(
        RunMeta(
            tenant=tenant_id,
            tenant_name=settings.name or tenant_id,
            dag_id=dag_run.dag_id,
            run_id=dag_run.run_id,
            run_type=str(getattr(dag_run.run_type, "value", dag_run.run_type) or ""),
            started=getattr(dag_run, "start_date", None),
            params=dict(context["params"]),
        ),
        keep_days=settings.report_retention_days,
    )
    for entity in record["entities"]:
        log.info(
            "%s: extracted %s, inserted %s, updated %s, unchanged %s, hidden %s, kept out %s, "
            "set aside %s, cleaned %s%s",
            *(entity[k] for k in ("entity", "extracted", "inserted", "updated", "unchanged")),
            *(entity[k] for k in ("hidden", "kept_out", "set_aside", "cleaned")),
            "" if entity["balanced"] else " (sums do not add up)",
        )
    for stop in record["stopped"]:
        log.error("stopped at %s: %s", stop["task"], stop["error"])
    _keep_marks_if_quiet(tenant_id, settings, record["state"] == "success")
    return {
        "tenant": tenant_id,
        "state": record["state"],
        "entities": {
            e["entity"]: {k: e[k] for k in ("extracted", "set_aside")} for e in record["entities"]
        },
    }


def _keep_marks_if_quiet(tenant_id: str, settings: Any, succeeded: bool) -> None:
    """Keep the first look's marks when the run was quiet (``looks``), else forget them."""
    from bo_oscommerce.looks import forget, keep

    context = _context()
    ti, dag_run = context["ti"], context["dag_run"]
    kind = dag_run.dag_id.rsplit("_", 1)[-1]
    before = (ti.xcom_pull(task_ids="check_connections") or {}).get("marks")
    if before is None:
        return
    waiting = (ti.xcom_pull(task_ids="count_new_orders") or {}).get("waiting", 0)
    after = _marks(settings, kind) if succeeded and not waiting else None
    if after == before:
        keep(tenant_id, kind, f"{dag_run.dag_id}/{dag_run.run_id}", before)
        log.info("a quiet run: the next scheduled run skips unless something changes")
    else:
        forget(tenant_id, kind)


@recorded
def reset(tenant_id: str) -> dict[str, Any]:
    """Zuruecksetzen: one record (``scope`` and ``key``) or, confirmed, the whole tenant."""
    from bo_oscommerce.staging import report_dir, write_json
    from bo_oscommerce.sync.reset import reset_everything, reset_record

    params = _context()["params"]
    scope = params.get("scope") or "everything"
    run = _run(tenant_id)
    if scope == "everything":
        if params.get("confirm") != tenant_id:
            raise ValueError(f"type the tenant id {tenant_id!r} into 'confirm' to reset it all")
        result = reset_everything(run)
    else:
        result = reset_record(run, scope, str(params.get("key") or ""))
    write_json(report_dir(tenant_id, run.run_key) / "reset.json", result)
    log.info("tenant %r: reset %s %s, cleared %s", tenant_id, scope, result["key"], result)
    return {"tenant": tenant_id, "scope": scope, "key": result["key"]}


@recorded
def resync(tenant_id: str) -> list[dict[str, Any]]:
    """Sync the reset record at once; a whole-tenant reset leaves that to the next runs."""
    from airflow.sdk.exceptions import AirflowSkipException

    from bo_oscommerce.sync.reset import resync as resync_step

    params = _context()["params"]
    scope = params.get("scope") or "everything"
    if scope == "everything":
        raise AirflowSkipException("everything was reset: the next runs match the shop again")
    run = _run(tenant_id)
    reports = resync_step(run, scope, str(params.get("key") or ""))
    return [_publish(report, tenant_id, run.run_key) for report in reports]
