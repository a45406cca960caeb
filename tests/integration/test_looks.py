"""A scheduled run's first look (``looks.marks``, ADR 16) against a real shop on MariaDB and
a real BO: the marks stay equal while nothing changes, and each change a run of that kind
must see moves them: an order the checkout writes, a status the admin sets, a delivery note
in BO, a stock booking, a customer's own newsletter or address edit, a contact BO changed.
A shop that cannot be looked at cheaply (SQLite) gets no customers marks: always a full run."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.integration.conftest import make_bo
from tests.integration.test_watchers import checkout, watched  # noqa: F401 - a fixture

from bo_oscommerce import looks
from bo_oscommerce.shop import tables as t

pytestmark = pytest.mark.integration


@pytest.fixture
def sides(tmp_path, orders_shop):
    bo = sa.create_engine(f"sqlite:///{tmp_path / 'bo.db'}")
    make_bo(bo, articles=20)
    yield bo, orders_shop.engine
    bo.dispose()


def _moves(kind: str, bo: sa.Engine, shop: sa.Engine, change) -> tuple[dict, dict]:
    before = looks.marks(kind, bo, shop)
    assert before is not None and looks.marks(kind, bo, shop) == before  # still: equal
    change()
    return before, looks.marks(kind, bo, shop)


def _bo(bo: sa.Engine, sql: str) -> None:
    with bo.begin() as conn:
        conn.execute(sa.text(sql))


def test_orders_marks_see_the_checkout_the_admin_and_bos_delivery_notes(sides):
    bo, shop = sides
    before, after = _moves("orders", bo, shop, lambda: checkout(shop))
    assert after["shop.last_order"] != before["shop.last_order"]

    def admin_sets_a_status() -> None:
        with shop.begin() as conn:
            conn.execute(sa.insert(t.orders_status_history).values(
                orders_id=1, orders_status_id=3, date_added=sa.func.now(),
                customer_notified=0, comments="shipped",
            ))  # fmt: skip

    before, after = _moves("orders", bo, shop, admin_sets_a_status)
    assert after["shop.last_history"] != before["shop.last_history"]

    def delivery_note() -> None:
        _bo(bo, "INSERT INTO auftrag (auftrag_nr, adress_nr, auftragsdatum, osc_orders_id, "
                "geaendert_am) VALUES (900001, 1, '2026-12-01 10:00', 1, '2026-12-01 10:00')")
        _bo(bo, "INSERT INTO lieferschein (lieferschein_nr, auftrag_nr, lieferdatum, "
                "geaendert_am) VALUES (1, 900001, '2026-12-02', '2026-12-02 09:00:00')")

    before, after = _moves("orders", bo, shop, delivery_note)
    assert after["bo.lieferscheine"] != before["bo.lieferscheine"]
    # a note BO completes later (vollstaendig) is a change too
    before, after = _moves("orders", bo, shop, lambda: _bo(
        bo, "UPDATE lieferschein SET vollstaendig = 1, geaendert_am = '2026-12-02 11:00:00'"))
    assert after != before


def test_stock_marks_see_a_booking_and_a_new_link(sides):
    bo, shop = sides
    before, after = _moves("stock", bo, shop, lambda: _bo(
        bo, "UPDATE lagerbestand SET bestand = bestand + 1, geaendert_am = '2030-01-01' "
            "WHERE artikel_nr = (SELECT MIN(artikel_nr) FROM lagerbestand)"))  # fmt: skip
    assert after["bo.lagerbestand_stand"] != before["bo.lagerbestand_stand"]
    before, after = _moves("stock", bo, shop, lambda: _bo(
        bo, "UPDATE artikel SET osc_products_id = 4711 "
            "WHERE artikel_nr = (SELECT MIN(artikel_nr) FROM artikel)"))  # fmt: skip
    assert after["bo.verknuepft"] != before["bo.verknuepft"]


def test_customers_marks_see_a_customers_own_edits_and_bos_contacts(sides):
    bo, shop = sides
    first = "(SELECT * FROM (SELECT MIN(customers_id) FROM customers) c)"

    def newsletter_withdrawn() -> None:
        with shop.begin() as conn:  # account_newsletters.php: no time stamp changes
            conn.execute(sa.text(
                "UPDATE customers SET customers_newsletter = "
                f"IF(customers_newsletter = '1', '0', '1') WHERE customers_id = {first}"))

    before, after = _moves("customers", bo, shop, newsletter_withdrawn)
    assert after["shop.customers"] != before["shop.customers"]

    def new_street() -> None:
        with shop.begin() as conn:  # address_book_process.php
            conn.execute(sa.text(
                "UPDATE address_book SET entry_street_address = 'Neue Straße 5' "
                f"WHERE customers_id = {first}"))

    before, after = _moves("customers", bo, shop, new_street)
    assert after["shop.address_book"] != before["shop.address_book"]
    assert after["shop.customers"] == before["shop.customers"]
    before, after = _moves("customers", bo, shop, lambda: _bo(
        bo, "UPDATE gespraechspartner SET nachname = 'Neu', geaendert_am = '2030-01-01' "
            "WHERE gp_id = (SELECT MIN(gp_id) FROM gespraechspartner)"))  # fmt: skip
    assert after["bo.kontakte_stand"] != before["bo.kontakte_stand"]


def test_no_customers_marks_on_a_shop_without_checksums(sides, tmp_path):
    bo, _ = sides
    sqlite_shop = sa.create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    assert looks.marks("customers", bo, sqlite_shop) is None
    assert looks.marks("catalog", bo, sqlite_shop) is None
    sqlite_shop.dispose()


@pytest.mark.usefixtures("watched")
def test_changed_settings_change_the_marks():
    """A run under changed settings writes differently, so it must not match a quiet run."""
    from bo_oscommerce.config import load_config
    from bo_oscommerce.tasks import _marks

    settings = load_config().get("w")
    before = _marks(settings, "orders")
    assert before is not None and _marks(settings, "orders") == before
    changed = settings.model_copy(update={"order_grace_minutes": settings.order_grace_minutes + 1})
    after = _marks(changed, "orders")
    assert after is not None and after != before
    assert {k: v for k, v in after.items() if k != "settings"} == {
        k: v for k, v in before.items() if k != "settings"
    }
