"""The demo: a BO tenant with sample data syncs its catalog into an osCommerce shop.

Builds the demo tenant's databases (SQLite files under var/demo: the reference BO with German
sample data and dirty rows, and an empty osCommerce 2.3 shop), then runs the tenant's DAGs
with Airflow's ``dag.test()``: a first full catalog sync, an unchanged second run, a run after
a few BO changes, the stock DAG, the customers DAG both ways (BO contacts become shop
customers, a customer who registered in the shop becomes a BO contact), and the orders round
trip: orders placed in the shop as its checkout writes them, imported into BO, Processing, a
delivery note, Delivered, with the buyers' e-mails caught by a local SMTP server. Prints what
happened after each run.

Environment (set by the Makefile): AIRFLOW_HOME, AIRFLOW_CONN_BO_DEMO, AIRFLOW_CONN_SHOP_DEMO.
``--articles N`` sizes the sample data. ``--shop phoenix`` (``make demo SHOP=phoenix``): the shop
is a real CE Phoenix Cart 1.1.0.6 database instead, AIRFLOW_CONN_SHOP_DEMO's MariaDB database
loaded from ``../shared/phoenix`` (``bo_oscommerce_fixtures.demo_phoenix``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "fixtures"))

from bo_oscommerce_fixtures.demo_bo import generate  # noqa: E402
from bo_oscommerce_fixtures.demo_images import png  # noqa: E402
from bo_oscommerce_fixtures.demo_phoenix import create_phoenix_demo_shop, phoenix_dump  # noqa: E402
from bo_oscommerce_fixtures.demo_shop import create_demo_shop  # noqa: E402
from bo_oscommerce_fixtures.reference_bo import create_reference_schema  # noqa: E402

DEMO = ROOT / "var" / "demo"
IMAGES = DEMO / "bilder"  # BO's image folder (the demo tenant's images.source)
SHOP_IMAGES = DEMO / "shop" / "images"  # the shop's images/ (images.target)


def sqlite_path(env: str) -> Path:
    uri = os.environ[env]
    return Path(uri.removeprefix("sqlite:///"))


def build_databases(articles: int, phoenix: bool = False) -> tuple[sa.Engine, sa.Engine]:
    bo_path = sqlite_path("AIRFLOW_CONN_BO_DEMO")
    shop_path = None if phoenix else sqlite_path("AIRFLOW_CONN_SHOP_DEMO")
    for path in (bo_path, shop_path):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    summary = generate(bo, articles=articles)
    if shop_path is None:
        shop = phoenix_shop()
    else:
        shop = sa.create_engine(f"sqlite:///{shop_path}")
        create_demo_shop(shop)
    print(f"BO demo data: {summary.counts}")
    print(f"BO's images: {make_images(bo)} small pictures in {IMAGES}")
    print("deliberately dirty rows:")
    for case in summary.dirty:
        print(f"  {case.table} {case.key}: {case.reason}")
    return bo, shop


def ensure_phoenix_server() -> None:
    """Fail at once without the Phoenix dump; start (or install) MariaDB as ``make test`` does."""
    import subprocess

    try:
        phoenix_dump()
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    if subprocess.run(["bash", str(ROOT / "scripts" / "ensure-mariadb.sh")]).returncode != 0:
        raise SystemExit("MariaDB is not available on 127.0.0.1:3306 (see ensure-mariadb above)")


def phoenix_shop() -> sa.Engine:
    """The shop_demo connection's MariaDB database, made a fresh CE Phoenix Cart demo shop."""
    from bo_oscommerce.connections import engine_for

    shop = engine_for("shop_demo")
    if shop.dialect.name != "mysql":
        raise SystemExit("--shop phoenix needs AIRFLOW_CONN_SHOP_DEMO to be a mysql:// URI")
    try:
        create_phoenix_demo_shop(shop)
    except (OSError, ValueError, RuntimeError) as exc:
        raise SystemExit(f"the Phoenix demo shop could not be built: {exc}") from None
    print(
        f"Shop: CE Phoenix Cart 1.1.0.6 ({phoenix_dump().name}) in MariaDB database "
        f"{shop.url.database} on {shop.url.host}:{shop.url.port}, plus the demo's tax class 2, "
        "German tax rates, euro and store settings"
    )
    return shop


def make_images(bo: sa.Engine) -> int:
    """A picture for every image path BO names (a few colours over and over), and an empty
    images folder for the shop."""
    import shutil

    for folder in (IMAGES, SHOP_IMAGES):
        shutil.rmtree(folder, ignore_errors=True)
    SHOP_IMAGES.mkdir(parents=True)
    with bo.connect() as conn:
        paths = conn.execute(sa.text("SELECT bildpfad FROM artikel WHERE bildpfad IS NOT NULL "
                                     "ORDER BY artikel_nr")).scalars().all()  # fmt: skip
    for n, path in enumerate(paths):
        file = IMAGES / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(png(n % 6))
    return len(paths)


def run_dag(dag_id: str, conf: dict) -> dict:
    import runpy

    dag = runpy.run_path(str(ROOT / "dags" / "bo_oscommerce_dags.py"))[dag_id]
    dag_run = dag.test(run_conf=conf)
    print(f"\n=== {dag_id} {conf}: {dag_run.state} ===")
    if str(dag_run.state) != "success":
        raise SystemExit(f"{dag_id} ended {dag_run.state}")
    return {}


def show_reports(dag_id: str) -> None:
    import json

    reports = ROOT / "var" / "reports" / "demo" / dag_id
    latest = max(reports.iterdir(), key=lambda p: p.stat().st_mtime)
    summaries = [json.loads(path.read_text()) for path in sorted(latest.glob("summary_*.json"))]
    flavours = sorted({data["shop"] for data in summaries if data.get("shop")})
    if flavours:
        print(f"  shop flavour found: {', '.join(flavours)}")
    for data in summaries:
        counts = ", ".join(
            f"{k} {data[k]}"
            for k in (
                "extracted",
                "inserted",
                "updated",
                "unchanged",
                "hidden",
                "kept_out",
                "set_aside",
                "cleaned",
            )
        )
        print(f"  {data['entity']:<10} {counts}")
        for reason, n in data["set_aside_reasons"].items():
            print(f"             set aside {n}: {reason}")
    print(f"  report: {latest / 'report.html'}")


def show_shop(shop: sa.Engine) -> None:
    with shop.connect() as conn:
        counts = {
            name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            for name in ("categories", "products", "products_description", "products_to_categories")
        }
        print(f"  shop rows: {counts}")
        rows = conn.execute(
            sa.text(
                "SELECT p.products_model, d.products_name, p.products_price, p.products_quantity, "
                "p.products_status, p.products_image FROM products p JOIN products_description d "
                "ON d.products_id = p.products_id "
                "JOIN languages l ON l.languages_id = d.language_id AND l.code = 'de' "
                "ORDER BY p.products_id LIMIT 5"
            )
        ).all()
    for row in rows:
        print(
            f"    {row[0]:<10} {row[1][:40]:<40} net {float(row[2]):>9.4f}  qty {row[3]:>4}"
            f"  status {row[4]}  image {row[5]}"
        )
    files = sorted(p.name for p in SHOP_IMAGES.iterdir())
    print(f"  shop images folder {SHOP_IMAGES}: {len(files)} files, e.g. {files[:2]}")


def change_bo(bo: sa.Engine) -> None:
    later = datetime(2026, 11, 2, 9, 0, 0)
    with bo.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE artikel SET ladenpreis = ladenpreis + 1, geaendert_am = :t "
                "WHERE artikel_nr IN ('A-000001', 'A-000002')"
            ),
            {"t": later},
        )
        conn.execute(
            sa.text(
                "UPDATE artikel SET im_web = 0, geaendert_am = :t WHERE artikel_nr = 'A-000003'"
            ),
            {"t": later},
        )
        conn.execute(
            sa.text(
                "UPDATE lagerbestand SET bestand = bestand + 7, geaendert_am = :t "
                "WHERE artikel_nr IN ('A-000004', 'A-000005')"
            ),
            {"t": later},
        )
    print(
        "\nBO changes: price of A-000001 and A-000002 +1, A-000003 leaves the web, "
        "stock of A-000004 and A-000005 +7"
    )


def register_in_shop(shop: sa.Engine) -> None:
    """A customer registers in the shop the way create_account.php writes it."""
    from bo_oscommerce.shop.passwords import hash_password

    with shop.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO customers (customers_id, customers_gender, customers_firstname, "
                "customers_lastname, customers_dob, customers_email_address, "
                "customers_default_address_id, customers_telephone, customers_fax, "
                "customers_password, customers_newsletter) VALUES (900, 'f', 'Lena', 'Vogel', "
                "'1995-05-05 00:00:00', 'lena.vogel@example.invalid', 900, '0341 123456', '', "
                ":pw, '')"
            ),
            {"pw": hash_password("geheim123", 15)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO address_book (address_book_id, customers_id, entry_gender, "
                "entry_company, entry_firstname, entry_lastname, entry_street_address, "
                "entry_suburb, entry_postcode, entry_city, entry_state, entry_country_id, "
                "entry_zone_id) VALUES (900, 900, 'f', '', 'Lena', 'Vogel', 'Schillerstraße 3', "
                "'', '04109', 'Leipzig', 'Sachsen', 81, 0)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO customers_info (customers_info_id, customers_info_number_of_logons, "
                "customers_info_date_account_created) VALUES (900, 0, '2026-11-02 10:15:00')"
            )
        )
    print("\nShop: Lena Vogel registers in the shop (customer 900)")


def show_customers(bo: sa.Engine, shop: sa.Engine) -> None:
    with shop.connect() as conn:
        count = conn.execute(sa.text("SELECT COUNT(*) FROM customers")).scalar_one()
        sample = conn.execute(
            sa.text(
                "SELECT c.customers_id, c.customers_email_address, a.entry_postcode, "
                "SUBSTR(c.customers_password, 1, 4) FROM customers c JOIN address_book a "
                "ON a.address_book_id = c.customers_default_address_id ORDER BY 1 LIMIT 3"
            )
        ).all()
    with bo.connect() as conn:
        linked = conn.execute(
            sa.text("SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IS NOT NULL")
        ).scalar_one()
        lena = conn.execute(
            sa.text(
                "SELECT g.gp_id, g.vorname, g.nachname, a.ort FROM gespraechspartner g "
                "JOIN adresse a ON a.adress_nr = g.adress_nr WHERE g.osc_customers_id = 900"
            )
        ).all()
    print(f"  shop customers: {count}; BO contacts linked to one: {linked}")
    for row in sample:
        print(f"    customer {row[0]:<4} {row[1]:<34} postal code {row[2]} password {row[3]}...")
    for row in lena:
        print(f"  BO contact {row[0]}: {row[1]} {row[2]}, {row[3]} (from the shop)")


MAILS = DEMO / "mails"


def start_mail_catcher() -> object | None:
    """A local SMTP server (aiosmtpd) on 127.0.0.1:8025 that writes each mail to var/demo/mails."""
    import email
    import email.header

    from aiosmtpd.controller import Controller

    MAILS.mkdir(parents=True, exist_ok=True)
    for old in MAILS.glob("*.eml"):
        old.unlink()

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            count = len(list(MAILS.glob("*.eml"))) + 1
            (MAILS / f"{count:03d}.eml").write_bytes(envelope.original_content)
            message = email.message_from_bytes(envelope.original_content)
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            print(f"  mail to {', '.join(envelope.rcpt_tos)}: {subject}")
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=8025)
    try:
        controller.start()
    except OSError as exc:
        print(f"(no mail catcher on 127.0.0.1:8025: {exc})")
        return None
    return controller


def place_orders(shop: sa.Engine) -> None:
    """Buyers check out in the shop, written as checkout_process.php writes orders."""
    from datetime import timedelta
    from decimal import Decimal

    from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders

    with shop.connect() as conn:
        buyers = [
            int(i)
            for i in conn.execute(
                sa.text("SELECT customers_id FROM customers ORDER BY customers_id LIMIT 3")
            ).scalars()
        ]
        products = [
            int(i)
            for i in conn.execute(
                sa.text(
                    "SELECT products_id FROM products WHERE products_status = 1 "
                    "ORDER BY products_id LIMIT 4"
                )
            ).scalars()
        ]
    when = datetime(2026, 11, 2, 10, 0)
    orders = [
        Checkout(
            buyers[0],
            (Line(products[0], 2), Line(products[1], 1)),
            when,
            comment="Bitte nicht vor 18 Uhr liefern – danke!",
        ),
        Checkout(
            buyers[1],
            (Line(products[2], 1, (("Farbe", "Blau", Decimal("2.50")),)),),
            when + timedelta(minutes=5),
        ),
        Checkout(buyers[2], (Line(products[3], 3),), when + timedelta(minutes=9), with_tax=False),
    ]
    ids = write_orders(shop, orders)
    print(f"\nShop: {len(ids)} orders placed through the checkout (orders {ids})")


def deliver(bo: sa.Engine) -> None:
    later = datetime(2026, 11, 3, 8, 0)
    with bo.begin() as conn:
        auftrag = conn.execute(sa.text("SELECT MIN(auftrag_nr) FROM auftrag")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO lieferschein (lieferschein_nr, auftrag_nr, lieferdatum, "
                "sendungsnummer, vollstaendig, geaendert_am) VALUES (1, :a, :t, :s, 1, :t)"
            ),
            {"a": auftrag, "t": later, "s": "JJD000390007"},
        )
    print(f"\nBO: delivery note 1 for Auftrag {auftrag} (tracking number JJD000390007)")


def show_orders(bo: sa.Engine, shop: sa.Engine) -> None:
    with bo.connect() as conn:
        for row in conn.execute(
            sa.text(
                "SELECT a.auftrag_nr, a.osc_orders_id, g.vorname, g.nachname, a.summe_brutto, "
                "a.osc_status_gemeldet, COUNT(p.pos_nr), a.summe_netto, a.summe_steuer, "
                "a.versandkosten, a.versand_ust_satz FROM auftrag a JOIN gespraechspartner g "
                "ON g.gp_id = a.gp_id JOIN auftragsposition p ON p.auftrag_nr = a.auftrag_nr "
                "GROUP BY a.auftrag_nr, a.osc_orders_id, g.vorname, g.nachname, a.summe_brutto, "
                "a.osc_status_gemeldet, a.summe_netto, a.summe_steuer, a.versandkosten, "
                "a.versand_ust_satz ORDER BY a.auftrag_nr"
            )
        ):
            print(
                f"  BO Auftrag {row[0]} = shop order {row[1]}: {row[2]} {row[3]}, "
                f"{float(row[4]):.2f} EUR (net {float(row[7]):.4f} + VAT {float(row[8]):.4f}; "
                f"shipping {float(row[9]):.2f} net at {float(row[10]):g} %), {row[6]} "
                f"position(s), shop status reported {row[5]}"
            )
    with shop.connect() as conn:
        for row in conn.execute(
            sa.text(
                "SELECT o.orders_id, s.orders_status_name, COUNT(h.orders_status_history_id) "
                "FROM orders o JOIN orders_status s ON s.orders_status_id = o.orders_status "
                "AND s.language_id = 2 JOIN orders_status_history h ON h.orders_id = o.orders_id "
                "GROUP BY o.orders_id, s.orders_status_name ORDER BY o.orders_id"
            )
        ):
            print(f"  shop order {row[0]}: {row[1]} ({row[2]} history rows)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--shop", choices=("sqlite", "phoenix"), default="sqlite")
    args = parser.parse_args()
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    if args.shop == "phoenix":
        ensure_phoenix_server()
    bo, shop = build_databases(args.articles, phoenix=args.shop == "phoenix")

    steps = [
        ("bo_osc_demo_catalog", {"mode": "full"}, "first full sync into the empty shop"),
        ("bo_osc_demo_catalog", {"mode": "incremental"}, "second run, nothing changed in BO"),
        ("change", None, ""),
        ("bo_osc_demo_catalog", {"mode": "incremental"}, "incremental run after BO changes"),
        ("bo_osc_demo_stock", {"mode": "incremental"}, "stock DAG"),
        ("register", None, ""),
        ("bo_osc_demo_customers", {"direction": "both"}, "customers DAG, both ways"),
        ("bo_osc_demo_customers", {"direction": "both"}, "customers DAG again: nothing to do"),
        ("place_orders", None, ""),
        (
            "bo_osc_demo_orders",
            {"criteria": ["import", "processing"]},
            "orders: import, Processing",
        ),
        ("deliver", None, ""),
        ("bo_osc_demo_orders", {"criteria": ["delivered"]}, "orders: Delivered"),
        ("bo_osc_demo_orders", {}, "orders again: nothing to do"),
    ]
    catcher = start_mail_catcher()
    for dag_id, conf, label in steps:
        if dag_id == "change":
            change_bo(bo)
            continue
        if dag_id == "register":
            register_in_shop(shop)
            continue
        if dag_id == "place_orders":
            place_orders(shop)
            continue
        if dag_id == "deliver":
            deliver(bo)
            continue
        print(f"\n##### {label}")
        run_dag(dag_id, conf)
        show_reports(dag_id)
        if dag_id.endswith("_customers"):
            show_customers(bo, shop)
        elif dag_id.endswith("_orders"):
            show_orders(bo, shop)
        else:
            show_shop(shop)
    if catcher is not None:
        catcher.stop()
        print(f"\nE-mails to buyers, as received by the local SMTP server: {MAILS}")
        mails = sorted(MAILS.glob("*.eml"))
        for path in mails[:1] + mails[-1:]:
            import email

            message = email.message_from_bytes(path.read_bytes())
            html = next(p for p in message.walk() if p.get_content_type() == "text/html")
            text = html.get_payload(decode=True).decode().replace("<pre>", "").replace("</pre>", "")
            print(f"--- {path.name}\n{text.strip()}")
    index = ROOT / "var" / "reports" / "demo" / "index.html"
    print(f"\nDemo done. The reviewer reports: {index} (open it in a browser).")
    print("'make airflow' starts Airflow's UI on this demo tenant: Browse > bo-oscommerce console "
          "shows it at a glance, with its new orders and the buttons to import or sync now.")


if __name__ == "__main__":
    main()
