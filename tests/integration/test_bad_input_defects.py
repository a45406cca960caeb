"""Bad data that once stopped a whole step (found while building the bad-input catalogue,
docs/bad-input.md): each row is now set aside or cleaned by its rule and the others load."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows, scalar, settings, sync

from bo_oscommerce.sync.customers import sync_customers_to_shop
from bo_oscommerce.sync.order_status import report_status
from bo_oscommerce.sync.orders import import_orders
from bo_oscommerce.sync.run import Run

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 12, 0, 0)  # shop time, after the fixture's orders (01:24)


def run_for(bo: sa.Engine, shop: sa.Engine, key: str = "run", full: bool = False) -> Run:
    return Run(settings(), bo, shop, f"defect/{key}", NOW, full=full)


def test_orders_with_a_zero_or_missing_date_are_set_aside_and_the_others_import(
    bo_sqlite, orders_shop, staging
) -> None:
    bo, shop = bo_sqlite, orders_shop.engine
    with shop.begin() as conn:  # the shop's own sql_mode allows the zero date
        conn.execute(
            sa.text("UPDATE orders SET date_purchased = '0000-00-00 00:00:00' WHERE orders_id = 7")
        )
        conn.execute(sa.text("UPDATE orders SET date_purchased = NULL WHERE orders_id = 6"))
    imported = import_orders(run_for(bo, shop))
    assert imported.inserted == 5
    aside = imported.set_aside
    assert set(aside["key"]) == {"6", "7"}
    assert set(aside["reason"]) == {"the order has no valid purchase date (orders.date_purchased)"}
    assert scalar(bo, "SELECT COUNT(*) FROM auftrag WHERE osc_orders_id IN (6, 7)") == 0


def test_a_tracking_number_with_an_emoji_does_not_stop_delivered(
    bo_sqlite, orders_shop, staging
) -> None:
    bo, shop = bo_sqlite, orders_shop.engine
    run = run_for(bo, shop)
    import_orders(run)
    report_status(run, "processing")
    with bo.begin() as conn:
        for note, orders_id, tracking in ((1, 1, "JJD🚚0001"), (2, 2, "JJD0002")):
            conn.execute(
                sa.text(
                    "INSERT INTO lieferschein SELECT :n, auftrag_nr, :t, :s, 1, :t FROM auftrag "
                    "WHERE osc_orders_id = :o"
                ),
                {"n": note, "o": orders_id, "s": tracking, "t": NOW},
            )
    delivered = report_status(run_for(bo, shop, "delivered"), "delivered")
    assert rows(shop, "SELECT orders_id, orders_status FROM orders WHERE orders_id IN (1, 2)") == [
        (1, 3),
        (2, 3),
    ]
    assert delivered.cleaned == {"4-byte characters removed from comments": ["1"]}
    comments = "SELECT comments FROM orders_status_history WHERE orders_id = :o AND orders_status_id = 3"
    assert scalar(shop, comments, o=1) == "Sendungsnummer: JJD0001"


def test_a_price_held_as_text_is_set_aside_and_the_others_load(
    bo_sqlite, upstream_shop, staging
) -> None:
    bo, shop = bo_sqlite, upstream_shop.engine  # SQLite: a NUMERIC column keeps the text
    with bo.begin() as conn:
        conn.execute(
            sa.text("UPDATE artikel SET ladenpreis = '24,90' WHERE artikel_nr = 'A-000002'")
        )
    products = sync(bo, shop, full=True, publish=False)["products"]
    aside = products.set_aside[products.set_aside["key"] == "A-000002"]
    assert "price in BO is text, not a number (e.g. a decimal comma)" in set(aside["reason"])
    assert "24,90" in set(aside["value"].astype(str))
    assert products.inserted > 100
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE products_model = 'A-000002'") == 0


def test_a_buyer_who_deleted_the_account_does_not_get_it_back(
    bo_sqlite, orders_shop, staging
) -> None:
    bo, shop = bo_sqlite, orders_shop.engine
    with shop.begin() as conn:  # Zoë (order 4) deletes her account
        for table, column in (("address_book", "customers_id"), ("customers_info",
                              "customers_info_id"), ("customers", "customers_id")):  # fmt: skip
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} = 3"))
    import_orders(run_for(bo, shop))
    assert (
        scalar(
            bo, "SELECT COUNT(*) FROM gespraechspartner WHERE email = 'zoe.obrien@example.invalid'"
        )
        == 1
    )
    sync_customers_to_shop(run_for(bo, shop, "full", full=True))
    assert (
        scalar(
            shop,
            "SELECT COUNT(*) FROM customers WHERE customers_email_address = 'zoe.obrien@example.invalid'",
        )
        == 0
    )
