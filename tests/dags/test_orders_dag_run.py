"""The orders DAG end to end with ``dag.test()``: SQLite BO, the shop-with-orders shop."""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.dags.conftest import DAG_FILE
from tests.integration.conftest import make_phoenix_bo

from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = [pytest.mark.dags, pytest.mark.integration]


def alpha_on(tmp_path, monkeypatch, shop, make_bo) -> Iterator[tuple]:
    """Tenant alpha on a SQLite BO filled by ``make_bo`` and the MariaDB ``shop``."""
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    make_bo(bo)
    monkeypatch.setenv("AIRFLOW_CONN_BO_ALPHA", f"sqlite:///{bo_path}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_ALPHA", f"mysql://root@127.0.0.1:3306/{shop.database}")
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    engine_for.cache_clear()
    yield bo, shop.engine, tmp_path / "reports"
    engine_for.cache_clear()
    bo.dispose()


def demo_bo(bo: sa.Engine) -> None:
    create_reference_schema(bo)
    generate(bo, articles=120)


@pytest.fixture
def tenant_env(tmp_path, monkeypatch, tenants_file, orders_shop, airflow_db):
    yield from alpha_on(tmp_path, monkeypatch, orders_shop, demo_bo)


def run(conf: dict):
    dag = runpy.run_path(str(DAG_FILE))["bo_osc_alpha_orders"]
    return dag.test(run_conf=conf)


def folder(reports, dag_run):
    return next((reports / "alpha" / "bo_osc_alpha_orders").glob(
        dag_run.run_id.replace(":", "_").replace("+", "_")))


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_orders_dag_counts_imports_and_reports_processing(tenant_env):
    bo, shop, reports = tenant_env
    only_import = run({"criteria": ["import"]})
    got = states(only_import)
    assert str(only_import.state) == "success", got
    assert got["processing"] == got["delivered"] == "skipped"
    out = folder(reports, only_import)
    assert json.loads((out / "new_orders.json").read_text())["waiting"] == 7
    assert json.loads((out / "summary_orders.json").read_text())["inserted"] == 7
    with shop.connect() as conn:
        assert conn.execute(sa.text("SELECT DISTINCT orders_status FROM orders")).all() == [(1,)]
    everything = run({"criteria": ["import", "processing", "delivered"]})
    assert str(everything.state) == "success", states(everything)
    out = folder(reports, everything)
    assert json.loads((out / "new_orders.json").read_text())["waiting"] == 0
    assert json.loads((out / "summary_status_processing.json").read_text())["updated"] == 7
    reconciliation = json.loads((out / "reconciliation.json").read_text())
    assert reconciliation["orders_missing_in_bo"] == []
    with shop.connect() as conn:
        assert conn.execute(sa.text("SELECT DISTINCT orders_status FROM orders")).all() == [(2,)]


@pytest.fixture
def phoenix_env(tmp_path, monkeypatch, tenants_file, phoenix_orders_shop, airflow_db):
    """The same tenant on CE Phoenix Cart 1.1.0.6's own orders (shop-phoenix-with-orders.sql)."""
    yield from alpha_on(tmp_path, monkeypatch, phoenix_orders_shop, make_phoenix_bo)


def test_the_orders_dag_on_a_phoenix_shop_unchanged_tenant(phoenix_env):
    """No setting says Phoenix: the DAG finds it, imports its six orders and reports Processing."""
    bo, shop, reports = phoenix_env
    dag_run = run({"criteria": ["import", "processing"]})
    assert str(dag_run.state) == "success", states(dag_run)
    out = folder(reports, dag_run)
    summary = json.loads((out / "summary_orders.json").read_text())
    assert (summary["inserted"], summary["shop"]) == (6, "CE Phoenix Cart 1.1")
    with bo.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM auftrag")).scalar() == 6
    with shop.connect() as conn:
        assert conn.execute(sa.text("SELECT DISTINCT orders_status FROM orders")).all() == [(2,)]
