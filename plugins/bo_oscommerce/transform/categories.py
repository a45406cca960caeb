"""Warengruppen (BO product groups) -> osCommerce categories, as pure pandas.

The result is one row per web product group, parents before children, with a column
``tree`` saying whether the group can hang in the shop's tree ("ok") or why not.
"""

from __future__ import annotations

import pandas as pd

from bo_oscommerce.field_maps import CATEGORY_TEXTS
from bo_oscommerce.shop.columns import ShopColumns, metadata_columns
from bo_oscommerce.transform.common import Cleaned, pivot_texts, to_timestamp

__all__ = ["Cleaned", "build_categories", "descendants_of", "offline_groups", "tree_positions"]

TREE_OK = "ok"
TREE_CYCLE = "cycle"
TREE_UNKNOWN_PARENT = "unknown_parent"
TREE_PARENT_NOT_IN_WEB = "parent_not_in_web"


def tree_positions(parents: dict[str, str | None], in_web: set[str]) -> dict[str, tuple[str, int]]:
    """For each web group: (tree status, depth); depth 0 is a top-level category.

    A group inherits the status of the first problem on its way up to the root, so the groups
    on a cycle and every group below them are ``cycle``.
    """
    result: dict[str, tuple[str, int]] = {}
    for start in sorted(in_web):
        path: list[str] = []
        node: str | None = start
        status, depth = TREE_OK, -1
        while node is not None and node not in result:
            if node in path:
                status = TREE_CYCLE
                break
            path.append(node)
            parent = parents.get(node)
            if parent is not None and parent not in parents:
                status = TREE_UNKNOWN_PARENT
                break
            if parent is not None and parent not in in_web:
                status = TREE_PARENT_NOT_IN_WEB
                break
            node = parent
        else:
            if node is not None:
                status, depth = result[node]
        for offset, member in enumerate(reversed(path), start=1):
            result[member] = (status, depth + offset) if status == TREE_OK else (status, 0)
    return {nr: result[nr] for nr in in_web}


def build_categories(
    groups: pd.DataFrame,
    languages: dict[str, str],
    default_language: str,
    columns: ShopColumns | None = None,
) -> tuple[pd.DataFrame, Cleaned]:
    """Web product groups as category rows, parents first, names per osCommerce language.

    ``groups`` is the result of ``extract_warengruppen.sql``. Groups that are not in the web
    are not synced; a web group below one of them is marked ``parent_not_in_web``. Names are
    made to fit the shop's ``categories_description.categories_name`` (``columns``; default:
    upstream osCommerce 2.3). ``texte`` counts each group's BO text rows.
    """
    columns = columns or metadata_columns(["categories", "categories_description"])
    cleaned = Cleaned()
    main, parents, in_web = _tree_inputs(groups)
    positions = tree_positions(parents, in_web)

    web = main.loc[sorted(in_web)]
    texts = pivot_texts(
        groups[groups["warengruppe_nr"].isin(in_web)],
        key="warengruppe_nr",
        languages=languages,
        default_language=default_language,
        fields={"text_bezeichnung": "categories_name"},
        fallback={"categories_name": "bezeichnung"},
        cleaned=cleaned,
    )
    text_changed = (
        groups.assign(text_geaendert_am=to_timestamp(groups["text_geaendert_am"]))
        .groupby("warengruppe_nr")["text_geaendert_am"]
        .max()
    )
    out = pd.DataFrame(
        {
            "warengruppe_nr": web["warengruppe_nr"].astype(str).to_numpy(),
            "ober_warengruppe_nr": [parents[nr] for nr in web.index],
            "sort_order": pd.to_numeric(web["sortierung"], errors="coerce")
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            "osc_categories_id": pd.array(web["osc_categories_id"], dtype="Int64"),
            "osc_abgleich_stand": to_timestamp(web["osc_abgleich_stand"]).to_numpy(),
            "stand": pd.concat(
                [to_timestamp(web["geaendert_am"]), text_changed.reindex(web.index)], axis=1
            )
            .max(axis=1)
            .to_numpy(),
            "osc_texte": pd.array(web["osc_texte"], dtype="Int64")
            if "osc_texte" in web
            else pd.array([pd.NA] * len(web), dtype="Int64"),
            "texte": text_rows(groups, "warengruppe_nr")
            .reindex(web.index)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            "tree": [positions[nr][0] for nr in web.index],
            "depth": [positions[nr][1] for nr in web.index],
        }
    )
    out = out.merge(texts, on="warengruppe_nr", how="left")
    out = CATEGORY_TEXTS.fit(out, columns, out["warengruppe_nr"], cleaned, list(languages.values()))
    out = out.sort_values(["depth", "sort_order", "warengruppe_nr"], kind="stable")
    return out.reset_index(drop=True), cleaned


def descendants_of(categories: pd.DataFrame, rejected: set[str]) -> dict[str, str]:
    """Groups below a set-aside group, each with the ancestor that took it down."""
    children: dict[str, list[str]] = {}
    for nr, parent in zip(
        categories["warengruppe_nr"], categories["ober_warengruppe_nr"], strict=True
    ):
        if isinstance(parent, str):  # top-level groups hold None or NaN
            children.setdefault(parent, []).append(nr)
    result: dict[str, str] = {}
    stack = [(nr, nr) for nr in sorted(rejected)]
    while stack:
        nr, root = stack.pop()
        for child in children.get(nr, []):
            if child not in rejected and child not in result:
                result[child] = root
                stack.append((child, root))
    return result


def text_rows(long: pd.DataFrame, key: str) -> pd.Series:
    """Number of BO text rows per key (``sprache`` NULL: a row without texts)."""
    return long.assign(has=long["sprache"].notna()).groupby(key, sort=False)["has"].sum()


def _tree_inputs(groups: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str | None], set[str]]:
    """One row per group (indexed by its number), each group's parent, the web groups."""
    main = groups.drop_duplicates("warengruppe_nr").set_index("warengruppe_nr", drop=False)
    parents = {
        str(nr): (None if pd.isna(parent) or parent == "" else str(parent))
        for nr, parent in main["ober_warengruppe_nr"].items()
    }
    return main, parents, set(main.index[main["im_web"].astype(int) == 1].astype(str))


def offline_groups(groups: pd.DataFrame) -> set[str]:
    """Groups that are not in the shop's tree on purpose: not in the web, or below one that
    is not. (Groups in a cycle or below an unknown parent are data errors, not offline.)
    The tree of ``build_categories``, without its texts."""
    _, parents, in_web = _tree_inputs(groups)
    positions = tree_positions(parents, in_web)
    every = set(groups["warengruppe_nr"].astype(str))
    return every - {nr for nr, (tree, _) in positions.items() if tree != TREE_PARENT_NOT_IN_WEB}
