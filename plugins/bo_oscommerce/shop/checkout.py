"""Orders written into a shop the way osCommerce 2.3's ``checkout_process.php`` writes them:
for the demo, the tests and the benchmark (the sync itself never writes orders).

The rows follow the shop's own rules and settings, read from the shop (``read_rules``): the
customer's default address copied into customers_*, delivery_* and billing_*, the country
as its name; each line's tax rate from its tax class where the order goes; the totals as
``order.php`` and the installed order total modules compute them
(``transform/order_totals.py``: taxed shipping, low order fee, free shipping, in the shop's
module order); the buyer's history row; the stock taken off; the buyer's basket emptied
last. ``write_orders`` writes many in one transaction; ``write_order_slowly`` writes one
statement by statement, as the shop does (no transaction), pausing after each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.dialect import insert_rows, shop_now
from bo_oscommerce.shop.orders import read_rules
from bo_oscommerce.transform import order_totals as ot
from bo_oscommerce.transform.orders import ShopRules


@dataclass(frozen=True)
class Line:
    products_id: int
    quantity: int
    options: tuple[tuple[str, str, Decimal], ...] = ()  # (option, value, price; < 0: "-")


@dataclass(frozen=True)
class Checkout:
    customers_id: int
    lines: tuple[Line, ...]
    purchased: datetime | None = None  # None: the shop's now(), as the checkout writes it
    comment: str = ""
    with_tax: bool | None = None  # DISPLAY_PRICE_WITH_TAX at the time (None: the shop's now)
    language_id: int = 2
    shipping: tuple[str, Decimal] | None = None  # title, net cost (None: the shop's flat rate)
    status: int | None = None  # None: DEFAULT_ORDERS_STATUS_ID
    currency: str = "EUR"
    payment: str = "Cash on Delivery"


@dataclass
class _Setting:
    rules: ShopRules
    config: dict[str, str]
    now: datetime

    def flag(self, key: str) -> bool:
        return self.config.get(key, "").lower() == "true"

    def number(self, key: str, default: float | None = None) -> float | None:
        try:
            return float(self.config[key])
        except (KeyError, ValueError):
            return default


def _setting(conn: sa.Connection) -> _Setting:
    c = t.configuration.c
    config = {
        str(k): str(v)
        for k, v in conn.execute(sa.select(c.configuration_key, c.configuration_value))
    }
    return _Setting(read_rules(conn), config, shop_now(conn))


def _buyer(conn: sa.Connection, customers_id: int) -> Any:
    c, a, co = t.customers.c, t.address_book.c, t.countries.c
    z = t.zones.c
    return conn.execute(
        sa.select(
            c.customers_firstname, c.customers_lastname, c.customers_telephone,
            c.customers_email_address, a.entry_company, a.entry_street_address, a.entry_suburb,
            a.entry_city, a.entry_postcode, a.entry_state, a.entry_country_id, a.entry_zone_id,
            co.countries_name, co.address_format_id, z.zone_name,
        )
        .select_from(
            t.customers.join(t.address_book, a.address_book_id == c.customers_default_address_id)
            .join(t.countries, co.countries_id == a.entry_country_id)
            .outerjoin(t.zones, z.zone_id == a.entry_zone_id)
        )
        .where(c.customers_id == customers_id)
    ).one()  # fmt: skip


def _header(buyer: Any, order: Checkout, orders_id: int, when: datetime, status: int) -> dict:
    name = f"{buyer.customers_firstname} {buyer.customers_lastname}"
    address = {
        "company": buyer.entry_company or "",
        "street_address": buyer.entry_street_address,
        "suburb": buyer.entry_suburb or "",
        "city": buyer.entry_city,
        "postcode": buyer.entry_postcode,
        "state": buyer.entry_state or buyer.zone_name or "",
        "country": buyer.countries_name,
        "address_format_id": buyer.address_format_id,
    }
    header = {"orders_id": orders_id, "customers_id": order.customers_id, "customers_name": name}
    for prefix in ("customers", "delivery", "billing"):
        if prefix != "customers":
            header[f"{prefix}_name"] = name
        header.update({f"{prefix}_{key}": value for key, value in address.items()})
    header.update(
        customers_telephone=buyer.customers_telephone,
        customers_email_address=buyer.customers_email_address,
        payment_method=order.payment, cc_type="", cc_owner="", cc_number="", cc_expires="",
        date_purchased=when, orders_status=status, currency=order.currency,
        currency_value=Decimal("1.000000"),
    )  # fmt: skip
    return header


def _lines(
    conn: sa.Connection, order: Checkout, setting: _Setting, country: int, zone: int
) -> list[dict]:
    p, d = t.products.c, t.products_description.c
    rows = []
    for line in order.lines:
        product = conn.execute(
            sa.select(p.products_model, p.products_price, p.products_tax_class_id, d.products_name)
            .join(t.products_description, d.products_id == p.products_id)
            .where(p.products_id == line.products_id, d.language_id == order.language_id)
        ).one()
        tax = setting.rules.tax.choice(int(product.products_tax_class_id), country, zone)
        price = Decimal(str(product.products_price))
        options = [(o, v, abs(x), "+" if x >= 0 else "-") for o, v, x in line.options]
        stored = ot.StoredLine(price, price, Decimal(0), line.quantity,
                               tuple((prefix, x) for _, _, x, prefix in options))  # fmt: skip
        rows.append(
            {"products_id": line.products_id, "products_model": product.products_model,
             "products_name": product.products_name, "products_price": price,
             "final_price": ot.stored(stored.cart_price()),
             "products_tax": Decimal(ot.php_str(tax.rate)), "products_quantity": line.quantity,
             "options": options, "cart": ot.Line(stored.cart_price(), tax.rate, line.quantity,
                                                 tax.group)}
        )  # fmt: skip
    return rows


def _totals(order: Checkout, lines: list[dict], setting: _Setting, country: int, zone: int
            ) -> list[ot.Row]:  # fmt: skip
    rules = setting.rules
    with_tax = rules.with_tax if order.with_tax is None else order.with_tax
    title, cost = order.shipping or (
        "Flat Rate (Best Way)",
        Decimal(setting.config.get("MODULE_SHIPPING_FLAT_COST", "5.00")),
    )
    info = ot.cart([line["cart"] for line in lines], float(cost), title, with_tax,
                   rules.places.get(order.currency, 2))  # fmt: skip
    store = int(setting.number("STORE_COUNTRY", 0) or 0)

    def applies(key: str, default: str) -> bool:
        where = setting.config.get(key, default)
        return where == "both" or (where == "national") == (country == store)

    shipping_tax = (
        rules.tax.choice(rules.shipping_tax_classes[0], country, zone)
        if rules.shipping_tax_classes
        else ot.NO_TAX
    )
    free = setting.flag("MODULE_ORDER_TOTAL_SHIPPING_FREE_SHIPPING") and applies(
        "MODULE_ORDER_TOTAL_SHIPPING_DESTINATION", "national"
    )
    shipping = ot.Shipping(
        shipping_tax.rate,
        shipping_tax.group,
        setting.number("MODULE_ORDER_TOTAL_SHIPPING_FREE_SHIPPING_OVER") if free else None,
    )
    fee = None
    if rules.fee is not None and applies("MODULE_ORDER_TOTAL_LOWORDERFEE_DESTINATION", "both"):
        fee_tax = rules.tax.choice(rules.fee_tax_class, country, zone)
        under = setting.number("MODULE_ORDER_TOTAL_LOWORDERFEE_ORDER_UNDER", 50.0)
        fee = ot.LowOrderFee(rules.fee, fee_tax.rate, fee_tax.group, under)
    modules = [
        m.rsplit(".", 1)[0]
        for m in setting.config.get(
            "MODULE_ORDER_TOTAL_INSTALLED",
            "ot_subtotal.php;ot_tax.php;ot_shipping.php;ot_total.php",
        ).split(";")
        if m.strip()
    ]
    return ot.order_total_rows(modules, info, with_tax, shipping, fee)


def _money(value: Decimal, currency: Any) -> str:
    """``$currencies->format``: the shop's symbols and separators for the currency."""
    places = int(currency.decimal_places or 2)
    number = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(number):,.{places}f}".partition(".")
    text = whole.replace(",", currency.thousands_point or "")
    text += (currency.decimal_point or ".") + fraction if places else ""
    sign = "-" if number < 0 else ""
    return f"{sign}{currency.symbol_left or ''}{text}{currency.symbol_right or ''}"


def _order_rows(
    conn: sa.Connection, order: Checkout, orders_id: int, setting: _Setting
) -> dict[str, Any]:
    buyer = _buyer(conn, order.customers_id)
    country, zone = int(buyer.entry_country_id), int(buyer.entry_zone_id or 0)
    status = order.status or int(setting.number("DEFAULT_ORDERS_STATUS_ID", 1) or 1)
    when = order.purchased or setting.now
    lines = _lines(conn, order, setting, country, zone)
    cu = t.currencies.c
    currency = conn.execute(sa.select(cu).where(cu.code == order.currency)).first()
    totals = []
    for row in _totals(order, lines, setting, country, zone):
        value = ot.stored(row.value)
        text = _money(value, currency) if currency is not None else f"{value:.2f}"
        totals.append(
            {"orders_id": orders_id, "title": row.title, "value": value, "class": row.cls,
             "text": f"<strong>{text}</strong>" if row.cls == "ot_total" else text,
             "sort_order": {"ot_subtotal": 1, "ot_shipping": 2, "ot_tax": 3}.get(row.cls, 4)}
        )  # fmt: skip
    history = {"orders_id": orders_id, "orders_status_id": status, "date_added": when,
               "customer_notified": 0, "comments": order.comment}  # fmt: skip
    return {
        "orders": [_header(buyer, order, orders_id, when, status)],
        "orders_total": totals,
        "orders_status_history": [history],
        "orders_products": [{**line, "orders_id": orders_id} for line in lines],
    }


def _next_id(conn: sa.Connection, column: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar_one()) + 1


def _attribute_rows(orders_id: int, line_id: int, options: list) -> list[dict]:
    return [
        {"orders_id": orders_id, "orders_products_id": line_id, "products_options": o,
         "products_options_values": v, "options_values_price": x, "price_prefix": prefix}
        for o, v, x, prefix in options
    ]  # fmt: skip


def _take_stock(conn: sa.Connection, products_id: int, quantity: int) -> None:
    p = t.products.c
    conn.execute(
        sa.update(t.products)
        .where(p.products_id == products_id)
        .values(
            products_quantity=p.products_quantity - quantity,
            products_ordered=p.products_ordered + quantity,
        )
    )


def _empty_basket(conn: sa.Connection, customers_id: int) -> None:
    """``$cart->reset(true)``: the last thing the checkout writes."""
    for table in (t.customers_basket, t.customers_basket_attributes):
        conn.execute(sa.delete(table).where(table.c.customers_id == customers_id))


def write_orders(engine: sa.Engine, orders: Sequence[Checkout]) -> list[int]:
    """Write ``orders`` in one transaction (fast; for the demo and the benchmark)."""
    with engine.begin() as conn:
        setting = _setting(conn)
        first = _next_id(conn, t.orders.c.orders_id)
        next_line = _next_id(conn, t.orders_products.c.orders_products_id)
        tables: dict[str, list[dict]] = {
            "orders": [], "orders_total": [], "orders_status_history": [],
            "orders_products": [], "orders_products_attributes": [],
        }  # fmt: skip
        stock: dict[int, int] = {}
        for number, order in enumerate(orders):
            rows = _order_rows(conn, order, first + number, setting)
            for name in ("orders", "orders_total", "orders_status_history"):
                tables[name] += rows[name]
            for line in rows["orders_products"]:
                options = line.pop("options")
                line.pop("cart")
                line["orders_products_id"] = next_line
                tables["orders_products"].append(line)
                tables["orders_products_attributes"] += _attribute_rows(
                    line["orders_id"], next_line, options
                )
                pid = line["products_id"]
                stock[pid] = stock.get(pid, 0) + line["products_quantity"]
                next_line += 1
        for name, rows in tables.items():
            insert_rows(conn, t.metadata.tables[name], pd.DataFrame(rows))
        for pid, quantity in stock.items():
            _take_stock(conn, pid, quantity)
        for customers_id in {o.customers_id for o in orders}:
            _empty_basket(conn, customers_id)
    return list(range(first, first + len(orders)))


def fill_basket(engine: sa.Engine, order: Checkout, day: str) -> None:
    """The buyer's basket as the storefront keeps it while the buyer checks out."""
    with engine.begin() as conn:
        for line in order.lines:
            conn.execute(
                sa.insert(t.customers_basket).values(
                    customers_id=order.customers_id, products_id=str(line.products_id),
                    customers_basket_quantity=line.quantity, customers_basket_date_added=day,
                )
            )  # fmt: skip


def write_order_slowly(engine: sa.Engine, order: Checkout, pause: Callable[[str], None]) -> int:
    """One order, statement by statement without a transaction, in checkout_process.php's
    order (orders, each orders_total row, orders_status_history, then per line: stock,
    orders_products, each of its orders_products_attributes; last the basket emptied), with
    the buyer's basket filled first; ``pause(step)`` runs after each statement."""
    with engine.connect() as reader:
        setting = _setting(reader)
        orders_id = _next_id(reader, t.orders.c.orders_id)
        rows = _order_rows(reader, order, orders_id, setting)
    fill_basket(engine, order, (order.purchased or setting.now).strftime("%Y%m%d"))
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        conn.execute(sa.insert(t.orders), rows["orders"])
        pause("orders")
        for total in rows["orders_total"]:
            conn.execute(sa.insert(t.orders_total), [total])
            pause(f"orders_total {total['class']}")
        conn.execute(sa.insert(t.orders_status_history), rows["orders_status_history"])
        pause("orders_status_history")
        for line in rows["orders_products"]:
            options = line.pop("options")
            line.pop("cart")
            _take_stock(conn, line["products_id"], line["products_quantity"])
            pause(f"stock {line['products_id']}")
            line_id = conn.execute(
                sa.insert(t.orders_products).values(**line)
            ).inserted_primary_key[0]
            pause(f"orders_products {line['products_id']}")
            for attribute in _attribute_rows(orders_id, line_id, options):
                conn.execute(sa.insert(t.orders_products_attributes), [attribute])
                pause(f"orders_products_attributes {attribute['products_options_values']}")
        _empty_basket(conn, order.customers_id)
        pause("customers_basket")
    return orders_id
