"""Reading and writing the shop's customers (``customers``, ``address_book``,
``customers_info``), the way ``create_account.php`` and ``account_edit.php`` write them.

A new customer gets all three rows, its address set as ``customers_default_address_id``, and
a password hash, in a transaction of its own; a linked one gets only the fields the merge
decided (``transform/customer_merge.py``), on the customers row and in the one address book
entry the sync owns, never its password, never the customer's other entries or their choice
of primary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.errors import mysql_code
from bo_oscommerce.field_maps import ADDRESS_BOOK, CUSTOMERS, CUSTOMERS_INFO
from bo_oscommerce.frames import query_frame, result_frame
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import READ_ALL_ABOVE, read_by_ids, read_by_values
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids
from bo_oscommerce.shop.passwords import hash_passwords, random_text
from bo_oscommerce.transform.customers import ZERO_DATE
from bo_oscommerce.transform.emails import compare_key, compare_keys

WHAT = "e-mail address"
@dataclass(frozen=True)
class FirstPassword:
    """How a new account gets its password: ``postcode`` (hashed at ``cost``) or
    ``reset_link`` (a random one, plus a reset key the shop's password_reset.php accepts)."""

    mode: str = "postcode"
    cost: int = 10


def zones(conn: sa.Connection) -> pd.DataFrame:
    z = t.zones.c
    return result_frame(
        conn.execute(sa.select(z.zone_id, z.zone_country_id, z.zone_code, z.zone_name))
    )


def country_ids(conn: sa.Connection) -> list[int]:
    return sorted(int(i) for i in conn.execute(sa.select(t.countries.c.countries_id)).scalars())


def _placeholder(columns: ShopColumns, table: str, id_column: str) -> dict:
    return placeholder_row([columns.spec(table, c) for c in columns.columns_of(table)], id_column)


def first_passwords(new: pd.DataFrame, first: FirstPassword) -> tuple[list[str], list[str | None]]:
    """Hashes for new accounts, and their reset keys (reset_link only). Hashing takes most of
    an account's cost (ADR 6): it is done before any shop transaction opens."""
    if first.mode == "reset_link":
        secrets_ = [random_text(20) for _ in range(len(new))]
        keys: list[str | None] = [random_text(40) for _ in range(len(new))]
    else:
        secrets_ = new["password_source"].tolist()
        keys = [None] * len(new)
    return hash_passwords(secrets_, first.cost), keys


def reserve_accounts(engine: sa.Engine, count: int, columns: ShopColumns) -> tuple[list, list]:
    """Ids for ``count`` new customers and their address book entries, from the shop's own
    counters, in a transaction of their own (the ids are never handed out again)."""
    with engine.begin() as conn:
        customers = reserve_ids(
            conn, t.customers, count, _placeholder(columns, "customers", "customers_id")
        )
        addresses = reserve_ids(
            conn, t.address_book, count, _placeholder(columns, "address_book", "address_book_id")
        )
    return customers, addresses


def accounts_with_emails(conn: sa.Connection, emails: Iterable[str]) -> pd.DataFrame:
    """Every account whose e-mail equals one of ``emails`` as the shop's column compares them
    (its collation decides: case, accents, trailing spaces)."""
    c = t.customers.c
    stmt = sa.select(
        c.customers_id, c.customers_email_address, c.customers_firstname, c.customers_lastname
    )
    return read_by_values(conn, stmt, c.customers_email_address, [e for e in emails if e])


Check = Callable[[sa.Connection, list[str]], None]
GROUP = 100  # accounts per transaction: milliseconds, never a run's whole batch
DUPLICATE_KEY = 1062  # MySQL's error for a unique index (CE Phoenix: customers' e-mail)
UNIQUE_ATTEMPTS = 3


def create_accounts(
    engine: sa.Engine,
    rows: pd.DataFrame,
    hashes: list[str],
    keys: list[str | None],
    run_at: datetime,
    between: Check | None = None,
) -> dict[int, int]:
    """Accounts as create_account.php writes them (customers, its address book entry as the
    default, customers_info), a few at a time, each group in a transaction of milliseconds:
    the e-mails are checked, then the rows go in. ``rows`` has the customers and address
    columns with ``customers_id`` and ``address_book_id``; ``between`` runs after the check
    and before the insert (a test's seam). Returns customers_id -> the account that held its
    e-mail first (nothing was written for it)."""
    rows = rows.assign(customers_password=hashes, password_reset_key=keys).reset_index(drop=True)
    held: dict[int, int] = {}
    for start in range(0, len(rows), GROUP):
        group = rows.iloc[start : start + GROUP]
        for attempt in range(1, UNIQUE_ATTEMPTS + 1):
            try:
                held.update(_create_group(engine, group, run_at, between))
                break
            except sa.exc.IntegrityError as exc:
                # CE Phoenix's unique e-mail index: a customer registered between the check
                # and the insert; the group's transaction is undone and checked again
                if mysql_code(exc) != DUPLICATE_KEY or attempt == UNIQUE_ATTEMPTS:
                    raise
    return held


def _create_group(
    engine: sa.Engine, group: pd.DataFrame, run_at: datetime, between: Check | None
) -> dict[int, int]:
    c = t.customers.c
    held: dict[int, int] = {}
    with engine.begin() as conn:
        taken = read_by_values(
            conn, sa.select(c.customers_id, c.customers_email_address),
            c.customers_email_address, group["customers_email_address"],
        )  # fmt: skip
        mails = zip(taken["customers_id"], taken["customers_email_address"], strict=True)
        holder = {compare_key(e): int(i) for i, e in mails}
        if between is not None:
            between(conn, group["customers_email_address"].tolist())
        owner = group["customers_email_address"].map(compare_key).map(holder)
        for cid, other in zip(group["customers_id"], owner, strict=True):
            if not pd.isna(other):
                held[int(cid)] = int(other)
        _insert_accounts(conn, group[owner.isna().to_numpy()], run_at)
    return held


def _insert_accounts(conn: sa.Connection, new: pd.DataFrame, run_at: datetime) -> None:
    if new.empty:
        return
    insert_rows(conn, t.customers, CUSTOMERS.complete(new))
    insert_rows(conn, t.address_book, ADDRESS_BOOK.complete(new))
    insert_rows(conn, t.customers_info, CUSTOMERS_INFO.complete(new.assign(run_at=run_at)))


# merge field -> the shop columns it writes (the customers row, or the sync's own entry)
CUSTOMER_FIELDS = CUSTOMERS.merged()
ENTRY_FIELDS = ADDRESS_BOOK.merged()


def write_fields(conn: sa.Connection, changes: pd.DataFrame, run_at: datetime) -> set[int]:
    """Write merged fields: ``changes`` has customers_id, address_book_id (the sync's own
    entry), field, value (shop form; the zone as "zone_id|state"), was (the value read) and
    guarded (the row's value must still be ``was``: a customer editing the same field at this
    moment keeps the edit). Returns the customers whose change was refused that way."""
    refused: set[int] = set()
    c, a = t.customers.c, t.address_book.c
    for change in changes.itertuples(index=False):
        cid = int(change.customers_id)
        for table, key, key_value, mapping in (
            (t.customers, c.customers_id, cid, CUSTOMER_FIELDS),
            (t.address_book, a.address_book_id, change.address_book_id, ENTRY_FIELDS),
        ):
            names = mapping.get(change.field)
            if not names or key_value is None or pd.isna(key_value):
                continue
            values = _column_values(change.field, names, change.value)
            stmt = sa.update(table).where(key == int(key_value)).values(values)
            if change.guarded and table is t.customers:
                stmt = stmt.where(table.c[names[0]].is_not_distinct_from(_as_text(change.was)))
            if conn.execute(stmt).rowcount == 0 and table is t.customers:
                refused.add(cid)
    touched = sorted({int(i) for i in changes["customers_id"]} - refused)
    for part in chunks(touched, 1000):
        conn.execute(
            sa.update(t.customers_info)
            .where(t.customers_info.c.customers_info_id.in_(list(part)))
            .values(customers_info_date_account_last_modified=run_at)
        )
    return refused


def _as_text(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def _column_values(field: str, names: list[str], value: object) -> dict[str, object]:
    if field == "zone":
        zone, _, state = str(value or "0|").partition("|")
        return {"entry_zone_id": int(zone or 0), "entry_state": state}
    value = _as_text(value)
    if field in ("gender",) and value is None:
        value = ""
    return {names[0]: value}


def write_email(conn: sa.Connection, customers_id: int, email: str) -> None:
    conn.execute(
        sa.update(t.customers)
        .where(t.customers.c.customers_id == customers_id)
        .values(customers_email_address=email)
    )


LOGIN = sa.table("customers", sa.column("customers_id"), sa.column("status"))  # CE Phoenix


def set_login(conn: sa.Connection, ids: Iterable[int], allowed: bool) -> list[int]:
    """CE Phoenix's ``customers.status`` (0: the login is refused) of accounts ``ids``, where
    it differs; returns the accounts changed."""
    status = 1 if allowed else 0
    changed: list[int] = []
    for part in chunks(sorted({int(i) for i in ids}), 1000):
        changed += [
            int(cid)
            for (cid,) in conn.execute(
                sa.select(LOGIN.c.customers_id)
                .where(LOGIN.c.customers_id.in_(list(part)), LOGIN.c.status != status)
                .with_for_update()
            )
        ]
    for part in chunks(changed, 1000):
        conn.execute(
            sa.update(LOGIN).where(LOGIN.c.customers_id.in_(list(part))).values(status=status)
        )
    return changed


# --- shop -> BO -----------------------------------------------------------------------------


def customer_keys(conn: sa.Connection) -> pd.DataFrame:
    """Every shop customer's id and e-mail (lean: decides who BO does not know yet)."""
    c = t.customers.c
    return query_frame(conn, sa.select(c.customers_id, c.customers_email_address))


def accounts_for(conn: sa.Connection, ids: Iterable[int], emails: Iterable[str]) -> pd.DataFrame:
    """``customers_with_address`` of the accounts with one of ``ids`` or whose e-mail equals
    one of ``emails`` as the shop compares them; one scan of the shop when they are many."""
    ids, emails = sorted({int(i) for i in ids}), sorted({str(e) for e in emails if e})
    c = t.customers.c
    if len(ids) + len(emails) > READ_ALL_ABOVE:
        every = customers_with_address(conn, None)
        keys = set(compare_keys(pd.Series(emails, dtype=object)).dropna())
        found = compare_keys(every["customers_email_address"]).isin(keys)
        mask = every["customers_id"].isin(ids) | found
        return every[mask].reset_index(drop=True)
    by_email = read_by_values(conn, sa.select(c.customers_id), c.customers_email_address, emails)
    wanted = sorted(set(ids) | {int(i) for i in by_email["customers_id"]})
    return customers_with_address(conn, wanted)


def customers_with_address(conn: sa.Connection, ids: list[int] | None) -> pd.DataFrame:
    """Customers with their default address_book row (NULLs when it is missing) and the
    name of its zone (``ids`` None: every customer)."""
    c, a, z = t.customers.c, t.address_book.c, t.zones.c
    joined = t.customers.outerjoin(
        t.address_book,
        (a.address_book_id == c.customers_default_address_id) & (a.customers_id == c.customers_id),
    ).outerjoin(t.zones, z.zone_id == a.entry_zone_id)
    stmt = sa.select(
        c.customers_id,
        c.customers_gender,
        c.customers_firstname,
        c.customers_lastname,
        sa.cast(c.customers_dob, sa.String(19)).label("customers_dob"),
        c.customers_email_address,
        c.customers_telephone,
        c.customers_newsletter,
        a.address_book_id,
        a.entry_company,
        a.entry_street_address,
        a.entry_postcode,
        a.entry_city,
        a.entry_state,
        a.entry_country_id,
        a.entry_zone_id,
        a.entry_gender,
        z.zone_name,
    ).select_from(joined)
    if ids is None:
        return query_frame(conn, stmt)
    return read_by_ids(conn, stmt, c.customers_id, ids)


def reset_link_valid_until(run_at: datetime) -> datetime:
    """password_reset.php accepts a key for one day after password_reset_date."""
    return run_at + timedelta(days=1)


__all__ = [
    "ZERO_DATE",
    "FirstPassword",
    "accounts_for",
    "accounts_with_emails",
    "country_ids",
    "create_accounts",
    "customer_keys",
    "customers_with_address",
    "reserve_accounts",
    "write_fields",
    "zones",
]
