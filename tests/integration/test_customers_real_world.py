"""Customers as a true two-way sync, against ``shop-real-world.sql``: customers who registered
through the shop's own forms and then used their account pages. Each case runs both ways
twice; the shop's edits are written as the shop's pages write them (``account_edit.php``,
``address_book_process.php``, ``account_newsletters.php``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.integration.conftest import bo_engine, make_real_world_bo, rows, scalar, settings

from bo_oscommerce.shop.passwords import verify_password
from bo_oscommerce.sync import customers as customers_sync
from bo_oscommerce.sync.customers import (
    REGISTERED_MEANWHILE,
    WAITING,
    sync_customers_from_shop,
    sync_customers_to_shop,
)
from bo_oscommerce.sync.reset import reset_record
from bo_oscommerce.sync.run import Run

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 2, 10, 0, 0)
CUSTOMER = (
    "SELECT c.customers_firstname, c.customers_lastname, c.customers_telephone, "
    "c.customers_newsletter, a.entry_street_address, a.entry_postcode, a.entry_city "
    "FROM customers c JOIN address_book a ON a.address_book_id = c.customers_default_address_id "
    "WHERE c.customers_id = :c"
)
CONTACT = (
    "SELECT g.vorname, g.nachname, a.telefon, g.newsletter, a.strasse, a.plz, a.ort "
    "FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr WHERE g.gp_id = :g"
)
# BO contacts: (gp_id, vorname, nachname, e-mail, telefon, strasse, plz, ort, newsletter)
CONTACTS = [
    (1, "Friederike", "Baumgärtner", "Friederike.Baumgaertner@Example.org ", "0251 000000",
     "Hammer Straße 112", "48153", "Münster", 0),  # her own account: waits for confirmation
    (2, "Mia", "Kowalczyk", "mia.kowalczyk@example.com", "0351 999999", "Prager Straße 1",
     "01069", "Dresden", 1),  # someone registered with Mia's e-mail: waits
    (3, "Paul", "Neumann", "paul.neumann@example.net", "0521 112233", "Alter Markt 1", "33602",
     "Bielefeld", 1),  # no account: the sync creates it
    (4, "René", "Dupont", "rené.dupont@example.com", "0211 4455", "Kö 1", "40212",
     "Düsseldorf", 0),  # an e-mail the shop's own forms refuse
]  # fmt: skip


def make_bo(engine) -> None:
    make_real_world_bo(engine)
    with engine.begin() as conn:
        for gp, first, last, email, phone, street, postcode, city, news in CONTACTS:
            conn.execute(sa.text("INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, "
                                 "telefon, geaendert_am) VALUES (:g, :s, :p, :o, 1, :t, :at)"),
                         {"g": gp, "s": street, "p": postcode, "o": city, "t": phone, "at": AT})  # fmt: skip
            conn.execute(sa.text("INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, "
                                 "nachname, email, newsletter, im_web, geaendert_am) VALUES "
                                 "(:g, :g, 'Frau', :f, :n, :e, :nl, 1, :at)"),
                         {"g": gp, "f": first, "n": last, "e": email, "nl": news, "at": AT})  # fmt: skip
        conn.execute(sa.text("UPDATE nummernkreis SET letzte_nr = 100 WHERE name IN ('adresse', 'gespraechspartner')"))


@pytest.fixture(params=["sqlite", "mariadb"])
def bo(request, tmp_path, mariadb_server):
    engine, database = bo_engine(request.param, tmp_path, mariadb_server)
    try:
        make_bo(engine)
        yield engine
    finally:
        engine.dispose()
        if database:
            from tests.conftest import _drop_database

            _drop_database(mariadb_server, database)


def run_for(bo, shop, key="run", at=AT, **values) -> Run:
    return Run(settings(**values), bo, shop, f"test/{key}", at)


def both(bo, shop, key="run", at=AT, **values):
    run = run_for(bo, shop, key, at, **values)
    return sync_customers_to_shop(run), sync_customers_from_shop(run)


def account(bo, gp: int) -> int:
    return int(scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = :g", g=gp))


def test_accounts_the_sync_did_not_create_get_no_bo_data_until_confirmed(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    before = rows(shop, CUSTOMER, c=6)
    to_shop, _ = both(bo, shop)
    # Friederike and "Mia" registered themselves: linked (orders find them), nothing written
    assert (account(bo, 1), account(bo, 2)) == (1, 6)
    assert to_shop.kept_out[WAITING] == ["1", "2"]
    assert rows(shop, CUSTOMER, c=6) == before
    assert rows(shop, CUSTOMER, c=1) == [("Friederike", "Baumgärtner", "0251 7788990", "", "Hammer Straße 112", "48153", "Münster")]
    waiting = {d["gp_id"]: d["differences"] for d in to_shop.details["links waiting for confirmation"]}
    assert waiting[2] == (
        "dob: BO '', shop '1995-12-01'; telephone: BO '0351 999999', shop '0351 3344556'; "
        "newsletter: BO '1', shop ''; street: BO 'Prager Straße 1', shop 'Hauptstraße 9'; "
        "postcode: BO '01069', shop '01067'; zone: BO '0|', shop '91|'"
    )
    # the shop's edits of a waiting account do not flow into BO either
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET customers_lastname = 'Fremd' WHERE customers_id = 6"))
    again, _ = both(bo, shop, "again")
    assert again.kept_out[WAITING] == ["1", "2"]
    assert rows(bo, CONTACT, g=2)[0][1] == "Kowalczyk"
    # a person confirms Friederike's link: BO's data goes in, her password stays
    password = scalar(shop, "SELECT customers_password FROM customers WHERE customers_id = 1")
    reset_record(run_for(bo, shop, "confirm"), "confirm_customer", "1")
    confirmed, _ = both(bo, shop, "confirmed")
    assert confirmed.kept_out[WAITING] == ["2"]
    assert rows(shop, CUSTOMER, c=1) == [("Friederike", "Baumgärtner", "0251 000000", "", "Hammer Straße 112", "48153", "Münster")]
    assert scalar(shop, "SELECT customers_password FROM customers WHERE customers_id = 1") == password
    assert verify_password("Kette-Ritzel-2026", password)


def test_adopt_existing_accounts_takes_bos_data_at_first_contact_but_not_a_withdrawal(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    with shop.begin() as conn:  # Mia (customer 6) withdrew from the newsletter in the shop
        assert conn.execute(sa.text("SELECT customers_newsletter FROM customers WHERE customers_id = 6")).scalar() == "0"
    to_shop, _ = both(bo, shop, adopt_existing_accounts=True)
    assert WAITING not in to_shop.kept_out
    assert rows(shop, CUSTOMER, c=6) == [("Mia", "Kowalczyk", "0351 999999", "0", "Prager Straße 1", "01069", "Dresden")]
    assert rows(bo, CONTACT, g=2)[0][3] == 0  # the withdrawal went into BO
    again, _ = both(bo, shop, "again", adopt_existing_accounts=True)
    assert (again.updated, again.inserted) == (0, 0)


def _account_edit(shop, customer: int, **values) -> None:
    """account_edit.php: the customers row, its default address book entry's name, and
    customers_info's last modified."""
    with shop.begin() as conn:
        sets = ", ".join(f"customers_{k} = :{k}" for k in values)
        conn.execute(sa.text(f"UPDATE customers SET {sets} WHERE customers_id = :c"), {**values, "c": customer})
        conn.execute(sa.text("UPDATE address_book a JOIN customers c ON c.customers_default_address_id = a.address_book_id "
                             "SET a.entry_firstname = c.customers_firstname, a.entry_lastname = c.customers_lastname "
                             "WHERE c.customers_id = :c"), {"c": customer})
        conn.execute(sa.text("UPDATE customers_info SET customers_info_date_account_last_modified = NOW() "
                             "WHERE customers_info_id = :c"), {"c": customer})  # fmt: skip


def _new_primary(shop, customer: int, street: str, postcode: str, city: str) -> int:
    """address_book_process.php: a new entry, set as primary."""
    with shop.begin() as conn:
        entry = conn.execute(sa.text(
            "INSERT INTO address_book (customers_id, entry_gender, entry_company, entry_firstname, "
            "entry_lastname, entry_street_address, entry_suburb, entry_postcode, entry_city, "
            "entry_state, entry_country_id, entry_zone_id) SELECT customers_id, customers_gender, "
            "'', customers_firstname, customers_lastname, :s, '', :p, :o, '', 81, 88 FROM customers "
            "WHERE customers_id = :c"), {"s": street, "p": postcode, "o": city, "c": customer}).lastrowid  # fmt: skip
        conn.execute(sa.text("UPDATE customers SET customers_default_address_id = :e WHERE customers_id = :c"),
                     {"e": entry, "c": customer})  # fmt: skip
    return int(entry)


def test_the_customers_own_edits_go_into_bo_and_stay(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    first, _ = both(bo, shop)
    assert first.inserted == 1  # Paul
    paul = account(bo, 3)
    owned = scalar(shop, "SELECT customers_default_address_id FROM customers WHERE customers_id = :c", c=paul)
    # Paul edits his account, moves (a new primary address) and unsubscribes
    _account_edit(shop, paul, lastname="Neumann-Ost", telephone="0521 998877")
    entry = _new_primary(shop, paul, "Niederwall 23", "33602", "Bielefeld")
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET customers_newsletter = '0' WHERE customers_id = :c"), {"c": paul})
    shop_before = rows(shop, "SELECT * FROM address_book WHERE customers_id = :c ORDER BY 1", c=paul)
    second, _ = both(bo, shop, "second", at=AT + timedelta(hours=1))
    assert rows(bo, CONTACT, g=3) == [("Paul", "Neumann-Ost", "0521 998877", 0, "Niederwall 23", "33602", "Bielefeld")]
    assert rows(shop, "SELECT * FROM address_book WHERE customers_id = :c ORDER BY 1", c=paul) == shop_before
    assert scalar(shop, "SELECT customers_default_address_id FROM customers WHERE customers_id = :c", c=paul) == entry
    assert second.updated == 1 and "changed in BO and in the shop (conflicts)" not in second.details
    # the next run finds nothing to do on either side
    digest = rows(shop, "SELECT * FROM customers WHERE customers_id = :c", c=paul), rows(bo, CONTACT, g=3)
    third, _ = both(bo, shop, "third", at=AT + timedelta(hours=2))
    assert (third.updated, third.unchanged) == (0, 7)  # Paul and six Neukunden
    assert (rows(shop, "SELECT * FROM customers WHERE customers_id = :c", c=paul), rows(bo, CONTACT, g=3)) == digest
    # BO changes the telephone and the street: the telephone goes into the customers row, the
    # street into the sync's own entry only; the customer's primary address stays his
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE adresse SET telefon = '0521 1', strasse = 'Alter Markt 2', geaendert_am = :t "
                             "WHERE adress_nr = 3"), {"t": AT + timedelta(hours=3)})  # fmt: skip
    both(bo, shop, "fourth", at=AT + timedelta(hours=3))
    assert scalar(shop, "SELECT customers_telephone FROM customers WHERE customers_id = :c", c=paul) == "0521 1"
    assert scalar(shop, "SELECT entry_street_address FROM address_book WHERE address_book_id = :a", a=owned) == "Alter Markt 2"
    assert scalar(shop, "SELECT entry_street_address FROM address_book WHERE address_book_id = :a", a=entry) == "Niederwall 23"
    fifth, _ = both(bo, shop, "fifth", at=AT + timedelta(hours=4))
    assert fifth.updated == 0 and rows(bo, CONTACT, g=3)[0][4] == "Alter Markt 2"


def test_changed_on_both_sides_bo_wins_except_a_withdrawal(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    both(bo, shop)
    paul = account(bo, 3)
    _account_edit(shop, paul, lastname="Neumann-Ost")
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET customers_newsletter = '0' WHERE customers_id = :c"), {"c": paul})
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE gespraechspartner SET nachname = 'Neumann-West', newsletter = 1, "
                             "vorname = 'Paulus', geaendert_am = :t WHERE gp_id = 3"), {"t": AT + timedelta(hours=1)})  # fmt: skip
    second, _ = both(bo, shop, "second", at=AT + timedelta(hours=1))
    assert rows(shop, CUSTOMER, c=paul)[0][:4] == ("Paulus", "Neumann-West", "0521 112233", "0")
    assert rows(bo, CONTACT, g=3)[0][:4] == ("Paulus", "Neumann-West", "0521 112233", 0)
    assert second.details["changed in BO and in the shop (conflicts)"] == [
        {"gp_id": 3, "field": "lastname", "bo": "Neumann-West", "shop": "Neumann-Ost", "kept": "BO"},
    ]


def test_neukunden_keep_their_long_values_and_their_newsletter_withdrawal(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    theirs = ("SELECT * FROM customers WHERE customers_id <= 11 ORDER BY 1",
              "SELECT * FROM address_book WHERE customers_id <= 11 ORDER BY 1")  # fmt: skip
    before = rows(shop, theirs[0]), rows(shop, theirs[1])
    _, from_shop = both(bo, shop)
    assert from_shop.set_aside[["key", "reason"]].values.tolist() == [
        ["4", "e-mail address is held by several shop customers; merge them in the shop"],
        ["11", "e-mail address is held by several shop customers; merge them in the shop"],
    ]
    maximiliane = scalar(bo, "SELECT gp_id FROM gespraechspartner WHERE osc_customers_id = 5")
    assert rows(bo, CONTACT, g=maximiliane)[0][1] == "Freiin von Wolkenstein-Rabenhorst zu Tannenfels und Eibenhai"
    # the next runs, full ones too, write nothing back into the shop: the cut values are BO's
    for key in ("again", "third"):
        to_shop, _ = both(bo, shop, key)
        assert to_shop.updated == 0
    assert (rows(shop, theirs[0]), rows(shop, theirs[1])) == before
    # Swantje renames herself again in the shop: BO follows
    swantje = scalar(bo, "SELECT gp_id FROM gespraechspartner WHERE osc_customers_id = 2")
    _account_edit(shop, 2, lastname="Brinkmann")
    both(bo, shop, "edited", at=AT + timedelta(hours=1))
    assert rows(bo, CONTACT, g=swantje)[0][1] == "Brinkmann"


def test_one_e_mail_one_account(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    first, _ = both(bo, shop)
    assert first.set_aside[["key", "reason"]].values.tolist() == [
        ["4", "e-mail address is not valid: the shop's own forms refuse it (tep_validate_email)"]
    ]
    # BO gives Paul the e-mail Oliver's account holds: set aside with both names
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE gespraechspartner SET email = 'Oliver.Bennett@example.co.uk', "
                             "geaendert_am = :t WHERE gp_id = 3"), {"t": AT + timedelta(hours=1)})  # fmt: skip
    second, _ = both(bo, shop, "second", at=AT + timedelta(hours=1))
    aside = second.set_aside[second.set_aside["key"] == "3"]
    assert aside[["reason", "value"]].values.tolist() == [[
        "the new e-mail address belongs to another shop account",
        f"Oliver.Bennett@example.co.uk: shop customer 7 (Oliver Bennett); this contact is shop customer {account(bo, 3)}",
    ]]  # fmt: skip
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE customers_email_address = 'oliver.bennett@example.co.uk'") == 1
    # a new contact whose e-mail an account holds that another contact is linked to stays apart
    with bo.begin() as conn:
        conn.execute(sa.text("INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, geaendert_am) "
                             "VALUES (5, 'Weg 1', '48143', 'Münster', 1, :t)"), {"t": AT})
        conn.execute(sa.text("INSERT INTO gespraechspartner (gp_id, adress_nr, vorname, nachname, email, "
                             "newsletter, im_web, geaendert_am) VALUES (5, 5, 'F.', 'Baumgärtner', "
                             "'friederike.baumgaertner@example.org', 0, 1, :t)"), {"t": AT})  # fmt: skip
    third, _ = both(bo, shop, "third", at=AT + timedelta(hours=2))
    assert third.set_aside[third.set_aside["key"] == "5"]["reason"].tolist() == [
        "e-mail address belongs to a shop row of another BO row"]


def test_a_registration_between_the_check_and_the_insert_is_reported(bo, real_world_shop, staging, monkeypatch):
    shop = real_world_shop.engine

    def someone_registers(_conn, emails: list[str]) -> None:  # a second connection, committed
        with shop.begin() as other:
            other.execute(sa.text(
                "INSERT INTO customers (customers_gender, customers_firstname, customers_lastname, "
                "customers_dob, customers_email_address, customers_telephone, customers_password, "
                "customers_newsletter) VALUES ('m', 'Paul', 'Zweitkonto', '1990-01-01', :e, '1', 'x', '')"),
                {"e": emails[0]})  # fmt: skip

    monkeypatch.setattr(customers_sync, "BETWEEN_CHECK_AND_INSERT", someone_registers)
    to_shop, _ = both(bo, shop)
    twins = to_shop.details["e-mail held by two shop accounts since this run (merge them in the shop)"]
    assert [(t["e-mail"], t["created by the sync"]) for t in twins] == [("paul.neumann@example.net", account(bo, 3))]
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE customers_email_address = 'paul.neumann@example.net'") == 2


def test_an_account_registered_after_the_run_looked_is_not_created_twice(bo, real_world_shop, staging, monkeypatch):
    """Paul registers himself after the run found no account for his e-mail, before it
    creates one: the account's own transaction sees his, creates nothing, and says so."""
    shop = real_world_shop.engine
    reserve = customers_sync.shop_customers.reserve_accounts

    def registers_meanwhile(engine, count, columns):
        with shop.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO customers (customers_gender, customers_firstname, customers_lastname, customers_dob, "
                "customers_email_address, customers_telephone, customers_password, customers_newsletter) "
                "VALUES ('m', 'Paul', 'Neumann', '1990-01-01', 'paul.neumann@example.net', '1', 'x', '')"))  # fmt: skip
        return reserve(engine, count, columns)

    monkeypatch.setattr(customers_sync.shop_customers, "reserve_accounts", registers_meanwhile)
    to_shop, _ = both(bo, shop)
    own = scalar(shop, "SELECT customers_id FROM customers WHERE customers_email_address = 'paul.neumann@example.net'")
    assert to_shop.inserted == 0
    assert to_shop.set_aside[to_shop.set_aside["key"] == "3"][["reason", "value"]].values.tolist() == [
        [REGISTERED_MEANWHILE, f"paul.neumann@example.net: shop customer {own}"]]
    assert scalar(bo, "SELECT COUNT(*) FROM osc_kunde WHERE gp_id = 3") == 0
    monkeypatch.setattr(customers_sync.shop_customers, "reserve_accounts", reserve)
    again, _ = both(bo, shop, "again")  # now it is an account the sync did not create
    assert again.kept_out[WAITING] == ["1", "2", "3"] and account(bo, 3) == own


def test_bo_refusing_a_neukunde_is_no_race(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    with bo.begin() as conn:  # BO's number range behind its table: every number is taken
        conn.execute(sa.text("UPDATE nummernkreis SET letzte_nr = 0 WHERE name = 'adresse'"))
    _, from_shop = both(bo, shop)
    assert from_shop.inserted == 0 and "another run" not in " ".join(from_shop.notes)
    refused = from_shop.set_aside[from_shop.set_aside["reason"].str.startswith("BO refused the contact")]
    assert refused["key"].tolist() == ["2", "5", "7", "8", "9", "10"]
    assert all("adress_nr" in r or "Duplicate entry '1' for key 'PRIMARY'" in r for r in refused["reason"])
    assert (from_shop.inserted, from_shop.unchanged, from_shop.set_aside_rows) == (0, 3, 8)
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner") == len(CONTACTS)


def test_welcome_links_reach_accounts_created_by_a_run_whose_write_back_failed(
    real_world_shop, staging, mariadb_server, tmp_path, smtp_server
):
    """BO refuses the links after the shop created the accounts (a trigger stands in for a
    BO user without the right): the run fails, and the next one links them and mails them."""
    from tests.conftest import _drop_database

    bo, database = bo_engine("mariadb", tmp_path, mariadb_server)
    try:
        make_bo(bo)
        with bo.begin() as conn:
            conn.execute(sa.text(
                "CREATE TRIGGER no_links BEFORE UPDATE ON gespraechspartner FOR EACH ROW "
                "IF NEW.osc_customers_id IS NOT NULL THEN SIGNAL SQLSTATE '45000' "
                "SET MESSAGE_TEXT = 'links are written by a person'; END IF"))  # fmt: skip
        mails = {"initial_password": "reset_link", "shop_url": "https://shop.example/",
                 "mail_from": "kasse@example.com", "smtp_conn_id": "smtp_test"}  # fmt: skip
        shop = real_world_shop.engine
        failed, _ = both(bo, shop, **mails)
        assert failed.failed and "links are written by a person" in failed.failed
        paul = scalar(shop, "SELECT customers_id FROM customers WHERE customers_email_address = 'paul.neumann@example.net'")
        assert paul is not None and smtp_server.messages == []
        with bo.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER no_links"))
        healed, _ = both(bo, shop, "healed", **mails)
        assert (healed.failed, healed.inserted) == (None, 0)
        assert account(bo, 3) == paul
        assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["paul.neumann@example.net"]
        body = next(p for p in smtp_server.messages[0].walk() if p.get_content_type() == "text/html")
        text = body.get_payload(decode=True).decode()
        key = scalar(shop, "SELECT password_reset_key FROM customers_info WHERE customers_info_id = :c", c=paul)
        assert f"password_reset.php?account=paul.neumann%40example.net&amp;key={key}" in text
        both(bo, shop, "third", **mails)
        assert len(smtp_server.messages) == 1
    finally:
        bo.dispose()
        _drop_database(mariadb_server, database)


def test_a_contact_set_aside_keeps_its_claim_on_its_account(bo, real_world_shop, staging):
    shop = real_world_shop.engine
    both(bo, shop)
    paul = account(bo, 3)
    with bo.begin() as conn:  # Paul's postal code goes missing; a second contact has his e-mail
        conn.execute(sa.text("UPDATE adresse SET plz = NULL, geaendert_am = :t WHERE adress_nr = 3"), {"t": AT})
        conn.execute(sa.text("INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, geaendert_am) "
                             "VALUES (6, 'Weg 2', '33602', 'Bielefeld', 1, :t)"), {"t": AT})
        conn.execute(sa.text("INSERT INTO gespraechspartner (gp_id, adress_nr, vorname, nachname, email, "
                             "newsletter, im_web, geaendert_am) VALUES (6, 6, 'Paula', 'Neumann', "
                             "'paul.neumann@example.net', 0, 1, :t)"), {"t": AT})  # fmt: skip
    shop_before = rows(shop, "SELECT * FROM customers WHERE customers_id = :c", c=paul)
    for key in ("second", "third"):
        to_shop, _ = both(bo, shop, key, at=AT + timedelta(hours=1))
        reasons = to_shop.set_aside.groupby("key")["reason"].apply(set).to_dict()
        assert reasons["3"] == {"postal code missing: the shop needs one, and it is the first password"}
        assert reasons["6"] == {"e-mail address belongs to a shop row of another BO row"}
    assert (account(bo, 3), scalar(bo, "SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = 6")) == (paul, None)
    assert rows(shop, "SELECT * FROM customers WHERE customers_id = :c", c=paul) == shop_before
