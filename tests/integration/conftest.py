"""Integration fixtures: a BO (reference schema, demo data) on SQLite or MariaDB, built through
the same engine code the DAGs use, and helpers that run the catalog steps like a DAG run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from tests.conftest import MariaDBServer, _drop_database, _new_database

from bo_oscommerce.config import parse_config
from bo_oscommerce.connections import Endpoint, create_engine_for
from bo_oscommerce.sync.categories import sync_categories
from bo_oscommerce.sync.products import sync_products
from bo_oscommerce.sync.run import Run, extract
from bo_oscommerce.sync.stock import sync_stock
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

RUN_AT = datetime(2026, 11, 26, 12, 0, 0)
LATER = datetime(2026, 11, 3, 10, 0, 0)
CATALOG_TABLES = [
    "categories",
    "categories_description",
    "products",
    "products_description",
    "products_to_categories",
]
BO_SYNC_COLUMNS = {
    "warengruppe": "warengruppe_nr, osc_categories_id, osc_abgleich_stand, osc_texte",
    "artikel": "artikel_nr, osc_products_id, osc_abgleich_stand, osc_menge, osc_texte",
    "osc_bindung": "entitaet, bo_schluessel, osc_id, osc_schluessel",
}


@pytest.fixture
def staging(tmp_path, monkeypatch):
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    return tmp_path


def bo_engine(kind: str, tmp_path, server: MariaDBServer | None) -> tuple[sa.Engine, str | None]:
    """A BO engine built like the DAGs build theirs; for MariaDB also the database name."""
    if kind == "sqlite":
        path = tmp_path / "bo.db"
        sa.create_engine(f"sqlite:///{path}").dispose()
        path.touch()
        url = sa.URL.create("sqlite", database=f"file:{path}", query={"mode": "rw", "uri": "true"})
        return create_engine_for(Endpoint("bo_it", url)), None
    database = _new_database(server)
    url = sa.make_url(server.url(database))
    return create_engine_for(Endpoint("bo_it", url)), database


def make_bo(engine: sa.Engine, articles: int = 120) -> None:
    create_reference_schema(engine)
    generate(engine, articles=articles)
    with engine.begin() as conn:  # the upstream shop has tax class 1 only
        conn.execute(
            sa.text("UPDATE umsatzsteuer SET osc_tax_class_id = 1 WHERE ust_schluessel = '2'")
        )


@pytest.fixture(params=["sqlite", "mariadb"])
def bo(request, tmp_path, mariadb_server) -> Iterator[sa.Engine]:
    """The reference BO with 120 demo articles, on SQLite and on MariaDB."""
    yield from made_bo(make_bo, request.param, tmp_path, mariadb_server)


def made_bo(
    make: Callable[[sa.Engine], None], kind: str, tmp_path, server: MariaDBServer
) -> Iterator[sa.Engine]:
    """A BO of ``kind`` (sqlite, mariadb) filled by ``make``, dropped afterwards."""
    engine, database = bo_engine(kind, tmp_path, server)
    try:
        make(engine)
        yield engine
    finally:
        engine.dispose()
        if database:
            _drop_database(server, database)


@pytest.fixture
def bo_sqlite(tmp_path, mariadb_server) -> Iterator[sa.Engine]:
    engine, _ = bo_engine("sqlite", tmp_path, None)
    make_bo(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def bo_mariadb(tmp_path, mariadb_server) -> Iterator[sa.Engine]:
    engine, database = bo_engine("mariadb", tmp_path, mariadb_server)
    try:
        make_bo(engine)
        yield engine
    finally:
        engine.dispose()
        _drop_database(mariadb_server, database)


def settings(**overrides):
    tenant = {
        "bo_conn_id": "bo_it",
        "shop_conn_id": "shop_it",
        "price_source": "shop",
        "price_includes_vat": True,
        **overrides,
    }
    return parse_config({"tenants": {"it": tenant}}).get("it")


def sync(
    bo,
    shop,
    *,
    full=False,
    key="run",
    tenant=None,
    entities=("categories", "products", "stock"),
    run_at=RUN_AT,
    publish=True,
):
    """The catalog DAG's steps in order, like one DAG run (each step its own transaction)."""
    run = Run(tenant or settings(), bo, shop, f"test/{key}", run_at, full=full)
    paths = extract(run)["paths"]
    reports = {}
    if "categories" in entities:
        reports["categories"] = sync_categories(run, paths)
    if "products" in entities:
        reports["products"] = sync_products(run, paths)
    if "stock" in entities:
        reports["stock"] = sync_stock(run)
    if publish:
        for report in reports.values():
            report.publish(run.settings.id, run.run_key)
    return reports


def _digest(engine, queries: dict[str, str]) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for name, sql in queries.items():
            rows = conn.execute(sa.text(sql)).all()
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def fingerprint(engine, skip: str | None = None) -> dict[str, str]:
    """A digest of every catalog row of the shop, to prove that a run wrote nothing."""
    return _digest(
        engine, {t: f"SELECT * FROM {t} ORDER BY 1, 2" for t in CATALOG_TABLES if t != skip}
    )


def bo_fingerprint(engine) -> dict[str, str]:
    """A digest of every column the sync writes in BO (ids, markers, counts, links)."""
    return _digest(
        engine, {t: f"SELECT {cols} FROM {t} ORDER BY 1, 2" for t, cols in BO_SYNC_COLUMNS.items()}
    )


def scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).all()]


def touch(bo, sql, **params):
    """Change BO like BO does: the statement plus a newer change marker (LATER)."""
    with bo.begin() as conn:
        conn.execute(sa.text(sql), {"t": LATER, **params})


# --- a BO that knows the articles of shop-real-world.sql (Fahrradhaus Wiesengrund) -----------

REAL_WORLD_ARTICLES = {
    "FW-1001": ("Fahrradhelm Urban", "1"), "FW-1002": ("Faltschloss Protect 85", "1"),
    "FW-1003": ("Trinkflasche 750 ml", "1"), "FW-1004": ("Radwanderführer Münsterland", "2"),
    "FW-1005": ("Kettenöl-Probe 10 ml", "1"), "FW-1006": ("Standpumpe Alu Pro", "1"),
    "FW-1007": ("Flickzeug-Set", "1"), "FW-1008": ("Radhandschuhe Sommer", "1"),
    "FW-1009": ("Gepäckträgertasche 20 l", "1"), "FW-1010": ("LED-Lichtset StVZO", "1"),
}  # fmt: skip


# --- a BO that knows the articles of shop-phoenix-with-orders.sql (Haushaltswaren Demo-Shop) ---

PHOENIX_ARTICLES = {
    "HW-1001": ("Crêpepfanne Keramik, 28 cm", "1"), "HW-1002": ("Geschirrtuch Leinen", "1"),
    "HW-1003": ("Espressokocher für 6 Tassen", "1"), "KT-2001": ("Espresso-Bohnen, 500 g", "2"),
    "KT-2002": ("Grüner Tee Sencha, 100 g", "2"),
}  # fmt: skip
REAL_WORLD_STATES = [(1, "DE", "Deutschland", 81), (2, "AT", "Österreich", 14)]
PHOENIX_STATES = [*REAL_WORLD_STATES, (3, "GB", "Vereinigtes Königreich", 222)]


def make_shop_bo(engine: sa.Engine, articles: dict[str, tuple[str, str]], states: list[tuple]) -> None:
    """The reference schema with a shop's articles (linked to its products 1..n), the
    countries, VAT keys, empty number ranges, and no contacts."""
    create_reference_schema(engine)
    at = datetime(2026, 11, 30, 9, 0, 0)
    with engine.begin() as conn:
        run = conn.execute
        for state in states:
            run(sa.text("INSERT INTO staat VALUES (:i, :iso, :n, :c)"),
                dict(zip(("i", "iso", "n", "c"), state, strict=True)))  # fmt: skip
        run(sa.text("INSERT INTO umsatzsteuer VALUES ('1', 'Regelsteuersatz', 19, 1), ('2', 'Ermäßigt', 7, 2)"))
        for number, (model, (name, vat)) in enumerate(articles.items(), 1):
            run(sa.text("INSERT INTO artikel (artikel_nr, bezeichnung, ust_schluessel, im_web, "
                        "osc_products_id, geaendert_am) VALUES (:a, :b, :u, 1, :p, :t)"),
                {"a": model, "b": name, "u": vat, "p": number, "t": at})  # fmt: skip
        for name in ("adresse", "gespraechspartner", "auftrag"):
            run(sa.text("INSERT INTO nummernkreis VALUES (:n, 0)"), {"n": name})


def make_real_world_bo(engine: sa.Engine) -> None:
    """A BO for shop-real-world.sql: Fahrradhaus Wiesengrund's articles, Germany and Austria."""
    make_shop_bo(engine, REAL_WORLD_ARTICLES, REAL_WORLD_STATES)


def make_phoenix_bo(engine: sa.Engine) -> None:
    """A BO for shop-phoenix-with-orders.sql: its five articles, Germany, Austria and the UK."""
    make_shop_bo(engine, PHOENIX_ARTICLES, PHOENIX_STATES)


@pytest.fixture(params=["sqlite", "mariadb"])
def real_world_bo(request, tmp_path, mariadb_server) -> Iterator[sa.Engine]:
    """A BO for shop-real-world.sql, on SQLite and on MariaDB."""
    yield from made_bo(make_real_world_bo, request.param, tmp_path, mariadb_server)


@pytest.fixture(params=["sqlite", "mariadb"])
def phoenix_bo(request, tmp_path, mariadb_server) -> Iterator[sa.Engine]:
    """A BO for shop-phoenix-with-orders.sql, on SQLite and on MariaDB."""
    yield from made_bo(make_phoenix_bo, request.param, tmp_path, mariadb_server)
