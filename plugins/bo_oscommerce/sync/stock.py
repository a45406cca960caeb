"""The stock step: BO quantities -> the shop's products_quantity, only where they changed.

It always reads BO's stock at its own start, never an earlier extract, and every shop-writing
task of a tenant runs in the tenant's pool: a catalog run can never write quantities older
than those a stock run has just written.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce import looks
from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import WRITEBACK_MENGE
from bo_oscommerce.quality.validation import Validated
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.shop.stock import current_quantities, write_quantities
from bo_oscommerce.staging import read_parts, write_parts
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run
from bo_oscommerce.sync.step import Built, Step, run_step
from bo_oscommerce.sync.writeback import Statement
from bo_oscommerce.transform.stock import FRACTION_RULE, changed_quantities

ENTITY = "stock"
LOOK = "stock_step"  # looks.keep: the marks of the last incremental stock step that sent nothing
STOCK_COLUMNS = ["artikel_nr", "osc_products_id", "osc_menge", "gesamt", "verfuegbar"]


class Stock(Step):
    """Only quantities, only changed ones. Incremental compares with the quantity last sent
    (BO only, cheap); full compares with the shop itself."""

    entity = ENTITY
    tables = ("products",)
    counted = "writeback_menge"

    def parts(self, columns: ShopColumns) -> Iterator[None]:
        """BO's stock, read now and staged in chunks, then one chunk per part. An incremental
        run whose marks equal those of the last run that found nothing to send reads none
        (one empty part): nothing it compares has changed."""
        run = self.run
        self.changed = False
        marks = None if run.full else _marks(run)
        kept = looks.quiet_marks(run.settings.id, LOOK) if marks else None
        if kept is not None and kept["marks"] == marks:
            self.stock, self.unchanged_since = pd.DataFrame(columns=STOCK_COLUMNS), kept["run"]
            yield
            return
        self.unchanged_since = None
        path, _ = write_parts(
            run.staging / "stock_now",
            bo_io.query_parts(run.bo, "extract_lagerbestand", {},
                              run.settings.catalog_chunk_rows, key="artikel_nr"),
        )  # fmt: skip
        for part in read_parts(path):
            self.stock = part
            yield
        if marks is None:
            return
        if self.changed:  # something to send: the next run reads again
            looks.forget(run.settings.id, LOOK)
        else:
            looks.keep(run.settings.id, LOOK, run.run_key, marks)

    def extract(self, columns: ShopColumns) -> None:
        self.current = None
        if self.run.full:
            with self.run.shop.connect() as conn:
                ids = self.stock["osc_products_id"].dropna().astype("int64")
                self.current = current_quantities(conn, ids)

    def build(self, columns: ShopColumns) -> Built:
        self.spec = columns.spec("products", "products_quantity")
        top = int(self.spec.max_value or 0) or None
        return Built(changed_quantities(self.stock, self.run.settings.stock_source,
                                        self.current, top))  # fmt: skip

    def load(self, target: sa.Connection, rows: pd.DataFrame) -> LoadResult:
        written = write_quantities(target, rows)
        return LoadResult(ids=rows[rows["artikel_nr"].isin(written)], updated=len(written))

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        self.changed = self.changed or bool(report.failed)

    def report(self, built: Built, checked: Validated, result: LoadResult) -> EntityReport:
        changes = built.rows
        self.changed = self.changed or len(changes) > 0
        in_shop = int(self.stock["osc_products_id"].notna().sum())
        report = EntityReport(
            entity=ENTITY,
            extracted=in_shop,
            updated=result.updated,
            unchanged=in_shop - len(changes),
            cleaned={
                rule: keys
                for rule, keys in (
                    ("negative stock sent as 0",
                     changes.loc[changes["negative"], "artikel_nr"].tolist()),
                    (f"stock above the shop's maximum sent as {self.spec.max_value}",
                     changes.loc[changes["capped"], "artikel_nr"].tolist()),
                    (FRACTION_RULE, changes.loc[changes["fraction"], "artikel_nr"].tolist()),
                )
                if keys
            },
        )  # fmt: skip
        if self.unchanged_since:
            report.notes.append(
                "BO's stock, links and quantities sent are as in the run "
                f"{self.unchanged_since}, which found nothing to send: not read again"
            )
        missing = sorted(set(changes["artikel_nr"]) - set(result.ids["artikel_nr"]))
        if missing:
            report.notes.append(
                f"{len(missing)} quantities not written: the product behind the stored id is "
                f"gone or holds another article number ({', '.join(missing[:10])}); the next "
                "products step links them again"
            )
        return report

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        """The quantity sent, where it differs from the one BO remembers."""
        sent = result.ids
        last_sent = pd.array(
            sent["artikel_nr"].map(self.stock.set_index("artikel_nr")["osc_menge"]),
            dtype="Int64",
        )
        remember = sent[(sent["products_quantity"] != last_sent).fillna(True).to_numpy()]
        return [(WRITEBACK_MENGE, remember.assign(
            osc_menge=remember["products_quantity"].astype("int64")))]  # fmt: skip


def _marks(run: Run) -> dict[str, str]:
    """BO's stock at a glance (``look_artikel``, as a scheduled stock run's look) and the
    settings: what an incremental run compares."""
    return {**looks.bo_marks(run.bo, "stock"), "settings": looks.settings_mark(run.settings)}


def sync_stock(run: Run) -> EntityReport:
    return run_step(Stock(run))
