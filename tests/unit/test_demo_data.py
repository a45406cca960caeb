"""Demo data generator on SQLite: determinism, sizes, dirty cases, osCommerce limits."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import inspect, text

from bo_oscommerce_fixtures import demo_bo
from bo_oscommerce_fixtures.demo_bo import DemoSummary, generate
from bo_oscommerce_fixtures.reference_bo import (
    create_reference_schema,
    drop_reference_schema,
    reference_table_names,
)

SIZE = 300
DIRTY_ARTICLES = {
    "A-12345678901234", "X-000001", "X-000002", "X-000003", "X-000004", "X-000005",
    "X-000006", "X-000007", "X-000008", "X-000009", "X-000010",
}  # fmt: skip
DIRTY_CONTACTS = {str(900_000 + n) for n in range(1, 11)}


def _build(path: Path, articles: int = SIZE, seed: int = 7) -> tuple[Path, DemoSummary]:
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        create_reference_schema(engine)
        summary = generate(engine, articles=articles, seed=seed)
    finally:
        engine.dispose()
    return path, summary


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _has_4_byte_char(value: str | None) -> bool:
    return value is not None and any(ord(ch) > 0xFFFF for ch in value)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    return _build(tmp_path_factory.mktemp("demo") / "bo.db")


def test_same_seed_gives_identical_data(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    path, summary = demo
    other, other_summary = _build(tmp_path / "again.db")
    assert _dump(other) == _dump(path)
    assert other_summary == summary


def test_other_seed_differs(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    path, _ = demo
    other, _ = _build(tmp_path / "seed8.db", seed=8)
    query = "SELECT * FROM artikel ORDER BY artikel_nr"
    assert _rows(other, query) != _rows(path, query)


def test_counts_follow_the_size(demo: tuple[Path, DemoSummary]) -> None:
    path, summary = demo
    for name in reference_table_names():
        count = _rows(path, f"SELECT COUNT(*) FROM {name}")[0][0]
        assert summary.counts.get(name, 0) == count, name
    assert summary.counts["artikel"] == SIZE + len(DIRTY_ARTICLES)
    assert _rows(path, "SELECT COUNT(*) FROM artikel WHERE artikel_nr LIKE 'A-______'") == [(SIZE,)]
    assert summary.counts["gespraechspartner"] == SIZE // 10 + len(DIRTY_CONTACTS)
    assert summary.counts["adresse"] == summary.counts["gespraechspartner"]
    assert 20 <= summary.counts["warengruppe"] - 2 <= len(demo_bo.GROUPS)
    # the dirty set does not depend on the size
    assert set(summary.dirty_articles) == DIRTY_ARTICLES


def test_group_count_scales_mildly() -> None:
    assert demo_bo.group_count(200) == 20
    assert demo_bo.group_count(15_000) == 30
    assert demo_bo.group_count(100_000) == len(demo_bo.GROUPS)


def test_every_dirty_case_is_present(demo: tuple[Path, DemoSummary]) -> None:
    path, summary = demo
    art = {
        r[0]: r
        for r in _rows(
            path,
            "SELECT artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel, listenpreis,"
            " ladenpreis FROM artikel WHERE artikel_nr NOT LIKE 'A-______'",
        )
    }
    assert set(art) == DIRTY_ARTICLES
    assert len("A-12345678901234") > 12
    assert len(art["X-000001"][1]) > 64
    assert art["X-000002"][4:] == (None, None)
    assert art["X-000003"][4] < 0 and art["X-000003"][5] < 0
    assert _rows(
        path, "SELECT bestand FROM lagerbestand WHERE artikel_nr = 'X-000004' AND lager_nr = 'HL'"
    ) == [(-5,)]
    tax_keys = {r[0] for r in _rows(path, "SELECT ust_schluessel FROM umsatzsteuer")}
    assert art["X-000005"][3] == "7" and "7" not in tax_keys
    assert art["X-000006"][3] == "0"
    assert _rows(path, "SELECT osc_tax_class_id FROM umsatzsteuer WHERE ust_schluessel = '0'") == [
        (None,)
    ]
    groups = dict(_rows(path, "SELECT warengruppe_nr, ober_warengruppe_nr FROM warengruppe"))
    assert art["X-000007"][2] == "WG999" and "WG999" not in groups
    assert _has_4_byte_char(art["X-000008"][1])
    texts = _rows(path, "SELECT internettext FROM artikel_text WHERE artikel_nr = 'X-000009'")
    assert any(_has_4_byte_char(t) for (t,) in texts)
    assert groups["WG901"] == "WG902" and groups["WG902"] == "WG901"
    assert art["X-000010"][2] == "WG901"
    assert _rows(
        path, "SELECT im_web FROM warengruppe WHERE warengruppe_nr IN ('WG901', 'WG902')"
    ) == [(1,), (1,)]

    gp = {
        str(r[0]): r
        for r in _rows(
            path,
            "SELECT g.gp_id, g.vorname, g.nachname, g.email, s.iso2,"
            " s.osc_countries_id FROM gespraechspartner g"
            " JOIN adresse a ON a.adress_nr = g.adress_nr"
            " JOIN staat s ON s.staat_id = a.staat_id",
        )
    }
    assert set(summary.dirty_contacts) == DIRTY_CONTACTS
    assert _has_4_byte_char(gp["900001"][1])
    assert gp["900005"][3] is None and gp["900006"][3] == "kai.falsch@"
    assert gp["900007"][3] == "  eva.leer@example.com "
    dirty = dict(_rows(path, "SELECT g.gp_id, a.plz FROM gespraechspartner g JOIN adresse a "
                             "ON a.adress_nr = g.adress_nr WHERE g.gp_id > 900000"))
    assert dirty[900008] is None
    born = dict(_rows(path, "SELECT gp_id, geburtstag FROM gespraechspartner WHERE gp_id > 900008"))
    assert {k: str(v)[:4] for k, v in born.items()} == {900009: "2999", 900010: "1850"}
    dup = gp["900002"][3]
    assert dup != gp["1"][3] and dup.lower() == gp["1"][3]
    assert gp["900003"][4:] == ("LI", None)
    assert len(gp["900004"][2]) == 60

    assert set(summary.dirty_groups) == {"WG130", "WG340", "WG420", "WG901", "WG902"}


def test_group_tree(demo: tuple[Path, DemoSummary]) -> None:
    path, _ = demo
    rows = _rows(
        path,
        "SELECT warengruppe_nr, bezeichnung, ober_warengruppe_nr, im_web"
        " FROM warengruppe WHERE warengruppe_nr NOT IN ('WG901', 'WG902')",
    )
    parent = {nr: p for nr, _, p, _ in rows}
    assert all(p is None or p in parent for p in parent.values())

    def depth(nr: str) -> int:
        return 1 if parent[nr] is None else 1 + depth(parent[nr])

    assert max(depth(nr) for nr in parent) == 3
    offline = {nr for nr, _, _, web in rows if web == 0}
    assert offline == {nr for nr in parent if nr == "WG500" or parent[nr] == "WG500"}
    assert any(len(name) > 32 for _, name, _, _ in rows)
    english = {
        nr
        for (nr,) in _rows(path, "SELECT warengruppe_nr FROM warengruppe_text WHERE sprache = 'E'")
    }
    assert set(parent) - english == {"WG130", "WG420"}
    assert any(ch in name for _, name, _, _ in rows for ch in "äöü")


def test_clean_rows_fit_oscommerce(demo: tuple[Path, DemoSummary]) -> None:
    path, _ = demo
    groups = dict(_rows(path, "SELECT warengruppe_nr, ober_warengruppe_nr FROM warengruppe"))
    leaves = set(groups) - set(groups.values())
    tax_keys = {
        k
        for (k,) in _rows(
            path, "SELECT ust_schluessel FROM umsatzsteuer WHERE osc_tax_class_id IS NOT NULL"
        )
    }
    articles = _rows(
        path,
        "SELECT artikel_nr, bezeichnung, warengruppe_nr, ust_schluessel,"
        " listenpreis, ladenpreis, bildpfad, master_id, osc_products_id,"
        " geaendert_am FROM artikel WHERE artikel_nr LIKE 'A-______'",
    )
    assert len(articles) == SIZE
    numbers = {a[0] for a in articles}
    for nr, name, group, ust, net, gross, image, master, osc_id, changed in articles:
        assert len(nr) <= 12 and len(name) <= 64 and not _has_4_byte_char(name)
        assert group in leaves and ust in tax_keys
        assert 0 < net < gross and round(gross * 100) % 100 == 99
        assert image is None or len(image) <= 64
        assert master is None or master in numbers
        assert osc_id is None
        assert changed == "2026-11-01 08:00:00"
    assert sum(1 for a in articles if a[7]) >= 2  # some variants
    assert {a[3] for a in articles} == {"1", "2"}

    texts = _rows(
        path,
        "SELECT t.sprache, t.bezeichnung, t.internettext FROM artikel_text t"
        " WHERE t.artikel_nr LIKE 'A-______'",
    )
    assert {lang for lang, _, _ in texts} == {"D", "E"}
    assert all(len(name) <= 64 and not _has_4_byte_char(text_) for _, name, text_ in texts)
    german = " ".join(t for lang, _, t in texts if lang == "D")
    assert all(ch in german for ch in "äöüß€")
    web = _rows(
        path,
        "SELECT COUNT(*) FROM artikel a WHERE a.im_web = 1 AND NOT EXISTS"
        " (SELECT 1 FROM artikel_text t WHERE t.artikel_nr = a.artikel_nr"
        " AND t.sprache = 'D')",
    )
    assert web == [(0,)]

    contacts = _rows(
        path,
        "SELECT g.email, a.plz, g.nachname FROM gespraechspartner g"
        " JOIN adresse a ON a.adress_nr = g.adress_nr WHERE g.gp_id < 900000",
    )
    emails = [e for e, _, _ in contacts]
    assert len({e.lower() for e in emails}) == len(emails)
    assert all(e == e.lower() and e.isascii() for e in emails)
    assert all(len(plz) == 5 and plz.isdigit() for _, plz, _ in contacts)
    assert all(len(name) <= 32 for _, _, name in contacts)

    stock = _rows(
        path,
        "SELECT lager_nr, COUNT(*) FROM lagerbestand"
        " WHERE artikel_nr LIKE 'A-______' GROUP BY lager_nr ORDER BY lager_nr",
    )
    assert stock[1] == ("HL", SIZE) and 0 < stock[0][1] < SIZE


def test_base_time_is_a_parameter(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'bt.db'}")
    create_reference_schema(engine)
    generate(engine, articles=20, base_time=datetime(2027, 1, 2, 3, 4, 5))
    with engine.connect() as conn:
        stamps = conn.execute(text("SELECT DISTINCT geaendert_am FROM artikel")).all()
    engine.dispose()
    assert stamps == [("2027-01-02 03:04:05",)]


def test_schema_creates_again_and_drops(tmp_path: Path) -> None:
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'second.db'}")
    create_reference_schema(engine)
    assert set(reference_table_names()) <= set(inspect(engine).get_table_names())
    drop_reference_schema(engine)
    drop_reference_schema(engine)  # nothing left: still fine
    assert inspect(engine).get_table_names() == []
    create_reference_schema(engine)
    assert len(inspect(engine).get_table_names()) == len(reference_table_names())
    engine.dispose()


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert demo_bo.main(["--url", url, "--articles", "30"]) == 0
    assert "X-000010" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        demo_bo.main(["--url", url, "--articles", "30"])  # not empty
    assert demo_bo.main(["--url", url, "--articles", "40", "--reset"]) == 0
    assert _rows(tmp_path / "cli.db", "SELECT COUNT(*) FROM artikel") == [(40 + 11,)]
