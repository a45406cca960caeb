"""The shop-side bulk insert: every value arrives exactly as given, over several statements."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.dialect import STATEMENT_BYTES, insert_rows
from bo_oscommerce_fixtures.demo_shop import create_demo_shop

pytestmark = pytest.mark.integration

TRICKY = [
    "O'Reilly \\ Backslash \"quoted\"",
    "100 % sicher: %s %(name)s %%",
    "Zeile\nZwei\r\tTab \x00 NUL \x1a",
    "Größe: 5 € – Müller & Söhne",
    "",
]


def test_tricky_values_round_trip_over_several_statements(empty_shop_db):
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    rows = 6000
    long_text = "Beschreibung mit Umlauten äöü und ' Quote. " * 12
    frame = pd.DataFrame(
        {
            "products_id": range(1, rows + 1),
            "language_id": 1,
            "products_name": [TRICKY[i % len(TRICKY)] + f" #{i}" for i in range(rows)],
            "products_description": [None if i % 7 == 0 else long_text + str(i) for i in range(rows)],
            "products_viewed": 0,
        }
    )
    assert (frame["products_description"].str.len().sum()) > 2 * STATEMENT_BYTES
    products = pd.DataFrame(
        {
            "products_id": range(1, rows + 1),
            "products_quantity": 3,
            "products_model": [f"M-{i}" for i in range(rows)],
            "products_price": 19.99,
            "products_date_added": datetime(2026, 11, 26, 12, 30, 5),
            "products_weight": 1.25,
            "products_status": 1,
            "products_tax_class_id": 1,
        }
    )
    with engine.begin() as conn:
        insert_rows(conn, t.products, products)
        insert_rows(conn, t.products_description, frame)
    with engine.connect() as conn:
        got = pd.DataFrame(conn.execute(sa.text(
            "SELECT products_id, products_name, products_description FROM products_description "
            "ORDER BY products_id")).all(), columns=["products_id", "products_name", "products_description"])
        price, added = conn.execute(sa.text(
            "SELECT products_price, products_date_added FROM products WHERE products_id = 1")).one()
    assert len(got) == rows
    assert got["products_name"].tolist() == frame["products_name"].tolist()
    assert got["products_description"].where(got["products_description"].notna(), None).tolist() == \
        frame["products_description"].tolist()
    assert float(price) == 19.99 and added == datetime(2026, 11, 26, 12, 30, 5)


def test_a_failing_statement_raises_a_sqlalchemy_error_and_rolls_back(empty_shop_db):
    engine = empty_shop_db.engine
    create_demo_shop(engine)
    frame = pd.DataFrame({"products_id": [1, 1], "categories_id": [5, 5]})  # duplicate key
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        insert_rows(conn, t.products_to_categories, frame.iloc[:1])
        insert_rows(conn, t.products_to_categories, frame)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM products_to_categories")).scalar() == 0
