"""Reading shop orders and changing their status the way the shop admin's order page does
(``admin/orders.php``, action ``update_order``): ``orders.orders_status``,
``orders.last_modified`` and one ``orders_status_history`` row, in one transaction.

A status is only ever moved forward from the statuses it may come from, under a row lock, so
two runs, or a run and its retry, never write a second history row for one change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import query_frame, result_frame
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids
from bo_oscommerce.transform.order_totals import StoredLine, StoredTotal
from bo_oscommerce.transform.orders import (
    History,
    OrderLine,
    ShopOrder,
    ShopRules,
    hold_statuses,
    purchase_date,
    transaction_statuses,
)
from bo_oscommerce.transform.tax_rates import TaxRateRow, TaxTable

# an order's addresses; CE Phoenix writes each one's countries_id beside its name
# (``<address>_country_id``)
ORDER_ADDRESSES = ("customers", "delivery", "billing")


def all_orders(conn: sa.Connection) -> pd.DataFrame:
    """Every order's id, status and purchase date: the import takes those BO does not have."""
    o = t.orders.c
    return query_frame(conn, sa.select(o.orders_id, o.orders_status, o.date_purchased))


def _by_orders(
    conn: sa.Connection, table: sa.Table, ids: list[int], extra: Sequence[str] = ()
) -> pd.DataFrame:
    """``table``'s rows of orders ``ids``; ``extra``: columns the shop has beyond 2.3's."""
    key = table.primary_key.columns[0]
    select = sa.select(table, *(sa.column(name) for name in extra))
    parts = [
        result_frame(conn.execute(select.where(table.c.orders_id.in_(list(part))).order_by(key)))
        for part in chunks(sorted(ids), 1000)
    ]
    if not parts:
        return result_frame(conn.execute(select.where(sa.false())))
    return pd.concat(parts, ignore_index=True)


def _configuration(conn: sa.Connection) -> dict[str, str]:
    c = t.configuration.c
    rows = conn.execute(sa.select(c.configuration_key, c.configuration_value))
    return {str(k): str(v if v is not None else "") for k, v in rows}


def _number(text: str | None, default: float = 0.0) -> float:
    try:
        return float(str(text).strip())
    except (TypeError, ValueError):
        return default


def _installed(config: dict[str, str], key: str) -> list[str]:
    """Module codes of a ``MODULE_*_INSTALLED`` list ("flat.php;item.php" -> flat, item)."""
    files = [f.strip() for f in config.get(key, "").split(";") if f.strip()]
    return [f.rsplit(".", 1)[0] for f in files]


def read_hold(conn: sa.Connection, hold: Sequence[int] | None = None) -> frozenset[int]:
    """``read_rules(conn, hold).hold`` on two small reads: the statuses that are not yet a
    sale (the operator's console counts waiting orders with it, for many shops at once)."""
    if hold is not None:
        return frozenset(int(h) for h in hold)
    c = t.configuration.c
    prepare = conn.execute(
        sa.select(c.configuration_value).where(
            c.configuration_key.endswith("_PREPARE_ORDER_STATUS_ID", autoescape=True)
        )
    )
    return hold_statuses(status_names(conn), [int(_number(v)) for (v,) in prepare])


def read_rules(conn: sa.Connection, hold: Sequence[int] | None = None) -> ShopRules:
    """The shop's settings the order rules need (``hold``: the tenant's statuses that are not
    yet a sale; None: the shop's own "Preparing" statuses)."""
    config = _configuration(conn)
    shipping = [
        int(_number(config.get(f"MODULE_SHIPPING_{code.upper()}_TAX_CLASS")))
        for code in _installed(config, "MODULE_SHIPPING_INSTALLED")
    ]
    fee_on = (
        "ot_loworderfee" in _installed(config, "MODULE_ORDER_TOTAL_INSTALLED")
        and config.get("MODULE_ORDER_TOTAL_LOWORDERFEE_LOW_ORDER_FEE", "").lower() == "true"
    )
    names = status_names(conn)
    prepare = [_number(v) for k, v in config.items() if k.endswith("_PREPARE_ORDER_STATUS_ID")]
    transactions = [
        _number(v) for k, v in config.items() if k.endswith("_TRANSACTIONS_ORDER_STATUS_ID")
    ]
    z, tr, zg = t.zones.c, t.tax_rates.c, t.zones_to_geo_zones.c
    tax_rows = conn.execute(
        sa.select(tr.tax_class_id, zg.zone_country_id, zg.zone_id, tr.tax_priority,
                  tr.tax_rate, tr.tax_description)
        .select_from(t.tax_rates.outerjoin(t.zones_to_geo_zones,
                                           zg.geo_zone_id == tr.tax_zone_id))
    )  # fmt: skip
    c, cu = t.countries.c, t.currencies.c
    emails = read_shop_columns(conn, ["customers"]).spec("customers", "customers_email_address")
    return ShopRules(
        email_collation=emails.collation,
        with_tax=config.get("DISPLAY_PRICE_WITH_TAX", "false").lower() == "true",
        shipping_tax_classes=tuple(c for c in shipping if c > 0),
        fee=_number(config.get("MODULE_ORDER_TOTAL_LOWORDERFEE_FEE")) if fee_on else None,
        fee_tax_class=int(_number(config.get("MODULE_ORDER_TOTAL_LOWORDERFEE_TAX_CLASS"))),
        tax=TaxTable(
            TaxRateRow(
                int(cls),
                None if country is None else int(country),
                None if zone is None else int(zone),
                int(priority or 1),
                Decimal(str(rate)),
                str(description),
            )
            for cls, country, zone, priority, rate, description in tax_rows
        ),  # fmt: skip
        places={
            str(code): int(_number(places, 2))
            for code, places in conn.execute(sa.select(cu.code, cu.decimal_places))
        },
        hold=frozenset(int(h) for h in hold)
        if hold is not None
        else hold_statuses(names, [int(p) for p in prepare]),
        transactions=transaction_statuses(names, [int(x) for x in transactions]),
        countries={
            str(n): int(i) for n, i in conn.execute(sa.select(c.countries_name, c.countries_id))
        },
        zones={
            (int(country), str(name)): int(zone)
            for zone, country, name in conn.execute(
                sa.select(z.zone_id, z.zone_country_id, z.zone_name)
            )
        },
    )


def read_orders(conn: sa.Connection, ids: Iterable[int]) -> list[ShopOrder]:
    """The orders with their lines, options, totals, history, and what their buyers' baskets
    still hold from the day of the order on."""
    ids = sorted({int(i) for i in ids})
    have = read_shop_columns(conn, ["orders"]).columns_of("orders")
    countries = [f"{p}_country_id" for p in ORDER_ADDRESSES if f"{p}_country_id" in have]
    orders = _by_orders(conn, t.orders, ids, countries)
    lines = _by_orders(conn, t.orders_products, ids)
    options = _by_orders(conn, t.orders_products_attributes, ids)
    totals = _by_orders(conn, t.orders_total, ids)
    history = _by_orders(conn, t.orders_status_history, ids)
    buyers = orders["customers_id"].dropna().astype(int).tolist()
    baskets, newest = _baskets(conn, buyers), _newest_orders(conn, buyers)
    options_of: dict[int, list[tuple[str, str, Decimal]]] = {}
    for line_id, option, value, price, prefix in options[
        ["orders_products_id", "products_options", "products_options_values",
         "options_values_price", "price_prefix"]
    ].itertuples(index=False, name=None):  # fmt: skip
        options_of.setdefault(int(line_id), []).append(
            (str(prefix or ""), f"{option}: {value}", Decimal(str(price)))
        )
    lines_of: dict[int, list[OrderLine]] = {}
    for row in lines.itertuples(index=False):
        chosen = options_of.get(int(row.orders_products_id), [])
        stored = StoredLine(
            Decimal(str(row.products_price)), Decimal(str(row.final_price)),
            Decimal(str(row.products_tax)), int(row.products_quantity),
            tuple((prefix, price) for prefix, _, price in chosen),
        )  # fmt: skip
        lines_of.setdefault(int(row.orders_id), []).append(
            OrderLine(int(row.orders_products_id), int(row.products_id), row.products_model,
                      str(row.products_name), stored, tuple(text for _, text, _ in chosen))
        )  # fmt: skip
    totals_of: dict[int, list[StoredTotal]] = {}
    for oid, cls, title, value in totals[["orders_id", "class", "title", "value"]].itertuples(
        index=False, name=None
    ):
        totals_of.setdefault(int(oid), []).append(
            StoredTotal(str(cls), str(title), Decimal(str(value)))
        )
    history_of: dict[int, list[History]] = {}
    for hid, oid, status, added, text in history[
        ["orders_status_history_id", "orders_id", "orders_status_id", "date_added", "comments"]
    ].itertuples(index=False, name=None):  # fmt: skip
        history_of.setdefault(int(oid), []).append(
            History(int(hid), int(status), purchase_date(added), str(text or ""))
        )
    result = []
    for header in orders.to_dict("records"):
        oid, buyer = int(header["orders_id"]), header.get("customers_id")
        day = purchase_date(header.get("date_purchased"))
        buyer = int(buyer) if buyer is not None and buyer == buyer else None
        held = baskets.get(buyer, []) if buyer is not None and newest.get(buyer) == oid else []
        result.append(
            ShopOrder(
                header=header,
                lines=tuple(lines_of.get(oid, [])),
                totals=tuple(totals_of.get(oid, [])),
                history=tuple(history_of.get(oid, [])),
                basket=tuple(
                    (p, q) for p, q, added in held if day is None or added <= day.strftime("%Y%m%d")
                ),
            )
        )
    return result


def _baskets(conn: sa.Connection, customers: list[int]) -> dict[int, list[tuple[int, int, str]]]:
    """customers_id -> (products id, quantity, date added YYYYMMDD) of every basket row."""
    b = t.customers_basket.c
    out: dict[int, list[tuple[int, int, str]]] = {}
    for part in chunks(sorted(set(customers)), 1000):
        rows = conn.execute(
            sa.select(
                b.customers_id, b.products_id, b.customers_basket_quantity,
                b.customers_basket_date_added,
            ).where(b.customers_id.in_(list(part)))
        )  # fmt: skip
        for customer, product, quantity, added in rows:
            prid = str(product).split("{", 1)[0]
            if prid.isdigit():
                out.setdefault(int(customer), []).append(
                    (int(prid), int(quantity or 0), str(added or ""))
                )
    return out


def _newest_orders(conn: sa.Connection, customers: list[int]) -> dict[int, int]:
    """customers_id -> the id of the customer's newest order."""
    o = t.orders.c
    out: dict[int, int] = {}
    for part in chunks(sorted(set(customers)), 1000):
        rows = conn.execute(
            sa.select(o.customers_id, sa.func.max(o.orders_id))
            .where(o.customers_id.in_(list(part)))
            .group_by(o.customers_id)
        )
        out |= {int(c): int(m) for c, m in rows}
    return out


def order_statuses(conn: sa.Connection, ids: Iterable[int]) -> dict[int, int]:
    """orders_id -> its status now."""
    o = t.orders.c
    out: dict[int, int] = {}
    for part in chunks(sorted({int(i) for i in ids}), 1000):
        out |= {
            int(i): int(s)
            for i, s in conn.execute(
                sa.select(o.orders_id, o.orders_status).where(o.orders_id.in_(list(part)))
            )
        }
    return out


def status_names(conn: sa.Connection, language_id: int | None = None) -> list[tuple[int, str]]:
    """(orders_status_id, name) in one language, or in all of them."""
    s = t.orders_status.c
    stmt = sa.select(s.orders_status_id, s.orders_status_name)
    if language_id is not None:
        stmt = stmt.where(s.language_id == language_id)
    return [(int(i), str(n)) for i, n in conn.execute(stmt.order_by(s.orders_status_id))]


@dataclass(frozen=True)
class StatusChange:
    """One order moved to ``status``, and the history row that says so."""

    orders_id: int
    history_id: int


def change_status(
    conn: sa.Connection,
    orders_ids: Sequence[int],
    status: int,
    may_come_from: Sequence[int] | None,
    comments: dict[int, str],
    columns: ShopColumns,
    shop_now: datetime,
) -> list[StatusChange]:
    """Move the orders that are still in ``may_come_from`` (None: in any status but
    ``status``) to ``status``, with one history row each (``customer_notified`` 0 until an
    e-mail went out). The rows are locked first: a concurrent run waits, then finds them
    moved and writes nothing."""
    o = t.orders.c
    due: list[int] = []
    for part in chunks(sorted({int(i) for i in orders_ids}), 1000):
        stmt = sa.select(o.orders_id).where(o.orders_id.in_(list(part)))
        stmt = stmt.where(
            o.orders_status.in_(list(may_come_from))
            if may_come_from is not None
            else o.orders_status != status
        )
        due += [int(i) for i in conn.execute(stmt.with_for_update()).scalars()]
    if not due:
        return []
    for part in chunks(due, 1000):
        conn.execute(
            sa.update(t.orders)
            .where(o.orders_id.in_(list(part)))
            .values(orders_status=status, last_modified=shop_now)
        )
    placeholder = placeholder_row(
        [
            columns.spec("orders_status_history", c)
            for c in columns.columns_of("orders_status_history")
        ],
        "orders_status_history_id",
    )
    ids = reserve_ids(conn, t.orders_status_history, len(due), placeholder)
    insert_rows(
        conn,
        t.orders_status_history,
        pd.DataFrame(
            {
                "orders_status_history_id": ids,
                "orders_id": due,
                "orders_status_id": status,
                "date_added": shop_now,
                "customer_notified": 0,
                "comments": [comments.get(i, "") for i in due],
            }
        ),
    )
    return [StatusChange(o_id, h_id) for o_id, h_id in zip(due, ids, strict=True)]


def mark_notified(conn: sa.Connection, history_ids: Sequence[int]) -> None:
    """``customer_notified`` = 1 for the history rows whose e-mail went out."""
    h = t.orders_status_history.c
    for part in chunks(sorted(history_ids), 1000):
        conn.execute(
            sa.update(t.orders_status_history)
            .where(h.orders_status_history_id.in_(list(part)))
            .values(customer_notified=1)
        )
