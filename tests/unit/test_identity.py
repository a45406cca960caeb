"""The one identity rule: stored id if its row carries the key, else the key, else new."""

from __future__ import annotations

import pandas as pd
import pytest

from bo_oscommerce.identity import AMBIGUOUS, MATCHED, NEW, STORED, Names, incoming, resolve


def _wanted(*rows: tuple) -> pd.DataFrame:
    """(key, stored_id, natural_key[, remembered_key])"""
    return pd.DataFrame(
        [(*r, None) if len(r) == 3 else r for r in rows],
        columns=["key", "stored_id", "natural_key", "remembered_key"],
    )


def _shop(*rows: tuple[int, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["shop_id", "natural_key"])


def _result(wanted: pd.DataFrame, shop: pd.DataFrame, **kwargs) -> dict[str, tuple]:
    identity = resolve(wanted, shop, key="key", what="model", **kwargs)
    return {
        k: (None if pd.isna(i) else int(i), how)
        for k, i, how in zip(wanted["key"], identity.shop_id, identity.how, strict=True)
    }


def test_stored_id_counts_when_its_row_carries_the_key() -> None:
    identity = resolve(
        _wanted(("A", 7, "a")), _shop((7, "a"), (8, "a")), key="key", what="model"
    )
    assert identity.shop_id.tolist() == [7]
    assert identity.how.tolist() == [STORED]
    assert identity.stale.empty


def test_reused_id_is_stale_and_the_row_is_matched_by_its_key_instead() -> None:
    # the shop deleted product 73 and handed 73 out again, to N-1; X-9 was re-created as 90
    wanted = _wanted(("X-9", 73, "x-9"), ("N-1", None, "n-1"))
    shop = _shop((73, "n-1"), (90, "x-9"))
    assert _result(wanted, shop) == {"X-9": (90, MATCHED), "N-1": (73, MATCHED)}
    stale = resolve(wanted, shop, key="key", what="model").stale
    assert stale.values.tolist() == [["X-9", 73, "the shop row now holds model 'n-1'"]]


def test_gone_row_is_stale_and_the_row_is_created_again() -> None:
    identity = resolve(_wanted(("A", 5, "a")), _shop(), key="key", what="model")
    assert identity.how.tolist() == [NEW]
    assert identity.stale.values.tolist() == [["A", 5, "the shop row is gone"]]


def test_remembered_key_keeps_a_renamed_row() -> None:
    wanted = _wanted(("WG1", 5, "0/neu", "0/alt"))
    assert _result(wanted, _shop((5, "0/alt"))) == {"WG1": (5, STORED)}
    # the shop row already has the new name: also fine
    assert _result(wanted, _shop((5, "0/neu"))) == {"WG1": (5, STORED)}
    # neither: somebody else's row
    assert _result(wanted, _shop((5, "0/fremd"))) == {"WG1": (None, NEW)}


def test_two_bo_rows_claiming_one_id_keep_it_for_the_first_only() -> None:
    wanted = _wanted(("A", 5, "k"), ("B", 5, "k"))
    assert _result(wanted, _shop((5, "k"))) == {"A": (5, STORED), "B": (None, NEW)}
    stale = resolve(wanted, _shop((5, "k")), key="key", what="model").stale
    assert stale["problem"].tolist() == ["the shop row is linked to another BO row"]


def test_equal_keys_pair_in_order() -> None:
    # two groups "Zubehör" under one parent, ids lost: paired by BO order and shop id
    wanted = _wanted(("WG2", None, "1/zubehör"), ("WG1", None, "1/zubehör"))
    shop = _shop((6, "1/zubehör"), (5, "1/zubehör"))
    assert _result(wanted, shop) == {"WG1": (5, MATCHED), "WG2": (6, MATCHED)}


def test_unequal_numbers_are_ambiguous_and_set_aside() -> None:
    wanted = _wanted(("A", None, "dvd"))
    identity = resolve(wanted, _shop((5, "dvd"), (9, "dvd")), key="key", what="model")
    assert identity.how.tolist() == [AMBIGUOUS]
    assert identity.shop_id.isna().all()
    (row,) = identity.ambiguous.itertuples(index=False)
    assert row.key == "A"
    assert row.reason.startswith("model is held by several shop rows")
    assert row.value == "dvd (shop ids 5, 9)"

    wanted = _wanted(("A", None, "k"), ("B", None, "k"))
    identity = resolve(wanted, _shop((5, "k")), key="key", what="model")
    assert identity.how.tolist() == [AMBIGUOUS, AMBIGUOUS]
    assert identity.ambiguous["reason"].str.startswith("several BO rows share this model").all()


def test_rows_held_elsewhere_are_not_candidates() -> None:
    wanted = _wanted(("A", 5, "k"), ("B", None, "k"))
    assert _result(wanted, _shop((5, "k"), (6, "k"))) == {"A": (5, STORED), "B": (6, MATCHED)}
    # taken: held by a settled BO row that is not part of this call
    assert _result(_wanted(("B", None, "k")), _shop((5, "k")), taken={5}) == {"B": (None, NEW)}
    assert _result(_wanted(("B", 5, "k")), _shop((5, "k")), taken={5}) == {"B": (None, NEW)}


def test_sort_columns_decide_the_pairing() -> None:
    wanted = _wanted(("WG1", None, "k"), ("WG2", None, "k")).assign(sort=[20, 10])
    shop = _shop((5, "k"), (6, "k")).assign(sort=[2, 1])
    result = _result(wanted, shop, order=["sort", "key"], shop_order=["sort", "shop_id"])
    assert result == {"WG2": (6, MATCHED), "WG1": (5, MATCHED)}


def test_incoming_rows_link_to_the_one_free_bo_row_or_are_new() -> None:
    shop = pd.DataFrame(
        {"customers_id": [1, 2, 3, 4, 5, 6],
         "email_key": ["a@x.de", "b@x.de", "b@x.de", "c@x.de", "d@x.de", None]}
    )  # fmt: skip
    bo = pd.DataFrame(
        {"gp_id": [10, 11, 12, 13], "osc_customers_id": [None, None, None, 99],
         "email_key": ["a@x.de", "c@x.de", "c@x.de", "d@x.de"]}
    )  # fmt: skip
    unknown = pd.concat([shop, pd.DataFrame({"customers_id": [7], "email_key": ["e@x.de"]})])
    decided = incoming(
        unknown.reset_index(drop=True), shop, bo, shop_id="customers_id", bo_id="gp_id",
        bo_link="osc_customers_id", natural_key="email_key", what="e-mail address",
        names=Names(shop="shop customer", bo="BO contact"),
    )  # fmt: skip
    got = {
        int(c): (a, None if pd.isna(g) else int(g), None if pd.isna(r) else r)
        for c, a, g, r in zip(decided["customers_id"], decided["action"], decided["gp_id"],
                              decided["reason"], strict=True)
    }  # fmt: skip
    assert got[1] == ("link", 10, None)
    assert got[2][0] == got[3][0] == "aside" and "several shop customers" in got[2][2]
    assert got[4][0] == "aside" and "several BO contacts" in got[4][2]
    assert got[5] == ("aside", None,
                      "e-mail address belongs to BO contact 13, linked to shop customer 99")
    assert got[6] == ("create", None, None)
    assert got[7] == ("create", None, None)


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]", object])
def test_natural_texts_are_natural_text_of_each_value(dtype):
    """The vectorised keys equal the one-by-one rule: trailing spaces and case do not count,
    non-ASCII text is case-folded (ß -> ss, final sigma), missing stays missing."""
    from bo_oscommerce.shop.common import natural_text, natural_texts

    values = pd.Series(
        ["A-100 ", "a-100", "Straße", "ΣΟΦΟΣ  ", "İstanbul", None, " lead", "MiXeD\t", ""],
        index=[5, 3, 9, 1, 2, 8, 7, 6, 4],
        dtype=dtype,
    )
    got = natural_texts(values)
    expected = values.map(natural_text)
    assert got.index.equals(values.index)
    assert got.dtype == object
    assert [None if pd.isna(v) else v for v in got] == [
        None if pd.isna(v) else v for v in expected
    ]
    assert got[9] == "strasse" and got[5] == got[3] == "a-100" and pd.isna(got[8])
