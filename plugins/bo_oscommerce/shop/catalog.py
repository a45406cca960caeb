"""Reading and writing the shop's catalog tables (categories, products, quantities).

Every load diffs the wanted rows against what the shop holds and writes only the difference,
in one transaction per entity: a second run with nothing changed writes nothing, and a failed
run leaves the shop as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import frame_records, query_frame, result_frame
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.dialect import chunks, insert_rows, next_ids, upsert

READ_ALL_ABOVE = 20_000  # beyond this many ids, one table scan beats many IN lists


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    hidden: int = 0
    # BO key -> shop id per loaded row (products also say whether the row was inserted)
    ids: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # key, reason, value


def language_ids(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(t.languages.c.code, t.languages.c.languages_id))
    return {code: int(lid) for code, lid in rows}


def tax_class_ids(conn: sa.Connection) -> list[int]:
    return sorted(int(i) for i in conn.execute(sa.select(t.tax_class.c.tax_class_id)).scalars())


def product_columns(conn: sa.Connection) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns("products")}


def _read(
    conn: sa.Connection, stmt: sa.Select, id_column: sa.Column, ids: Iterable[int]
) -> pd.DataFrame:
    ids = sorted({int(i) for i in ids})
    columns = [c.name for c in stmt.selected_columns]
    if not ids:
        return pd.DataFrame(columns=columns)
    if len(ids) > READ_ALL_ABOVE:
        frame = query_frame(conn, stmt)
        return frame[frame[id_column.name].isin(ids)].reset_index(drop=True)
    parts = [
        result_frame(conn.execute(stmt.where(id_column.in_(list(part)))))
        for part in chunks(ids, 1000)
    ]
    return pd.concat(parts, ignore_index=True)


def _same(left: pd.Series, right: pd.Series) -> pd.Series:
    """Element-wise equality where two missing values are equal."""
    both_missing = left.isna() & right.isna()
    equal = left.astype(object) == right.astype(object)
    return (equal | both_missing).fillna(False).astype(bool)


# --- categories ----------------------------------------------------------------------------


def load_categories(
    conn: sa.Connection,
    categories: pd.DataFrame,
    languages: dict[str, int],
    default_code: str,
    run_at: datetime,
    known: dict[str, int] | None = None,
) -> LoadResult:
    """Upsert valid web product groups (parents first) as categories.

    A group without a known shop id is matched to an existing category with the same parent
    and default-language name before a new one is created. ``known``: groups not loaded in
    this run with their categories_id, as parents of the groups that are.
    """
    result = LoadResult()
    shop = result_frame(
        conn.execute(
            sa.select(
                t.categories.c.categories_id, t.categories.c.parent_id, t.categories.c.sort_order
            )
        )
    ).set_index("categories_id", drop=False)
    names = result_frame(
        conn.execute(
            sa.select(
                t.categories_description.c.categories_id,
                t.categories_description.c.language_id,
                t.categories_description.c.categories_name,
            )
        )
    )
    name_of = {
        (int(r.categories_id), int(r.language_id)): r.categories_name for r in names.itertuples()
    }
    default_lid = languages[default_code]
    by_parent_name = {}
    for cid, parent in zip(shop["categories_id"], shop["parent_id"], strict=True):
        key = (int(parent or 0), (name_of.get((int(cid), default_lid)) or "").casefold())
        by_parent_name.setdefault(key, int(cid))

    claimed = {int(c) for c in categories["osc_categories_id"].dropna() if int(c) in shop.index}
    claimed |= set((known or {}).values())
    assigned: dict[str, int] = dict(known or {})
    new_rows, changed_rows, description_rows = [], [], []
    fresh = iter(next_ids(conn, t.categories.c.categories_id, len(categories)))
    # next_ids reserves enough ids for the worst case; unused ones are simply skipped.
    for row in categories.itertuples(index=False):
        nr = row.warengruppe_nr
        parent = row.ober_warengruppe_nr
        parent_id = assigned.get(parent, 0) if isinstance(parent, str) and parent else 0
        wanted_names = {
            lid: getattr(row, f"categories_name__{code}") for code, lid in languages.items()
        }
        cid = row.osc_categories_id
        if pd.isna(cid) or int(cid) not in shop.index:
            match = by_parent_name.get((parent_id, wanted_names[default_lid].casefold()))
            cid = match if match is not None and match not in claimed else None
            if cid is not None:
                claimed.add(cid)
        cid = int(cid) if cid is not None and not pd.isna(cid) else None
        if cid is None:
            cid = next(fresh)
            new_rows.append(
                {
                    "categories_id": cid,
                    "parent_id": parent_id,
                    "sort_order": int(row.sort_order),
                    "date_added": run_at,
                }
            )
            description_rows += [
                {"categories_id": cid, "language_id": lid, "categories_name": name}
                for lid, name in wanted_names.items()
            ]
            result.inserted += 1
        else:
            current = shop.loc[cid]
            names_differ = {
                lid: name for lid, name in wanted_names.items() if name_of.get((cid, lid)) != name
            }
            if (
                int(current["parent_id"] or 0) != parent_id
                or int(current["sort_order"] or 0) != int(row.sort_order)
                or names_differ
            ):
                changed_rows.append(
                    {
                        "categories_id": cid,
                        "parent_id": parent_id,
                        "sort_order": int(row.sort_order),
                        "last_modified": run_at,
                    }
                )
                description_rows += [
                    {"categories_id": cid, "language_id": lid, "categories_name": name}
                    for lid, name in names_differ.items()
                ]
                result.updated += 1
            else:
                result.unchanged += 1
        assigned[nr] = cid

    insert_rows(conn, t.categories, pd.DataFrame(new_rows))
    if changed_rows:
        stmt = (
            sa.update(t.categories)
            .where(t.categories.c.categories_id == sa.bindparam("b_id"))
            .values(
                parent_id=sa.bindparam("b_parent"),
                sort_order=sa.bindparam("b_sort"),
                last_modified=sa.bindparam("b_modified"),
            )
        )
        conn.execute(
            stmt,
            [
                {
                    "b_id": r["categories_id"],
                    "b_parent": r["parent_id"],
                    "b_sort": r["sort_order"],
                    "b_modified": r["last_modified"],
                }
                for r in changed_rows
            ],
        )
    upsert(conn, t.categories_description, description_rows, ["categories_name"])
    loaded = [nr for nr in assigned if nr not in (known or {})]
    result.ids = pd.DataFrame(
        {
            "warengruppe_nr": pd.Series(loaded, dtype=object),
            "categories_id": pd.Series([assigned[nr] for nr in loaded], dtype="int64"),
        }
    )
    return result


# --- products ------------------------------------------------------------------------------

PRODUCT_COLUMNS = [
    "products_model",
    "products_price",
    "products_tax_class_id",
    "products_status",
    "products_image",
    "products_weight",
]


def _resolve_product_ids(
    conn: sa.Connection, products: pd.DataFrame, result: LoadResult
) -> pd.DataFrame:
    """Attach ``products_id`` (existing shop product) or NA (new) to each row.

    Known ids that vanished from the shop are dropped; rows without an id are matched by
    model (first contact with a shop that already holds products). A model the shop holds
    more than once cannot be matched safely: the row is set aside.
    """
    known = products["osc_products_id"].dropna().astype("int64")
    present = _read(conn, sa.select(t.products.c.products_id), t.products.c.products_id, known)
    present_ids = set(present["products_id"].astype("int64"))
    ids = products["osc_products_id"].where(products["osc_products_id"].isin(present_ids))
    products = products.assign(products_id=pd.array(ids, dtype="Int64"))

    unmatched = products["products_id"].isna()
    if unmatched.any():
        models = products.loc[unmatched, "products_model"].tolist()
        by_model = sa.select(t.products.c.products_id, t.products.c.products_model)
        if len(models) > READ_ALL_ABOVE:
            shop = query_frame(conn, by_model)
            shop = shop[shop["products_model"].str.casefold().isin({m.casefold() for m in models})]
        else:
            shop = pd.concat(
                [
                    result_frame(
                        conn.execute(by_model.where(t.products.c.products_model.in_(list(part))))
                    )
                    for part in chunks(models, 1000)
                ],
                ignore_index=True,
            )
        shop = shop[~shop["products_id"].isin(present_ids)]
        shop["model_key"] = shop["products_model"].str.casefold()
        counts = shop.groupby("model_key")["products_id"].agg(["first", "size"])
        model_key = products["products_model"].str.casefold()
        match = model_key.map(counts["first"])
        count = model_key.map(counts["size"]).fillna(0)
        ambiguous = unmatched & (count > 1)
        for row in products.loc[ambiguous].itertuples():
            result.rejected.append(
                (
                    row.artikel_nr,
                    f"article number occurs {int(count[row.Index])} times in the "
                    "shop (products_model); merge them in the shop first",
                    row.products_model,
                )
            )
        adopt = unmatched & (count == 1)
        products.loc[adopt, "products_id"] = match[adopt].astype("int64")
        products = products.loc[~ambiguous]
    return products.reset_index(drop=True)


def load_products(
    conn: sa.Connection,
    products: pd.DataFrame,
    hide: pd.DataFrame,
    category_ids: dict[str, int],
    languages: dict[str, int],
    master_column: str | None,
    run_at: datetime,
) -> LoadResult:
    """Upsert valid web articles as products with descriptions and their category, and hide
    articles that left the web. ``products`` rows passed validation."""
    result = LoadResult()
    columns = product_columns(conn)
    master = master_column if master_column and master_column in columns else None
    table = t.products
    if master:
        table = sa.Table(
            "products",
            sa.MetaData(),
            *[c._copy() for c in t.products.c],
            sa.Column(master, sa.String(255)),
        )
    tracked = PRODUCT_COLUMNS + ([master] if master else [])

    products = _resolve_product_ids(conn, products, result)
    wanted = products.assign(
        categories_id=products["warengruppe_nr"].map(category_ids).astype("Int64"),
        **({master: products["master_id"]} if master else {}),
    )
    existing = wanted["products_id"].notna()
    old = wanted.loc[existing]
    old_ids = old["products_id"].astype("int64")

    # current shop state of the rows that exist
    current = _read(
        conn,
        sa.select(*[table.c.products_id, *[table.c[c] for c in tracked]]),
        table.c.products_id,
        old_ids,
    ).set_index("products_id")
    desc = _read(
        conn,
        sa.select(
            t.products_description.c.products_id,
            t.products_description.c.language_id,
            t.products_description.c.products_name,
            t.products_description.c.products_description,
        ),
        t.products_description.c.products_id,
        old_ids,
    )
    p2c = _read(
        conn,
        sa.select(t.products_to_categories.c.products_id, t.products_to_categories.c.categories_id),
        t.products_to_categories.c.products_id,
        old_ids,
    )

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
        differs |= ~_same(want, have).set_axis(old.index)
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
            row_differs = ~_same(want, got)
            row_differs.index = old.index
            for pid in old_ids[row_differs]:
                desc_changed.setdefault(int(pid), set()).add(lid)
    cats_now = p2c.groupby("products_id")["categories_id"].agg(lambda s: sorted(set(s)))
    cat_differs = [
        cats_now.get(int(pid)) != [int(cid)]
        for pid, cid in zip(old_ids, old["categories_id"], strict=True)
    ]
    cat_differs = pd.Series(cat_differs, index=old.index, dtype=bool)
    desc_differs = old_ids.isin(list(desc_changed))
    any_change = differs | desc_differs | cat_differs

    # new products
    new = wanted.loc[~existing].copy()
    new["products_id"] = next_ids(conn, t.products.c.products_id, len(new))
    product_rows = new[["products_id", *tracked, "products_quantity"]].assign(
        products_date_added=run_at, products_ordered=0
    )
    insert_rows(conn, table, product_rows)
    insert_rows(
        conn,
        t.products_description,
        pd.concat(
            [
                pd.DataFrame(
                    {
                        "products_id": new["products_id"],
                        "language_id": lid,
                        "products_name": new[f"products_name__{code}"],
                        "products_description": new[f"products_description__{code}"],
                        "products_viewed": 0,
                    }
                )
                for code, lid in languages.items()
            ],
            ignore_index=True,
        ),
    )
    insert_rows(conn, t.products_to_categories, new[["products_id", "categories_id"]])
    result.inserted = len(new)

    # changed products
    changed = old.loc[any_change]
    if len(changed):
        # every changed product gets its columns and products_last_modified written
        written = [*tracked, "products_last_modified"]
        rows = frame_records(
            changed[["products_id", *written[:-1]]].assign(products_last_modified=run_at)
        )
        stmt = (
            sa.update(table)
            .where(table.c.products_id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(f"b_{c}") for c in written})
        )
        for batch in chunks(rows):
            conn.execute(
                stmt,
                [{"b_id": r["products_id"], **{f"b_{c}": r[c] for c in written}} for r in batch],
            )
        desc_rows = []
        for row in changed.loc[desc_differs[any_change].to_numpy()].itertuples(index=False):
            pid = int(row.products_id)
            for code, lid in languages.items():
                if lid in desc_changed.get(pid, set()):
                    desc_rows.append(
                        {
                            "products_id": pid,
                            "language_id": lid,
                            "products_name": getattr(row, f"products_name__{code}"),
                            "products_description": getattr(row, f"products_description__{code}"),
                        }
                    )
        upsert(
            conn,
            t.products_description,
            frame_records(pd.DataFrame(desc_rows)),
            ["products_name", "products_description"],
        )
        moved = changed.loc[cat_differs[any_change].to_numpy()]
        if len(moved):
            moved_ids = [int(i) for i in moved["products_id"]]
            for part in chunks(moved_ids, 1000):
                conn.execute(
                    sa.delete(t.products_to_categories).where(
                        t.products_to_categories.c.products_id.in_(list(part))
                    )
                )
            insert_rows(conn, t.products_to_categories, moved[["products_id", "categories_id"]])
    result.updated = int(any_change.sum())
    result.unchanged = int(len(old) - result.updated)

    # articles that left the web: hidden, never deleted
    hide_ids = hide["osc_products_id"].dropna().astype("int64")
    visible = _read(
        conn,
        sa.select(t.products.c.products_id, t.products.c.products_status),
        t.products.c.products_id,
        hide_ids,
    )
    to_hide = visible.loc[visible["products_status"].astype(int) != 0, "products_id"]
    if len(to_hide):
        conn.execute(
            sa.update(t.products)
            .where(t.products.c.products_id == sa.bindparam("b_id"))
            .values(products_status=0, products_last_modified=run_at),
            [{"b_id": int(i)} for i in to_hide],
        )
    result.hidden = len(to_hide)
    result.unchanged += len(hide) - len(to_hide)

    hidden_rows = hide.assign(products_id=hide["osc_products_id"], inserted=False)
    result.ids = pd.concat([new.assign(inserted=True), old.assign(inserted=False), hidden_rows])[
        ["artikel_nr", "products_id", "inserted"]
    ].reset_index(drop=True)
    return result


# --- stock ---------------------------------------------------------------------------------


def current_quantities(conn: sa.Connection, ids: Iterable[int]) -> pd.Series:
    frame = _read(
        conn,
        sa.select(t.products.c.products_id, t.products.c.products_quantity),
        t.products.c.products_id,
        ids,
    )
    return frame.set_index("products_id")["products_quantity"].astype("int64")


def write_quantities(conn: sa.Connection, changes: pd.DataFrame) -> int:
    """Set products_quantity; returns the number of shop rows that exist and were written."""
    if changes.empty:
        return 0
    stmt = (
        sa.update(t.products)
        .where(t.products.c.products_id == sa.bindparam("b_id"))
        .values(products_quantity=sa.bindparam("b_qty"))
    )
    params = [
        {"b_id": int(pid), "b_qty": int(qty)}
        for pid, qty in zip(changes["osc_products_id"], changes["products_quantity"], strict=True)
    ]
    written = 0
    for batch in chunks(params):
        written += conn.execute(stmt, list(batch)).rowcount
    return written
