"""The three-way merge of a linked customer's fields, without a database."""

from __future__ import annotations

import json

import pandas as pd

from bo_oscommerce.transform.customer_merge import (
    FIELDS,
    differences,
    merge,
    state_frame,
    state_json,
    text,
)
from bo_oscommerce.transform.emails import compare_key, valid_for_shop

GP = [1]


def bo(**values) -> pd.DataFrame:
    base = {"anrede": "Frau", "vorname": "Swantje", "nachname": "Ehlers", "geburtstag": "1988-07-02",
            "telefon": "0471 123456", "newsletter": 1, "firma": None, "strasse": "Cuxhavener Str. 5",
            "plz": "27568", "ort": "Bremerhaven", "staat_id": 1, "region": "Bremen"}  # fmt: skip
    return pd.DataFrame([{**base, **values}], index=GP)


def shop(**values) -> pd.DataFrame:
    base = {"customers_gender": "f", "customers_firstname": "Swantje",
            "customers_lastname": "Ehlers", "customers_dob": "1988-07-02 00:00:00",
            "customers_telephone": "0471 123456", "customers_newsletter": "1",
            "entry_company": "", "entry_street_address": "Cuxhavener Str. 5",
            "entry_postcode": "27568", "entry_city": "Bremerhaven", "entry_country_id": 81,
            "entry_zone": "84|"}  # fmt: skip
    return pd.DataFrame([{**base, **values}], index=GP)


def states(bo_frame: pd.DataFrame, shop_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What both sides held after the last sync, stored and read back as the sync does."""
    as_json = lambda frame, attr: pd.Series(  # noqa: E731
        [json.dumps({f.name: text(frame.iloc[0][getattr(f, attr)]) for f in FIELDS})], index=GP
    )
    return (state_frame(as_json(bo_frame, "bo"), pd.Index(GP)),
            state_frame(as_json(shop_frame, "shop"), pd.Index(GP)))  # fmt: skip


DEFAULT = pd.Series([True], index=GP)


def run(bo_now, shop_now, state_bo, state_shop, *, bo_as_shop=None, shop_as_bo=None, default=DEFAULT):
    return merge(bo_now, bo_as_shop if bo_as_shop is not None else shop(),
                 shop_now, shop_as_bo if shop_as_bo is not None else bo(),
                 state_bo, state_shop, default)  # fmt: skip


def test_nothing_changed_writes_nothing() -> None:
    merged = run(bo(), shop(), *states(bo(), shop()))
    assert merged.to_shop.empty and merged.to_bo.empty and merged.conflicts == []


def test_the_customers_own_edit_goes_into_bo() -> None:
    # account_edit.php: last name and telephone
    edited = shop(customers_lastname="Ehlers-Brinkmann", customers_telephone="0471 654321")
    as_bo = bo(nachname="Ehlers-Brinkmann", telefon="0471 654321")
    merged = run(bo(), edited, *states(bo(), shop()), shop_as_bo=as_bo)
    assert merged.to_shop.empty
    assert merged.to_bo[["field", "value"]].values.tolist() == [
        ["lastname", "Ehlers-Brinkmann"], ["telephone", "0471 654321"]]  # fmt: skip
    assert merged.state_bo.at[1, "lastname"] == "Ehlers-Brinkmann"
    assert merged.state_shop.at[1, "lastname"] == "Ehlers-Brinkmann"


def test_a_change_in_bo_goes_into_the_shop() -> None:
    merged = run(bo(ort="Cuxhaven", plz="27472"), shop(), *states(bo(), shop()),
                 bo_as_shop=shop(entry_city="Cuxhaven", entry_postcode="27472"))  # fmt: skip
    assert merged.to_shop[["field", "value", "was"]].values.tolist() == [
        ["postcode", "27472", "27568"], ["city", "Cuxhaven", "Bremerhaven"]]  # fmt: skip
    assert merged.to_bo.empty


def test_both_changed_bo_wins_and_the_conflict_is_listed() -> None:
    merged = run(bo(nachname="Brinkmann"), shop(customers_lastname="Ehlers-Brinkmann"),
                 *states(bo(), shop()), bo_as_shop=shop(customers_lastname="Brinkmann"),
                 shop_as_bo=bo(nachname="Ehlers-Brinkmann"))  # fmt: skip
    assert merged.to_shop[["field", "value"]].values.tolist() == [["lastname", "Brinkmann"]]
    assert merged.to_bo.empty
    assert merged.conflicts == [
        {"gp_id": 1, "field": "lastname", "bo": "Brinkmann", "shop": "Ehlers-Brinkmann", "kept": "BO"}
    ]


def test_a_newsletter_withdrawal_always_wins() -> None:
    withdrawn = shop(customers_newsletter="0")
    # BO unchanged: the withdrawal goes into BO
    merged = run(bo(), withdrawn, *states(bo(), shop()), shop_as_bo=bo(newsletter=0))
    assert merged.to_bo[["field", "value"]].values.tolist() == [["newsletter", 0]]
    assert merged.to_shop.empty
    # BO changed too (re-subscribed by phone): the withdrawal still wins, and is listed
    old_bo = bo(newsletter=0)
    merged = run(bo(newsletter=1), withdrawn, *states(old_bo, shop(customers_newsletter="1")),
                 shop_as_bo=bo(newsletter=0))  # fmt: skip
    assert merged.to_shop.empty
    assert merged.to_bo[["field", "value"]].values.tolist() == [["newsletter", 0]]
    assert merged.conflicts[0]["kept"] == "shop"
    # at first contact (no state yet) an explicit withdrawal in the shop wins over BO's 1
    none = state_frame(pd.Series([None], index=GP), pd.Index(GP))
    merged = run(bo(), withdrawn, none, none, shop_as_bo=bo(newsletter=0))
    assert merged.to_shop.empty
    assert merged.to_bo[["field", "value"]].values.tolist() == [["newsletter", 0]]


def test_first_contact_takes_bos_values_but_a_blank_clears_nothing() -> None:
    none = state_frame(pd.Series([None], index=GP), pd.Index(GP))
    theirs = shop(customers_lastname="Ehlers-Brinkmann", customers_dob="1988-07-02 00:00:00")
    merged = run(bo(geburtstag=None), theirs, none, none,
                 bo_as_shop=shop(customers_dob="0000-00-00 00:00:00"))  # fmt: skip
    assert merged.to_shop[["field", "value"]].values.tolist() == [["lastname", "Ehlers"]]


def test_a_value_bo_had_to_cut_is_no_change_in_bo() -> None:
    street = "Landgräfin-Amalie-Elisabeth-von-Lichtenau-Promenade 147, Gartenhaus, 2. OG, Hinterhaus"
    cut = street[:80].rstrip()
    long_shop = shop(entry_street_address=street)
    # BO holds the cut street since the customer's edit went into it; the shop keeps the whole
    merged = run(bo(strasse=cut), long_shop, *states(bo(strasse=cut), long_shop),
                 bo_as_shop=shop(entry_street_address=cut), shop_as_bo=bo(strasse=cut))  # fmt: skip
    assert merged.to_shop.empty and merged.to_bo.empty


def test_an_address_written_into_the_syncs_entry_while_the_customer_uses_another() -> None:
    # the customer made an own entry primary earlier; BO now changes the phone and the street
    own = shop(entry_street_address="Gewerbepark Ost 12")
    merged = run(bo(strasse="Am Deich 1"), own, *states(bo(), own),
                 bo_as_shop=shop(entry_street_address="Am Deich 1"),
                 default=pd.Series([False], index=GP))  # fmt: skip
    assert merged.to_shop[["field", "value"]].values.tolist() == [["street", "Am Deich 1"]]
    # the shop still shows the customer's own primary address: no change seen next run
    assert merged.state_shop.at[1, "street"] == "Gewerbepark Ost 12"
    assert merged.state_bo.at[1, "street"] == "Am Deich 1"


def test_differences_of_a_link_waiting_for_confirmation() -> None:
    stranger = shop(customers_firstname="Mallory", customers_lastname="Fremd")
    assert differences(shop(), stranger) == {
        1: ["firstname: BO 'Swantje', shop 'Mallory'", "lastname: BO 'Ehlers', shop 'Fremd'"]
    }


def test_emails_compare_as_the_shops_collation_and_validate_as_the_shop() -> None:
    assert compare_key("René.Dupont@Example.com ") == compare_key("rene.dupont@example.com")
    assert compare_key("A@x.de", "utf8mb3_bin") != compare_key("a@x.de", "utf8mb3_bin")
    assert compare_key("a@x.de ", "utf8mb3_bin") == "a@x.de"  # PAD SPACE
    assert not valid_for_shop("rené.dupont@example.com")
    assert valid_for_shop(" henrike.voss@example.com ")
    assert not valid_for_shop("first last@host.com") and not valid_for_shop("first@last@host.com")


def test_state_text_is_what_json_writes_for_every_kind_of_value():
    """States stored by earlier runs stay comparable: the column-wise text equals json.dumps
    of the field values, quotes, backslashes, control characters and accents included."""
    frame = pd.DataFrame(
        {"gender": ["m", None], "firstname": ['Jean "JJ"', "Zoë\\"], "lastname": ["O'Neil", "\t"],
         "dob": ["1970-01-31 00:00:00", "0000-00-00 00:00:00"], "telephone": ["\u2028", ""],
         "newsletter": ["1", 0], "company": [float("nan"), "Ä & Ö"], "street": ["a\nb", "x"],
         "postcode": ["01", " 2 "], "city": ["\x00", "日本"], "country": [81, None],
         "zone": ["84|", "|Bayern"]}  # fmt: skip
    )
    expected = [
        json.dumps({f.name: (text(v) if f.kind != "flag" else ("1" if text(v) == "1" else ""))
                    for f, v in zip(FIELDS, row, strict=True)}, ensure_ascii=False)
        for row in frame[[f.name for f in FIELDS]].itertuples(index=False)
    ]  # fmt: skip
    assert state_json(frame).tolist() == expected
    assert json.loads(expected[0])["firstname"] == 'Jean "JJ"'
