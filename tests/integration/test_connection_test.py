"""Verbindung testen against real databases: every failure names tenant, connection, place and
fix, and no message ever holds the password."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from bo_oscommerce.config import parse_config
from bo_oscommerce.connection_test import check_tenant
from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = pytest.mark.integration

PASSWORD = "S3cret-Pw-" + uuid.uuid4().hex[:8]


@pytest.fixture
def shop_user(upstream_shop, mariadb_server):
    """A MariaDB account with a password, allowed on the test shop only."""
    user = "osc_" + uuid.uuid4().hex[:8]
    with mariadb_server.engine.connect() as conn:
        conn.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}'"))
        conn.execute(sa.text(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'"))
        for host in ("%", "127.0.0.1"):
            conn.execute(sa.text(f"GRANT ALL ON `{upstream_shop.database}`.* TO '{user}'@'{host}'"))
    yield user
    with mariadb_server.engine.connect() as conn:
        for host in ("%", "127.0.0.1"):
            conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'{host}'"))


@pytest.fixture
def tenant(tmp_path, monkeypatch, upstream_shop, shop_user):
    bo_path = tmp_path / "bo.db"
    create_reference_schema(sa.create_engine(f"sqlite:///{bo_path}"))
    conn_id = "ct_" + uuid.uuid4().hex[:6]
    monkeypatch.setenv(f"AIRFLOW_CONN_BO_{conn_id.upper()}", f"sqlite:///{bo_path}")

    def make(password=PASSWORD, database=upstream_shop.database, bo_path=bo_path, **settings):
        engine_for.cache_clear()
        monkeypatch.setenv(f"AIRFLOW_CONN_BO_{conn_id.upper()}", f"sqlite:///{bo_path}")
        monkeypatch.setenv(f"AIRFLOW_CONN_SHOP_{conn_id.upper()}",
                           f"mysql://{shop_user}:{password}@127.0.0.1:3306/{database}")
        raw = {"bo_conn_id": f"bo_{conn_id}", "shop_conn_id": f"shop_{conn_id}", **settings}
        return parse_config({"tenants": {"shop_a": raw}}).get("shop_a")

    yield make
    engine_for.cache_clear()


def test_passes_on_upstream_shop_with_german(tenant):
    result = check_tenant(tenant())
    assert result.ok, result.message
    assert PASSWORD not in result.message


def test_wrong_password_names_tenant_connection_and_fix_without_the_password(tenant):
    wrong = "Wr0ng-" + PASSWORD
    settings = tenant(password=wrong)
    result = check_tenant(settings)
    assert not result.ok and not result.transient
    assert "tenant 'shop_a'" in result.message
    assert settings.shop_conn_id in result.message
    assert "127.0.0.1:3306/" in result.message
    assert "login or password is wrong" in result.message
    assert wrong not in result.message and PASSWORD not in result.message


def test_unreachable_server_is_transient(tenant, monkeypatch):
    settings = tenant()
    monkeypatch.setenv(f"AIRFLOW_CONN_{settings.shop_conn_id.upper()}",
                       f"mysql://x:{PASSWORD}@127.0.0.1:1/shop")
    engine_for.cache_clear()
    result = check_tenant(settings)
    assert not result.ok and result.transient
    assert "nothing answers at host:port" in result.message


def test_missing_language_table_and_status_say_what_to_fix(tenant, upstream_shop):
    with upstream_shop.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE products_to_categories"))
        conn.execute(sa.text("ALTER TABLE products DROP COLUMN products_weight"))
    result = check_tenant(tenant(languages={"D": "de", "F": "fr"}, order_statuses={"delivered": 9}))
    text = result.message
    assert "table 'products_to_categories' is missing" in text
    assert "lacks columns ['products_weight']" in text
    assert "no language with code 'fr'" in text and "Localization > Languages" in text
    assert "order status 9 (delivered)" in text


def test_bo_without_reference_tables_names_the_sql_file(tenant, tmp_path):
    empty = tmp_path / "empty-bo.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    result = check_tenant(tenant(bo_path=empty))
    assert "include/sql/bo/extract_artikel.sql fails" in result.message
    assert "no such table" in result.message


def test_missing_sqlite_file_is_an_error_not_a_new_database(tenant, tmp_path):
    missing = tmp_path / "nowhere" / "bo.db"
    result = check_tenant(tenant(bo_path=missing))
    assert "cannot connect" in result.message
    assert not missing.exists()


def test_undefined_connection_tells_how_to_define_it(monkeypatch):
    engine_for.cache_clear()
    settings = parse_config({"tenants": {"t": {"bo_conn_id": "bo_nowhere_x", "shop_conn_id": "shop_nowhere_x"}}}).get("t")
    result = check_tenant(settings)
    assert "AIRFLOW_CONN_BO_NOWHERE_X" in result.message
    assert "AIRFLOW_CONN_SHOP_NOWHERE_X" in result.message


def test_a_preparing_status_among_the_tenants_statuses_fails(tenant, upstream_shop):
    with upstream_shop.engine.begin() as conn:  # PayPal's install adds its preparing status
        conn.execute(sa.text("INSERT INTO orders_status VALUES (5, 1, 'Preparing [PayPal Standard]', 0, 0)"))
    result = check_tenant(tenant(order_statuses={"pending": [1, 5]}))
    assert not result.ok
    assert any("order statuses [5] count as not yet a sale" in p for p in result.problems), result.message
    assert check_tenant(tenant(order_statuses={"pending": [1, 5]}, order_hold_statuses=[])).ok


def test_the_shop_flavour_is_found_from_the_schema_and_named(tenant, upstream_shop, phoenix_shop, monkeypatch):
    """A CE Phoenix Cart shop passes as itself (no products_viewed, its own tables); an
    osCommerce 2.3 shop is named as such; a Phoenix shop missing a column the sync writes
    still fails, with the flavour in the message."""
    settings = tenant()
    assert "shop flavour osCommerce 2.3, found from its schema" in check_tenant(settings).message
    monkeypatch.setenv(f"AIRFLOW_CONN_{settings.shop_conn_id.upper()}",
                       f"mysql://root@127.0.0.1:3306/{phoenix_shop.database}")
    engine_for.cache_clear()
    result = check_tenant(settings)
    assert result.ok, result.message
    assert "shop flavour CE Phoenix Cart 1.1, found from its schema" in result.message
    for mark in ("table hooks", "table customer_data_groups", "column customers.status",
                 "column orders.customers_country_id"):
        assert mark in result.message
    with phoenix_shop.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE customers DROP COLUMN customers_newsletter"))
    result = check_tenant(settings)
    assert not result.ok
    assert ("table 'customers' lacks columns ['customers_newsletter']: upgrade the shop schema "
            "to CE Phoenix Cart 1.1") in result.message
