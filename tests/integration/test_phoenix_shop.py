"""Every seed line on a CE Phoenix Cart 1.1.0.6 shop, against ``shop-phoenix-with-orders.sql``:
customers who registered through Phoenix's storefront, six orders through its checkout, one
order moved in its admin. Expected values are what was typed and shown
(``shop-phoenix-with-orders.json``) and the rows its README names, written out here."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from passlib.hash import bcrypt
from tests.conftest import PHOENIX_ORDERS_JSON
from tests.integration.conftest import rows, scalar, settings, sync

from bo_oscommerce.shop.passwords import verify_password
from bo_oscommerce.sync.customers import sync_customers_from_shop, sync_customers_to_shop
from bo_oscommerce.sync.order_status import reconcile, report_status
from bo_oscommerce.sync.orders import count_new, import_orders
from bo_oscommerce.sync.run import Run

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 2, 10, 0, 0)
SHOWN = json.loads(PHOENIX_ORDERS_JSON.read_text(encoding="utf-8"))
# orders_id: gross, VAT (the stored ot_tax rows' sum), net, net shipping, its rate, status
AMOUNTS = {
    1: ("53.8300", "7.3715", "46.4585", "5.0000", 19, 2),  # moved to Processing in the admin
    2: ("46.1500", "3.5799", "42.5701", "5.0000", 19, 1),
    3: ("18.3600", "0.0000", "18.3600", "5.0000", 0, 1),  # Austria: outside the tax zone
    4: ("30.1700", "0.0000", "30.1700", "5.0000", 0, 1),  # United Kingdom
    5: ("26.8000", "3.0632", "23.7368", "5.0000", 19, 1),
    6: ("125.7500", "20.0777", "105.6723", "5.0000", 19, 1),
}
HISTORY = "SELECT orders_id, orders_status_id, customer_notified, comments FROM orders_status_history"
BUYER = (
    "SELECT g.anrede, g.vorname, g.nachname, CAST(g.geburtstag AS CHAR), g.newsletter, "
    "g.im_web, g.osc_customers_id, a.firma, a.strasse, a.plz, a.ort, a.staat_id, a.region, "
    "a.telefon FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr "
    "WHERE g.email = :e"
)


def run_for(bo, shop, key="run", at=AT, **values) -> Run:
    return Run(settings(**values), bo, shop, f"test/{key}", at)


def _money(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.0001")))


def _shown(text: str) -> str:
    """A total as the confirmation page showed it ("53,83€") in the form BO holds."""
    return _money(text.replace("<strong>", "").replace("</strong>", "").rstrip("€").replace(",", "."))


def test_every_order_arrives_once_with_the_totals_phoenix_wrote(phoenix_bo, phoenix_orders_shop, staging):
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    run = run_for(bo, shop)
    assert count_new(run)["orders_ids"] == [1, 2, 3, 4, 5, 6]
    imported = import_orders(run)
    assert (imported.inserted, imported.set_aside_rows, imported.shop) == (6, 0, "CE Phoenix Cart 1.1")
    got = {
        o: (_money(g), _money(v), _money(n), _money(s), int(r), st)
        for o, g, v, n, s, r, st in rows(
            bo, "SELECT osc_orders_id, summe_brutto, summe_steuer, summe_netto, versandkosten, "
            "versand_ust_satz, osc_status_bei_import FROM auftrag")
    }  # fmt: skip
    assert got == AMOUNTS
    # the gross total is what the buyer saw on the confirmation page
    for order in SHOWN["orders"]:
        total = next(t["text"] for t in order["confirmation"]["totals"] if t["title"] == "Total")
        assert got[order["orders_id"]][0] == _shown(total)
    assert rows(bo, "SELECT DISTINCT zahlungsart FROM auftrag ORDER BY 1") == [
        ("Cash on Delivery",), ("Check/Money Order",)]  # fmt: skip
    again = import_orders(run_for(bo, shop, "again"))
    assert (again.extracted, again.inserted) == (0, 0)
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag") == 6


def test_lines_carry_options_in_the_session_language_and_their_own_rate(phoenix_bo, phoenix_orders_shop, staging):
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    import_orders(run_for(bo, shop))
    positions = (
        "SELECT p.artikel_nr, p.bezeichnung, p.menge, p.einzelpreis_netto, p.ust_satz "
        "FROM auftragsposition p JOIN auftrag a ON a.auftrag_nr = p.auftrag_nr "
        "WHERE a.osc_orders_id = :o ORDER BY p.pos_nr"
    )

    def of(order):
        return [(a, b, float(m), _money(p), float(u)) for a, b, m, p, u in rows(bo, positions, o=order)]

    # final_price 12.5234 = 12.0561 + the option's 0.4673 net
    assert of(2) == [("KT-2001", "Espresso-Bohnen, 500 g (Mahlgrad: Gemahlen)", 3.0, "12.5234", 7.0)]
    assert sorted(of(1)) == [("HW-1001", "Crêpepfanne Keramik, 28 cm", 1.0, "29.3277", 19.0),
                             ("KT-2002", "Grüner Tee Sencha, 100 g", 2.0, "6.0654", 7.0)]  # fmt: skip
    assert sorted(of(5)) == [("HW-1002", "Geschirrtuch Leinen", 1.0, "6.6807", 19.0),
                             ("KT-2001", "Espresso-Bohnen, 500 g (Mahlgrad: Ganze Bohne)", 1.0,
                              "12.0561", 7.0)]  # fmt: skip
    assert of(3) == [("HW-1002", "Geschirrtuch Leinen", 2.0, "6.6807", 0.0)]  # no tax in Austria
    assert of(4) == [("HW-1003", "Stovetop espresso maker, 6 cups", 1.0, "25.1681", 0.0)]  # English
    assert of(6) == [("HW-1003", "Espressokocher für 6 Tassen", 4.0, "25.1681", 19.0)]


def test_countries_come_from_the_ids_phoenix_writes_not_from_names(phoenix_bo, phoenix_orders_shop, staging):
    """Phoenix names countries in their own language and renames them between releases; the
    order's ``*_country_id`` is what counts, so a renamed country changes nothing."""
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE countries SET countries_name = 'Austria' WHERE countries_id = 14"))
        conn.execute(sa.text("UPDATE countries SET countries_name = 'Germany' WHERE countries_id = 81"))
    imported = import_orders(run_for(bo, shop))
    assert imported.set_aside_rows == 0
    staaten = rows(bo, "SELECT osc_orders_id, liefer_staat_id, rechnung_staat_id FROM auftrag ORDER BY 1")
    assert staaten == [(1, 1, 1), (2, 1, 1), (3, 2, 2), (4, 3, 3), (5, 1, 1), (6, 1, 1)]


def test_buyers_arrive_as_they_registered_and_lena_as_she_lives_now(phoenix_bo, phoenix_orders_shop, staging):
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    import_orders(run_for(bo, shop))
    from_shop = sync_customers_from_shop(run_for(bo, shop, "customers"))
    assert from_shop.set_aside_rows == 0
    assert scalar(bo, "SELECT COUNT(*) FROM gespraechspartner") == 4
    typed = {c["email"]: c for c in SHOWN["customers"]}
    assert rows(bo, BUYER, e="juergen.mueller@example.invalid") == [
        ("Herr", "Jürgen", "Müller-Lüdenscheidt", typed["juergen.mueller@example.invalid"]["dob"], 1, 1, 1,
         "Müller & Söhne GmbH", "Domstraße 12", "50667", "Köln", 1, "Nordrhein-Westfalen", "0221 123456")
    ]  # fmt: skip
    anna = rows(bo, BUYER, e="anna.gruber@example.invalid")[0]
    assert (anna[4], anna[7], anna[11], anna[12]) == (0, None, 2, "Wien")  # newsletter '' -> 0
    zoe = rows(bo, BUYER, e="zoe.obrien@example.invalid")[0]
    assert (zoe[1], zoe[2], zoe[11], zoe[12]) == ("Zoë", "O'Brien", 3, "Greater London")
    lena = rows(bo, BUYER, e="lena.vogel@example.invalid")[0]
    moved = typed["lena.vogel@example.invalid"]["changes"]["new_address"]
    assert (lena[4], lena[8], lena[9], lena[10], lena[12]) == (
        1, moved["street_address"], moved["postcode"], moved["city"], "Sachsen")  # fmt: skip
    # each order keeps the address it was placed from
    assert rows(bo, "SELECT osc_orders_id, liefer_ort FROM auftrag WHERE osc_orders_id IN (5, 6) ORDER BY 1") == [
        (5, "Leipzig"), (6, "Dresden")]  # fmt: skip


def test_status_back_as_phoenix_admin_writes_it_and_the_owners_change_stays(phoenix_bo, phoenix_orders_shop, staging):
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    before = rows(shop, HISTORY + " ORDER BY orders_status_history_id")
    import_orders(run_for(bo, shop))
    processing = report_status(run_for(bo, shop, "processing"), "processing")
    assert (processing.updated, processing.unchanged) == (5, 1)  # order 1: Processing already
    assert rows(shop, "SELECT orders_id, orders_status FROM orders ORDER BY 1") == [(o, 2) for o in range(1, 7)]
    added = rows(shop, HISTORY + " WHERE orders_status_history_id > 7 ORDER BY orders_id")
    assert added == [(o, 2, 0, "") for o in range(2, 7)]  # the admin's row shape, no e-mail
    assert rows(shop, HISTORY + " WHERE orders_id = 1 ORDER BY orders_status_history_id") == before[0:1] + before[6:7]
    with bo.begin() as conn:  # a delivery note for order 6
        conn.execute(sa.text("INSERT INTO lieferschein VALUES (1, :a, :t, 'DHL1', 1, :t)"),
                     {"a": scalar(bo, "SELECT auftrag_nr FROM auftrag WHERE osc_orders_id = 6"), "t": AT})  # fmt: skip
    delivered = report_status(run_for(bo, shop, "delivered"), "delivered")
    assert delivered.updated == 1
    assert scalar(shop, "SELECT orders_status FROM orders WHERE orders_id = 6") == 3
    listed = reconcile(run_for(bo, shop, "reconcile"))
    assert not any(listed.values()), listed
    report_status(run_for(bo, shop, "again"), "processing")
    report_status(run_for(bo, shop, "again"), "delivered")
    assert len(rows(shop, HISTORY)) == len(before) + 5 + 1


def test_stock_overwrites_what_the_checkout_left(phoenix_bo, phoenix_orders_shop, staging):
    """HW-1003 stands at -2 after order 6 (4 sold with 2 in stock): BO's figure replaces it."""
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    assert scalar(shop, "SELECT products_quantity FROM products WHERE products_model = 'HW-1003'") == -2
    with bo.begin() as conn:
        for model, count in (("HW-1001", 24), ("HW-1002", 97), ("HW-1003", 7), ("KT-2001", 56), ("KT-2002", 38)):
            conn.execute(sa.text("INSERT INTO lagerbestand VALUES (:a, 'L1', :b, 0, :t)"),
                         {"a": model, "b": count, "t": AT})  # fmt: skip
    report = sync(bo, shop, entities=("stock",), run_at=AT)["stock"]
    assert report.shop == "CE Phoenix Cart 1.1"
    assert rows(shop, "SELECT products_model, products_quantity FROM products ORDER BY 1") == [
        ("HW-1001", 24), ("HW-1002", 97), ("HW-1003", 7), ("KT-2001", 56), ("KT-2002", 38)]  # fmt: skip


def test_the_customers_own_password_and_edits_stay_theirs(phoenix_bo, phoenix_orders_shop, staging):
    """Phoenix's bcrypt hashes are never written by the sync; a first password the sync sets
    ($P$) is one Phoenix accepts and replaces by $2y$ at the first login, which stays."""
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    typed = {c["email"]: c for c in SHOWN["customers"]}
    import_orders(run_for(bo, shop))
    sync_customers_from_shop(run_for(bo, shop, "from"))
    adopt = {"adopt_existing_accounts": True}
    sync_customers_to_shop(run_for(bo, shop, "to", **adopt))
    lena = scalar(bo, "SELECT gp_id FROM gespraechspartner WHERE email = 'lena.vogel@example.invalid'")
    with bo.begin() as conn:  # BO changes Lena's telephone; a new contact comes
        conn.execute(sa.text("UPDATE adresse SET telefon = '0351 111111', geaendert_am = :t WHERE adress_nr = "
                             "(SELECT adress_nr FROM gespraechspartner WHERE gp_id = :g)"),
                     {"t": datetime(2026, 12, 3, 9, 0, 0), "g": lena})  # fmt: skip
        conn.execute(sa.text("INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, telefon, geaendert_am) "
                             "VALUES (100, 'Hauptstraße 1', '53111', 'Bonn', 1, '0228 1', :t)"), {"t": AT})
        conn.execute(sa.text("INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, nachname, email, "
                             "newsletter, im_web, geaendert_am) VALUES (100, 100, 'Frau', 'Ida', 'Neu', "
                             "'ida.neu@example.invalid', 0, 1, :t)"), {"t": AT})  # fmt: skip
    later = datetime(2026, 12, 3, 10, 0, 0)
    to_shop = sync_customers_to_shop(run_for(bo, shop, "bo-changed", at=later, **adopt))
    assert to_shop.inserted == 1 and to_shop.set_aside_rows == 0
    assert scalar(shop, "SELECT customers_telephone FROM customers WHERE customers_id = 4") == "0351 111111"
    for email, c in typed.items():  # every registered password as Phoenix wrote it
        stored = scalar(shop, "SELECT customers_password FROM customers WHERE customers_email_address = :e", e=email)
        assert stored.startswith("$2y$10$") and verify_password(c["password"], stored)
    ida = rows(shop, "SELECT customers_id, customers_password, CAST(customers_dob AS CHAR), status "
                     "FROM customers WHERE customers_email_address = 'ida.neu@example.invalid'")[0]  # fmt: skip
    assert ida[1].startswith("$P$") and verify_password("53111", ida[1])
    assert (ida[2], ida[3]) == (None, 1)  # no birthday: NULL in Phoenix's DATE column; may log in
    # Ida logs in: Phoenix replaces her $P$ by password_hash()'s $2y$; no run writes it back
    rehashed = bcrypt.using(rounds=10, ident="2y").hash("53111")
    with shop.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET customers_password = :p WHERE customers_id = :c"),
                     {"p": rehashed, "c": ida[0]})  # fmt: skip
    with bo.begin() as conn:
        conn.execute(sa.text("UPDATE gespraechspartner SET vorname = 'Ida Marie', geaendert_am = :t WHERE gp_id = 100"),
                     {"t": datetime(2026, 12, 4, 9, 0, 0)})  # fmt: skip
    sync_customers_to_shop(run_for(bo, shop, "after-login", at=datetime(2026, 12, 4, 10, 0, 0), **adopt))
    assert rows(shop, "SELECT customers_firstname, customers_password FROM customers WHERE customers_id = :c",
                c=ida[0]) == [("Ida Marie", rehashed)]  # fmt: skip


def test_a_registration_racing_the_sync_meets_phoenixs_unique_e_mail(phoenix_bo, phoenix_orders_shop, staging, monkeypatch):
    """The customer registers between the sync's check and its insert: Phoenix's unique index
    refuses the sync's row, the group is checked again, and the contact waits for the
    customer's own account instead of failing the run."""
    from bo_oscommerce.sync import customers as customers_sync

    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    with bo.begin() as conn:
        conn.execute(sa.text("INSERT INTO adresse (adress_nr, strasse, plz, ort, staat_id, telefon, geaendert_am) "
                             "VALUES (100, 'Hauptstraße 1', '53111', 'Bonn', 1, '0228 1', :t)"), {"t": AT})
        conn.execute(sa.text("INSERT INTO gespraechspartner (gp_id, adress_nr, anrede, vorname, nachname, email, "
                             "newsletter, im_web, geaendert_am) VALUES (100, 100, 'Frau', 'Ida', 'Neu', "
                             "'ida.neu@example.invalid', 0, 1, :t)"), {"t": AT})  # fmt: skip
    registered: list[int] = []

    def registers_once(_conn, emails: list[str]) -> None:  # a second connection, committed
        if registered:
            return
        with shop.begin() as other:
            registered.append(other.execute(sa.text(
                "INSERT INTO customers (customers_firstname, customers_lastname, customers_email_address, "
                "customers_telephone, customers_password) VALUES ('Ida', 'Neu', 'IDA.NEU@example.invalid', '', 'x')"
            )).lastrowid)  # fmt: skip

    monkeypatch.setattr(customers_sync, "BETWEEN_CHECK_AND_INSERT", registers_once)
    to_shop = sync_customers_to_shop(run_for(bo, shop))
    assert to_shop.inserted == 0
    assert to_shop.set_aside[["key", "value"]].values.tolist() == [
        ["100", f"ida.neu@example.invalid: shop customer {registered[0]}"]]  # fmt: skip
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE customers_email_address = 'ida.neu@example.invalid'") == 1



def test_order_2_replayed_as_phoenixs_checkout_writes_it_is_never_imported_incomplete(
    phoenix_bo, phoenix_orders_shop, staging
):
    """Phoenix's checkout pipeline writes in an order of its own (insert_order.php: the order,
    its totals, each line with its options; then insert_history.php, update_stock.php,
    update_products_ordered.php, and the basket's reset): order 2 taken out of the finished
    shop and written again one statement at a time, an import after each."""
    bo, shop = phoenix_bo, phoenix_orders_shop.engine

    def select(table, where):
        with shop.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table} WHERE {where}"))]

    order = select("orders", "orders_id = 2")[0]
    totals = select("orders_total", "orders_id = 2 ORDER BY orders_total_id")
    (line,) = select("orders_products", "orders_id = 2")
    (option,) = select("orders_products_attributes", "orders_id = 2")
    (history,) = select("orders_status_history", "orders_id = 2")
    moved = {"q": line["products_quantity"], "p": line["products_id"]}
    with shop.begin() as conn:  # before the checkout: the stock back, Jürgen's basket full
        for table in ("orders", "orders_total", "orders_products", "orders_products_attributes",
                      "orders_status_history"):  # fmt: skip
            conn.execute(sa.text(f"DELETE FROM {table} WHERE orders_id = 2"))
        conn.execute(sa.text("UPDATE products SET products_quantity = products_quantity + :q, "
                             "products_ordered = products_ordered - :q WHERE products_id = :p"), moved)  # fmt: skip
        conn.execute(sa.text("INSERT INTO customers_basket (customers_id, products_id, customers_basket_quantity, "
                             "final_price, customers_basket_date_added) VALUES (1, '4{1}2', 3, 12.5234, '20261201')"))
        conn.execute(sa.text("INSERT INTO customers_basket_attributes (customers_id, products_id, "
                             "products_options_id, products_options_value_id) VALUES (1, '4{1}2', 1, 2)"))  # fmt: skip

    def insert(table, row):
        return (table, f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + n for n in row)})", row)

    steps = [insert("orders", order), *(insert("orders_total", t) for t in totals),
             insert("orders_products", line), insert("orders_products_attributes", option),
             insert("orders_status_history", history),
             ("stock", "UPDATE products SET products_quantity = products_quantity - :q WHERE products_id = :p", moved),
             ("ordered", "UPDATE products SET products_ordered = products_ordered + :q WHERE products_id = :p", moved),
             ("customers_basket", "DELETE FROM customers_basket WHERE customers_id = 1", {}),
             ("customers_basket_attributes", "DELETE FROM customers_basket_attributes WHERE customers_id = 1", {})]  # fmt: skip
    import_orders(run_for(bo, shop, "before"))
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag") == 5
    seen = []
    with shop.connect() as conn:
        for step, (label, sql, params) in enumerate(steps):
            conn.execute(sa.text(sql), params)
            conn.commit()
            seen.append((label, import_orders(run_for(bo, shop, f"step{step}")).inserted))
    # orders, 5 totals, line, option, history, stock, products_ordered: 11 statements, none enough
    assert [inserted for _, inserted in seen] == [0] * 11 + [1, 0], seen  # in with the basket reset
    got = rows(bo, "SELECT summe_brutto, summe_steuer FROM auftrag WHERE osc_orders_id = 2")
    assert [(_money(g), _money(v)) for g, v in got] == [AMOUNTS[2][:2]]


def test_lenas_own_edits_are_found_by_comparing_phoenix_stamps_none(phoenix_bo, phoenix_orders_shop, staging):
    """Phoenix's address book and newsletter pages leave customers_info's last-modified date
    NULL: the sync finds Lena's edits by comparing with what both sides held last time."""
    bo, shop = phoenix_bo, phoenix_orders_shop.engine
    import_orders(run_for(bo, shop))
    adopt = {"adopt_existing_accounts": True}

    def both(key, at):
        return (sync_customers_to_shop(run_for(bo, shop, key, at=at, **adopt)),
                sync_customers_from_shop(run_for(bo, shop, key, at=at, **adopt)))  # fmt: skip

    both("first", AT)
    assert scalar(shop, "SELECT COUNT(*) FROM customers_info WHERE customers_info_date_account_last_modified "
                        "IS NOT NULL") == 0  # fmt: skip
    with shop.begin() as conn:  # address_book_process.php and account_newsletters.php, as Phoenix runs them
        conn.execute(sa.text("UPDATE address_book SET entry_street_address = 'Ringstraße 9', entry_postcode = "
                             "'01069' WHERE address_book_id = 4"))
        conn.execute(sa.text("UPDATE customers SET customers_newsletter = '' WHERE customers_id = 4"))  # fmt: skip
    to_shop, _ = both("second", datetime(2026, 12, 2, 11, 0, 0))
    lena = rows(bo, BUYER, e="lena.vogel@example.invalid")[0]
    assert (lena[4], lena[8], lena[9], lena[10]) == (0, "Ringstraße 9", "01069", "Dresden")
    assert to_shop.updated == 1 and "changed in BO and in the shop (conflicts)" not in to_shop.details
    assert rows(shop, "SELECT entry_street_address, customers_newsletter FROM address_book a JOIN customers c "
                      "ON c.customers_id = a.customers_id WHERE a.address_book_id = 4") == [("Ringstraße 9", "")]  # fmt: skip
