"""Catalog sync against a real MariaDB shop of each flavour (``flavoured_shop``): upstream
osCommerce 2.3.4.1 and CE Phoenix Cart 1.1.0.6; tests of "first contact" with a shop's own
products use upstream's sample catalog (``upstream_shop``). Both shops have English and
German; BO is the reference schema with generated demo data, on SQLite and on MariaDB.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import (
    LATER,
    bo_fingerprint,
    fingerprint,
    rows,
    scalar,
    settings,
    sync,
)

pytestmark = pytest.mark.integration


def synced_articles(bo, count: int) -> list[str]:
    """Plain articles in the shop and visible there (none of the deliberately dirty ones)."""
    with bo.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT artikel_nr FROM artikel WHERE osc_products_id IS NOT NULL AND im_web = 1 "
                    "AND web_sichtbar = 1 AND artikel_nr LIKE 'A-%' ORDER BY artikel_nr LIMIT :n"
                ),
                {"n": count},
            ).scalars()
        )


def test_full_sync_writes_catalog_and_ids(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    first_new = scalar(shop, "SELECT COALESCE(MAX(products_id), 0) + 1 FROM products")
    reports = sync(bo, shop, full=True)

    products = reports["products"]
    web = scalar(bo, "SELECT COUNT(*) FROM artikel WHERE im_web = 1")
    offline = scalar(
        bo, "SELECT COUNT(*) FROM artikel WHERE im_web = 1 AND warengruppe_nr IN ('WG500', 'WG510')"
    )
    assert offline > 0
    assert products.counts()["kept_out"] == offline
    assert products.inserted + products.updated + products.set_aside_rows + offline == web
    assert products.inserted > 100
    # every article with an id in BO is that product in the shop, with its model; new ids come
    # after the shop's own (upstream 2.3's sample products 1..28; none in Phoenix's install)
    ids = dict(rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id IS NOT NULL"))
    models = dict(rows(shop, "SELECT products_id, products_model FROM products"))
    assert len(ids) == products.inserted + products.updated
    assert all(models[pid] == nr for nr, pid in ids.items())
    assert min(ids.values()) == first_new == (1 if flavoured_shop.flavour == "phoenix-1.1" else 29)
    links = dict(rows(bo, "SELECT bo_schluessel, osc_id FROM osc_bindung WHERE entitaet = 'products'"))
    assert links == ids

    # net prices from gross shop prices: 23.99 at 19 %, 33.99 at 7 %; weight to 2 decimals
    price = (
        "SELECT products_price, products_weight, products_tax_class_id FROM products "
        "WHERE products_model = :m"
    )
    assert [tuple(str(v) for v in r) for r in rows(shop, price, m="A-000002")] == [
        ("20.1597", "1.20", "1")
    ]
    assert [tuple(str(v) for v in r) for r in rows(shop, price, m="A-000001")] == [
        ("31.7664", "1.96", "1")
    ]

    # German and English text rows, category link, categories tree with parents
    pid = ids["A-000002"]
    texts = rows(
        shop,
        "SELECT l.code, d.products_name FROM products_description d JOIN languages l "
        "ON l.languages_id = d.language_id WHERE d.products_id = :p ORDER BY l.code",
        p=pid,
    )
    assert [code for code, _ in texts] == ["de", "en"]
    cid = scalar(shop, "SELECT categories_id FROM products_to_categories WHERE products_id = :p", p=pid)
    assert cid == scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    parent_cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG400'")
    assert scalar(shop, "SELECT parent_id FROM categories WHERE categories_id = :c", c=cid) == parent_cid
    assert scalar(
        shop, "SELECT categories_name FROM categories_description WHERE categories_id = :c "
        "AND language_id = 2", c=cid
    ) == "Schreibgeräte"


def test_bad_rows_are_set_aside_with_reason_and_never_reach_the_shop(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    reports = sync(bo, shop, full=True)
    rejected = reports["products"].set_aside
    reasons = rejected.groupby("key")["reason"].apply(" | ".join).to_dict()
    if flavoured_shop.flavour == "phoenix-1.1":  # Phoenix's products_model is varchar(255)
        assert "A-12345678901234" not in reasons
        assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = 'A-12345678901234'") == 1
    else:
        assert "products.products_model varchar(12)" in reasons["A-12345678901234"]
    assert "price is missing" in reasons["X-000002"]
    assert "negative" in reasons["X-000003"]
    assert "unknown VAT key" in reasons["X-000005"]
    assert "no osCommerce tax class" in reasons["X-000006"]
    assert "product group" in reasons["X-000007"]
    assert "product group" in reasons["X-000010"]  # in a group of the WG901/WG902 cycle
    for key in ("X-000002", "X-000003", "X-000005", "X-000006", "X-000007", "X-000010"):
        assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = :m", m=key) == 0
        assert (
            scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=key) is None
        )
    cycle = set(reports["categories"].set_aside["key"])
    assert {"WG901", "WG902"} <= cycle

    # cleaned, not set aside: emoji removed, long name cut, negative stock sent as 0
    text = (
        "SELECT d.products_name, d.products_description FROM products p JOIN products_description d "
        "ON d.products_id = p.products_id WHERE p.products_model = :m AND d.language_id = :l"
    )
    # "Grillzange 🔥" in BO: Phoenix's utf8mb4 holds the emoji, 2.3's utf8 cannot
    emoji = flavoured_shop.flavour == "phoenix-1.1"
    assert rows(shop, text, m="X-000008", l=2)[0][0] == ("Grillzange 🔥" if emoji else "Grillzange")
    assert rows(shop, text, m="X-000008", l=1)[0][0] == "Barbecue tongs"
    cleaned = reports["products"].cleaned
    long_name = rows(shop, text, m="X-000001", l=2)[0][0]
    if emoji:  # Phoenix: every text as BO has it, the long name in its 255 characters
        assert rows(shop, text, m="X-000009", l=2)[0][1] == (
            "Zwölf Kräuter für Balkon und Beet 🌱 – keimfreudig, nur 2,49 €."
        )
        assert not any("4-byte" in rule or " cut to " in rule for rule in cleaned)
        assert long_name == scalar(bo, "SELECT bezeichnung FROM artikel WHERE artikel_nr = 'X-000001'")
    else:
        assert rows(shop, text, m="X-000009", l=2)[0][1] == (
            "Zwölf Kräuter für Balkon und Beet – keimfreudig, nur 2,49 €."
        )
        assert cleaned["4-byte characters removed from products_name"] == ["X-000008"]
        assert cleaned["4-byte characters removed from products_description"] == ["X-000009"]
        assert len(long_name) == 64
        assert cleaned["products_name cut to 64 characters"] == ["X-000001"]
    assert (
        scalar(shop, "SELECT products_quantity FROM products WHERE products_model = 'X-000004'")
        == 0
    )
    # the files a reviewer reads
    files = list((staging / "reports").rglob("quarantine_products.csv"))
    assert files and "X-000002" in files[0].read_text()


def test_second_run_writes_nothing(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    first = sync(bo, shop, full=True, key="first")
    before_shop, before_bo = fingerprint(shop), bo_fingerprint(bo)
    for full in (False, True):
        reports = sync(bo, shop, full=full, key=f"again-{full}")
        for report in reports.values():
            assert (report.inserted, report.updated, report.hidden) == (0, 0, 0), report.counts()
            assert report.written_back == 0, report.counts()
            assert report.stale.empty
        if not full:  # only rows still set aside or kept out are read again
            kept_out = first["products"].counts()["kept_out"]
            assert reports["products"].extracted == first["products"].set_aside_rows + kept_out
            assert reports["categories"].inserted + reports["categories"].updated == 0
    assert fingerprint(shop) == before_shop
    assert bo_fingerprint(bo) == before_bo


def test_changed_article_updates_its_rows_only(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    price_changed, text_changed = synced_articles(bo, 2)
    with bo.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE artikel SET ladenpreis = 119, ust_schluessel = '1', "
                "geaendert_am = :t WHERE artikel_nr = :n"
            ),
            {"t": LATER, "n": price_changed},
        )
        conn.execute(
            sa.text(
                "UPDATE artikel_text SET internettext = 'Neu: größer & besser', "
                "geaendert_am = :t WHERE artikel_nr = :n AND sprache = 'E'"
            ),
            {"t": LATER, "n": text_changed},
        )
    with shop.connect() as conn:
        before = conn.execute(
            sa.text(
                "SELECT products_model, products_price, products_last_modified "
                "FROM products ORDER BY products_id"
            )
        ).all()
    reports = sync(bo, shop, key="second")
    kept_out = reports["products"].counts()["kept_out"]
    assert reports["products"].extracted == 2 + reports["products"].set_aside_rows + kept_out
    assert reports["products"].updated == 2
    assert reports["products"].inserted == 0
    with shop.connect() as conn:
        after = conn.execute(
            sa.text(
                "SELECT products_model, products_price, products_last_modified "
                "FROM products ORDER BY products_id"
            )
        ).all()
        english = conn.execute(
            sa.text(
                "SELECT d.products_description FROM products p JOIN products_description d "
                "ON d.products_id = p.products_id JOIN languages l ON l.languages_id = d.language_id "
                "WHERE p.products_model = :n AND l.code = 'en'"
            ),
            {"n": text_changed},
        ).scalar()
    changed = {b[0] for b, a in zip(before, after, strict=True) if b != a}
    assert changed == {price_changed, text_changed}
    assert float(dict((a[0], a[1]) for a in after)[price_changed]) == pytest.approx(100.0)
    assert english == "Neu: größer & besser"


def test_article_leaving_the_web_is_hidden_not_deleted(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    (nr,) = synced_articles(bo, 1)
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)
    assert scalar(shop, "SELECT products_status FROM products WHERE products_id = :p", p=pid) == 1
    with bo.begin() as conn:
        conn.execute(
            sa.text("UPDATE artikel SET im_web = 0, geaendert_am = :t WHERE artikel_nr = :n"),
            {"t": LATER, "n": nr},
        )
    reports = sync(bo, shop, key="second")
    assert reports["products"].hidden == 1
    assert scalar(shop, "SELECT products_status FROM products WHERE products_id = :p", p=pid) == 0
    assert (
        scalar(shop, "SELECT COUNT(*) FROM products_description WHERE products_id = :p", p=pid) == 2
    )
    assert sync(bo, shop, key="third")["products"].hidden == 0


def test_first_contact_matches_existing_products_and_categories(bo, upstream_shop, staging):
    """A shop that already sells 'MG200MMS' in 'Hardware' keeps its ids: matched, not copied."""
    shop = upstream_shop.engine
    with bo.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO warengruppe (warengruppe_nr, bezeichnung, ober_warengruppe_nr, sortierung, "
                "im_web, geaendert_am) VALUES ('WGHW', 'Hardware', NULL, 1, 1, :t)"
            ),
            {"t": LATER},
        )
        conn.execute(
            sa.text(
                "INSERT INTO artikel (artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, "
                "listenpreis, ladenpreis, im_web, web_sichtbar, geaendert_am) VALUES "
                "('MG200MMS', 'Matrox G200 MMS', 'WGHW', '1', 250, 297.5, 1, 1, :t)"
            ),
            {"t": LATER},
        )
    products_before = scalar(shop, "SELECT COUNT(*) FROM products")
    reports = sync(bo, shop, full=True)
    assert (
        scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WGHW'") == 1
    )
    assert scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = 'MG200MMS'") == 1
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = 'MG200MMS'") == 1
    assert (
        scalar(shop, "SELECT COUNT(*) FROM products")
        == products_before + reports["products"].inserted
    )
    assert float(scalar(shop, "SELECT products_price FROM products WHERE products_id = 1")) == 250.0
    # BO's single category replaces upstream's link, BO's name replaces upstream's text
    assert (
        scalar(
            shop,
            "SELECT GROUP_CONCAT(categories_id) FROM products_to_categories WHERE products_id = 1",
        )
        == "1"
    )
    assert (
        scalar(
            shop,
            "SELECT products_name FROM products_description WHERE products_id = 1 "
            "AND language_id = 2",
        )
        == "Matrox G200 MMS"
    )


def test_model_held_twice_by_the_shop_is_set_aside(bo, upstream_shop, staging):
    shop = upstream_shop.engine
    with bo.begin() as conn:
        conn.execute(
            sa.text("UPDATE artikel SET artikel_nr = 'DVD-RPMK' WHERE artikel_nr = 'A-000030'")
        )
        conn.execute(
            sa.text("UPDATE artikel_text SET artikel_nr = 'DVD-RPMK' WHERE artikel_nr = 'A-000030'")
        )
        conn.execute(
            sa.text("UPDATE lagerbestand SET artikel_nr = 'DVD-RPMK' WHERE artikel_nr = 'A-000030'")
        )
    with shop.begin() as conn:
        conn.execute(
            sa.text("UPDATE products SET products_model = 'DVD-RPMK' WHERE products_id = 5")
        )
    reports = sync(bo, shop, full=True)
    rejected = reports["products"].set_aside.set_index("key")
    assert rejected.loc["DVD-RPMK", "reason"].startswith(
        "article number (products_model) is held by several shop rows"
    )
    assert rejected.loc["DVD-RPMK", "value"] == "dvd-rpmk (shop ids 4, 5)"
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = 'DVD-RPMK'") == 2


def test_stock_sync_sends_only_changes(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    (nr,) = synced_articles(bo, 1)
    with bo.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE lagerbestand SET bestand = 40, reserviert = 3 "
                "WHERE artikel_nr = :n AND lager_nr = 'HL'"
            ),
            {"n": nr},
        )
        conn.execute(
            sa.text("DELETE FROM lagerbestand WHERE artikel_nr = :n AND lager_nr <> 'HL'"),
            {"n": nr},
        )
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)
    report = sync(bo, shop, key="stock", entities=("stock",))["stock"]
    assert report.updated == 1
    assert (
        scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 37
    )
    # total stock as source: 40
    report = sync(
        bo, shop, key="total", entities=("stock",), tenant=settings(stock_source="total")
    )["stock"]
    assert (
        scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 40
    )

    # the shop sold some: incremental trusts what it sent, full compares with the shop
    with shop.begin() as conn:
        conn.execute(
            sa.text("UPDATE products SET products_quantity = 35 WHERE products_id = :p"), {"p": pid}
        )
    assert (
        sync(bo, shop, key="inc", entities=("stock",), tenant=settings(stock_source="total"))[
            "stock"
        ].updated
        == 0
    )
    report = sync(
        bo, shop, key="full", full=True, entities=("stock",), tenant=settings(stock_source="total")
    )["stock"]
    assert report.updated == 1
    assert (
        scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid) == 40
    )


def test_failed_load_leaves_the_shop_untouched(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    sync(bo, shop, full=True, key="first", entities=("categories",))
    with shop.begin() as conn:  # the last of the three product writes will fail
        conn.execute(sa.text("RENAME TABLE products_to_categories TO p2c_away"))
    before = fingerprint(shop, skip="products_to_categories")
    with pytest.raises(sa.exc.ProgrammingError):
        sync(bo, shop, full=True, key="broken", entities=("products",))
    assert fingerprint(shop, skip="products_to_categories") == before
    assert scalar(bo, "SELECT COUNT(*) FROM artikel WHERE osc_products_id IS NOT NULL") == 0


def test_master_id_goes_into_the_shops_master_column_when_it_has_one(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    with shop.begin() as conn:  # the "Master Products" add-on's column
        conn.execute(sa.text("ALTER TABLE products ADD COLUMN products_master VARCHAR(30) NULL"))
    with bo.connect() as conn:
        masters = dict(conn.execute(sa.text(
            "SELECT artikel_nr, master_id FROM artikel WHERE master_id IS NOT NULL AND im_web = 1 "
            "AND artikel_nr LIKE 'A-%'")).all())
    assert masters, "the demo data has article variants"
    sync(bo, shop, full=True)
    with shop.connect() as conn:
        written = dict(conn.execute(sa.text(
            "SELECT products_model, products_master FROM products WHERE products_master IS NOT NULL")).all())
    assert {nr: written.get(nr) for nr in masters} == masters
    # a changed master id is an update like any other column
    nr = next(iter(masters))
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE artikel SET master_id = NULL, geaendert_am = :t WHERE artikel_nr = :n"),
                     {"t": LATER, "n": nr})
    assert sync(bo, shop, key="second")["products"].updated == 1
    assert scalar(shop, "SELECT products_master FROM products WHERE products_model = :n", n=nr) is None


def test_changed_subgroup_keeps_its_parent_in_an_incremental_run(bo, flavoured_shop, staging):
    shop = flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    with bo.connect() as conn:
        nr, parent = conn.execute(sa.text(
            "SELECT w.warengruppe_nr, w.ober_warengruppe_nr FROM warengruppe w "
            "JOIN warengruppe p ON p.warengruppe_nr = w.ober_warengruppe_nr "
            "WHERE w.osc_categories_id IS NOT NULL AND p.osc_categories_id IS NOT NULL "
            "ORDER BY w.warengruppe_nr LIMIT 1")).one()
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE warengruppe_text SET bezeichnung = 'Neue Töpfe', geaendert_am = :t "
                             "WHERE warengruppe_nr = :n AND sprache = 'D'"), {"t": LATER, "n": nr})
    report = sync(bo, shop, key="second")["categories"]
    assert (report.updated, report.inserted) == (1, 0)
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = :n", n=nr)
    parent_cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = :n", n=parent)
    assert scalar(shop, "SELECT parent_id FROM categories WHERE categories_id = :c", c=cid) == parent_cid
    assert scalar(shop, "SELECT categories_name FROM categories_description WHERE categories_id = :c "
                  "AND language_id = 2", c=cid) == "Neue Töpfe"
    assert sync(bo, shop, key="third")["categories"].updated == 0
