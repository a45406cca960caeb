"""One identity rule for every entity: which shop row is this BO row? (ADR 4)

Every entity (categories, products, customers, orders) answers it the same way:

1. The shop id stored in BO counts only when that shop row still carries the BO row's
   natural key: either as BO has it now, or as it was when it was last written (a renamed
   product group, a changed e-mail address). A stored id whose row is gone, or now holds
   another key, is reported as stale and the BO row is resolved again below.
2. Otherwise the natural key is looked up among the shop rows that no other BO row holds.
   When the BO rows and the shop rows sharing a key are equally many, they are paired in
   order (BO by the entity's order, shop by id): that is the order the sync creates them in,
   so a lost write-back heals to exactly the rows it created. Unequal numbers cannot be
   paired: those BO rows are set aside with the reason.
3. Otherwise the row is new; its id comes from the shop's own counter (``dialect.reserve_ids``).

The same rule, mirrored, decides rows that come from the shop (``incoming``): a shop
customer BO does not know yet is the one unlinked BO contact with its e-mail, or new.

Pure pandas: the entity's shop module reads the shop rows, this module decides.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import pandas as pd

STORED = "stored"
MATCHED = "matched"
NEW = "new"
AMBIGUOUS = "ambiguous"

STALE_COLUMNS = ["key", "stored_id", "problem"]
AMBIGUOUS_COLUMNS = ["key", "reason", "value"]


@dataclass
class Identity:
    """Per BO row (same index as the input): the shop id to write to, and how it was found."""

    shop_id: pd.Series  # Int64; <NA> for new and ambiguous rows
    how: pd.Series  # STORED, MATCHED, NEW or AMBIGUOUS
    stale: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STALE_COLUMNS))
    ambiguous: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AMBIGUOUS_COLUMNS))

    @property
    def new(self) -> pd.Series:
        return self.how == NEW

    @property
    def found(self) -> pd.Series:
        return self.how.isin([STORED, MATCHED])


def holding(
    stored: pd.Series, natural: pd.Series, shop: pd.DataFrame, remembered: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    """Rule 1 on its own: does the shop row behind each stored id still carry the BO row's
    natural key (as BO has it now, or as it was last written)? ``shop``: ``shop_id`` and
    ``natural_key`` of (at least) the stored ids' rows. Returns ``(holds, now)``: a bool per
    row, and the key the row carries now (NA: no stored id, or its row is gone). Used wherever
    a stored id is about to be written through (load, hide, stock)."""
    stored = pd.Series(pd.array(stored, dtype="Int64"), index=stored.index)
    rows = shop.drop_duplicates("shop_id")
    key_of_id = pd.Series(rows["natural_key"].to_numpy(dtype=object), index=rows["shop_id"])
    now = stored.map(key_of_id)
    same = now == natural.astype(object)
    if remembered is not None:
        same |= now == remembered.astype(object)
    return (now.notna() & same.fillna(False)).astype(bool), now


def stale_problem(now: object, what: str) -> str:
    """Why a stored id is not used: its row is gone, or holds another key."""
    return "the shop row is gone" if pd.isna(now) else f"the shop row now holds {what} {now!r}"


def resolve(
    wanted: pd.DataFrame,
    shop: pd.DataFrame,
    *,
    key: str,
    what: str,
    order: Sequence[str] | None = None,
    shop_order: Sequence[str] | None = None,
    taken: Collection[int] = (),
    unique_in_shop: bool = False,
    other_key: str = "resolve",
) -> Identity:
    """Find the shop row of each BO row.

    ``wanted``: one row per BO record with ``key`` (the BO key), ``stored_id`` (the shop id BO
    holds, or NA), ``natural_key`` (as BO has it now) and optionally ``remembered_key`` (as it
    was last written). ``shop``: ``shop_id`` and ``natural_key`` of the shop rows that may
    match. Natural keys are compared as given: normalise them (case, spaces) before.
    ``what`` names the natural key in reasons ("article number"). ``order``/``shop_order``:
    columns that pair equal keys (default: the BO key, the shop id). ``taken``: shop ids other
    BO rows already hold (settled rows not passed in). ``unique_in_shop``: the shop allows a key
    once (customers' e-mails): a new row whose key a shop row holds, or that several new rows
    share, is set aside instead of created. ``other_key="set_aside"``: a stored id whose row now
    holds another key is set aside for a person to decide (a customer who changed the e-mail in
    the shop), not resolved again.
    """
    index = wanted.index
    stored = pd.array(wanted["stored_id"], dtype="Int64")
    stored = pd.Series(stored, index=index)
    natural = wanted["natural_key"].astype(object)
    remembered = (
        wanted["remembered_key"].astype(object)
        if "remembered_key" in wanted
        else pd.Series(None, index=index, dtype=object)
    )
    shop = shop.drop_duplicates("shop_id")
    verified, holds = holding(stored, natural, shop, remembered)
    verified &= ~stored.isin(list(taken)).fillna(False).astype(bool)
    # one shop row, one BO row: a second BO row claiming a verified id loses it
    ranked = _ranked(wanted, key, order)
    claim_order = stored[verified].loc[ranked.intersection(stored[verified].index, sort=False)]
    twice = claim_order.duplicated(keep="first")
    verified[twice[twice].index] = False

    stale_rows = stored.notna() & ~verified
    problems = []
    for label in index[stale_rows]:
        shop_id, now = int(stored[label]), holds[label]
        if not pd.isna(now) and (bool(twice.get(label, False)) or shop_id in taken):
            problems.append(
                (wanted.at[label, key], shop_id, "the shop row is linked to another BO row")
            )
        else:
            problems.append((wanted.at[label, key], shop_id, stale_problem(now, what)))
    stale = pd.DataFrame(problems, columns=STALE_COLUMNS)

    shop_id = pd.Series(pd.array([pd.NA] * len(index), dtype="Int64"), index=index)
    how = pd.Series(NEW, index=index, dtype=object)
    shop_id[verified] = stored[verified]
    how[verified] = STORED

    held_elsewhere = stale_rows & holds.notna()
    kept_apart = []
    if other_key == "set_aside":
        apart_keys = set(wanted.loc[held_elsewhere, key])
        stale = stale[~stale["key"].isin(apart_keys)].reset_index(drop=True)
        for label in index[held_elsewhere]:
            how[label] = AMBIGUOUS
            kept_apart.append(
                (
                    wanted.at[label, key],
                    f"the shop row of the stored id now holds another {what}: changed in the "
                    "shop? Make BO and the shop agree",
                    f"shop id {int(stored[label])}: {holds[label]} (BO: {natural[label]})",
                )
            )
    open_rows = wanted.loc[~verified & natural.notna() & (how != AMBIGUOUS)]
    claimed = set(stored[verified].astype("int64")) | {int(i) for i in taken}
    candidates = shop[~shop["shop_id"].isin(claimed)]
    ambiguous = _match(open_rows, candidates, key, what, order, shop_order, shop_id, how)
    frames = [ambiguous, pd.DataFrame(kept_apart, columns=AMBIGUOUS_COLUMNS)]
    if unique_in_shop:
        frames.append(_not_unique(wanted, shop, natural, how, key, what))
    ambiguous = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame(columns=AMBIGUOUS_COLUMNS)
    )
    return Identity(shop_id=shop_id, how=how, stale=stale, ambiguous=ambiguous)


def _not_unique(
    wanted: pd.DataFrame,
    shop: pd.DataFrame,
    natural: pd.Series,
    how: pd.Series,
    key: str,
    what: str,
) -> pd.DataFrame:
    """New rows that would give the shop a key twice are set aside (in place)."""
    new = how == NEW
    held = set(shop["natural_key"].dropna())
    twice = natural[new].duplicated(keep=False)
    rows = []
    for label in natural.index[new]:
        if natural[label] in held:
            reason = f"{what} belongs to a shop row of another BO row"
        elif bool(twice.get(label, False)):
            reason = f"several BO rows share this {what}"
        else:
            continue
        how[label] = AMBIGUOUS
        rows.append((wanted.at[label, key], reason, str(natural[label])))
    return pd.DataFrame(rows, columns=AMBIGUOUS_COLUMNS)


def _ranked(frame: pd.DataFrame, key: str, order: Sequence[str] | None) -> pd.Index:
    columns = list(order or [key])
    return frame.sort_values(columns, kind="stable").index


def _match(
    open_rows: pd.DataFrame,
    candidates: pd.DataFrame,
    key: str,
    what: str,
    order: Sequence[str] | None,
    shop_order: Sequence[str] | None,
    shop_id: pd.Series,
    how: pd.Series,
) -> pd.DataFrame:
    """Pair open BO rows with unclaimed shop rows of the same natural key (in place)."""
    if open_rows.empty:
        return pd.DataFrame(columns=AMBIGUOUS_COLUMNS)
    candidates = candidates[candidates["natural_key"].isin(set(open_rows["natural_key"]))]
    if candidates.empty:
        return pd.DataFrame(columns=AMBIGUOUS_COLUMNS)
    bo = open_rows.loc[_ranked(open_rows, key, order), [key, "natural_key"]]
    bo = bo.assign(rank=bo.groupby("natural_key", sort=False).cumcount())
    bo["bo_count"] = bo.groupby("natural_key", sort=False)["rank"].transform("size")
    shop = candidates.sort_values(list(shop_order or ["shop_id"]), kind="stable")
    shop = shop.assign(rank=shop.groupby("natural_key", sort=False).cumcount())
    counts = shop.groupby("natural_key", sort=False)["shop_id"].agg(["size", list])

    bo["shop_count"] = bo["natural_key"].map(counts["size"]).fillna(0).astype(int)
    pairable = bo[(bo["shop_count"] > 0) & (bo["shop_count"] == bo["bo_count"])]
    paired = (
        pairable.rename_axis("__label")
        .reset_index()
        .merge(shop[["natural_key", "rank", "shop_id"]], on=["natural_key", "rank"], how="inner")
    )
    labels = paired["__label"].to_numpy()
    shop_id[labels] = paired["shop_id"].astype("int64").to_numpy()
    how[labels] = MATCHED

    unpaired = bo[(bo["shop_count"] > 0) & (bo["shop_count"] != bo["bo_count"])]
    rows = []
    for label, row in unpaired.iterrows():
        ids = ", ".join(str(i) for i in counts.at[row["natural_key"], "list"])
        if row["shop_count"] > row["bo_count"]:
            reason = (
                f"{what} is held by several shop rows; cannot tell which one is this BO row: "
                "merge them in the shop first"
            )
        else:
            reason = (
                f"several BO rows share this {what}, but the shop holds fewer; cannot tell "
                "which BO row a shop row belongs to: make them differ in BO"
            )
        rows.append((row[key], reason, f"{row['natural_key']} (shop ids {ids})"))
        how[label] = AMBIGUOUS
    return pd.DataFrame(rows, columns=AMBIGUOUS_COLUMNS)


@dataclass(frozen=True)
class Names:
    """How reasons name one row of each side ("shop customer", "BO contact")."""

    shop: str
    bo: str


def incoming(
    rows: pd.DataFrame,
    every_shop_row: pd.DataFrame,
    bo_rows: pd.DataFrame,
    *,
    shop_id: str,
    bo_id: str,
    bo_link: str,
    natural_key: str,
    what: str,
    names: Names,
) -> pd.DataFrame:
    """Shop rows no BO row holds yet (``rows``), the rule mirrored: the one BO row with the
    same natural key and no link of its own is theirs (``link``); no BO row has the key, or
    the row has none: a new BO row (``create``); a key several shop rows share
    (``every_shop_row``), several BO rows share, or whose BO row is linked to another shop
    row (``bo_link``): set aside (``aside``) with the reason. Returns ``rows`` with
    ``action``, the ``bo_id`` column (Int64: the BO row to link) and ``reason``."""
    shop_count = every_shop_row.groupby(natural_key)[shop_id].size()
    bo = bo_rows.dropna(subset=[natural_key])
    bo_count = bo.groupby(natural_key)[bo_id].size()
    first_bo = bo.drop_duplicates(natural_key).set_index(natural_key)
    decisions: list[tuple[str, int | None, str | None]] = []
    for key in rows[natural_key]:
        if key is None or key != key:
            decisions.append(("create", None, None))
        elif shop_count.get(key, 0) > 1:
            decisions.append(("aside", None, f"{what} is held by several {names.shop}s; merge "
                                             "them in the shop"))  # fmt: skip
        elif bo_count.get(key, 0) > 1:
            decisions.append(("aside", None, f"several {names.bo}s have this {what}; make "
                                             "them differ in BO"))  # fmt: skip
        elif key in first_bo.index:
            match = first_bo.loc[key]
            if pd.isna(match[bo_link]):
                decisions.append(("link", int(match[bo_id]), None))
            else:
                decisions.append(("aside", None, f"{what} belongs to {names.bo} "
                                  f"{int(match[bo_id])}, linked to {names.shop} "
                                  f"{int(match[bo_link])}"))  # fmt: skip
        else:
            decisions.append(("create", None, None))
    return rows.assign(
        action=[d[0] for d in decisions],
        **{bo_id: pd.array([d[1] for d in decisions], dtype="Int64")},
        reason=[d[2] for d in decisions],
    )
