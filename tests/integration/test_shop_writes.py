"""The shop-side bulk insert: every value arrives exactly as given, on either path (the
server's LOAD DATA LOCAL INFILE, multi-row INSERTs), and a row the strict INSERT refuses is
refused on the bulk path too."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from bo_oscommerce.shop import load_data
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.dialect import BULK_PATHS, STATEMENT_BYTES, insert_rows
from bo_oscommerce_fixtures.demo_shop import create_demo_shop

pytestmark = pytest.mark.integration

TRICKY = [
    "O'Reilly \\ Backslash \"quoted\"",
    "100 % sicher: %s %(name)s %%",
    "Zeile\nZwei\r\tTab \x00 NUL \x1a",
    "Größe: 5 € – Müller & Söhne",
    "",
]


@pytest.fixture(params=["load_data", "insert"])
def path(request, monkeypatch):
    """Which way large frames go in: the server's bulk load, or INSERTs only."""
    if request.param == "insert":
        monkeypatch.setattr(load_data, "LOAD_DATA_ROWS", 10**9)
    return request.param


def test_tricky_values_round_trip_over_several_statements(empty_shop_db, path):
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    rows = 6000
    long_text = "Beschreibung mit Umlauten äöü und ' Quote. " * 12
    frame = pd.DataFrame(
        {
            "products_id": range(1, rows + 1),
            "language_id": 1,
            "products_name": [TRICKY[i % len(TRICKY)] + f" #{i}" for i in range(rows)],
            "products_description": [None if i % 7 == 0 else long_text + str(i) for i in range(rows)],
            "products_viewed": 0,
        }
    )
    assert (frame["products_description"].str.len().sum()) > 2 * STATEMENT_BYTES
    products = pd.DataFrame(
        {
            "products_id": range(1, rows + 1),
            "products_quantity": 3,
            # held in Arrow in several chunks, as staged BO columns put together are
            "products_model": pd.concat(
                [pd.Series([f"M-{i}" for i in range(at, at + rows // 2)], dtype="string[pyarrow]")
                 for at in (0, rows // 2)], ignore_index=True),  # fmt: skip
            "products_price": 19.99,
            "products_date_added": datetime(2026, 11, 26, 12, 30, 5),
            "products_weight": 1.25,
            "products_status": 1,
            "products_tax_class_id": 1,
        }
    )
    with engine.begin() as conn:
        insert_rows(conn, t.products, products)
        insert_rows(conn, t.products_description, frame)
        taken = conn.info.pop(BULK_PATHS, {})
    assert taken == ({"products": load_data.LOADED, "products_description": load_data.LOADED}
                     if path == "load_data" else {})
    with engine.connect() as conn:
        got = pd.DataFrame(conn.execute(sa.text(
            "SELECT products_id, products_name, products_description FROM products_description "
            "ORDER BY products_id")).all(), columns=["products_id", "products_name", "products_description"])
        price, added, model = conn.execute(sa.text(
            "SELECT products_price, products_date_added, products_model FROM products "
            "WHERE products_id = 1")).one()
    assert len(got) == rows
    assert got["products_name"].tolist() == frame["products_name"].tolist()
    assert got["products_description"].where(got["products_description"].notna(), None).tolist() == \
        frame["products_description"].tolist()
    assert float(price) == 19.99 and added == datetime(2026, 11, 26, 12, 30, 5)
    assert model == "M-0"


def test_a_failing_statement_raises_a_sqlalchemy_error_and_rolls_back(empty_shop_db, path):
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    frame = pd.DataFrame({"products_id": [1, 1], "categories_id": [5, 5]})  # duplicate key
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        insert_rows(conn, t.products_to_categories, frame.iloc[:1])
        insert_rows(conn, t.products_to_categories, frame)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products_to_categories")).scalar() == 0


def _links(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"products_id": range(1, rows + 1), "categories_id": 5})


def test_a_duplicate_key_is_an_error_on_the_bulk_path_too(empty_shop_db):
    """LOCAL makes the server skip a duplicate with a warning: the load is rolled back to its
    savepoint and the INSERT raises, so nothing of the transaction is written."""
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    frame = pd.concat([_links(6000), _links(1)], ignore_index=True)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        insert_rows(conn, t.products_to_categories, _links(3).assign(categories_id=7))
        insert_rows(conn, t.products_to_categories, frame)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products_to_categories")).scalar() == 0


def test_a_value_that_does_not_fit_is_an_error_on_the_bulk_path_too(empty_shop_db):
    """LOCAL would cut it with a warning; the strict INSERT refuses it."""
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    frame = pd.DataFrame({
        "products_id": range(1, 6001), "products_quantity": 1, "products_price": 1.5,
        "products_date_added": datetime(2026, 1, 1), "products_status": 1,
        "products_tax_class_id": 1, "products_weight": 0,
        "products_model": ["M" * (80 if i == 4321 else 8) for i in range(6000)],
    })  # fmt: skip
    with pytest.raises(sa.exc.DataError, match="products_model"), engine.begin() as conn:
        insert_rows(conn, t.products, frame)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar() == 0


def test_a_server_that_refuses_local_infile_gets_inserts_and_the_path_says_why(
    empty_shop_db, mariadb_server
):
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    admin = sa.create_engine(mariadb_server.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SET GLOBAL local_infile = 0"))
        engine.dispose()  # the setting is read per session
        with engine.begin() as conn:
            insert_rows(conn, t.products_to_categories, _links(6000))
            taken = conn.info.pop(BULK_PATHS)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SET GLOBAL local_infile = 1"))
        admin.dispose()
    assert taken["products_to_categories"].startswith(
        f"{load_data.INSERTED} ({load_data.LOADED}: the server refused it"
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products_to_categories")).scalar() == 6000


def test_the_driver_sends_no_file_but_the_one_the_load_wrote(empty_shop_db, tmp_path):
    """A server may ask for any file while LOCAL is on: outside our loads the driver refuses,
    and during one it sends only the file that load wrote."""
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    secret = tmp_path / "secret.tsv"
    secret.write_text("1\t5\n")
    asks_for_secret = (f"LOAD DATA LOCAL INFILE '{secret}' INTO TABLE products_to_categories "
                       "(products_id, categories_id)")  # fmt: skip
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        with pytest.raises(RuntimeError, match="local_infile option is false"):
            dbapi_conn.cursor().execute(asks_for_secret)
    with engine.connect() as conn:
        dbapi_conn = conn.connection.dbapi_connection
        dbapi_conn._local_infile = True  # as during a load of ours
        try:
            with pytest.raises(Exception, match="which this load did not write"):
                dbapi_conn.cursor().execute(asks_for_secret)
        finally:
            dbapi_conn._local_infile = False
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products_to_categories")).scalar() == 0


def test_the_bulk_load_reads_its_file_alike_under_no_backslash_escapes(empty_shop_db):
    """A server whose sql_mode has NO_BACKSLASH_ESCAPES (the sync keeps the server's modes)."""
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    names = [TRICKY[i % len(TRICKY)] + f" #{i}" for i in range(6000)]
    frame = pd.DataFrame({"products_id": range(1, 6001), "language_id": 1,
                          "products_name": names, "products_description": None,
                          "products_viewed": 0})  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"))
        insert_rows(conn, t.products_description, frame)
        taken = conn.info.pop(BULK_PATHS)
        conn.execute(sa.text("SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')"))
    assert taken == {"products_description": load_data.LOADED}
    with engine.connect() as conn:
        got = conn.execute(sa.text(
            "SELECT products_name FROM products_description ORDER BY products_id")).scalars().all()
    assert got == names


@pytest.mark.parametrize("server", ["mariadb", "sqlite"])
def test_packed_integer_reads_equal_the_rows(server, empty_shop_db, tmp_path, monkeypatch):
    """The stock step reads a full run's quantities as packed text on MySQL (GROUP_CONCAT per
    block of ids): negative, zero and large values, gaps in the ids and a range beyond the
    last row come back exactly as a plain SELECT reads them, on either database."""
    from bo_oscommerce.shop.dialect import MySQL
    from bo_oscommerce.shop.stock import current_quantities

    engine = empty_shop_db.engine if server == "mariadb" else sa.create_engine(f"sqlite:///{tmp_path}/s.db")
    create_demo_shop(engine)
    monkeypatch.setattr(MySQL, "PACKED_ROWS", 700)  # several blocks
    quantities = {pid: (pid * 7919) % 20011 - 10000 for pid in range(1, 3001) if pid % 13}
    quantities[6] = 2_147_483_647
    frame = pd.DataFrame({
        "products_id": list(quantities), "products_quantity": list(quantities.values()),
        "products_model": [f"M-{p}" for p in quantities], "products_price": 1,
        "products_date_added": datetime(2026, 12, 1), "products_weight": 0, "products_status": 1,
        "products_tax_class_id": 1,
    })  # fmt: skip
    with engine.begin() as conn:
        insert_rows(conn, t.products, frame)
    wanted = [p for p in range(1, 3100) if p % 5]  # gaps, ids the shop never had
    with engine.connect() as conn:
        got = current_quantities(conn, wanted)
        plain = dict(conn.execute(sa.select(t.products.c.products_id, t.products.c.products_quantity)).all())
    expected = {p: q for p, q in plain.items() if p in set(wanted)}
    assert got.to_dict() == expected and len(expected) > 2000
    assert got.to_dict()[6] == 2_147_483_647 and min(expected.values()) < 0
