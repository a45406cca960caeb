"""One identity rule, against a real osCommerce shop on MariaDB: ids are never reused, a stored
id counts only while its row carries the BO row's key, equal keys never breed duplicates."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
import sqlalchemy as sa
from tests.integration.conftest import LATER, rows, scalar, settings, sync, touch

from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import read_shop_columns
from bo_oscommerce.shop.dialect import placeholder_row, reserve_ids

pytestmark = pytest.mark.integration

NEW_ARTICLE = (
    "INSERT INTO artikel (artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, listenpreis, "
    "ladenpreis, gewicht, im_web, web_sichtbar, geaendert_am) VALUES "
    "(:n, :name, 'WG111', '1', 10, 11.9, 1, 1, 1, :t)"
)


def remove_product(shop, products_id: int) -> None:
    """What the shop admin's delete does to a product (admin/categories.php)."""
    with shop.begin() as conn:
        for table in ("products_to_categories", "products_description", "products"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE products_id = :p"), {"p": products_id})


def admin_insert_product(conn, model: str) -> int:
    """A product the shop admin creates: the id comes from AUTO_INCREMENT."""
    result = conn.execute(
        sa.text(
            "INSERT INTO products (products_quantity, products_model, products_price, "
            "products_date_added, products_weight, products_status, products_tax_class_id) "
            "VALUES (1, :m, 9.99, NOW(), 0, 1, 1)"
        ),
        {"m": model},
    )
    return int(result.lastrowid)


def test_a_deleted_products_id_is_never_handed_out_again(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    newest = scalar(shop, "SELECT MAX(products_id) FROM products")
    owner = scalar(bo, "SELECT artikel_nr FROM artikel WHERE osc_products_id = :p", p=newest)
    remove_product(shop, newest)
    touch(bo, NEW_ARTICLE, n="N-000001", name="Neuer Topf")

    # the next run, though incremental, finds the owner's product gone: reported, created
    # again; neither it nor the new article gets the deleted product's id
    report = sync(bo, shop, key="second")["products"]
    assert report.stale[["key", "stored_id", "problem"]].values.tolist() == [
        [owner, newest, "the shop row is gone"]
    ]
    new_id = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'N-000001'")
    again = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=owner)
    assert min(new_id, again) > newest and new_id != again
    assert rows(shop, "SELECT products_id, products_model FROM products WHERE products_id IN (:a, :b) "
                "ORDER BY products_id", a=new_id, b=again) == sorted([(new_id, "N-000001"), (again, owner)])
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = :n", n=owner) == 1

    # the old article changes: its new product is updated in place, nothing else moves
    touch(bo, "UPDATE artikel SET ladenpreis = 99.96, geaendert_am = :t WHERE artikel_nr = :n", n=owner)
    third = sync(bo, shop, key="third")["products"]
    assert third.stale.empty and third.updated == 1 and third.inserted == 0
    assert scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=owner) == again


def test_two_articles_on_one_product_are_pulled_apart(bo_mariadb, flavoured_shop, staging):
    """The state an id reuse left behind: X-000009 and N-000001 both hold product 73, which
    carries model X-000009. Only X-000009 keeps it; N-000001 gets its own product."""
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'X-000009'")
    touch(bo, NEW_ARTICLE, n="N-000001", name="Neuer Topf")
    touch(bo, "UPDATE artikel SET osc_products_id = :p, osc_abgleich_stand = :t, geaendert_am = :t "
          "WHERE artikel_nr = 'N-000001'", p=pid)
    touch(bo, "UPDATE artikel SET ladenpreis = 3.33, geaendert_am = :t WHERE artikel_nr = 'X-000009'")
    price_before = scalar(shop, "SELECT products_price FROM products WHERE products_id = :p", p=pid)

    report = sync(bo, shop, key="second")["products"]
    assert report.stale[["key", "stored_id"]].values.tolist() == [["N-000001", pid]]
    ids = dict(rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel "
                        "WHERE artikel_nr IN ('X-000009', 'N-000001')"))
    assert ids["X-000009"] == pid and ids["N-000001"] != pid
    models = dict(rows(shop, "SELECT products_id, products_model FROM products "
                             "WHERE products_id IN (:a, :b)", a=pid, b=ids["N-000001"]))
    assert models == {pid: "X-000009", ids["N-000001"]: "N-000001"}
    price_after = scalar(shop, "SELECT products_price FROM products WHERE products_id = :p", p=pid)
    assert str(price_before) != "3.1121"
    assert str(price_after) == "3.1121"  # 3.33 / 1.07: X-000009 has the reduced rate


def test_reserved_ids_never_collide_with_an_admin_inserting_at_the_same_moment(flavoured_shop):
    """Two connections under READ COMMITTED: the sync holds its block uncommitted while the
    shop admin inserts; the admin neither waits nor lands in the block, and both commit."""
    shop = flavoured_shop.engine
    sync_conn = shop.connect().execution_options(isolation_level="READ COMMITTED")
    admin_engine = sa.create_engine(shop.url, isolation_level="READ COMMITTED")
    with admin_engine.begin() as admin:  # the newest product is deleted: its id is not reused
        gone = admin_insert_product(admin, "GONE")
        admin.execute(sa.text("DELETE FROM products WHERE products_id = :p"), {"p": gone})
    try:
        transaction = sync_conn.begin()
        columns = read_shop_columns(sync_conn, ["products"])
        placeholder = placeholder_row(columns.values(), "products_id")
        block = reserve_ids(sync_conn, t.products, 500, placeholder)
        assert block == list(range(block[0], block[0] + 500))
        assert block[0] > gone

        started = time.monotonic()
        with admin_engine.begin() as admin:
            admin_id = admin_insert_product(admin, "ADMIN-1")
        assert time.monotonic() - started < 2  # no lock wait
        assert admin_id not in block and admin_id > gone

        sync_conn.execute(
            sa.insert(t.products),
            [
                {
                    "products_id": i,
                    "products_quantity": 0,
                    "products_model": f"S-{i}",
                    "products_price": 1,
                    "products_date_added": LATER,
                    "products_weight": 0,
                    "products_status": 1,
                    "products_tax_class_id": 1,
                }
                for i in block
            ],
        )
        transaction.commit()
    finally:
        sync_conn.close()
        admin_engine.dispose()
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model LIKE 'S-%'") == 500
    assert scalar(shop, "SELECT products_model FROM products WHERE products_id = :p", p=admin_id) == (
        "ADMIN-1"
    )
    # the session's increment is back to 1: the next admin insert comes right after
    with shop.begin() as conn:
        assert admin_insert_product(conn, "ADMIN-2") > max(block)


def test_a_full_sync_and_a_busy_admin_under_read_committed(bo_mariadb, flavoured_shop, staging):
    """The whole catalog load while the shop admin keeps creating products."""
    bo, shop = bo_mariadb, flavoured_shop.engine
    shop = sa.create_engine(shop.url, isolation_level="READ COMMITTED")
    admin_ids, errors, done = [], [], threading.Event()

    def admin() -> None:
        engine = sa.create_engine(flavoured_shop.engine.url, isolation_level="READ COMMITTED")
        try:
            while not done.is_set():
                with engine.begin() as conn:
                    admin_ids.append(admin_insert_product(conn, f"ADM-{len(admin_ids)}"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    worker = threading.Thread(target=admin)
    worker.start()
    try:
        reports = sync(bo, shop, full=True)
    finally:
        done.set()
        worker.join()
        shop.dispose()
    assert not errors
    assert len(admin_ids) > 0
    ours = [pid for (pid,) in rows(bo, "SELECT osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL")]
    assert len(ours) == reports["products"].inserted
    assert not set(ours) & set(admin_ids)
    models = dict(rows(flavoured_shop.engine, "SELECT products_id, products_model FROM products"))
    assert all(models[pid].startswith("ADM-") for pid in admin_ids)


def test_groups_of_one_name_under_one_parent_keep_their_categories(bo_mariadb, flavoured_shop, staging):
    """Two "Zubehör" groups under WG100: after a reset (or a lost write-back) and a full run,
    each finds its own category again; no third one appears."""
    bo, shop = bo_mariadb, flavoured_shop.engine
    for nr, sort in (("WG160", 60), ("WG170", 70)):
        touch(
            bo,
            "INSERT INTO warengruppe (warengruppe_nr, bezeichnung, ober_warengruppe_nr, sortierung, "
            "im_web, geaendert_am) VALUES (:n, 'Zubehör', 'WG100', :s, 1, :t)",
            n=nr,
            s=sort,
        )
    touch(bo, "UPDATE artikel SET warengruppe_nr = 'WG170', geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    sync(bo, shop, full=True, key="first")
    first = dict(rows(bo, "SELECT warengruppe_nr, osc_categories_id FROM warengruppe "
                          "WHERE warengruppe_nr IN ('WG160', 'WG170')"))
    assert len(set(first.values())) == 2
    count = scalar(shop, "SELECT COUNT(*) FROM categories")

    with bo.begin() as conn:  # Alles zuruecksetzen
        for statement in ("UPDATE warengruppe SET osc_categories_id = NULL, osc_abgleich_stand = NULL",
                          "UPDATE artikel SET osc_products_id = NULL, osc_abgleich_stand = NULL",
                          "DELETE FROM osc_bindung"):
            conn.execute(sa.text(statement))
    reports = sync(bo, shop, full=True, key="after-reset")
    assert reports["categories"].inserted == 0
    assert scalar(shop, "SELECT COUNT(*) FROM categories") == count
    assert dict(rows(bo, "SELECT warengruppe_nr, osc_categories_id FROM warengruppe "
                         "WHERE warengruppe_nr IN ('WG160', 'WG170')")) == first
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'A-000002'")
    assert scalar(shop, "SELECT categories_id FROM products_to_categories WHERE products_id = :p", p=pid) == first["WG170"]


def test_a_group_that_matches_nothing_one_to_one_is_set_aside(bo_mariadb, upstream_shop, staging):
    """Three BO groups "Zubehör" under WG100, two such categories in the shop, no ids in BO:
    which is which cannot be told; they are set aside, nothing is created or changed."""
    bo, shop = bo_mariadb, upstream_shop.engine
    sync(bo, shop, full=True, key="first")
    parent = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG100'")
    with shop.begin() as conn:
        for _ in range(2):
            cid = conn.execute(sa.text("INSERT INTO categories (parent_id, sort_order, date_added) "
                                       "VALUES (:p, 0, NOW())"), {"p": parent}).lastrowid
            conn.execute(sa.text("INSERT INTO categories_description VALUES (:c, 1, 'Zubehör'), "
                                 "(:c, 2, 'Zubehör')"), {"c": cid})
    for nr in ("WG160", "WG170", "WG180"):
        touch(bo, "INSERT INTO warengruppe (warengruppe_nr, bezeichnung, ober_warengruppe_nr, "
              "sortierung, im_web, geaendert_am) VALUES (:n, 'Zubehör', 'WG100', 0, 1, :t)", n=nr)
    count = scalar(shop, "SELECT COUNT(*) FROM categories")
    report = sync(bo, shop, key="second")["categories"]
    reasons = report.set_aside.set_index("key")["reason"].drop(["WG901", "WG902"])  # a cycle
    assert set(reasons.index) == {"WG160", "WG170", "WG180"}
    assert reasons.str.startswith("several BO rows share this category name").all()
    assert scalar(shop, "SELECT COUNT(*) FROM categories") == count


def test_a_category_deleted_in_the_shop_is_found_missing_and_made_again(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM categories WHERE categories_id = :c"), {"c": cid})
        conn.execute(sa.text("DELETE FROM categories_description WHERE categories_id = :c"), {"c": cid})
    reports = sync(bo, shop, key="second")  # incremental: nothing changed in BO
    stale = reports["categories"].stale
    assert stale[["key", "stored_id", "problem"]].values.tolist() == [["WG410", cid, "the shop row is gone"]]
    again = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    assert again > cid
    assert scalar(shop, "SELECT categories_name FROM categories_description WHERE categories_id = :c "
                  "AND language_id = 2", c=again) == "Schreibgeräte"
    # the group's articles follow it in the next full run
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'A-000002'")
    sync(bo, shop, full=True, key="third")
    assert scalar(shop, "SELECT categories_id FROM products_to_categories WHERE products_id = :p", p=pid) == again


def test_a_renamed_group_keeps_its_category(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    touch(bo, "UPDATE warengruppe_text SET bezeichnung = 'Stifte', geaendert_am = :t "
          "WHERE warengruppe_nr = 'WG410' AND sprache = 'D'")
    report = sync(bo, shop, key="second")["categories"]
    assert (report.inserted, report.updated) == (0, 1)
    assert report.stale.empty
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'") == cid
    assert scalar(bo, "SELECT osc_schluessel FROM osc_bindung WHERE bo_schluessel = 'WG410'").endswith("/stifte")
    # renamed again while the shop still shows the old name (e.g. a lost run): still its own
    touch(bo, "UPDATE warengruppe_text SET bezeichnung = 'Schreiben', geaendert_am = :t "
          "WHERE warengruppe_nr = 'WG410' AND sprache = 'D'")
    assert sync(bo, shop, key="third")["categories"].inserted == 0
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'") == cid


def test_a_stored_category_id_now_holding_another_category_is_not_taken_over(
    bo_sqlite, flavoured_shop, staging
):
    """A restored shop handed WG410's id to a category of its own: BO's group is created anew
    and the shop's category stays as the shop has it."""
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE categories SET parent_id = 0 WHERE categories_id = :c"), {"c": cid})
        conn.execute(sa.text("UPDATE categories_description SET categories_name = 'Geschenke' "
                             "WHERE categories_id = :c"), {"c": cid})
    report = sync(bo, shop, full=True, key="second")["categories"]
    assert report.stale["key"].tolist() == ["WG410"]
    assert "now holds" in report.stale["problem"].iloc[0]
    assert rows(shop, "SELECT categories_name FROM categories_description WHERE categories_id = :c "
                "ORDER BY language_id", c=cid) == [("Geschenke",), ("Geschenke",)]
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'") != cid


def test_identity_columns_frame_shape(bo_sqlite, flavoured_shop, staging):
    """Every link BO holds is recorded in osc_bindung with the key the shop row carries."""
    bo, shop = bo_sqlite, flavoured_shop.engine
    sync(bo, shop, full=True, key="first", tenant=settings())
    links = pd.DataFrame(
        rows(bo, "SELECT entitaet, bo_schluessel, osc_id, osc_schluessel FROM osc_bindung"),
        columns=["entity", "key", "id", "natural"],
    )
    groups = dict(rows(bo, "SELECT warengruppe_nr, osc_categories_id FROM warengruppe "
                           "WHERE osc_categories_id IS NOT NULL"))
    assert dict(links.loc[links["entity"] == "categories", ["key", "id"]].values.tolist()) == groups
    sample = links[(links["entity"] == "categories") & (links["key"] == "WG410")].iloc[0]
    parent = groups["WG400"]
    assert sample["natural"] == f"{parent}/schreibgeräte"


def test_after_bo_forgot_every_id_each_product_is_found_by_its_model(
    bo_mariadb, flavoured_shop, staging
):
    """BO lost every shop id (a reset, a restored backup): the next full run finds each
    product by its model, as the shop's collation compares it (the admin retyped one in lower
    case), and creates nothing twice."""
    from bo_oscommerce.sqlfiles import load_sql, split_statements

    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    linked = dict(rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel "
                           "WHERE osc_products_id IS NOT NULL"))  # fmt: skip
    retyped = min(linked)
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE products SET products_model = LOWER(products_model) "
                             "WHERE products_id = :p"), {"p": linked[retyped]})  # fmt: skip
    products_before = scalar(shop, "SELECT COUNT(*) FROM products")
    with bo.begin() as conn:
        for statement in split_statements(load_sql("bo/reset_osc_ids.sql")):
            conn.execute(sa.text(statement))

    report = sync(bo, shop, full=True, key="second")["products"]
    assert report.inserted == 0
    assert scalar(shop, "SELECT COUNT(*) FROM products") == products_before
    again = dict(rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel "
                          "WHERE osc_products_id IS NOT NULL"))  # fmt: skip
    assert again == linked
