"""Articles -> osCommerce products: prices, languages, status, cleaning rules, quantities."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
from bo_frames import article, articles, no_stock, settings, stock, text, vat

from bo_oscommerce.transform.categories import Cleaned
from bo_oscommerce.transform.products import build_products, net_price

EMOJI_RULE_NAME = "4-byte characters removed from products_name"
EMOJI_RULE_DESCRIPTION = "4-byte characters removed from products_description"
CUT_RULE = "products_name cut to 64 characters"
NEGATIVE_RULE = "negative stock sent as 0"


def _build(
    frame: pd.DataFrame, stock_frame: pd.DataFrame | None = None, **tenant: object
) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned]:
    return build_products(
        frame, vat(), no_stock() if stock_frame is None else stock_frame, settings(**tenant)
    )


def _row(products: pd.DataFrame, nr: str) -> pd.Series:
    rows = products[products["artikel_nr"] == nr]
    assert len(rows) == 1, f"{nr}: {len(rows)} rows"
    return rows.iloc[0]


# --- net_price -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gross", "rate", "net"),
    [
        (119.0, 19.0, 100.0),  # 119 / 1.19
        (107.0, 7.0, 100.0),  # 107 / 1.07
        (59.5, 19.0, 50.0),
        (1.0, 19.0, 0.8403),  # 0.840336... rounded to 4 decimals
        (10.0, 7.0, 9.3458),  # 9.345794... rounded up at the 4th decimal
        (0.0, 19.0, 0.0),
    ],
)
def test_gross_price_is_converted_to_net_with_the_vat_rate(
    gross: float, rate: float, net: float
) -> None:
    result = net_price(pd.Series([gross]), pd.Series([rate]), includes_vat=True)
    assert result.iloc[0] == pytest.approx(net, abs=1e-9)


def test_net_price_is_taken_as_is_rounded_to_4_decimals() -> None:
    result = net_price(
        pd.Series([Decimal("100.0000"), 12.34567, 12.34564]),
        pd.Series([19.0, 7.0, 19.0]),
        includes_vat=False,
    )
    assert result.tolist() == pytest.approx([100.0, 12.3457, 12.3456], abs=1e-9)


def test_gross_prices_give_literal_net_prices_at_4_decimals() -> None:
    # 99.99 / 1.19 = 84.025210..., 12.50 / 1.07 = 11.682242..., 3.33 / 1.07 = 3.112149...
    result = net_price(pd.Series([99.99, 12.5, 3.33]), pd.Series([19.0, 7.0, 7.0]), True)
    assert [f"{v:.6f}" for v in result] == ["84.025200", "11.682200", "3.112100"]


def test_net_price_rounds_to_the_shops_decimals() -> None:
    # a shop whose products_price has 2 decimals gets 2
    result = net_price(pd.Series([99.99, 10.0]), pd.Series([19.0, 7.0]), True, decimals=2)
    assert [f"{v:.6f}" for v in result] == ["84.030000", "9.350000"]


def test_missing_price_stays_missing() -> None:
    for includes_vat in (True, False):
        result = net_price(pd.Series([None, "n/a"]), pd.Series([19.0, 19.0]), includes_vat)
        assert result.isna().all()


def test_unknown_vat_rate_with_gross_price_gives_no_price() -> None:
    gross = net_price(pd.Series([119.0]), pd.Series([None]), includes_vat=True)
    assert math.isnan(gross.iloc[0])
    # a net price needs no rate
    net = net_price(pd.Series([119.0]), pd.Series([None]), includes_vat=False)
    assert net.iloc[0] == 119.0


# --- prices in build_products ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("price_source", "includes_vat", "expected"),
    [
        ("list", True, 100.0),  # listenpreis 119.00 gross at 19 %
        ("shop", True, 50.0),  # ladenpreis 59.50 gross at 19 %
        ("list", False, 119.0),  # listenpreis already net
        ("shop", False, 59.5),
    ],
)
def test_price_source_and_vat_mode(price_source: str, includes_vat: bool, expected: float) -> None:
    products, _, _ = _build(
        articles(article("A1")), price_source=price_source, price_includes_vat=includes_vat
    )
    assert _row(products, "A1")["products_price"] == pytest.approx(expected, abs=1e-9)


def test_each_article_uses_the_rate_and_tax_class_of_its_own_vat_key() -> None:
    products, _, _ = _build(
        articles(
            article("FULL", ust_schluessel="19", listenpreis=Decimal("238.0000")),
            article("HALF", ust_schluessel="7", listenpreis=Decimal("21.4000")),
        ),
        price_includes_vat=True,
    )
    full, half = _row(products, "FULL"), _row(products, "HALF")
    assert full["products_price"] == pytest.approx(200.0, abs=1e-9)  # 238 / 1.19
    assert half["products_price"] == pytest.approx(20.0, abs=1e-9)  # 21.40 / 1.07
    assert full["products_tax_class_id"] == 1
    assert half["products_tax_class_id"] == 2


def test_gross_price_rounded_to_4_decimals() -> None:
    products, _, _ = _build(
        articles(article("A1", listenpreis=Decimal("9.9900"))), price_includes_vat=True
    )
    # 9.99 / 1.19 = 8.394957983...
    assert _row(products, "A1")["products_price"] == pytest.approx(8.395, abs=1e-9)


def test_missing_price_in_the_chosen_source_gives_nan() -> None:
    frame = articles(article("A1", ladenpreis=None), article("A2", listenpreis=None))
    products, _, _ = _build(frame, price_source="shop")
    assert math.isnan(_row(products, "A1")["products_price"])
    assert _row(products, "A2")["products_price"] == pytest.approx(59.5)


def test_unknown_vat_key_with_gross_price_gives_no_price_and_no_tax_class() -> None:
    frame = articles(article("A1", ust_schluessel="99"))
    products, _, _ = _build(frame, price_includes_vat=True)
    row = _row(products, "A1")
    assert math.isnan(row["products_price"])
    assert pd.isna(row["products_tax_class_id"])
    assert row["ust_schluessel"] == "99"  # kept, so the quality check can name it

    net, _, _ = _build(frame, price_includes_vat=False)
    assert _row(net, "A1")["products_price"] == pytest.approx(119.0)


@pytest.mark.parametrize("bad_key", ["99", None])
def test_unknown_or_missing_vat_key_next_to_known_ones(bad_key: str | None) -> None:
    # VAT rates come as Decimal from MariaDB (and from the parquet staging files); one article
    # with a key that has no rate must not stop the others from being priced
    frame = articles(article("GOOD"), article("BAD", ust_schluessel=bad_key))
    products, _, _ = _build(frame, price_includes_vat=True)
    assert _row(products, "GOOD")["products_price"] == pytest.approx(100.0, abs=1e-9)
    assert math.isnan(_row(products, "BAD")["products_price"])
    assert pd.isna(_row(products, "BAD")["products_tax_class_id"])


def test_net_price_takes_an_arrow_decimal_rate_with_gaps() -> None:
    rate = pd.Series(["19", "99"], dtype="string").map(
        pd.Series([Decimal("19.00")], index=["19"], dtype=object)
    )
    result = net_price(pd.Series([119.0, 119.0]), rate, includes_vat=True)
    assert result.iloc[0] == pytest.approx(100.0, abs=1e-9)
    assert math.isnan(result.iloc[1])


def test_vat_key_without_tax_class_keeps_the_price_but_has_no_tax_class() -> None:
    products, _, _ = _build(
        articles(article("A1", ust_schluessel="16", listenpreis=Decimal("116.0000"))),
        price_includes_vat=True,
    )
    row = _row(products, "A1")
    assert row["products_price"] == pytest.approx(100.0)
    assert pd.isna(row["products_tax_class_id"])


# --- languages -------------------------------------------------------------------------------


def test_bo_languages_map_to_oscommerce_codes() -> None:
    frame = articles(
        text("A1", "D", "Schraube", "Verzinkt"),
        text("A1", "E", "Screw", "Galvanised"),
    )
    products, _, _ = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__de"] == "Schraube"
    assert row["products_name__en"] == "Screw"
    assert row["products_description__de"] == "Verzinkt"
    assert row["products_description__en"] == "Galvanised"


def test_missing_english_text_falls_back_to_german() -> None:
    products, _, _ = _build(articles(text("A1", "D", "Schraube", "Verzinkt")))
    row = _row(products, "A1")
    assert row["products_name__en"] == "Schraube"
    assert row["products_description__en"] == "Verzinkt"


def test_missing_texts_fall_back_to_the_bo_article_name() -> None:
    products, _, _ = _build(articles(article("A1", bezeichnung="Holzschraube 4x40")))
    row = _row(products, "A1")
    assert row["products_name__de"] == "Holzschraube 4x40"
    assert row["products_name__en"] == "Holzschraube 4x40"
    assert pd.isna(row["products_description__de"])  # a description has no fallback


def test_german_text_row_without_a_name_falls_back_to_the_bo_article_name() -> None:
    frame = articles(
        {**text("A1", "D", None, "Beschreibung"), "bezeichnung": "BO-Stammname"},
        text("A1", "E", "Screw"),
    )
    products, _, _ = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__de"] == "BO-Stammname"
    assert row["products_name__en"] == "Screw"
    assert row["products_description__en"] == "Beschreibung"


def test_only_english_text_leaves_german_to_the_bo_name() -> None:
    frame = articles({**text("A1", "E", "Screw"), "bezeichnung": "Schraube BO"})
    products, _, _ = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__en"] == "Screw"
    assert row["products_name__de"] == "Schraube BO"


def test_bo_language_that_is_not_configured_is_ignored() -> None:
    frame = articles(
        text("A1", "D", "Schraube"),
        text("A1", "F", "Vis"),
        {**text("A2", "F", "Écrou"), "bezeichnung": "Mutter"},
    )
    products, _, _ = _build(frame)
    assert not [c for c in products.columns if c.endswith("__fr")]
    assert _row(products, "A1")["products_name__en"] == "Schraube"
    # French is no fallback either: A2 falls back to its BO name in both languages
    a2 = _row(products, "A2")
    assert (a2["products_name__de"], a2["products_name__en"]) == ("Mutter", "Mutter")
    assert len(products) == 2  # one row per article, not per text row


def test_language_mapping_is_configurable() -> None:
    frame = articles(text("A1", "D", "Schraube"), text("A1", "E", "Screw"))
    products, _, _ = _build(frame, languages={"D": "de"}, default_language="D")
    name_columns = sorted(c for c in products.columns if c.startswith("products_name__"))
    assert name_columns == ["products_name__de"]
    assert _row(products, "A1")["products_name__de"] == "Schraube"


def test_default_language_decides_the_fallback() -> None:
    frame = articles(text("A1", "E", "Screw", "Galvanised"))
    products, _, _ = _build(frame, default_language="E")
    row = _row(products, "A1")
    assert row["products_name__de"] == "Screw"
    assert row["products_description__de"] == "Galvanised"


def test_stand_is_the_newest_of_article_and_text_changes() -> None:
    frame = articles(
        {**text("A1", "D", "Schraube"), "text_geaendert_am": "2024-05-01 08:00:00"},
        {**text("A1", "E", "Screw"), "text_geaendert_am": "2024-04-01 08:00:00"},
        article("A2", geaendert_am="2024-06-01 09:00:00"),
    )
    products, _, _ = _build(frame)
    assert _row(products, "A1")["stand"] == pd.Timestamp("2024-05-01 08:00:00")
    assert _row(products, "A2")["stand"] == pd.Timestamp("2024-06-01 09:00:00")


# --- status and hiding -----------------------------------------------------------------------


def test_status_follows_web_and_visibility() -> None:
    frame = articles(
        article("SHOWN", im_web=1, web_sichtbar=1),
        article("INVISIBLE", im_web=1, web_sichtbar=0),
        article("GONE", im_web=0, web_sichtbar=1, osc_products_id=42),
        article("NEVER", im_web=0, web_sichtbar=1, osc_products_id=None),
    )
    products, hide, _ = _build(frame)
    assert _row(products, "SHOWN")["products_status"] == 1
    assert _row(products, "INVISIBLE")["products_status"] == 0
    assert set(products["artikel_nr"]) == {"SHOWN", "INVISIBLE"}
    # both leave the shop's view; NEVER has no shop row, so the load only counts it (kept out)
    assert hide["artikel_nr"].tolist() == ["GONE", "NEVER"]
    assert hide["osc_products_id"].tolist()[0] == 42 and pd.isna(hide["osc_products_id"].iloc[1])
    assert set(hide["reason"]) == {"article left the web (im_web)"}
    assert {"artikel_nr", "osc_products_id", "stand"} <= set(hide.columns)


def test_web_article_keeps_its_shop_id() -> None:
    products, hide, _ = _build(articles(article("A1", osc_products_id=7)))
    assert int(_row(products, "A1")["osc_products_id"]) == 7
    assert hide.empty


# --- cleaning rules --------------------------------------------------------------------------


def test_emoji_removed_from_name_and_description_and_recorded() -> None:
    frame = articles(
        text("A1", "D", "Schraube 😀 M6", "Hält 🔩 bombenfest"),
        text("A2", "D", "Mutter", "ohne Emoji"),
    )
    products, _, cleaned = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__de"] == "Schraube M6"
    assert row["products_name__en"] == "Schraube M6"  # the fallback is cleaned too
    assert row["products_description__de"] == "Hält bombenfest"
    assert cleaned.rules[EMOJI_RULE_NAME] == ["A1"]  # once per article, not per language
    assert cleaned.rules[EMOJI_RULE_DESCRIPTION] == ["A1"]
    assert cleaned.rules["products_name (en) missing in BO: default-language text used"] == [
        "A1",
        "A2",
    ]
    assert cleaned.count == 2


def test_emoji_only_in_one_language_is_recorded_once() -> None:
    frame = articles(text("A1", "D", "Schraube"), text("A1", "E", "Screw 🚀"))
    products, _, cleaned = _build(frame)
    row = _row(products, "A1")
    assert (row["products_name__de"], row["products_name__en"]) == ("Schraube", "Screw")
    assert cleaned.rules == {EMOJI_RULE_NAME: ["A1"]}


def test_control_characters_removed_from_texts_and_recorded() -> None:
    frame = articles(
        text("A1", "D", "Akku\x07schrauber\x00 Set", "Zeile 1\nZeile 2\x1b"),
        text("A2", "D", "Mutter", "Tab\tund Zeilenumbruch\r\nbleiben"),
    )
    products, _, cleaned = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__de"] == "Akkuschrauber Set"
    assert row["products_description__de"] == "Zeile 1\nZeile 2"
    assert _row(products, "A2")["products_description__de"] == "Tab\tund Zeilenumbruch\r\nbleiben"
    assert cleaned.rules["control characters removed from products_name"] == ["A1"]
    assert cleaned.rules["control characters removed from products_description"] == ["A1"]


def test_long_names_are_cut_to_64_characters() -> None:
    long_name = "Sechskantschraube-DIN933-verzinkt-M8x40mm-Festigkeitsklasse-8.8-im-Karton-lose"
    assert len(long_name) > 64
    exact = "x" * 64
    frame = articles(text("LONG", "D", long_name), text("EXACT", "D", exact))
    products, _, cleaned = _build(frame)
    assert _row(products, "LONG")["products_name__de"] == long_name[:64]
    assert len(_row(products, "LONG")["products_name__en"]) == 64
    assert _row(products, "EXACT")["products_name__de"] == exact
    assert cleaned.rules[CUT_RULE] == ["LONG"]


def test_cut_name_does_not_end_in_a_space() -> None:
    name = "a" * 63 + " " + "b" * 10  # the 64th character is a space
    products, _, _ = _build(articles(text("A1", "D", name)))
    assert _row(products, "A1")["products_name__de"] == "a" * 63


def test_umlauts_sharp_s_and_euro_sign_are_untouched() -> None:
    name = "Größe Ä Ö Ü ä ö ü ß – 5 € „Qualität“"
    frame = articles(
        text("A1", "D", name, "Maße: 10 × 20 cm, Preis in €"), text("A1", "E", name, "€ – ß")
    )
    products, _, cleaned = _build(frame)
    row = _row(products, "A1")
    assert row["products_name__de"] == name
    assert row["products_description__de"] == "Maße: 10 × 20 cm, Preis in €"
    assert cleaned.rules == {}
    assert cleaned.count == 0


# --- quantity --------------------------------------------------------------------------------


def _stock_frame() -> pd.DataFrame:
    return stock(
        ("A1", None, None, Decimal("10.000"), Decimal("7.000")),
        ("A2", None, None, Decimal("4.500"), Decimal("2.900")),
        ("NEG", None, None, Decimal("-3.000"), Decimal("-5.000")),
        ("HALF", None, None, Decimal("2.000"), Decimal("-0.500")),
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("available", {"A1": 7, "A2": 2, "NEG": 0, "HALF": 0, "NOSTOCK": 0}),
        ("total", {"A1": 10, "A2": 4, "NEG": 0, "HALF": 2, "NOSTOCK": 0}),
    ],
)
def test_quantity_from_the_configured_stock_source(source: str, expected: dict[str, int]) -> None:
    frame = articles(*(article(nr) for nr in expected))
    products, _, _ = _build(frame, _stock_frame(), stock_source=source)
    got = {
        nr: int(q)
        for nr, q in zip(products["artikel_nr"], products["products_quantity"], strict=True)
    }
    assert got == expected


def test_negative_stock_is_sent_as_0_and_recorded() -> None:
    frame = articles(article("A1"), article("NEG"), article("HALF"))
    _, _, available = _build(frame, _stock_frame(), stock_source="available")
    assert sorted(available.rules[NEGATIVE_RULE]) == ["HALF", "NEG"]  # -0.5 is below 0 too
    _, _, total = _build(frame, _stock_frame(), stock_source="total")
    assert total.rules[NEGATIVE_RULE] == ["NEG"]


@pytest.mark.filterwarnings("error::DeprecationWarning")  # pandas: bool fill of float column
def test_article_without_a_stock_row_gets_0_and_is_not_recorded() -> None:
    frame = articles(
        *(text(nr, language, "Name") for nr in ("A1", "NEG", "NEW") for language in "DE")
    )
    stock_frame = stock(
        ("A1", None, None, Decimal("5.000"), Decimal("5.000")),
        ("NEG", None, None, Decimal("-1.000"), Decimal("-1.000")),
    )  # NEW was created after the stock extract
    products, _, cleaned = _build(frame, stock_frame)
    assert _row(products, "NEW")["products_quantity"] == 0
    assert cleaned.rules == {NEGATIVE_RULE: ["NEG"]}
    # an empty stock extract: every article at 0, nothing recorded
    products, _, cleaned = _build(frame, no_stock())
    assert products["products_quantity"].tolist() == [0, 0, 0]
    assert cleaned.rules == {}


def test_weight_rounded_to_2_decimals_and_missing_weight_is_0_and_recorded() -> None:
    frame = articles(article("A1", gewicht=Decimal("1.254")), article("A2", gewicht=None))
    products, _, cleaned = _build(frame)
    assert _row(products, "A1")["products_weight"] == 1.25
    assert _row(products, "A2")["products_weight"] == 0
    assert cleaned.rules["weight missing in BO: sent as 0"] == ["A2"]


def test_missing_texts_are_recorded_with_the_fallback_they_got() -> None:
    frame = articles(
        text("BOTH", "D", "Schraube"),
        text("BOTH", "E", "Screw"),
        text("GERMAN", "D", "Mutter"),
        article("NONE", bezeichnung="Dübel"),
    )
    products, _, cleaned = _build(frame)
    assert _row(products, "NONE")["products_name__en"] == "Dübel"
    assert cleaned.rules["products_name (en) missing in BO: default-language text used"] == [
        "GERMAN"
    ]
    assert cleaned.rules["products_name (de) missing in BO: the BO name used"] == ["NONE"]
    assert cleaned.rules["products_name (en) missing in BO: the BO name used"] == ["NONE"]
    assert "BOTH" not in {k for keys in cleaned.rules.values() for k in keys}


def test_description_over_the_columns_bytes_is_cut_at_a_character_boundary() -> None:
    text_65535 = "ä" * 32767 + "x"  # 2 bytes each: 65 535 bytes, exactly what TEXT holds
    over = "ä" * 32768  # 65 536 bytes
    frame = articles(
        text("FITS", "D", "A", text_65535), text("OVER", "D", "B", over)
    )
    products, _, cleaned = _build(frame)
    assert _row(products, "FITS")["products_description__de"] == text_65535
    assert _row(products, "OVER")["products_description__de"] == "ä" * 32767
    assert cleaned.rules["products_description cut to 65535 bytes"] == ["OVER"]


def test_stock_above_the_columns_maximum_is_sent_as_the_maximum() -> None:
    frame = articles(text("HUGE", "D", "Schraube"), text("MAX", "D", "Mutter"))
    stock_frame = stock(
        ("HUGE", None, None, Decimal("2147483648"), Decimal("2147483648")),
        ("MAX", None, None, Decimal("2147483647"), Decimal("2147483647")),
    )
    products, _, cleaned = _build(frame, stock_frame)
    assert _row(products, "HUGE")["products_quantity"] == 2147483647
    assert _row(products, "MAX")["products_quantity"] == 2147483647
    assert cleaned.rules["stock above the shop's maximum sent as 2147483647"] == ["HUGE"]


def test_blank_english_text_falls_back_like_a_missing_one() -> None:
    frame = articles(text("A1", "D", "Schraube", "Verzinkt"), text("A1", "E", "   ", ""))
    row = _row(_build(frame)[0], "A1")
    assert row["products_name__en"] == "Schraube"
    assert row["products_description__en"] == "Verzinkt"
