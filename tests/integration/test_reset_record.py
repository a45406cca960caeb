"""Reset of one record, then a sync of just that record; and shop rows gone behind stored ids."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import bo_fingerprint, rows, scalar, settings, sync
from tests.integration.test_orders_sync import HISTORY, import_and_process, run_for

from bo_oscommerce.sync.customers import sync_customers_to_shop
from bo_oscommerce.sync.reset import reset_record, resync
from bo_oscommerce.sync.run import Run

pytestmark = pytest.mark.integration


def _run(bo, shop, key: str) -> Run:
    from tests.integration.conftest import RUN_AT

    return Run(settings(), bo, shop, f"test/{key}", RUN_AT)


def _linked(bo) -> dict[str, int]:
    return dict(rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL"))


def test_an_article_reset_relinks_its_own_product_and_touches_nothing_else(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True)
    linked = _linked(bo)
    nr, pid = sorted(linked.items())[5]
    with shop.begin() as conn:  # someone edited the product's name in the shop admin
        conn.execute(sa.text("UPDATE products_description SET products_name = 'edited' WHERE products_id = :p"), {"p": pid})
    others_before = rows(bo, "SELECT artikel_nr, osc_products_id, osc_abgleich_stand, osc_texte FROM artikel WHERE artikel_nr <> :a ORDER BY 1", a=nr)
    products_before = scalar(shop, "SELECT COUNT(*) FROM products")

    run = _run(bo, shop, "reset-article")
    cleared = reset_record(run, "article", nr)
    assert cleared["cleared"]["osc_id"] == str(pid)
    assert [link["osc_id"] for link in cleared["links_removed"]] == [str(pid)]
    assert scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :a", a=nr) is None

    (report,) = resync(run, "article", nr)
    assert report.extracted == 1 and report.updated == 1 and report.inserted == 0
    assert _linked(bo)[nr] == pid  # found again by its model: the same product
    assert scalar(shop, "SELECT COUNT(*) FROM products") == products_before
    assert "edited" not in {r[0] for r in rows(shop, "SELECT products_name FROM products_description WHERE products_id = :p", p=pid)}
    assert rows(bo, "SELECT artikel_nr, osc_products_id, osc_abgleich_stand, osc_texte FROM artikel WHERE artikel_nr <> :a ORDER BY 1", a=nr) == others_before


def test_a_product_gone_from_the_shop_is_found_reported_and_created_again(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True)
    nr, pid = sorted(_linked(bo).items())[3]
    with shop.begin() as conn:  # deleted in the shop admin
        for table in ("products_to_categories", "products_description", "products"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE products_id = :p"), {"p": pid})
    reports = sync(bo, shop, key="after-delete")  # an ordinary incremental run
    stale = reports["products"].stale
    assert list(stale["key"]) == [nr] and "gone" in stale["problem"].iloc[0]
    new_id = _linked(bo)[nr]
    assert new_id != pid and scalar(shop, "SELECT products_model FROM products WHERE products_id = :p", p=new_id) == nr
    assert sync(bo, shop, key="third")["products"].stale.empty


def test_a_product_group_reset_relinks_its_category(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True)
    group, cid = rows(bo, "SELECT warengruppe_nr, osc_categories_id FROM warengruppe WHERE osc_categories_id IS NOT NULL ORDER BY 1")[2]
    categories_before = scalar(shop, "SELECT COUNT(*) FROM categories")
    bo_before = bo_fingerprint(bo)
    run = _run(bo, shop, "reset-group")
    assert reset_record(run, "product_group", group)["cleared"]["osc_id"] == str(cid)
    (report,) = resync(run, "product_group", group)
    assert report.inserted == 0 and report.set_aside_rows == 2  # the demo's two cyclic groups
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = :g", g=group) == cid
    assert scalar(shop, "SELECT COUNT(*) FROM categories") == categories_before
    assert bo_fingerprint(bo) == bo_before


def test_a_customer_reset_finds_the_same_customer_by_e_mail(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync_customers_to_shop(_run(bo, shop, "first"))
    gp, cid = rows(bo, "SELECT gp_id, osc_customers_id FROM gespraechspartner WHERE osc_customers_id IS NOT NULL ORDER BY 1")[0]
    password = scalar(shop, "SELECT customers_password FROM customers WHERE customers_id = :c", c=cid)
    customers_before = scalar(shop, "SELECT COUNT(*) FROM customers")
    run = _run(bo, shop, "reset-customer")
    assert reset_record(run, "customer", str(gp))["cleared"]["osc_id"] == str(cid)
    (report,) = resync(run, "customer", str(gp))
    assert report.extracted == 1 and report.inserted == 0
    assert scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = :g", g=gp) == cid
    assert scalar(shop, "SELECT COUNT(*) FROM customers") == customers_before
    assert scalar(shop, "SELECT customers_password FROM customers WHERE customers_id = :c", c=cid) == password


def test_an_order_reset_checks_its_status_again_without_a_second_history_row(bo_sqlite, orders_shop, staging):
    bo, shop = bo_sqlite, orders_shop.engine
    import_and_process(bo, shop)
    auftrag, oid = rows(bo, "SELECT auftrag_nr, osc_orders_id FROM auftrag ORDER BY 1")[0]
    history = rows(shop, HISTORY + " ORDER BY 1, orders_status_history_id")
    run = run_for(bo, shop, "reset-order")
    cleared = reset_record(run, "order", str(auftrag))
    assert cleared["cleared"] == {"osc_id": str(oid), "osc_status_gemeldet": "2"}
    assert scalar(bo, "SELECT osc_orders_id FROM auftrag WHERE auftrag_nr = :a", a=auftrag) == oid
    processing, delivered = resync(run, "order", str(auftrag))
    assert processing.extracted == 1 and processing.updated == 0 and processing.unchanged == 1
    assert delivered.extracted == 0
    assert scalar(bo, "SELECT osc_status_gemeldet FROM auftrag WHERE auftrag_nr = :a", a=auftrag) == 2
    assert rows(shop, HISTORY + " ORDER BY 1, orders_status_history_id") == history
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag WHERE osc_orders_id = :o", o=oid) == 1


def test_a_reset_of_a_record_bo_does_not_have_says_so(bo_sqlite, flavoured_shop, staging):
    run = _run(bo_sqlite, flavoured_shop.engine, "nothing")
    with pytest.raises(ValueError, match="BO has no article 'NO-SUCH'"):
        reset_record(run, "article", "NO-SUCH")
    with pytest.raises(ValueError, match="not a BO number"):
        reset_record(run, "customer", "abc")
    with pytest.raises(ValueError, match="name the record"):
        reset_record(run, "product_group", " ")


def test_a_customer_gone_from_the_shop_is_found_reported_and_created_again(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync_customers_to_shop(_run(bo, shop, "first"))
    gp, cid = rows(bo, "SELECT gp_id, osc_customers_id FROM gespraechspartner WHERE osc_customers_id IS NOT NULL ORDER BY 1")[1]
    email = scalar(shop, "SELECT customers_email_address FROM customers WHERE customers_id = :c", c=cid)
    with shop.begin() as conn:  # deleted in the shop admin (customers.php deletes these three)
        for table, column in (("address_book", "customers_id"), ("customers_info", "customers_info_id"), ("customers", "customers_id")):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :c"), {"c": cid})
    again = sync_customers_to_shop(_run(bo, shop, "after-delete"))  # incremental
    assert list(again.stale["key"].astype(str)) == [str(gp)]
    assert again.inserted == 1
    new_id = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = :g", g=gp)
    assert new_id != cid
    assert scalar(shop, "SELECT customers_email_address FROM customers WHERE customers_id = :c", c=new_id) == email
    third = sync_customers_to_shop(_run(bo, shop, "third"))
    assert third.stale.empty and third.extracted == third.set_aside_rows + third.unchanged + third.updated
