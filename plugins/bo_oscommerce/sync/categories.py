"""The categories step: product groups -> validate -> shop categories -> ids and links to BO.

Incremental runs check and load only groups that changed in BO, were never synced, lost a
text, sit in a broken tree, or whose category no longer carries their key; the others still
parent the loaded ones. Groups that left the web (or BO) have their category removed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import UNLINK_WARENGRUPPE, WRITEBACK_WARENGRUPPE
from bo_oscommerce.quality.suites import categories_suite
from bo_oscommerce.quality.validation import REJECTED_COLUMNS, Suite, Validated
from bo_oscommerce.shop.categories import (
    ShopCategories,
    load_categories,
    natural_key,
    retire_categories,
    verify_settled,
)
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.staging import read_frame, write_frame
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import (
    CATALOG_TABLES,
    Run,
    count_changed,
    default_code,
    marker_changed,
    rejections,
    shop_languages,
    write_back_due,
)
from bo_oscommerce.sync.step import Built, Step, load_report, run_step
from bo_oscommerce.sync.writeback import Statement, bindings, relink, unbind
from bo_oscommerce.transform.categories import (
    TREE_OK,
    build_categories,
    descendants_of,
    offline_groups,
)
from bo_oscommerce.transform.common import Cleaned

ENTITY = "categories"
QUIET_LOOK = "categories_step"  # looks.keep: the inputs and outcome of a run that wrote nothing


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
    loaded: pd.DataFrame,
    forget: list[str],
    deleted: pd.DataFrame,
    remembered: dict[str, str],
) -> list[Statement]:
    due = write_back_due(loaded, "osc_categories_id", "categories_id")
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
    return steps


class Categories(Step):
    """Product groups -> shop categories. Rows due: changed in BO, never synced, a lost text, a
    broken tree, or a category that no longer carries their key (checked in the shop)."""

    entity = ENTITY
    tables = tuple(CATALOG_TABLES)
    counted = "writeback_warengruppe"

    def __init__(self, run: Run, paths: dict[str, str]) -> None:
        super().__init__(run)
        self.paths = paths
        self.code = default_code(run.settings)

    def extract(self, columns: ShopColumns) -> None:
        self.groups = read_frame(self.paths["groups"])
        links = bindings(self.run.bo, ENTITY)
        self.remembered = dict(zip(links["bo_schluessel"], links["osc_schluessel"], strict=True))
        self.deleted = bo_io.query(self.run.bo, "extract_warengruppen_geloescht").astype(
            {"warengruppe_nr": str}
        )
        with self.run.shop.connect() as conn:
            self.languages = shop_languages(conn, self.run.settings)
            self.shop = ShopCategories(conn, self.languages[self.code])

    def build(self, columns: ShopColumns) -> Built:
        """The groups due; with inputs equal to those of the last run that wrote nothing,
        none, and that run's outcome (``_quiet``)."""
        self.quiet = self._quiet(columns)
        if self.quiet is not None:
            self.extracted = int(self.quiet["extracted"])
            self.due = pd.Series(dtype=bool)
            return Built(pd.DataFrame(columns=["warengruppe_nr"]), Cleaned(self.quiet["cleaned"]))
        settings = self.run.settings
        categories, cleaned = build_categories(
            self.groups, settings.languages, settings.default_language, columns
        )
        self.categories = categories
        self.extracted = len(categories)
        due = (
            pd.Series(self.run.full, index=categories.index)
            | categories["osc_categories_id"].isna()
            | marker_changed(categories["osc_abgleich_stand"], categories["stand"])
            | count_changed(categories["osc_texte"], categories["texte"]).set_axis(
                categories.index
            )
            | (categories["tree"] != TREE_OK)
        )
        stored = categories.dropna(subset=["osc_categories_id"])
        stored_ids = dict(
            zip(stored["warengruppe_nr"], stored["osc_categories_id"].astype(int), strict=True)
        )
        verified = verify_settled(
            self.shop, categories[~due], stored_ids, self.remembered, self.code
        )
        self.due = due | ~verified.reindex(categories.index, fill_value=True)
        return Built(categories[self.due], cleaned)

    def suite(self, columns: ShopColumns, built: Built) -> Suite | None:
        if self.quiet is not None:
            return None
        return categories_suite(list(self.run.settings.languages.values()), columns)

    def checked(self, built: Built, checked: Validated) -> Validated:
        """Every group below a set-aside one is set aside too; the settled rest still parent
        the loaded ones."""
        if self.quiet is not None:
            self.known = {nr: int(cid) for nr, cid in self.quiet["known"].items()}
            self.leaving = pd.DataFrame(columns=["warengruppe_nr", "osc_categories_id"])
            rejected = pd.DataFrame(self.quiet["set_aside"], columns=list(REJECTED_COLUMNS))
            return Validated(valid=built.rows, rejected=rejected, statistics=checked.statistics)
        rejected = _set_aside(self.categories, checked.rejected)
        out = set(rejected["key"])
        categories = self.categories
        settled = categories[~self.due & ~categories["warengruppe_nr"].isin(out)]
        self.known = dict(
            zip(settled["warengruppe_nr"], settled["osc_categories_id"].astype(int), strict=True)
        )
        offline = offline_groups(self.groups)
        self.leaving = _leaving(
            self.groups, offline, self.deleted, self.remembered,
            self.run.settings.default_language,
        )  # fmt: skip
        valid = checked.valid[~checked.valid["warengruppe_nr"].isin(out)]
        return Validated(valid=valid, rejected=rejected, statistics=checked.statistics)

    def load(self, target: sa.Connection, rows: pd.DataFrame) -> LoadResult:
        result = load_categories(
            target, rows, self.languages, self.code, self.target_columns, self.run.run_at,
            self.known, self.remembered,
        )  # fmt: skip
        self.forget = retire_categories(target, self.leaving, self.languages[self.code], result)
        return result

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        report = load_report(ENTITY, self.extracted, built, checked, result, len(self.known))
        if self.quiet is not None:
            report.unchanged = int(self.quiet["unchanged"])
            report.notes.append(
                f"BO's groups and the shop's categories are as in the run {self.quiet['run']}, "
                "which wrote nothing: its outcome stands, nothing built or checked again"
            )
        return report

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        if self.quiet is not None:
            self.wrote = False
            return []
        statements = _write_back(
            rows.merge(result.ids, on="warengruppe_nr"), self.forget, self.deleted,
            self.remembered,
        )  # fmt: skip
        self.wrote = any(len(rows) for _, rows in statements)
        return statements

    def _inputs(self, columns: ShopColumns) -> str | None:
        """A fingerprint of everything the step reads (BO's groups with their texts and
        stored ids, the recorded links, the deleted groups; the shop's categories and names,
        languages and columns; the settings), or None where a run must not reuse an outcome
        (a full run, a run for some records only)."""
        from bo_oscommerce.looks import settings_mark

        if self.run.full or self.run.only is not None:
            return None
        digest = hashlib.sha256()
        for frame in (self.groups, self.deleted, self.shop.rows):
            digest.update(frame.to_json(orient="split", date_format="iso", default_handler=str)
                          .encode())  # fmt: skip
        digest.update(json.dumps([
            sorted(self.remembered.items()), sorted(map(list, self.shop.name_of.items())),
            self.languages, settings_mark(self.run.settings),
            sorted(repr(spec) for spec in columns.values()),
        ], default=str).encode())  # fmt: skip
        return digest.hexdigest()

    def _quiet(self, columns: ShopColumns) -> dict[str, Any] | None:
        """The outcome of the last run that wrote nothing, if this run's inputs are the same
        (ADR 16): then this run would build, check and find the same, and write nothing."""
        from bo_oscommerce import looks

        self.inputs = self._inputs(columns)
        if self.inputs is None:
            return None
        kept = looks.quiet_marks(self.run.settings.id, QUIET_LOOK)
        if kept is None or kept["marks"] != {"inputs": self.inputs}:
            return None
        return {**kept["outcome"], "run": kept["run"]}

    def _remember(self, report: EntityReport) -> None:
        """Keep this run's inputs and outcome if it wrote nothing anywhere."""
        from bo_oscommerce import looks

        tenant = self.run.settings.id
        wrote = (
            report.inserted or report.updated or report.hidden or self.wrote or report.failed
            or len(report.stale) or self.forget
        )  # fmt: skip
        if self.inputs is None or self.quiet is not None:  # nothing to keep, or kept already
            return
        if wrote:
            looks.forget(tenant, QUIET_LOOK)
            return
        outcome = {
            "extracted": report.extracted,
            "unchanged": report.unchanged,
            "known": self.known,
            "cleaned": report.cleaned,
            "set_aside": report.set_aside.astype(object).where(report.set_aside.notna(), None)
            .to_dict("records"),
        }  # fmt: skip
        looks.keep(tenant, QUIET_LOOK, self.run.run_key, {"inputs": self.inputs}, outcome)

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        """The ids of every category, loaded or settled, for the products step."""
        self._remember(report)
        settled_ids = pd.DataFrame(
            {
                "warengruppe_nr": pd.Series(list(self.known), dtype=object),
                "categories_id": pd.Series(list(self.known.values()), dtype="int64"),
            }
        )
        write_frame(
            self.run.staging / "category_ids.parquet",
            pd.concat(
                [result.ids[["warengruppe_nr", "categories_id"]], settled_ids], ignore_index=True
            ),
        )


def sync_categories(run: Run, paths: dict[str, str]) -> EntityReport:
    return run_step(Categories(run, paths))
