"""Benchmark of the order import (shop orders -> BO Auftraege -> Processing), run by
``scripts/benchmark.py --orders N``; its figures go into docs/benchmarks.md.

A MariaDB shop (a German merchant's settings: prices shown with tax, flat-rate shipping taxed
at 19 %) gets 300 products and 2 000 customers, then N orders of 1 to 5 lines (3 on average,
options on 30 % of them, one order in ten placed with net display) written as
checkout_process.php writes them; BO (SQLite) knows the articles and 80 % of the buyers. Every
order is judged as the import judges any: its totals against the order total modules, its
option rows, the checkout's row and basket, the settle time. Measured, each in a fresh
process: the import with the Processing status written back (one DAG run's import and
processing tasks), and a run with nothing new.
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

SHOP_DB = "bo_osc_bench_orders"
PRODUCTS, CUSTOMERS = 300, 2000
RUN_AT = {"full": datetime(2026, 11, 20, 12), "noop": datetime(2026, 11, 20, 13)}
TARGET_FULL_S, TARGET_NOOP_S = 15.0, 2.0


def build(bo_path: Path, orders: int, bench: Any) -> None:
    """The shop (products, customers, orders) and the BO that knows its articles and most buyers."""
    from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders
    from bo_oscommerce_fixtures.reference_bo import create_reference_schema

    bench.new_demo_shop(SHOP_DB)
    shop = bench.shop_engine(SHOP_DB)
    rng = random.Random(7)
    stamp = datetime(2026, 11, 1, 8)
    with shop.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO products (products_id, products_quantity, products_model, products_price, "
            "products_date_added, products_weight, products_status, products_tax_class_id) "
            "VALUES (%s, 1000, %s, %s, %s, 1, 1, %s)",
            [(i, f"B-{i:06d}", Decimal(rng.randint(199, 9999)) / 100, stamp, 1 + i % 2)
             for i in range(1, PRODUCTS + 1)],
        )  # fmt: skip
        conn.exec_driver_sql(
            "INSERT INTO products_description (products_id, language_id, products_name) "
            "VALUES (%s, 2, %s)",
            [(i, f"Artikel {i}") for i in range(1, PRODUCTS + 1)],
        )
        conn.exec_driver_sql(
            "INSERT INTO customers (customers_id, customers_gender, customers_firstname, "
            "customers_lastname, customers_dob, customers_email_address, "
            "customers_default_address_id, customers_telephone, customers_fax, "
            "customers_password, customers_newsletter) "
            "VALUES (%s, 'f', 'Anna', %s, '1980-01-01', %s, %s, '0221 1', '', 'x', '')",
            [(i, f"Kundin {i}", f"kundin{i}@example.com", i) for i in range(1, CUSTOMERS + 1)],
        )
        conn.exec_driver_sql(
            "INSERT INTO address_book (address_book_id, customers_id, entry_gender, "
            "entry_company, entry_firstname, entry_lastname, entry_street_address, entry_suburb, "
            "entry_postcode, entry_city, entry_state, entry_country_id, entry_zone_id) "
            "VALUES (%s, %s, 'f', '', 'Anna', %s, 'Hohe Straße 1', '', '50667', 'Köln', '', 81, 0)",
            [(i, i, f"Kundin {i}") for i in range(1, CUSTOMERS + 1)],
        )
    start = datetime(2026, 11, 10, 8)

    def line() -> Line:
        options = ()
        if rng.random() < 0.3:  # options on 30 % of the lines, some with a price, some cheaper
            options = (("Farbe", rng.choice(["Rot", "Blau"]), Decimal(rng.choice(["0", "2.5"]))),
                       ("Größe", "M", Decimal(rng.choice(["0", "-1.2605"]))))  # fmt: skip
        return Line(rng.randint(1, PRODUCTS), rng.randint(1, 3), options)

    checkouts = [
        Checkout(
            rng.randint(1, CUSTOMERS),
            tuple(line() for _ in range(rng.randint(1, 5))),
            start + timedelta(seconds=17 * n),
            with_tax=n % 10 != 0,
        )
        for n in range(orders)
    ]
    for part in range(0, orders, 2000):
        write_orders(shop, checkouts[part : part + 2000])
    shop.dispose()

    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    with bo.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO staat (staat_id, iso2, bezeichnung, osc_countries_id) "
            "VALUES (1, 'DE', 'Deutschland', 81)"
        )
        conn.exec_driver_sql(
            "INSERT INTO artikel (artikel_nr, bezeichnung, im_web, osc_products_id, geaendert_am) "
            "VALUES (?, ?, 1, ?, ?)",
            [(f"B-{i:06d}", f"Artikel {i}", i, stamp) for i in range(1, PRODUCTS + 1)],
        )
        known = int(CUSTOMERS * 0.8)
        conn.exec_driver_sql(
            "INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, geaendert_am) "
            "VALUES (?, 'Hohe Straße 1', '50667', 'Köln', 1, ?)",
            [(i, stamp) for i in range(1, known + 1)],
        )
        conn.exec_driver_sql(
            "INSERT INTO gespraechspartner (gp_id, adress_nr, nachname, email, im_web, "
            "osc_customers_id, geaendert_am) VALUES (?, ?, ?, ?, 1, ?, ?)",
            [
                (i, i, f"Kundin {i}", f"kundin{i}@example.com", i, stamp)
                for i in range(1, known + 1)
            ],
        )
        conn.exec_driver_sql(
            "INSERT INTO nummernkreis (name, letzte_nr) VALUES ('adresse', ?), "
            "('gespraechspartner', ?), ('auftrag', 0)",
            (known, known),
        )
    bo.dispose()


def run_scenario(state: dict[str, Any], scenario: str, bench: Any) -> dict[str, Any]:
    from bo_oscommerce.sync.order_status import report_status
    from bo_oscommerce.sync.orders import import_orders
    from bo_oscommerce.sync.run import Run

    bench._warm_up()
    before = bench.memory_kib()
    bo, shop = bench.bo_engine(Path(state["bo_path"])), bench.shop_engine(SHOP_DB)
    run = Run(bench.tenant_settings(), bo, shop, f"bench/orders-{scenario}", RUN_AT[scenario])
    started = time.perf_counter()
    imported = import_orders(run)
    middle = time.perf_counter()
    processing = report_status(run, "processing")
    ended = time.perf_counter()
    bo.dispose()
    shop.dispose()
    return {
        "wall_s": ended - started,
        "import_s": middle - started,
        "processing_s": ended - middle,
        "imported": imported.inserted,
        "set_aside": imported.set_aside_rows,
        "processed": processing.updated,
        "rss_start_kib": before["VmRSS"],
        "peak_rss_kib": bench.memory_kib()["VmHWM"],
    }


def check(state: dict[str, Any], orders: int, bench: Any) -> list[tuple[str, bool, str]]:
    bo = sa.create_engine(f"sqlite:///{state['bo_path']}")
    with bo.connect() as conn:
        auftraege, distinct = conn.execute(
            sa.text("SELECT COUNT(*), COUNT(DISTINCT osc_orders_id) FROM auftrag")
        ).one()
        positions = conn.execute(sa.text("SELECT COUNT(*) FROM auftragsposition")).scalar_one()
    bo.dispose()
    shop = bench.shop_engine(SHOP_DB)
    with shop.connect() as conn:
        lines = conn.execute(sa.text("SELECT COUNT(*) FROM orders_products")).scalar_one()
        processing = conn.execute(
            sa.text("SELECT COUNT(*) FROM orders_status_history WHERE orders_status_id = 2")
        ).scalar_one()
    shop.dispose()
    return [
        ("every order once in BO", auftraege == distinct == orders, f"{auftraege} Auftraege"),
        ("every line a position", positions == lines, f"{positions} of {lines}"),
        ("one Processing history row per order", processing == orders, str(processing)),
    ]


def render(orders: int, s: dict[str, dict[str, Any]], checks: list, m: dict[str, Any]) -> str:
    full, noop = s["full"], s["noop"]
    return "\n".join(
        [
            f"## {orders:,} shop orders into BO".replace(",", " "),
            "",
            f"Measured {datetime.now():%Y-%m-%d %H:%M} on {m['nproc']} CPUs ({m['cpu']}), "
            f"MariaDB {m['mariadb']}, Python {m['python']}. Shop on MariaDB ({PRODUCTS} products, "
            f"{CUSTOMERS} customers, orders of 1 to 5 lines with options on 30 % of them, "
            "flat-rate shipping taxed at 19 %, written as checkout_process.php writes them); BO "
            "on SQLite, knowing the articles and 80 % of the buyers (the rest become new BO "
            "addresses).",
            "",
            "| Scenario | Wall time | Orders/s | Peak RSS |",
            "|---|---:|---:|---:|",
            f"| import ({full['import_s']:.1f} s) and Processing back to the shop "
            f"({full['processing_s']:.1f} s) | {full['wall_s']:.1f} s | "
            f"{full['imported'] / full['wall_s']:.0f} | {full['peak_rss_kib'] / 1024:.0f} MiB |",
            f"| a run with nothing new | {noop['wall_s']:.2f} s | – | "
            f"{noop['peak_rss_kib'] / 1024:.0f} MiB |",
            "",
            f"Targets: {orders} orders imported and marked Processing in under "
            f"{TARGET_FULL_S:.0f} s: **{'PASS' if full['wall_s'] < TARGET_FULL_S else 'FAIL'}**; "
            f"nothing new under {TARGET_NOOP_S:.0f} s: "
            f"**{'PASS' if noop['wall_s'] < TARGET_NOOP_S else 'FAIL'}**.",
            "",
            "Checks: "
            + "; ".join(f"{'ok' if ok else 'FAILED'} {n} ({d})" for n, ok, d in checks)
            + ".",
            "",
        ]
    )


__all__ = ["SHOP_DB", "build", "check", "json", "render", "run_scenario"]
