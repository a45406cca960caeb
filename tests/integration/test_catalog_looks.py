"""The looks inside an incremental catalog run, against a real shop on MariaDB and a real BO.
The products step's drift check: what the shop changed behind BO's back (a product hidden or
deleted in the shop admin) is put right by the next incremental run, though BO did not
change. The stock step: a booking is sent, even one that moved no change stamp. While
neither side changes, each costs a few aggregates instead of reading the whole catalog."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows, scalar, sync, touch

from bo_oscommerce.bo import io as bo_io

pytestmark = pytest.mark.integration


@pytest.fixture
def whole_reads(monkeypatch):
    """Names of the BO queries the runs made (the real queries, counted)."""
    made: list[str] = []
    for reader in ("query", "query_parts"):
        real = getattr(bo_io, reader)

        def counted(engine, name, *args, _real=real, **kwargs):
            made.append(name)
            return _real(engine, name, *args, **kwargs)

        monkeypatch.setattr(bo_io, reader, counted)
    return made


def _pid(bo, nr: str) -> int:
    return scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)


def test_quiet_runs_skip_the_whole_check_and_a_shop_change_is_put_right(
    bo_mariadb, flavoured_shop, staging, whole_reads
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    sync(bo, shop, key="second")  # checks in full, finds nothing: keeps the marks
    assert whole_reads.count("extract_artikel_verknuepft") == 1
    sync(bo, shop, key="third")
    assert whole_reads.count("extract_artikel_verknuepft") == 1  # nothing changed: skipped

    hidden, gone = _pid(bo, "A-000002"), _pid(bo, "A-000003")
    with shop.begin() as conn:  # the admin hides one product and deletes another
        conn.execute(sa.text("UPDATE products SET products_status = 0, products_last_modified "
                             "= NOW() WHERE products_id = :p"), {"p": hidden})  # fmt: skip
        for table in ("products_description", "products_to_categories", "products"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE products_id = :p"), {"p": gone})
    report = sync(bo, shop, key="fourth")["products"]
    assert whole_reads.count("extract_artikel_verknuepft") == 2
    assert rows(shop, "SELECT products_status FROM products WHERE products_id = :p", p=hidden) == [(1,)]
    recreated = _pid(bo, "A-000003")
    assert recreated != gone
    assert rows(shop, "SELECT products_model, products_status FROM products WHERE products_id = :p",
                p=recreated) == [("A-000003", 1)]  # fmt: skip
    assert report.inserted == 1 and report.updated == 1

    sync(bo, shop, key="fifth")  # the fourth run wrote: checked again, nothing found
    sync(bo, shop, key="sixth")
    assert whole_reads.count("extract_artikel_verknuepft") == 3


def test_a_link_cleared_in_bo_makes_the_next_run_check_again(
    bo_mariadb, flavoured_shop, staging, whole_reads
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    sync(bo, shop, key="second")
    linked = scalar(bo, "SELECT MIN(artikel_nr) FROM artikel WHERE osc_products_id IS NOT NULL")
    with bo.begin() as conn:  # no change stamp moves: only the link count does
        conn.execute(sa.text("UPDATE artikel SET osc_products_id = NULL WHERE artikel_nr = :n"),
                     {"n": linked})  # fmt: skip
    sync(bo, shop, key="third")
    assert whole_reads.count("extract_artikel_verknuepft") == 2


def test_stock_is_read_again_only_when_bo_moved_and_a_quiet_booking_is_sent(
    bo_mariadb, flavoured_shop, staging, whole_reads
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    sync(bo, shop, key="second")  # reads BO's stock, sends nothing: keeps the marks
    quiet = sync(bo, shop, key="third")["stock"]
    assert whole_reads.count("extract_lagerbestand") == 2  # the full run's and the second's
    assert quiet.updated == 0 and "not read again" in " ".join(quiet.notes)

    nr, pid = rows(bo, "SELECT artikel_nr, osc_products_id FROM artikel WHERE osc_products_id "
                       "IS NOT NULL AND osc_menge > 0 ORDER BY artikel_nr")[0]  # fmt: skip
    before = scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid)
    with bo.begin() as conn:  # a booking that moves no change stamp
        conn.execute(sa.text("UPDATE lagerbestand SET bestand = bestand + 5 WHERE artikel_nr = :n "
                             "AND lager_nr = (SELECT MIN(lager_nr) FROM lagerbestand "
                             "WHERE artikel_nr = :n)"), {"n": nr})  # fmt: skip
    assert sync(bo, shop, key="fourth")["stock"].updated == 1
    after = scalar(shop, "SELECT products_quantity FROM products WHERE products_id = :p", p=pid)
    assert after == before + 5
    sync(bo, shop, key="fifth")  # the fourth sent and wrote back: read again, nothing to send
    assert sync(bo, shop, key="sixth")["stock"].updated == 0
    assert whole_reads.count("extract_lagerbestand") == 4


def test_an_article_set_aside_in_the_shop_does_not_keep_the_check_running(
    bo_mariadb, flavoured_shop, staging, whole_reads
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    touch(bo, "UPDATE artikel SET ladenpreis = NULL, geaendert_am = :t WHERE artikel_nr = 'A-000002'")
    report = sync(bo, shop, key="second")["products"]  # set aside and hidden: BO changed
    assert report.hidden_by_reason == {
        "set aside after it was in the shop (see the set-aside reasons)": ["A-000002"]
    }
    sync(bo, shop, key="third")  # the shop changed: checked; the hidden article is as meant
    checks = whole_reads.count("extract_artikel_verknuepft")
    sync(bo, shop, key="fourth")
    sync(bo, shop, key="fifth")
    assert whole_reads.count("extract_artikel_verknuepft") == checks
    assert rows(shop, "SELECT products_status FROM products WHERE products_model = 'A-000002'") == [(0,)]


@pytest.fixture
def text_questions(monkeypatch):
    """Per extract of the articles: whether it asked every article about its texts."""
    asked: list[int] = []
    real = bo_io.query_parts

    def recorded(engine, name, params=None, *args, **kwargs):
        if name == "extract_artikel":
            asked.append(params["texte_pruefen"])
        return real(engine, name, params, *args, **kwargs)

    monkeypatch.setattr(bo_io, "query_parts", recorded)
    return asked


def _names(shop, model: str) -> dict[str, str]:
    return dict(rows(shop, "SELECT l.code, d.products_name FROM products p JOIN products_description d "
                           "ON d.products_id = p.products_id JOIN languages l ON l.languages_id = "
                           "d.language_id WHERE p.products_model = :m", m=model))  # fmt: skip


def test_texts_are_asked_about_only_while_they_change_and_every_text_change_arrives(
    bo_mariadb, flavoured_shop, staging, text_questions
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    first, second, third = [nr for (nr,) in rows(bo, (
        "SELECT a.artikel_nr FROM artikel a WHERE a.osc_products_id IS NOT NULL AND 2 = "
        "(SELECT COUNT(*) FROM artikel_text t WHERE t.artikel_nr = a.artikel_nr) ORDER BY 1"
    ))][:3]  # fmt: skip
    sync(bo, shop, key="second")  # no marks yet: asks, finds no article due for its texts
    sync(bo, shop, key="third")
    assert text_questions == [1, 1, 0]  # the quiet third run asks only the articles' columns

    # a text changed alone, the article's own row untouched
    touch(bo, "UPDATE artikel_text SET bezeichnung = 'Neuer Name', geaendert_am = :t "
              "WHERE artikel_nr = :n AND sprache = 'D'", n=first)  # fmt: skip
    assert sync(bo, shop, key="fourth")["products"].updated == 1
    assert _names(shop, first)["de"] == "Neuer Name"
    sync(bo, shop, key="fifth")  # the fourth found an article due for its text: asks again
    sync(bo, shop, key="sixth")
    assert text_questions[3:] == [1, 1, 0]

    # another text changed within the second of the latest change: the latest stamp stays
    touch(bo, "UPDATE artikel_text SET bezeichnung = 'Zweiter Name', geaendert_am = :t "
              "WHERE artikel_nr = :n AND sprache = 'D'", n=second)  # fmt: skip
    assert sync(bo, shop, key="seventh")["products"].updated == 1
    assert _names(shop, second)["de"] == "Zweiter Name"

    # a text deleted: no stamp moves, only the count of texts
    sync(bo, shop, key="eighth")
    german = _names(shop, third)["de"]
    assert _names(shop, third)["en"] != german
    with bo.begin() as conn:
        conn.execute(sa.text("DELETE FROM artikel_text WHERE artikel_nr = :n AND sprache = 'E'"),
                     {"n": third})  # fmt: skip
    assert sync(bo, shop, key="ninth")["products"].updated == 1
    assert _names(shop, third)["en"] == german
    assert text_questions[6:] == [1, 1, 1]


def test_deleted_articles_are_searched_for_only_when_bo_articles_or_links_changed(
    bo_mariadb, flavoured_shop, staging, whole_reads
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    sync(bo, shop, key="second")  # searches, finds none: keeps BO's links as marks
    sync(bo, shop, key="third")
    assert whole_reads.count("extract_artikel_geloescht") == 2  # the first's, the second's

    # a link cleared in BO (the sync's own record of it stays), then that article deleted:
    # no link count moves with the deletion, only the count of articles
    nr = scalar(bo, "SELECT MIN(artikel_nr) FROM artikel WHERE osc_products_id IS NOT NULL")
    pid = _pid(bo, nr)
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE artikel SET osc_products_id = NULL WHERE artikel_nr = :n"),
                     {"n": nr})  # fmt: skip
    sync(bo, shop, key="fourth")
    sync(bo, shop, key="fifth")
    assert whole_reads.count("extract_artikel_geloescht") == 3
    assert rows(shop, "SELECT products_status FROM products WHERE products_id = :p", p=pid) == [(1,)]
    with bo.begin() as conn:
        for table in ("artikel_text", "lagerbestand", "artikel"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE artikel_nr = :n"), {"n": nr})
    report = sync(bo, shop, key="sixth")["products"]
    assert whole_reads.count("extract_artikel_geloescht") == 4
    assert report.hidden_by_reason == {"article was deleted in BO": [nr]}
    assert rows(shop, "SELECT products_status, products_quantity FROM products "
                      "WHERE products_id = :p", p=pid) == [(0, 0)]  # fmt: skip


@pytest.fixture
def category_builds(monkeypatch):
    """How often the categories step built its rows (the real rules, counted)."""
    from bo_oscommerce.sync import categories

    built: list[int] = []
    real = categories.build_categories

    def counted(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(categories, "build_categories", counted)
    return built


def _figures(report) -> tuple:
    return (
        report.extracted, report.inserted, report.updated, report.unchanged,
        sorted(map(tuple, report.set_aside[["key", "reason"]].values.tolist())),
        report.cleaned,
    )  # fmt: skip


def test_categories_with_the_inputs_of_a_run_that_wrote_nothing_report_its_outcome(
    bo_mariadb, flavoured_shop, staging, category_builds
):
    bo, shop = bo_mariadb, flavoured_shop.engine
    sync(bo, shop, full=True, key="first")
    second = sync(bo, shop, key="second")["categories"]  # builds, writes nothing: keeps
    third = sync(bo, shop, key="third")["categories"]
    assert len(category_builds) == 2  # the full run's and the second's
    assert _figures(third) == _figures(second)
    assert second.set_aside.shape[0] > 0  # the demo's cycle groups, still named every run
    assert "which wrote nothing" in " ".join(third.notes)

    # the shop admin deletes a category: the inputs differ, the step runs and repairs it
    cid = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM categories WHERE categories_id = :c"), {"c": cid})
        conn.execute(sa.text("DELETE FROM categories_description WHERE categories_id = :c"), {"c": cid})
    fourth = sync(bo, shop, key="fourth")["categories"]
    assert len(category_builds) == 3 and fourth.inserted == 1
    assert scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'") > cid

    # a group renamed in BO: built again, the category renamed in the shop
    touch(bo, "UPDATE warengruppe_text SET bezeichnung = 'Stifte', geaendert_am = :t "
              "WHERE warengruppe_nr = 'WG410' AND sprache = 'D'")  # fmt: skip
    sync(bo, shop, key="fifth")  # the fourth wrote: built; the fifth writes the rename
    assert len(category_builds) == 4
    renamed = scalar(bo, "SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = 'WG410'")
    assert scalar(shop, "SELECT categories_name FROM categories_description WHERE categories_id = :c "
                        "AND language_id = 2", c=renamed) == "Stifte"  # fmt: skip
