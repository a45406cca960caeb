"""The bad-input catalogue (docs/bad-input.md): one data set holding every kind of bad BO and
shop data the sync has a rule for, each bad row tagged with its kind.

``build(bo, shop)`` fills an empty BO (the reference schema, on SQLite: it holds what a
stricter database would refuse, as some BOs do) with the demo data, minus the demo's own
dirty rows, and adds the catalogue's BO rows. ``shop`` is ``shop-with-orders.sql``, whose
orders went through osCommerce's own checkout; the catalogue adds shop rows the way a real
shop comes to hold them (a registration, a checkout, an admin's edit or delete).

``KINDS`` tags every bad row: the report entity, its keys there, where it must end and a
stable part of the reason or cleaning rule that says so; rows that load carry a ``Probe`` of
the value the rule makes of them. Expected values are derived from the input by the rule
(cut to the width, emoji removed, ...), never copied from a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.sync.customers import LEFT_WEB
from bo_oscommerce.transform.products import HIDE_DELETED, HIDE_GROUP_OFFLINE, HIDE_SET_ASIDE
from bo_oscommerce_fixtures.checkout import Checkout, Line, write_orders
from bo_oscommerce_fixtures.demo_bo import DIRTY_GP_BASE, LONG_ARTIKEL_NR, generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

RUN_AT = datetime(2026, 11, 27, 12, 0, 0)  # shop time; the fixture's orders are from 01:24
BASE = datetime(2026, 11, 1, 8, 0, 0)  # geaendert_am of every BO row, as the demo data's
ORDERED = datetime(2026, 11, 27, 9, 30, 0)  # the catalogue's orders: past the grace period

# report entities, in the order the DAGs run them
CATEGORIES, PRODUCTS, STOCK = "categories", "products", "stock"
CUSTOMERS, NEW_CONTACTS, ORDERS = "customers", "new_contacts", "orders"
PROCESSING, DELIVERED = "status_processing", "status_delivered"
ENTITIES = (CATEGORIES, PRODUCTS, STOCK, CUSTOMERS, NEW_CONTACTS, ORDERS, PROCESSING, DELIVERED)

# where a kind's rows end
SET_ASIDE = "set aside"  # in the report's set_aside with the reason
CLEANED = "cleaned"  # in the report's cleaned under the rule, and loaded (see the probe)
KEPT_OUT = "kept out"  # in the report's kept_out under the reason
HIDDEN = "hidden"  # in the report's hidden_by_reason under the reason
LOADED = "loaded"  # loaded as the rule says, no report entry (see the probe)
UNCHANGED = "unchanged"  # nothing written (see the probe)


@dataclass(frozen=True)
class Probe:
    """A value that must arrive: ``sql`` on ``db`` ("shop" or "bo") returns ``expected``.
    ``id_sql`` (on BO) first gives the shop id a shop query needs as ``:id``."""

    db: str
    sql: str
    expected: Any
    id_sql: str | None = None


@dataclass(frozen=True)
class Kind:
    """One kind of bad data: where its rows are and where they must end."""

    entity: str
    keys: tuple[str, ...]
    outcome: str
    match: str  # stable part of the set-aside reason, cleaning rule, kept-out or hide reason
    example: str  # the bad data, for a person
    rule: str  # what the sync does with it
    probe: Probe | None = None
    also: tuple[tuple[str, str], ...] = ()  # further (outcome, match) of the same keys


# --- the bad values ------------------------------------------------------------------------

LONG_GROUP = "Gartenmöbel, Sonnenschirme und Auflagen"
LONG_PRODUCT = "Gartenschlauch-Set mit Schnellkupplung, Brause, Wandhalterung und 25 m Schlauch"
HUGE_TEXT = "Ä" * 35_000  # 70 000 bytes in UTF-8; osCommerce's products_description is TEXT
LONG_STREET = "Am Ende der langen Gartenstraße hinter dem alten Wasserturm " * 5  # 300
LONG_SHOP_LASTNAME = "von Hohenfels-Wartenberg zu Schönau-Rieding am Main und Umgebung, Erben"
LONG_SHOP_STREET = (
    "Gewerbegebiet Nord, Halle 7, Tor 3, Anlieferung nur werktags über die Hofeinfahrt links"
)
LONG_DELIVERY_NAME = "z. Hd. " + "Frau Dr. Müller-Lüdenscheidt, Einkauf, " * 4
LONG_IMAGE = "artikel/" + "garten/" * 13 + "z-024.jpg"  # 108 characters
assert (
    len(LONG_STREET) == 300
    and len(LONG_SHOP_STREET) > 80
    and len(LONG_DELIVERY_NAME) > 120
    and len(LONG_IMAGE) > 64
)


def _cut(value: str, width: int) -> str:
    """The cutting rule: the first ``width`` characters, trailing space removed."""
    return value[:width].rstrip()


def _cut_bytes(value: str, max_bytes: int) -> str:
    return value.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore").rstrip()


# shop orders the catalogue adds (write_orders hands out the next ids after the fixture's 7)
O_NO_LINES, O_TOTALS, O_WAITING, O_GONE_ARTICLE, O_GONE_PRODUCT = 8, 9, 10, 11, 12
O_ATLANTIS, O_COUPON, O_TWO_BUYERS, O_EMOJI, O_ODD_EMAIL = 13, 14, 15, 16, 17
O_BUYER_GONE, O_LONG_NAME, O_USD = 18, 19, 20
O_DELIVERED_BY_HAND, O_PARTIAL, O_DELIVERED_TWICE, O_SHIPPED = 21, 22, 23, 24
O_CANCELLED, O_HALF_OPTIONS, O_BASKET, O_PAYPAL = 25, 26, 27, 28
# BO orders imported by an earlier run (auftrag_nr) for the status steps
A_DELIVERED_BY_HAND, A_PARTIAL, A_DELIVERED_TWICE, A_SHIPPED, A_CANCELLED = 1, 2, 3, 4, 5
PAYPAL_ROW = "PayPal IPN Verified [Transaction ID: 8MC585209K746392H; Completed (Verified; 20,99€)]"

GP = 950_000  # the catalogue's BO contacts (gp_id = adress_nr)
MATTHIAS = 2  # demo contact gp_id 2 is shop customer 4 of the fixture


def _product_probe(model: str, column: str, expected: Any, language: str = "de") -> Probe:
    return Probe(
        "shop",
        f"SELECT d.{column} FROM products p JOIN products_description d "
        "ON d.products_id = p.products_id JOIN languages l ON l.languages_id = d.language_id "
        f"WHERE p.products_model = '{model}' AND l.code = '{language}'",
        expected,
    )


def _category_probe(nr: str, expected: str, language: str = "de") -> Probe:
    return Probe(
        "shop",
        "SELECT d.categories_name FROM categories_description d JOIN languages l "
        f"ON l.languages_id = d.language_id WHERE d.categories_id = :id AND l.code = '{language}'",
        expected,
        id_sql=f"SELECT osc_categories_id FROM warengruppe WHERE warengruppe_nr = '{nr}'",
    )


def _customer_probe(gp_id: int, column: str, expected: Any) -> Probe:
    return Probe(
        "shop",
        f"SELECT {column} FROM customers c JOIN address_book a "
        "ON a.address_book_id = c.customers_default_address_id WHERE c.customers_id = :id",
        expected,
        id_sql=f"SELECT osc_customers_id FROM gespraechspartner WHERE gp_id = {gp_id}",
    )


def _contact_probe(customers_id: int, column: str, expected: Any) -> Probe:
    return Probe(
        "bo",
        f"SELECT {column} FROM gespraechspartner g JOIN adresse a ON a.adress_nr = g.adress_nr "
        f"WHERE g.osc_customers_id = {customers_id}",
        expected,
    )


def _order_probe(orders_id: int, sql: str, expected: Any) -> Probe:
    return Probe("bo", sql.replace(":o", str(orders_id)), expected)


def _quantity(model: str, expected: int) -> Probe:
    return Probe(
        "shop", f"SELECT products_quantity FROM products WHERE products_model = '{model}'", expected
    )


def _history(orders_id: int, expected: list) -> Probe:
    return Probe(
        "shop",
        "SELECT o.orders_status, COUNT(h.orders_status_history_id) FROM orders o "
        "JOIN orders_status_history h ON h.orders_id = o.orders_id "
        f"WHERE o.orders_id = {orders_id} GROUP BY o.orders_status",
        expected,
    )


C = CATEGORIES
KINDS: dict[str, Kind] = {
    # --- categories (BO product groups) ---------------------------------------------------
    "cat-long-name": Kind(
        C, ("WG910",), CLEANED, "categories_name cut to 32 characters",
        f"group name '{LONG_GROUP}' ({len(LONG_GROUP)} characters)",
        "cut to the shop's categories_name width (32)",
        _category_probe("WG910", _cut(LONG_GROUP, 32)),
    ),
    "cat-emoji": Kind(
        C, ("WG911",), CLEANED, "4-byte characters removed from categories_name",
        "group name 'Weihnachtsmarkt 🎄'", "4-byte characters removed (utf8 column)",
        _category_probe("WG911", "Weihnachtsmarkt"),
    ),
    "cat-blank-text": Kind(
        C, ("WG912",), CLEANED, "categories_name (de) missing in BO: the BO name used",
        "German group text '   ' (only spaces)",
        "a blank text counts as missing: the BO name (warengruppe.bezeichnung) is used",
        _category_probe("WG912", "Kaffee & Tee"),
    ),
    "cat-no-english": Kind(
        C, ("WG913",), CLEANED, "categories_name (en) missing in BO: default-language text used",
        "group without an English text", "the default language's text is used",
        _category_probe("WG913", "Tischwäsche", "en"),
    ),
    "cat-blank-name": Kind(
        C, ("WG927",), SET_ASIDE, "category name (de) is empty",
        "group name '   ' and German text '  ' (only spaces)", "set aside: no name to show",
    ),
    "cat-control-chars": Kind(
        C, ("WG914",), CLEANED, "control characters removed from categories_name",
        "group name 'Tisch\\x07deko' (a BEL pasted from a terminal)", "control characters removed",
        _category_probe("WG914", "Tischdeko"),
    ),
    "cat-cycle": Kind(
        C, ("WG920", "WG921"), SET_ASIDE, "part of, or below, a cycle of parent groups",
        "WG920 is WG921's parent and WG921 is WG920's", "set aside",
    ),
    "cat-below-cycle": Kind(
        C, ("WG922",), SET_ASIDE, "part of, or below, a cycle of parent groups",
        "group whose parent WG921 is in a cycle", "set aside with the cycle",
    ),
    "cat-parent-missing": Kind(
        C, ("WG923",), SET_ASIDE, "parent product group does not exist in BO",
        "ober_warengruppe_nr 'WG999', which BO does not have", "set aside",
    ),
    "cat-parent-offline": Kind(
        C, ("WG924",), SET_ASIDE, "parent product group is not in the web",
        "web group below WG510, which is not in the web", "set aside (its articles: kept out)",
    ),
    "cat-sort-order": Kind(
        C, ("WG925",), SET_ASIDE, "sort order does not fit the shop's categories.sort_order int",
        "sortierung 3 000 000 000", "set aside: the shop's int cannot hold it",
    ),
    "cat-below-set-aside": Kind(
        C, ("WG926",), SET_ASIDE, "parent product group WG925 was set aside",
        "group below WG925 (set aside)", "set aside with its parent",
    ),
    # --- products (BO articles) -----------------------------------------------------------
    "prod-long-name": Kind(
        PRODUCTS, ("Z-001",), CLEANED, "products_name cut to 64 characters",
        f"article name of {len(LONG_PRODUCT)} characters", "cut to products_name's width (64)",
        _product_probe("Z-001", "products_name", _cut(LONG_PRODUCT, 64)),
    ),
    "prod-emoji-name": Kind(
        PRODUCTS, ("Z-002",), CLEANED, "4-byte characters removed from products_name",
        "name 'Grillschürze 🔥 Profi'", "4-byte characters removed, spaces collapsed",
        _product_probe("Z-002", "products_name", "Grillschürze Profi"),
    ),
    "prod-emoji-text": Kind(
        PRODUCTS, ("Z-003",), CLEANED, "4-byte characters removed from products_description",
        "internet text 'Keimt schnell 🌱 und sicher.'", "4-byte characters removed",
        _product_probe("Z-003", "products_description", "Keimt schnell und sicher."),
    ),
    "prod-huge-text": Kind(
        PRODUCTS, ("Z-004",), CLEANED, "products_description cut to 65535 bytes",
        "internet text of 70 000 bytes", "cut at a character boundary to the TEXT's 65 535 bytes",
        _product_probe("Z-004", "products_description", _cut_bytes(HUGE_TEXT, 65_535)),
    ),
    "prod-blank-text": Kind(
        PRODUCTS, ("Z-005",), CLEANED, "products_name (de) missing in BO: the BO name used",
        "German text name '  ' (only spaces)", "a blank text counts as missing: the BO name",
        _product_probe("Z-005", "products_name", "Pflanzschaufel Edelstahl"),
    ),
    "prod-no-english": Kind(
        PRODUCTS, ("Z-006",), CLEANED, "products_name (en) missing in BO: default-language text used",
        "article with a German text only", "the German text in English too",
        _product_probe("Z-006", "products_name", "Gartenhandschuhe, Gr. 9", "en"),
    ),
    "prod-no-texts": Kind(
        PRODUCTS, ("Z-007",), CLEANED, "products_name (de) missing in BO: the BO name used",
        "article without any artikel_text row", "the BO name (artikel.bezeichnung)",
        _product_probe("Z-007", "products_name", "Unkrautstecher"),
    ),
    "prod-no-weight": Kind(
        PRODUCTS, ("Z-008",), CLEANED, "weight missing in BO: sent as 0",
        "gewicht NULL", "sent as 0",
        Probe("shop", "SELECT products_weight FROM products WHERE products_model = 'Z-008'",
              Decimal("0.00")),
    ),
    "prod-blank-name": Kind(
        PRODUCTS, ("Z-026",), SET_ASIDE, "product name (de) is empty",
        "article name '   ', German text name '  '", "set aside: no name to show",
    ),
    "prod-control-chars": Kind(
        PRODUCTS, ("Z-027",), CLEANED, "control characters removed from products_name",
        "name 'Akku\\x07schrauber\\x00 Set' (BEL, NUL)", "control characters removed",
        _product_probe("Z-027", "products_name", "Akkuschrauber Set"),
    ),
    "prod-negative-weight": Kind(
        PRODUCTS, ("Z-028",), SET_ASIDE, "weight is negative",
        "gewicht -5", "set aside: it would lower the shipping weight of a whole order",
    ),
    "prod-heavy": Kind(
        PRODUCTS, ("Z-009",), SET_ASIDE, "weight does not fit the shop's products.products_weight",
        "gewicht 1200 (kg)", "set aside: decimal(5,2) holds 999.99 at most",
    ),
    "prod-negative-price": Kind(
        PRODUCTS, ("Z-010",), SET_ASIDE, "price is negative", "ladenpreis -14.99", "set aside",
    ),
    "prod-no-price": Kind(
        PRODUCTS, ("Z-011",), SET_ASIDE, "price is missing for the configured price source",
        "ladenpreis NULL (price_source shop)", "set aside",
    ),
    "prod-absurd-price": Kind(
        PRODUCTS, ("Z-013",), SET_ASIDE, "net price does not fit the shop's products.products_price",
        "ladenpreis 1 000 000 000 000", "set aside: decimal(15,4)",
    ),
    "prod-unknown-vat": Kind(
        PRODUCTS, ("Z-014",), SET_ASIDE, "unknown VAT key (not in umsatzsteuer)",
        "ust_schluessel '9' (no such key)", "set aside",
    ),
    "prod-vat-no-class": Kind(
        PRODUCTS, ("Z-015",), SET_ASIDE, "VAT key has no osCommerce tax class",
        "VAT key '0' without osc_tax_class_id", "set aside",
    ),
    "prod-vat-class-unknown-to-shop": Kind(
        PRODUCTS, ("Z-016",), SET_ASIDE, "tax class does not exist in the shop",
        "VAT key '5' (10.7 %) mapped to tax class 7, which the shop lacks", "set aside",
    ),
    "prod-long-model": Kind(
        PRODUCTS, ("Z-0000000000017",), SET_ASIDE,
        "article number longer than the shop's products.products_model",
        "artikel_nr of 15 characters", "set aside (cutting could collide)",
    ),
    "prod-model-case-twin": Kind(
        PRODUCTS, ("A-000040", "a-000040 "), SET_ASIDE,
        "several BO rows share this article number (products_model), but the shop holds fewer",
        "'A-000040' and 'a-000040 ' in BO (case, trailing space), one such product in the shop",
        "both set aside: the shop compares without case and trailing spaces",
    ),
    "prod-model-twice-in-shop": Kind(
        PRODUCTS, ("A-000041",), SET_ASIDE,
        "article number (products_model) is held by several shop rows",
        "the shop admin copied product A-000041 (same model twice)", "set aside: merge first",
    ),
    "prod-group-offline": Kind(
        PRODUCTS, ("Z-020",), KEPT_OUT, HIDE_GROUP_OFFLINE,
        "web article in WG510 (not in the web)", "kept out (hidden if it was in the shop)",
    ),
    "prod-unknown-group": Kind(
        PRODUCTS, ("Z-021",), SET_ASIDE, "product group unknown or set aside",
        "warengruppe_nr 'WG998' (no such group)", "set aside",
    ),
    "prod-group-set-aside": Kind(
        PRODUCTS, ("Z-022",), SET_ASIDE, "product group unknown or set aside",
        "article in WG920 (a cycle)", "set aside with its group",
    ),
    "prod-no-group": Kind(
        PRODUCTS, ("Z-023",), SET_ASIDE, "article has no product group",
        "warengruppe_nr NULL", "set aside",
    ),
    "prod-long-image": Kind(
        PRODUCTS, ("Z-024",), SET_ASIDE, "image path longer than the shop's products.products_image",
        f"bildpfad of {len(LONG_IMAGE)} characters", "set aside (a cut path finds no file)",
    ),
    "prod-set-aside-in-shop": Kind(
        PRODUCTS, ("A-000045",), SET_ASIDE, "price is missing for the configured price source",
        "price deleted in BO for an article already in the shop",
        "set aside, and hidden (status 0) so it never sells at a stale price",
        Probe("shop", "SELECT products_status FROM products WHERE products_model = 'A-000045'", 0),
        also=((HIDDEN, HIDE_SET_ASIDE),),
    ),
    "prod-deleted": Kind(
        PRODUCTS, ("X-000001",), HIDDEN, HIDE_DELETED,
        "article deleted in BO; its link (osc_bindung) remains", "hidden with quantity 0",
        Probe("shop", "SELECT products_status, products_quantity FROM products "
              "WHERE products_model = 'X-000001'", [(0, 0)]),
    ),
    # --- stock ----------------------------------------------------------------------------
    "stock-negative": Kind(
        STOCK, ("A-000051",), CLEANED, "negative stock sent as 0",
        "bestand -7", "sent as 0", _quantity("A-000051", 0),
    ),
    "stock-over-reserved": Kind(
        STOCK, ("A-000052",), CLEANED, "negative stock sent as 0",
        "bestand 3, reserviert 5 (available -2)", "sent as 0", _quantity("A-000052", 0),
    ),
    "stock-beyond-column": Kind(
        STOCK, ("A-000053",), CLEANED, "stock above the shop's maximum sent as 2147483647",
        "bestand 3 000 000 000", "sent as the int column's maximum",
        _quantity("A-000053", 2_147_483_647),
    ),
    "stock-fraction": Kind(
        STOCK, ("A-000054",), CLEANED, "stock with a fraction rounded down",
        "bestand 7.75 (a fraction)", "rounded down: the shop sells whole pieces",
        _quantity("A-000054", 7),
    ),
    # --- customers to the shop (BO contacts) ----------------------------------------------
    "cust-no-email": Kind(
        CUSTOMERS, (f"{GP + 1}",), SET_ASIDE, "contact has no e-mail address",
        "email NULL", "set aside",
    ),
    "cust-invalid-email": Kind(
        CUSTOMERS, (f"{GP + 2}",), SET_ASIDE, "e-mail address is not valid",
        "email 'kai.falsch@'", "set aside",
    ),
    "cust-email-spaces": Kind(
        CUSTOMERS, (f"{GP + 3}",), CLEANED, "spaces around the e-mail removed",
        "email '  eva.leer@example.com '", "trimmed (case kept)",
        _customer_probe(GP + 3, "c.customers_email_address", "eva.leer@example.com"),
    ),
    "cust-duplicate-email": Kind(
        CUSTOMERS, (f"{GP + 4}", f"{GP + 5}"), SET_ASIDE, "several BO rows share this e-mail address",
        "'Doppelt.Mail@example.com' and 'doppelt.mail@EXAMPLE.COM' on two contacts",
        "both set aside",
    ),
    "cust-left-web": Kind(
        CUSTOMERS, (f"{GP + 6}",), KEPT_OUT, LEFT_WEB,
        "contact linked to shop customer 2 left the web (im_web 0)",
        "kept out: the shop customer stays, no longer synced",
    ),
    "cust-email-of-other-customer": Kind(
        CUSTOMERS, (f"{GP + 7}",), SET_ASIDE, "belongs to a shop row of another BO row",
        "email 'anna.gruber@example.invalid', the shop customer of contact 950006",
        "set aside",
    ),
    "cust-blank-lastname": Kind(
        CUSTOMERS, (f"{GP + 20}",), SET_ASIDE, "last name is empty",
        "nachname '   ' (only spaces)", "set aside: the shop's address needs a name",
    ),
    "cust-control-chars": Kind(
        CUSTOMERS, (f"{GP + 21}",), CLEANED, "control characters removed from entry_street_address",
        "strasse 'Lindenweg\\x0b 4' (a vertical tab)", "control characters removed",
        _customer_probe(GP + 21, "a.entry_street_address", "Lindenweg 4"),
    ),
    "cust-country-unmapped": Kind(
        CUSTOMERS, (f"{GP + 8}",), SET_ASIDE, "country (Staat) has no osCommerce country",
        "Staat LI without osc_countries_id", "set aside",
    ),
    "cust-country-not-in-shop": Kind(
        CUSTOMERS, (f"{GP + 9}",), SET_ASIDE, "osCommerce country does not exist in the shop",
        "Staat XK mapped to countries_id 999", "set aside",
    ),
    "cust-invalid-country": Kind(
        CUSTOMERS, (f"{GP + 10}",), SET_ASIDE, "country (Staat) has no osCommerce country",
        "adresse.staat_id 77, which no Staat has", "set aside",
    ),
    "cust-no-postcode": Kind(
        CUSTOMERS, (f"{GP + 11}",), SET_ASIDE, "postal code missing",
        "plz NULL", "set aside: no first password",
    ),
    "cust-blank-postcode": Kind(
        CUSTOMERS, (f"{GP + 12}",), SET_ASIDE, "postal code missing",
        "plz '   ' (only spaces)", "set aside: no first password",
    ),
    "cust-long-street": Kind(
        CUSTOMERS, (f"{GP + 13}",), CLEANED, "entry_street_address cut to 255 characters",
        "strasse of 300 characters", "cut to the shop's width (255)",
        _customer_probe(GP + 13, "a.entry_street_address", _cut(LONG_STREET, 255)),
    ),
    "cust-emoji-name": Kind(
        CUSTOMERS, (f"{GP + 14}",), CLEANED, "4-byte characters removed from customers_firstname",
        "vorname 'Sonja 🌻'", "4-byte characters removed (customers is utf8)",
        _customer_probe(GP + 14, "c.customers_firstname", "Sonja"),
    ),
    "cust-birthday-1850": Kind(
        CUSTOMERS, (f"{GP + 15}",), CLEANED, "birthday before 1900 or in the future",
        "geburtstag 1850-05-01", "sent as no birthday (the shop's zero date)",
        _customer_probe(GP + 15, "CAST(c.customers_dob AS CHAR)", "0000-00-00 00:00:00"),
    ),
    "cust-birthday-future": Kind(
        CUSTOMERS, (f"{GP + 16}",), CLEANED, "birthday before 1900 or in the future",
        "geburtstag 2999-01-01", "sent as no birthday (the shop's zero date)",
        _customer_probe(GP + 16, "CAST(c.customers_dob AS CHAR)", "0000-00-00 00:00:00"),
    ),
    "cust-emoji-utf8mb4": Kind(
        CUSTOMERS, (f"{GP + 17}",), LOADED, "",
        "strasse 'Am Bach 🌊 3', the shop's address_book converted to utf8mb4",
        "kept: the column can store it",
        _customer_probe(GP + 17, "a.entry_street_address", "Am Bach 🌊 3"),
    ),
    "cust-emoji-email": Kind(
        CUSTOMERS, (f"{GP + 18}",), SET_ASIDE, "e-mail address holds 4-byte characters",
        "email 'post📧@example.com'", "set aside: an e-mail is never changed",
    ),
    "cust-email-changed-in-shop": Kind(
        CUSTOMERS, (f"{GP + 19}",), SET_ASIDE, "the shop row of the stored id now holds another",
        "linked to shop customer 3, who changed the e-mail in the shop",
        "set aside with both e-mails: a person decides",
    ),
    "cust-accented-email": Kind(
        CUSTOMERS, (f"{GP + 22}",), SET_ASIDE, "refuse it (tep_validate_email)",
        "email 'rené.dupont@example.invalid' (an accent)",
        "set aside: the shop's own forms refuse it, and it would equal 'rene.dupont@...'",
    ),
    "cust-foreign-account": Kind(
        CUSTOMERS, ("2",), KEPT_OUT, "waiting for confirmation",
        "contact 2's e-mail is held by shop customer 4, who registered himself",
        "linked (orders find him); nothing written either way until the link is confirmed",
    ),
    # --- new customers from the shop (Neukunden) ------------------------------------------
    "new-no-address": Kind(
        NEW_CONTACTS, ("6",), SET_ASIDE, "shop customer has no address_book row",
        "customers_default_address_id pointing at no address_book row", "set aside",
    ),
    "new-duplicate-email": Kind(
        NEW_CONTACTS, ("7", "8"), SET_ASIDE, "held by several shop customers",
        "'Max.Muster@example.invalid' and 'max.muster@example.invalid'",
        "both set aside: merge them in the shop",
    ),
    "new-email-of-two-contacts": Kind(
        NEW_CONTACTS, ("9",), SET_ASIDE, "several BO contacts have this e-mail address",
        "registers with the e-mail two BO contacts share", "set aside",
    ),
    "new-email-of-linked-contact": Kind(
        NEW_CONTACTS, ("10",), SET_ASIDE, f"belongs to BO contact {GP + 19}, linked to shop customer 3",
        "registers with the old e-mail of a linked contact", "set aside",
    ),
    "new-country-unmapped": Kind(
        NEW_CONTACTS, ("11",), SET_ASIDE, "country has no Staat in BO",
        "address in Japan; no Staat maps countries_id 107", "set aside",
    ),
    "new-invalid-email": Kind(
        NEW_CONTACTS, ("12",), SET_ASIDE, "e-mail address is not valid",
        "e-mail 'info@localhost'", "set aside",
    ),
    "new-no-email": Kind(
        NEW_CONTACTS, ("13",), SET_ASIDE, "shop customer has no e-mail address",
        "customers_email_address ''", "set aside",
    ),
    "new-emoji-city": Kind(
        NEW_CONTACTS, ("14",), CLEANED, "4-byte characters removed from BO adresse.ort",
        "entry_city 'Berlin 🐻' (address_book in utf8mb4)", "removed: BO's column is utf8",
        _contact_probe(14, "a.ort", "Berlin"),
    ),
    "new-long-lastname": Kind(
        NEW_CONTACTS, ("15",), CLEANED, "BO gespraechspartner.nachname cut to 60 characters",
        f"last name of {len(LONG_SHOP_LASTNAME)} characters", "cut to BO's width (60)",
        _contact_probe(15, "g.nachname", _cut(LONG_SHOP_LASTNAME, 60)),
    ),
    "new-long-street": Kind(
        NEW_CONTACTS, ("16",), CLEANED, "BO adresse.strasse cut to 80 characters",
        f"street of {len(LONG_SHOP_STREET)} characters (the shop allows 255)",
        "cut to BO's width (80)", _contact_probe(16, "a.strasse", _cut(LONG_SHOP_STREET, 80)),
    ),
    "new-zero-birthday": Kind(
        NEW_CONTACTS, ("17",), LOADED, "", "customers_dob '0000-00-00 00:00:00'",
        "no birthday in BO", _contact_probe(17, "g.geburtstag", None),
    ),
    # --- orders from the shop -------------------------------------------------------------
    "order-no-lines": Kind(
        ORDERS, (str(O_NO_LINES),), SET_ASIDE, "the order has no lines after the grace period",
        "order without orders_products rows, 2.5 hours old", "set aside after the grace period",
    ),
    "order-totals-off": Kind(
        ORDERS, (str(O_TOTALS),), SET_ASIDE,
        "the order's totals are not what the shop's order total modules make of its lines",
        "ot_total 10.00 above the lines and shipping", "set aside after the grace period",
    ),
    "order-half-written": Kind(
        ORDERS, (str(O_WAITING),), KEPT_OUT, "the order has no lines",
        "order placed just now whose lines are not written yet", "waits for the next run",
    ),
    "order-unknown-article": Kind(
        ORDERS, (str(O_GONE_ARTICLE),), SET_ASIDE, "an article of the order is unknown in BO",
        "line for X-000008, a product since deleted in the shop and unknown to BO",
        "set aside whole",
    ),
    "order-deleted-product": Kind(
        ORDERS, (str(O_GONE_PRODUCT),), LOADED, "",
        "line for a product the shop admin deleted (model A-000058, BO knows it)",
        "imported: the article by its model",
        _order_probe(O_GONE_PRODUCT, "SELECT p.artikel_nr FROM auftragsposition p JOIN auftrag a "
                     "ON a.auftrag_nr = p.auftrag_nr WHERE a.osc_orders_id = :o", "A-000058"),
    ),
    "order-unknown-country": Kind(
        ORDERS, (str(O_ATLANTIS),), SET_ASIDE, "a country of the order has no Staat in BO",
        "delivery_country 'Atlantis'", "set aside whole",
    ),
    "order-unknown-total": Kind(
        ORDERS, (str(O_COUPON),), SET_ASIDE, "order total class ot_coupon is not known",
        "an ot_coupon row of an add-on", "set aside whole: book it by hand",
    ),
    "order-ambiguous-buyer": Kind(
        ORDERS, (str(O_TWO_BUYERS),), SET_ASIDE, "the buyer cannot be told apart in BO",
        "buyer's e-mail held by two BO contacts", "set aside",
    ),
    "order-emoji-comment": Kind(
        ORDERS, (str(O_EMOJI),), CLEANED, "4-byte characters removed from BO auftrag.bemerkung",
        "comment 'Bitte beim Nachbarn abgeben 🔔' (history in utf8mb4)", "removed",
        _order_probe(O_EMOJI, "SELECT bemerkung FROM auftrag WHERE osc_orders_id = :o",
                     "Bitte beim Nachbarn abgeben"),
    ),
    "order-odd-email": Kind(
        ORDERS, (str(O_ODD_EMAIL),), LOADED, "",
        "buyer's e-mail '  MATTHIAS.weber@example.com ', the account deleted since",
        "matched to BO contact 2 without case and spaces",
        _order_probe(O_ODD_EMAIL, "SELECT gp_id FROM auftrag WHERE osc_orders_id = :o", MATTHIAS),
    ),
    "order-buyer-deleted": Kind(
        ORDERS, (str(O_BUYER_GONE),), LOADED, "",
        "the buyer deleted the account after ordering", "a new BO address from the order's address",
        _order_probe(O_BUYER_GONE, "SELECT g.nachname, g.osc_customers_id FROM auftrag a JOIN "
                     "gespraechspartner g ON g.gp_id = a.gp_id WHERE a.osc_orders_id = :o",
                     [("Gelöscht", None)]),
    ),
    "order-long-name": Kind(
        ORDERS, (str(O_LONG_NAME),), CLEANED, "BO auftrag.liefer_name cut to 120 characters",
        f"delivery_name of {len(LONG_DELIVERY_NAME)} characters", "cut to BO's width (120)",
        _order_probe(O_LONG_NAME, "SELECT liefer_name FROM auftrag WHERE osc_orders_id = :o",
                     _cut(LONG_DELIVERY_NAME, 120)),
    ),
    "order-options-half-written": Kind(
        ORDERS, (str(O_HALF_OPTIONS),), SET_ASIDE,
        "the option rows of line(s) A-000013 do not add up to the line's price",
        "line with the option 'Farbe: Blau' (+2.50) whose option row is missing, 2.5 hours old",
        "never imported without it; set aside after the grace period",
    ),
    "order-basket-not-emptied": Kind(
        ORDERS, (str(O_BASKET),), KEPT_OUT, "the buyer's basket still holds every line",
        "order placed just now; the buyer's basket still holds its lines (checkout_process.php "
        "empties it after the last line)", "waits: the checkout may still be writing lines",
    ),
    "order-payment-module-rows": Kind(
        ORDERS, (str(O_PAYPAL),), LOADED, "",
        "a payment module's transaction row in the history besides the buyer's comment",
        "the buyer's comment as bemerkung, the module's row as zahlungsinfo",
        _order_probe(O_PAYPAL, "SELECT bemerkung, zahlungsinfo FROM auftrag WHERE osc_orders_id = :o",
                     [("Bitte klingeln", PAYPAL_ROW)]),
    ),
    "order-foreign-currency": Kind(
        ORDERS, (str(O_USD),), LOADED, "", "currency USD, currency_value 1.1",
        "imported in the default currency, with the buyer's currency and value",
        _order_probe(O_USD, "SELECT waehrung, CAST(waehrungsfaktor AS TEXT) FROM auftrag "
                     "WHERE osc_orders_id = :o", [("USD", "1.1")]),
    ),
    # --- order status back to the shop ----------------------------------------------------
    "status-cancelled-by-hand": Kind(
        PROCESSING, (str(A_CANCELLED),), KEPT_OUT, "set in the shop by hand to 'Storniert'",
        "imported order the merchant cancelled in the shop admin (a status of their own)",
        "left alone, no e-mail; the reconciliation lists it",
        _history(O_CANCELLED, [(6, 1)]),
    ),
    "status-moved-by-hand": Kind(
        PROCESSING, (str(A_DELIVERED_BY_HAND),), KEPT_OUT, "set in the shop by hand to 'Delivered'",
        "imported order the shop admin set to Delivered before Processing was reported",
        "not moved back, no e-mail: Processing only from the pending statuses",
        _history(O_DELIVERED_BY_HAND, [(3, 1)]),
    ),
    "status-partial-delivery": Kind(
        DELIVERED, (str(A_PARTIAL),), KEPT_OUT, "partial delivery",
        "delivery note with vollstaendig 0", "no Delivered until the final note",
        _history(O_PARTIAL, [(2, 1)]),
    ),
    "status-delivered-by-hand": Kind(
        DELIVERED, (str(A_DELIVERED_TWICE),), UNCHANGED, "",
        "final delivery note for an order the admin already set to Delivered",
        "no second Delivered history row", _history(O_DELIVERED_TWICE, [(3, 1)]),
    ),
}  # fmt: skip


# --- BO ------------------------------------------------------------------------------------


def _insert(conn: sa.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        columns = list(row)
        conn.execute(
            sa.text(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            ),
            row,
        )


def _group(
    conn: sa.Connection,
    nr: str,
    name: str,
    parent: str | None,
    texts: dict[str, str],
    *,
    im_web: int = 1,
    sort: int = 10,
) -> None:
    _insert(conn, "warengruppe", [{
        "warengruppe_nr": nr, "bezeichnung": name, "ober_warengruppe_nr": parent,
        "sortierung": sort, "im_web": im_web, "geaendert_am": BASE,
    }])  # fmt: skip
    _insert(conn, "warengruppe_text", [
        {"warengruppe_nr": nr, "sprache": lang, "bezeichnung": text, "geaendert_am": BASE}
        for lang, text in texts.items()
    ])  # fmt: skip


def _article(
    conn: sa.Connection,
    nr: str,
    name: str,
    *,
    group: str | None = "WG211",
    texts: dict[str, tuple[str, str | None]] | None = None,
    ust: str | None = "1",
    price: Any = 23.99,
    weight: Any = 0.8,
    image: str | None = None,
    stock: Any = 10,
) -> None:
    """An article in the web with its texts (default: German and English) and stock."""
    if texts is None:
        texts = {"D": (name, "Solide Verarbeitung."), "E": (name, "Solid make.")}
    _insert(conn, "artikel", [{
        "artikel_nr": nr, "bezeichnung": name, "warengruppe_nr": group, "ust_schluessel": ust,
        "listenpreis": price, "ladenpreis": price, "gewicht": weight,
        "bildpfad": image if image is not None else f"artikel/{nr.lower()}.jpg", "im_web": 1,
        "web_sichtbar": 1, "geaendert_am": BASE,
    }])  # fmt: skip
    _insert(conn, "artikel_text", [
        {"artikel_nr": nr, "sprache": lang, "bezeichnung": text_name, "internettext": text,
         "geaendert_am": BASE}
        for lang, (text_name, text) in texts.items()
    ])  # fmt: skip
    _insert(conn, "lagerbestand", [{
        "artikel_nr": nr, "lager_nr": "HL", "bestand": stock, "reserviert": 0, "geaendert_am": BASE,
    }])  # fmt: skip


def _contact(
    conn: sa.Connection,
    n: int,
    vorname: str,
    nachname: str,
    email: str | None,
    *,
    staat_id: int | None = 1,
    plz: str | None = "50667",
    strasse: str = "Hauptstraße 1",
    geburtstag: date | None = None,
    im_web: int = 1,
    osc_customers_id: int | None = None,
) -> None:
    _insert(conn, "adresse", [{
        "adress_nr": GP + n, "strasse": strasse, "plz": plz, "ort": "Köln", "staat_id": staat_id,
        "telefon": "0221 123456", "geaendert_am": BASE,
    }])  # fmt: skip
    _insert(conn, "gespraechspartner", [{
        "gp_id": GP + n, "adress_nr": GP + n, "anrede": "Frau", "vorname": vorname,
        "nachname": nachname, "email": email, "geburtstag": geburtstag, "newsletter": 0,
        "im_web": im_web, "osc_customers_id": osc_customers_id, "geaendert_am": BASE,
    }])  # fmt: skip


def _without_demo_dirt(conn: sa.Connection) -> None:
    """The demo data's own dirty rows go: every bad row of this data set is a tagged kind."""
    articles = "artikel_nr LIKE 'X-%' OR artikel_nr = :long"
    for table in ("artikel_text", "lagerbestand", "artikel"):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE {articles}"), {"long": LONG_ARTIKEL_NR})
    for table in ("warengruppe_text", "warengruppe"):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE warengruppe_nr IN ('WG901', 'WG902')"))
    conn.execute(sa.text("DELETE FROM gespraechspartner WHERE gp_id > :b"), {"b": DIRTY_GP_BASE})
    conn.execute(sa.text("DELETE FROM adresse WHERE adress_nr > :b"), {"b": DIRTY_GP_BASE})


def _bo_catalog(conn: sa.Connection, shop_ids: dict[str, int]) -> None:
    _insert(conn, "umsatzsteuer", [
        {"ust_schluessel": "5", "bezeichnung": "Sondersatz 10,7 %", "satz": 10.7,
         "osc_tax_class_id": 7},
    ])  # fmt: skip
    _group(conn, "WG910", LONG_GROUP, "WG200", {"D": LONG_GROUP, "E": "Garden furniture"})
    _group(conn, "WG911", "Weihnachtsmarkt 🎄", "WG100",
           {"D": "Weihnachtsmarkt 🎄", "E": "Christmas market"})  # fmt: skip
    _group(conn, "WG912", "Kaffee & Tee", "WG100", {"D": "   ", "E": "Coffee & tea"})
    _group(conn, "WG913", "Tischwäsche", "WG100", {"D": "Tischwäsche"})
    _group(conn, "WG914", "Tisch\x07deko", "WG100", {"D": "Tisch\x07deko", "E": "Table decoration"})
    _group(conn, "WG927", "   ", "WG100", {"D": "  "})
    _group(conn, "WG920", "Restposten", "WG921", {"D": "Restposten"})
    _group(conn, "WG921", "Sonderposten", "WG920", {"D": "Sonderposten"})
    _group(conn, "WG922", "Einzelstücke", "WG921", {"D": "Einzelstücke"})
    _group(conn, "WG923", "Vorbestellung", "WG999", {"D": "Vorbestellung"})
    _group(conn, "WG924", "Adventskalender", "WG510", {"D": "Adventskalender"})
    _group(conn, "WG925", "Neuheiten", "WG300", {"D": "Neuheiten"}, sort=3_000_000_000)
    _group(conn, "WG926", "Neuheiten Akku", "WG925", {"D": "Neuheiten Akku"})

    _article(conn, "Z-001", LONG_PRODUCT)
    _article(conn, "Z-002", "Grillschürze 🔥 Profi")
    _article(conn, "Z-003", "Bio-Rasensamen",
             texts={"D": ("Bio-Rasensamen", "Keimt schnell 🌱 und sicher."),
                    "E": ("Organic lawn seed", "Grows fast.")})  # fmt: skip
    _article(conn, "Z-004", "Gartenbuch", texts={"D": ("Gartenbuch", HUGE_TEXT)})
    _article(conn, "Z-005", "Pflanzschaufel Edelstahl",
             texts={"D": ("  ", "Robust."), "E": ("Trowel", "Sturdy.")})  # fmt: skip
    _article(conn, "Z-006", "Gartenhandschuhe, Gr. 9",
             texts={"D": ("Gartenhandschuhe, Gr. 9", "Aus Leder.")})  # fmt: skip
    _article(conn, "Z-007", "Unkrautstecher", texts={})
    _article(conn, "Z-008", "Pflanzstab", weight=None)
    _article(conn, "Z-009", "Gartenhaus Blockbohle", weight=1200)
    _article(conn, "Z-026", "   ", texts={"D": ("  ", "Ohne Namen.")})
    _article(conn, "Z-027", "Akku\x07schrauber\x00 Set")
    _article(conn, "Z-028", "Leichtgewicht", weight=-5)
    _article(conn, "Z-010", "Rasenkantenschere", price=-14.99)
    _article(conn, "Z-011", "Baumschere", price=None)
    _article(conn, "Z-013", "Rasenmähroboter", price=1_000_000_000_000)
    _article(conn, "Z-014", "Kompostbeschleuniger", ust="9")
    _article(conn, "Z-015", "Gutschein Gartenberatung", ust="0")
    _article(conn, "Z-016", "Schnittblumen-Abo", ust="5")
    _article(conn, "Z-0000000000017", "Hochbeet Lärche")
    _article(conn, "a-000040 ", "Vorratsdose Keramik (Doublette)", group="WG130")
    _article(conn, "Z-020", "Lichterkette Außen", group="WG510")
    _article(conn, "Z-021", "Überraschungspaket", group="WG998")
    _article(conn, "Z-022", "Restposten Spaten", group="WG920")
    _article(conn, "Z-023", "Ersatzstiel", group=None)
    _article(conn, "Z-024", "Gießkanne 10 l", image=LONG_IMAGE)
    # A-000045 was in the shop (BO knows its id); its price is deleted
    conn.execute(
        sa.text("UPDATE artikel SET ladenpreis = NULL, listenpreis = NULL, osc_products_id = :p "
                "WHERE artikel_nr = 'A-000045'"),
        {"p": shop_ids["A-000045"]},
    )  # fmt: skip
    # X-000001 was synced (the fixture's shop has it), then deleted in BO: its link remains
    _insert(conn, "osc_bindung", [{
        "entitaet": "products", "bo_schluessel": "X-000001", "osc_id": shop_ids["X-000001"],
        "osc_schluessel": "x-000001",
    }])  # fmt: skip
    stock = {"A-000051": (-7, 0), "A-000052": (3, 5), "A-000053": (3_000_000_000, 0),
             "A-000054": (7.75, 0)}  # fmt: skip
    for nr, (bestand, reserviert) in stock.items():
        conn.execute(sa.text("DELETE FROM lagerbestand WHERE artikel_nr = :n"), {"n": nr})
        _insert(conn, "lagerbestand", [{
            "artikel_nr": nr, "lager_nr": "HL", "bestand": bestand, "reserviert": reserviert,
            "geaendert_am": BASE,
        }])  # fmt: skip


def _bo_contacts(conn: sa.Connection) -> None:
    _insert(conn, "staat", [
        {"staat_id": 9, "iso2": "XK", "bezeichnung": "Kosovo", "osc_countries_id": 999},
    ])  # fmt: skip
    _contact(conn, 1, "Ida", "Ohnemail", None)
    _contact(conn, 2, "Kai", "Falsch", "kai.falsch@")
    _contact(conn, 3, "Eva", "Leer", "  eva.leer@example.com ")
    _contact(conn, 4, "Dora", "Doppelt", "Doppelt.Mail@example.com")
    _contact(conn, 5, "Dirk", "Doppelt", "doppelt.mail@EXAMPLE.COM")
    _contact(conn, 6, "Anna", "Gruber", "anna.gruber@example.invalid", im_web=0,
             osc_customers_id=2)  # fmt: skip
    _contact(conn, 7, "Anne", "Gruber", "anna.gruber@example.invalid")
    _contact(conn, 8, "Marco", "Frick", "marco.frick@example.com", staat_id=8, plz="9490")
    _contact(conn, 9, "Arben", "Krasniqi", "arben.krasniqi@example.com", staat_id=9)
    _contact(conn, 10, "Ines", "Irgendwo", "ines.irgendwo@example.com", staat_id=77)
    _contact(conn, 11, "Otto", "Ohneplz", "otto.ohneplz@example.com", plz=None)
    _contact(conn, 12, "Paula", "Leerplz", "paula.leerplz@example.com", plz="   ")
    _contact(conn, 13, "Lars", "Langstraße", "lars.lang@example.com", strasse=LONG_STREET)
    _contact(conn, 14, "Sonja 🌻", "Blum", "sonja.blum@example.net")
    _contact(conn, 15, "Uralt", "Geboren", "u.geboren@example.com", geburtstag=date(1850, 5, 1))
    _contact(conn, 16, "Zukunft", "Geboren", "z.geboren@example.com",
             geburtstag=date(2999, 1, 1))  # fmt: skip
    _contact(conn, 17, "Wanda", "Welle", "wanda.welle@example.com", strasse="Am Bach 🌊 3")
    _contact(conn, 18, "Emil", "Emoji", "post📧@example.com")
    _contact(conn, 19, "Zoë", "O'Brien", "zoe.alt@example.invalid", staat_id=6,
             osc_customers_id=3)  # fmt: skip
    _contact(conn, 20, "Leni", "   ", "leni.leer@example.com")
    _contact(conn, 21, "Theo", "Tabulator", "theo.tab@example.com", strasse="Lindenweg\x0b 4")
    _contact(conn, 22, "René", "Dupont", "rené.dupont@example.invalid")


def _bo_orders(conn: sa.Connection) -> None:
    """Four orders an earlier run imported (Matthias, gp 2), for the status steps."""
    done = {A_DELIVERED_BY_HAND: (O_DELIVERED_BY_HAND, None), A_PARTIAL: (O_PARTIAL, 2),
            A_DELIVERED_TWICE: (O_DELIVERED_TWICE, 2), A_SHIPPED: (O_SHIPPED, 2),
            A_CANCELLED: (O_CANCELLED, None)}  # fmt: skip
    for auftrag, (orders_id, reported) in done.items():
        _insert(conn, "auftrag", [{
            "auftrag_nr": auftrag, "adress_nr": 10_002, "gp_id": MATTHIAS,
            "auftragsdatum": ORDERED - timedelta(days=3), "email": "matthias.weber@example.com",
            "summe_brutto": 16.99, "osc_orders_id": orders_id, "osc_status_gemeldet": reported,
            "geaendert_am": BASE,
        }])  # fmt: skip
    notes = [(1, A_PARTIAL, "JJD0001", 0), (2, A_DELIVERED_TWICE, "JJD0002", 1),
             (3, A_SHIPPED, "JJD0003", 1)]  # fmt: skip
    _insert(conn, "lieferschein", [
        {"lieferschein_nr": n, "auftrag_nr": a, "lieferdatum": ORDERED, "sendungsnummer": s,
         "vollstaendig": v, "geaendert_am": BASE}
        for n, a, s, v in notes
    ])  # fmt: skip
    conn.execute(sa.text("UPDATE nummernkreis SET letzte_nr = :n WHERE name = 'auftrag'"),
                 {"n": A_CANCELLED})  # fmt: skip


# --- shop ----------------------------------------------------------------------------------

SHOP_PASSWORD = "$P$DxTu9r4hP0b1Qx8Jm1mT5d0sZb7fHq."  # a phpass hash, as create_account.php


def _register(
    conn: sa.Connection,
    cid: int,
    first: str,
    last: str,
    email: str,
    *,
    country: int = 81,
    city: str = "Köln",
    street: str = "Ringstraße 5",
    company: str = "",
    dob: str = "1980-04-04 00:00:00",
    address: bool = True,
) -> None:
    """A customer as create_account.php writes one (address_book_id = customers_id here)."""
    conn.execute(sa.insert(t.customers), [{
        "customers_id": cid, "customers_gender": "f", "customers_firstname": first,
        "customers_lastname": last, "customers_dob": dob, "customers_email_address": email,
        "customers_default_address_id": cid, "customers_telephone": "0221 555", "customers_fax": "",
        "customers_password": SHOP_PASSWORD, "customers_newsletter": "",
    }])  # fmt: skip
    if address:
        conn.execute(sa.insert(t.address_book), [{
            "address_book_id": cid, "customers_id": cid, "entry_gender": "f",
            "entry_company": company, "entry_firstname": first, "entry_lastname": last,
            "entry_street_address": street, "entry_suburb": "", "entry_postcode": "50667",
            "entry_city": city, "entry_state": "", "entry_country_id": country, "entry_zone_id": 0,
        }])  # fmt: skip
    conn.execute(sa.insert(t.customers_info), [{
        "customers_info_id": cid, "customers_info_number_of_logons": 1,
        "customers_info_date_account_created": ORDERED - timedelta(days=1),
        "global_product_notifications": 0,
    }])  # fmt: skip


def _shop_customers(shop: sa.Engine) -> None:
    with shop.begin() as conn:  # the owner converted address_book to utf8mb4
        conn.execute(sa.text("ALTER TABLE address_book CONVERT TO CHARACTER SET utf8mb4 "
                             "COLLATE utf8mb4_unicode_ci"))  # fmt: skip
        conn.execute(sa.text("ALTER TABLE orders_status_history MODIFY comments "
                             "TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))  # fmt: skip
    with shop.begin() as conn:
        _register(conn, 6, "Nora", "Ohneadresse", "nora@example.invalid", address=False)
        _register(conn, 7, "Max", "Muster", "Max.Muster@example.invalid")
        _register(conn, 8, "Maximilian", "Muster", "max.muster@example.invalid")
        _register(conn, 9, "Dora", "Doppelt", "doppelt.mail@example.com")
        _register(conn, 10, "Zoe", "Neu", "zoe.alt@example.invalid")
        _register(conn, 11, "Haruki", "Tanaka", "haruki.tanaka@example.invalid", country=107,
                  city="Tokyo")  # fmt: skip
        _register(conn, 12, "Info", "Localhost", "info@localhost")
        _register(conn, 13, "Nils", "Nomail", "")
        _register(conn, 14, "Mia", "Bär", "mia.baer@example.invalid", city="Berlin 🐻")
        _register(conn, 15, "Konstantin", LONG_SHOP_LASTNAME, "k.hohenfels@example.invalid")
        _register(conn, 16, "Hella", "Halle", "hella.halle@example.invalid",
                  street=LONG_SHOP_STREET)  # fmt: skip
        _register(conn, 17, "Nina", "Nulldatum", "nina.nulldatum@example.invalid",
                  dob="0000-00-00 00:00:00")  # fmt: skip
        _register(conn, 18, "Greta", "Gelöscht", "greta.geloescht@example.invalid")
        _register(conn, 19, "Matthias", "Weber", "m.weber.zweitkonto@example.invalid")


def _shop_orders(shop: sa.Engine, ids: dict[str, int]) -> None:
    def line(*models: str) -> tuple[Line, ...]:
        return tuple(Line(ids[m], 1) for m in models)

    def order(customer: int, *models: str, **values: Any) -> Checkout:
        return Checkout(
            customers_id=customer, lines=line(*models), **{"purchased": ORDERED, **values}
        )

    orders = [
        order(1, "A-000011"),  # O_NO_LINES
        order(1, "A-000011"),  # O_TOTALS
        order(1, "A-000011", purchased=None),  # O_WAITING: now, on the shop's clock
        order(1, "X-000008"),  # O_GONE_ARTICLE
        order(1, "A-000058"),  # O_GONE_PRODUCT
        order(1, "A-000011"),  # O_ATLANTIS
        order(1, "A-000011"),  # O_COUPON
        order(9, "A-000011"),  # O_TWO_BUYERS
        order(1, "A-000011", comment="Bitte beim Nachbarn abgeben 🔔"),  # O_EMOJI
        order(19, "A-000011"),  # O_ODD_EMAIL
        order(18, "A-000012"),  # O_BUYER_GONE
        order(1, "A-000011"),  # O_LONG_NAME
        order(1, "A-000011", currency="USD"),  # O_USD
        order(4, "A-000017", status=3),  # O_DELIVERED_BY_HAND
        order(4, "A-000017", status=2),  # O_PARTIAL
        order(4, "A-000017", status=3),  # O_DELIVERED_TWICE
        order(4, "A-000017", status=2),  # O_SHIPPED
        order(4, "A-000017", status=6),  # O_CANCELLED
        Checkout(1, (Line(ids["A-000013"], 1, (("Farbe", "Blau", Decimal("2.50")),)),),
                 ORDERED),  # O_HALF_OPTIONS  # fmt: skip
        order(7, "A-000011", purchased=None),  # O_BASKET
        order(1, "A-000011", comment="Bitte klingeln"),  # O_PAYPAL
    ]
    with shop.begin() as conn:  # the merchant's own status (admin: Localization > Orders Status)
        conn.execute(sa.text("INSERT INTO orders_status VALUES (6, 1, 'Cancelled', 1, 0), "
                             "(6, 2, 'Storniert', 1, 0)"))  # fmt: skip
    written = write_orders(shop, orders)
    assert written == list(range(O_NO_LINES, O_PAYPAL + 1)), written
    with shop.begin() as conn:
        run = conn.execute
        run(sa.text("DELETE FROM orders_products_attributes WHERE orders_id = :o"),
            {"o": O_HALF_OPTIONS})  # fmt: skip
        run(sa.text("INSERT INTO customers_basket (customers_id, products_id, "
                    "customers_basket_quantity, customers_basket_date_added) "
                    "SELECT 7, products_id, products_quantity, DATE_FORMAT(NOW(), '%Y%m%d') "
                    "FROM orders_products WHERE orders_id = :o"), {"o": O_BASKET})  # fmt: skip
        run(sa.text("INSERT INTO orders_status_history (orders_id, orders_status_id, date_added, "
                    "customer_notified, comments) VALUES (:o, 4, :t, 0, :c)"),
            {"o": O_PAYPAL, "t": ORDERED, "c": PAYPAL_ROW})  # fmt: skip
        for orders_id in (O_NO_LINES, O_WAITING):  # no lines (yet)
            run(sa.text("DELETE FROM orders_products WHERE orders_id = :o"), {"o": orders_id})
        run(sa.text("UPDATE orders_total SET value = value + 10 WHERE orders_id = :o "
                    "AND class = 'ot_total'"), {"o": O_TOTALS})  # fmt: skip
        run(sa.text("UPDATE orders SET delivery_country = 'Atlantis' WHERE orders_id = :o"),
            {"o": O_ATLANTIS})  # fmt: skip
        run(sa.text("INSERT INTO orders_total (orders_id, title, text, value, class, sort_order) "
                    "VALUES (:o, 'Gutschein:', '-5,00€', -5.0000, 'ot_coupon', 3)"),
            {"o": O_COUPON})  # fmt: skip
        run(sa.text("UPDATE orders SET customers_email_address = '  MATTHIAS.weber@example.com ' "
                    "WHERE orders_id = :o"), {"o": O_ODD_EMAIL})  # fmt: skip
        run(sa.text("UPDATE orders SET delivery_name = :n WHERE orders_id = :o"),
            {"n": LONG_DELIVERY_NAME, "o": O_LONG_NAME})  # fmt: skip
        run(sa.text("UPDATE orders SET currency_value = 1.1 WHERE orders_id = :o"), {"o": O_USD})
        for cid in (18, 19):  # accounts deleted after ordering (admin/customers.php)
            for table, column in (("address_book", "customers_id"), ("customers_info",
                                  "customers_info_id"), ("customers", "customers_id")):  # fmt: skip
                run(sa.text(f"DELETE FROM {table} WHERE {column} = :c"), {"c": cid})
        for model in ("X-000008", "A-000058"):  # products deleted in the shop admin
            pid = ids[model]
            for table in ("products_description", "products_to_categories", "products"):
                run(sa.text(f"DELETE FROM {table} WHERE products_id = :p"), {"p": pid})


def _shop_catalog(shop: sa.Engine, ids: dict[str, int]) -> None:
    """The shop admin copied A-000041 (admin/categories.php "copy to": same model)."""
    with shop.begin() as conn:
        pid = ids["A-000041"]
        copy = int(conn.execute(sa.text("SELECT MAX(products_id) + 1 FROM products")).scalar_one())
        columns = [c.name for c in t.products.c if c.name != "products_id"]
        conn.execute(sa.text(
            f"INSERT INTO products (products_id, {', '.join(columns)}) "
            f"SELECT :copy, {', '.join(columns)} FROM products WHERE products_id = :p"
        ), {"copy": copy, "p": pid})  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO products_description (products_id, language_id, products_name, "
            "products_description, products_url, products_viewed) SELECT :copy, language_id, "
            "products_name, products_description, products_url, 0 FROM products_description "
            "WHERE products_id = :p"
        ), {"copy": copy, "p": pid})  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO products_to_categories (products_id, categories_id) "
            "SELECT :copy, categories_id FROM products_to_categories WHERE products_id = :p"
        ), {"copy": copy, "p": pid})  # fmt: skip


def build(bo: sa.Engine, shop: sa.Engine) -> None:
    """The whole data set: ``bo`` an empty database (SQLite), ``shop`` shop-with-orders."""
    with shop.connect() as conn:
        ids = {
            str(m): int(p)
            for m, p in conn.execute(sa.text("SELECT products_model, products_id FROM products"))
        }
    create_reference_schema(bo)
    generate(bo, articles=120)  # the catalog the fixture's shop was synced from
    with bo.begin() as conn:
        _without_demo_dirt(conn)
        _bo_catalog(conn, ids)
        _bo_contacts(conn)
        _bo_orders(conn)
    _shop_customers(shop)
    _shop_orders(shop, ids)
    _shop_catalog(shop, ids)
