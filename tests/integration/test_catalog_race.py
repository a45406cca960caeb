"""Catalog and stock runs of one tenant never write stale quantities over fresh ones."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import RUN_AT, scalar, settings, sync

from bo_oscommerce.sync.categories import sync_categories
from bo_oscommerce.sync.products import sync_products
from bo_oscommerce.sync.run import Run, extract
from bo_oscommerce.sync.stock import sync_stock

pytestmark = pytest.mark.integration


def set_stock(bo, nr: str, bestand: int) -> None:
    with bo.begin() as conn:
        conn.execute(sa.text("DELETE FROM lagerbestand WHERE artikel_nr = :n AND lager_nr <> 'HL'"), {"n": nr})
        conn.execute(
            sa.text("UPDATE lagerbestand SET bestand = :b, reserviert = 0 WHERE artikel_nr = :n"),
            {"b": bestand, "n": nr},
        )


def test_a_stock_run_between_catalog_extract_and_catalog_stock_step_wins(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'A-000002'")
    set_stock(bo, "A-000002", 11)
    catalog = Run(settings(), bo, shop, "catalog/run", RUN_AT)
    paths = extract(catalog)["paths"]  # the catalog run starts: its extract holds 11
    sync_categories(catalog, paths)
    sync_products(catalog, paths)

    set_stock(bo, "A-000002", 7)  # sold in the store meanwhile; the stock DAG runs
    stock_run = Run(settings(), bo, shop, "stock/run", RUN_AT)
    assert sync_stock(stock_run).updated == 1
    assert scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 7

    report = sync_stock(catalog)  # the catalog run's own stock step comes last
    assert report.updated == 0
    assert scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 7
    assert scalar(bo, "SELECT osc_menge FROM artikel WHERE artikel_nr = 'A-000002'") == 7


def test_a_product_created_by_the_catalog_run_gets_the_fresh_quantity(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    with bo.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO artikel (artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, ladenpreis, "
            "im_web, web_sichtbar, geaendert_am) VALUES ('N-1', 'Neu', 'WG111', '1', 5, 1, 1, :t)"
        ), {"t": RUN_AT})
        conn.execute(sa.text(
            "INSERT INTO lagerbestand (artikel_nr, lager_nr, bestand, reserviert, geaendert_am) "
            "VALUES ('N-1', 'HL', 20, 0, :t)"
        ), {"t": RUN_AT})
    catalog = Run(settings(), bo, shop, "catalog/run", RUN_AT)
    paths = extract(catalog)["paths"]
    sync_categories(catalog, paths)
    set_stock(bo, "N-1", 3)  # changes after the extract, before the product is created
    sync_products(catalog, paths)
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'N-1'")
    assert scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 20
    assert sync_stock(catalog).updated == 1
    assert scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 3
