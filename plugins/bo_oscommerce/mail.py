"""E-mails to shop customers through an Airflow SMTP connection (the SMTP provider's hook)."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    key: str  # what the mail is about (a contact, an order), for the report
    to: str
    subject: str
    text: str


def send_mails(
    smtp_conn_id: str, sender: str, mails: list[Mail]
) -> tuple[list[str], dict[str, str]]:
    """Send each mail on one SMTP session; returns the keys sent and key -> error of the rest.
    A mail that fails does not stop the others."""
    if not mails:
        return [], {}
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    sent: list[str] = []
    failed: dict[str, str] = {}
    try:
        with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
            for mail in mails:
                try:
                    hook.send_email_smtp(
                        to=mail.to,
                        subject=mail.subject,
                        html_content="<pre>" + html.escape(mail.text) + "</pre>",
                        from_email=sender,
                        mime_subtype="alternative",
                    )
                    sent.append(mail.key)
                except Exception as exc:  # noqa: BLE001 - reported per mail
                    failed[mail.key] = str(exc).splitlines()[0][:200]
    except Exception as exc:  # noqa: BLE001 - no session at all: every mail failed
        reason = f"SMTP connection {smtp_conn_id!r}: {str(exc).splitlines()[0][:200]}"
        failed.update({m.key: reason for m in mails if m.key not in sent})
    return sent, failed
