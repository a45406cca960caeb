"""The image rules (transform/images.py): where a BO path points, what the shop's file is
called, what counts as an image, and what BO remembers."""

from __future__ import annotations

import pytest

from bo_oscommerce.transform import images as rules

PREFIXES = ["\\\\fileserver\\Bilder", "D:\\BO\\Bilder\\"]


@pytest.mark.parametrize(
    ("bildpfad", "expected"),
    [
        ("\\\\fileserver\\Bilder\\A-000123.jpg", ("A-000123.jpg", None)),
        ("\\\\FILESERVER\\bilder\\Räder\\rot.png", ("Räder/rot.png", None)),  # Windows: any case
        ("d:\\bo\\bilder\\x.gif", ("x.gif", None)),
        ("artikel/./a.jpg", ("artikel/a.jpg", None)),
        ("artikel\\a.jpg", ("artikel/a.jpg", None)),
        ("D:\\Anderswo\\a.jpg", (None, rules.OUTSIDE_SOURCE)),
        ("\\\\other\\share\\a.jpg", (None, rules.OUTSIDE_SOURCE)),
        ("/etc/passwd", (None, rules.OUTSIDE_SOURCE)),
        ("https://cdn.example/a.jpg", (None, rules.OUTSIDE_SOURCE)),
        ("artikel/../../a.jpg", (None, rules.CLIMBS_OUT)),
        ("\\\\fileserver\\Bilder\\..\\..\\Windows\\win.ini", (None, rules.CLIMBS_OUT)),
        ("\\\\fileserver\\Bilder", (None, rules.OUTSIDE_SOURCE)),  # the folder, no file
        ("\\\\fileserver\\BilderArchiv\\a.jpg", (None, rules.OUTSIDE_SOURCE)),  # not a prefix
    ],
)
def test_source_path(bildpfad, expected):
    assert rules.source_path(bildpfad, PREFIXES) == expected


def test_shop_name_is_url_safe_fits_and_carries_the_content_hash():
    digest = "3fa2c41b9e" + "0" * 54
    assert rules.shop_name("Räder/Fahrradhelm Größe L.JPG", digest, "jpeg", 64) == (
        "fahrradhelm-groesse-l-3fa2c41b9e.jpg"
    )
    name = rules.shop_name("x/" + "Sehr langer Name " * 10 + ".png", digest, "png", 32)
    assert len(name) <= 32 and name.endswith("-3fa2c41b9e.png") and "--" not in name
    assert rules.shop_name("中文.png", digest, "webp", 64) == "image-3fa2c41b9e.webp"
    assert rules.shop_name("a.png", digest, "png", 12) is None  # no room for a name


def test_image_type_by_content_not_by_name():
    assert rules.image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert rules.image_type(b"\x89PNG\r\n\x1a\n\x00\x00") == "png"
    assert rules.image_type(b"GIF89a\x01\x00") == "gif"
    assert rules.image_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert rules.image_type(b"%PDF-1.7") is None
    assert rules.image_type(b"") is None


def test_memo_round_trip_and_what_counts_as_the_same_file():
    memo = rules.Memo(rules.path_hash("a/b.jpg"), 1234, 1_700_000_000_000_000_000, "ab" * 16,
                      "b-abababab.jpg")  # fmt: skip
    assert rules.Memo.parse(memo.text()) == memo
    assert memo.same_file("a/b.jpg", 1234, 1_700_000_000_000_000_000)
    assert not memo.same_file("a/c.jpg", 1234, 1_700_000_000_000_000_000)
    assert not memo.same_file("a/b.jpg", 1235, 1_700_000_000_000_000_000)
    assert rules.Memo.parse(None) is None and rules.Memo.parse("junk") is None
    assert rules.Memo.parse(float("nan")) is None
