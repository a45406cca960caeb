"""The catalog and stock DAGs run end to end with ``dag.test()``: SQLite BO, MariaDB shop."""

from __future__ import annotations

import json
import runpy
from decimal import Decimal

import pytest
import sqlalchemy as sa
from tests.dags.conftest import DAG_FILE

from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = [pytest.mark.dags, pytest.mark.integration]


@pytest.fixture
def tenant_env(tmp_path, monkeypatch, tenants_file, upstream_shop, airflow_db):
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    generate(bo, articles=80)
    with bo.begin() as conn:  # upstream shops have tax class 1 only
        conn.execute(
            sa.text("UPDATE umsatzsteuer SET osc_tax_class_id = 1 WHERE ust_schluessel = '2'")
        )
    monkeypatch.setenv("AIRFLOW_CONN_BO_ALPHA", f"sqlite:///{bo_path}")
    monkeypatch.setenv(
        "AIRFLOW_CONN_SHOP_ALPHA", f"mysql://root@127.0.0.1:3306/{upstream_shop.database}"
    )
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    engine_for.cache_clear()
    yield bo, upstream_shop.engine, tmp_path / "reports"
    engine_for.cache_clear()
    bo.dispose()


def run(dag_id: str, conf: dict):
    dag = runpy.run_path(str(DAG_FILE))[dag_id]
    return dag.test(run_conf=conf)


def folder(reports, dag_id: str, run_id: str):
    return next((reports / "alpha" / dag_id).glob(run_id.replace(":", "_").replace("+", "_")))


def summaries(reports, dag_id: str, run_id: str) -> dict[str, dict]:
    return {
        p.stem.removeprefix("summary_"): json.loads(p.read_text())
        for p in folder(reports, dag_id, run_id).glob("summary_*.json")
    }


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_catalog_dag_full_then_unchanged(tenant_env):
    bo, shop, reports = tenant_env
    first = run("bo_osc_alpha_catalog", {"mode": "full"})
    assert str(first.state) == "success", states(first)
    counts = summaries(reports, "bo_osc_alpha_catalog", first.run_id)
    assert counts["products"]["inserted"] > 60
    assert counts["products"]["set_aside"] == 7  # the dirty demo rows
    assert counts["products"]["kept_out"] == 1  # an article of the offline group WG500
    with shop.connect() as conn:
        in_shop = conn.execute(
            sa.text("SELECT COUNT(*) FROM products WHERE products_id > 28")
        ).scalar()
    with bo.connect() as conn:
        with_id = conn.execute(
            sa.text("SELECT COUNT(*) FROM artikel WHERE osc_products_id > 28")
        ).scalar()
    assert in_shop == with_id == counts["products"]["inserted"]  # upstream ships products 1..28
    # date_added is the run's time on the shop's wall clock (Europe/Berlin), not UTC
    from zoneinfo import ZoneInfo

    with shop.connect() as conn:
        added = conn.execute(sa.text("SELECT MAX(products_date_added) FROM products")).scalar()
    berlin = first.run_after.astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    assert added == berlin.replace(microsecond=0)
    second = run("bo_osc_alpha_catalog", {"mode": "incremental"})
    assert str(second.state) == "success", states(second)
    again = summaries(reports, "bo_osc_alpha_catalog", second.run_id)
    for entity in ("categories", "products", "stock"):
        assert again[entity]["inserted"] == again[entity]["updated"] == 0, again[entity]


def test_entities_param_runs_only_the_chosen_ones(tenant_env):
    bo, shop, reports = tenant_env
    dag_run = run("bo_osc_alpha_catalog", {"entities": ["categories"], "mode": "full"})
    assert str(dag_run.state) == "success"
    got = states(dag_run)
    assert got["categories"] == "success"
    assert got["products"] == got["stock"] == "skipped"
    assert got["report"] == "success"
    with bo.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT COUNT(*) FROM warengruppe WHERE osc_categories_id IS NOT NULL")
            ).scalar()
            > 0
        )
        assert (
            conn.execute(
                sa.text("SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")
            ).scalar()
            == 0
        )


def test_no_entities_is_a_connection_test_that_reads_and_writes_nothing(tenant_env):
    """The console's "Test connection": a catalog run with ``entities: []``."""
    bo, shop, reports = tenant_env
    with shop.connect() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*), MAX(products_last_modified) FROM products")).one()
    dag_run = run("bo_osc_alpha_catalog", {"entities": []})
    assert str(dag_run.state) == "success", states(dag_run)
    got = states(dag_run)
    assert got["check_connections"] == got["extract"] == got["report"] == "success"
    assert got["categories"] == got["products"] == got["stock"] == "skipped"
    assert summaries(reports, "bo_osc_alpha_catalog", dag_run.run_id) == {}
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        extracted = session.scalars(
            sa.select(XComModel.value).where(
                XComModel.dag_id == dag_run.dag_id, XComModel.run_id == dag_run.run_id,
                XComModel.task_id == "extract", XComModel.key == "return_value",
            )
        ).one()
    value = json.loads(extracted) if isinstance(extracted, str) else extracted
    assert value == {"paths": {}, "counts": {}}  # BO's catalog was not read
    with shop.connect() as conn:
        after = conn.execute(sa.text("SELECT COUNT(*), MAX(products_last_modified) FROM products")).one()
    assert tuple(after) == tuple(before)
    with bo.connect() as conn:
        linked = conn.execute(sa.text("SELECT COUNT(*) FROM warengruppe WHERE osc_categories_id IS NOT NULL")).scalar()
    assert linked == 0


def test_stock_dag(tenant_env):
    bo, shop, reports = tenant_env
    assert str(run("bo_osc_alpha_catalog", {"mode": "full"}).state) == "success"
    with bo.begin() as conn:
        nr = conn.execute(
            sa.text(
                "SELECT artikel_nr FROM artikel WHERE osc_products_id IS NOT NULL ORDER BY artikel_nr LIMIT 1"
            )
        ).scalar()
        conn.execute(
            sa.text("UPDATE lagerbestand SET bestand = 500, reserviert = 0 WHERE artikel_nr = :n"),
            {"n": nr},
        )
        pid = conn.execute(
            sa.text("SELECT osc_products_id FROM artikel WHERE artikel_nr = :n"), {"n": nr}
        ).scalar()
        warehouses = conn.execute(
            sa.text("SELECT COUNT(*) FROM lagerbestand WHERE artikel_nr = :n"), {"n": nr}
        ).scalar()
    dag_run = run("bo_osc_alpha_stock", {"mode": "incremental"})
    assert str(dag_run.state) == "success", states(dag_run)
    assert summaries(reports, "bo_osc_alpha_stock", dag_run.run_id)["stock"]["updated"] == 1
    with shop.connect() as conn:
        qty = conn.execute(
            sa.text("SELECT products_quantity FROM products WHERE products_id = :p"), {"p": pid}
        ).scalar()
    assert qty == 500 * warehouses


def test_failing_connection_test_stops_the_run(tenant_env, monkeypatch):
    bo, shop, reports = tenant_env
    monkeypatch.setenv(
        "AIRFLOW_CONN_SHOP_ALPHA", "mysql://root:not-the-password@127.0.0.1:3306/no_such_shop"
    )
    engine_for.cache_clear()
    dag_run = run("bo_osc_alpha_catalog", {"mode": "full"})
    got = states(dag_run)
    assert str(dag_run.state) == "failed"
    assert got["check_connections"] == "failed"
    assert got["extract"] == "upstream_failed"
    with bo.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT COUNT(*) FROM warengruppe WHERE osc_categories_id IS NOT NULL")
            ).scalar()
            == 0
        )


def test_reset_dag_needs_confirmation_then_clears_ids_and_next_run_matches_again(tenant_env):
    bo, shop, reports = tenant_env
    assert str(run("bo_osc_alpha_catalog", {"mode": "full"}).state) == "success"
    with bo.connect() as conn:
        ids_before = dict(conn.execute(sa.text("SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL")).all())

    refused = run("bo_osc_alpha_reset", {"scope": "everything", "confirm": "beta"})
    assert str(refused.state) == "failed"
    with bo.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")).scalar() == len(ids_before)

    everything = run("bo_osc_alpha_reset", {"scope": "everything", "confirm": "alpha"})
    assert str(everything.state) == "success"
    cleared = json.loads((folder(reports, "bo_osc_alpha_reset", everything.run_id) / "reset.json").read_text())
    assert cleared["cleared"]["articles"] == len(ids_before)
    with bo.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL OR osc_abgleich_stand IS NOT NULL")).scalar() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM warengruppe WHERE osc_categories_id IS NOT NULL")).scalar() == 0
    with shop.connect() as conn:
        products_before = conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar()

    again = run("bo_osc_alpha_catalog", {"mode": "incremental"})
    assert str(again.state) == "success"
    counts = summaries(reports, "bo_osc_alpha_catalog", again.run_id)
    assert counts["products"]["inserted"] == 0 and counts["categories"]["inserted"] == 0
    with bo.connect() as conn:
        ids_after = dict(conn.execute(sa.text("SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL")).all())
    with shop.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar() == products_before
    assert ids_after == ids_before


def test_reset_dag_resets_one_article_and_syncs_just_it(tenant_env):
    bo, shop, reports = tenant_env
    assert str(run("bo_osc_alpha_catalog", {"mode": "full"}).state) == "success"
    with bo.connect() as conn:
        linked = dict(conn.execute(sa.text("SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL ORDER BY 1")).all())
    nr, pid = next(iter(linked.items()))
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE products SET products_price = 0.01 WHERE products_id = :p"), {"p": pid})

    unknown = run("bo_osc_alpha_reset", {"scope": "article", "key": "NOPE"})
    assert str(unknown.state) == "failed"
    stop = json.loads((folder(reports, "bo_osc_alpha_reset", unknown.run_id) / "stopped" / "reset.json").read_text())
    assert "BO has no article 'NOPE'" in stop["error"]

    one = run("bo_osc_alpha_reset", {"scope": "article", "key": nr})
    assert str(one.state) == "success", states(one)
    out = folder(reports, "bo_osc_alpha_reset", one.run_id)
    reset = json.loads((out / "reset.json").read_text())
    assert reset["scope"] == "article" and reset["key"] == nr and reset["cleared"]["osc_id"] == str(pid)
    products = json.loads((out / "summary_products.json").read_text())
    assert products["extracted"] == 1 and products["updated"] == 1
    with shop.connect() as conn:
        assert conn.execute(sa.text("SELECT products_price FROM products WHERE products_id = :p"), {"p": pid}).scalar() != Decimal("0.0100")
    with bo.connect() as conn:
        after = dict(conn.execute(sa.text("SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL ORDER BY 1")).all())
    assert after == linked
    page = (out / "report.html").read_text()
    assert f"Reset: article {nr}" in page and f"<td>osc_id</td><td>{pid}</td>" in page
