"""Shop orders into BO exactly once, status back to the shop, e-mails to the buyer: against
``shop-with-orders.sql``, whose seven orders went through osCommerce's own checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows, scalar, settings

from bo_oscommerce.sync.order_status import reconcile, report_status
from bo_oscommerce.sync.orders import count_new, import_orders
from bo_oscommerce.sync.run import Run
from bo_oscommerce_fixtures.checkout import Checkout, Line, write_order_slowly

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 12, 0, 0)  # shop time, after the fixture's orders (01:24)
NOT_WRITTEN = "the order is not fully written (its rows are not what the shop's checkout writes)"
HISTORY = "SELECT orders_id, orders_status_id, customer_notified, comments FROM orders_status_history"


def tenant(**values):
    return settings(**values)


def run_for(bo, shop, key="run", at=NOW, **values) -> Run:
    return Run(tenant(**values), bo, shop, f"test/{key}", at)


def import_and_process(bo, shop, key="run", at=NOW, **values):
    run = run_for(bo, shop, key, at, **values)
    return import_orders(run), report_status(run, "processing")


def test_the_fixtures_orders_arrive_in_bo_with_their_totals_and_positions(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    run = run_for(bo, shop)
    assert count_new(run)["waiting"] == 7
    imported = import_orders(run)
    assert imported.inserted == 7 and imported.set_aside_rows == 0
    assert count_new(run)["waiting"] == 0
    auftrag = (
        "SELECT osc_orders_id, gp_id, email, liefer_name, liefer_firma, liefer_staat_id, zahlungsart, "
        "waehrung, waehrungsfaktor, bemerkung, summe_netto, summe_steuer, summe_brutto, versandkosten "
        "FROM auftrag WHERE osc_orders_id = :o"
    )
    # order 2: prices shown with tax, 19 % and 7 %, an option with a price
    two = [str(v) for v in rows(bo, auftrag, o=2)[0]]
    assert two[2:] == [
        "juergen.mueller@example.invalid", "Jürgen Müller-Lüdenscheidt", "Müller & Söhne GbR", "1",
        "Cash on Delivery", "EUR", "1.000000", "None", "108.3763", "14.4837", "122.8600", "5.0000",
    ]  # fmt: skip
    positions = "SELECT p.pos_nr, p.artikel_nr, p.bezeichnung, p.menge, p.einzelpreis_netto, p.ust_satz FROM auftragsposition p JOIN auftrag a ON a.auftrag_nr = p.auftrag_nr WHERE a.osc_orders_id = :o ORDER BY p.pos_nr"
    assert [tuple(str(v) for v in r) for r in rows(bo, positions, o=2)] == [
        ("1", "A-000012", "Gärtnerglück Brause Stahl, groß", "1.000", "17.6387", "19.00"),
        ("2", "A-000013", "Meisterhand Holzschrauben HSS, 100 Stück (Farbe: Blau)", "3.000", "14.2563", "19.00"),
        ("3", "A-000015", "Küchenfreund Teigschaber Gusseisen, 1,5 l", "1.000", "42.9813", "7.00"),
    ]  # fmt: skip
    # order 7: placed while the shop showed net prices: the total carries 4 decimals
    seven = [str(v) for v in rows(bo, auftrag, o=7)[0]]
    assert seven[9:] == ["Rechnung bitte an die Firma", "64.1000", "5.8482", "69.9482", "5.0000"]
    # the buyers: Matthias is BO's contact 2 (by e-mail), the others arrive linked to their
    # shop customer, each once although Jürgen ordered four times
    buyers = dict(rows(bo, "SELECT osc_orders_id, gp_id FROM auftrag"))
    assert buyers[5] == 2
    jurgen = {buyers[o] for o in (1, 2, 6, 7)}
    assert len(jurgen) == 1
    (gp,) = jurgen
    assert rows(bo, "SELECT osc_customers_id, vorname, nachname FROM gespraechspartner WHERE gp_id = :g", g=gp) == [
        (1, "Jürgen", "Müller-Lüdenscheidt")
    ]


def test_processing_writes_one_history_row_like_the_admin_page(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    before = rows(shop, HISTORY + " ORDER BY orders_status_history_id")
    import_and_process(bo, shop)
    assert rows(shop, "SELECT DISTINCT orders_status, last_modified FROM orders") == [(2, NOW)]
    added = rows(shop, HISTORY + " WHERE orders_status_id = 2 ORDER BY orders_id")
    assert added == [(o, 2, 0, "") for o in range(1, 8)]
    assert rows(bo, "SELECT DISTINCT osc_status_gemeldet FROM auftrag") == [(2,)]
    # a finished run run again writes nothing
    again = import_and_process(bo, shop, key="again", at=datetime(2026, 11, 27, 13))
    assert (again[0].inserted, again[1].updated) == (0, 0)
    assert rows(shop, HISTORY + " ORDER BY orders_status_history_id") == before + added
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag") == 7


def _crashing_run(bo_url: str, shop_url: str, env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; from datetime import datetime; import sqlalchemy as sa\n"
        "from bo_oscommerce.config import parse_config\n"
        "from bo_oscommerce.connections import Endpoint, create_engine_for\n"
        "from bo_oscommerce.sync.orders import import_orders\n"
        "from bo_oscommerce.sync.order_status import report_status\n"
        "from bo_oscommerce.sync.run import Run\n"
        "t = parse_config({'tenants': {'it': {'bo_conn_id': 'b', 'shop_conn_id': 's', "
        "'order_mails': {'processing': True}, 'shop_url': 'https://shop.example.com/', "
        "'mail_from': 'shop@example.com', 'smtp_conn_id': 'smtp_test'}}}).get('it')\n"
        "run = Run(t, create_engine_for(Endpoint('b', sa.make_url(sys.argv[1]))), "
        "create_engine_for(Endpoint('s', sa.make_url(sys.argv[2]))), 'crash/1', "
        "datetime(2026, 11, 27, 12))\n"
        "import_orders(run); report_status(run, 'processing')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins"),
           "BO_OSC_STAGING_URL": (tmp_path / "crash").as_uri(), **env_extra}  # fmt: skip
    return subprocess.run([sys.executable, "-c", code, bo_url, shop_url], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_a_run_that_dies_after_the_bo_commit_is_retried_without_doubles(
    bo_mariadb, orders_shop, staging, smtp_server, tmp_path
):
    bo, shop = bo_mariadb, orders_shop.engine
    died = _crashing_run(bo.url.render_as_string(hide_password=False), orders_shop.url,
                         {"BO_OSC_FAILPOINT": "after_bo_commit"}, tmp_path)  # fmt: skip
    assert died.returncode == 75, died.stderr[-2000:]
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag") == 7  # BO committed ...
    assert rows(shop, "SELECT DISTINCT orders_status FROM orders") == [(1,)]  # ... the shop not
    assert smtp_server.messages == []
    values = {"order_mails": {"processing": True}, "shop_url": "https://shop.example.com/",
              "mail_from": "shop@example.com", "smtp_conn_id": "smtp_test"}  # fmt: skip
    retried = import_and_process(bo, shop, key="retry", **values)
    assert (retried[0].inserted, retried[1].updated) == (0, 7)
    assert rows(bo, "SELECT COUNT(*), COUNT(DISTINCT osc_orders_id) FROM auftrag") == [(7, 7)]
    assert rows(shop, "SELECT orders_id, COUNT(*) FROM orders_status_history WHERE orders_status_id = 2 GROUP BY orders_id") == [
        (o, 1) for o in range(1, 8)
    ]
    assert len(smtp_server.messages) == 7
    assert rows(shop, "SELECT DISTINCT customer_notified FROM orders_status_history WHERE orders_status_id = 2") == [(1,)]
    import_and_process(bo, shop, key="third", **values)
    assert len(smtp_server.messages) == 7


def test_two_runs_at_once_import_every_order_once(bo_mariadb, orders_shop, staging, tmp_path):
    bo = bo_mariadb
    holder = bo.connect()
    transaction = holder.begin()
    holder.execute(sa.text("SELECT letzte_nr FROM nummernkreis WHERE name = 'auftrag' FOR UPDATE"))
    code = (
        "import sys, json; from datetime import datetime; import sqlalchemy as sa\n"
        "from bo_oscommerce.config import parse_config\n"
        "from bo_oscommerce.connections import Endpoint, create_engine_for\n"
        "from bo_oscommerce.sync.orders import import_orders\n"
        "from bo_oscommerce.sync.order_status import report_status\n"
        "from bo_oscommerce.sync.run import Run\n"
        "t = parse_config({'tenants': {'it': {'bo_conn_id': 'b', 'shop_conn_id': 's'}}}).get('it')\n"
        "run = Run(t, create_engine_for(Endpoint('b', sa.make_url(sys.argv[1]))), "
        "create_engine_for(Endpoint('s', sa.make_url(sys.argv[2]))), 'race/' + sys.argv[3], "
        "datetime(2026, 11, 27, 12))\n"
        "r = import_orders(run); p = report_status(run, 'processing')\n"
        "print(json.dumps({'imported': r.inserted, 'processed': p.updated, 'notes': r.notes}))\n"
    )
    runs = []
    for key in ("a", "b"):
        env = {**os.environ, "PYTHONPATH": str(REPO / "plugins"),
               "BO_OSC_STAGING_URL": (tmp_path / key).as_uri()}  # fmt: skip
        runs.append(subprocess.Popen(
            [sys.executable, "-c", code, bo.url.render_as_string(hide_password=False), orders_shop.url, key],
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            with bo.connect() as conn:
                waiting = conn.execute(sa.text(
                    "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"
                )).scalar_one()  # fmt: skip
            if waiting >= 2:
                break
            assert all(p.poll() is None for p in runs), [p.communicate() for p in runs]
            assert time.monotonic() < deadline, "both runs never reached the import"
            time.sleep(0.2)
    finally:
        transaction.commit()
        holder.close()
    results = []
    for process in runs:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(r["imported"] for r in results) == [0, 7]
    assert sorted(r["processed"] for r in results) == [0, 7]
    assert rows(bo, "SELECT COUNT(*), COUNT(DISTINCT osc_orders_id) FROM auftrag") == [(7, 7)]
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IN (1, 2, 3)") == 3
    assert rows(orders_shop.engine, "SELECT COUNT(*) FROM orders_status_history WHERE orders_status_id = 2") == [(7,)]


def test_an_order_being_written_during_the_import_is_left_for_the_next_run(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    import_and_process(bo, shop, key="first")
    seen = {}

    def pause(step: str) -> None:
        if step == "orders_status_history":  # order, totals and history written; no lines yet
            imported, processed = import_and_process(bo, shop, key="during")
            seen.update(imported=imported.inserted, waiting=imported.kept_out, processed=processed.updated)

    order = Checkout(customers_id=4, lines=(Line(11, 2), Line(13, 1)))  # now, on the shop's clock
    orders_id = write_order_slowly(shop, order, pause)
    assert seen == {"imported": 0, "processed": 0,
                    "waiting": {"the order has no lines": [str(orders_id)]}}  # fmt: skip
    imported, _ = import_and_process(bo, shop, key="written", order_settle_seconds=600)
    assert (imported.inserted, imported.kept_out) == (0, {"written less than 600 s ago": [str(orders_id)]})
    imported, processed = import_and_process(bo, shop, key="after", order_settle_seconds=0)
    assert (imported.inserted, processed.updated) == (1, 1)
    assert rows(bo, "SELECT COUNT(*) FROM auftragsposition p JOIN auftrag a ON a.auftrag_nr = p.auftrag_nr WHERE a.osc_orders_id = :o", o=orders_id) == [(2,)]


def test_delivered_comes_with_the_final_delivery_note_once(bo_mariadb, orders_shop, staging, smtp_server):
    bo, shop = bo_mariadb, orders_shop.engine
    values = {"order_mails": {"processing": False, "delivered": True}, "shop_url": "https://shop.example.com/catalog/",
              "mail_from": "shop@example.com", "smtp_conn_id": "smtp_test", "store_name": "Haushaltswaren Demo-Shop"}  # fmt: skip
    import_and_process(bo, shop, **values)
    auftrag = scalar(bo, "SELECT auftrag_nr FROM auftrag WHERE osc_orders_id = 1")
    with bo.begin() as conn:  # a partial delivery first
        conn.execute(sa.text("INSERT INTO lieferschein VALUES (1, :a, :t, 'JJD0001', 0, :t)"), {"a": auftrag, "t": NOW})
    run = run_for(bo, shop, "partial", **values)
    partial = report_status(run, "delivered")
    assert partial.updated == 0 and partial.kept_out == {
        "partial delivery: Delivered comes with the final delivery note": [str(auftrag)]
    }
    with bo.begin() as conn:
        conn.execute(sa.text("INSERT INTO lieferschein VALUES (2, :a, :t, 'JJD0002', 1, :t)"), {"a": auftrag, "t": NOW})
    delivered = report_status(run_for(bo, shop, "final", **values), "delivered")
    assert delivered.updated == 1
    assert rows(shop, "SELECT orders_status FROM orders WHERE orders_id = 1") == [(3,)]
    assert rows(shop, HISTORY + " WHERE orders_id = 1 AND orders_status_id = 3") == [
        (1, 3, 1, "Sendungsnummern: JJD0001, JJD0002")
    ]
    (mail,) = smtp_server.messages
    assert mail["X-Envelope-To"] == "juergen.mueller@example.invalid"
    assert str(make_header(decode_header(mail["Subject"]))) == "Statusänderung Ihrer Bestellung"
    body = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    for part in ("Haushaltswaren Demo-Shop", "Bestell-Nr.: 1",
                 "https://shop.example.com/catalog/account_history_info.php?order_id=1",
                 "Bestelldatum: Freitag, 27. November 2026", "Sendungsnummern: JJD0001, JJD0002",
                 "Neuer Status: Delivered"):  # fmt: skip
        assert part in body, part
    again = report_status(run_for(bo, shop, "again", **values), "delivered")
    assert again.extracted == 0
    assert len(smtp_server.messages) == 1
    assert scalar(shop, "SELECT COUNT(*) FROM orders_status_history WHERE orders_status_id = 3") == 1


def test_a_failed_mail_keeps_the_status_change(bo_sqlite, orders_shop, staging, monkeypatch):
    bo, shop = bo_sqlite, orders_shop.engine
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DOWN", "smtp://127.0.0.1:9?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=2")
    values = {"order_mails": {"processing": True}, "shop_url": "https://shop.example.com/",
              "mail_from": "shop@example.com", "smtp_conn_id": "smtp_down", "mail_language": "en"}  # fmt: skip
    _, processed = import_and_process(bo, shop, **values)
    assert processed.updated == 7
    assert any("7 status e-mail(s) not sent" in n for n in processed.notes)
    assert rows(shop, "SELECT DISTINCT customer_notified FROM orders_status_history WHERE orders_status_id = 2") == [(0,)]
    _, again = import_and_process(bo, shop, key="again", **values)
    assert again.updated == 0  # the change is not repeated, nor is the mail retried


def _order_total(conn, orders_id: int, cls: str, value: str) -> None:
    conn.execute(sa.text("INSERT INTO orders_total (orders_id, title, text, value, class, sort_order) "
                         "VALUES (:o, 'x', 'x', :v, :c, 9)"), {"o": orders_id, "v": value, "c": cls})  # fmt: skip


def test_bad_orders_are_set_aside_or_handled_by_their_rule(bo_sqlite, orders_shop, staging):
    bo, shop = bo_sqlite, orders_shop.engine
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM orders_products WHERE orders_id = 6"))  # no lines, old
        conn.execute(sa.text("UPDATE orders_products SET products_id = 9999, products_model = 'GONE-1' WHERE orders_id = 5"))
        conn.execute(sa.text("UPDATE orders SET delivery_country = 'Atlantis' WHERE orders_id = 3"))
        _order_total(conn, 4, "ot_coupon", "-5.0000")
        conn.execute(sa.text("UPDATE orders SET customers_email_address = '  MATTHIAS.weber@example.com ' WHERE orders_id = 1"))
        conn.execute(sa.text("DELETE FROM customers WHERE customers_id = 1"))  # the order's e-mail counts
        conn.execute(sa.text("UPDATE orders SET currency = 'USD', currency_value = 1.1 WHERE orders_id = 2"))
        conn.execute(sa.text("DELETE FROM customers WHERE customers_id = 3"))  # Zoë deleted herself
    with shop.begin() as conn:  # an emoji the shop's utf8mb4 connection let through
        conn.execute(sa.text("ALTER TABLE orders_status_history MODIFY comments TEXT CHARACTER SET utf8mb4"))
        conn.execute(sa.text("UPDATE orders_status_history SET comments = 'Rechnung bitte an die Firma 🙂' WHERE orders_id = 7"))
    run = run_for(bo, shop, "bad", at=datetime(2026, 11, 27, 3, 0))
    imported = import_orders(run)
    reasons = imported.set_aside.groupby("key")["reason"].apply(set).to_dict()
    assert reasons == {
        "3": {"a country of the order has no Staat in BO"},
        "4": {NOT_WRITTEN},
        "5": {"an article of the order is unknown in BO (neither its products id nor its model)"},
        "6": {NOT_WRITTEN},
    }
    values = imported.set_aside.set_index("key")["value"].to_dict()
    assert values["4"] == "order total class ot_coupon is not known after the grace period of 30 minutes"
    assert values["6"] == "the order has no lines after the grace period of 30 minutes"
    assert values["5"] == "GONE-1 (products_id 9999)"
    assert values["3"] == "Atlantis"
    got = dict(rows(bo, "SELECT osc_orders_id, gp_id FROM auftrag"))
    assert sorted(got) == [1, 2, 7]
    assert got[1] == 2  # the e-mail in odd case and with spaces found BO's contact 2
    assert rows(bo, "SELECT waehrung, waehrungsfaktor FROM auftrag WHERE osc_orders_id = 2")[0][0] == "USD"
    assert scalar(bo, "SELECT bemerkung FROM auftrag WHERE osc_orders_id = 7") == "Rechnung bitte an die Firma"
    assert imported.cleaned["4-byte characters removed from BO auftrag.bemerkung"] == ["7"]
    # their shop status stays, so the merchant sees them in the shop admin
    assert rows(shop, "SELECT orders_status FROM orders WHERE orders_id IN (3, 4, 5, 6) GROUP BY orders_status") == [(1,)]


def test_a_deleted_buyer_becomes_a_bo_address_from_the_order(bo_sqlite, orders_shop, staging):
    bo, shop = bo_sqlite, orders_shop.engine
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM customers WHERE customers_id = 3"))
    import_orders(run_for(bo, shop))
    gp = scalar(bo, "SELECT gp_id FROM auftrag WHERE osc_orders_id = 4")
    assert rows(bo, "SELECT g.vorname, g.nachname, g.email, g.osc_customers_id, a.strasse, a.plz, a.ort, a.staat_id FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr WHERE g.gp_id = :g", g=gp) == [
        ("Zoë", "O'Brien", "zoe.obrien@example.invalid", None, "12 Baker's Row", "EC1A 1BB", "London", 6)
    ]


def test_reconciliation_lists_what_needs_a_person(bo_sqlite, orders_shop, staging):
    bo, shop = bo_sqlite, orders_shop.engine
    with shop.begin() as conn:  # a payment module's "Preparing" status, as its install adds it
        conn.execute(sa.text("INSERT INTO orders_status VALUES (5, 1, 'Preparing [PayPal Standard]', 0, 0), "
                             "(5, 2, 'Preparing [PayPal Standard]', 0, 0)"))  # fmt: skip
        conn.execute(sa.text("UPDATE orders SET orders_status = 5 WHERE orders_id = 6"))
        conn.execute(sa.text("UPDATE orders SET delivery_country = 'Atlantis' WHERE orders_id = 3"))
    import_and_process(bo, shop)
    auftrag = scalar(bo, "SELECT auftrag_nr FROM auftrag WHERE osc_orders_id = 1")
    with bo.begin() as conn:
        conn.execute(sa.text("INSERT INTO lieferschein VALUES (1, :a, :t, NULL, 1, :t)"), {"a": auftrag, "t": NOW})
        gp = conn.execute(sa.text("SELECT gp_id FROM auftrag WHERE osc_orders_id = 5")).scalar()
        conn.execute(sa.text("UPDATE gespraechspartner SET osc_customers_id = 4 WHERE gp_id = :g"), {"g": gp})
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM customers WHERE customers_id = 4"))
        conn.execute(sa.text("UPDATE orders SET orders_status = 4 WHERE orders_id = 2"))  # by hand
    result = reconcile(run_for(bo, shop, "reconcile"))
    assert result["orders_missing_in_bo"] == [
        {"orders_id": 3, "why": "a country of the order has no Staat in BO: Atlantis"},
        {"orders_id": 6, "why": "in status 'Preparing [PayPal Standard]': not yet a sale (order_hold_statuses)"},
    ]
    assert result["status_behind_delivery"] == [{"auftrag_nr": auftrag, "orders_id": 1, "shop_status": "Processing"}]
    two = scalar(bo, "SELECT auftrag_nr FROM auftrag WHERE osc_orders_id = 2")
    assert result["orders_in_a_status_of_their_own"] == [
        {"auftrag_nr": two, "orders_id": 2, "shop_status": "PayPal [Transactions]"}
    ]
    assert [(c["gp_id"], c["osc_customers_id"]) for c in result["customers_gone_from_shop"]] == [(gp, 4)]
