"""Shop orders -> BO Auftraege, as pure pandas and Decimal arithmetic.

An order is importable when its lines add up to its totals under the shop's own rules
(``includes/classes/order.php``, ``currencies.php``):

- prices shown with tax (``DISPLAY_PRICE_WITH_TAX``): a line is the gross unit price rounded to
  the currency's decimals, times the quantity; ``ot_subtotal`` is the sum of those gross lines,
  ``ot_tax`` the tax contained in them, ``ot_total`` = subtotal + shipping + fees;
- prices shown net: a line is the net unit price rounded, times the quantity; ``ot_tax`` is
  rate x line, ``ot_total`` = subtotal + tax + shipping + fees, stored unrounded.

Which rule applied is read from the rows (the setting may have changed since), not assumed.
osCommerce writes an order row by row without a transaction, so an order whose lines do not
add up yet may still be being written: it waits for the next run, and is set aside only after
the tenant's grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

KNOWN_TOTALS = {"ot_subtotal", "ot_tax", "ot_shipping", "ot_total", "ot_loworderfee"}
FEES = ("ot_shipping", "ot_loworderfee")
TOLERANCE = Decimal("0.0002")  # the shop stores totals with 4 decimals


def shop_round(value: Decimal, places: int = 2) -> Decimal:
    """``tep_round``: half up to the currency's decimal places."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Verdict:
    """Whether an order can be imported: ``complete`` or the ``reason`` it cannot (yet)."""

    complete: bool
    reason: str = ""
    with_tax: bool | None = None  # the display rule the totals follow
    tax: Decimal = Decimal(0)


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def check_totals(lines: pd.DataFrame, totals: pd.DataFrame, places: int = 2) -> Verdict:
    """Do an order's lines (``final_price``, ``products_tax``, ``products_quantity``) add up
    to its totals (``class``, ``value``)?"""
    return verdict(
        list(
            zip(
                lines["final_price"], lines["products_tax"], lines["products_quantity"], strict=True
            )
        ),
        totals_by_class(totals["class"], totals["value"]),
        places,
    )


def totals_by_class(classes: object, values: object) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for cls, value in zip(classes, values, strict=True):
        out[str(cls)] = out.get(str(cls), Decimal(0)) + _dec(value)
    return out


def verdict(
    lines: list[tuple[object, object, object]], by_class: dict[str, Decimal], places: int = 2
) -> Verdict:
    """``check_totals`` on plain values: lines as (final_price, tax rate, quantity), totals
    summed per class."""
    if not lines:
        return Verdict(False, "the order has no lines")
    if "ot_subtotal" not in by_class or "ot_total" not in by_class:
        return Verdict(False, "the order's totals (ot_subtotal, ot_total) are missing")
    unknown = sorted(set(by_class) - KNOWN_TOTALS)
    if unknown:
        return Verdict(False, f"order total class {', '.join(unknown)} is not known")
    fees = sum((by_class.get(c, Decimal(0)) for c in FEES), Decimal(0))
    tax_rows = by_class.get("ot_tax", Decimal(0))
    for with_tax in (True, False):
        subtotal, tax = Decimal(0), Decimal(0)
        for final, rate, qty in lines:
            final, rate = _dec(final), _dec(rate)
            factor = 1 + rate / 100
            unit = shop_round(final * factor if with_tax and rate > 0 else final, places)
            line = unit * int(qty)
            subtotal += line
            tax += (line - line / factor) if with_tax else rate / 100 * line
        total = subtotal + fees + (Decimal(0) if with_tax else tax)
        if (
            abs(subtotal - by_class["ot_subtotal"]) <= TOLERANCE
            and abs(tax - tax_rows) <= TOLERANCE * max(1, len(lines))
            and abs(total - by_class["ot_total"]) <= TOLERANCE * max(1, len(lines))
        ):
            return Verdict(True, with_tax=with_tax, tax=tax_rows)
    return Verdict(False, "the order's lines do not add up to its totals")


def position_texts(lines: pd.DataFrame, attributes: pd.DataFrame) -> pd.Series:
    """A position's text: the product name with the chosen options, e.g.
    ``Holzschrauben (Farbe: Blau)``."""
    chosen = (
        attributes.assign(
            text=attributes["products_options"].astype(str)
            + ": "
            + attributes["products_options_values"].astype(str)
        )
        .groupby("orders_products_id")["text"]
        .agg(", ".join)
    )
    options = lines["orders_products_id"].map(chosen)
    return (
        lines["products_name"]
        .astype(str)
        .where(
            options.isna(), lines["products_name"].astype(str) + " (" + options.astype(str) + ")"
        )
    )


def split_name(full: object) -> tuple[str, str]:
    """A name the shop wrote as one ("first last") as (first name, last name)."""
    text = " ".join(str(full or "").split())
    first, _, last = text.rpartition(" ")
    return (first, last) if first else ("", last)
