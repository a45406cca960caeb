"""Every tenant's DAGs import, are well-formed, and a broken tenant does not hide the others."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from tests.dags.conftest import DAG_FILE, REPO


@pytest.fixture
def dagbag(tenants_file):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAG_FILE))


def test_no_import_errors_and_every_active_tenant_has_its_dags(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == sorted(
        [
            *(
                f"bo_osc_{tenant}_{kind}"
                for tenant in ("alpha", "beta")
                for kind in ("catalog", "stock", "customers", "orders", "reset")
            ),
            "bo_osc_broken_invalid",
            "bo_osc_sleeping_inactive",
        ]
    )


def test_inactive_and_broken_tenants_say_so_where_their_dags_would_be(dagbag, airflow_db):
    sleeping = dagbag.dags["bo_osc_sleeping_inactive"]
    assert "inactive" in sleeping.description and "active: false" in sleeping.doc_md
    assert sleeping.is_paused_upon_creation and sleeping.schedule is None
    assert "tenant:sleeping" in sleeping.tags
    broken = dagbag.dags["bo_osc_broken_invalid"]
    assert "price_source" in broken.doc_md and "'broken'" in broken.description
    run = broken.test()
    assert str(run.state) == "failed"


def test_broken_tenant_is_logged_with_tenant_and_field(tenants_file, caplog):
    from bo_oscommerce.dag_factory import build_all

    with caplog.at_level(logging.ERROR):
        dags = build_all()
    assert "bo_osc_alpha_catalog" in dags and "bo_osc_broken_catalog" not in dags
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "'broken'" in message and "price_source" in message


@pytest.mark.parametrize("kind", ["catalog", "stock", "customers", "orders", "reset"])
def test_dags_have_retries_tags_docs_and_connection_test_first(dagbag, kind):
    dag = dagbag.dags[f"bo_osc_beta_{kind}"]
    assert "bo-oscommerce" in dag.tags and "tenant:beta" in dag.tags
    assert dag.doc_md and "beta" in dag.doc_md
    assert dag.catchup is False
    roots = [t.task_id for t in dag.roots]
    assert roots == ["check_connections"]
    for task in dag.tasks:
        if kind != "reset":
            assert task.retries >= 1, task.task_id


def test_schedules_come_from_the_tenant(dagbag):
    assert dagbag.dags["bo_osc_beta_catalog"].schedule == "0 3 * * *"
    assert dagbag.dags["bo_osc_beta_stock"].schedule.timetable.expression == "*/5 * * * *"
    assert dagbag.dags["bo_osc_alpha_catalog"].schedule == "@daily"
    assert dagbag.dags["bo_osc_alpha_stock"].schedule.timetable.expression == "0 * * * *"
    assert dagbag.dags["bo_osc_alpha_reset"].schedule is None
    assert dagbag.dags["bo_osc_alpha_customers"].schedule == "0 * * * *"



def test_orders_and_stock_run_on_their_watchers_with_the_cron_as_safety_net(dagbag):
    from airflow.sdk import AssetOrTimeSchedule
    from airflow.serialization.serialized_objects import DagSerialization

    schedule = dagbag.dags["bo_osc_alpha_orders"].schedule
    assert isinstance(schedule, AssetOrTimeSchedule)
    assert schedule.timetable.expression == "0 * * * *"  # @hourly
    (asset,) = schedule.asset_condition.objects
    assert asset.name == "bo_osc_alpha_shop_orders"
    (watcher,) = asset.watchers
    assert watcher.name == "bo_osc_alpha_orders_watch"
    assert watcher.trigger.serialize() == (
        "bo_oscommerce.triggers.ShopOrdersTrigger", {"tenant_id": "alpha", "poll_seconds": 10.0}
    )
    (stock_asset,) = dagbag.dags["bo_osc_alpha_stock"].schedule.asset_condition.objects
    assert stock_asset.name == "bo_osc_alpha_bo_stock"
    assert stock_asset.watchers[0].trigger.serialize() == (
        "bo_oscommerce.triggers.BoStockTrigger", {"tenant_id": "alpha", "poll_seconds": 30.0}
    )
    # what the DAG processor stores, and the triggerer reads back
    stored = DagSerialization.to_dict(dagbag.dags["bo_osc_alpha_orders"])
    assert "bo_oscommerce.triggers.ShopOrdersTrigger" in str(stored)


def test_without_a_watcher_the_orders_cron_alone(tmp_path, monkeypatch):
    from bo_oscommerce.config import parse_config
    from bo_oscommerce.dag_factory import watched_schedule

    tenant = parse_config({"tenants": {"t": {
        "bo_conn_id": "b", "shop_conn_id": "s", "watch_orders_seconds": None,
        "schedules": {"orders": "*/10 * * * *"},
    }}}).get("t")  # fmt: skip
    assert watched_schedule(tenant, "orders") == "*/10 * * * *"


def test_catalog_dag_order_and_params(dagbag):
    dag = dagbag.dags["bo_osc_alpha_catalog"]
    order = ["check_connections", "extract", "categories", "products", "stock", "report"]
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    assert dag.params["mode"] == "incremental"
    assert sorted(dag.params["entities"]) == ["categories", "products", "stock"]


def test_orders_dag_order_params_and_no_overlap(dagbag):
    dag = dagbag.dags["bo_osc_alpha_orders"]
    order = ["check_connections", "count_new_orders", "import", "processing", "delivered",
             "reconcile", "report"]  # fmt: skip
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    assert sorted(dag.params["criteria"]) == ["delivered", "import", "processing"]
    assert dag.max_active_runs == 1


def test_dag_file_parses_fast_without_database_access(tenants_file):
    """Parsing imports neither pandas nor Great Expectations nor SQLAlchemy engines."""
    code = (
        "import sys, time, runpy; t = time.time(); runpy.run_path(sys.argv[1]); "
        "print(time.time() - t); "
        "print(sorted(m for m in ('pandas', 'great_expectations') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(DAG_FILE)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seconds, heavy = proc.stdout.strip().splitlines()[-2:]
    assert heavy == "[]"
    assert float(seconds) < 10


def test_every_task_that_writes_the_shop_runs_in_the_tenants_pool(dagbag):
    writers = {
        "bo_osc_beta_catalog": {"categories", "products", "stock"},
        "bo_osc_beta_stock": {"stock"},
        "bo_osc_beta_customers": {"to_shop", "from_shop"},
        "bo_osc_beta_orders": {"import", "processing", "delivered"},
    }
    for dag_id, task_ids in writers.items():
        dag = dagbag.dags[dag_id]
        for task in dag.tasks:
            expected = "bo_osc_beta" if task.task_id in task_ids else "default_pool"
            assert task.pool == expected, (dag_id, task.task_id)


def test_ensure_pools_creates_one_slot_per_active_tenant(tenants_file, airflow_db):
    import os

    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins")}
    proc = subprocess.run(
        [sys.executable, "-m", "bo_oscommerce", "ensure-pools"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "pool bo_osc_alpha (1 slot)" in proc.stdout
    assert "bo_osc_sleeping" not in proc.stdout  # inactive tenants get no DAGs, no pool
    from airflow.models.pool import Pool

    assert Pool.get_pool("bo_osc_beta").slots == 1


def test_every_dags_params_validate_and_its_tasks_carry_none_of_their_own(dagbag):
    """The params are set on each DAG after its tasks, past the attribute's validator (ADR 17):
    their defaults are checked here, and a run of any task still sees them (process_params)."""
    from airflow.sdk.definitions.param import process_params

    for dag in dagbag.dags.values():
        defaults = dag.params.validate()
        for task in dag.tasks:
            assert not task.params, (dag.dag_id, task.task_id)
            assert process_params(dag, task, {}, suppress_exception=False) == defaults
    catalog = dagbag.dags["bo_osc_alpha_catalog"]
    with pytest.raises(Exception, match="entities"):
        process_params(catalog, catalog.tasks[0], {"entities": ["nope"]}, suppress_exception=False)


def test_dag_settings_read_once_are_airflows_configured_ones(tenants_file, monkeypatch):
    """The factory reads the configuration's DAG defaults once per parse (``_configured``):
    every DAG still gets what the configuration says, and a changed value counts at once."""
    from airflow.sdk.configuration import conf

    from bo_oscommerce.dag_factory import build_all

    monkeypatch.setenv("AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG", "7")
    monkeypatch.setenv("AIRFLOW__CORE__MAX_CONSECUTIVE_FAILED_DAG_RUNS_PER_DAG", "5")
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DISABLE_BUNDLE_VERSIONING", "True")
    assert conf.getint("core", "max_active_tasks_per_dag") == 7
    dags = build_all()
    for dag in dags.values():
        if dag.dag_id.startswith(("bo_osc_alpha_", "bo_osc_beta_")):
            assert (dag.max_active_tasks, dag.max_consecutive_failed_dag_runs,
                    dag.disable_bundle_versioning) == (7, 5, True), dag.dag_id  # fmt: skip
    monkeypatch.setenv("AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG", "9")
    assert build_all()["bo_osc_alpha_stock"].max_active_tasks == 9
