"""Shop orders -> BO Auftraege: the business rules, as pure functions.

- **Fully written.** osCommerce writes an order statement by statement without a
  transaction (``checkout_process.php``: the order, its totals, the buyer's history row, then
  per line the stock, the line and its option rows; last it empties the buyer's basket). An
  order is taken only when every sign of a finished checkout is there: its totals are what the
  shop's order total modules make of its lines (``order_totals.explain_totals``), each line's
  option rows account for its price, the checkout's own history row exists, the buyer's basket
  no longer holds the order's products, and nothing was written to it for the settle time,
  measured on the shop's own clock. An order a payment module wrote at its confirmation page
  (a history row in the module's transaction status: PayPal moved it on) was complete before
  it left its "Preparing" status; the basket waits for the buyer's return there, so it does
  not count. An order that is still not fully written after the grace period is set aside
  with the reason.
- **Statuses.** Every order BO does not have is imported, except in the statuses that are not
  yet a sale (payment modules' "Preparing" statuses); the Auftrag keeps the status it had.
  Processing comes only from the pending statuses, Delivered only from those or Processing:
  a status the merchant set by hand is never moved, and nothing is written twice.
- **The buyer's own data.** The comment is the checkout's history row (the first one that is
  not a payment module's transaction row); the payment module's rows go to their own field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from bo_oscommerce.identity import AMBIGUOUS, MATCHED, resolve
from bo_oscommerce.transform.emails import DEFAULT_COLLATION, compare_key
from bo_oscommerce.transform.order_totals import (
    StoredLine,
    StoredTotal,
    TaxChoice,
    Totals,
    TotalsSettings,
    explain_totals,
)
from bo_oscommerce.transform.tax_rates import TaxTable

READY, WAITING, ASIDE = "ready", "waiting", "aside"


@dataclass(frozen=True)
class ShopRules:
    """What the shop's configuration and reference tables say, read once per run."""

    with_tax: bool = True  # DISPLAY_PRICE_WITH_TAX
    shipping_tax_classes: tuple[int, ...] = ()  # MODULE_SHIPPING_<X>_TAX_CLASS, installed
    fee: float | None = None  # MODULE_ORDER_TOTAL_LOWORDERFEE_FEE, when installed
    fee_tax_class: int = 0
    tax: TaxTable = field(default_factory=lambda: TaxTable([]))
    places: Mapping[str, int] = field(default_factory=dict)  # currency code -> decimals
    hold: frozenset[int] = frozenset()  # not yet a sale: payment modules' Preparing statuses
    transactions: frozenset[int] = frozenset()  # payment modules' transaction rows
    countries: Mapping[str, int] = field(default_factory=dict)  # countries_name -> id
    zones: Mapping[tuple[int, str], int] = field(default_factory=dict)  # (country, name) -> id
    email_collation: str = DEFAULT_COLLATION  # how customers_email_address compares (login)


@dataclass(frozen=True)
class History:
    """An ``orders_status_history`` row."""

    history_id: int
    status: int
    added: datetime | None
    comments: str


@dataclass(frozen=True)
class OrderLine:
    """An ``orders_products`` row with its options."""

    orders_products_id: int
    products_id: int
    model: str | None
    name: str
    stored: StoredLine
    option_texts: tuple[str, ...] = ()  # "Farbe: Blau"


@dataclass(frozen=True)
class ShopOrder:
    """Everything the shop holds about one order, and what the buyer's basket still holds."""

    header: Mapping[str, Any]  # the orders row
    lines: tuple[OrderLine, ...]
    totals: tuple[StoredTotal, ...]  # by orders_total_id
    history: tuple[History, ...]  # by orders_status_history_id
    # (products_id, quantity) of the buyer's basket rows up to the order's day, when this is
    # the buyer's newest order (the basket is emptied at the end of each checkout)
    basket: tuple[tuple[int, int], ...] = ()

    @property
    def orders_id(self) -> int:
        return int(self.header["orders_id"])


@dataclass(frozen=True)
class Readiness:
    state: str  # READY, WAITING or ASIDE
    reason: str = ""
    totals: Totals | None = None


def purchase_date(value: Any) -> datetime | None:
    """The order's date_purchased, or None when the shop holds none it could have written
    (NULL, the zero date, text)."""
    try:
        moment = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(moment) or moment.year < 1970 else moment.to_pydatetime()


def order_country(head: Mapping[str, Any], prefix: str, rules: ShopRules) -> int | None:
    """The countries_id of an order's address (``prefix``: customers, delivery, billing): the
    id the shop wrote beside it where it writes one (CE Phoenix's ``*_country_id``), else the
    id of the country whose name the order holds (2.3 writes the name only)."""
    written = head.get(f"{prefix}_country_id")
    if written is not None and written == written and int(written) > 0:
        return int(written)
    return rules.countries.get(str(head.get(f"{prefix}_country") or ""))


def totals_settings(order: ShopOrder, rules: ShopRules) -> TotalsSettings:
    """The shop's settings for this order: the tax of its shipping and fee where it went."""
    country = order_country(order.header, "delivery", rules) or 0
    zone = rules.zones.get((country, str(order.header.get("delivery_state") or "")), 0)
    shipping = tuple(
        dict.fromkeys(rules.tax.choice(c, country, zone) for c in rules.shipping_tax_classes)
    )
    return TotalsSettings(
        with_tax=rules.with_tax,
        places=rules.places.get(str(order.header.get("currency") or ""), 2),
        shipping=shipping,
        fee=rules.fee,
        fee_tax=rules.tax.choice(rules.fee_tax_class, country, zone)
        if rules.fee_tax_class
        else TaxChoice(0.0),
        rates=tuple(rules.tax.choice(c, country, zone) for c in rules.tax.classes()),
    )


def _written_by_payment_module(order: ShopOrder, rules: ShopRules) -> bool:
    return any(h.status in rules.transactions for h in order.history)


def unfinished(order: ShopOrder, rules: ShopRules) -> str | None:
    """Why the order's rows may still be being written (None: the checkout finished)."""
    broken = [line for line in order.lines if not line.stored.options_add_up]
    if broken:
        names = ", ".join(f"{line.model or line.products_id}" for line in broken)
        return f"the option rows of line(s) {names} do not add up to the line's price"
    if _written_by_payment_module(order, rules):
        return None
    if checkout_row(order.history, rules) is None:
        return "the checkout's status history row is missing"
    if order.basket and _in_basket(order):
        return (
            "the buyer's basket still holds every line of this order (the checkout empties it "
            "after writing the last line)"
        )
    return None


def _in_basket(order: ShopOrder) -> bool:
    """Every line written so far is in the buyer's basket, with its quantity: the basket is
    still the cart this order is being written from."""
    basket = Counter(order.basket)
    lines = Counter((line.products_id, int(line.stored.quantity)) for line in order.lines)
    return all(basket[item] >= count for item, count in lines.items())


def readiness(
    order: ShopOrder,
    rules: ShopRules,
    shop_now: datetime,
    settle: timedelta,
    grace: timedelta,
) -> Readiness:
    """Whether the order can be imported now, must wait, or is set aside (after ``grace``)."""
    purchased = purchase_date(order.header.get("date_purchased"))
    explained = explain_totals(
        [line.stored for line in order.lines], order.totals, totals_settings(order, rules)
    )
    problem = explained if isinstance(explained, str) else unfinished(order, rules)
    if problem is not None:
        if purchased is not None and shop_now - purchased < grace:
            return Readiness(WAITING, problem)
        minutes = int(grace.total_seconds() // 60)
        return Readiness(ASIDE, f"{problem} after the grace period of {minutes} minutes")
    assert not isinstance(explained, str)
    written = [purchased, purchase_date(order.header.get("last_modified"))]
    written += [h.added for h in order.history]
    last = max((w for w in written if w is not None), default=None)
    if last is not None and shop_now - last < settle:
        return Readiness(
            WAITING, f"written less than {int(settle.total_seconds())} s ago", explained
        )
    return Readiness(READY, "", explained)


def checkout_row(history: Sequence[History], rules: ShopRules) -> History | None:
    """The row ``checkout_process.php`` wrote with the buyer's comment: the first that is not
    a payment module's transaction row (PayPal writes its verification before it)."""
    return next((h for h in history if h.status not in rules.transactions), None)


def comments(history: Sequence[History], rules: ShopRules) -> tuple[str | None, str | None]:
    """(the buyer's comment, the payment module's transaction texts) of an order."""
    row = checkout_row(history, rules)
    comment = (row.comments or "").strip() if row else ""
    payment = "\n".join(
        h.comments.strip() for h in history if h.status in rules.transactions and h.comments
    )
    return comment or None, payment or None


# --- names ----------------------------------------------------------------------------------

# Where a last name starts: name particles and titles of nobility that belong to it
PARTICLES = {
    "von", "vom", "van", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "zu",
    "zum", "zur", "ten", "ter", "te", "op", "freiherr", "freifrau", "freiin", "graf", "gräfin",
    "baron", "baronin", "prinz", "prinzessin", "edler", "edle", "ritter", "mac", "mc", "o'",
}  # fmt: skip


def split_name(full: object) -> tuple[str, str]:
    """A name the order holds as one ("first last") as (first name, last name): the last name
    starts at the first particle or title of nobility after the first word ("Hans Peter von
    der Heide" -> "Hans Peter" / "von der Heide"), else it is the last word."""
    words = " ".join(str(full or "").split()).split(" ")
    words = [w for w in words if w]
    if len(words) < 2:
        return "", " ".join(words)
    start = next(
        (i for i, w in enumerate(words) if i > 0 and w.casefold() in PARTICLES), len(words) - 1
    )
    return " ".join(words[:start]), " ".join(words[start:])


# --- statuses -------------------------------------------------------------------------------

PREPARING = re.compile(r"^\s*preparing\b", re.IGNORECASE)
TRANSACTIONS = re.compile(r"\[\s*transactions?\s*\]", re.IGNORECASE)


def hold_statuses(names: Iterable[tuple[int, str]], configured: Iterable[int]) -> frozenset[int]:
    """The shop's statuses that are not yet a sale: those named "Preparing ..." in any
    language, and every ``*_PREPARE_ORDER_STATUS_ID`` a payment module configured."""
    named = {int(i) for i, name in names if PREPARING.search(str(name))}
    return frozenset(named | {int(c) for c in configured if int(c) > 0})


def transaction_statuses(
    names: Iterable[tuple[int, str]], configured: Iterable[int]
) -> frozenset[int]:
    """The statuses payment modules write their transaction rows in ("PayPal [Transactions]",
    every ``*_TRANSACTIONS_ORDER_STATUS_ID``)."""
    named = {int(i) for i, name in names if TRANSACTIONS.search(str(name))}
    return frozenset(named | {int(c) for c in configured if int(c) > 0})


def status_sources(event: str, pending: Sequence[int], processing: int) -> list[int]:
    """The shop statuses an order may be moved from: Processing only from a pending status,
    Delivered only from a pending status or Processing. Any other status (Delivered already,
    cancelled, one of the merchant's own) was set by hand and is left alone."""
    if event == "processing":
        return list(pending)
    return [*pending, processing]


# --- the Auftrag ----------------------------------------------------------------------------


def position_texts(lines: Sequence[OrderLine]) -> list[str]:
    """A position's text: the product name with the chosen options, e.g.
    ``Holzschrauben (Farbe: Blau)``."""
    return [
        f"{line.name} ({', '.join(line.option_texts)})" if line.option_texts else line.name
        for line in lines
    ]


def positions(
    order: ShopOrder, totals: Totals, article_of: Mapping[int, str], by_model: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The order's positions (lines, then the low order fee with its own tax rate) and the
    lines whose article BO does not know."""
    rows, unknown = [], []
    for number, (line, text) in enumerate(
        zip(order.lines, position_texts(order.lines), strict=True), 1
    ):
        nr = article_of.get(line.products_id) or by_model.get(str(line.model or "").casefold())
        if nr is None:
            unknown.append(f"{line.model} (products_id {line.products_id})")
        rows.append(
            {"osc_orders_id": order.orders_id, "pos_nr": number, "artikel_nr": nr,
             "bezeichnung": text, "menge": int(line.stored.quantity),
             "einzelpreis_netto": line.stored.final_price, "ust_satz": line.stored.tax}
        )  # fmt: skip
    if totals.fee_net is not None:
        rows.append(
            {"osc_orders_id": order.orders_id, "pos_nr": len(rows) + 1, "artikel_nr": None,
             "bezeichnung": totals.fee_title or "Low Order Fee", "menge": 1,
             "einzelpreis_netto": totals.fee_net, "ust_satz": totals.fee_rate}
        )  # fmt: skip
    return rows, unknown


def auftrag(
    order: ShopOrder, totals: Totals, rules: ShopRules, staat_of: Mapping[int, int]
) -> dict[str, Any]:
    """The Auftrag of an order (without its buyer): addresses, payment, the buyer's comment,
    the payment module's texts, amounts, and the shop status it had."""
    head = order.header
    comment, payment = comments(order.history, rules)

    def staat(prefix: str) -> int | None:
        cid = order_country(head, prefix, rules)
        return staat_of.get(cid) if cid is not None else None

    purchased = purchase_date(head.get("date_purchased"))
    return {
        "osc_orders_id": order.orders_id,
        "date_problem": None if purchased else f"date_purchased is {head.get('date_purchased')!r}",
        "auftragsdatum": purchased,
        "email": str(head.get("customers_email_address") or "").strip() or None,
        **{f"liefer_{k}": v for k, v in _address(head, "delivery", staat).items()},
        **{f"rechnung_{k}": v for k, v in _address(head, "billing", staat).items()},
        "unknown_countries": ", ".join(
            sorted(
                {
                    str(head.get(f"{p}_country"))
                    for p in ("customers", "delivery", "billing")
                    if staat(p) is None
                }
            )
        )
        or None,  # fmt: skip
        "zahlungsart": head.get("payment_method"),
        "zahlungsinfo": payment,
        "waehrung": head.get("currency"),
        "waehrungsfaktor": head.get("currency_value"),
        "bemerkung": comment,
        "summe_brutto": totals.gross,
        "summe_steuer": totals.vat,
        "summe_netto": totals.net,
        "versandkosten": totals.shipping_net,
        "versand_ust_satz": totals.shipping_rate,
        "osc_status_bei_import": int(head["orders_status"]),
    }


def _address(head: Mapping[str, Any], prefix: str, staat: Any) -> dict[str, Any]:
    return {
        "name": head.get(f"{prefix}_name"),
        "firma": head.get(f"{prefix}_company") or None,
        "strasse": head.get(f"{prefix}_street_address"),
        "plz": head.get(f"{prefix}_postcode"),
        "ort": head.get(f"{prefix}_city"),
        "staat_id": staat(prefix),
    }


def buyer_from_order(order: ShopOrder, rules: ShopRules) -> dict[str, Any]:
    """A buyer whose shop account is gone, as a shop customer row (``customers_with_address``'s
    columns) made from the order's customer address, the name split by ``split_name``."""
    head = order.header
    first, last = split_name(head.get("customers_name"))
    country = order_country(head, "customers", rules)
    return {
        "customers_id": None,
        "customers_gender": None,
        "customers_firstname": first,
        "customers_lastname": last,
        "customers_dob": None,
        "customers_email_address": head.get("customers_email_address"),
        "customers_telephone": head.get("customers_telephone"),
        "customers_newsletter": "",
        "address_book_id": 0,
        "entry_company": head.get("customers_company") or None,
        "entry_street_address": head.get("customers_street_address"),
        "entry_postcode": head.get("customers_postcode"),
        "entry_city": head.get("customers_city"),
        "entry_state": head.get("customers_state") or "",
        "entry_country_id": country,
        "zone_name": None,
    }


@dataclass
class BuyerMatch:
    """Who bought each order, in BO's terms."""

    contact: dict[int, tuple[int, int]] = field(default_factory=dict)  # order -> gp, adresse
    new: dict[int, str] = field(default_factory=dict)  # order -> key of a contact to create
    problem: dict[int, str] = field(default_factory=dict)  # order -> why no buyer is certain
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> shop customer row


def match_buyers(
    orders: Sequence[ShopOrder],
    contacts: pd.DataFrame,
    customers: Mapping[int, dict[str, Any]],
    rules: ShopRules,
) -> BuyerMatch:
    """Each order's buyer: the BO contact linked to its shop customer; else, by the buyer's
    e-mail as the shop compares it (one e-mail is one login, whatever account wrote the
    order: a deleted one, a second one of the same person), the one BO contact with that
    e-mail (the identity rule: several are set aside); else one new contact per e-mail, made
    from the shop customer the shop's login finds for it (the lowest id; ``customers``: the
    rows of those that still exist) or, when every account is gone, from the order's own
    address.

    ``contacts``: gp_id, adress_nr, osc_customers_id, email_key."""
    linked = {
        int(c): (int(g), int(a))
        for c, g, a in zip(contacts["osc_customers_id"], contacts["gp_id"],
                           contacts["adress_nr"], strict=True)
        if not pd.isna(c)
    }  # fmt: skip
    match = BuyerMatch()
    for order in sorted(orders, key=lambda o: o.orders_id):
        cid = order.header.get("customers_id")
        cid = None if cid is None or pd.isna(cid) else int(cid)
        if cid in linked:
            match.contact[order.orders_id] = linked[cid]
            continue
        row = customers[cid] if cid in customers else buyer_from_order(order, rules)
        mail = compare_key(row["customers_email_address"], rules.email_collation)
        key = f"e{mail}" if mail else f"o{order.orders_id}"
        match.new[order.orders_id] = key
        known = match.rows.get(key)
        if known is None or _login_prefers(row, known):
            match.rows[key] = row
    if not match.rows:
        return match
    wanted = pd.DataFrame(
        {"key": list(match.rows), "stored_id": pd.NA,
         "natural_key": [k[1:] if k.startswith("e") else None for k in match.rows]}
    )  # fmt: skip
    free = contacts[contacts["email_key"].notna()]
    shop = pd.DataFrame(
        {"shop_id": free["gp_id"].astype("int64"), "natural_key": free["email_key"]}
    )
    identity = resolve(wanted, shop, key="key", what="e-mail address")
    adresse = dict(
        zip(contacts["gp_id"].astype(int), contacts["adress_nr"].astype(int), strict=True)
    )
    found = dict(zip(wanted["key"], zip(identity.shop_id, identity.how, strict=True), strict=True))
    sharing = free.groupby("email_key")["gp_id"].agg(lambda ids: ", ".join(map(str, sorted(ids))))
    for oid, key in list(match.new.items()):
        gp, how = found[key]
        if how == MATCHED:
            match.contact[oid] = (int(gp), adresse[int(gp)])
        elif how == AMBIGUOUS:
            match.problem[oid] = (
                f"several BO contacts ({sharing[key[1:]]}) have the buyer's e-mail address: "
                "make them differ in BO"
            )
        else:
            continue
        del match.new[oid]
    match.rows = {k: r for k, r in match.rows.items() if k in set(match.new.values())}
    return match


def _login_prefers(row: Mapping[str, Any], known: Mapping[str, Any]) -> bool:
    """Of two rows for one e-mail, the shop's login takes the existing customer with the
    lowest id."""
    mine, theirs = row.get("customers_id"), known.get("customers_id")
    if mine is None or pd.isna(mine):
        return False
    return theirs is None or pd.isna(theirs) or int(mine) < int(theirs)
