"""The stock step: BO quantities -> the shop's products_quantity, only where they changed.

It always reads BO's stock at its own start, never an earlier extract, and every shop-writing
task of a tenant runs in the tenant's pool: a catalog run can never write quantities older
than those a stock run has just written.
"""

from __future__ import annotations

import pandas as pd

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import WRITEBACK_MENGE
from bo_oscommerce.shop.stock import current_quantities, write_quantities
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, shop_columns
from bo_oscommerce.sync.writeback import WriteBackError, write_back
from bo_oscommerce.transform.stock import FRACTION_RULE, changed_quantities

ENTITY = "stock"


def sync_stock(run: Run) -> EntityReport:
    """Only quantities, only changed ones. Incremental compares with the quantity last sent
    (BO only, cheap); full compares with the shop itself."""
    settings = run.settings
    spec = shop_columns(run, ["products"]).spec("products", "products_quantity")
    stock = bo_io.query(run.bo, "extract_lagerbestand")
    current = None
    if run.full:
        with run.shop.connect() as conn:
            current = current_quantities(conn, stock["osc_products_id"].dropna().astype("int64"))
    changes = changed_quantities(
        stock, settings.stock_source, current, int(spec.max_value or 0) or None
    )
    in_shop = int(stock["osc_products_id"].notna().sum())
    with run.shop.begin() as conn:
        written = write_quantities(conn, changes)
    sent = changes[changes["artikel_nr"].isin(written)]
    last_sent = pd.array(
        sent["artikel_nr"].map(stock.set_index("artikel_nr")["osc_menge"]), dtype="Int64"
    )
    remember = sent[(sent["products_quantity"] != last_sent).fillna(True).to_numpy()]
    remember = remember.astype({"products_quantity": "int64"})
    report = EntityReport(
        entity=ENTITY,
        extracted=in_shop,
        updated=len(written),
        unchanged=in_shop - len(changes),
        cleaned={
            rule: keys
            for rule, keys in (
                (
                    "negative stock sent as 0",
                    changes.loc[changes["negative"], "artikel_nr"].tolist(),
                ),
                (
                    f"stock above the shop's maximum sent as {spec.max_value}",
                    changes.loc[changes["capped"], "artikel_nr"].tolist(),
                ),
                (FRACTION_RULE, changes.loc[changes["fraction"], "artikel_nr"].tolist()),
            )
            if keys
        },
    )
    missing = sorted(set(changes["artikel_nr"]) - set(written))
    if missing:
        report.notes.append(
            f"{len(missing)} quantities not written: the product behind the stored id is gone "
            f"or holds another article number ({', '.join(missing[:10])}); the next products "
            "step links them again"
        )
    try:
        report.written_back = write_back(
            run.bo,
            settings.label,
            ENTITY,
            [(WRITEBACK_MENGE, remember.assign(osc_menge=remember["products_quantity"]))],
        ).get("writeback_menge", 0)
    except WriteBackError as exc:
        report.failed = str(exc)
    return report
