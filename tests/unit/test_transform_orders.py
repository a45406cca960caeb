"""The order rules without a database: when an order is fully written, the buyer's comment,
names, statuses, buyers, positions and the Auftrag."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from bo_oscommerce.transform.order_totals import StoredLine, StoredTotal, php_rate
from bo_oscommerce.transform.orders import (
    ASIDE,
    READY,
    WAITING,
    History,
    OrderLine,
    ShopOrder,
    ShopRules,
    auftrag,
    comments,
    hold_statuses,
    match_buyers,
    positions,
    readiness,
    split_name,
    status_sources,
    transaction_statuses,
)
from bo_oscommerce.transform.tax_rates import TaxRateRow, TaxTable

D = Decimal
PLACED = datetime(2026, 12, 1, 22, 41, 15)
SETTLE, GRACE = timedelta(seconds=30), timedelta(minutes=30)
RULES = ShopRules(
    with_tax=True,
    shipping_tax_classes=(1,),
    tax=TaxTable([TaxRateRow(1, 81, 0, 1, D("19"), "MwSt 19 %"),
                  TaxRateRow(2, 81, 0, 1, D("7"), "MwSt 7 %")]),  # fmt: skip
    places={"EUR": 2},
    hold=frozenset({5}),
    transactions=frozenset({4}),
    countries={"Germany": 81},
    zones={(81, "Nordrhein-Westfalen"): 88},
)


def line(oid: int, pid: int, model: str, price: str, final: str, qty: int, *options) -> OrderLine:
    stored = StoredLine(D(price), D(final), D("19"), qty, tuple((p, D(x)) for _, p, x in options))
    return OrderLine(oid, pid, model, f"Artikel {model}", stored, tuple(t for t, _, _ in options))


# order 15 of shop-real-world.sql, as checkout_process.php finished it
PUMP = line(27, 6, "FW-1006", "29.4034", "29.4034", 1)
BOTTLE = line(28, 3, "FW-1003", "7.4790", "9.9916", 2, ("Ausführung: Edelstahl", "+", "2.5126"))
SAMPLE = line(29, 5, "FW-1005", "0", "0", 1)
TOTALS = (
    StoredTotal("ot_subtotal", "Sub-Total:", D("58.77")),
    StoredTotal("ot_shipping", "Flat Rate (Best Way):", D("5.831")),
    StoredTotal("ot_tax", "MwSt 19 %:", D("10.3144")),
    StoredTotal("ot_total", "Total:", D("64.601")),
)
CHECKOUT_ROW = History(20, 1, PLACED, "")
HEADER = {
    "orders_id": 15, "customers_id": 1, "date_purchased": PLACED, "last_modified": None,
    "delivery_country": "Germany", "delivery_state": "Nordrhein-Westfalen", "currency": "EUR",
    "currency_value": D("1"), "orders_status": 1, "customers_country": "Germany",
    "billing_country": "Germany", "customers_name": "Friederike Baumgärtner",
    "customers_email_address": "friederike.baumgaertner@example.org",
    "payment_method": "Cash on Delivery", "delivery_name": "Friederike Baumgärtner",
    "delivery_street_address": "Hammer Straße 112", "delivery_postcode": "48153",
    "delivery_city": "Münster",
}  # fmt: skip


def order(*lines: OrderLine, history=(CHECKOUT_ROW,), basket=(), **header) -> ShopOrder:
    return ShopOrder({**HEADER, **header}, tuple(lines), TOTALS, tuple(history), tuple(basket))


LATER = PLACED + timedelta(minutes=5)


def test_a_finished_order_is_ready_after_the_settle_time() -> None:
    done = order(PUMP, BOTTLE, SAMPLE)
    ready = readiness(done, RULES, LATER, SETTLE, GRACE)
    assert (ready.state, ready.reason) == (READY, "")
    assert (ready.totals.vat, ready.totals.net) == (D("10.3144"), D("54.2866"))
    settling = readiness(done, RULES, PLACED + timedelta(seconds=29), SETTLE, GRACE)
    assert (settling.state, settling.reason) == (WAITING, "written less than 30 s ago")


def test_every_sign_of_an_unfinished_checkout_holds_the_order_back() -> None:
    basket = ((6, 1), (3, 2), (5, 1))  # the cart it is written from, not yet emptied
    half = order(PUMP, line(28, 3, "FW-1003", "7.4790", "9.9916", 2), basket=basket)
    assert readiness(half, RULES, LATER, SETTLE, GRACE).reason == (
        "the option rows of line(s) FW-1003 do not add up to the line's price"
    )
    without_sample = order(PUMP, BOTTLE, basket=basket)  # amounts already add up
    assert readiness(without_sample, RULES, LATER, SETTLE, GRACE).reason == (
        "the buyer's basket still holds every line of this order (the checkout empties it "
        "after writing the last line)"
    )
    no_history = order(PUMP, BOTTLE, SAMPLE, history=())
    assert readiness(no_history, RULES, LATER, SETTLE, GRACE).reason == (
        "the checkout's status history row is missing"
    )
    nothing = order()
    assert readiness(nothing, RULES, LATER, SETTLE, GRACE).state == WAITING
    late = readiness(without_sample, RULES, PLACED + timedelta(minutes=31), SETTLE, GRACE)
    assert late.state == ASIDE and late.reason.endswith("after the grace period of 30 minutes")


def test_a_later_cart_with_other_products_does_not_hold_the_order() -> None:
    done = order(PUMP, BOTTLE, SAMPLE, basket=((6, 1),))  # the pump again, but not the rest
    assert readiness(done, RULES, LATER, SETTLE, GRACE).state == READY


def test_a_payment_module_order_was_complete_before_it_left_preparing() -> None:
    # PayPal's IPN moved it on; the buyer never came back: no checkout row, a full basket
    paid = order(PUMP, BOTTLE, SAMPLE, history=(History(14, 4, PLACED, "PayPal IPN Verified"),),
                 basket=((6, 1), (3, 2), (5, 1)))  # fmt: skip
    assert readiness(paid, RULES, LATER, SETTLE, GRACE).state == READY


def test_the_buyers_comment_is_the_checkouts_row() -> None:
    history = [
        History(12, 4, PLACED, "PayPal Verified [Transaction ID: 4HW81236UK553270T]"),
        History(13, 1, PLACED, " Bitte in neutraler Verpackung "),
        History(14, 4, PLACED, "PayPal IPN Verified [Transaction ID: 4HW81236UK553270T]"),
        History(17, 2, LATER, "Versand morgen"),
    ]
    assert comments(history, RULES) == (
        "Bitte in neutraler Verpackung",
        "PayPal Verified [Transaction ID: 4HW81236UK553270T]\n"
        "PayPal IPN Verified [Transaction ID: 4HW81236UK553270T]",
    )
    assert comments([History(2, 1, PLACED, ""), History(16, 2, LATER, "reserviert")], RULES) == (
        None, None)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Hans Peter von der Heide", "Hans Peter", "von der Heide"),
        ("Jan-Erik Olbrich", "Jan-Erik", "Olbrich"),
        ("Maximiliane Freiin von Wolkenstein-Rabenhorst", "Maximiliane", "Freiin von Wolkenstein-Rabenhorst"),
        ("  Anna   Maria  Schulz ", "Anna Maria", "Schulz"),
        ("Cher", "", "Cher"),
        ("Vincent van Gogh", "Vincent", "van Gogh"),
    ],
)
def test_a_name_held_as_one_is_split_before_its_particles(name, first, last) -> None:
    assert split_name(name) == (first, last)


def test_statuses_that_are_not_yet_a_sale_and_transaction_rows() -> None:
    names = [(1, "Pending"), (1, "Offen"), (4, "PayPal [Transactions]"),
             (5, "Preparing [PayPal Standard]"), (6, "Storniert")]  # fmt: skip
    assert hold_statuses(names, [0]) == {5}
    assert hold_statuses(names, [7, 0]) == {5, 7}  # a module's PREPARE_ORDER_STATUS_ID
    assert transaction_statuses(names, [4, 0]) == {4}
    assert status_sources("processing", [1], 2) == [1]
    assert status_sources("delivered", [1, 7], 2) == [1, 7, 2]


def test_buyers_linked_matched_by_email_new_or_ambiguous() -> None:
    contacts = pd.DataFrame(
        {"gp_id": [10, 11, 12, 13], "adress_nr": [100, 101, 102, 103],
         "osc_customers_id": [1, None, None, None],
         "email_key": ["a@x.de", "b@x.de", "c@x.de", "c@x.de"]}
    )  # fmt: skip
    def buyer(oid, cid, mail):  # noqa: E306
        return ShopOrder({**HEADER, "orders_id": oid, "customers_id": cid,
                          "customers_email_address": mail}, (), (), ())  # fmt: skip

    customers = {
        2: {"customers_id": 2, "customers_email_address": " B@X.de"},
        4: {"customers_id": 4, "customers_email_address": "new@x.de"},
        9: {"customers_id": 9, "customers_email_address": "NEW@x.de"},
    }
    orders = [buyer(1, 1, "whatever"), buyer(2, 2, "b@x.de"), buyer(3, 3, "c@x.de"),
              buyer(4, 9, "new@x.de"), buyer(5, 4, "new@x.de"), buyer(6, 7, "gone@x.de"),
              buyer(7, 8, "A@x.de")]  # fmt: skip
    match = match_buyers(orders, contacts, customers, RULES)
    # order 7: a deleted account with the e-mail of the contact linked to customer 1
    assert match.contact == {1: (10, 100), 2: (11, 101), 7: (10, 100)}
    assert match.problem == {
        3: "several BO contacts (12, 13) have the buyer's e-mail address: make them differ in BO"
    }
    assert match.new == {4: "enew@x.de", 5: "enew@x.de", 6: "egone@x.de"}
    assert match.rows["enew@x.de"]["customers_id"] == 4  # the login finds the lowest id
    assert match.rows["egone@x.de"]["customers_id"] is None  # from the order's address


def test_positions_and_the_auftrag() -> None:
    done = order(PUMP, BOTTLE, SAMPLE)
    totals = readiness(done, RULES, LATER, SETTLE, GRACE).totals
    lines, unknown = positions(done, totals, {6: "FW-1006", 3: "FW-1003"}, {})
    assert [(p["pos_nr"], p["artikel_nr"], p["bezeichnung"], p["einzelpreis_netto"]) for p in lines] == [
        (1, "FW-1006", "Artikel FW-1006", D("29.4034")),
        (2, "FW-1003", "Artikel FW-1003 (Ausführung: Edelstahl)", D("9.9916")),
        (3, None, "Artikel FW-1005", D("0")),
    ]
    assert unknown == ["FW-1005 (products_id 5)"]
    row = auftrag(done, totals, RULES, {81: 1})
    assert {k: row[k] for k in ("summe_brutto", "summe_steuer", "summe_netto", "versandkosten",
                                "versand_ust_satz", "osc_status_bei_import", "liefer_staat_id",
                                "unknown_countries")} == {  # fmt: skip
        "summe_brutto": D("64.601"), "summe_steuer": D("10.3144"), "summe_netto": D("54.2866"),
        "versandkosten": D("4.9000"), "versand_ust_satz": D("19.00"), "osc_status_bei_import": 1,
        "liefer_staat_id": 1, "unknown_countries": None,
    }  # fmt: skip


def test_tax_rates_as_the_shop_finds_them() -> None:
    table = TaxTable([
        TaxRateRow(1, 81, 0, 1, D("19"), "MwSt 19 %"),
        TaxRateRow(1, 223, 18, 1, D("7"), "FL TAX 7.0%"),
        TaxRateRow(3, None, None, 1, D("5"), "everywhere"),  # a geo zone without places
        TaxRateRow(4, 81, 0, 1, D("10"), "A"), TaxRateRow(4, 81, 0, 2, D("10"), "B"),
    ])  # fmt: skip
    assert table.choice(1, 81, 88).rate == php_rate(19.0)
    assert table.choice(1, 223, 18).group == "FL TAX 7.0%"
    assert table.choice(1, 14, 0).rate == 0.0  # Austria: no rate
    assert table.choice(3, 14, 0).rate == pytest.approx(5.0)
    assert table.choice(4, 81, 0).rate == pytest.approx(21.0)  # priorities compound
    assert table.choice(4, 81, 0).group == "A + B"
