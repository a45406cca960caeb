"""Reading and writing the shop's products (``products``, ``products_description``,
``products_to_categories``).

Every load diffs the wanted rows against what the shop holds and writes only the difference,
in the caller's transaction: a second run with nothing changed writes nothing, and a failed
run leaves the shop as it was. Which shop row a BO article is decides ``identity.resolve``.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.field_maps import PRODUCTS
from bo_oscommerce.frames import frame_records
from bo_oscommerce.identity import AMBIGUOUS, STALE_COLUMNS, holding, resolve, stale_problem
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import (
    LoadResult,
    added_text_blanks,
    natural_texts,
    read_by_ids,
    read_by_values,
    same,
)
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids, upsert
from bo_oscommerce.transform.products import HIDE_DELETED, HIDE_SET_ASIDE

DESCRIPTIONS = "products_description"

PRODUCT_COLUMNS = PRODUCTS.targets(created=False)  # the quantity is the stock step's
WHAT = "article number (products_model)"


def products_table(columns: ShopColumns, master_column: str | None) -> tuple[sa.Table, str | None]:
    """osCommerce's ``products``, plus the Master-ID add-on column when the shop has it."""
    if not master_column or not columns.has("products", master_column):
        return t.products, None
    table = sa.Table(
        "products",
        sa.MetaData(),
        *[c._copy() for c in t.products.c],
        sa.Column(master_column, sa.String(255)),
    )
    return table, master_column


def _as_shop_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shop_id": rows["products_id"].astype("int64"),
            "natural_key": natural_texts(rows["products_model"]),
        }
    )


def resolve_products(
    conn: sa.Connection, products: pd.DataFrame, result: LoadResult
) -> pd.DataFrame:
    """``products`` with ``products_id`` (the shop row, or NA for a new product); ambiguous
    rows are left out and set aside, stale stored ids reported."""
    wanted = pd.DataFrame(
        {
            "artikel_nr": products["artikel_nr"],
            "stored_id": pd.array(products["osc_products_id"], dtype="Int64"),
            "natural_key": natural_texts(products["products_model"]),
        },
        index=products.index,
    )
    stmt = sa.select(t.products.c.products_id, t.products.c.products_model)
    by_id = _as_shop_rows(
        read_by_ids(
            conn, stmt, t.products.c.products_id, wanted["stored_id"].dropna().astype("int64")
        )
    )
    # rows whose stored id does not hold their model (or who have none) are looked up by model
    ours, _ = holding(wanted["stored_id"], wanted["natural_key"], by_id)
    open_rows = ~ours
    by_model = _as_shop_rows(
        read_by_values(
            conn, stmt, t.products.c.products_model, products.loc[open_rows, "products_model"]
        )
    )
    shop = pd.concat([by_id, by_model], ignore_index=True)
    identity = resolve(wanted, shop, key="artikel_nr", what=WHAT)
    result.rejected += list(identity.ambiguous.itertuples(index=False, name=None))
    result.stale = pd.concat([result.stale, identity.stale], ignore_index=True)
    keep = identity.how != AMBIGUOUS
    return products.loc[keep].assign(products_id=identity.shop_id[keep]).reset_index(drop=True)


GONE_BEFORE_HIDING = "to be hidden, but its shop row is already gone (stale id)"


def hide_products(
    conn: sa.Connection, hide: pd.DataFrame, run_at: datetime, result: LoadResult
) -> pd.DataFrame:
    """Set status 0 (and quantity 0 for deleted articles) of the shop rows behind ``hide``
    (``artikel_nr``, ``osc_products_id``, ``reason``); only rows that still carry their
    article number are touched; rows without a shop id are only counted (kept out). Rows hidden
    because they were set aside are counted as set aside only, so every extracted row is
    counted once. Returns the rows whose shop row was verified."""
    absent = hide["osc_products_id"].isna()
    for reason, keys in hide.loc[absent].groupby("reason")["artikel_nr"]:
        result.kept_out.setdefault(str(reason), []).extend(str(k) for k in keys)
    hide = hide.loc[~absent]
    if hide.empty:
        return hide.assign(products_id=pd.Series(dtype="Int64"))
    ids = hide["osc_products_id"].astype("int64")
    current = read_by_ids(
        conn,
        sa.select(
            t.products.c.products_id,
            t.products.c.products_model,
            t.products.c.products_status,
            t.products.c.products_quantity,
        ),
        t.products.c.products_id,
        ids,
    ).set_index("products_id")
    ours, model_now = holding(
        ids, natural_texts(hide["artikel_nr"]), _as_shop_rows(current.reset_index())
    )
    for nr, pid, now in zip(
        hide.loc[~ours, "artikel_nr"], ids[~ours], model_now[~ours], strict=True
    ):
        problem = stale_problem(now, WHAT)
        result.stale = pd.concat(
            [
                result.stale,
                pd.DataFrame([(nr, int(pid), problem)], columns=STALE_COLUMNS),
            ],
            ignore_index=True,
        )
        result.unlink.append(str(nr))
    counted = hide["reason"] != HIDE_SET_ASIDE
    gone = hide.loc[~ours & counted, "artikel_nr"]
    if len(gone):
        result.kept_out.setdefault(GONE_BEFORE_HIDING, []).extend(str(k) for k in gone)
    mine = hide.loc[ours].assign(products_id=ids[ours].to_numpy())
    status = mine["products_id"].map(current["products_status"]).astype(int)
    quantity = mine["products_id"].map(current["products_quantity"]).astype(int)
    deleted = mine["reason"] == HIDE_DELETED
    due = (status != 0) | (deleted & (quantity != 0))
    rows = [
        {"b_id": int(pid), "b_qty": 0 if gone else int(qty)}
        for pid, gone, qty in zip(
            mine.loc[due, "products_id"], deleted[due], quantity[due], strict=True
        )
    ]
    if rows:
        conn.execute(
            sa.update(t.products)
            .where(t.products.c.products_id == sa.bindparam("b_id"))
            .values(
                products_status=0,
                products_quantity=sa.bindparam("b_qty"),
                products_last_modified=run_at,
            ),
            rows,
        )
    counted = (mine["reason"] != HIDE_SET_ASIDE).to_numpy()
    result.hidden += int((due.to_numpy() & counted).sum())
    result.unchanged += int((~due.to_numpy() & counted).sum())
    for reason, keys in mine.loc[due].groupby("reason")["artikel_nr"]:
        result.hide_reason(str(reason), keys)
    return mine


def _current_state(
    conn: sa.Connection, table: sa.Table, tracked: list[str], ids: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    current = read_by_ids(
        conn,
        sa.select(table.c.products_id, *[table.c[c] for c in tracked]),
        table.c.products_id,
        ids,
    ).set_index("products_id")
    desc = read_by_ids(
        conn,
        sa.select(
            t.products_description.c.products_id,
            t.products_description.c.language_id,
            t.products_description.c.products_name,
            t.products_description.c.products_description,
        ),
        t.products_description.c.products_id,
        ids,
    )
    p2c = read_by_ids(
        conn,
        sa.select(t.products_to_categories.c.products_id, t.products_to_categories.c.categories_id),
        t.products_to_categories.c.products_id,
        ids,
    )
    return current, desc, p2c


def _differences(
    old: pd.DataFrame,
    current: pd.DataFrame,
    desc: pd.DataFrame,
    p2c: pd.DataFrame,
    tracked: list[str],
    languages: dict[str, int],
) -> tuple[pd.Series, pd.Series, pd.Series, dict[int, set[int]]]:
    """Which existing products differ in their columns, texts (per language) or category."""
    old_ids = old["products_id"].astype("int64")
    differs = pd.Series(False, index=old.index)
    cur = current.reindex(old_ids.to_numpy())
    for column in tracked:
        have = cur[column].reset_index(drop=True)
        want = old[column].reset_index(drop=True)
        if column in ("products_price", "products_weight"):
            have = pd.to_numeric(have, errors="coerce").astype("float64").round(4)
            want = pd.to_numeric(want, errors="coerce").astype("float64").round(4)
        elif column in ("products_status", "products_tax_class_id"):
            have = pd.to_numeric(have, errors="coerce").astype("Int64")
            want = pd.to_numeric(want, errors="coerce").astype("Int64")
        differs |= ~same(want, have).set_axis(old.index)
    desc_changed: dict[int, set[int]] = {}
    for code, lid in languages.items():
        have = desc[desc["language_id"] == lid].set_index("products_id")
        for text_field in ("products_name", "products_description"):
            want = old[f"{text_field}__{code}"].reset_index(drop=True)
            got = (
                have[text_field].reindex(old_ids.to_numpy()).reset_index(drop=True)
                if text_field in have
                else pd.Series(None, index=want.index)
            )
            row_differs = ~same(want, got)
            row_differs.index = old.index
            for pid in old_ids[row_differs]:
                desc_changed.setdefault(int(pid), set()).add(lid)
    cats_now = p2c.groupby("products_id")["categories_id"].agg(lambda s: sorted(set(s)))
    cat_differs = pd.Series(
        [
            cats_now.get(int(pid)) != [int(cid)]
            for pid, cid in zip(old_ids, old["categories_id"], strict=True)
        ],
        index=old.index,
        dtype=bool,
    )
    desc_differs = old_ids.isin(list(desc_changed))
    return differs, desc_differs, cat_differs, desc_changed


def _description_rows(
    frame: pd.DataFrame, languages: dict[str, int], only: dict[int, set[int]] | None = None
) -> pd.DataFrame:
    parts = []
    for code, lid in languages.items():
        part = pd.DataFrame(
            {
                "products_id": frame["products_id"].astype("int64").to_numpy(),
                "language_id": lid,
                "products_name": frame[f"products_name__{code}"].to_numpy(),
                "products_description": frame[f"products_description__{code}"].to_numpy(),
            }
        )
        if only is not None:
            part = part[[lid in only.get(int(p), set()) for p in part["products_id"]]]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _insert_new(
    conn: sa.Connection,
    table: sa.Table,
    new: pd.DataFrame,
    tracked: list[str],
    languages: dict[str, int],
    columns: ShopColumns,
    run_at: datetime,
) -> pd.DataFrame:
    placeholder = placeholder_row(
        [columns.spec("products", c) for c in columns.columns_of("products")], "products_id"
    )
    new = new.assign(products_id=reserve_ids(conn, table, len(new), placeholder))
    insert_rows(
        conn,
        table,
        new[["products_id", *tracked, *PRODUCTS.create_only()]].assign(
            products_date_added=run_at, products_ordered=0
        ),
    )
    texts = _description_rows(new, languages).assign(**added_text_blanks(columns, DESCRIPTIONS))
    if columns.has(DESCRIPTIONS, "products_viewed"):  # 2.3's counter; CE Phoenix has none
        texts = texts.assign(products_viewed=0)
    insert_rows(conn, t.products_description, texts)
    insert_rows(conn, t.products_to_categories, new[["products_id", "categories_id"]])
    return new


def _update_changed(
    conn: sa.Connection,
    table: sa.Table,
    changed: pd.DataFrame,
    tracked: list[str],
    languages: dict[str, int],
    texts: dict[int, set[int]],
    moved: pd.DataFrame,
    run_at: datetime,
) -> None:
    written = [*tracked, "products_last_modified"]
    rows = frame_records(changed[["products_id", *tracked]].assign(products_last_modified=run_at))
    stmt = (
        sa.update(table)
        .where(table.c.products_id == sa.bindparam("b_id"))
        .values({c: sa.bindparam(f"b_{c}") for c in written})
    )
    for batch in chunks(rows):
        conn.execute(
            stmt, [{"b_id": r["products_id"], **{f"b_{c}": r[c] for c in written}} for r in batch]
        )
    desc_rows = _description_rows(changed, languages, only=texts)
    upsert(
        conn,
        t.products_description,
        frame_records(desc_rows),
        ["products_name", "products_description"],
    )
    if len(moved):
        for part in chunks([int(i) for i in moved["products_id"]], 1000):
            conn.execute(
                sa.delete(t.products_to_categories).where(
                    t.products_to_categories.c.products_id.in_(list(part))
                )
            )
        insert_rows(conn, t.products_to_categories, moved[["products_id", "categories_id"]])


def load_products(
    conn: sa.Connection,
    products: pd.DataFrame,
    category_ids: dict[str, int],
    languages: dict[str, int],
    columns: ShopColumns,
    master_column: str | None,
    run_at: datetime,
    images_copied: bool = False,
) -> LoadResult:
    """Create or update valid web articles as products with descriptions and their category.
    ``products`` rows passed validation; ``run_at`` is in the shop's local time;
    ``images_copied``: ``products_image`` is the images step's, left alone here."""
    result = LoadResult(stale=pd.DataFrame(columns=STALE_COLUMNS))
    if products.empty:  # nothing to resolve or compare (a quiet incremental run)
        result.ids = pd.DataFrame({
            "artikel_nr": pd.Series(dtype=object),
            "products_id": pd.Series(dtype="int64"),
            "inserted": pd.Series(dtype=bool),
        })  # fmt: skip
        return result
    table, master = products_table(columns, master_column)
    tracked = PRODUCT_COLUMNS + ([master] if master else [])
    if images_copied:  # the images step's column (sync/images.py)
        tracked = [c for c in tracked if c != "products_image"]
    resolved = resolve_products(conn, products, result)
    wanted = resolved.assign(
        categories_id=resolved["warengruppe_nr"].map(category_ids).astype("Int64"),
        **({master: resolved["master_id"]} if master else {}),
    )
    existing = wanted["products_id"].notna()
    old = wanted.loc[existing]
    current, desc, p2c = _current_state(conn, table, tracked, old["products_id"])
    differs, desc_differs, cat_differs, texts = _differences(
        old, current, desc, p2c, tracked, languages
    )
    any_change = differs | desc_differs | cat_differs

    new = _insert_new(conn, table, wanted.loc[~existing], tracked, languages, columns, run_at)
    result.inserted = len(new)
    changed = old.loc[any_change]
    if len(changed):
        moved = changed.loc[cat_differs[any_change].to_numpy()]
        _update_changed(conn, table, changed, tracked, languages, texts, moved, run_at)
    result.updated = int(any_change.sum())
    result.unchanged = int(len(old) - result.updated)
    result.ids = pd.concat([new.assign(inserted=True), old.assign(inserted=False)])[
        ["artikel_nr", "products_id", "inserted"]
    ].reset_index(drop=True)
    return result
