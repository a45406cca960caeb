"""osCommerce 2.3.4.1's order totals, as the shop's PHP computes them.

``order.php`` (``cart()``) adds up the lines; then each order-total module in the order of
``MODULE_ORDER_TOTAL_INSTALLED`` changes ``$order->info`` and writes its rows:
``ot_subtotal``, ``ot_shipping`` (shipping VAT into the tax, the tax group and the total; with
prices shown with tax also into the shipping row; free shipping over an amount),
``ot_loworderfee`` (fee and its VAT into the total, its VAT into the tax group), ``ot_tax``
(one row per tax group, as the groups stand when it runs: installed before ``ot_shipping`` it
leaves the shipping VAT out) and ``ot_total``.

The shop computes with PHP floats and rounds with ``tep_round``, which works on the number's
text (PHP's 14 significant digits) and rounds a negative number's last digit towards plus
infinity (``tep_round(-5.006, 2)`` is -4.99). ``checkout_process.php`` writes each value as
that text into a ``DECIMAL(15,4)`` column. Everything here does the same, step by step, so
that the rows it makes equal the rows the shop wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FOUR = Decimal("0.0001")
TOLERANCE = FOUR  # one unit of the last place a DECIMAL(15,4) column keeps


def php_str(number: float) -> str:
    """PHP's ``(string)$float`` (``precision`` 14): 14 significant digits, no trailing zeros."""
    if number == 0:
        return "0"
    text = format(number, ".14G")
    if "E" in text:
        mantissa, exponent = text.split("E")
        mantissa = mantissa if "." in mantissa else mantissa + ".0"
        return f"{mantissa}E{'+' if int(exponent) > 0 else '-'}{abs(int(exponent))}"
    return text


def stored(number: float) -> Decimal:
    """What a ``DECIMAL(15,4)`` column keeps of a PHP float written as text."""
    return Decimal(php_str(number)).quantize(FOUR, rounding=ROUND_HALF_UP)


def tep_round(number: float, precision: int) -> float:
    """``tep_round`` (``includes/functions/general.php``): cut the text after one digit more
    than ``precision``; if that digit is 5 or more, add one unit of the last place."""
    text = php_str(number)
    point = text.find(".")
    if point <= 0 or "E" in text or len(text) - point - 1 <= precision:
        return float(text)
    text = text[: point + 1 + precision + 1]
    if int(text[-1]) >= 5:
        return float(text[:-1]) + float("0." + "0" * (precision - 1) + "1" if precision else 1)
    return float(text[:-1])


def php_rate(rate: float) -> float:
    """The rate as ``tep_get_tax_rate`` hands it out: ``((1.0 * (1 + r/100)) - 1.0) * 100``
    (19 becomes 18.999999999999996)."""
    return ((1.0 * (1.0 + rate / 100)) - 1.0) * 100 if rate else 0.0


def calculate_tax(price: float, rate: float) -> float:
    """``tep_calculate_tax``."""
    return price * rate / 100


def add_tax(price: float, rate: float, with_tax: bool) -> float:
    """``tep_add_tax``: the price shown, with tax where the shop shows prices with tax."""
    return price + calculate_tax(price, rate) if with_tax and rate > 0 else price


def _divisor(rate: float) -> float:
    """``order.php``'s divisor for the tax in a gross price, built as text: 19 -> "1.19",
    7 -> "1.07", 7.5 -> "1.075"."""
    digits = php_str(rate).replace(".", "")
    return float(("1.0" if rate < 10 else "1.") + digits)


@dataclass(frozen=True)
class Line:
    """An order line as the cart hands it to ``order.php``."""

    final_price: float  # net unit price with its options
    rate: float  # tax rate in percent, as tep_get_tax_rate returns it
    quantity: int
    group: str  # the tax group (the rate's description in the shop)


@dataclass
class Info:
    """``$order->info`` as the order-total modules change it."""

    subtotal: float = 0.0
    tax: float = 0.0
    tax_groups: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    shipping_cost: float = 0.0
    shipping_method: str = ""

    def add_tax(self, group: str, amount: float) -> None:
        self.tax += amount
        self.tax_groups[group] = self.tax_groups.get(group, 0) + amount


@dataclass(frozen=True)
class Row:
    """One ``orders_total`` row as a module outputs it (``value`` still a PHP float)."""

    cls: str
    title: str
    value: float


def cart(
    lines: Sequence[Line], shipping_cost: float, shipping_method: str, with_tax: bool, places: int
) -> Info:
    """``order::cart()``: subtotal, tax, tax groups and total before the modules run."""
    info = Info(shipping_cost=shipping_cost, shipping_method=shipping_method)
    for line in lines:
        shown = tep_round(add_tax(line.final_price, line.rate, with_tax), places) * line.quantity
        info.subtotal += shown
        if with_tax:
            info.add_tax(line.group, shown - shown / _divisor(line.rate))
        else:
            info.add_tax(line.group, line.rate / 100 * shown)
    if with_tax:
        info.total = info.subtotal + info.shipping_cost
    else:
        info.total = info.subtotal + info.tax + info.shipping_cost
    return info


@dataclass(frozen=True)
class Shipping:
    """The shipping module's tax and ``ot_shipping``'s free-shipping settings."""

    rate: float = 0.0  # the module's tax class in the delivery zone (0: none)
    group: str = ""
    free_over: float | None = None  # MODULE_ORDER_TOTAL_SHIPPING_FREE_SHIPPING(_OVER), if on
    free_title: str = "Free Shipping"


@dataclass(frozen=True)
class LowOrderFee:
    """``ot_loworderfee``'s settings (``under`` None: the order qualifies)."""

    fee: float
    rate: float = 0.0
    group: str = ""
    under: float | None = None
    title: str = "Low Order Fee"


def ot_subtotal(info: Info) -> list[Row]:
    return [Row("ot_subtotal", "Sub-Total:", info.subtotal)]


def ot_shipping(info: Info, shipping: Shipping, with_tax: bool) -> list[Row]:
    if shipping.free_over is not None and info.total - info.shipping_cost >= shipping.free_over:
        info.shipping_method = shipping.free_title
        info.total -= info.shipping_cost
        info.shipping_cost = 0.0
    if not info.shipping_method:
        return []
    if shipping.rate > 0:
        tax = calculate_tax(info.shipping_cost, shipping.rate)
        info.add_tax(shipping.group, tax)
        info.total += tax
        if with_tax:
            info.shipping_cost += tax
    return [Row("ot_shipping", f"{info.shipping_method}:", info.shipping_cost)]


def ot_loworderfee(info: Info, fee: LowOrderFee, with_tax: bool) -> list[Row]:
    if fee.under is not None and not info.total - info.shipping_cost < fee.under:
        return []
    tax = calculate_tax(fee.fee, fee.rate)
    info.add_tax(fee.group, tax)
    info.total += fee.fee + tax
    return [Row("ot_loworderfee", f"{fee.title}:", add_tax(fee.fee, fee.rate, with_tax))]


def ot_tax(info: Info) -> list[Row]:
    return [Row("ot_tax", f"{g}:", v) for g, v in info.tax_groups.items() if v > 0]


def ot_total(info: Info) -> list[Row]:
    return [Row("ot_total", "Total:", info.total)]


MODULES = ("ot_subtotal", "ot_shipping", "ot_tax", "ot_loworderfee", "ot_total")


def order_total_rows(
    modules: Sequence[str],
    info: Info,
    with_tax: bool,
    shipping: Shipping | None = None,
    fee: LowOrderFee | None = None,
) -> list[Row]:
    """Run the modules in the shop's order (``MODULE_ORDER_TOTAL_INSTALLED``) on ``info``;
    returns their rows as ``checkout_process.php`` writes them. A module without settings
    (no ``fee``) writes nothing."""
    rows: list[Row] = []
    for module in modules:
        if module == "ot_subtotal":
            rows += ot_subtotal(info)
        elif module == "ot_shipping":
            rows += ot_shipping(info, shipping or Shipping(), with_tax)
        elif module == "ot_tax":
            rows += ot_tax(info)
        elif module == "ot_loworderfee" and fee is not None:
            rows += ot_loworderfee(info, fee, with_tax)
        elif module == "ot_total":
            rows += ot_total(info)
        elif module not in MODULES:
            raise ValueError(f"order total module {module!r} is not known")
    return rows


# --- reading an order's stored rows back -----------------------------------------------------


@dataclass(frozen=True)
class StoredLine:
    """An ``orders_products`` row with its ``orders_products_attributes`` (prefix, price)."""

    products_price: Decimal
    final_price: Decimal
    tax: Decimal
    quantity: int
    options: tuple[tuple[str, Decimal], ...] = ()

    def cart_price(self) -> float:
        """``final_price`` as the cart computed it: the price plus or minus each option's
        price (``shopping_cart::attributes_price``: any prefix but "+" subtracts)."""
        options = 0.0
        for prefix, price in self.options:
            options = options + float(price) if prefix == "+" else options - float(price)
        return float(self.products_price) + options

    @property
    def options_add_up(self) -> bool:
        """Its option rows account for the difference between price and final price (a line
        read before its option rows are written does not)."""
        return abs(stored(self.cart_price()) - self.final_price) <= TOLERANCE


@dataclass(frozen=True)
class StoredTotal:
    """An ``orders_total`` row (in the order the shop wrote them: by ``orders_total_id``)."""

    cls: str
    title: str
    value: Decimal


@dataclass(frozen=True)
class TaxChoice:
    """A tax rate the shop may have applied (``rate`` as tep_get_tax_rate hands it out)."""

    rate: float
    group: str = ""

    @property
    def percent(self) -> Decimal:
        return Decimal(php_str(self.rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


NO_TAX = TaxChoice(0.0)


@dataclass(frozen=True)
class TotalsSettings:
    """What the shop's configuration says about one order's totals: each is tried first,
    the order's rows decide (settings change; the rows stay as they were written)."""

    with_tax: bool = True  # DISPLAY_PRICE_WITH_TAX now
    places: int = 2  # the order currency's decimal places
    shipping: tuple[TaxChoice, ...] = ()  # the shipping modules' tax in the delivery zone
    fee: float | None = None  # MODULE_ORDER_TOTAL_LOWORDERFEE_FEE
    fee_tax: TaxChoice = NO_TAX  # its tax class in the delivery zone
    rates: tuple[TaxChoice, ...] = ()  # every rate of the shop there: tried last


@dataclass(frozen=True)
class Totals:
    """An order's amounts as the buyer paid them, split the way a bookkeeper needs them."""

    gross: Decimal  # ot_total
    vat: Decimal  # lines + shipping + fee, whether or not the ot_tax rows show it
    net: Decimal
    shipping_net: Decimal
    shipping_rate: Decimal
    fee_net: Decimal | None
    fee_rate: Decimal
    fee_title: str
    with_tax: bool


KNOWN = frozenset(MODULES)


def _sequences(stored_rows: Sequence[StoredTotal]) -> list[list[str]]:
    """The module order the rows were written in; where ``ot_tax`` wrote no row, every place
    it may have run in, and not at all."""
    order: list[str] = []
    for row in stored_rows:
        if not order or order[-1] != row.cls:
            order.append(row.cls)
    if "ot_tax" in order:
        return [order]
    places = [order[:i] + ["ot_tax"] + order[i:] for i in range(1, len(order) + 1)]
    return [*places, order]


def _inverse(value: Decimal, tax: TaxChoice, with_tax: bool) -> float:
    """The net amount a module started from, given the value it wrote."""
    if with_tax and tax.rate > 0:
        return float((value / Decimal(str(1 + tax.rate / 100))).quantize(FOUR))
    return float(value)


def _matches(expected: Sequence[Row], rows: Sequence[StoredTotal]) -> bool:
    return len(expected) == len(rows) and all(
        e.cls == r.cls and abs(stored(e.value) - r.value) <= TOLERANCE
        for e, r in zip(expected, rows, strict=True)
    )


def _choices(tried: Sequence[TaxChoice], settings: TotalsSettings) -> list[TaxChoice]:
    """The configured rates first, then none, then any other rate the shop has there."""
    return list(dict.fromkeys(TaxChoice(c.rate) for c in [*tried, NO_TAX, *settings.rates]))


def explain_totals(
    lines: Sequence[StoredLine], rows: Sequence[StoredTotal], settings: TotalsSettings
) -> Totals | str:
    """The order's amounts if its rows are what the shop's modules make of its lines (under
    some display setting, shipping and fee tax the shop's configuration allows), else why
    not."""
    if not lines:
        return "the order has no lines"
    unknown = sorted({r.cls for r in rows} - KNOWN)
    if unknown:
        return f"order total class {', '.join(unknown)} is not known"
    classes = {r.cls for r in rows}
    if not {"ot_subtotal", "ot_total"} <= classes:
        return "the order's totals (ot_subtotal, ot_total) are missing"
    shipping_row = next((r for r in rows if r.cls == "ot_shipping"), None)
    fee_row = next((r for r in rows if r.cls == "ot_loworderfee"), None)
    for with_tax in (settings.with_tax, not settings.with_tax):
        cart_lines = [
            Line(
                line.cart_price() if line.options_add_up else float(line.final_price),
                php_rate(float(line.tax)),
                int(line.quantity),
                php_str(php_rate(float(line.tax))),
            )
            for line in lines
        ]
        for ship_tax in _choices(settings.shipping, settings) if shipping_row else [NO_TAX]:
            ship_net = _inverse(shipping_row.value, ship_tax, with_tax) if shipping_row else 0.0
            shipping = Shipping(ship_tax.rate, php_str(ship_tax.rate))
            for fee in _fees(fee_row, settings, with_tax):
                for modules in _sequences(rows):
                    info = cart(cart_lines, ship_net, "x" if shipping_row else "", with_tax,
                                settings.places)  # fmt: skip
                    expected = order_total_rows(modules, info, with_tax, shipping, fee)
                    if _matches(expected, rows):
                        return _totals(rows, expected, info, ship_net, ship_tax, fee, fee_row,
                                       with_tax)  # fmt: skip
    return "the order's totals are not what the shop's order total modules make of its lines"


def _fees(
    row: StoredTotal | None, settings: TotalsSettings, with_tax: bool
) -> list[LowOrderFee | None]:
    if row is None:
        return [None]
    fees = []
    if settings.fee is not None:
        tax = settings.fee_tax
        fees.append(LowOrderFee(settings.fee, tax.rate, php_str(tax.rate)))
    for tax in _choices([settings.fee_tax], settings):
        fees.append(LowOrderFee(_inverse(row.value, tax, with_tax), tax.rate, php_str(tax.rate)))
    return fees


def _totals(
    rows: Sequence[StoredTotal],
    expected: Sequence[Row],
    info: Info,
    ship_net: float,
    ship_tax: TaxChoice,
    fee: LowOrderFee | None,
    fee_row: StoredTotal | None,
    with_tax: bool,
) -> Totals:
    tax_rows = [r for r in rows if r.cls == "ot_tax"]
    shown = sum((e.value for e in expected if e.cls == "ot_tax"), 0.0)
    vat = sum((r.value for r in tax_rows), Decimal(0)) + stored(info.tax - shown)
    gross = next(r.value for r in rows if r.cls == "ot_total")
    return Totals(
        gross=gross,
        vat=vat,
        net=gross - vat,
        shipping_net=stored(ship_net),
        shipping_rate=ship_tax.percent,
        fee_net=stored(fee.fee) if fee else None,
        fee_rate=TaxChoice(fee.rate).percent if fee else Decimal(0),
        fee_title=fee_row.title.rstrip(":").strip() if fee_row else "",
        with_tax=with_tax,
    )
