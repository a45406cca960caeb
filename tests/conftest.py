"""Fixtures for tests against a real MariaDB on 127.0.0.1:3306 (user root, no password).

* ``mariadb_server`` (session): runs ``scripts/ensure-mariadb.sh``, returns a
  :class:`MariaDBServer` with a server-level AUTOCOMMIT engine.
* ``empty_shop_db``: a fresh, empty database, as :class:`ShopDatabase`.
* ``upstream_shop``: a fresh database loaded from the upstream osCommerce 2.3.4.1 SQL file
  (``OSC_SCHEMA_SQL`` overrides its location), plus German added the way a shop owner does
  it in the admin (see :func:`add_german_language`), as :class:`ShopDatabase`.

Each test gets its own ``osc_test_<hex>`` database, dropped afterwards, so tests may write
freely and can run in parallel.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

# Airflow reads its configuration when first imported: give the test session its own home
# (SQLite metadata DB, see tests/dags) before anything imports it.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="bo-osc-airflow-")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

REPO_ROOT = Path(__file__).resolve().parents[1]
ENSURE_MARIADB = REPO_ROOT / "scripts" / "ensure-mariadb.sh"
DEFAULT_SCHEMA_SQL = REPO_ROOT.parent / "shared" / "oscommerce" / "oscommerce-2.3.4.1.sql"
ORDERS_SHOP_SQL = REPO_ROOT.parent / "shared" / "oscommerce" / "shop-with-orders.sql"
ORDERS_SHOP_JSON = REPO_ROOT.parent / "shared" / "oscommerce" / "shop-with-orders.json"
REAL_WORLD_SQL = REPO_ROOT.parent / "shared" / "oscommerce" / "shop-real-world.sql"
REAL_WORLD_JSON = REPO_ROOT.parent / "shared" / "oscommerce" / "shop-real-world.json"
HALFWRITTEN_SQL = REPO_ROOT.parent / "shared" / "oscommerce" / "shop-real-world-halfwritten.sql"
PHOENIX_SQL = REPO_ROOT.parent / "shared" / "phoenix" / "phoenix-1.1.0.6.sql"
PHOENIX_ORDERS_SQL = REPO_ROOT.parent / "shared" / "phoenix" / "shop-phoenix-with-orders.sql"
PHOENIX_ORDERS_JSON = REPO_ROOT.parent / "shared" / "phoenix" / "shop-phoenix-with-orders.json"

MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_USER = "root"
TEST_DB_PREFIX = "osc_test_"


def mariadb_url(database: str = "") -> str:
    """SQLAlchemy URL (no password: root has none) for ``database`` on the test server."""
    return (
        f"mysql+pymysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{database}?charset=utf8mb4"
    )


def schema_sql_path() -> Path:
    """Location of the upstream ``oscommerce-2.3.4.1.sql`` (env ``OSC_SCHEMA_SQL`` wins)."""
    return Path(os.environ.get("OSC_SCHEMA_SQL") or DEFAULT_SCHEMA_SQL)


@cache
def _schema_sql() -> bytes:
    path = schema_sql_path()
    if not path.is_file():
        pytest.fail(f"upstream osCommerce SQL not found: {path} (set OSC_SCHEMA_SQL)")
    return path.read_bytes()


@dataclass(frozen=True)
class MariaDBServer:
    host: str
    port: int
    user: str
    client: str  # path of the mariadb/mysql command line client
    engine: Engine  # server level (no database selected), AUTOCOMMIT

    def url(self, database: str = "") -> str:
        return mariadb_url(database)


def shop_engine(url: str) -> Engine:
    """An engine built as the DAG tasks build theirs: strict sessions, the server's bulk load."""
    from sqlalchemy import make_url

    from bo_oscommerce.shop.dialect import for_name

    return for_name("mysql").create_engine(make_url(url))


@dataclass(frozen=True)
class ShopDatabase:
    engine: Engine
    database: str
    url: str  # SQLAlchemy URL without password, e.g. for Airflow connection URIs
    host: str = MARIADB_HOST
    port: int = MARIADB_PORT
    user: str = MARIADB_USER
    flavour: str = "oscommerce-2.3"  # or "phoenix-1.1" (FLAVOURS)


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """Make sure MariaDB runs (installing/starting it if needed) and root can log in."""
    try:
        proc = subprocess.run(
            ["bash", str(ENSURE_MARIADB)], capture_output=True, text=True, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"{ENSURE_MARIADB} could not run: {exc}")
    if proc.returncode != 0:
        pytest.fail(
            f"{ENSURE_MARIADB} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        pytest.fail("neither the mariadb nor the mysql command line client is on PATH")
    engine = create_engine(mariadb_url(), isolation_level="AUTOCOMMIT")
    yield MariaDBServer(MARIADB_HOST, MARIADB_PORT, MARIADB_USER, client, engine)
    engine.dispose()


def _new_database(server: MariaDBServer) -> str:
    name = f"{TEST_DB_PREFIX}{uuid.uuid4().hex[:12]}"
    with server.engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    return name


def _drop_database(server: MariaDBServer, name: str) -> None:
    with server.engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))


def load_upstream_sql(server: MariaDBServer, database: str) -> None:
    """Load the upstream SQL file into ``database`` with the mariadb CLI (~0.25 s).

    Runs like the osCommerce installer: ``sql_mode=''`` (the shop itself does
    ``set session sql_mode=""``; the file needs it on servers with ``NO_ZERO_DATE``, because of
    ``customers_dob DEFAULT '0000-00-00 00:00:00'``, or ``ANSI_QUOTES``), one transaction for
    the INSERTs, and an explicit client charset since the file is UTF-8.
    """
    script = b"SET SESSION sql_mode='';\nSET autocommit=0;\n" + _schema_sql() + b"\nCOMMIT;\n"
    proc = subprocess.run(
        [
            server.client,
            f"--host={server.host}",
            f"--port={server.port}",
            f"--user={server.user}",
            "--default-character-set=utf8mb4",
            "--batch",
            database,
        ],
        input=script,
        capture_output=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"loading {schema_sql_path()} into {database} failed:\n"
            + proc.stderr.decode(errors="replace")
        )


#: German names for the upstream order statuses 1..3.
GERMAN_ORDERS_STATUS = {1: "Offen", 2: "In Bearbeitung", 3: "Versendet"}


def add_german_language(conn: Connection) -> int:
    """Add German the way osCommerce 2.3.4.1 ``admin/languages.php`` (action insert) does.

    The admin copies every language-1 row of categories_description, products_description,
    products_options, products_options_values, manufacturers_info and orders_status to the
    new language (texts still English; flags not copied, so they get the column defaults).
    Then the owner renames order statuses 1..3. Returns the new ``languages_id``.
    """
    new_id = conn.execute(
        text(
            "INSERT INTO languages (name, code, image, directory, sort_order)"
            " VALUES ('Deutsch', 'de', 'icon.gif', 'german', 2)"
        )
    ).lastrowid
    params = {"new": new_id}
    copies = [
        "INSERT INTO categories_description (categories_id, language_id, categories_name)"
        " SELECT categories_id, :new, categories_name FROM categories_description"
        " WHERE language_id = 1",
        "INSERT INTO products_description"
        " (products_id, language_id, products_name, products_description, products_url)"
        " SELECT products_id, :new, products_name, products_description, products_url"
        " FROM products_description WHERE language_id = 1",
        "INSERT INTO products_options (products_options_id, language_id, products_options_name)"
        " SELECT products_options_id, :new, products_options_name FROM products_options"
        " WHERE language_id = 1",
        "INSERT INTO products_options_values"
        " (products_options_values_id, language_id, products_options_values_name)"
        " SELECT products_options_values_id, :new, products_options_values_name"
        " FROM products_options_values WHERE language_id = 1",
        "INSERT INTO manufacturers_info (manufacturers_id, languages_id, manufacturers_url)"
        " SELECT manufacturers_id, :new, manufacturers_url FROM manufacturers_info"
        " WHERE languages_id = 1",
        "INSERT INTO orders_status (orders_status_id, language_id, orders_status_name)"
        " SELECT orders_status_id, :new, orders_status_name FROM orders_status"
        " WHERE language_id = 1",
    ]
    for sql in copies:
        conn.execute(text(sql), params)
    for status_id, name in GERMAN_ORDERS_STATUS.items():
        conn.execute(
            text(
                "UPDATE orders_status SET orders_status_name = :name"
                " WHERE orders_status_id = :sid AND language_id = :new"
            ),
            {"name": name, "sid": status_id, "new": new_id},
        )
    return int(new_id)


@pytest.fixture
def empty_shop_db(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """A fresh, empty database (server default charset), dropped after the test."""
    name = _new_database(mariadb_server)
    engine = shop_engine(mariadb_server.url(name))
    try:
        yield ShopDatabase(engine=engine, database=name, url=mariadb_server.url(name))
    finally:
        engine.dispose()
        _drop_database(mariadb_server, name)


def _upstream_shop(server: MariaDBServer) -> Iterator[ShopDatabase]:
    name = _new_database(server)
    engine = shop_engine(server.url(name))
    try:
        load_upstream_sql(server, name)
        with engine.begin() as conn:
            add_german_language(conn)
        yield ShopDatabase(engine=engine, database=name, url=server.url(name))
    finally:
        engine.dispose()
        _drop_database(server, name)


@pytest.fixture
def upstream_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """A fresh database holding the upstream osCommerce 2.3.4.1 shop plus German (id 2)."""
    yield from _upstream_shop(mariadb_server)


FLAVOURS = ["oscommerce-2.3", "phoenix-1.1"]


@pytest.fixture(params=FLAVOURS)
def flavoured_shop(request, mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """An empty shop of each supported flavour, English (1) and German (2): upstream
    osCommerce 2.3.4.1, and CE Phoenix Cart 1.1.0.6 as its installer leaves it
    (``phoenix-1.1.0.6.sql``). Suites whose behaviour is shared run on both."""
    if request.param == "phoenix-1.1":
        shops = _dump_fixture(mariadb_server, PHOENIX_SQL, charset="utf8mb4")
    else:
        shops = _upstream_shop(mariadb_server)
    for shop in shops:
        yield dataclasses.replace(shop, flavour=request.param)


def load_dump(server: MariaDBServer, database: str, path: Path, charset: str = "utf8") -> None:
    """Load a mariadb-dump file (it sets its own modes and charsets) into ``database``."""
    if not path.is_file():
        pytest.fail(f"{path} not found")
    proc = subprocess.run(
        [
            server.client,
            f"--host={server.host}",
            f"--port={server.port}",
            f"--user={server.user}",
            f"--default-character-set={charset}",
            "--batch",
            database,
        ],
        input=path.read_bytes(),
        capture_output=True,
        timeout=120,
    )
    if proc.returncode != 0:
        pytest.fail(f"loading {path} failed:\n" + proc.stderr.decode(errors="replace"))


@pytest.fixture
def orders_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """A fresh database holding ``shop-with-orders.sql``: customers and orders written by
    osCommerce's own PHP (create_account.php, checkout_process.php)."""
    name = _new_database(mariadb_server)
    engine = shop_engine(mariadb_server.url(name))
    try:
        load_dump(mariadb_server, name, ORDERS_SHOP_SQL)
        yield ShopDatabase(engine=engine, database=name, url=mariadb_server.url(name))
    finally:
        engine.dispose()
        _drop_database(mariadb_server, name)


def _dump_fixture(server: MariaDBServer, path: Path, charset: str = "utf8") -> Iterator[ShopDatabase]:
    name = _new_database(server)
    engine = shop_engine(server.url(name))
    try:
        load_dump(server, name, path, charset)
        yield ShopDatabase(engine=engine, database=name, url=server.url(name))
    finally:
        engine.dispose()
        _drop_database(server, name)


@pytest.fixture
def phoenix_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """``phoenix-1.1.0.6.sql``: CE Phoenix Cart 1.1.0.6 as its installer leaves it (utf8mb4)."""
    yield from _dump_fixture(mariadb_server, PHOENIX_SQL, charset="utf8mb4")


@pytest.fixture
def phoenix_orders_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """``shop-phoenix-with-orders.sql``: a German CE Phoenix Cart 1.1.0.6 shop whose customers
    and orders its own storefront and admin wrote."""
    for shop in _dump_fixture(mariadb_server, PHOENIX_ORDERS_SQL, charset="utf8mb4"):
        yield dataclasses.replace(shop, flavour="phoenix-1.1")


@pytest.fixture
def real_world_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """``shop-real-world.sql``: a German shop whose every row the storefront and admin wrote
    (taxed shipping, low order fee, options, PayPal Standard, orders moved in the admin)."""
    yield from _dump_fixture(mariadb_server, REAL_WORLD_SQL)


@pytest.fixture
def halfwritten_shop(mariadb_server: MariaDBServer) -> Iterator[ShopDatabase]:
    """``shop-real-world-halfwritten.sql``: the same shop while order 15 was being written."""
    yield from _dump_fixture(mariadb_server, HALFWRITTEN_SQL)


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""

    port: int
    messages: list  # email.message.Message, in arrival order
    conn_uri: str  # an Airflow connection URI pointing at it


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[SmtpServer]:
    import email
    import socket

    from aiosmtpd.controller import Controller

    received: list = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            message = email.message_from_bytes(envelope.original_content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            received.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    uri = f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=10"
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", uri)
    try:
        yield SmtpServer(port=port, messages=received, conn_uri=uri)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """``airflow db migrate`` once per session into the test AIRFLOW_HOME (set above)."""
    home = os.environ["AIRFLOW_HOME"]
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ.copy(),
    )
    if proc.returncode != 0:
        pytest.fail(f"airflow db migrate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return home
