"""Product groups -> osCommerce categories: tree order, broken trees, names, sort order."""

from __future__ import annotations

import pandas as pd
import pytest
from bo_frames import group, group_text, groups

from bo_oscommerce.transform.categories import (
    TREE_CYCLE,
    TREE_OK,
    TREE_PARENT_NOT_IN_WEB,
    TREE_UNKNOWN_PARENT,
    Cleaned,
    build_categories,
    descendants_of,
    tree_positions,
)

LANGUAGES = {"D": "de", "E": "en"}


def _build(
    frame: pd.DataFrame, languages: dict[str, str] | None = None
) -> tuple[pd.DataFrame, Cleaned]:
    return build_categories(frame, languages or LANGUAGES, "D")


def _by_nr(categories: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["warengruppe_nr"]: row for _, row in categories.iterrows()}


# --- tree_positions --------------------------------------------------------------------------


def test_tree_positions_depth_of_a_healthy_tree() -> None:
    parents = {"ROOT": None, "CHILD": "ROOT", "GRANDCHILD": "CHILD", "OTHER": None}
    positions = tree_positions(parents, set(parents))
    assert positions == {
        "ROOT": (TREE_OK, 0),
        "OTHER": (TREE_OK, 0),
        "CHILD": (TREE_OK, 1),
        "GRANDCHILD": (TREE_OK, 2),
    }


def test_tree_positions_only_reports_web_groups() -> None:
    parents = {"ROOT": None, "HIDDEN": None, "CHILD": "ROOT"}
    assert set(tree_positions(parents, {"ROOT", "CHILD"})) == {"ROOT", "CHILD"}


def test_self_parent_is_a_cycle() -> None:
    parents = {"SELF": "SELF", "BELOW": "SELF", "ROOT": None}
    positions = tree_positions(parents, set(parents))
    assert positions["SELF"][0] == TREE_CYCLE
    assert positions["BELOW"][0] == TREE_CYCLE  # below a cycle cannot be placed either
    assert positions["ROOT"] == (TREE_OK, 0)


@pytest.mark.parametrize("below", ["0-BELOW", "Z-BELOW"])  # visited before / after the cycle
def test_three_cycle_and_everything_below_it(below: str) -> None:
    parents = {"A": "C", "B": "A", "C": "B", below: "B", "ROOT": None, "LEAF": "ROOT"}
    positions = tree_positions(parents, set(parents))
    for nr in ("A", "B", "C", below):
        assert positions[nr][0] == TREE_CYCLE, nr
    assert positions["ROOT"] == (TREE_OK, 0)
    assert positions["LEAF"] == (TREE_OK, 1)


def test_unknown_parent_and_parent_not_in_web() -> None:
    parents = {
        "ORPHAN": "MISSING",
        "ORPHAN_CHILD": "ORPHAN",
        "OFFLINE": None,
        "UNDER_OFFLINE": "OFFLINE",
        "DEEPER": "UNDER_OFFLINE",
    }
    in_web = set(parents) - {"OFFLINE"}
    positions = tree_positions(parents, in_web)
    assert positions["ORPHAN"][0] == TREE_UNKNOWN_PARENT
    assert positions["ORPHAN_CHILD"][0] == TREE_UNKNOWN_PARENT
    assert positions["UNDER_OFFLINE"][0] == TREE_PARENT_NOT_IN_WEB
    assert positions["DEEPER"][0] == TREE_PARENT_NOT_IN_WEB
    assert "OFFLINE" not in positions


# --- build_categories: tree ------------------------------------------------------------------


def test_parents_come_before_children_with_depth() -> None:
    # listed children first, and with numbers that sort before their parents
    frame = groups(
        group("1-LEAF", "5-MID"),
        group("5-MID", "9-TOP"),
        group("9-TOP"),
        group("2-SIDE", "9-TOP"),
    )
    categories, _ = _build(frame)
    order = categories["warengruppe_nr"].tolist()
    assert order.index("9-TOP") < order.index("5-MID") < order.index("1-LEAF")
    assert order.index("9-TOP") < order.index("2-SIDE")
    rows = _by_nr(categories)
    assert {nr: int(row["depth"]) for nr, row in rows.items()} == {
        "9-TOP": 0,
        "5-MID": 1,
        "2-SIDE": 1,
        "1-LEAF": 2,
    }
    assert rows["1-LEAF"]["ober_warengruppe_nr"] == "5-MID"
    assert pd.isna(rows["9-TOP"]["ober_warengruppe_nr"])
    assert set(categories["tree"]) == {TREE_OK}


def test_every_parent_precedes_its_children() -> None:
    frame = groups(
        group("A"),
        group("B", "A"),
        group("C", "B"),
        group("D", "A"),
        group("E", "D"),
        group("F"),
        group("G", "F"),
    )
    categories, _ = _build(frame)
    seen: set[str] = set()
    for nr, parent in zip(
        categories["warengruppe_nr"], categories["ober_warengruppe_nr"], strict=True
    ):
        assert pd.isna(parent) or parent in seen, f"{nr} before its parent {parent}"
        seen.add(nr)


def test_empty_parent_is_top_level() -> None:
    categories, _ = _build(groups(group("TOP", ""), group("CHILD", "TOP")))
    rows = _by_nr(categories)
    assert rows["TOP"]["tree"] == TREE_OK
    assert pd.isna(rows["TOP"]["ober_warengruppe_nr"])
    assert int(rows["CHILD"]["depth"]) == 1


def test_broken_trees_are_marked() -> None:
    frame = groups(
        group("ROOT"),
        group("SELF", "SELF"),
        group("A", "C"),
        group("B", "A"),
        group("C", "B"),
        group("ORPHAN", "NOPE"),
        group("OFFLINE", "ROOT", im_web=0),
        group("UNDER_OFFLINE", "OFFLINE"),
    )
    categories, _ = _build(frame)
    tree = dict(zip(categories["warengruppe_nr"], categories["tree"], strict=True))
    assert tree == {
        "ROOT": TREE_OK,
        "SELF": TREE_CYCLE,
        "A": TREE_CYCLE,
        "B": TREE_CYCLE,
        "C": TREE_CYCLE,
        "ORPHAN": TREE_UNKNOWN_PARENT,
        "UNDER_OFFLINE": TREE_PARENT_NOT_IN_WEB,
    }  # OFFLINE itself is not in the web: not a category at all


def test_one_row_per_group_with_several_texts() -> None:
    frame = groups(group_text("G1", "D", "Werkzeug"), group_text("G1", "E", "Tools"))
    categories, _ = _build(frame)
    assert categories["warengruppe_nr"].tolist() == ["G1"]


# --- descendants_of --------------------------------------------------------------------------


def test_descendants_of_names_the_set_aside_ancestor() -> None:
    frame = groups(
        group("TOP"),
        group("BAD", "TOP"),
        group("CHILD", "BAD"),
        group("GRANDCHILD", "CHILD"),
        group("SIBLING", "TOP"),
        group("OTHER"),
    )
    categories, _ = _build(frame)
    assert descendants_of(categories, {"BAD"}) == {"CHILD": "BAD", "GRANDCHILD": "BAD"}
    assert descendants_of(categories, {"TOP"}) == {
        "BAD": "TOP",
        "CHILD": "TOP",
        "GRANDCHILD": "TOP",
        "SIBLING": "TOP",
    }
    assert descendants_of(categories, set()) == {}
    assert descendants_of(categories, {"GRANDCHILD"}) == {}


@pytest.mark.parametrize(("top", "bad"), [("A-TOP", "Z-BAD"), ("Z-TOP", "A-BAD")])
def test_descendants_of_names_the_nearest_set_aside_ancestor(top: str, bad: str) -> None:
    frame = groups(group(top), group(bad, top), group("CHILD", bad))
    categories, _ = _build(frame)
    # the set-aside group itself is not a descendant; CHILD went down with its own parent
    assert descendants_of(categories, {top, bad}) == {"CHILD": bad}


def test_descendants_of_terminates_on_a_cycle() -> None:
    frame = groups(group("A", "B"), group("B", "A"), group("C", "A"))
    categories, _ = _build(frame)
    assert descendants_of(categories, {"A"}) == {"B": "A", "C": "A"}


# --- names -----------------------------------------------------------------------------------


def test_names_per_language_with_fallbacks() -> None:
    frame = groups(
        group_text("BOTH", "D", "Werkzeug"),
        group_text("BOTH", "E", "Tools"),
        group_text("DE_ONLY", "D", "Schrauben"),
        group("NONE", bezeichnung="Stammname BO"),
        group_text("FR_ONLY", "F", "Outils", bezeichnung="Werkzeug BO"),
    )
    categories, _ = _build(frame)
    names = {
        nr: (row["categories_name__de"], row["categories_name__en"])
        for nr, row in _by_nr(categories).items()
    }
    assert names == {
        "BOTH": ("Werkzeug", "Tools"),
        "DE_ONLY": ("Schrauben", "Schrauben"),
        "NONE": ("Stammname BO", "Stammname BO"),
        "FR_ONLY": ("Werkzeug BO", "Werkzeug BO"),
    }


def test_only_configured_languages_get_columns() -> None:
    categories, _ = _build(groups(group_text("G1", "D", "Werkzeug")), {"D": "de"})
    assert [c for c in categories.columns if c.startswith("categories_name__")] == [
        "categories_name__de"
    ]


def test_names_cut_to_32_characters_and_recorded() -> None:
    long_name = "Befestigungstechnik-und-Zubehoer-fuer-Profis"
    assert len(long_name) > 32
    frame = groups(group_text("LONG", "D", long_name), group_text("EXACT", "D", "y" * 32))
    categories, cleaned = _build(frame)
    rows = _by_nr(categories)
    assert rows["LONG"]["categories_name__de"] == long_name[:32]
    assert rows["LONG"]["categories_name__en"] == long_name[:32]
    assert rows["EXACT"]["categories_name__de"] == "y" * 32
    assert cleaned.rules == {
        "categories_name cut to 32 characters": ["LONG"],
        "categories_name (en) missing in BO: default-language text used": ["LONG", "EXACT"],
    }


def test_emoji_stripped_from_names_and_recorded() -> None:
    frame = groups(
        group_text("FUN", "D", "Garten 🌻 Deko"),
        group_text("FUN", "E", "Garden 🌻 decor"),
        group_text("PLAIN", "D", "Küche & Bad für 5 €"),
    )
    categories, cleaned = _build(frame)
    rows = _by_nr(categories)
    assert rows["FUN"]["categories_name__de"] == "Garten Deko"
    assert rows["FUN"]["categories_name__en"] == "Garden decor"
    assert rows["PLAIN"]["categories_name__de"] == "Küche & Bad für 5 €"
    assert cleaned.rules == {
        "4-byte characters removed from categories_name": ["FUN"],
        "categories_name (en) missing in BO: default-language text used": ["PLAIN"],
    }
    assert cleaned.count == 2


# --- sort order and markers ------------------------------------------------------------------


def test_sort_order_orders_siblings_and_is_kept() -> None:
    frame = groups(
        group("TOP"),
        group("C1", "TOP", sortierung=30),
        group("C2", "TOP", sortierung=10),
        group("C3", "TOP", sortierung=20),
        group("C4", "TOP", sortierung=None),
    )
    categories, _ = _build(frame)
    assert categories["warengruppe_nr"].tolist() == ["TOP", "C4", "C2", "C3", "C1"]
    rows = _by_nr(categories)
    assert int(rows["C1"]["sort_order"]) == 30
    assert int(rows["C4"]["sort_order"]) == 0  # missing sort order: 0


def test_stand_is_the_newest_of_group_and_text_changes() -> None:
    frame = groups(
        {**group_text("G1", "D", "Werkzeug"), "text_geaendert_am": "2024-07-01 12:00:00"},
        {**group_text("G1", "E", "Tools"), "text_geaendert_am": "2024-02-01 12:00:00"},
        group("G2", geaendert_am="2024-08-01 06:00:00"),
    )
    rows = _by_nr(_build(frame)[0])
    assert rows["G1"]["stand"] == pd.Timestamp("2024-07-01 12:00:00")
    assert rows["G2"]["stand"] == pd.Timestamp("2024-08-01 06:00:00")


def test_shop_id_is_carried() -> None:
    rows = _by_nr(_build(groups(group("G1", osc_categories_id=12), group("G2")))[0])
    assert int(rows["G1"]["osc_categories_id"]) == 12
    assert pd.isna(rows["G2"]["osc_categories_id"])
