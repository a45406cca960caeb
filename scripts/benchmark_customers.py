"""Benchmark of the customers sync (BO contacts -> shop customers), run by
``scripts/benchmark.py --contacts N``; its figures go into docs/benchmarks.md.

Scenarios, each in a fresh process: a full run of N contacts into an empty MariaDB shop
(creating N accounts with their first-password hashes), the first and a second no-op run
(both directions, as a DAG run does them), and a baseline: the same customers, address_book
and customers_info rows inserted with plain PyMySQL ``executemany``.
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TABLES = ("customers", "address_book", "customers_info")
KEYS = {"customers": "customers_id", "address_book": "address_book_id",
        "customers_info": "customers_info_id"}  # fmt: skip
RUN_AT = {"full": datetime(2026, 11, 1, 12), "noop_first": datetime(2026, 11, 1, 13),
          "noop": datetime(2026, 11, 1, 14)}  # fmt: skip
SHOP_DB, BASELINE_DB = "bo_osc_bench_customers", "bo_osc_bench_customers_base"
TARGET_FULL_S = 300.0
TARGET_NOOP = 0.10
VORNAMEN = ("Anna", "Jürgen", "Käthe", "Zoë", "Björn", "Lena", "Matthias", "Renée", "Uwe")
NACHNAMEN = ("Müller", "Schmidt", "Weiß", "Groß", "Köhler", "Böhm", "O'Brien", "Vogel")
ORTE = (("Köln", "50"), ("München", "80"), ("Leipzig", "04"), ("Hamburg", "22"))


def build_bo(path: Path, contacts: int) -> None:
    """Reference BO with ``contacts`` web contacts (one Adresse each), all in Germany."""
    from bo_oscommerce_fixtures.reference_bo import create_reference_schema

    engine = sa.create_engine(f"sqlite:///{path}")
    create_reference_schema(engine)
    rng = random.Random(7)
    stamp = datetime(2026, 10, 1, 8)
    addresses, people = [], []
    for i in range(1, contacts + 1):
        ort, prefix = rng.choice(ORTE)
        addresses.append(
            (
                i,
                None,
                f"Hauptstraße {rng.randint(1, 200)}",
                f"{prefix}{rng.randint(0, 999):03d}",
                ort,
                1,
                None,
                "0221 123456",
                stamp,
            )
        )
        people.append(
            (
                i,
                i,
                rng.choice(("Herr", "Frau")),
                rng.choice(VORNAMEN),
                rng.choice(NACHNAMEN),
                f"kunde{i}@example.com",
                None,
                i % 3 == 0,
                1,
                stamp,
            )
        )
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO staat (staat_id, iso2, bezeichnung, osc_countries_id) "
            "VALUES (1, 'DE', 'Deutschland', 81)"
        )
        conn.exec_driver_sql(
            "INSERT INTO adresse (adress_nr, firma, strasse, plz, ort, staat_id, region, telefon, "
            "geaendert_am) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            addresses,
        )
        conn.exec_driver_sql(
            "INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, nachname, email, "
            "geburtstag, newsletter, im_web, geaendert_am) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
        conn.exec_driver_sql(
            "INSERT INTO nummernkreis (name, letzte_nr) VALUES ('adresse', ?), "
            "('gespraechspartner', ?)",
            (contacts, contacts),
        )
    engine.dispose()


def run_scenario(state: dict[str, Any], scenario: str, bench: Any) -> dict[str, Any]:
    """One scenario in this (fresh) process."""
    from bo_oscommerce.sync.customers import sync_customers_from_shop, sync_customers_to_shop
    from bo_oscommerce.sync.run import Run

    if scenario == "baseline":
        return _baseline(state, bench)
    bench._warm_up()  # imports, GX and Airflow's storage layer, paid once per task process
    before = bench.memory_kib()
    bo, shop = bench.bo_engine(Path(state["bo_path"])), bench.shop_engine(SHOP_DB)
    run = Run(bench.tenant_settings(), bo, shop, f"bench/{scenario}", RUN_AT[scenario],
              full=scenario == "full")  # fmt: skip
    started = time.perf_counter()
    to_shop = sync_customers_to_shop(run)
    middle = time.perf_counter()
    from_shop = sync_customers_from_shop(run) if scenario != "full" else None
    ended = time.perf_counter()
    bo.dispose()
    shop.dispose()
    return {
        "wall_s": ended - started,
        "to_shop_s": middle - started,
        "from_shop_s": ended - middle,
        "to_shop": to_shop.counts(),
        "from_shop": from_shop.counts() if from_shop else None,
        "rss_start_kib": before["VmRSS"],
        "peak_rss_kib": bench.memory_kib()["VmHWM"],
    }


def _baseline(state: dict[str, Any], bench: Any) -> dict[str, Any]:
    bench.new_demo_shop(BASELINE_DB)
    source = bench._pymysql_connect(SHOP_DB)
    data = {}
    try:
        with source.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT * FROM `{table}` ORDER BY {KEYS[table]}")
                data[table] = ([d[0] for d in cursor.description], list(cursor.fetchall()))
    finally:
        source.close()
    target = bench._pymysql_connect(BASELINE_DB)
    started = time.perf_counter()
    try:
        for table, (columns, values) in data.items():
            with target.cursor() as cursor:
                target.begin()
                cursor.executemany(
                    f"INSERT INTO `{table}` ({', '.join(columns)}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    values,
                )
                target.commit()
    finally:
        target.close()
    return {
        "wall_s": time.perf_counter() - started,
        "rows": {t: len(v[1]) for t, v in data.items()},
        "peak_rss_kib": bench.memory_kib()["VmHWM"],
        "rss_start_kib": 0,
    }


def check(state: dict[str, Any], contacts: int, bench: Any) -> list[tuple[str, bool, str]]:
    """Every contact is a customer whose postal code is its password (a sample is verified)."""
    from bo_oscommerce.shop.passwords import verify_password

    shop = bench.shop_engine(SHOP_DB)
    with shop.connect() as conn:
        counts = {
            t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES
        }
        sample = conn.execute(
            sa.text(
                "SELECT c.customers_password, a.entry_postcode FROM customers c "
                "JOIN address_book a ON a.address_book_id = c.customers_default_address_id "
                "ORDER BY RAND(7) LIMIT 50"
            )
        ).all()
    shop.dispose()
    return [
        ("every contact is a customer with address and info", set(counts.values()) == {contacts},
         json.dumps(counts)),
        ("sampled first passwords verify with the postal code",
         all(verify_password(plz, pw) for pw, plz in sample), f"{len(sample)} sampled"),
    ]  # fmt: skip


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def render(contacts: int, s: dict[str, dict[str, Any]], checks: list, m: dict[str, Any]) -> str:
    full, base = s["full"], s["baseline"]
    rows = sum(base["rows"].values())
    lines = [
        f"## {_n(contacts)} contacts to the shop",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {m['nproc']} CPUs ({m['cpu']}), MariaDB "
        f"{m['mariadb']}, Python {m['python']}. BO on SQLite, shop on MariaDB; "
        "first passwords at the default `password_cost` 10 (2^10 phpass rounds, hashed on "
        "every core by worker processes, whose memory is not in the peak below).",
        "",
        "| Scenario | Wall time | Shop rows written | Rows/s | Peak RSS |",
        "|---|---:|---:|---:|---:|",
        f"| full: every contact becomes a customer | {full['wall_s']:.1f} s | {_n(rows)} | "
        f"{_n(rows / full['wall_s'])} | {full['peak_rss_kib'] / 1024:.0f} MiB |",
    ]
    for key, label in (
        ("noop_first", "first no-op run (both directions)"),
        ("noop", "no-op run, steady state (both directions)"),
    ):
        v = s[key]
        lines.append(
            f"| {label} | {v['wall_s']:.2f} s (to shop {v['to_shop_s']:.2f}, from "
            f"shop {v['from_shop_s']:.2f}) | 0 | – | {v['peak_rss_kib'] / 1024:.0f} MiB |"
        )
    lines.append(
        f"| baseline: PyMySQL executemany of the same rows | {base['wall_s']:.1f} s | "
        f"{_n(rows)} | {_n(rows / base['wall_s'])} | – |"
    )
    noop = s["noop"]["wall_s"] / full["wall_s"]
    lines += [
        "",
        f"Targets: full run under {TARGET_FULL_S / 60:.0f} minutes: "
        f"**{'PASS' if full['wall_s'] < TARGET_FULL_S else 'FAIL'}** ({full['wall_s']:.0f} s); "
        f"no-op under {TARGET_NOOP:.0%} of a full run: "
        f"**{'PASS' if noop < TARGET_NOOP else 'FAIL'}** ({noop:.1%}).",
        "",
        "Checks: "
        + "; ".join(f"{'ok' if ok else 'FAILED'} {name} ({detail})" for name, ok, detail in checks)
        + ".",
    ]
    return "\n".join(lines) + "\n"
