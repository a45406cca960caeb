"""A linked customer's fields, kept in step both ways (three-way, per field).

Per field the sync keeps what BO held and what the shop held after the last sync
(``osc_kunde.stand_bo``, ``stand_shop``). Each run compares BO now and the shop now with
them:

- changed only in BO -> written into the shop;
- changed only in the shop (the customer's own edit: ``account_edit.php``,
  ``address_book_process.php``, ``account_newsletters.php``) -> written into BO;
- changed on both sides -> BO wins, except a newsletter withdrawal, which always wins; the
  conflict is reported with both values.

Each side is compared in its own terms, so a value BO had to cut to its width is what BO
holds after the sync, not a change in BO. A link without a state yet (an account adopted or
confirmed) takes BO's values, except a newsletter the customer withdrew in the shop.
Pure pandas: ``sync/customers.py`` reads both sides and writes what this decides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from json.encoder import encode_basestring
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Field:
    name: str  # the key in the stored state
    shop: str  # the column in shop-form frames
    bo: str  # the column in BO-form frames
    entry: bool  # an address book field (else the customers row)
    kind: str = "text"  # text, date, flag (newsletter) or id (a number)


FIELDS = (
    Field("gender", "customers_gender", "anrede", False),
    Field("firstname", "customers_firstname", "vorname", False),
    Field("lastname", "customers_lastname", "nachname", False),
    Field("dob", "customers_dob", "geburtstag", False, "date"),
    Field("telephone", "customers_telephone", "telefon", False),
    Field("newsletter", "customers_newsletter", "newsletter", False, "flag"),
    Field("company", "entry_company", "firma", True),
    Field("street", "entry_street_address", "strasse", True),
    Field("postcode", "entry_postcode", "plz", True),
    Field("city", "entry_city", "ort", True),
    Field("country", "entry_country_id", "staat_id", True, "id"),
    Field("zone", "entry_zone", "region", True),
)
NEWSLETTER = "newsletter"
KIND = {f.name: f.kind for f in FIELDS}


def text(value: Any) -> str:
    """A value in the one form both states are compared in."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return "" if value.year < 1900 else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    value = str(value).strip()
    if value.startswith("0000-00-00"):
        return ""
    return value[:10] if len(value) == 19 and value[4] == "-" and value[10] == " " else value


def subscribed(value: Any) -> str:
    """A newsletter flag of either side as "1" (subscribed) or "" (not)."""
    return "1" if text(value) in ("1", "1.0") else ""


def _comparable(values: pd.Series, name: str) -> pd.Series:
    """``text`` (or ``subscribed``) of a whole column, vectorised by the field's kind."""
    kind = KIND[name]
    if kind == "flag":
        as_text = values.astype("string").str.strip().fillna("")
        return as_text.isin(["1", "1.0", "True"]).map({True: "1", False: ""}).astype(object)
    if kind == "date":
        moments = pd.to_datetime(
            values.astype("string").str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
        )
        moments = moments.where(moments.dt.year >= 1900)
        return moments.dt.strftime("%Y-%m-%d").fillna("").astype(object)
    if kind == "id":
        numbers = pd.to_numeric(values, errors="coerce").astype("Int64")
        return numbers.astype("string").fillna("").astype(object)
    if isinstance(values.dtype, pd.StringDtype):
        return values.str.strip().fillna("").astype(object)
    return pd.Series(
        [v.strip() if type(v) is str else _other_text(v) for v in values.to_numpy(dtype=object)],
        index=values.index, dtype=object,
    )  # fmt: skip


def _other_text(value: Any) -> str:
    """A value that is not a text, as pandas' string dtype writes it (missing: "")."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def state_frame(stored: pd.Series, index: pd.Index) -> pd.DataFrame:
    """Stored states (JSON texts, by gp_id) as a frame of field columns (missing: None)."""
    rows = {gp: json.loads(s) for gp, s in stored.items() if isinstance(s, str) and s}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[f.name for f in FIELDS])
    return frame.reindex(index).astype(object)


STATE_TEXT = "{" + ", ".join(f'"{f.name}": %s' for f in FIELDS) + "}"


def state_json(frame: pd.DataFrame) -> pd.Series:
    """Field columns (any form) as the stored JSON texts, by row: the text ``json.dumps``
    writes for ``{field: value}`` (``ensure_ascii=False``), quoted a column at a time."""
    columns = [
        [encode_basestring(v) for v in _comparable(frame[f.name], f.name).to_numpy()]
        for f in FIELDS
    ]
    return pd.Series(
        [STATE_TEXT % values for values in zip(*columns, strict=True)],
        index=frame.index, dtype=object,
    )  # fmt: skip


@dataclass
class Merged:
    """What to write where, and the states after the writes (indexes: gp_id)."""

    to_shop: pd.DataFrame  # gp_id, field, value (shop form), was (the shop's value read)
    to_bo: pd.DataFrame  # gp_id, field, value (BO form)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    state_bo: pd.DataFrame = field(default_factory=pd.DataFrame)  # field columns
    state_shop: pd.DataFrame = field(default_factory=pd.DataFrame)


def merge(
    bo_now: pd.DataFrame,
    bo_as_shop: pd.DataFrame,
    shop_now: pd.DataFrame,
    shop_as_bo: pd.DataFrame,
    state_bo: pd.DataFrame,
    state_shop: pd.DataFrame,
    entry_is_default: pd.Series,
) -> Merged:
    """Decide each field of each linked customer. All frames share the gp_id index; BO-form
    frames have the ``Field.bo`` columns, shop-form frames the ``Field.shop`` columns, the
    states the ``Field.name`` columns (all None: no state yet). ``entry_is_default``: the
    sync's own address book entry is the customer's primary one (writing it changes what the
    shop shows)."""
    index = bo_now.index
    fresh = state_bo.isna().all(axis=1) & state_shop.isna().all(axis=1)
    to_shop, to_bo, conflicts = [], [], []
    new_bo, new_shop = pd.DataFrame(index=index), pd.DataFrame(index=index)
    for f in FIELDS:
        bo = _comparable(bo_now[f.bo], f.name)
        shop = _comparable(shop_now[f.shop], f.name)
        want_shop = _comparable(bo_as_shop[f.shop], f.name)
        want_bo = _comparable(shop_as_bo[f.bo], f.name)
        bo_changed = fresh | (bo != _comparable(state_bo[f.name], f.name))
        shop_changed = ~fresh & (shop != _comparable(state_shop[f.name], f.name))
        shop_wins = pd.Series(False, index=index)
        if f.name == NEWSLETTER:  # a withdrawal in the shop wins, also at first contact
            withdrawn = shop_now[f.shop].map(text).eq("0") & (want_shop == "1")
            shop_changed |= fresh & withdrawn
            shop_wins = shop_changed & (shop == "")
        both = bo_changed & shop_changed & (want_shop != shop)
        write_shop = ((bo_changed & ~shop_changed) | (both & ~shop_wins)) & (want_shop != shop)
        write_shop &= ~(fresh & (want_shop == ""))  # at first contact BO's blank clears nothing
        write_bo = ((shop_changed & ~bo_changed) | shop_wins) & (want_bo != bo)
        for gp in index[both]:
            conflicts.append(
                {"gp_id": int(gp), "field": f.name, "bo": text(bo_now.at[gp, f.bo]),
                 "shop": text(shop_now.at[gp, f.shop]),
                 "kept": "shop" if shop_wins[gp] else "BO"}
            )  # fmt: skip
        to_shop += [
            {"gp_id": gp, "field": f.name, "value": bo_as_shop.at[gp, f.shop],
             "was": shop_now.at[gp, f.shop]}
            for gp in index[write_shop]
        ]  # fmt: skip
        to_bo += [
            {"gp_id": gp, "field": f.name, "value": shop_as_bo.at[gp, f.bo]}
            for gp in index[write_bo]
        ]
        shown = write_shop & (entry_is_default if f.entry else True)
        new_bo[f.name] = bo.where(~write_bo, want_bo)
        new_shop[f.name] = shop.where(~shown, want_shop)
    return Merged(
        to_shop=pd.DataFrame(to_shop, columns=["gp_id", "field", "value", "was"]),
        to_bo=pd.DataFrame(to_bo, columns=["gp_id", "field", "value"]),
        conflicts=conflicts,
        state_bo=new_bo,
        state_shop=new_shop,
    )


def differences(bo_as_shop: pd.DataFrame, shop_now: pd.DataFrame) -> dict[int, list[str]]:
    """gp_id -> the fields in which BO and the shop differ, with both values (for a link that
    waits for confirmation)."""
    out: dict[int, list[str]] = {}
    for f in FIELDS:
        want = _comparable(bo_as_shop[f.shop], f.name)
        have = _comparable(shop_now[f.shop], f.name)
        for gp in want.index[want != have]:
            out.setdefault(int(gp), []).append(f"{f.name}: BO {want[gp]!r}, shop {have[gp]!r}")
    return out
