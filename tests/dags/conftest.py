"""DAG tests: a tenants file of our own (the metadata DB is ``airflow_db`` in tests/conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILE = REPO / "dags" / "bo_oscommerce_dags.py"

TENANTS_YAML = """
defaults:
  price_source: shop
  price_includes_vat: true
tenants:
  alpha:
    bo_conn_id: bo_alpha
    shop_conn_id: shop_alpha
  beta:
    name: Beta KG
    bo_conn_id: bo_beta
    shop_conn_id: shop_beta
    stock_source: total
    schedules: {catalog: "0 3 * * *", stock: "*/5 * * * *"}
  broken:
    bo_conn_id: bo_broken
    shop_conn_id: shop_broken
    price_source: cheapest
  sleeping:
    active: false
    bo_conn_id: bo_sleeping
    shop_conn_id: shop_sleeping
"""


@pytest.fixture
def tenants_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(TENANTS_YAML)
    monkeypatch.setenv("BO_OSC_TENANTS_FILE", str(path))
    return path
