"""Orders written into a shop the way osCommerce 2.3's ``checkout_process.php`` writes them:
for the demo, the tests and the benchmark (the sync itself never writes orders).

The rows follow the shop's own rules, with ``shop-with-orders.sql`` as the model: the
customer's default address copied into customers_*, delivery_* and billing_*, the country as
its English name; net ``final_price`` and the tax rate in percent per line; totals as
``order.php`` computes them (see ``transform/orders.py``); one status history row with the
customer's comment; the stock taken off per product. ``write_orders`` writes many in one
transaction; ``write_order_slowly`` writes one statement by statement, as the shop does
(no transaction), pausing between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.dialect import insert_rows
from bo_oscommerce.transform.orders import shop_round

FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class Line:
    products_id: int
    quantity: int
    options: tuple[tuple[str, str, Decimal], ...] = ()  # (option, value, price added)


@dataclass(frozen=True)
class Checkout:
    customers_id: int
    lines: tuple[Line, ...]
    purchased: datetime
    comment: str = ""
    with_tax: bool = True  # DISPLAY_PRICE_WITH_TAX at the time of the order
    language_id: int = 2
    shipping: tuple[str, Decimal] = ("Flat Rate (Best Way)", Decimal("5.00"))
    # tax class -> (rate in percent, description) where the buyer's country is taxed
    rates: dict[int, tuple[Decimal, str]] = field(
        default_factory=lambda: {1: (Decimal("19"), "MwSt 19 %"), 2: (Decimal("7"), "MwSt 7 %")}
    )
    taxed_countries: frozenset[int] = frozenset({81})
    status: int = 1
    currency: str = "EUR"
    payment: str = "Cash on Delivery"


def _money(value: Decimal) -> str:
    """``$currencies->format`` for the shop's EUR: ``1,234.56€``."""
    return f"{shop_round(value):,.2f}€"


def _order_rows(conn: sa.Connection, order: Checkout, orders_id: int) -> dict[str, list[dict]]:
    c, a, co, z = t.customers.c, t.address_book.c, t.countries.c, t.zones.c
    buyer = conn.execute(
        sa.select(
            c.customers_firstname,
            c.customers_lastname,
            c.customers_telephone,
            c.customers_email_address,
            a.entry_company,
            a.entry_street_address,
            a.entry_suburb,
            a.entry_city,
            a.entry_postcode,
            a.entry_state,
            a.entry_country_id,
            co.countries_name,
            co.address_format_id,
            z.zone_name,
        )
        .select_from(
            t.customers.join(t.address_book, a.address_book_id == c.customers_default_address_id)
            .join(t.countries, co.countries_id == a.entry_country_id)
            .outerjoin(t.zones, z.zone_id == a.entry_zone_id)
        )
        .where(c.customers_id == order.customers_id)
    ).one()
    taxed = int(buyer.entry_country_id) in order.taxed_countries
    state = buyer.entry_state or buyer.zone_name or ""
    name = f"{buyer.customers_firstname} {buyer.customers_lastname}"
    address = {
        "company": buyer.entry_company or "",
        "street_address": buyer.entry_street_address,
        "suburb": buyer.entry_suburb or "",
        "city": buyer.entry_city,
        "postcode": buyer.entry_postcode,
        "state": state,
        "country": buyer.countries_name,
        "address_format_id": buyer.address_format_id,
    }
    header = {"orders_id": orders_id, "customers_id": order.customers_id, "customers_name": name}
    for prefix in ("customers", "delivery", "billing"):
        if prefix != "customers":
            header[f"{prefix}_name"] = name
        for key, value in address.items():
            header[f"{prefix}_{key}"] = value
    header.update(
        customers_telephone=buyer.customers_telephone,
        customers_email_address=buyer.customers_email_address,
        payment_method=order.payment,
        cc_type="",
        cc_owner="",
        cc_number="",
        cc_expires="",
        date_purchased=order.purchased,
        orders_status=order.status,
        currency=order.currency,
        currency_value=Decimal("1.000000"),
    )
    products, subtotal, taxes = [], Decimal(0), {}
    for line in order.lines:
        p, d = t.products.c, t.products_description.c
        product = conn.execute(
            sa.select(p.products_model, p.products_price, p.products_tax_class_id, d.products_name)
            .join(t.products_description, d.products_id == p.products_id)
            .where(p.products_id == line.products_id, d.language_id == order.language_id)
        ).one()
        rate, description = order.rates.get(int(product.products_tax_class_id), (Decimal(0), ""))
        rate = rate if taxed else Decimal(0)
        price = Decimal(str(product.products_price))
        final = price + sum((o[2] for o in line.options), Decimal(0))
        unit = shop_round(final * (1 + rate / 100) if order.with_tax and rate else final)
        shown = unit * line.quantity
        subtotal += shown
        if rate:
            tax = shown - shown / (1 + rate / 100) if order.with_tax else rate / 100 * shown
            taxes[description] = taxes.get(description, Decimal(0)) + tax
        products.append(
            {
                "orders_id": orders_id,
                "products_id": line.products_id,
                "products_model": product.products_model,
                "products_name": product.products_name,
                "products_price": price,
                "final_price": final,
                "products_tax": rate,
                "products_quantity": line.quantity,
                "options": line.options,
            }
        )
    shipping_title, shipping = order.shipping
    tax_total = sum(taxes.values(), Decimal(0))
    total = subtotal + shipping + (Decimal(0) if order.with_tax else tax_total)
    totals = [{"title": "Sub-Total:", "value": subtotal, "class": "ot_subtotal", "sort_order": 1}]
    totals += [
        {"title": f"{d}:", "value": v, "class": "ot_tax", "sort_order": 3} for d, v in taxes.items()
    ]
    totals += [
        {"title": f"{shipping_title}:", "value": shipping, "class": "ot_shipping", "sort_order": 2},
        {"title": "Total:", "value": total, "class": "ot_total", "sort_order": 4},
    ]
    for row in totals:
        text = _money(row["value"])
        row.update(
            orders_id=orders_id,
            value=row["value"].quantize(FOUR),
            text=f"<strong>{text}</strong>" if row["class"] == "ot_total" else text,
        )
    history = [
        {
            "orders_id": orders_id,
            "orders_status_id": order.status,
            "date_added": order.purchased,
            "customer_notified": 0,
            "comments": order.comment,
        }
    ]
    return {
        "orders": [header],
        "orders_total": totals,
        "orders_status_history": history,
        "orders_products": products,
    }


def _next_id(conn: sa.Connection, column: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar_one()) + 1


def write_orders(engine: sa.Engine, orders: Sequence[Checkout]) -> list[int]:
    """Write ``orders`` in one transaction (fast; for the demo and the benchmark)."""
    with engine.begin() as conn:
        first = _next_id(conn, t.orders.c.orders_id)
        next_line = _next_id(conn, t.orders_products.c.orders_products_id)
        tables: dict[str, list[dict]] = {
            "orders": [],
            "orders_total": [],
            "orders_status_history": [],
            "orders_products": [],
            "orders_products_attributes": [],
        }
        stock: dict[int, int] = {}
        for number, order in enumerate(orders):
            rows = _order_rows(conn, order, first + number)
            for name in ("orders", "orders_total", "orders_status_history"):
                tables[name] += rows[name]
            for line in rows["orders_products"]:
                options = line.pop("options")
                line["orders_products_id"] = next_line
                tables["orders_products"].append(line)
                tables["orders_products_attributes"] += [
                    {
                        "orders_id": line["orders_id"],
                        "orders_products_id": next_line,
                        "products_options": o,
                        "products_options_values": v,
                        "options_values_price": p,
                        "price_prefix": "+",
                    }
                    for o, v, p in options
                ]
                stock[line["products_id"]] = (
                    stock.get(line["products_id"], 0) + line["products_quantity"]
                )
                next_line += 1
        for name, rows in tables.items():
            insert_rows(conn, t.metadata.tables[name], pd.DataFrame(rows))
        for pid, qty in stock.items():
            conn.execute(
                sa.update(t.products)
                .where(t.products.c.products_id == pid)
                .values(
                    products_quantity=t.products.c.products_quantity - qty,
                    products_ordered=t.products.c.products_ordered + qty,
                )
            )
    return list(range(first, first + len(orders)))


def write_order_slowly(engine: sa.Engine, order: Checkout, pause: Callable[[str], None]) -> int:
    """One order, statement by statement without a transaction, in checkout_process.php's
    order (orders, orders_total, orders_status_history, then per product: stock,
    products_ordered, orders_products, attributes); ``pause(step)`` runs after each."""
    with engine.connect() as reader:
        orders_id = _next_id(reader, t.orders.c.orders_id)
        rows = _order_rows(reader, order, orders_id)
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
            conn.execute(
                sa.update(t.products)
                .where(t.products.c.products_id == line["products_id"])
                .values(
                    products_quantity=t.products.c.products_quantity - line["products_quantity"],
                    products_ordered=t.products.c.products_ordered + line["products_quantity"],
                )
            )
            op_id = conn.execute(sa.insert(t.orders_products).values(**line)).inserted_primary_key[
                0
            ]
            for o, v, p in options:
                conn.execute(
                    sa.insert(t.orders_products_attributes),
                    [
                        {
                            "orders_id": orders_id,
                            "orders_products_id": op_id,
                            "products_options": o,
                            "products_options_values": v,
                            "options_values_price": p,
                            "price_prefix": "+",
                        }
                    ],
                )
            pause(f"orders_products {line['products_id']}")
    return orders_id
