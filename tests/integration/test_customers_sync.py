"""Customers both ways against real MariaDB: an empty shop of each flavour (osCommerce 2.3.4.1
and CE Phoenix Cart 1.1.0.6), and a shop whose customers registered through osCommerce's own
create_account.php (shop-with-orders.sql)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest
import sqlalchemy as sa
from tests.conftest import ORDERS_SHOP_JSON
from tests.integration.conftest import RUN_AT, rows, scalar, settings, touch

from bo_oscommerce.shop.passwords import verify_password
from bo_oscommerce.sync.customers import WAITING, sync_customers_from_shop, sync_customers_to_shop
from bo_oscommerce.sync.run import Run

pytestmark = pytest.mark.integration

CUSTOMER = (
    "SELECT c.customers_gender, c.customers_firstname, c.customers_lastname, "
    "CAST(c.customers_dob AS CHAR), c.customers_email_address, c.customers_telephone, "
    "c.customers_newsletter, a.entry_company, a.entry_street_address, a.entry_postcode, "
    "a.entry_city, a.entry_state, a.entry_country_id, a.entry_zone_id, c.customers_password, "
    "i.customers_info_number_of_logons, CAST(i.customers_info_date_account_created AS CHAR) "
    "FROM customers c JOIN address_book a ON a.address_book_id = c.customers_default_address_id "
    "AND a.customers_id = c.customers_id "
    "JOIN customers_info i ON i.customers_info_id = c.customers_id WHERE c.customers_id = :c"
)
SHOP_TABLES = ["customers", "address_book", "customers_info"]
LOGIN = "SELECT status FROM customers WHERE customers_id = :c"  # CE Phoenix: 0 refuses the login


def no_birthday(shop) -> str | None:
    """What each flavour's customers_dob holds for "no birthday" (as CHAR)."""
    return None if shop.flavour == "phoenix-1.1" else "0000-00-00 00:00:00"


def birthday(shop, day: str) -> str:
    """A birthday as each flavour's customers_dob holds it (2.3 datetime, Phoenix DATE)."""
    return day if shop.flavour == "phoenix-1.1" else f"{day} 00:00:00"


def both(bo, shop, key="run", tenant=None, full=False, run_at=RUN_AT):
    run = Run(tenant or settings(), bo, shop, f"test/{key}", run_at, full=full)
    return sync_customers_to_shop(run), sync_customers_from_shop(run)


def shop_digest(shop) -> list:
    return [rows(shop, f"SELECT * FROM {t} ORDER BY 1") for t in SHOP_TABLES]


def bo_contacts(bo) -> list:
    return rows(
        bo,
        "SELECT g.gp_id, g.adress_nr, g.anrede, g.vorname, g.nachname, g.email, g.geburtstag, "
        "g.newsletter, g.im_web, g.osc_customers_id, a.firma, a.strasse, a.plz, a.ort, a.staat_id "
        "FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr ORDER BY g.gp_id",
    )


def test_contacts_become_customers_whose_postcode_password_works(bo_mariadb, flavoured_shop, staging):
    bo, shop = bo_mariadb, flavoured_shop.engine
    to_shop, _ = both(bo, shop)
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    row = rows(shop, CUSTOMER, c=cid)[0]
    assert row[:14] == (
        "f", "Käthe", "Böhm", no_birthday(flavoured_shop), "kaethe.boehm@example.org", "0251 9771771",
        "1", "", row[8], "48018", "Münster", "", 81, 0,
    )  # fmt: skip
    password = row[14]
    assert password.startswith("$P$8") and len(password) == 34  # phpass, 2^10 rounds
    assert verify_password("48018", password) and not verify_password("48019", password)
    assert row[15:] == (0, "2026-11-26 12:00:00")
    # a birthday goes in as the shop writes it
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 2")
    assert rows(shop, CUSTOMER, c=cid)[0][:4] == ("m", "Matthias", "Weber", birthday(flavoured_shop, "1979-05-18"))
    web = scalar(bo, "SELECT COUNT(*) FROM gespraechspartner WHERE im_web = 1")
    assert to_shop.inserted + to_shop.set_aside_rows == web


def test_the_shops_own_hashes_verify_with_the_same_code(orders_shop):
    typed = json.loads(ORDERS_SHOP_JSON.read_text())
    passwords = {c["email"].lower(): c["password"] for c in typed["customers"]}
    hashes = rows(orders_shop.engine, "SELECT customers_email_address, customers_password FROM customers")
    assert len(hashes) == 5
    for email, stored in hashes:
        assert stored.startswith("$P$D")
        assert verify_password(passwords[email.lower()], stored)
        assert not verify_password(passwords[email.lower()] + "x", stored)
    # the legacy md5(salt + password):salt form the shop still accepts
    legacy = hashlib.md5(b"abgeheim").hexdigest() + ":ab"
    assert verify_password("geheim", legacy) and not verify_password("Geheim", legacy)


def test_shop_customers_arrive_in_bo_once_and_known_ones_are_linked(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    passwords = rows(shop, "SELECT customers_id, customers_password FROM customers ORDER BY 1")
    to_shop, from_shop = both(bo, shop)
    # Matthias.Weber@Example.com registered in the shop; BO has him as contact 2
    assert scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 2") == 4
    # ... but he chose that account himself: BO's data waits for the link to be confirmed
    assert (to_shop.updated, to_shop.kept_out[WAITING], to_shop.stale.empty) == (0, ["2"], True)
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner WHERE LOWER(email) = 'matthias.weber@example.com'") == 1
    # the four others arrive as new BO addresses with contacts, numbers from BO's ranges
    assert from_shop.inserted == 4
    new = rows(
        bo,
        "SELECT g.gp_id, g.anrede, g.vorname, g.nachname, g.email, g.geburtstag, g.newsletter, "
        "g.im_web, g.osc_customers_id, a.firma, a.strasse, a.plz, a.ort, a.staat_id, a.region, "
        "a.telefon FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr "
        "WHERE g.gp_id > 900010 ORDER BY g.gp_id",
    )
    assert [r[0] for r in new] == [900011, 900012, 900013, 900014]
    assert [tuple(str(v) if v is not None else None for v in r[1:]) for r in new] == [
        ("Herr", "Jürgen", "Müller-Lüdenscheidt", "juergen.mueller@example.invalid", "1968-03-14",
         "0", "1", "1", "Müller & Söhne GbR", "Hohe Straße 12", "50667", "Köln", "1",
         "Nordrhein-Westfalen", "0221 998877"),
        ("Frau", "Anna", "Gruber", "anna.gruber@example.invalid", "1990-07-01", "0", "1", "2",
         None, "Mariahilfer Straße 88", "1070", "Wien", "2", "Wien", "+43 1 5551234"),
        ("Frau", "Zoë", "O'Brien", "zoe.obrien@example.invalid", "1985-11-30", "0", "1", "3",
         None, "12 Baker's Row", "EC1A 1BB", "London", "6", "Greater London", "+44 20 7946 0000"),
        ("Frau", "Lena", "Vogel", "lena.vogel@example.invalid", "1995-05-05", "0", "1", "5",
         None, "Schillerstraße 3", "04109", "Leipzig", "1", "Sachsen", "0341 123456"),
    ]  # fmt: skip
    assert rows(bo, "SELECT letzte_nr FROM nummernkreis WHERE name = 'gespraechspartner'") == [(900014,)]
    # nothing twice, nothing again, no shop password touched
    shop_before, bo_before = shop_digest(shop), bo_contacts(bo)
    for key, full in (("again", False), ("full", True)):
        again_to, again_from = both(bo, shop, key=key, full=full)
        assert (again_to.inserted, again_to.updated, again_from.inserted, again_from.updated) == (0, 0, 0, 0)
        assert again_to.written_back == 0
    assert shop_digest(shop) == shop_before
    assert bo_contacts(bo) == bo_before
    assert rows(shop, "SELECT customers_id, customers_password FROM customers WHERE customers_id <= 5 ORDER BY 1") == passwords


def test_passwords_are_never_overwritten(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    both(bo, shop, key="first")
    # a customer the sync created changes the password in the shop; Matthias keeps his
    created = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET customers_password = '$P$Dchangedbythecustomer0000000000' WHERE customers_id = :c"), {"c": created})
    passwords = rows(shop, "SELECT customers_id, customers_password FROM customers ORDER BY 1")
    # BO changes the postal code and the name of both
    touch(bo, "UPDATE adresse SET plz = '12345', geaendert_am = :t WHERE adress_nr IN "
          "(SELECT adress_nr FROM gespraechspartner WHERE gp_id IN (2, 3))")
    to_shop, _ = both(bo, shop, key="changed")
    assert to_shop.updated == 1  # Matthias's own account waits for the link to be confirmed
    assert to_shop.kept_out[WAITING] == ["2"]
    assert scalar(shop, "SELECT entry_postcode FROM address_book a JOIN customers c ON "
                  "c.customers_default_address_id = a.address_book_id WHERE c.customers_id = :c", c=created) == "12345"
    both(bo, shop, key="full", full=True)
    with bo.begin() as conn:  # Alles zuruecksetzen
        conn.execute(sa.text("UPDATE gespraechspartner SET osc_customers_id = NULL, osc_abgleich_stand = NULL"))
        conn.execute(sa.text("DELETE FROM osc_bindung"))
    after_reset, from_shop = both(bo, shop, key="after-reset")
    assert after_reset.inserted == 0 and from_shop.inserted == 0
    assert rows(shop, "SELECT customers_id, customers_password FROM customers ORDER BY 1") == passwords
    assert scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3") == created


def test_bad_contacts_are_cleaned_or_set_aside_with_their_reason(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine  # SQLite: BO holds a 300-character first name
    touch(bo, "UPDATE gespraechspartner SET vorname = :v, geaendert_am = :t WHERE gp_id = 4", v="J" * 300)
    to_shop, _ = both(bo, shop)
    reasons = to_shop.set_aside.groupby("key")["reason"].apply(set).to_dict()
    assert reasons == {
        "1": {"several BO rows share this e-mail address"},
        "900002": {"several BO rows share this e-mail address"},
        "900003": {"country (Staat) has no osCommerce country (staat.osc_countries_id)"},
        "900005": {"contact has no e-mail address"},
        "900006": {"e-mail address is not valid: the shop's own forms refuse it (tep_validate_email)"},
        "900008": {"postal code missing: the shop needs one, and it is the first password"},
    }
    cleaned = to_shop.cleaned
    # an emoji fits CE Phoenix's utf8mb4 columns; 2.3's utf8 ones cannot hold it
    assert cleaned.get("4-byte characters removed from customers_firstname") == (
        None if flavoured_shop.flavour == "phoenix-1.1" else ["900001"])
    assert cleaned["spaces around the e-mail removed"] == ["900007"]
    assert cleaned["birthday before 1900 or in the future: sent as none"] == ["900009", "900010"]
    assert cleaned["customers_firstname cut to 255 characters"] == ["4"]
    stored = dict(rows(shop, "SELECT customers_email_address, CAST(customers_dob AS CHAR) FROM customers"))
    assert stored["eva.leer@example.com"] == no_birthday(flavoured_shop)
    assert stored["z.geboren@example.com"] == stored["u.geboren@example.com"] == no_birthday(flavoured_shop)
    firstname = scalar(shop, "SELECT customers_firstname FROM customers WHERE customers_email_address = 'sonja.blum@example.net'")
    assert firstname == ("Sonja 🌻" if flavoured_shop.flavour == "phoenix-1.1" else "Sonja")
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE customers_email_address LIKE 'joerg.koehler%'") == 0


def test_bad_shop_customers_are_set_aside_with_their_reason(bo_mariadb, orders_shop, staging):
    bo, shop = bo_mariadb, orders_shop.engine
    with shop.begin() as conn:
        conn.execute(sa.text("DELETE FROM address_book WHERE customers_id = 5"))  # Lena, no address
        conn.execute(sa.text("UPDATE customers SET customers_email_address = 'Anna.Gruber@example.invalid' WHERE customers_id = 3"))
    with bo.begin() as conn:  # BO does not map the United Kingdom
        conn.execute(sa.text("UPDATE staat SET osc_countries_id = NULL WHERE iso2 = 'GB'"))
    _, from_shop = both(bo, shop)
    reasons = from_shop.set_aside.groupby("key")["reason"].apply(set).to_dict()
    assert reasons == {
        "2": {"e-mail address is held by several shop customers; merge them in the shop"},
        "3": {"e-mail address is held by several shop customers; merge them in the shop"},
        "5": {"shop customer has no address_book row (customers_default_address_id)",
              "the shop customer's country has no Staat in BO (staat.osc_countries_id)"},
    }  # fmt: skip
    assert from_shop.inserted == 1  # Jürgen
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IN (2, 3, 5)") == 0


def test_a_contact_leaving_the_web_keeps_its_shop_customer(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    both(bo, shop, key="first")
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    before = rows(shop, CUSTOMER, c=cid)
    touch(bo, "UPDATE gespraechspartner SET im_web = 0, nachname = 'Weg', geaendert_am = :t WHERE gp_id = 3")
    to_shop, _ = both(bo, shop, key="second")
    assert to_shop.kept_out == {
        "contact left the web: its shop customer is kept (orders reference it) and no longer synced": ["3"]
    }
    assert rows(shop, CUSTOMER, c=cid) == before
    assert scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3") == cid
    if flavoured_shop.flavour != "phoenix-1.1":
        return
    # CE Phoenix can refuse a login: the contact who left can no longer log in, the others can
    assert scalar(shop, LOGIN, c=cid) == 0
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE status = 0") == 1
    assert any(f"can no longer log in (customers.status 0): [{cid}]" in n for n in to_shop.notes)
    again, _ = both(bo, shop, key="third")
    assert scalar(shop, LOGIN, c=cid) == 0 and not again.notes
    touch(bo, "UPDATE gespraechspartner SET im_web = 1, geaendert_am = :t WHERE gp_id = 3")
    back, _ = both(bo, shop, key="fourth", run_at=datetime(2026, 11, 27, 12, 0, 0))
    assert scalar(shop, LOGIN, c=cid) == 1
    assert any(f"may log in again (customers.status 1): [{cid}]" in n for n in back.notes)
    with shop.begin() as conn:  # the shop owner locks the account in the admin: it stays locked
        conn.execute(sa.text("UPDATE customers SET status = 0 WHERE customers_id = :c"), {"c": cid})
    both(bo, shop, key="fifth", run_at=datetime(2026, 11, 28, 12, 0, 0))
    assert scalar(shop, LOGIN, c=cid) == 0


def test_an_e_mail_changed_in_the_shop_is_set_aside_not_duplicated(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    both(bo, shop, key="first")
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    count = scalar(shop, "SELECT COUNT(*) FROM customers")
    with shop.begin() as conn:  # account_edit.php
        conn.execute(sa.text("UPDATE customers SET customers_email_address = 'kaethe.neu@example.org' WHERE customers_id = :c"), {"c": cid})
    touch(bo, "UPDATE gespraechspartner SET newsletter = 0, geaendert_am = :t WHERE gp_id = 3")
    to_shop, from_shop = both(bo, shop, key="second")
    (reason,) = set(to_shop.set_aside.loc[to_shop.set_aside["key"] == "3", "reason"])
    assert reason.startswith("the shop row of the stored id now holds another e-mail address")
    assert scalar(shop, "SELECT COUNT(*) FROM customers") == count
    assert from_shop.inserted == 0  # it is BO's customer, not a Neukunde


def test_the_runs_shop_time_is_the_account_creation_time(bo_sqlite, flavoured_shop, staging):
    bo, shop = bo_sqlite, flavoured_shop.engine
    both(bo, shop, run_at=datetime(2026, 3, 29, 3, 30))
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    assert rows(shop, CUSTOMER, c=cid)[0][16] == "2026-03-29 03:30:00"


def test_reset_link_accounts_get_a_welcome_mail_the_shop_accepts(bo_sqlite, flavoured_shop, staging, smtp_server):
    bo, shop = bo_sqlite, flavoured_shop.engine
    tenant = settings(
        initial_password="reset_link",
        shop_url="https://shop.example.com/catalog/",
        mail_from="shop@example.com",
        smtp_conn_id="smtp_test",
    )
    to_shop, _ = both(bo, shop, tenant=tenant)
    assert to_shop.failed is None
    assert to_shop.inserted == len(smtp_server.messages) > 10
    cid = scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 3")
    password, key, reset_date = rows(
        shop,
        "SELECT c.customers_password, i.password_reset_key, CAST(i.password_reset_date AS CHAR) "
        "FROM customers c JOIN customers_info i ON i.customers_info_id = c.customers_id "
        "WHERE c.customers_id = :c",
        c=cid,
    )[0]
    assert len(key) == 40 and key.isalnum()
    assert reset_date == "2026-11-26 12:00:00"  # password_reset.php accepts it for a day
    assert not verify_password("48018", password)  # a random password, not the postal code
    (mail,) = [m for m in smtp_server.messages if m["X-Envelope-To"] == "kaethe.boehm@example.org"]
    assert mail["From"] == "shop@example.com"
    assert mail["Subject"] == "Ihr Kundenkonto"
    body = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    link = f"https://shop.example.com/catalog/password_reset.php?account=kaethe.boehm%40example.org&amp;key={key}"
    assert link in body and "Käthe Böhm" in body
    # a second run creates nobody and mails nobody
    again, _ = both(bo, shop, tenant=tenant, key="again")
    assert again.inserted == 0 and len(smtp_server.messages) == to_shop.inserted


def test_a_refused_welcome_mail_is_reported_and_sent_by_the_next_run(
    bo_sqlite, flavoured_shop, staging, monkeypatch, smtp_server
):
    bo, shop = bo_sqlite, flavoured_shop.engine
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DOWN", "smtp://127.0.0.1:9?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=2")
    tenant = settings(initial_password="reset_link", shop_url="https://shop.example.com/",
                      mail_from="shop@example.com", smtp_conn_id="smtp_down")
    to_shop, _ = both(bo, shop, tenant=tenant)
    assert to_shop.inserted > 10
    assert to_shop.failed.startswith(f"tenant 'it' customers: {to_shop.inserted} welcome e-mail(s) not sent")
    assert "the next run sends them again" in to_shop.failed
    # the SMTP server is back: the next run mails every account still waiting for its link
    up = settings(initial_password="reset_link", shop_url="https://shop.example.com/",
                  mail_from="shop@example.com", smtp_conn_id="smtp_test")
    again, _ = both(bo, shop, tenant=up, key="again")
    assert (again.inserted, again.failed) == (0, None)
    assert len(smtp_server.messages) == to_shop.inserted
    assert scalar(bo, "SELECT COUNT(*) FROM osc_kunde WHERE willkommen_offen = 1") == 0
    both(bo, shop, tenant=up, key="third")
    assert len(smtp_server.messages) == to_shop.inserted
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner WHERE osc_customers_id IS NOT NULL") == to_shop.inserted
