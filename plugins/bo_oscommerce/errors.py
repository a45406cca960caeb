"""Database errors in words a merchant's data engineer can act on (never with a password)."""

from __future__ import annotations

import sqlalchemy as sa

# MySQL error numbers worth a specific hint
HINTS = {
    1045: "login or password is wrong: fix them in the Airflow connection",
    1044: "the user may not use this database: grant it access (GRANT ... ON db.*)",
    1049: "the database does not exist: check the connection's schema field",
    1142: "the user lacks the privilege for this statement: grant it (GRANT SELECT, INSERT, "
    "UPDATE, DELETE ON db.* TO user)",
    1143: "the user lacks a column privilege for this statement: grant it",
    2003: "nothing answers at host:port: check host, port, firewall and that MySQL runs",
    2005: "the host name cannot be resolved: check the connection's host field",
}
# Worth a retry: the server may come back. Everything else needs a person to fix it.
TRANSIENT = {2003, 2006, 2013}


def mysql_code(exc: BaseException) -> int | None:
    orig = getattr(exc, "orig", None)
    code = orig.args[0] if orig is not None and getattr(orig, "args", None) else None
    return code if isinstance(code, int) else None


def explain(exc: BaseException) -> str:
    """One line: a hint for known errors, else the driver's own first line."""
    code = mysql_code(exc)
    if code in HINTS:
        return f"{HINTS[code]} (MySQL error {code})"
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).splitlines()[0]
    if "readonly database" in text or "read-only" in text.lower():
        return f"the database is read-only for this user: allow writes ({text})"
    return text[:300]


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, sa.exc.SQLAlchemyError) and mysql_code(exc) in TRANSIENT
