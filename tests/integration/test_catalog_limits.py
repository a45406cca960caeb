"""Checks derived from the shop's real columns: no single row can fail a shop transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows, scalar, sync, touch

pytestmark = pytest.mark.integration


def test_one_heavy_article_is_set_aside_alone_and_the_rest_loads(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    touch(bo, "UPDATE artikel SET gewicht = 1000, geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    touch(bo, "UPDATE artikel SET gewicht = 999.99, geaendert_am = :t WHERE artikel_nr = 'A-000003'")
    reports = sync(bo, shop, full=True)
    products = reports["products"]
    rejected = products.set_aside.set_index("key")
    assert rejected.loc["A-000002", "reason"] == (
        "weight does not fit the shop's products.products_weight decimal(5,2): -999.99 to 999.99"
    )
    assert rejected.loc["A-000002", "value"] == "1000.0"
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = 'A-000002'") == 0
    assert str(scalar(shop, "SELECT products_weight FROM products WHERE products_model = 'A-000003'")) == "999.99"
    assert products.inserted > 100


def test_the_shops_own_widened_column_is_what_counts(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    with shop.begin() as conn:  # the merchant sells garden sheds
        conn.execute(sa.text("ALTER TABLE products MODIFY products_weight DECIMAL(8,2) NOT NULL"))
    touch(bo, "UPDATE artikel SET gewicht = 1250.5, geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    sync(bo, shop, full=True)
    assert str(scalar(shop, "SELECT products_weight FROM products WHERE products_model = 'A-000002'")) == "1250.50"


def test_a_sort_order_of_1000_keeps_the_group_and_its_subtree(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine  # SQLite: BO holds what the shop cannot
    touch(bo, "UPDATE warengruppe SET sortierung = 1000, geaendert_am = :t WHERE warengruppe_nr = 'WG110'")
    reports = sync(bo, shop, full=True)
    assert not {"WG110", "WG111", "WG112"} & set(reports["categories"].set_aside["key"])
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG110'")
    assert scalar(shop, "SELECT sort_order FROM categories WHERE categories_id = :c", c=cid) == 1000
    # and a value the int column cannot hold is set aside, alone with its subtree
    touch(bo, "UPDATE warengruppe SET sortierung = 2147483648, geaendert_am = :t WHERE warengruppe_nr = 'WG130'")
    report = sync(bo, shop, key="second")["categories"]
    reasons = report.set_aside.set_index("key")["reason"]
    assert reasons["WG130"] == (
        "sort order does not fit the shop's categories.sort_order int: -2147483648 to 2147483647"
    )


def test_values_just_over_each_limit_never_fail_the_load(bo_sqlite, upstream_shop, staging):
    """Every column the sync writes, one row just over its limit each: every bad row is set
    aside or cleaned, all others load, in one transaction that does not fail."""
    bo, shop = bo_sqlite, upstream_shop.engine
    over = {
        "A-000002": "gewicht = 1000",
        "A-000003": "ladenpreis = 119000000000000",  # net 1e14 > decimal(15,4)
        "A-000009": "bildpfad = '" + "b" * 65 + "'",
        "A-000005": "master_id = 'M'",  # no master column in this shop: not written
    }
    for nr, assignment in over.items():
        touch(bo, f"UPDATE artikel SET {assignment}, geaendert_am = :t WHERE artikel_nr = :n", n=nr)
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE artikel_text SET bezeichnung = :v WHERE artikel_nr = 'A-000006' AND sprache = 'D'"),
                     {"v": "N" * 65})
        conn.execute(sa.text("UPDATE artikel_text SET internettext = :v WHERE artikel_nr = 'A-000007' AND sprache = 'D'"),
                     {"v": "ü" * 32768})  # 65 536 bytes > TEXT
        conn.execute(sa.text("UPDATE lagerbestand SET bestand = 2147483648, reserviert = 0 WHERE artikel_nr = 'A-000008'"))
        conn.execute(sa.text("INSERT INTO artikel (artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, "
                             "ladenpreis, im_web, web_sichtbar, geaendert_am) VALUES "
                             "('M23456789012', 'Zwölf', 'WG111', '1', 1, 1, 1, :t), "
                             "('M234567890123', 'Dreizehn', 'WG111', '1', 1, 1, 1, :t)"), {"t": "2026-11-02"})
        conn.execute(sa.text("UPDATE warengruppe_text SET bezeichnung = :v WHERE warengruppe_nr = 'WG410' AND sprache = 'D'"),
                     {"v": "K" * 33})
    reports = sync(bo, shop, full=True)
    products = reports["products"]
    aside = set(products.set_aside["key"])
    assert {"A-000002", "A-000003", "A-000009", "M234567890123"} <= aside
    assert not {"A-000005", "A-000006", "A-000007", "A-000008", "M23456789012"} & aside
    cleaned = products.cleaned
    assert "A-000006" in cleaned["products_name cut to 64 characters"]
    assert cleaned["products_description cut to 65535 bytes"] == ["A-000007"]
    assert "A-000008" in cleaned["stock above the shop's maximum sent as 2147483647"]
    assert reports["categories"].cleaned["categories_name cut to 32 characters"] == ["WG340", "WG410"]
    text = ("SELECT d.products_name, LENGTH(d.products_description), p.products_quantity FROM products p "
            "JOIN products_description d ON d.products_id = p.products_id AND d.language_id = 2 "
            "WHERE p.products_model = :m")
    assert rows(shop, text, m="A-000006")[0][0] == "N" * 64
    assert rows(shop, text, m="A-000007")[0][1] == 65534  # cut at the character boundary
    assert rows(shop, text, m="A-000008")[0][2] == 2147483647
