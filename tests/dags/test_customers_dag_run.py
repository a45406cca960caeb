"""The customers DAG end to end with ``dag.test()``: SQLite BO, the shop-with-orders shop."""

from __future__ import annotations

import json
import runpy

import pytest
import sqlalchemy as sa
from tests.dags.conftest import DAG_FILE

from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = [pytest.mark.dags, pytest.mark.integration]


@pytest.fixture
def tenant_env(tmp_path, monkeypatch, tenants_file, orders_shop, airflow_db):
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    generate(bo, articles=120)
    monkeypatch.setenv("AIRFLOW_CONN_BO_ALPHA", f"sqlite:///{bo_path}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_ALPHA", f"mysql://root@127.0.0.1:3306/{orders_shop.database}")
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    engine_for.cache_clear()
    yield bo, orders_shop.engine, tmp_path / "reports"
    engine_for.cache_clear()
    bo.dispose()


def run(conf: dict):
    dag = runpy.run_path(str(DAG_FILE))["bo_osc_alpha_customers"]
    return dag.test(run_conf=conf)


def summary(reports, dag_run, entity: str) -> dict:
    folder = next((reports / "alpha" / "bo_osc_alpha_customers").glob(
        dag_run.run_id.replace(":", "_").replace("+", "_")))
    return json.loads((folder / f"summary_{entity}.json").read_text())


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_customers_dag_both_ways_then_one_direction(tenant_env):
    bo, shop, reports = tenant_env
    first = run({"direction": "both", "mode": "incremental"})
    assert str(first.state) == "success", states(first)
    assert summary(reports, first, "new_contacts")["inserted"] == 4
    assert summary(reports, first, "customers")["inserted"] > 10
    with bo.connect() as conn:
        assert conn.execute(sa.text("SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 2")).scalar() == 4
    only_from = run({"direction": "from_shop", "mode": "full"})
    got = states(only_from)
    assert got["to_shop"] == "skipped" and got["from_shop"] == "success"
    assert summary(reports, only_from, "new_contacts")["inserted"] == 0
