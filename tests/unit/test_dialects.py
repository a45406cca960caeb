"""Dialects as classes: shop/dialect.py is the only module that tells the databases apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

import bo_oscommerce
from bo_oscommerce.shop import dialect as dialects
from bo_oscommerce.shop.dialect import MySQL, SQLite, UnsupportedDialectError, dialect_of, for_name

PACKAGE = Path(bo_oscommerce.__file__).parent
OWNER = "shop/dialect.py"
# a database name as a bare string, or a drivername such as "mysql+pymysql"
BACKEND = re.compile(r"^(mysql|mariadb|sqlite)(\+\w+)?$", re.IGNORECASE)
# attributes that name the backend or the driver's parameter style
NAMING_ATTRIBUTES = {"get_backend_name", "drivername", "paramstyle", "positional", "positiontup"}
# table DDL metadata, not a branch: (module, the subscripted attribute)
ALLOWED_SUBSCRIPTS = {("shop/tables.py", "dialect_options")}


def _is_backend(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(BACKEND.match(node.value))
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_backend(e) for e in node.elts)
    return False


def _attribute(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else None


def _gets_backend(call: ast.Call) -> bool:
    """``SUPPORTED.get("sqlite")`` and the like."""
    return _attribute(call.func) == "get" and bool(call.args) and _is_backend(call.args[0])


def violations(source: str, module: str) -> list[str]:
    """Where ``source`` tells one database from another."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute):
            if node.attr in NAMING_ATTRIBUTES:
                found.append(f"{module}:{line}: .{node.attr}")
            elif node.attr == "name" and _attribute(node.value) == "dialect":
                found.append(f"{module}:{line}: .dialect.name")  # conn.dialect.name ...
        elif isinstance(node, ast.Compare):
            if any(_is_backend(n) for n in (node.left, *node.comparators)):
                found.append(f"{module}:{line}: compares a database name")
        elif isinstance(node, ast.MatchValue) and _is_backend(node.value):
            found.append(f"{module}:{line}: matches a database name")
        elif isinstance(node, ast.Subscript) and _is_backend(node.slice):
            if (module, _attribute(node.value)) not in ALLOWED_SUBSCRIPTS:
                found.append(f"{module}:{line}: looks up a database name")
        elif isinstance(node, ast.Call) and _gets_backend(node):
            found.append(f"{module}:{line}: looks up a database name")
    return found


def test_no_module_but_the_dialects_branches_on_the_database() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    found = []
    for path in modules:
        module = path.relative_to(PACKAGE).as_posix()
        if module != OWNER:
            found += violations(path.read_text(encoding="utf-8"), module)
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'if conn.dialect.name == "mysql": pass',
        "x = engine.dialect.name",
        'if url.get_backend_name() in ("sqlite",): pass',
        'if "mariadb" != kind: pass',
        "x = compiled.positiontup if compiled.positional else None",
        'x = SUPPORTED["sqlite"]',
        'x = drivers.get("mysql+pymysql")',
        'match kind:\n    case "sqlite":\n        pass',
    ],
)
def test_the_scan_sees_a_branch(source: str) -> None:
    assert violations(source, "any.py")


def test_the_scan_allows_table_metadata_only_where_it_is_declared() -> None:
    ddl = 'table.dialect_options["sqlite"]["autoincrement"] = True'
    variant = 'Integer().with_variant(mysql.INTEGER(unsigned=True), "mysql", "mariadb")'
    assert violations(ddl + "\n" + variant, "shop/tables.py") == []
    assert violations(ddl, "shop/products.py")


def test_dialect_of_an_engine_a_connection_and_a_url() -> None:
    sqlite = sa.create_engine("sqlite://")
    mysql = sa.create_engine("mysql+pymysql://u@h/db")  # no server needed for its dialect
    assert isinstance(dialect_of(sqlite), SQLite)
    assert isinstance(dialect_of(mysql), MySQL)
    with sqlite.connect() as conn:
        assert dialect_of(conn) is dialect_of(sqlite)
    assert isinstance(dialect_of(sa.make_url("mariadb+pymysql://u@h/db")), MySQL)
    assert isinstance(dialect_of(sa.create_engine("mariadb+pymysql://u@h/db")), MySQL)
    assert isinstance(dialect_of(sa.make_url("sqlite:///file.db")), SQLite)


def test_for_name_takes_airflow_conn_types() -> None:
    assert for_name("mysql") is for_name("MariaDB") is dialects.DIALECTS["mysql"]
    assert isinstance(for_name("sqlite"), SQLite)
    assert {d.driver for d in dialects.DIALECTS.values()} == {"mysql+pymysql", "sqlite"}


def test_an_unsupported_database_is_named_with_the_supported_ones() -> None:
    with pytest.raises(UnsupportedDialectError, match=r"'postgresql'.*mariadb.*mysql.*sqlite"):
        dialect_of(sa.create_mock_engine(sa.make_url("postgresql://u@h/db"), executor=None))
    with pytest.raises(
        UnsupportedDialectError, match=r"'oracle'.*\['mariadb', 'mysql', 'sqlite'\]"
    ):
        for_name("oracle")


def test_binding_follows_the_drivers_parameter_style() -> None:
    stmt = sa.text("SELECT :b, :a, :b")
    rows = [{"a": 1, "b": 2, "c": 3}]
    on_sqlite = stmt.compile(dialect=sa.create_engine("sqlite://").dialect)
    on_mysql = stmt.compile(dialect=sa.create_engine("mysql+pymysql://u@h/db").dialect)
    assert for_name("sqlite").bind(on_sqlite, rows[0]) == (2, 1, 2)
    assert for_name("sqlite").bind_many(on_sqlite, rows) == [(2, 1, 2)]
    assert for_name("mysql").bind(on_mysql, rows[0]) == rows[0]
    assert for_name("mysql").bind_many(on_mysql, rows) == rows


def test_where_and_urls_per_dialect() -> None:
    class Conn:  # an Airflow connection, as BaseHook.get_connection gives it
        host, schema, login, password, port = "db.example", "shop", "osc", "s3cret", None

    url = for_name("mariadb").url_for("shop_alpha", Conn())
    assert url.drivername == "mysql+pymysql" and url.query == {"charset": "utf8mb4"}
    assert for_name("mysql").where(url) == "db.example:3306/shop"
    Conn.host, Conn.schema = "/data/shop.db", None
    url = for_name("sqlite").url_for("shop_demo", Conn())
    assert url.database == "file:/data/shop.db" and dict(url.query) == {"mode": "rw", "uri": "true"}
    assert for_name("sqlite").where(url) == "sqlite file /data/shop.db"


def test_preferred_tls_context_is_built_on_first_use_and_shared(monkeypatch):
    """A PyMySQL connection without TLS settings gets a stand-in for the preferred-TLS
    context: the real context (the system's CA store) is built only when a server offers TLS
    and the handshake uses it, and then once for every connection of the process."""
    import ssl

    built: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    fresh = dialects._shared_tls_connection_class.__wrapped__  # not this process's shared one
    connection_class = fresh()
    connection = connection_class.__new__(connection_class)  # not connected: no server needed
    first = connection._create_ssl_ctx({})
    second = connection_class.__new__(connection_class)._create_ssl_ctx({})
    assert built == []  # a connection to a server without TLS never builds one
    assert first.verify_mode == ssl.CERT_NONE  # PyMySQL's preferred mode: no CA, no check
    assert first.wrap_socket.__self__ is built[0]  # the handshake gets the real context
    assert second.check_hostname is False and len(built) == 1
    own = connection._create_ssl_ctx({"ca": None, "verify_mode": True})
    assert own is built[1] and own.verify_mode == ssl.CERT_REQUIRED  # own settings: own context


@pytest.mark.parametrize("dialect", [MySQL(), SQLite()], ids=["mysql", "sqlite"])
def test_rows_given_column_by_column_bind_as_rows_do(dialect):
    """A frame's write-back goes to the driver column by column; the driver gets what it gets
    for the same rows given one by one (a name used twice in the statement included)."""
    from sqlalchemy.dialects import mysql, sqlite

    engine_dialect = (
        mysql.dialect(paramstyle="pyformat") if isinstance(dialect, MySQL) else sqlite.dialect()
    )
    compiled = sa.text("UPDATE t SET a = :a, b = :b WHERE k = :k AND a <> :a").compile(
        dialect=engine_dialect
    )
    rows = [{"k": "x", "a": 1, "b": None}, {"k": "y", "a": 2, "b": "zwei"}]
    columns = {"k": ["x", "y"], "a": [1, 2], "b": [None, "zwei"]}
    assert dialect.bind_columns(compiled, columns) == dialect.bind_many(compiled, rows)
    if isinstance(dialect, SQLite):  # PyMySQL itself refuses a missing name when it runs
        with pytest.raises(KeyError):  # a parameter without its column never runs
            dialect.bind_columns(compiled, {"k": ["x"], "a": [1]})
