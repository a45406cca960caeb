"""Reading and writing the shop's customers (``customers``, ``address_book``,
``customers_info``), the way ``create_account.php`` and ``account_edit.php`` write them.

A new customer gets all three rows, its address set as ``customers_default_address_id``, and
a password hash; an existing one gets its columns and default address updated, never its
password. Which shop customer a BO contact is decides ``identity.resolve`` by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import frame_records, query_frame, result_frame
from bo_oscommerce.identity import AMBIGUOUS, NEW, resolve
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult, read_by_ids, read_by_values
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids
from bo_oscommerce.shop.passwords import hash_passwords, random_text
from bo_oscommerce.transform.customers import ZERO_DATE, email_key

WHAT = "e-mail address"
CUSTOMER_COLUMNS = [
    "customers_gender",
    "customers_firstname",
    "customers_lastname",
    "customers_dob",
    "customers_email_address",
    "customers_telephone",
    "customers_newsletter",
]
ADDRESS_COLUMNS = [
    "entry_gender",
    "entry_company",
    "entry_firstname",
    "entry_lastname",
    "entry_street_address",
    "entry_postcode",
    "entry_city",
    "entry_state",
    "entry_country_id",
    "entry_zone_id",
]


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


def _key_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shop_id": rows["customers_id"].astype("int64"),
            "natural_key": email_key(rows["customers_email_address"]).astype(object),
        }
    )


def resolve_customers(
    conn: sa.Connection,
    customers: pd.DataFrame,
    remembered: dict[int, str],
    taken: set[int],
    result: LoadResult,
) -> pd.DataFrame:
    """``customers`` with ``customers_id`` (NA: new) by the identity rule on the e-mail; rows
    that cannot be placed are set aside, gone ids reported."""
    wanted = pd.DataFrame(
        {
            "gp_id": customers["gp_id"],
            "stored_id": pd.array(customers["osc_customers_id"], dtype="Int64"),
            "natural_key": customers["email_key"].astype(object),
            "remembered_key": customers["gp_id"].map(remembered).astype(object),
        },
        index=customers.index,
    )
    c = t.customers.c
    stmt = sa.select(c.customers_id, c.customers_email_address)
    by_id = read_by_ids(conn, stmt, c.customers_id, wanted["stored_id"].dropna().astype("int64"))
    by_email = read_by_values(
        conn, stmt, c.customers_email_address, customers["customers_email_address"].dropna()
    )
    shop = _key_rows(pd.concat([by_id, by_email], ignore_index=True)).drop_duplicates("shop_id")
    identity = resolve(
        wanted,
        shop,
        key="gp_id",
        what=WHAT,
        taken=taken,
        unique_in_shop=True,
        other_key="set_aside",
    )
    result.rejected += [(str(k), r, v) for k, r, v in identity.ambiguous.itertuples(index=False)]
    result.stale = pd.concat([result.stale, identity.stale], ignore_index=True)
    keep = identity.how != AMBIGUOUS
    return (
        customers.loc[keep]
        .assign(customers_id=identity.shop_id[keep], new=(identity.how == NEW)[keep])
        .reset_index(drop=True)
    )


def _placeholder(columns: ShopColumns, table: str, id_column: str) -> dict:
    return placeholder_row([columns.spec(table, c) for c in columns.columns_of(table)], id_column)


def _first_passwords(
    new: pd.DataFrame, first: FirstPassword, run_at: datetime
) -> tuple[list[str], list[str | None]]:
    """Hashes for new accounts, and their reset keys (reset_link only)."""
    if first.mode == "reset_link":
        secrets_ = [random_text(20) for _ in range(len(new))]
        keys: list[str | None] = [random_text(40) for _ in range(len(new))]
    else:
        secrets_ = new["password_source"].tolist()
        keys = [None] * len(new)
    return hash_passwords(secrets_, first.cost), keys


def insert_customers(
    conn: sa.Connection,
    new: pd.DataFrame,
    columns: ShopColumns,
    first: FirstPassword,
    run_at: datetime,
) -> pd.DataFrame:
    """Create accounts as create_account.php does: customers, address_book (its default
    address) and customers_info; returns ``new`` with ids and ``password_reset_key``."""
    if new.empty:
        return new.assign(customers_id=pd.Series(dtype="int64"), password_reset_key=None)
    ids = reserve_ids(
        conn, t.customers, len(new), _placeholder(columns, "customers", "customers_id")
    )
    addresses = reserve_ids(
        conn, t.address_book, len(new), _placeholder(columns, "address_book", "address_book_id")
    )
    hashes, keys = _first_passwords(new, first, run_at)
    new = new.assign(customers_id=ids, address_book_id=addresses, password_reset_key=keys)
    insert_rows(
        conn,
        t.customers,
        new[["customers_id", *CUSTOMER_COLUMNS]].assign(
            customers_default_address_id=new["address_book_id"],
            customers_fax="",
            customers_password=hashes,
        ),
    )
    insert_rows(
        conn,
        t.address_book,
        new[["address_book_id", "customers_id", *ADDRESS_COLUMNS]].assign(entry_suburb=""),
    )
    reset_date = run_at if first.mode == "reset_link" else None
    insert_rows(
        conn,
        t.customers_info,
        pd.DataFrame(
            {
                "customers_info_id": new["customers_id"],
                "customers_info_number_of_logons": 0,
                "customers_info_date_account_created": run_at,
                "global_product_notifications": 0,
                "password_reset_key": new["password_reset_key"],
                "password_reset_date": reset_date,
            }
        ),
    )
    return new


def _as_text(values: pd.Series) -> pd.Series:
    """Shop and wanted values in one comparable form (dates, zero dates, numbers, NULL)."""

    def text(v: object) -> str | None:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            return None
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        return str(v)

    return values.map(text)


def _current(conn: sa.Connection, ids: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    c, a = t.customers.c, t.address_book.c
    selected = [
        sa.cast(c[n], sa.String(19)).label(n) if n == "customers_dob" else c[n]
        for n in CUSTOMER_COLUMNS
    ]  # the shop's zero date is no datetime: read it as text
    customers = read_by_ids(
        conn,
        sa.select(c.customers_id, c.customers_default_address_id, *selected),
        c.customers_id,
        ids,
    ).set_index("customers_id")
    addresses = read_by_ids(
        conn,
        sa.select(a.address_book_id, a.customers_id, *[a[n] for n in ADDRESS_COLUMNS]),
        a.customers_id,
        ids,
    )
    return customers, addresses


def update_customers(
    conn: sa.Connection, found: pd.DataFrame, columns: ShopColumns, run_at: datetime
) -> int:
    """Bring existing customers and their default address to what BO says (never the
    password); returns how many changed. A customer without a default address gets one."""
    if found.empty:
        return 0
    ids = found["customers_id"].astype("int64")
    current, addresses = _current(conn, ids)
    default = current["customers_default_address_id"].reindex(ids.to_numpy())
    address = addresses.set_index("address_book_id")
    has_address = default.isin(address.index).to_numpy()
    changed = pd.Series(False, index=found.index)
    customer_diff = pd.Series(False, index=found.index)
    for column in CUSTOMER_COLUMNS:
        have = _as_text(current[column].reindex(ids.to_numpy())).reset_index(drop=True)
        want = _as_text(found[column]).reset_index(drop=True)
        customer_diff |= ~((have == want) | (have.isna() & want.isna())).set_axis(found.index)
    address_diff = pd.Series(~has_address, index=found.index)
    for column in ADDRESS_COLUMNS:
        have = _as_text(address[column].reindex(default.to_numpy())).reset_index(drop=True)
        want = _as_text(found[column]).reset_index(drop=True)
        address_diff |= ~((have == want) | (have.isna() & want.isna())).set_axis(found.index)
    changed = customer_diff | address_diff
    rows = found.loc[customer_diff]
    if len(rows):
        stmt = (
            sa.update(t.customers)
            .where(t.customers.c.customers_id == sa.bindparam("b_id"))
            .values(
                {
                    n: sa.bindparam(f"b_{n}", type_=sa.String() if n == "customers_dob" else None)
                    for n in CUSTOMER_COLUMNS
                }
            )
        )
        for batch in chunks(frame_records(rows[["customers_id", *CUSTOMER_COLUMNS]])):
            conn.execute(
                stmt,
                [
                    {"b_id": r["customers_id"], **{f"b_{n}": r[n] for n in CUSTOMER_COLUMNS}}
                    for r in batch
                ],
            )
    moved = found.loc[address_diff & pd.Series(has_address, index=found.index)]
    if len(moved):
        stmt = (
            sa.update(t.address_book)
            .where(t.address_book.c.address_book_id == sa.bindparam("b_id"))
            .values({n: sa.bindparam(f"b_{n}") for n in ADDRESS_COLUMNS})
        )
        targets = moved.assign(
            address_book_id=default[has_address & address_diff.to_numpy()].to_numpy()
        )
        for batch in chunks(frame_records(targets[["address_book_id", *ADDRESS_COLUMNS]])):
            conn.execute(
                stmt,
                [
                    {"b_id": int(r["address_book_id"]), **{f"b_{n}": r[n] for n in ADDRESS_COLUMNS}}
                    for r in batch
                ],
            )
    homeless = found.loc[~pd.Series(has_address, index=found.index)]
    if len(homeless):
        new_ids = reserve_ids(
            conn,
            t.address_book,
            len(homeless),
            _placeholder(columns, "address_book", "address_book_id"),
        )
        homeless = homeless.assign(address_book_id=new_ids)
        insert_rows(
            conn,
            t.address_book,
            homeless[["address_book_id", "customers_id", *ADDRESS_COLUMNS]].assign(entry_suburb=""),
        )
        conn.execute(
            sa.update(t.customers)
            .where(t.customers.c.customers_id == sa.bindparam("b_id"))
            .values(customers_default_address_id=sa.bindparam("b_address")),
            [
                {"b_id": int(c), "b_address": int(a)}
                for c, a in zip(homeless["customers_id"], homeless["address_book_id"], strict=True)
            ],
        )
    touched = [int(i) for i in found.loc[changed, "customers_id"]]
    for part in chunks(touched, 1000):
        conn.execute(
            sa.update(t.customers_info)
            .where(t.customers_info.c.customers_info_id.in_(list(part)))
            .values(customers_info_date_account_last_modified=run_at)
        )
    return int(changed.sum())


def load_customers(
    conn: sa.Connection,
    customers: pd.DataFrame,
    columns: ShopColumns,
    first: FirstPassword,
    run_at: datetime,
    remembered: dict[int, str],
    taken: set[int],
) -> LoadResult:
    """Create or update valid web contacts as shop customers (``run_at``: shop time)."""
    result = LoadResult(stale=pd.DataFrame(columns=["key", "stored_id", "problem"]))
    resolved = resolve_customers(conn, customers, remembered, taken, result)
    new = insert_customers(conn, resolved[resolved["new"]], columns, first, run_at)
    found = resolved[~resolved["new"]]
    result.updated = update_customers(conn, found, columns, run_at)
    result.inserted = len(new)
    result.unchanged = len(found) - result.updated
    result.ids = pd.concat(
        [
            new[["gp_id", "customers_id", "email_key", "password_reset_key"]].assign(inserted=True),
            found[["gp_id", "customers_id", "email_key"]].assign(
                inserted=False, password_reset_key=None
            ),
        ],
        ignore_index=True,
    ).astype({"customers_id": "int64"})
    result.created = new
    return result


# --- shop -> BO -----------------------------------------------------------------------------


def customer_keys(conn: sa.Connection) -> pd.DataFrame:
    """Every shop customer's id and e-mail (lean: decides who BO does not know yet)."""
    c = t.customers.c
    return query_frame(conn, sa.select(c.customers_id, c.customers_email_address))


def customers_with_address(conn: sa.Connection, ids: list[int]) -> pd.DataFrame:
    """Customers with their default address_book row (NULLs when it is missing) and the
    name of its zone."""
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
        z.zone_name,
    ).select_from(joined)
    frames = [
        result_frame(conn.execute(stmt.where(c.customers_id.in_(list(part)))))
        for part in chunks(sorted(ids), 1000)
    ]
    if not frames:
        return result_frame(conn.execute(stmt.where(sa.false())))
    return pd.concat(frames, ignore_index=True)


def reset_link_valid_until(run_at: datetime) -> datetime:
    """password_reset.php accepts a key for one day after password_reset_date."""
    return run_at + timedelta(days=1)


__all__ = [
    "ZERO_DATE",
    "FirstPassword",
    "country_ids",
    "customer_keys",
    "customers_with_address",
    "load_customers",
    "zones",
]
