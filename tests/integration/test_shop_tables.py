"""Our osCommerce table definitions and demo seed against the real upstream 2.3.4.1 schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from bo_oscommerce.shop import tables
from bo_oscommerce.shop.tables import metadata, required_columns
from bo_oscommerce_fixtures import demo_shop
from bo_oscommerce_fixtures.demo_shop import create_demo_shop

if TYPE_CHECKING:
    from conftest import ShopDatabase  # tests/integration/conftest.py

pytestmark = pytest.mark.integration

#: German order status names the upstream_shop fixture sets (like a shop owner would).
GERMAN_ORDERS_STATUS = {1: "Offen", 2: "In Bearbeitung", 3: "Versendet"}

#: Deliberate, documented differences to upstream (see tables.py): (table, column, aspect).
KNOWN_DEVIATIONS = {
    ("products_description", "products_id", "autoincrement"),
    ("customers", "customers_dob", "server_default"),
}

_MYSQL = mysql.dialect()

_INT_SIZES: list[tuple[type[TypeEngine[Any]], str]] = [
    (mysql.TINYINT, "tinyint"),
    (sqltypes.SmallInteger, "smallint"),
    (mysql.MEDIUMINT, "mediumint"),
    (sqltypes.BigInteger, "bigint"),
]


def describe_type(type_: TypeEngine[Any]) -> dict[str, Any]:
    """Comparable facts about a column type as it is on MySQL/MariaDB (variants resolved).

    Integer display widths (``int(5)``) are ignored: they do not change the stored range.
    """
    t = type_.dialect_impl(_MYSQL)
    if isinstance(t, sqltypes.Integer):
        size = next((name for cls, name in _INT_SIZES if isinstance(t, cls)), "int")
        return {"family": "integer", "size": size, "unsigned": bool(getattr(t, "unsigned", 0))}
    if isinstance(t, mysql.TINYTEXT | mysql.MEDIUMTEXT | mysql.LONGTEXT):
        return {"family": type(t).__name__.lower()}
    if isinstance(t, sqltypes.Text):
        return {"family": "text"}
    if isinstance(t, sqltypes.CHAR):
        return {"family": "char", "length": t.length}
    if isinstance(t, sqltypes.String):
        return {"family": "varchar", "length": t.length}
    if isinstance(t, sqltypes.Float):
        return {"family": "float"}
    if isinstance(t, sqltypes.Numeric):
        return {"family": "decimal", "precision": t.precision, "scale": t.scale}
    if isinstance(t, sqltypes.DateTime):
        return {"family": "datetime"}
    return {"family": type(t).__name__.lower()}


def _server_default(col: Any) -> str | None:
    """Server default as plain text: quotes stripped, ``NULL`` as None."""
    if col.server_default is None:
        return None
    arg = col.server_default.arg
    value = (arg if isinstance(arg, str) else str(getattr(arg, "text", arg))).strip()
    if value.upper() == "NULL":
        return None
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1]
    return value


def compare_table(ours: Table, upstream: Table) -> list[str]:
    """Human-readable differences between two table definitions (empty if they match)."""
    name = ours.name
    problems: list[str] = []

    def differ(column: str, aspect: str, mine: Any, theirs: Any) -> None:
        if mine != theirs and (name, column, aspect) not in KNOWN_DEVIATIONS:
            problems.append(f"{name}.{column}: {aspect} differs: ours={mine!r} upstream={theirs!r}")

    ours_cols = [c.name for c in ours.columns]
    up_cols = [c.name for c in upstream.columns]
    problems += [f"{name}.{c}: column missing upstream" for c in ours_cols if c not in up_cols]
    problems += [
        f"{name}.{c}: upstream column not defined by us" for c in up_cols if c not in ours_cols
    ]
    common_ours = [c for c in ours_cols if c in up_cols]
    common_up = [c for c in up_cols if c in ours_cols]
    if common_ours != common_up:
        problems.append(f"{name}: column order differs: ours={common_ours} upstream={common_up}")

    for col_name in common_ours:
        mine, theirs = ours.c[col_name], upstream.c[col_name]
        my_type, their_type = describe_type(mine.type), describe_type(theirs.type)
        for aspect in my_type.keys() | their_type.keys():
            differ(col_name, aspect, my_type.get(aspect), their_type.get(aspect))
        differ(col_name, "nullable", mine.nullable, theirs.nullable)
        differ(col_name, "server_default", _server_default(mine), _server_default(theirs))
        differ(
            col_name,
            "autoincrement",
            ours.autoincrement_column is mine,
            upstream.autoincrement_column is theirs,
        )

    my_pk = [c.name for c in ours.primary_key.columns]
    their_pk = [c.name for c in upstream.primary_key.columns]
    if my_pk != their_pk:
        problems.append(f"{name}: primary key differs: ours={my_pk} upstream={their_pk}")

    def index_set(table: Table) -> set[tuple[str | None, tuple[str, ...], bool]]:
        return {(i.name, tuple(c.name for c in i.columns), bool(i.unique)) for i in table.indexes}

    my_idx, their_idx = index_set(ours), index_set(upstream)
    problems += [f"{name}: index {i} missing upstream" for i in sorted(my_idx - their_idx)]
    problems += [
        f"{name}: upstream index {i} not defined by us" for i in sorted(their_idx - my_idx)
    ]
    return problems


def reflect_our_tables(engine: Engine) -> tuple[MetaData, list[str]]:
    """Reflect the tables of ``metadata`` that exist in ``engine``; also return missing ones."""
    existing = set(inspect(engine).get_table_names())
    missing = sorted(set(metadata.tables) - existing)
    reflected = MetaData()
    reflected.reflect(bind=engine, only=sorted(set(metadata.tables) & existing))
    return reflected, missing


def compare_schema(ours: MetaData, engine: Engine) -> list[str]:
    """Differences between ``ours`` and the same tables reflected from ``engine``."""
    upstream, missing = reflect_our_tables(engine)
    problems = [f"{name}: table missing upstream" for name in missing]
    for name, table in ours.tables.items():
        if name in upstream.tables:
            problems += compare_table(table, upstream.tables[name])
    return problems


def table_charsets(engine: Engine, database: str) -> dict[str, tuple[str, str, int]]:
    """table -> (charset, collation, max bytes per character) from information_schema."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.TABLE_NAME, c.CHARACTER_SET_NAME, t.TABLE_COLLATION, cs.MAXLEN"
                " FROM information_schema.TABLES t"
                " JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c"
                "   ON c.COLLATION_NAME = t.TABLE_COLLATION"
                " JOIN information_schema.CHARACTER_SETS cs"
                "   ON cs.CHARACTER_SET_NAME = c.CHARACTER_SET_NAME"
                " WHERE t.TABLE_SCHEMA = :db"
            ),
            {"db": database},
        ).all()
    return {name: (charset, collation, int(maxlen)) for name, charset, collation, maxlen in rows}


def assert_languages_and_status(engine: Engine) -> None:
    """Languages 'en' and 'de' exist and order statuses 1..3 exist for both."""
    with engine.connect() as conn:
        codes = {row.code: row.languages_id for row in conn.execute(select(tables.languages))}
        status = {
            (row.orders_status_id, row.language_id)
            for row in conn.execute(select(tables.orders_status))
        }
    assert {"en", "de"} <= codes.keys(), codes
    for code in ("en", "de"):
        for status_id in (1, 2, 3):
            assert (status_id, codes[code]) in status, f"orders_status {status_id} missing ({code})"


def assert_seeded(engine: Engine) -> None:
    assert_languages_and_status(engine)
    with engine.connect() as conn:
        iso2 = set(conn.execute(select(tables.countries.c.countries_iso_code_2)).scalars())
        assert {"DE", "AT", "CH", "FR", "NL", "GB", "US"} <= iso2
        assert set(conn.execute(select(tables.tax_class.c.tax_class_id)).scalars()) == {1, 2}
        rates = conn.execute(select(tables.tax_rates.c.tax_class_id)).scalars().all()
        assert sorted(rates) == [1, 1, 2]  # Florida's upstream rate, Germany's 19 % and 7 %
        places = conn.execute(select(tables.zones_to_geo_zones.c.zone_country_id)).scalars().all()
        assert sorted(places) == [81, 223]
        keys = set(conn.execute(select(tables.configuration.c.configuration_key)).scalars())
        assert {"DISPLAY_PRICE_WITH_TAX", "MODULE_ORDER_TOTAL_INSTALLED"} <= keys


# --------------------------------------------------------------------------- upstream schema


def test_our_tables_match_upstream_schema(upstream_shop: ShopDatabase) -> None:
    problems = compare_schema(metadata, upstream_shop.engine)
    assert not problems, "tables.py differs from upstream:\n  " + "\n  ".join(problems)


def test_upstream_tables_are_utf8mb3_like_ours(upstream_shop: ShopDatabase) -> None:
    charsets = table_charsets(upstream_shop.engine, upstream_shop.database)
    for name in metadata.tables:
        charset, collation, maxlen = charsets[name]
        assert maxlen == 3, f"upstream {name} is {charset}/{collation}, expected 3-byte utf8"
        assert collation.endswith("_unicode_ci"), f"upstream {name} collation {collation}"


def test_required_columns_are_all_defined_columns() -> None:
    required = required_columns()
    assert required.keys() == metadata.tables.keys()
    for name, table in metadata.tables.items():
        assert required[name] == {c.name for c in table.columns}
    assert "products_name" in required["products_description"]


def test_upstream_shop_fixture_has_german(upstream_shop: ShopDatabase) -> None:
    assert_languages_and_status(upstream_shop.engine)
    with upstream_shop.engine.connect() as conn:
        de = conn.execute(text("SELECT languages_id FROM languages WHERE code = 'de'")).scalar()
        names = dict(
            conn.execute(
                text(
                    "SELECT orders_status_id, orders_status_name FROM orders_status"
                    " WHERE language_id = :de AND orders_status_id <= 3"
                ),
                {"de": de},
            ).all()
        )
        assert names == GERMAN_ORDERS_STATUS
        # like the osCommerce admin: product texts were copied to the new language
        counts = conn.execute(
            text("SELECT SUM(language_id = 1), SUM(language_id = :de) FROM products_description"),
            {"de": de},
        ).one()
        assert counts[0] == counts[1] > 0


def test_seed_rows_taken_from_upstream_match_upstream(upstream_shop: ShopDatabase) -> None:
    """The seed rows marked as upstream (ids included) are identical to the upstream rows."""
    checks: list[tuple[Table, list[dict[str, Any]]]] = [
        (tables.languages, [r for r in demo_shop.LANGUAGES if r["languages_id"] == 1]),
        (tables.orders_status, [r for r in demo_shop.ORDERS_STATUS if r["language_id"] == 1]),
        (tables.tax_class, [r for r in demo_shop.TAX_CLASSES if r["tax_class_id"] == 1]),
        (tables.tax_rates, [r for r in demo_shop.TAX_RATES if r["tax_rates_id"] == 1]),
        (tables.countries, demo_shop.COUNTRIES),
    ]
    with upstream_shop.engine.connect() as conn:
        for table, rows in checks:
            pk = list(table.primary_key.columns)
            for row in rows:
                where = [col == row[col.name] for col in pk]
                found = conn.execute(select(table).where(*where)).mappings().one_or_none()
                assert found is not None, f"{table.name} {row} not upstream"
                differing = {k: (v, found[k]) for k, v in row.items() if found[k] != v}
                assert not differing, f"{table.name} seed vs upstream (ours, upstream): {differing}"


# ------------------------------------------------------------------------------ demo shop


@pytest.mark.parametrize("driver", ["mysql+pymysql", "mariadb+pymysql"])
def test_demo_shop_on_mariadb(
    driver: str, empty_shop_db: ShopDatabase, upstream_shop: ShopDatabase
) -> None:
    engine = create_engine(empty_shop_db.url.replace("mysql+pymysql", driver, 1))
    try:
        create_demo_shop(engine)
    finally:
        engine.dispose()
    assert_seeded(empty_shop_db.engine)

    # the DDL SQLAlchemy emitted gives the same schema as upstream's own DDL
    created, missing = reflect_our_tables(empty_shop_db.engine)
    assert not missing
    problems: list[str] = []
    upstream, _ = reflect_our_tables(upstream_shop.engine)
    for name, table in created.tables.items():
        problems += compare_table(table, upstream.tables[name])
    assert not problems, "created tables differ from upstream:\n  " + "\n  ".join(problems)

    # 3-byte utf8 with the same collation as upstream (utf8mb3_unicode_ci on MariaDB 10.11)
    ours = table_charsets(empty_shop_db.engine, empty_shop_db.database)
    theirs = table_charsets(upstream_shop.engine, upstream_shop.database)
    for name in metadata.tables:
        assert ours[name][2] == 3, f"{name} created as {ours[name]}, expected 3-byte utf8"
        assert ours[name] == theirs[name], f"{name}: ours {ours[name]} upstream {theirs[name]}"


def test_demo_shop_rejects_emoji_like_upstream(empty_shop_db: ShopDatabase) -> None:
    """utf8mb3 cannot store 4-byte characters: strict mode errors, non-strict mangles."""
    create_demo_shop(empty_shop_db.engine)
    emoji = "Deutsch \U0001f600"
    try:
        with empty_shop_db.engine.begin() as conn:
            conn.execute(
                tables.languages.update().where(tables.languages.c.code == "de"),
                {"name": emoji},
            )
    except DBAPIError as exc:
        assert "Incorrect string value" in str(exc)
    else:
        with empty_shop_db.engine.connect() as conn:
            stored = conn.execute(
                select(tables.languages.c.name).where(tables.languages.c.code == "de")
            ).scalar()
        assert stored != emoji


def test_demo_shop_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    try:
        create_demo_shop(engine)
        assert_seeded(engine)
        assert set(inspect(engine).get_table_names()) == set(metadata.tables)
        with pytest.raises(DBAPIError):  # tables exist already
            create_demo_shop(engine)
    finally:
        engine.dispose()
