"""Rows that leave BO leave the shop: hidden, never deleted (old orders reference products)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows, scalar, sync, touch

pytestmark = pytest.mark.integration

STATE = "SELECT products_status, products_quantity FROM products WHERE products_model = :m"


def test_an_article_deleted_in_bo_is_hidden_with_no_stock(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'A-000002'")
    assert rows(shop, STATE, m="A-000002")[0][0] == 1
    with bo.begin() as conn:
        for table in ("artikel_text", "lagerbestand", "artikel"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE artikel_nr = 'A-000002'"))
    report = sync(bo, shop, key="second")["products"]
    assert report.hidden_by_reason == {"article was deleted in BO": ["A-000002"]}
    assert rows(shop, STATE, m="A-000002") == [(0, 0)]
    assert scalar(shop, "SELECT COUNT(*) FROM products_description WHERE products_id = :p", p=pid) == 2
    assert scalar(bo, "SELECT COUNT(*) FROM osc_bindung WHERE bo_schluessel = 'A-000002'") == 0
    assert sync(bo, shop, key="third")["products"].hidden == 0


def test_an_article_set_aside_after_it_was_synced_stops_selling(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    touch(bo, "UPDATE artikel SET ladenpreis = NULL, geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    report = sync(bo, shop, key="second")["products"]
    assert "price is missing for the configured price source" in set(
        report.set_aside.loc[report.set_aside["key"] == "A-000002", "reason"]
    )
    assert report.hidden_by_reason == {
        "set aside after it was in the shop (see the set-aside reasons)": ["A-000002"]
    }
    assert rows(shop, STATE, m="A-000002")[0][0] == 0
    price = scalar(shop, "SELECT products_price FROM products WHERE products_model = 'A-000002'")
    # BO fixed: the next incremental run shows it again, at the new price
    touch(bo, "UPDATE artikel SET ladenpreis = 11.90, geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    report = sync(bo, shop, key="third")["products"]
    assert report.updated == 1
    assert rows(shop, STATE, m="A-000002")[0][0] == 1
    new_price = scalar(shop, "SELECT products_price FROM products WHERE products_model = 'A-000002'")
    assert (str(price), str(new_price)) == ("20.1597", "10.0000")


def test_a_deleted_text_falls_back_in_an_incremental_run(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    english = (
        "SELECT d.products_name, d.products_description FROM products p JOIN products_description d "
        "ON d.products_id = p.products_id WHERE p.products_model = 'A-000002' AND d.language_id = 1"
    )
    german = rows(bo, "SELECT bezeichnung, internettext FROM artikel_text WHERE artikel_nr = 'A-000002' "
                      "AND sprache = 'D'")[0]
    assert rows(shop, english)[0] != german
    with bo.begin() as conn:  # no change marker moves: only the text row goes
        conn.execute(sa.text("DELETE FROM artikel_text WHERE artikel_nr = 'A-000002' AND sprache = 'E'"))
    report = sync(bo, shop, key="second")["products"]
    assert report.updated == 1
    assert rows(shop, english)[0] == german
    assert "A-000002" in report.cleaned["products_name (en) missing in BO: default-language text used"]
    assert sync(bo, shop, key="third")["products"].updated == 0


def test_a_group_leaving_the_web_takes_its_category_and_hides_its_articles(
    bo_mariadb, flavoured_shop, staging
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    members = [
        nr for (nr,) in rows(bo, "SELECT artikel_nr FROM artikel WHERE warengruppe_nr = 'WG410' "
                                 "AND osc_products_id IS NOT NULL AND web_sichtbar = 1 ORDER BY 1")
    ]
    assert members
    touch(bo, "UPDATE warengruppe SET im_web = 0, geaendert_am = :t WHERE warengruppe_nr = 'WG410'")
    reports = sync(bo, shop, key="second")  # incremental: the articles themselves did not change
    assert reports["categories"].hidden == 1
    assert scalar(shop, "SELECT COUNT(*) FROM categories WHERE categories_id = :c", c=cid) == 0
    assert scalar(shop, "SELECT COUNT(*) FROM categories_description WHERE categories_id = :c", c=cid) == 0
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'") is None
    assert reports["products"].hidden_by_reason == {"product group is not in the web": members}
    for nr in members:
        assert rows(shop, STATE, m=nr)[0][0] == 0
        pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)
        # still found in the shop admin: at the top level
        assert scalar(shop, "SELECT categories_id FROM products_to_categories WHERE products_id = :p", p=pid) == 0
    assert sync(bo, shop, key="third")["products"].hidden == 0

    # the group comes back: a new category, and its articles are shown in it again
    touch(bo, "UPDATE warengruppe SET im_web = 1, geaendert_am = :t WHERE warengruppe_nr = 'WG410'")
    reports = sync(bo, shop, key="fourth")
    back = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    assert back is not None and back != cid
    assert reports["products"].updated == len(members)
    for nr in members:
        assert rows(shop, STATE, m=nr)[0][0] == 1
        pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)
        assert scalar(shop, "SELECT categories_id FROM products_to_categories WHERE products_id = :p", p=pid) == back


def test_a_group_deleted_in_bo_takes_its_category(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    touch(bo, "INSERT INTO warengruppe (warengruppe_nr, bezeichnung, ober_warengruppe_nr, sortierung, "
          "im_web, geaendert_am) VALUES ('WG160', 'Kurzlebig', 'WG100', 60, 1, :t)")
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG160'")
    with bo.begin() as conn:
        conn.execute(sa.text("DELETE FROM warengruppe WHERE warengruppe_nr = 'WG160'"))
    report = sync(bo, shop, key="second")["categories"]
    assert report.hidden == 1
    assert scalar(shop, "SELECT COUNT(*) FROM categories WHERE categories_id = :c", c=cid) == 0
    assert scalar(bo, "SELECT COUNT(*) FROM osc_bindung WHERE bo_schluessel = 'WG160'") == 0


def test_a_category_holding_the_shops_own_categories_stays(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG400'")
    with shop.begin() as conn:  # the merchant hung a category of their own below it
        conn.execute(sa.text("INSERT INTO categories (parent_id, sort_order, date_added) VALUES (:c, 0, NOW())"),
                     {"c": cid})
    touch(bo, "UPDATE warengruppe SET im_web = 0, geaendert_am = :t WHERE warengruppe_nr = 'WG400'")
    report = sync(bo, shop, key="second")["categories"]
    assert scalar(shop, "SELECT COUNT(*) FROM categories WHERE categories_id = :c", c=cid) == 1
    assert any(f"category {cid} of product group WG400 stays" in note for note in report.notes)
