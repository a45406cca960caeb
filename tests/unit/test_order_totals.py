"""osCommerce 2.3.4.1's order total modules, against rows the real shop wrote
(``shop-real-world.sql``: Fahrradhaus Wiesengrund, flat rate 4.90 net taxed at 19 %, low order
fee 2.1008 net under 25, prices shown with tax)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from bo_oscommerce.transform import order_totals as ot
from bo_oscommerce.transform.order_totals import (
    LowOrderFee,
    Shipping,
    StoredLine,
    StoredTotal,
    TaxChoice,
    TotalsSettings,
    explain_totals,
)

REAL_WORLD = Path(__file__).resolve().parents[3] / "shared" / "oscommerce" / "shop-real-world.json"
R19, R7 = ot.php_rate(19.0), ot.php_rate(7.0)
INSTALLER = ["ot_subtotal", "ot_tax", "ot_shipping", "ot_total"]
SORTED = ["ot_subtotal", "ot_shipping", "ot_tax", "ot_loworderfee", "ot_total"]
FLAT = Shipping(R19, "MwSt 19 %")
FEE = LowOrderFee(2.1008, R19, "MwSt 19 %", under=25.0)
SHOP = TotalsSettings(True, 2, (TaxChoice(R19),), 2.1008, TaxChoice(R19))


def D(text: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def rows(result: list[ot.Row]) -> list[tuple[str, str, Decimal]]:
    return [(r.cls, r.title, ot.stored(r.value)) for r in result]


def test_php_number_text_has_14_significant_digits() -> None:
    assert ot.php_str(ot.php_rate(19.0)) == "19"
    assert ot.php_str(37.7731 * 1.19) == "44.949989"
    assert ot.php_str(0.1 + 0.2) == "0.3"
    assert ot.php_str(0.00001) == "1.0E-5"


@pytest.mark.parametrize(
    ("number", "places", "rounded"),
    [
        (44.949989, 2, 44.95),  # Faltschloss: 37.7731 net + 19 %
        (16.900008, 2, 16.9),  # Radwanderführer: 15.7944 net + 7 %
        (1.005, 2, 1.01),  # half goes up
        (1.0049, 2, 1.0),
        (12.3, 2, 12.3),  # nothing to round
        (-5.004, 2, -5.0),
        (-5.005, 2, -4.99),  # a negative number's half goes towards plus infinity ...
        (-5.006, 2, -4.99),  # ... and so does anything from .5 on: not -5.01
        (2.45, 1, 2.5),
        (2.5, 0, 3.0),
    ],
)
def test_tep_round_works_on_the_text_like_the_shop(number, places, rounded) -> None:
    assert ot.tep_round(number, places) == pytest.approx(rounded, abs=1e-12)


def test_order_1_installer_module_order_leaves_the_shipping_vat_out_of_ot_tax() -> None:
    lines = [ot.Line(15.7944, R7, 1, "MwSt 7 %"), ot.Line(37.7731, R19, 1, "MwSt 19 %"),
             ot.Line(0.0, R19, 1, "MwSt 19 %")]  # fmt: skip
    info = ot.cart(lines, 4.90, "Flat Rate (Best Way)", True, 2)
    assert rows(ot.order_total_rows(INSTALLER, info, True, FLAT)) == [
        ("ot_subtotal", "Sub-Total:", D("61.8500")),
        ("ot_tax", "MwSt 7 %:", D("1.1056")),
        ("ot_tax", "MwSt 19 %:", D("7.1769")),
        ("ot_shipping", "Flat Rate (Best Way):", D("5.8310")),
        ("ot_total", "Total:", D("67.6810")),
    ]
    assert ot.stored(info.tax) == D("9.2135")  # 8.2825 of the lines + 0.931 of the shipping


def test_order_4_sorted_module_order_puts_the_shipping_vat_into_ot_tax() -> None:
    helmet = StoredLine(D("50.3361"), D("54.5378"), D("19"), 1, (("+", D("0")), ("+", D("4.2017"))))
    lines = [ot.Line(helmet.cart_price(), R19, 1, "MwSt 19 %"), ot.Line(15.7944, R7, 2, "MwSt 7 %")]
    info = ot.cart(lines, 4.90, "Flat Rate (Best Way)", True, 2)
    assert rows(ot.order_total_rows(SORTED, info, True, FLAT, FEE)) == [
        ("ot_subtotal", "Sub-Total:", D("98.7000")),
        ("ot_shipping", "Flat Rate (Best Way):", D("5.8310")),
        ("ot_tax", "MwSt 19 %:", D("11.2932")),
        ("ot_tax", "MwSt 7 %:", D("2.2112")),
        ("ot_total", "Total:", D("104.5310")),
    ]  # no low order fee: 98.70 is not under 25


def test_order_6_low_order_fee_runs_after_ot_tax_with_its_own_vat() -> None:
    info = ot.cart([ot.Line(3.7731, R19, 1, "MwSt 19 %")], 4.90, "Flat Rate (Best Way)", True, 2)
    assert rows(ot.order_total_rows(SORTED, info, True, FLAT, FEE)) == [
        ("ot_subtotal", "Sub-Total:", D("4.4900")),
        ("ot_shipping", "Flat Rate (Best Way):", D("5.8310")),
        ("ot_tax", "MwSt 19 %:", D("1.6479")),
        ("ot_loworderfee", "Low Order Fee:", D("2.5000")),
        ("ot_total", "Total:", D("12.8210")),
    ]


def test_net_display_adds_the_tax_at_the_end_and_shows_net_shipping() -> None:
    info = ot.cart([ot.Line(20.0, R19, 2, "MwSt 19 %")], 4.90, "Flat Rate", False, 2)
    assert rows(ot.order_total_rows(SORTED, info, False, FLAT, FEE)) == [
        ("ot_subtotal", "Sub-Total:", D("40.0000")),
        ("ot_shipping", "Flat Rate:", D("4.9000")),
        ("ot_tax", "MwSt 19 %:", D("8.5310")),
        ("ot_total", "Total:", D("53.4310")),
    ]


def test_shipping_without_tax_class_and_free_shipping_over_an_amount() -> None:
    untaxed = ot.cart([ot.Line(10.0, R19, 1, "MwSt 19 %")], 5.0, "Flat Rate", True, 2)
    assert rows(ot.order_total_rows(INSTALLER, untaxed, True, Shipping()))[2:] == [
        ("ot_shipping", "Flat Rate:", D("5.0000")),
        ("ot_total", "Total:", D("16.9000")),
    ]
    free = Shipping(R19, "MwSt 19 %", free_over=50.0)
    over = ot.cart([ot.Line(50.0, R19, 1, "MwSt 19 %")], 4.90, "Flat Rate", True, 2)
    assert rows(ot.order_total_rows(SORTED, over, True, free)) == [
        ("ot_subtotal", "Sub-Total:", D("59.5000")),
        ("ot_shipping", "Free Shipping:", D("0.0000")),
        ("ot_tax", "MwSt 19 %:", D("9.5000")),
        ("ot_total", "Total:", D("59.5000")),
    ]


def test_a_discount_line_is_rounded_as_tep_round_does() -> None:
    # a negative line of -4.2017 net: 19 % makes -5.000023, which tep_round keeps at -5.00;
    # -4.2059 net makes -5.005021: tep_round gives -4.99, half away from zero would be -5.01
    info = ot.cart([ot.Line(30.0, R19, 1, "MwSt 19 %"), ot.Line(-4.2059, R19, 1, "MwSt 19 %")],
                   0.0, "", True, 2)  # fmt: skip
    assert ot.stored(info.subtotal) == D("30.7100")  # 35.70 - 4.99


# --- reading the stored rows back ------------------------------------------------------------


def _real_world_orders() -> list[dict]:
    return json.loads(REAL_WORLD.read_text(encoding="utf-8"))["orders"]


def _stored(order: dict) -> tuple[list[StoredLine], list[StoredTotal]]:
    lines = [
        StoredLine(D(str(line["products_price"])), D(str(line["final_price"])), D(str(line["tax"])),
                   line["qty"], tuple((o["prefix"], D(str(o["price"]))) for o in line["options"]))
        for line in order["lines"]
    ]  # fmt: skip
    totals = sorted(order["orders_total"], key=lambda r: r["orders_total_id"])
    return lines, [StoredTotal(r["class"], r["title"], D(str(r["value"]))) for r in totals]


@pytest.mark.parametrize("order", _real_world_orders(), ids=lambda o: f"order{o['orders_id']}")
def test_every_real_world_order_is_consistent_with_its_true_vat(order: dict) -> None:
    totals = explain_totals(*_stored(order), SHOP)
    assert not isinstance(totals, str), totals
    derived = order["derived"]
    assert totals.vat == D(str(derived["vat_total"])).quantize(D("0.0001"))
    assert totals.net == D(str(derived["net_total"])).quantize(D("0.0001"))
    assert (totals.shipping_net, totals.shipping_rate) == (D("4.9000"), D("19.00"))


def test_amounts_of_orders_1_and_6_literally() -> None:
    orders = {o["orders_id"]: o for o in _real_world_orders()}
    one = explain_totals(*_stored(orders[1]), SHOP)
    six = explain_totals(*_stored(orders[6]), SHOP)
    assert (one.gross, one.vat, one.net, one.fee_net) == (D("67.681"), D("9.2135"), D("58.4675"), None)
    assert (six.gross, six.vat, six.net) == (D("12.821"), D("2.0471"), D("10.7739"))
    assert (six.fee_net, six.fee_rate, six.fee_title) == (D("2.1008"), D("19.00"), "Low Order Fee")


def test_the_display_setting_and_the_shipping_tax_come_from_the_rows() -> None:
    orders = {o["orders_id"]: o for o in _real_world_orders()}
    # the shop says net display and untaxed shipping now; order 4's rows still show gross
    # display and the shipping VAT in ot_tax (the shop's 19 % found among its rates)
    changed = TotalsSettings(False, 2, (), None, TaxChoice(0.0), (TaxChoice(R7), TaxChoice(R19)))
    four = explain_totals(*_stored(orders[4]), changed)
    assert (four.with_tax, four.vat, four.shipping_net, four.shipping_rate) == (
        True, D("13.5044"), D("4.9000"), D("19.00"))  # fmt: skip
    # where the rows cannot tell (a fee written after ot_tax), the configuration decides
    six = explain_totals(*_stored(orders[6]), changed)
    assert (six.vat, six.fee_net, six.fee_rate) == (D("1.6479"), D("2.5000"), D("0.00"))
    configured = TotalsSettings(False, 2, (), 2.1008, TaxChoice(R19), (TaxChoice(R19),))
    six = explain_totals(*_stored(orders[6]), configured)
    assert (six.vat, six.fee_net, six.fee_rate) == (D("2.0471"), D("2.1008"), D("19.00"))


def test_rows_the_modules_would_not_write_are_not_consistent() -> None:
    orders = {o["orders_id"]: o for o in _real_world_orders()}
    lines, totals = _stored(orders[1])
    assert explain_totals([], totals, SHOP) == "the order has no lines"
    coupon = [*totals[:-1], StoredTotal("ot_coupon", "Gutschein:", D("-5")), totals[-1]]
    assert explain_totals(lines, coupon, SHOP) == "order total class ot_coupon is not known"
    off_by_a_cent = [*totals[:-1], StoredTotal("ot_total", "Total:", D("67.6910"))]
    assert explain_totals(lines, off_by_a_cent, SHOP) == (
        "the order's totals are not what the shop's order total modules make of its lines"
    )
    # a line of 0.00 missing changes no amount: the totals alone cannot tell (see readiness)
    assert not isinstance(explain_totals(lines[:2], totals, SHOP), str)


def test_an_option_row_still_missing_shows_in_the_line() -> None:
    orders = {o["orders_id"]: o for o in _real_world_orders()}
    lines, _ = _stored(orders[15])
    bottle = lines[1]  # FW-1003 x2, Edelstahl + 2.5126: final 9.9916
    assert bottle.options_add_up
    half = StoredLine(bottle.products_price, bottle.final_price, bottle.tax, bottle.quantity, ())
    assert not half.options_add_up
    minus = StoredLine(D("37.7731"), D("33.5714"), D("19"), 1, (("-", D("4.2017")),))
    assert minus.options_add_up
