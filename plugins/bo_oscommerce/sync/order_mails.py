"""The buyer's e-mail when an order's status changes, as the shop admin's order page writes it
(``admin/orders.php``): store name, order number, a link to the order in the shop
(``account_history_info.php``), the date ordered, the comment and the new status. German or
English by the tenant's ``mail_language`` (osCommerce 2.3 stores no language on the order)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bo_oscommerce.mail import Mail, send_mails
from bo_oscommerce.shop import orders as shop_orders
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.common import language_ids

TEXTS = {
    "en": {
        "subject": "Order Update",
        "number": "Order Number:",
        "invoice": "Detailed Invoice:",
        "date": "Date Ordered:",
        "comments": "The comments for your order are\n\n{}\n\n",
        "status": "Your order has been updated to the following status.\n\nNew status: {}\n\n"
        "Please reply to this email if you have any questions.\n",
        "date_format": "%A %d %B, %Y",
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "months": ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"),
    },
    "de": {
        "subject": "Statusänderung Ihrer Bestellung",
        "number": "Bestell-Nr.:",
        "invoice": "Ihre Bestellung können Sie unter folgender Adresse einsehen:",
        "date": "Bestelldatum:",
        "comments": "Anmerkungen und Kommentare zu Ihrer Bestellung:\n\n{}\n\n",
        "status": "Der Status Ihrer Bestellung wurde geändert.\n\nNeuer Status: {}\n\n"
        "Bei Fragen zu Ihrer Bestellung antworten Sie bitte auf diese E-Mail.\n",
        "date_format": "%A, %d. %B %Y",
        "days": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        "months": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                   "September", "Oktober", "November", "Dezember"),
    },
}  # fmt: skip
SEPARATOR = "-" * 54


def _long_date(moment: Any, texts: dict[str, Any]) -> str:
    """``tep_date_long`` without the process locale: the day and month names of the language."""
    fmt = texts["date_format"].replace("%A", texts["days"][moment.weekday()])
    fmt = fmt.replace("%B", texts["months"][moment.month - 1])
    return moment.strftime(fmt)


def status_mail(
    language: str,
    store: str,
    shop_url: str,
    order: Any,
    status_name: str,
    comment: str,
) -> tuple[str, str]:
    """(subject, text) of the status mail for one order row."""
    texts = TEXTS[language]
    link = f"{shop_url.rstrip('/')}/account_history_info.php?order_id={int(order.orders_id)}"
    body = (
        (f"{store}\n" if store else "")
        + f"{SEPARATOR}\n"
        + f"{texts['number']} {int(order.orders_id)}\n"
        + f"{texts['invoice']} {link}\n"
        + f"{texts['date']} {_long_date(order.date_purchased, texts)}\n\n"
        + (texts["comments"].format(comment) if comment else "")
        + texts["status"].format(status_name)
    )
    return texts["subject"], body


def send_status_mails(
    run: Any, changes: list[shop_orders.StatusChange], status: int, comments: dict[int, str]
) -> tuple[list[int], dict[int, str]]:
    """Mail each buyer whose order changed; returns the history ids notified and the orders
    whose mail failed (orders id -> error)."""
    settings = run.settings
    if not changes:
        return [], {}
    ids = [c.orders_id for c in changes]
    o = t.orders.c
    with run.shop.connect() as conn:
        language = language_ids(conn).get(settings.mail_language)
        names = dict(shop_orders.status_names(conn, language)) if language else {}
        orders = {
            int(r.orders_id): r
            for r in conn.execute(
                sa.select(
                    o.orders_id, o.customers_name, o.customers_email_address, o.date_purchased
                ).where(o.orders_id.in_(ids))
            )
        }
    mails = []
    for change in changes:
        order = orders[change.orders_id]
        subject, text = status_mail(
            settings.mail_language,
            settings.store_name,
            settings.shop_url or "",
            order,
            names.get(status, str(status)),
            comments.get(change.orders_id, ""),
        )
        mails.append(
            Mail(str(change.history_id), str(order.customers_email_address).strip(), subject, text)
        )
    sent, failed = send_mails(settings.smtp_conn_id, settings.mail_from or "", mails)
    by_history = {str(c.history_id): c.orders_id for c in changes}
    return [int(k) for k in sent], {by_history[k]: v for k, v in failed.items()}
