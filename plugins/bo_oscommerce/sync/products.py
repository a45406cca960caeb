"""The products step: articles -> validate -> shop products -> ids, markers and links to BO.

What the shop shows when a row leaves BO ("hidden, not deleted": old orders reference it):
- article left the web, or its product group did: status 0;
- article set aside after it was in the shop (e.g. its price became empty): status 0 until
  BO is fixed, so it never sells at a stale price;
- article deleted in BO: status 0 and quantity 0, link forgotten;
- a deleted BO text: the fallback text (default language, then the BO name).
Incremental runs also hide the articles of a group that left the web, and show again those of
a group that came back, though the articles themselves did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import (
    UNLINK_ARTIKEL,
    WRITEBACK_ARTIKEL,
    WRITEBACK_ARTIKEL_AUSGESONDERT,
)
from bo_oscommerce.frames import query_frame
from bo_oscommerce.quality.suites import products_suite
from bo_oscommerce.quality.validation import Suite, Validated
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult, natural_texts, tax_class_ids
from bo_oscommerce.shop.products import hide_products, load_products, products_table
from bo_oscommerce.staging import count_parts, read_frame, read_parts
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import (
    CATALOG_TABLES,
    FULL_EXTRACT,
    Run,
    count_changed,
    marker_changed,
    only_keys,
    rejections,
    shop_category_ids,
    shop_languages,
    write_back_due,
)
from bo_oscommerce.sync.step import Built, Step, load_report, run_step
from bo_oscommerce.sync.writeback import Statement, relink, unbind
from bo_oscommerce.transform.categories import offline_groups
from bo_oscommerce.transform.common import Cleaned, is_in
from bo_oscommerce.transform.products import (
    HIDE_DELETED,
    HIDE_GROUP_OFFLINE,
    HIDE_SET_ASIDE,
    build_products,
)
from bo_oscommerce.transform.set_aside import (
    MEMO_COLUMN,
    STILL_SET_ASIDE,
    check_context,
    fingerprints,
    memo_rows,
    still_set_aside,
)

ENTITY = "products"
HIDE_COLUMNS = [
    "artikel_nr",
    "osc_products_id",
    "osc_abgleich_stand",
    "stand",
    "osc_texte",
    "texte",
    "reason",
]


def _category_ids(run: Run, paths: dict[str, str]) -> dict[str, int]:
    """Group -> categories_id from this run's category step, else BO's stored ids of groups
    whose category the shop still has."""
    staged = run.staging / "category_ids.parquet"
    if staged.exists():
        frame = read_frame(staged)
        return dict(zip(frame["warengruppe_nr"], frame["categories_id"].astype(int), strict=True))
    groups = read_frame(paths["groups"]).drop_duplicates("warengruppe_nr")
    known = groups[(groups["im_web"].astype(int) == 1) & groups["osc_categories_id"].notna()]
    with run.shop.connect() as conn:
        present = shop_category_ids(conn)
    known = known[known["osc_categories_id"].astype(int).isin(present)]
    return dict(zip(known["warengruppe_nr"], known["osc_categories_id"].astype(int), strict=True))


DRIFT_LOOK = "products_drift"  # looks.keep: the marks of the last drift check that found none
DELETED_LOOK = "products_deleted"  # looks.keep: BO's links when the last search found none


def _drift_marks(run: Run, offline: set[str], links: dict[str, str]) -> dict[str, str]:
    """What the drift check reads, in a few aggregates: BO's links (``links``), the groups
    offline, and the products the shop shows (how many, the sum of their ids and of their
    squares)."""
    from bo_oscommerce.looks import mark_text

    p = t.products.c
    shown = sa.select(
        sa.func.count(), sa.func.sum(p.products_id), sa.func.sum(p.products_id * p.products_id)
    ).where(p.products_status != 0)
    with run.shop.connect() as conn:
        count, ids, squares = conn.execute(shown).one()
    return {
        **links,
        "bo.offline": ",".join(sorted(offline)),
        "shop.shown": f"{count}/{mark_text(ids)}/{mark_text(squares)}",
    }


def _deleted(run: Run, links: dict[str, str] | None) -> pd.DataFrame:
    """Articles the sync linked that BO no longer has. An incremental run searches for them
    only when BO's articles or links (``links``, ``look_artikel_verknuepft``, taken before
    the search) changed since the last search that found none."""
    from bo_oscommerce import looks

    tenant = run.settings.id
    kept = looks.quiet_marks(tenant, DELETED_LOOK) if links is not None else None
    if kept is not None and kept["marks"] == links:
        return pd.DataFrame(columns=["artikel_nr", "osc_products_id"])
    deleted = bo_io.query(run.bo, "extract_artikel_geloescht").astype({"artikel_nr": str})
    if links is not None and len(deleted):
        looks.forget(tenant, DELETED_LOOK)
    elif links is not None:
        looks.keep(tenant, DELETED_LOOK, run.run_key, links)
    return deleted


def _drifted(
    run: Run,
    marks: dict[str, str],
    products: pd.DataFrame,
    hide: pd.DataFrame,
    offline: set[str],
    seen: set[str],
    build: Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame, Cleaned]],
) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned | None]:
    """Incremental runs: linked articles not in this extract whose shop state contradicts BO.
    Hidden: articles of offline groups. Synced again: web articles of web groups that the shop
    hides (their group came back, or someone hid them in the shop), and those whose shop
    product is gone (deleted in the shop admin): the identity rule reports the stale id and
    creates the product anew, so no link points at nothing for longer than one run.

    The check reads every linked article and every shown product, so it runs only when its
    marks (``_drift_marks``) differ from those of the last check that found nothing; the
    marks are taken before the reads, so a change during the check makes the next run check
    again."""
    from bo_oscommerce import looks

    tenant = run.settings.id
    kept = looks.quiet_marks(tenant, DRIFT_LOOK)
    if kept is not None and kept["marks"] == marks:
        return products, hide, None
    linked = bo_io.query(run.bo, "extract_artikel_verknuepft").astype({"artikel_nr": str})
    in_offline = linked["warengruppe_nr"].isin(offline) & (linked["im_web"].astype(int) == 1)
    set_aside = linked[MEMO_COLUMN].notna() if MEMO_COLUMN in linked else False
    visible = linked[
        ~in_offline
        & ~set_aside
        & (linked["im_web"].astype(int) == 1)
        & (linked["web_sichtbar"].astype(int) == 1)
    ]
    p = t.products.c
    with run.shop.connect() as conn:
        shown = query_frame(conn, sa.select(p.products_id).where(p.products_status != 0))
    shown_ids = shown["products_id"].astype("int64").to_numpy()
    stored = visible["osc_products_id"].astype("int64").to_numpy()
    hidden_or_gone = ~np.isin(stored, shown_ids)
    offline_shown = in_offline & np.isin(linked["osc_products_id"].astype("int64"), shown_ids)
    if hidden_or_gone.any() or offline_shown.any():
        looks.forget(tenant, DRIFT_LOOK)
    else:  # every linked article is as BO has it, those of this extract included
        looks.keep(tenant, DRIFT_LOOK, run.run_key, marks)
    not_seen = ~is_in(linked["artikel_nr"], seen)
    extra_hide = linked.loc[in_offline & not_seen, ["artikel_nr", "osc_products_id"]].assign(
        osc_abgleich_stand=pd.NaT, stand=pd.NaT, reason=HIDE_GROUP_OFFLINE
    )
    back = set(visible.loc[hidden_or_gone & ~is_in(visible["artikel_nr"], seen), "artikel_nr"])
    more, cleaned = products.iloc[:0], None
    if back:  # rare (a group came back, a product was deleted): read those articles whole
        articles = bo_io.query(run.bo, "extract_artikel", FULL_EXTRACT).drop(columns="nur_texte")
        more, _, cleaned = build(articles[articles["artikel_nr"].astype(str).isin(back)])
    return (
        pd.concat([products, more], ignore_index=True),
        pd.concat([hide, extra_hide], ignore_index=True),
        cleaned,
    )


def _hides(
    hide: pd.DataFrame, products: pd.DataFrame, rejected: pd.DataFrame, deleted: pd.DataFrame
) -> pd.DataFrame:
    """Every article whose shop product is to be hidden: left the web (from the transform),
    set aside while in the shop, deleted in BO."""
    set_aside = products[
        products["artikel_nr"].isin(set(rejected["key"])) & products["osc_products_id"].notna()
    ]
    frames = [
        hide.reindex(columns=HIDE_COLUMNS),
        set_aside.assign(reason=HIDE_SET_ASIDE).reindex(columns=HIDE_COLUMNS),
        deleted.assign(reason=HIDE_DELETED).reindex(columns=HIDE_COLUMNS),
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=HIDE_COLUMNS)
    return pd.concat(frames, ignore_index=True).drop_duplicates("artikel_nr")


def _shared_natural_keys(path: str) -> np.ndarray:
    """Hashes of the natural keys (``natural_text``) that more than one article of the extract
    has: the identity rule must see those articles together, so they go in one chunk. Read
    one column at a time part by part, so the whole key column is never held as text."""
    hashes = [
        _key_hashes(part["artikel_nr"].drop_duplicates())
        for part in read_parts(path, columns=["artikel_nr"])
    ]
    every = np.concatenate(hashes) if hashes else np.empty(0, dtype="uint64")
    values, counts = np.unique(every, return_counts=True)
    return values[counts > 1]


def _key_hashes(keys: pd.Series) -> np.ndarray:
    natural = natural_texts(keys).to_numpy()
    return pd.util.hash_array(natural, categorize=False)


def _stock_frame(parts: Iterable[pd.DataFrame], source: str) -> pd.DataFrame:
    """BO's stock, only the column the tenant's stock source reads, compact: the quantity of a
    new product comes from it, chunk by chunk."""
    column = "verfuegbar" if source == "available" else "gesamt"
    frames = [
        pd.DataFrame({
            "artikel_nr": part["artikel_nr"].astype(str).astype("string[pyarrow]"),
            column: pd.to_numeric(part[column].astype(object), errors="coerce").astype("float64"),
        })
        for part in parts
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


class Products(Step):
    """Articles -> shop products; articles that left BO, the web or their checks are hidden."""

    entity = ENTITY
    tables = tuple(CATALOG_TABLES)
    counted = "writeback_artikel"
    overlaps = True  # a chunk's ids go into BO while the next chunk loads (no chunk reads them)
    early_write_back = True  # new products go in last: their ids go into BO meanwhile

    def __init__(self, run: Run, paths: dict[str, str]) -> None:
        super().__init__(run)
        self.paths = paths

    def parts(self, columns: ShopColumns) -> Iterator[None]:
        """Whole-catalog reads once (groups, VAT, compact stock, the shop's tax classes and
        languages), then one chunk of complete articles per part. The last chunk also takes
        the articles whose natural key another shares (the identity rule sees them together),
        the drift check and the deleted articles."""
        run, paths, settings = self.run, self.paths, self.run.settings
        self.vat, self.groups = read_frame(paths["vat"]), read_frame(paths["groups"])
        self.stock = _stock_frame(
            read_parts(paths["stock"], columns=["artikel_nr", "gesamt", "verfuegbar"]),
            settings.stock_source,
        )
        self.category_ids = _category_ids(run, paths)
        with run.shop.connect() as conn:
            self.shop_tax_classes = tax_class_ids(conn)
            self.languages = shop_languages(conn, settings)
        self.offline = offline_groups(self.groups)
        from bo_oscommerce.looks import settings_mark

        self.context = check_context({
            "settings": settings_mark(settings),
            "vat": self.vat.astype(str).sort_values("ust_schluessel").to_dict("records"),
            "groups": sorted(self.category_ids), "offline": sorted(self.offline),
            "tax_classes": self.shop_tax_classes, "languages": self.languages,
            "columns": sorted(repr(spec) for spec in columns.values()),
        })  # fmt: skip
        self.seen: set[str] = set()  # incremental runs: the articles this run has built
        self.links: dict[str, str] | None = None  # incremental runs: BO's links, looked at
        # one part: every article is in the one chunk anyway
        parted = count_parts(paths["articles"]) > 1
        shared = _shared_natural_keys(paths["articles"]) if parted else None
        together, ready = [], None
        self.last = False
        for part in read_parts(paths["articles"]):
            part = only_keys(run, part.astype({"artikel_nr": str}), "artikel_nr")
            held = (
                np.isin(_key_hashes(part["artikel_nr"]), shared)
                if shared is not None
                else np.zeros(len(part), dtype=bool)
            )
            together.append(part[held])
            if ready is not None and len(ready):
                self.articles = ready
                yield
            ready = part[~held]
        self.articles = pd.concat([ready, *together], ignore_index=True)
        self.last = True
        yield

    def settle_before_part(self) -> bool:
        """The last part reads BO's links (drift check, deleted articles): every earlier
        chunk's write-back first."""
        return self.last

    def _build(self, articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned]:
        keys = articles["artikel_nr"].drop_duplicates()
        stock = self.stock[is_in(self.stock["artikel_nr"], keys)]
        if len(stock) < len(keys) and not self.run.full:  # drift: articles not extracted
            every = bo_io.query_parts(self.run.bo, "extract_artikel_bestand", {"full_sync": 1})
            stock = _stock_frame(every, self.run.settings.stock_source)
            stock = stock[is_in(stock["artikel_nr"], keys)]
        return build_products(
            articles, self.vat, stock, self.run.settings, self.target_columns, self.offline
        )

    def _skip_still_set_aside(self, articles: pd.DataFrame) -> pd.DataFrame:
        """Incremental runs: the articles whose set-aside memo still matches are listed, not
        built or checked again (``transform/set_aside.py``)."""
        memo = articles.get(MEMO_COLUMN)
        self.memo_keys: set[str] = set()
        self.still = pd.DataFrame(columns=["artikel_nr", "reason"])
        if memo is None or not memo.notna().any():
            return articles
        noted = articles[memo.notna()]
        self.memo_keys = set(noted["artikel_nr"])
        if self.run.full:
            return articles
        self.still = still_set_aside(noted, "artikel_nr", self.context)
        skipped = set(self.still["artikel_nr"])
        self.seen |= skipped
        return articles[~articles["artikel_nr"].isin(skipped)]

    def build(self, columns: ShopColumns) -> Built:
        products, self.hide, cleaned = self._build(self._skip_still_set_aside(self.articles))
        if not self.run.full:
            self.seen |= set(products["artikel_nr"]) | set(self.hide["artikel_nr"])
            if self.last:
                from bo_oscommerce.looks import statement_marks

                self.links = statement_marks(self.run.bo, "look_artikel_verknuepft")
                marks = _drift_marks(self.run, self.offline, self.links)
                products, self.hide, more = _drifted(
                    self.run, marks, products, self.hide, self.offline, self.seen, self._build
                )
                for rule, keys in (more.rules if more else {}).items():
                    cleaned.add(rule, pd.Series(keys))
        return Built(products, cleaned)

    def suite(self, columns: ShopColumns, built: Built) -> Suite:
        settings = self.run.settings
        return products_suite(
            list(settings.languages.values()),
            columns,
            known_tax_keys=sorted(self.vat["ust_schluessel"].astype(str)),
            valid_groups=sorted(self.category_ids),
            shop_tax_classes=self.shop_tax_classes,
            master_column=products_table(columns, settings.master_id_column)[1],
        )

    def checked(self, built: Built, checked: Validated) -> Validated:
        """An article set aside while in the shop is hidden there."""
        deleted = (
            _deleted(self.run, self.links) if self.last else pd.DataFrame(columns=["artikel_nr"])
        )
        self.hides = only_keys(
            self.run, _hides(self.hide, built.rows, checked.rejected, deleted), "artikel_nr"
        )
        aside = self.articles[self.articles["artikel_nr"].isin(set(checked.rejected["key"]))]
        self.memos = memo_rows(
            fingerprints(aside, "artikel_nr"), checked.rejected, "artikel_nr", self.context
        )
        return checked

    def load(self, target: sa.Connection, rows: pd.DataFrame) -> LoadResult:
        result = load_products(
            target, rows, self.category_ids, self.languages, self.target_columns,
            self.run.settings.master_id_column, self.run.run_at,
            images_copied=self.run.settings.images is not None,
        )  # fmt: skip
        self.hidden = hide_products(target, self.hides, self.run.run_at, result)
        return result

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        left = int((self.hides["reason"] != HIDE_SET_ASIDE).sum())  # counted once, as hidden
        still = self.still
        report = load_report(
            ENTITY, len(built.rows) + left + still["artikel_nr"].nunique(), built, checked, result
        )
        if len(still):
            report.set_aside = pd.concat([
                report.set_aside,
                rejections(ENTITY, list(zip(still["artikel_nr"], still["reason"],
                                            [STILL_SET_ASIDE] * len(still), strict=True))),
            ], ignore_index=True)  # fmt: skip
        return report

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        asked = self.memo_keys | set(self.memos["artikel_nr"])  # a few: not every loaded key
        ids = result.ids["artikel_nr"] if len(result.ids) and asked else pd.Series([], dtype=str)
        loaded = set(ids[is_in(ids, asked)])
        cleared = [
            {"artikel_nr": nr, MEMO_COLUMN: None} for nr in sorted(self.memo_keys & loaded)
        ]
        memos = self.memos[[nr not in loaded for nr in self.memos["artikel_nr"]]]
        return [
            *_write_back(rows, result, self.hidden),
            (WRITEBACK_ARTIKEL_AUSGESONDERT, [*cleared, *memos.to_dict("records")]),
        ]


def sync_products(run: Run, paths: dict[str, str]) -> EntityReport:
    return run_step(Products(run, paths))


def _write_back(
    valid: pd.DataFrame, result: LoadResult, hidden: pd.DataFrame
) -> list[Statement]:
    """Ids, markers and text counts of loaded products; markers of products hidden because
    they left the web; links forgotten where the shop row is gone or the article deleted."""
    loaded = valid[
        [
            "artikel_nr",
            "osc_products_id",
            "osc_abgleich_stand",
            "stand",
            "products_quantity",
            "osc_texte",
            "texte",
        ]
    ].merge(result.ids, on="artikel_nr", how="inner")
    due = write_back_due(loaded, "osc_products_id", "products_id")
    rows = loaded.loc[due]
    left = ~hidden["reason"].isin([HIDE_SET_ASIDE, HIDE_DELETED]) & hidden["stand"].notna()
    away = hidden[
        left
        & (
            marker_changed(hidden["osc_abgleich_stand"], hidden["stand"])
            | count_changed(hidden["osc_texte"], hidden["texte"]).to_numpy()
        )
    ]
    deleted = hidden.loc[hidden["reason"] == HIDE_DELETED, "artikel_nr"]
    written = pd.concat(
        [rows.assign(osc_menge=rows["products_quantity"].where(rows["inserted"].astype(bool))),
         away.assign(osc_menge=None)],
        ignore_index=True,
    )  # fmt: skip
    steps = [
        (WRITEBACK_ARTIKEL, written.assign(
            osc_products_id=written["products_id"].astype("int64"),
            osc_abgleich_stand=written["stand"],
            osc_texte=written["texte"].astype("int64"),
            osc_menge=pd.array(written["osc_menge"], dtype="Int64"),
        )),
        (UNLINK_ARTIKEL, [{"artikel_nr": nr} for nr in result.unlink]),
        *relink(
            ENTITY,
            pd.DataFrame(
                {
                    "bo_schluessel": rows["artikel_nr"],
                    "osc_id": rows["products_id"].astype("int64"),
                    "osc_schluessel": natural_texts(rows["artikel_nr"]),
                }
            ),
        ),
        *unbind(ENTITY, [*result.unlink, *deleted]),
    ]  # fmt: skip
    return steps
