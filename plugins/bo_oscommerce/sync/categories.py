"""The categories step: product groups -> validate -> shop categories -> ids and links to BO.

Incremental runs check and load only groups that changed in BO, were never synced, lost a
text, sit in a broken tree, or whose category no longer carries their key; the others still
parent the loaded ones. Groups that left the web (or BO) have their category removed.
"""

from __future__ import annotations

import pandas as pd

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import UNLINK_WARENGRUPPE, WRITEBACK_WARENGRUPPE
from bo_oscommerce.quality.suites import categories_suite
from bo_oscommerce.quality.validation import validate
from bo_oscommerce.shop.categories import (
    ShopCategories,
    load_categories,
    natural_key,
    retire_categories,
    verify_settled,
)
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.staging import read_frame, write_frame
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import (
    Run,
    count_changed,
    default_code,
    marker_changed,
    rejections,
    shop_columns,
    shop_languages,
)
from bo_oscommerce.sync.writeback import WriteBackError, bindings, relink, unbind, write_back
from bo_oscommerce.transform.categories import (
    TREE_OK,
    build_categories,
    descendants_of,
    offline_groups,
)

ENTITY = "categories"


def _leaving(
    groups: pd.DataFrame,
    offline: set[str],
    deleted: pd.DataFrame,
    remembered: dict[str, str],
    default_language: str,
) -> pd.DataFrame:
    """Groups whose category must go: offline groups with a category, and deleted groups.
    ``natural_keys``: the keys their category may carry (as last written, or as BO has it)."""
    main = groups.drop_duplicates("warengruppe_nr").set_index("warengruppe_nr", drop=False)
    own_text = groups[groups["sprache"] == default_language].set_index("warengruppe_nr")
    ids = main["osc_categories_id"]
    rows = []
    for nr in sorted(offline):
        if nr not in main.index or pd.isna(ids.get(nr)):
            continue
        parent = main.at[nr, "ober_warengruppe_nr"]
        parent_id = ids.get(parent) if isinstance(parent, str) and parent else 0
        name = own_text["bezeichnung"].get(nr) if nr in own_text.index else None
        name = name if isinstance(name, str) and name.strip() else main.at[nr, "bezeichnung"]
        keys = {remembered.get(nr)}
        if parent_id is not None and not pd.isna(parent_id):
            keys.add(natural_key(int(parent_id), name))
        rows.append((nr, int(ids[nr]), keys - {None}))
    for row in deleted.itertuples(index=False):
        rows.append((str(row.warengruppe_nr), int(row.osc_categories_id), {row.osc_schluessel}))
    return pd.DataFrame(rows, columns=["warengruppe_nr", "osc_categories_id", "natural_keys"])


def _set_aside(categories: pd.DataFrame, checked_rejected: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside by the suite, plus every group below one of them."""
    below = descendants_of(categories, set(checked_rejected["key"]))
    if not below:
        return checked_rejected
    return pd.concat(
        [
            checked_rejected,
            rejections(
                ENTITY,
                [
                    (nr, f"parent product group {root} was set aside", root)
                    for nr, root in sorted(below.items())
                ],
            ),
        ],
        ignore_index=True,
    )


def _write_back(
    run: Run,
    loaded: pd.DataFrame,
    forget: list[str],
    deleted: pd.DataFrame,
    remembered: dict[str, str],
) -> int:
    due = (
        loaded["inserted"]
        | (pd.array(loaded["osc_categories_id"], dtype="Int64") != loaded["categories_id"]).fillna(
            True
        )
        | marker_changed(loaded["osc_abgleich_stand"], loaded["stand"]).to_numpy()
        | count_changed(loaded["osc_texte"], loaded["texte"]).to_numpy()
    )
    rows = loaded.loc[due]
    new_link = loaded["warengruppe_nr"].map(remembered) != loaded["natural_key"]
    links = loaded.loc[due | new_link.to_numpy()]
    gone = set(deleted["warengruppe_nr"])
    steps = [
        (WRITEBACK_WARENGRUPPE, rows.assign(
            osc_categories_id=rows["categories_id"].astype("int64"),
            osc_abgleich_stand=rows["stand"],
            osc_texte=rows["texte"].astype("int64"),
        )),
        (UNLINK_WARENGRUPPE, [{"warengruppe_nr": nr} for nr in forget if nr not in gone]),
        *relink(
            ENTITY,
            pd.DataFrame(
                {
                    "bo_schluessel": links["warengruppe_nr"],
                    "osc_id": links["categories_id"].astype("int64"),
                    "osc_schluessel": links["natural_key"],
                }
            ),
        ),
        *unbind(ENTITY, [*forget, *deleted["warengruppe_nr"]]),
    ]  # fmt: skip
    return write_back(run.bo, run.settings.label, ENTITY, steps).get("writeback_warengruppe", 0)


def sync_categories(run: Run, paths: dict[str, str]) -> EntityReport:
    settings = run.settings
    code = default_code(settings)
    columns = shop_columns(run)
    groups = read_frame(paths["groups"])
    categories, cleaned = build_categories(
        groups, settings.languages, settings.default_language, columns
    )
    links = bindings(run.bo, ENTITY)
    remembered = dict(zip(links["bo_schluessel"], links["osc_schluessel"], strict=True))
    deleted = bo_io.query(run.bo, "extract_warengruppen_geloescht").astype({"warengruppe_nr": str})

    with run.shop.connect() as conn:
        languages = shop_languages(conn, settings)
        shop = ShopCategories(conn, languages[code])
    due = (
        pd.Series(run.full, index=categories.index)
        | categories["osc_categories_id"].isna()
        | marker_changed(categories["osc_abgleich_stand"], categories["stand"])
        | count_changed(categories["osc_texte"], categories["texte"]).set_axis(categories.index)
        | (categories["tree"] != TREE_OK)
    )
    settled = categories[~due]
    stored = categories.dropna(subset=["osc_categories_id"])
    stored_ids = dict(
        zip(stored["warengruppe_nr"], stored["osc_categories_id"].astype(int), strict=True)
    )
    verified = verify_settled(shop, settled, stored_ids, remembered, code)
    due |= ~verified.reindex(categories.index, fill_value=True)

    checked = validate(
        categories[due],
        categories_suite(list(settings.languages.values()), columns),
        run.validation_cache,
    )
    rejected = _set_aside(categories, checked.rejected)
    valid = checked.valid[~checked.valid["warengruppe_nr"].isin(set(rejected["key"]))]
    settled = categories[~due & ~categories["warengruppe_nr"].isin(set(rejected["key"]))]
    known = dict(
        zip(settled["warengruppe_nr"], settled["osc_categories_id"].astype(int), strict=True)
    )
    offline = offline_groups(groups, categories)
    leaving = _leaving(groups, offline, deleted, remembered, settings.default_language)

    with run.shop.begin() as conn:
        result = load_categories(
            conn, valid, languages, code, columns, run.run_at, known, remembered
        )
        forget = retire_categories(conn, leaving, languages[code], result)
    rejected = pd.concat([rejected, rejections(ENTITY, result.rejected)], ignore_index=True)
    loaded = valid.merge(result.ids, on="warengruppe_nr")
    report = _report(categories, result, rejected, cleaned.rules, known)
    try:
        report.written_back = _write_back(run, loaded, forget, deleted, remembered)
    except WriteBackError as exc:
        report.failed = str(exc)
    settled_ids = pd.DataFrame(
        {
            "warengruppe_nr": pd.Series(list(known), dtype=object),
            "categories_id": pd.Series(list(known.values()), dtype="int64"),
        }
    )
    write_frame(
        run.staging / "category_ids.parquet",
        pd.concat(
            [result.ids[["warengruppe_nr", "categories_id"]], settled_ids], ignore_index=True
        ),
    )
    return report


def _report(
    categories: pd.DataFrame,
    result: LoadResult,
    rejected: pd.DataFrame,
    cleaned: dict[str, list[str]],
    known: dict[str, int],
) -> EntityReport:
    return EntityReport(
        entity=ENTITY,
        extracted=len(categories),
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged + len(known),
        hidden=result.hidden,
        set_aside=rejected,
        cleaned=cleaned,
        hidden_by_reason=result.hidden_by_reason,
        stale=result.stale,
        notes=result.notes,
    )
