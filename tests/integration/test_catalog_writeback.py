"""Write-back failures: a BO user that may read but not update. The connection test says so
before anything is written; a write-back that fails after the shop commit is reported with
what to fix, and the next run heals it without duplicates."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from tests.integration.conftest import bo_fingerprint, fingerprint, scalar, settings, sync

from bo_oscommerce.connection_test import check_tenant
from bo_oscommerce.connections import Endpoint, create_engine_for, engine_for

pytestmark = pytest.mark.integration

PASSWORD = "Rd-" + uuid.uuid4().hex[:10]


@pytest.fixture
def reader(bo_mariadb, mariadb_server):
    """A MariaDB account that may only SELECT in the BO database; ``grant()`` lets it write."""
    database = bo_mariadb.url.database
    user = "bo_" + uuid.uuid4().hex[:8]
    hosts = ("%", "127.0.0.1", "localhost")
    with mariadb_server.engine.connect() as conn:
        for host in hosts:
            conn.execute(sa.text(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{PASSWORD}'"))
            conn.execute(sa.text(f"GRANT SELECT ON `{database}`.* TO '{user}'@'{host}'"))

    def grant() -> None:
        with mariadb_server.engine.connect() as conn:
            for host in hosts:
                conn.execute(
                    sa.text(f"GRANT INSERT, UPDATE, DELETE ON `{database}`.* TO '{user}'@'{host}'")
                )

    url = sa.make_url(
        f"mysql+pymysql://{user}:{PASSWORD}@127.0.0.1:3306/{database}?charset=utf8mb4"
    )
    engine = create_engine_for(Endpoint("bo_it", url))
    yield user, engine, grant
    engine.dispose()
    with mariadb_server.engine.connect() as conn:
        for host in hosts:
            conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'{host}'"))


def test_connection_test_refuses_a_bo_user_that_cannot_write(reader, flavoured_shop, monkeypatch):
    user, engine, grant = reader
    database = engine.url.database
    monkeypatch.setenv("AIRFLOW_CONN_BO_RO", f"mysql://{user}:{PASSWORD}@127.0.0.1:3306/{database}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_RO", f"mysql://root@127.0.0.1:3306/{flavoured_shop.database}")
    engine_for.cache_clear()
    tenant = settings(bo_conn_id="bo_ro", shop_conn_id="shop_ro")
    try:
        result = check_tenant(tenant)
        assert not result.ok
        refused = [p for p in result.problems if "write-back include/sql/bo/" in p]
        assert any("writeback_artikel.sql is refused" in p for p in refused)
        assert all("MySQL error 1142" in p and "GRANT" in p for p in refused)
        assert f"BO connection 'bo_ro' (127.0.0.1:3306/{database})" in refused[0]
        assert PASSWORD not in result.message
        before = bo_fingerprint(engine)
        grant()
        engine_for.cache_clear()
        result = check_tenant(tenant)
        assert result.ok, result.message
        assert "write-back statements accepted (rolled back)" in result.message
        assert bo_fingerprint(engine) == before  # the probes changed nothing
    finally:
        engine_for.cache_clear()


def test_a_refused_write_back_is_reported_and_healed_by_the_next_run(
    reader, flavoured_shop, staging
):
    user, bo, grant = reader
    shop = flavoured_shop.engine
    upstream_products = scalar(shop, "SELECT COUNT(*) FROM products")
    reports = sync(bo, shop, full=True, key="refused")
    for entity in ("categories", "products"):
        failed = reports[entity].failed
        assert failed.startswith(f"tenant 'it' {entity}: the shop has this run's rows, but BO refused")
        assert "MySQL error 1142" in failed and "nothing is created twice" in failed
        assert PASSWORD not in failed
    created = scalar(shop, "SELECT COUNT(*) FROM products") - upstream_products
    assert created == reports["products"].inserted > 100
    assert scalar(bo, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL") == 0
    shop_rows = fingerprint(shop)

    grant()
    bo.dispose()  # database privileges apply to new connections (a new task process has them)
    healed = sync(bo, shop, key="healed")  # incremental: every article is still unsynced
    assert healed["products"].inserted == healed["categories"].inserted == 0
    assert healed["products"].failed is None
    assert scalar(shop, "SELECT COUNT(*) FROM products") - upstream_products == created
    linked = scalar(bo, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")
    assert linked == created
    assert fingerprint(shop) == shop_rows
    after = bo_fingerprint(bo)
    again = sync(bo, shop, key="again")
    assert all(r.written_back == 0 for r in again.values())
    assert bo_fingerprint(bo) == after


def test_a_write_back_refused_mid_catalog_stops_after_the_chunk_in_flight(reader, flavoured_shop, staging):
    """In chunks a chunk's write-back runs while the next chunk loads: when BO refuses it,
    the step stops after that next chunk; every product in the shop is linked by the next
    run, none twice, and the rest of the catalog follows."""
    user, bo, grant = reader
    shop = flavoured_shop.engine
    own = scalar(shop, "SELECT COUNT(*) FROM products")
    small = settings(catalog_chunk_rows=100)  # 120 articles with their texts: several chunks
    refused = sync(bo, shop, full=True, key="refused", tenant=small)["products"]
    assert refused.failed and "BO refused" in refused.failed
    assert "done in 2 chunks" in " ".join(refused.notes)  # the refused chunk and the one in flight
    created = scalar(shop, "SELECT COUNT(*) FROM products") - own
    assert 0 < created == refused.inserted
    grant()
    bo.dispose()
    healed = sync(bo, shop, key="healed", tenant=small)["products"]
    assert healed.failed is None and healed.inserted > 0  # the rest of the catalog
    web = scalar(bo, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")
    assert web == scalar(shop, "SELECT COUNT(*) FROM products") - own == created + healed.inserted
    models = "SELECT COUNT(*) FROM products p JOIN (SELECT products_model FROM products GROUP BY 1 HAVING COUNT(*) > 1) d ON d.products_model = p.products_model WHERE p.products_model LIKE 'A-%'"
    assert scalar(shop, models) == 0


def test_a_load_that_fails_mid_catalog_loads_no_chunk_after_it(
    bo_mariadb, flavoured_shop, staging, monkeypatch
):
    """In chunks the next chunk waits in the loading thread while one loads: when a load
    raises, the step fails and no chunk queued behind it reaches the shop; the next run syncs
    the whole catalog once."""
    from bo_oscommerce.sync import products

    shop = flavoured_shop.engine
    own = scalar(shop, "SELECT COUNT(*) FROM products")
    small = settings(catalog_chunk_rows=100)  # 120 articles with their texts: several chunks
    real, calls = products.load_products, []

    def first_load_fails(*args, **kwargs):
        calls.append(len(args[1]))
        if len(calls) == 1:
            time.sleep(0.5)  # the next chunk is built and waits in the thread meanwhile
            raise RuntimeError("the shop went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(products, "load_products", first_load_fails)
    with pytest.raises(RuntimeError, match="the shop went away"):
        sync(bo_mariadb, shop, full=True, key="broken", tenant=small)
    assert len(calls) == 1  # no chunk after the failed one was loaded
    assert scalar(shop, "SELECT COUNT(*) FROM products") == own
    monkeypatch.setattr(products, "load_products", real)
    healed = sync(bo_mariadb, shop, full=True, key="healed", tenant=small)["products"]
    assert healed.failed is None and healed.inserted > 0 and len(calls) == 1
    linked = scalar(bo_mariadb, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")
    assert linked == scalar(shop, "SELECT COUNT(*) FROM products") - own == healed.inserted


def test_ids_go_into_bo_while_the_shop_inserts_and_stay_out_when_the_shop_load_fails(
    bo_mariadb, flavoured_shop, staging, monkeypatch
):
    """The products' write-back starts once the load knows the new ids, while the shop still
    takes the new rows, and BO commits only after the shop: a load that fails in those
    inserts, after BO ran its statements, leaves no id or link in BO and no product in the
    shop; the next run syncs the catalog once."""
    from bo_oscommerce.shop import dialect
    from bo_oscommerce.sync import writeback

    shop = flavoured_shop.engine
    own = scalar(shop, "SELECT COUNT(*) FROM products")
    real_write, real_insert = writeback.write, dialect.MySQL._insert_frame
    ids_written = threading.Event()
    order: list[str] = []

    def write(conn, fields, rows):
        written = real_write(conn, fields, rows)
        if str(fields.statement) == "writeback_artikel":
            order.append("BO took the products' ids")
            ids_written.set()
        return written

    def insert(self, conn, table, frame):
        if table.name == "products_description":
            assert ids_written.wait(30), "the write-back did not start before the inserts"
            order.append("the shop failed")
            raise RuntimeError("the shop went away")
        return real_insert(self, conn, table, frame)

    monkeypatch.setattr(writeback, "write", write)
    monkeypatch.setattr(dialect.MySQL, "_insert_frame", insert)
    with pytest.raises(RuntimeError, match="the shop went away"):
        sync(bo_mariadb, shop, full=True, key="broken")
    assert order == ["BO took the products' ids", "the shop failed"]
    assert scalar(shop, "SELECT COUNT(*) FROM products") == own
    assert scalar(bo_mariadb, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL") == 0
    bound = "SELECT COUNT(*) FROM osc_bindung WHERE entitaet = 'products'"
    assert scalar(bo_mariadb, bound) == 0

    monkeypatch.undo()
    healed = sync(bo_mariadb, shop, full=True, key="healed")["products"]
    assert healed.failed is None and healed.inserted > 100
    linked = scalar(bo_mariadb, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL")
    assert linked == scalar(shop, "SELECT COUNT(*) FROM products") - own == healed.inserted
    assert scalar(bo_mariadb, bound) == healed.inserted
