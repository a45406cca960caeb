"""Reading and writing the shop's categories (``categories``, ``categories_description``).

Groups are resolved level by level, parents first: a category's natural key is its parent's
categories_id plus its default-language name, so a parent must be placed before its children
can be matched. osCommerce 2.3 categories have no status: a group that leaves the web has its
category removed (its products are hidden by the products step and moved to the top level,
where the shop admin still finds them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.frames import result_frame
from bo_oscommerce.identity import AMBIGUOUS, STALE_COLUMNS, resolve
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult, added_text_blanks, natural_text
from bo_oscommerce.shop.dialect import chunks, insert_rows, placeholder_row, reserve_ids, upsert

WHAT = "category name under its parent"
RETIRED = "product group left the web: its category was removed (osCommerce has no category status)"


def natural_key(parent_id: int, name: object) -> str:
    """What identifies a category in the shop: parent id and default-language name."""
    return f"{int(parent_id)}/{natural_text(name) or ''}"


class ShopCategories:
    """The shop's category tree and names, read once per load."""

    def __init__(self, conn: sa.Connection, default_lid: int) -> None:
        c, d = t.categories.c, t.categories_description.c
        self.rows = result_frame(
            conn.execute(sa.select(c.categories_id, c.parent_id, c.sort_order))
        ).set_index("categories_id", drop=False)
        names = result_frame(
            conn.execute(sa.select(d.categories_id, d.language_id, d.categories_name))
        )
        self.name_of = {
            (int(r.categories_id), int(r.language_id)): r.categories_name
            for r in names.itertuples()
        }
        self.keys = pd.DataFrame(
            {
                "shop_id": self.rows["categories_id"].astype("int64").to_numpy(),
                "natural_key": [
                    natural_key(p or 0, self.name_of.get((int(cid), default_lid)))
                    for cid, p in zip(
                        self.rows["categories_id"], self.rows["parent_id"], strict=True
                    )
                ],
                "sort_order": self.rows["sort_order"].fillna(0).astype("int64").to_numpy(),
            }
        )
        keys = self.keys
        self.key_by_id = dict(zip(keys["shop_id"].tolist(), keys["natural_key"], strict=True))

    def key_of(self, categories_id: int) -> str | None:
        return self.key_by_id.get(int(categories_id))

    def children_of(self, ids: set[int]) -> set[int]:
        parents = self.rows["parent_id"].fillna(0).astype("int64")
        return set(self.rows.loc[parents.isin(ids), "categories_id"].astype("int64"))


def verify_settled(
    shop: ShopCategories,
    settled: pd.DataFrame,
    stored: dict[str, int],
    remembered: dict[str, str],
    default_code: str,
) -> pd.Series:
    """Mask of settled groups (not due this run) whose stored category still carries their
    key; ``stored``: every group's stored categories_id, for the parents' part of the key."""
    ids = stored
    ok = []
    for row in settled.itertuples(index=False):
        parent = row.ober_warengruppe_nr
        parent_id = ids.get(parent, 0) if isinstance(parent, str) and parent else 0
        holds = shop.key_of(int(row.osc_categories_id))
        wanted = natural_key(parent_id, getattr(row, f"categories_name__{default_code}"))
        ok.append(holds is not None and holds in (wanted, remembered.get(row.warengruppe_nr)))
    return pd.Series(ok, index=settled.index, dtype=bool)


def _level_identity(
    level: pd.DataFrame,
    parent_ids: pd.Series,
    shop: ShopCategories,
    remembered: dict[str, str],
    default_code: str,
    taken: set[int],
):
    wanted = pd.DataFrame(
        {
            "warengruppe_nr": level["warengruppe_nr"],
            "stored_id": pd.array(level["osc_categories_id"], dtype="Int64"),
            "natural_key": [
                natural_key(p, n)
                for p, n in zip(parent_ids, level[f"categories_name__{default_code}"], strict=True)
            ],
            "remembered_key": level["warengruppe_nr"].map(remembered).astype(object),
            "sort_order": level["sort_order"],
        },
        index=level.index,
    )
    return resolve(
        wanted,
        shop.keys,
        key="warengruppe_nr",
        what=WHAT,
        order=["sort_order", "warengruppe_nr"],
        shop_order=["sort_order", "shop_id"],
        taken=taken,
    )


@dataclass
class _Writes:
    """The category rows one load writes, collected level by level."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    descriptions: list[dict[str, Any]] = field(default_factory=list)
    new_descriptions: list[dict[str, Any]] = field(default_factory=list)
    loaded: list[tuple[str, int, bool, str]] = field(default_factory=list)


def load_categories(
    conn: sa.Connection,
    categories: pd.DataFrame,
    languages: dict[str, int],
    default_code: str,
    columns: ShopColumns,
    run_at: datetime,
    known: dict[str, int],
    remembered: dict[str, str],
) -> LoadResult:
    """Create or update valid web groups (parents first) as categories.

    ``known``: settled groups with their verified categories_id, as parents of the loaded
    ones. ``remembered``: group -> natural key as last written (``osc_bindung``).
    """
    result = LoadResult(stale=pd.DataFrame(columns=STALE_COLUMNS))
    writes = _Writes()
    if not categories.empty:  # else nothing to place: the shop's tree is not read
        _place(conn, categories, languages, default_code, columns, run_at, known, remembered,
               result, writes)  # fmt: skip
    _write(conn, writes, columns)
    result.ids = pd.DataFrame(
        writes.loaded, columns=["warengruppe_nr", "categories_id", "inserted", "natural_key"]
    ).astype({"categories_id": "int64", "inserted": bool})
    return result


def _place(
    conn: sa.Connection,
    categories: pd.DataFrame,
    languages: dict[str, int],
    default_code: str,
    columns: ShopColumns,
    run_at: datetime,
    known: dict[str, int],
    remembered: dict[str, str],
    result: LoadResult,
    writes: _Writes,
) -> None:
    """Each level of groups, parents first: its categories found or created (planned into
    ``writes``), its rows without a placed parent or with an ambiguous match set aside."""
    shop = ShopCategories(conn, languages[default_code])
    assigned: dict[str, int] = dict(known)
    taken = set(known.values())
    placeholder = placeholder_row(
        [columns.spec("categories", c) for c in columns.columns_of("categories")], "categories_id"
    )
    for _depth, level in categories.groupby("depth", sort=True):
        parent = level["ober_warengruppe_nr"]
        placed = parent.map(lambda p: not isinstance(p, str) or not p or p in assigned)
        for nr, p in zip(level.loc[~placed, "warengruppe_nr"], parent[~placed], strict=True):
            result.rejected.append((nr, f"parent product group {p} was set aside", p))
        level = level.loc[placed]
        parent_ids = level["ober_warengruppe_nr"].map(
            lambda p: assigned[p] if isinstance(p, str) and p else 0
        )
        identity = _level_identity(level, parent_ids, shop, remembered, default_code, taken)
        result.rejected += list(identity.ambiguous.itertuples(index=False, name=None))
        result.stale = pd.concat([result.stale, identity.stale], ignore_index=True)
        fresh = iter(reserve_ids(conn, t.categories, int(identity.new.sum()), placeholder))
        for label, row in level.iterrows():
            if identity.how[label] == AMBIGUOUS:
                continue
            parent_id = int(parent_ids[label])
            names = {lid: row[f"categories_name__{code}"] for code, lid in languages.items()}
            is_new = identity.how[label] == "new"
            cid = next(fresh) if is_new else int(identity.shop_id[label])
            _plan_row(writes, result, shop, cid, is_new, parent_id, int(row["sort_order"]),
                      names, run_at)  # fmt: skip
            assigned[row["warengruppe_nr"]] = cid
            taken.add(cid)
            writes.loaded.append((
                row["warengruppe_nr"], cid, is_new,
                natural_key(parent_id, names[languages[default_code]]),
            ))  # fmt: skip


def _plan_row(
    writes: _Writes,
    result: LoadResult,
    shop: ShopCategories,
    cid: int,
    is_new: bool,
    parent_id: int,
    sort: int,
    names: dict[int, str],
    run_at: datetime,
) -> None:
    """A new category with its names, or what differs of an existing one (or nothing)."""
    if is_new:
        writes.new.append(
            {"categories_id": cid, "parent_id": parent_id, "sort_order": sort, "date_added": run_at}
        )
        writes.new_descriptions += [
            {"categories_id": cid, "language_id": lid, "categories_name": name}
            for lid, name in names.items()
        ]
        result.inserted += 1
        return
    current = shop.rows.loc[cid]
    differ = {lid: n for lid, n in names.items() if shop.name_of.get((cid, lid)) != n}
    if int(current["parent_id"] or 0) == parent_id and int(current["sort_order"] or 0) == sort \
            and not differ:  # fmt: skip
        result.unchanged += 1
        return
    writes.changed.append({"b_id": cid, "b_parent": parent_id, "b_sort": sort,
                           "b_modified": run_at})  # fmt: skip
    writes.descriptions += [
        {"categories_id": cid, "language_id": lid, "categories_name": n}
        for lid, n in differ.items()
    ]
    result.updated += 1


def _write(conn: sa.Connection, writes: _Writes, columns: ShopColumns) -> None:
    insert_rows(conn, t.categories, pd.DataFrame(writes.new))
    blanks = added_text_blanks(columns, "categories_description")
    texts = pd.DataFrame(writes.new_descriptions).assign(**blanks)
    insert_rows(conn, t.categories_description, texts)
    if writes.changed:
        conn.execute(
            sa.update(t.categories)
            .where(t.categories.c.categories_id == sa.bindparam("b_id"))
            .values(
                parent_id=sa.bindparam("b_parent"),
                sort_order=sa.bindparam("b_sort"),
                last_modified=sa.bindparam("b_modified"),
            ),
            writes.changed,
        )
    upsert(conn, t.categories_description, writes.descriptions, ["categories_name"])


def retire_categories(
    conn: sa.Connection,
    leaving: pd.DataFrame,
    default_lid: int,
    result: LoadResult,
) -> list[str]:
    """Remove the categories of groups that left the web or BO (``warengruppe_nr``,
    ``osc_categories_id``, ``natural_keys``: the keys the category may carry). A category
    that still holds categories of the shop's own is kept and reported. Products linked only
    to removed categories move to the top level (categories_id 0). Returns the groups whose
    link BO should forget."""
    if leaving.empty:
        return []
    shop = ShopCategories(conn, default_lid)
    ours, forget = {}, []
    for row in leaving.itertuples(index=False):
        cid = int(row.osc_categories_id)
        holds = shop.key_of(cid)
        if holds is None or holds not in row.natural_keys:
            problem = (
                "the shop row is gone"
                if holds is None
                else f"the shop row now holds {WHAT} {holds!r}"
            )
            result.stale = pd.concat(
                [
                    result.stale,
                    pd.DataFrame(
                        [(row.warengruppe_nr, cid, problem)],
                        columns=STALE_COLUMNS,
                    ),
                ],
                ignore_index=True,
            )
            forget.append(row.warengruppe_nr)
            continue
        ours[cid] = row.warengruppe_nr
    foreign = shop.children_of(set(ours)) - set(ours)
    kept = {cid for cid in ours if shop.children_of({cid}) & foreign}
    for cid in sorted(kept):
        result.notes.append(
            f"category {cid} of product group {ours[cid]} stays in the shop: it holds categories "
            "that do not come from BO; move them first"
        )
    removed = sorted(set(ours) - kept)
    if removed:
        p2c = t.products_to_categories
        linked = result_frame(
            conn.execute(
                sa.select(p2c.c.products_id, p2c.c.categories_id).where(
                    p2c.c.categories_id.in_(removed)
                )
            )
        )
        for part in chunks(removed, 1000):
            conn.execute(sa.delete(p2c).where(p2c.c.categories_id.in_(list(part))))
            conn.execute(
                sa.delete(t.categories_description).where(
                    t.categories_description.c.categories_id.in_(list(part))
                )
            )
            conn.execute(
                sa.delete(t.categories).where(t.categories.c.categories_id.in_(list(part)))
            )
        products = sorted({int(p) for p in linked["products_id"]})
        still = set()
        for part in chunks(products, 1000):
            still |= set(
                conn.execute(
                    sa.select(p2c.c.products_id).where(p2c.c.products_id.in_(list(part)))
                ).scalars()
            )
        orphans = [p for p in products if p not in still]
        insert_rows(conn, p2c, pd.DataFrame({"products_id": orphans, "categories_id": 0}))
        result.hidden += len(removed)
        result.hide_reason(RETIRED, [ours[cid] for cid in removed])
        forget += [ours[cid] for cid in removed]
    return forget
