"""The catalog in chunks (ADR 13), against a real osCommerce shop on MariaDB: chunks write
what one chunk writes, articles whose keys compare equal meet in one chunk, and a chunk whose
write-back BO refuses stops the run there, which the next run completes without duplicates."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa
from tests.conftest import (
    _drop_database,
    _new_database,
    add_german_language,
    load_upstream_sql,
    shop_engine,
)
from tests.integration.conftest import bo_engine, fingerprint, make_bo, rows, settings, sync, touch

from bo_oscommerce.connections import Endpoint, create_engine_for

pytestmark = pytest.mark.integration

SMALL = settings(catalog_chunk_rows=100)  # 120 articles, 222 text rows: several chunks
# the shop's content by article number, not by id: chunks reserve ids in another order
SHOP_CONTENT = (
    "SELECT p.products_model, p.products_price, p.products_weight, p.products_status, "
    "p.products_quantity, p.products_tax_class_id, d.language_id, d.products_name, "
    "d.products_description, cd.categories_name "
    "FROM products p JOIN products_description d ON d.products_id = p.products_id "
    "LEFT JOIN products_to_categories pc ON pc.products_id = p.products_id "
    "LEFT JOIN categories_description cd ON cd.categories_id = pc.categories_id "
    "AND cd.language_id = d.language_id ORDER BY 1, 7"
)
BO_LINKS = (
    "SELECT a.artikel_nr, a.osc_menge, a.osc_texte, a.osc_abgleich_stand "
    "FROM artikel a WHERE a.osc_products_id IS NOT NULL ORDER BY 1"
)
CASE_TWINS = (
    "INSERT INTO artikel (artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, listenpreis, "
    "ladenpreis, gewicht, im_web, web_sichtbar, geaendert_am) VALUES "
    "('A-000000', 'Zwilling groß', 'WG111', '1', 10, 11.9, 1, 1, 1, :t), "
    "('a-000000 ', 'Zwilling klein', 'WG111', '1', 10, 11.9, 1, 1, 1, :t)"
)


@pytest.fixture
def two_shops(mariadb_server):
    """Two upstream shops, each as ``upstream_shop`` builds it."""
    made = []
    try:
        for _ in range(2):
            name = _new_database(mariadb_server)
            made.append((name, shop_engine(mariadb_server.url(name))))
            load_upstream_sql(mariadb_server, name)
            with made[-1][1].begin() as conn:
                add_german_language(conn)
        yield [engine for _, engine in made]
    finally:
        for name, engine in made:
            engine.dispose()
            _drop_database(mariadb_server, name)


@pytest.fixture
def two_bos(tmp_path, mariadb_server):
    """Two identical reference BOs on SQLite, with two articles whose numbers differ only in
    case and a trailing space (they sort far apart, so they fall into different parts)."""
    engine, _ = bo_engine("sqlite", tmp_path, None)
    make_bo(engine)
    touch(engine, CASE_TWINS)
    engine.dispose()
    shutil.copy(tmp_path / "bo.db", tmp_path / "bo2.db")
    engines = [_sqlite_bo(tmp_path / "bo.db"), _sqlite_bo(tmp_path / "bo2.db")]
    yield engines
    for engine in engines:
        engine.dispose()


def _sqlite_bo(path) -> sa.Engine:
    url = sa.URL.create("sqlite", database=f"file:{path}", query={"mode": "rw", "uri": "true"})
    return create_engine_for(Endpoint("bo_it", url))


def _summary(reports):
    return {
        entity: (r.extracted, r.inserted, r.updated, r.unchanged, r.hidden, r.written_back,
                 r.reasons(), sorted(map(sorted, r.cleaned.values())))
        for entity, r in reports.items()
    }  # fmt: skip


def test_chunks_write_what_one_chunk_writes(two_bos, two_shops, staging):
    (bo_whole, bo_chunks), (shop_whole, shop_chunks) = two_bos, two_shops
    whole = sync(bo_whole, shop_whole, full=True, key="whole")
    chunked = sync(bo_chunks, shop_chunks, full=True, key="chunks", tenant=SMALL)

    assert any(n.startswith("done in ") and "chunks" in n for n in chunked["products"].notes)
    assert not any(n.startswith("done in ") for n in whole["products"].notes)
    assert _summary(chunked) == _summary(whole)
    assert whole["products"].inserted > 100
    assert rows(shop_chunks, SHOP_CONTENT) == rows(shop_whole, SHOP_CONTENT)
    assert rows(bo_chunks, BO_LINKS) == rows(bo_whole, BO_LINKS)
    # the twins met in one chunk: the identity rule saw both, as in one chunk
    twins = "SELECT COUNT(*) FROM products WHERE products_model IN ('A-000000', 'a-000000')"
    assert rows(shop_chunks, twins) == rows(shop_whole, twins)

    # nothing changed: neither an incremental nor a full run in chunks writes anything
    before = fingerprint(shop_chunks)
    again = sync(bo_chunks, shop_chunks, key="again", tenant=SMALL)
    full_again = sync(bo_chunks, shop_chunks, full=True, key="full-again", tenant=SMALL)
    assert fingerprint(shop_chunks) == before
    for report in (*again.values(), *full_again.values()):
        assert (report.inserted, report.updated, report.hidden) == (0, 0, 0), report.entity


def test_a_refused_chunk_stops_the_run_and_the_next_run_completes_it(two_bos, two_shops, staging):
    bo, shop = two_bos[1], two_shops[1]
    touch(bo, "CREATE TRIGGER refuse BEFORE UPDATE OF osc_products_id ON artikel "
              "WHEN NEW.artikel_nr = 'A-000060' BEGIN SELECT RAISE(ABORT, 'refused'); END")  # fmt: skip
    first = sync(bo, shop, full=True, key="refused", tenant=SMALL)["products"]
    assert first.failed and "refused" in first.failed
    in_shop = rows(shop, "SELECT products_model FROM products WHERE products_model LIKE 'A-%'")
    models = {m for (m,) in in_shop}
    assert "A-000001" in models and "A-000060" in models  # chunks up to the refused one
    assert "A-000120" not in models  # later chunks not started

    touch(bo, "DROP TRIGGER refuse")
    second = sync(bo, shop, full=True, key="healed", tenant=SMALL)["products"]
    assert second.failed is None
    duplicates = rows(
        shop, "SELECT BINARY products_model FROM products GROUP BY BINARY products_model "
        "HAVING COUNT(*) > 1"
    )
    assert duplicates == []
    linked = rows(bo, "SELECT COUNT(*) FROM artikel a WHERE a.osc_products_id IS NOT NULL")[0][0]
    shop_products = rows(shop, "SELECT COUNT(*) FROM products WHERE products_model REGEXP '^[AaX]-'")[0][0]
    assert linked == shop_products
    assert "A-000120" in {m for (m,) in rows(shop, "SELECT products_model FROM products")}
