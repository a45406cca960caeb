"""The catalog sync steps the DAGs call: extract -> (transform -> validate -> load -> write back).

Each entity step is a transaction on the shop side: transformed rows are checked by the
entity's Great Expectations suite first, rows that fail are set aside with their reason, and
only then is anything written. osCommerce ids go back to BO after the shop commit; if that
write-back is lost, the next run finds the rows again (ids, then model/name matching).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.config import TenantSettings
from bo_oscommerce.frames import frame_records
from bo_oscommerce.quality.suites import categories_suite, products_suite
from bo_oscommerce.quality.validation import REJECTED_COLUMNS, validate
from bo_oscommerce.shop import catalog as shop_catalog
from bo_oscommerce.staging import read_frame, staging_dir, write_frame
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.transform.categories import TREE_OK, build_categories, descendants_of
from bo_oscommerce.transform.products import build_products
from bo_oscommerce.transform.stock import changed_quantities

log = logging.getLogger(__name__)

EXTRACTS = {
    "groups": ("extract_warengruppen", {}),
    "articles": ("extract_artikel", None),  # params depend on full/incremental
    "vat": ("extract_umsatzsteuer", {}),
    "stock": ("extract_lagerbestand", {}),
}


@dataclass(frozen=True)
class Run:
    """What every step needs to know about the DAG run it belongs to."""

    settings: TenantSettings
    bo: sa.Engine
    shop: sa.Engine
    run_key: str  # "<dag_id>/<run_id>": names staging and report folders
    run_at: datetime  # the run's own time (run_after), written as date_added/last_modified
    full: bool = False

    @property
    def staging(self) -> Any:
        return staging_dir(self.settings.id, self.run_key)


def extract(run: Run) -> dict[str, Any]:
    """BO frames into the staging location; returns their paths and row counts."""
    paths, counts = {}, {}
    for name, (sql, params) in EXTRACTS.items():
        frame = bo_io.query(
            run.bo, sql, params if params is not None else {"full_sync": 1 if run.full else 0}
        )
        paths[name] = write_frame(run.staging / f"bo_{name}.parquet", frame)
        counts[name] = len(frame)
    log.info("%s: extracted from BO %s", run.settings.label, counts)
    return {"paths": paths, "counts": counts}


def _language_ids(conn: sa.Connection, settings: TenantSettings) -> dict[str, int]:
    in_shop = shop_catalog.language_ids(conn)
    missing = sorted(set(settings.languages.values()) - set(in_shop))
    if missing:
        raise RuntimeError(
            f"{settings.label}: the shop has no language {missing} (languages.code); add it in "
            "the shop admin or remove it from the tenant's 'languages' setting"
        )
    return {code: in_shop[code] for code in settings.languages.values()}


def _osc_code(settings: TenantSettings) -> str:
    return settings.languages[settings.default_language]


def _rejections(entity: str, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"entity": entity, "key": k, "reason": r, "expectation": "", "column": "", "value": v}
            for k, r, v in rows
        ],
        columns=list(REJECTED_COLUMNS),
    )


def _stand_changed(old: pd.Series, new: pd.Series) -> pd.Series:
    old_ts = pd.to_datetime(old, errors="coerce")
    new_ts = pd.to_datetime(new, errors="coerce")
    return ~((old_ts == new_ts) | (old_ts.isna() & new_ts.isna())).fillna(False).astype(bool)


def _stale(
    stored_id: pd.Series, shop_id: pd.Series, synced: pd.Series, stand: pd.Series
) -> pd.Series:
    """Rows whose shop id or change marker BO does not hold yet."""
    return (stored_id.astype("Int64") != shop_id).fillna(True) | _stand_changed(synced, stand)


def _write_back(run: Run, statement: str, frame: pd.DataFrame) -> int:
    """Rows through ``include/sql/bo/<statement>.sql``; change markers in whole seconds, as
    BO's timestamps are."""
    stand = pd.to_datetime(frame["osc_abgleich_stand"], errors="coerce").dt.floor("s")
    return bo_io.execute_many(
        run.bo, statement, frame_records(frame.assign(osc_abgleich_stand=stand))
    )


def sync_categories(run: Run, paths: dict[str, str]) -> EntityReport:
    """Incremental runs check and load only groups that changed in BO, were never synced or
    sit in a broken tree; the tree itself is always judged whole."""
    settings = run.settings
    groups = read_frame(paths["groups"])
    categories, cleaned = build_categories(groups, settings.languages, settings.default_language)
    due = (
        pd.Series(run.full, index=categories.index)
        | categories["osc_categories_id"].isna()
        | _stand_changed(categories["osc_abgleich_stand"], categories["stand"])
        | (categories["tree"] != TREE_OK)
    )
    checked = validate(categories[due], categories_suite(list(settings.languages.values())))
    rejected = checked.rejected
    # a group set aside takes everything below it along
    below = descendants_of(categories, set(rejected["key"]))
    if below:
        rejected = pd.concat(
            [
                rejected,
                _rejections(
                    "categories",
                    [
                        (nr, f"parent product group {root} was set aside", root)
                        for nr, root in sorted(below.items())
                    ],
                ),
            ],
            ignore_index=True,
        )
    valid = checked.valid[~checked.valid["warengruppe_nr"].isin(below)]
    settled = categories[~due & ~categories["warengruppe_nr"].isin(below)]
    known = dict(
        zip(settled["warengruppe_nr"], settled["osc_categories_id"].astype(int), strict=True)
    )

    with run.shop.begin() as conn:
        languages = _language_ids(conn, settings)
        result = shop_catalog.load_categories(
            conn, valid, languages, _osc_code(settings), run.run_at, known=known
        )
    ids = valid[["warengruppe_nr", "osc_categories_id", "osc_abgleich_stand", "stand"]].merge(
        result.ids, on="warengruppe_nr"
    )
    ids = ids.loc[
        _stale(
            ids["osc_categories_id"], ids["categories_id"], ids["osc_abgleich_stand"], ids["stand"]
        )
    ]
    written = _write_back(
        run,
        "writeback_warengruppe",
        pd.DataFrame(
            {
                "warengruppe_nr": ids["warengruppe_nr"],
                "osc_categories_id": ids["categories_id"].astype("int64"),
                "osc_abgleich_stand": ids["stand"],
            }
        ),
    )
    settled_ids = pd.DataFrame(
        {
            "warengruppe_nr": pd.Series(list(known), dtype=object),
            "categories_id": pd.Series(list(known.values()), dtype="int64"),
        }
    )
    all_ids = pd.concat([result.ids, settled_ids], ignore_index=True)
    write_frame(run.staging / "category_ids.parquet", all_ids)
    return EntityReport(
        entity="categories",
        extracted=len(categories),
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged + len(known),
        set_aside=rejected,
        cleaned=cleaned.rules,
        written_back=written,
    )


def _category_ids(run: Run, paths: dict[str, str]) -> dict[str, int]:
    """Group -> categories_id from this run's category step, else from BO's stored ids."""
    staged = run.staging / "category_ids.parquet"
    if staged.exists():
        frame = read_frame(staged)
        return dict(zip(frame["warengruppe_nr"], frame["categories_id"].astype(int), strict=True))
    groups = read_frame(paths["groups"]).drop_duplicates("warengruppe_nr")
    known = groups[(groups["im_web"].astype(int) == 1) & groups["osc_categories_id"].notna()]
    return dict(zip(known["warengruppe_nr"], known["osc_categories_id"].astype(int), strict=True))


def sync_products(run: Run, paths: dict[str, str]) -> EntityReport:
    settings = run.settings
    articles = read_frame(paths["articles"])
    vat = read_frame(paths["vat"])
    stock = read_frame(paths["stock"])
    products, hide, cleaned = build_products(articles, vat, stock, settings)
    category_ids = _category_ids(run, paths)
    with run.shop.connect() as conn:
        shop_tax_classes = shop_catalog.tax_class_ids(conn)
    suite = products_suite(
        list(settings.languages.values()),
        known_tax_keys=sorted(vat["ust_schluessel"].astype(str)),
        valid_groups=sorted(category_ids),
        shop_tax_classes=shop_tax_classes,
    )
    checked = validate(products, suite)
    with run.shop.begin() as conn:
        languages = _language_ids(conn, settings)
        result = shop_catalog.load_products(
            conn,
            checked.valid,
            hide,
            category_ids,
            languages,
            settings.master_id_column,
            run.run_at,
        )
    rejected = pd.concat(
        [checked.rejected, _rejections("products", result.rejected)], ignore_index=True
    )

    # ids and change markers back into BO; a product just created also gets its quantity
    # remembered (osc_menge), so the stock sync does not send it again
    loaded = pd.concat([checked.valid, hide])[
        ["artikel_nr", "osc_products_id", "osc_abgleich_stand", "stand", "products_quantity"]
    ].merge(result.ids, on="artikel_nr", how="inner")
    inserted = loaded["inserted"].astype(bool)
    due = inserted | _stale(
        loaded["osc_products_id"],
        loaded["products_id"],
        loaded["osc_abgleich_stand"],
        loaded["stand"],
    )
    loaded = loaded.loc[due]
    written = _write_back(
        run,
        "writeback_artikel",
        pd.DataFrame(
            {
                "artikel_nr": loaded["artikel_nr"],
                "osc_products_id": loaded["products_id"].astype("int64"),
                "osc_abgleich_stand": loaded["stand"],
                "osc_menge": loaded["products_quantity"].where(inserted[due]).astype("Int64"),
            }
        ),
    )
    write_frame(run.staging / "product_ids.parquet", result.ids)
    return EntityReport(
        entity="products",
        extracted=len(products) + len(hide),
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        hidden=result.hidden,
        set_aside=rejected,
        cleaned=cleaned.rules,
        written_back=written,
    )


def _staged_stock(run: Run, paths: dict[str, str]) -> pd.DataFrame:
    """The extract's stock, with the ids this run's products step created or matched; products
    created in this run went in with exactly this quantity and are left out."""
    stock = read_frame(paths["stock"])
    staged = run.staging / "product_ids.parquet"
    if not staged.exists():
        return stock
    ids = read_frame(staged).drop_duplicates("artikel_nr")
    merged = stock.merge(ids, on="artikel_nr", how="left")
    merged["osc_products_id"] = pd.array(merged["products_id"], dtype="Int64").fillna(
        pd.array(merged["osc_products_id"], dtype="Int64")
    )
    inserted = merged["inserted"].fillna(False).astype(bool)
    stock = merged.drop(columns=["products_id", "inserted"])
    return stock.loc[~inserted].reset_index(drop=True)


def sync_stock(run: Run, paths: dict[str, str] | None = None) -> EntityReport:
    """Only quantities, only changed ones. Incremental compares with the quantity last sent
    (BO only, cheap); full compares with the shop itself. ``paths``: reuse the catalog run's
    extract instead of asking BO again."""
    settings = run.settings
    stock = _staged_stock(run, paths) if paths else bo_io.query(run.bo, "extract_lagerbestand")
    current = None
    if run.full:
        with run.shop.connect() as conn:
            current = shop_catalog.current_quantities(
                conn, stock["osc_products_id"].dropna().astype("int64")
            )
    changes = changed_quantities(stock, settings.stock_source, current)
    in_shop = int(stock["osc_products_id"].notna().sum())
    with run.shop.begin() as conn:
        written = shop_catalog.write_quantities(conn, changes)
    remember = changes[
        changes["products_quantity"]
        != pd.array(
            changes["artikel_nr"].map(stock.set_index("artikel_nr")["osc_menge"]), dtype="Int64"
        ).fillna(-1)
    ]
    bo_io.execute_many(
        run.bo,
        "writeback_menge",
        [
            {"artikel_nr": nr, "osc_menge": int(q)}
            for nr, q in zip(remember["artikel_nr"], remember["products_quantity"], strict=True)
        ],
    )
    negative = changes.loc[changes["negative"], "artikel_nr"].tolist()
    return EntityReport(
        entity="stock",
        extracted=in_shop,
        updated=written,
        unchanged=in_shop - len(changes),
        cleaned={"negative stock sent as 0": negative} if negative else {},
        written_back=len(remember),
        notes=[f"{len(changes) - written} quantities for products missing in the shop"]
        if written < len(changes)
        else [],
    )
