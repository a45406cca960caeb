"""Verbindung testen: can this tenant's sync run at all?

Checks reachability and credentials of both databases, that BO answers every statement the
sync runs, and that the shop has the tables, columns, languages and order statuses it needs.
Every problem names the tenant, the connection id, host:port/database and what to fix; no
message ever holds a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.config import TenantSettings
from bo_oscommerce.connections import ConnectionSetupError, Endpoint, endpoint_for, engine_for
from bo_oscommerce.errors import TRANSIENT, explain, mysql_code
from bo_oscommerce.shop import tables as shop_tables
from bo_oscommerce.shop.flavour import detect
from bo_oscommerce.sync.reset import RESET_READS
from bo_oscommerce.sync.run import (
    CATALOG_READS,
    CUSTOMER_READS,
    EXTRACTS,
    FULL_EXTRACT,
    ORDER_READS,
)
from bo_oscommerce.sync.writeback import WRITE_STATEMENTS

# every statement the sync reads BO with, run so that it returns no rows
BO_READS = {
    **{sql: FULL_EXTRACT for sql, _ in EXTRACTS.values()},
    **CATALOG_READS,
    **CUSTOMER_READS,
    **ORDER_READS,
    **RESET_READS,
}
# every statement the sync writes BO with, run inside a transaction that is rolled back
BO_WRITES = WRITE_STATEMENTS
SHOP_TABLES = [
    "categories",
    "categories_description",
    "products",
    "products_description",
    "products_to_categories",
    "languages",
    "tax_class",
    "orders_status",
    "customers",
    "address_book",
    "customers_info",
    "countries",
    "zones",
    "orders",
    "orders_products",
    "orders_products_attributes",
    "orders_total",
    "orders_status_history",
    "configuration",
    "currencies",
    "zones_to_geo_zones",
    "customers_basket",
]


@dataclass
class CheckResult:
    """``(ok, message)`` in the spirit of ``DbApiHook.test_connection``, plus each problem."""

    tenant: str
    problems: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    transient: bool = False  # a problem that may go away by itself (server down, network)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        lines = [
            f"tenant {self.tenant!r}: "
            + ("connection test passed" if self.ok else f"{len(self.problems)} problem(s)")
        ]
        lines += [f"  ok   {p}" for p in self.passed]
        lines += [f"  FAIL {p}" for p in self.problems]
        return "\n".join(lines)


def _connect(conn_id: str, role: str, result: CheckResult) -> tuple[Endpoint, sa.Engine] | None:
    try:
        endpoint = endpoint_for(conn_id)
    except ConnectionSetupError as exc:
        result.problems.append(f"{role}: {exc}")
        return None
    engine = engine_for(conn_id)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        result.problems.append(f"{role} {endpoint}: cannot connect: {explain(exc)}")
        result.transient |= mysql_code(exc) in TRANSIENT
        return None
    result.passed.append(f"{role} {endpoint}: reachable, login accepted")
    return endpoint, engine


def _check_bo(endpoint: Endpoint, engine: sa.Engine, result: CheckResult) -> None:
    for name, params in BO_READS.items():
        try:
            bo_io.probe(engine, name, params)
        except sa.exc.SQLAlchemyError as exc:
            result.problems.append(
                f"BO {endpoint}: include/sql/bo/{name}.sql fails: {explain(exc)}; adapt the "
                "statement to this BO or create the reference schema"
            )
    _check_bo_writes(endpoint, engine, result)
    if not any(p.startswith(f"BO {endpoint}") for p in result.problems):
        result.passed.append(
            f"BO {endpoint}: all {len(BO_READS)} read statements run, all {len(BO_WRITES)} "
            "write-back statements accepted (rolled back)"
        )


def _check_bo_writes(endpoint: Endpoint, engine: sa.Engine, result: CheckResult) -> None:
    """Each write-back statement once, matching no row, in a transaction that is rolled back:
    a BO user that may read but not write fails here, not after the shop commit."""
    with engine.connect() as conn:
        for name in BO_WRITES:
            transaction = conn.begin()
            try:
                bo_io.probe_write(conn, name)
            except (sa.exc.DataError, sa.exc.IntegrityError):
                pass  # it ran: the probe's made-up values did not fit, which is all right
            except sa.exc.SQLAlchemyError as exc:
                result.problems.append(
                    f"BO {endpoint}: write-back include/sql/bo/{name}.sql is refused: "
                    f"{explain(exc)}; ids of shop rows could not be written back"
                )
            finally:
                transaction.rollback()


def _check_shop(
    settings: TenantSettings, endpoint: Endpoint, engine: sa.Engine, result: CheckResult
) -> None:
    before = len(result.problems)
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    flavour = detect(engine)
    for name in SHOP_TABLES:
        if name not in present:
            result.problems.append(
                f"shop {endpoint}: table {name!r} is missing: is this an osCommerce 2.3 database "
                "(and without a table prefix)?"
            )
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        missing = [
            c.name
            for c in shop_tables.metadata.tables[name].columns
            if c.name not in have and (name, c.name) not in flavour.dropped
        ]
        if missing:
            result.problems.append(
                f"shop {endpoint}: table {name!r} lacks columns {missing}: upgrade the shop "
                f"schema to {flavour.label}"
            )
    if {"languages", "orders_status"} <= present:
        with engine.connect() as conn:
            codes = {r[0] for r in conn.execute(sa.select(shop_tables.languages.c.code))}
            statuses = {
                int(r[0])
                for r in conn.execute(sa.select(shop_tables.orders_status.c.orders_status_id))
            }
        for bo_key, code in sorted(settings.languages.items()):
            if code not in codes:
                result.problems.append(
                    f"shop {endpoint}: no language with code {code!r} (for BO language "
                    f"{bo_key!r}); add it in the shop admin (Localization > Languages) or change "
                    "the tenant's 'languages'"
                )
        for role, ids in settings.order_statuses.model_dump().items():
            for status_id in ids if isinstance(ids, list) else [ids]:
                if status_id not in statuses:
                    result.problems.append(
                        f"shop {endpoint}: order status {status_id} ({role}) does not exist in "
                        "orders_status; fix the tenant's 'order_statuses'"
                    )
        if {"configuration", "orders_status"} <= present:
            _check_hold_statuses(settings, endpoint, engine, result)
    if len(result.problems) == before:
        result.passed.append(f"shop {endpoint}: {flavour.found()}")
        result.passed.append(
            f"shop {endpoint}: tables, columns, languages {sorted(settings.languages.values())} "
            "and order statuses present"
        )


def _check_hold_statuses(
    settings: TenantSettings, endpoint: Endpoint, engine: sa.Engine, result: CheckResult
) -> None:
    """The statuses that are not yet a sale (the tenant's, or the shop's "Preparing" ones)
    must not be ones the order sync imports from or sets."""
    from bo_oscommerce.shop.orders import read_rules

    with engine.connect() as conn:
        hold = read_rules(conn, settings.order_hold_statuses).hold
    clash = sorted(hold & set(settings.order_statuses.all()))
    if clash:
        result.problems.append(
            f"shop {endpoint}: order statuses {clash} count as not yet a sale (named "
            "'Preparing ...' or a payment module's preparing status) but are among the tenant's "
            "order_statuses: set 'order_hold_statuses' or 'order_statuses'"
        )


def _check_images(settings: TenantSettings, result: CheckResult) -> None:
    """The image source is a folder this worker reads; the shop's images folder takes a file
    (one is written and removed again)."""
    import uuid

    from bo_oscommerce.shop import images as files
    from bo_oscommerce.sync.images import shown

    images = settings.images
    assert images is not None
    for role, location, conn_id in (("source", images.source, images.source_conn_id),
                                    ("target", images.target, images.target_conn_id)):  # fmt: skip
        where = f"image {role} {shown(location)}"
        try:
            base = files.folder(location, conn_id)
            if base.fs.info(base.path).get("type") != "directory":
                raise FileNotFoundError("not a folder")
            if role == "target":
                probe = (base / f".bo-osc-probe-{uuid.uuid4().hex[:8]}").path
                base.fs.pipe_file(probe, b"")
                base.fs.rm_file(probe)
        except Exception as exc:  # noqa: BLE001 - any failure is this check's finding
            why = ("not found, or not a folder" if isinstance(exc, FileNotFoundError)
                   else f"{type(exc).__name__}: {exc}")  # fmt: skip
            result.problems.append(
                f"{where}: {why}: fix images.{role}"
                f"{' or its connection' if conn_id else ''} in the tenant's settings"
            )
            continue
        result.passed.append(f"{where}: reachable{', writable' if role == 'target' else ''}")


def check_tenant(settings: TenantSettings, images: bool = True) -> CheckResult:
    """``images``: also the image folders, where the tenant copies images (the catalog's
    runs and the command line; the other DAGs do not touch them)."""
    result = CheckResult(settings.id)
    bo = _connect(settings.bo_conn_id, "BO", result)
    if bo:
        _check_bo(*bo, result)
    shop = _connect(settings.shop_conn_id, "shop", result)
    if shop:
        _check_shop(settings, *shop, result)
    if images and settings.images is not None:
        _check_images(settings, result)
    return result
