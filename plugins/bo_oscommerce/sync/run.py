"""What every sync step shares: the run, the BO extract, the shop's columns and languages."""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.config import TenantSettings
from bo_oscommerce.frames import prefetched
from bo_oscommerce.quality.validation import REJECTED_COLUMNS
from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.columns import ShopColumns, read_shop_columns
from bo_oscommerce.shop.common import language_ids
from bo_oscommerce.staging import (
    read_parts,
    staging_dir,
    validation_cache,
    write_frame,
    write_parts,
)

log = logging.getLogger(__name__)

# name -> (BO statement, parameters; None: depends on full/incremental)
EXTRACTS = {
    "groups": ("extract_warengruppen", {}),
    "articles": ("extract_artikel", None),  # and ``texte_pruefen`` (``_ArticleTexts``)
    "vat": ("extract_umsatzsteuer", {}),
    "stock": ("extract_artikel_bestand", None),  # the extracted articles' stock
}
PARTED = ("articles", "stock")  # staged in parts: they grow with the catalog
# BO statements the catalog steps read besides the extract
CATALOG_READS = {
    "watch_lagerbestand": {},  # the stock watcher's look
    "look_artikel": {},  # a scheduled stock run's first look (looks.py)
    "extract_lagerbestand": {},
    "extract_bindungen": {"entitaet": "products"},
    "extract_artikel_geloescht": {},
    "extract_warengruppen_geloescht": {},
    "extract_artikel_verknuepft": {},
    "extract_artikel_bilder": {},  # the images step's (tenants with the images setting)
    "look_artikel_verknuepft": {},  # the products drift check's look
    "look_artikel_texte": {},  # an incremental extract's look at the texts
    "extract_artikel_bestand_von": {"nummern": ["A-1"]},  # an incremental run's stock
}
CUSTOMER_READS = {
    "look_kontakte": {},  # a scheduled customers run's first look (looks.py)
    "extract_gespraechspartner": {"full_sync": 1},
    "extract_kontakte": {},
    "extract_staaten": {},
    "extract_bindungen": {"entitaet": "customers"},
    "extract_kunden_stand": {},
    "extract_willkommen_offen": {},
    "extract_kontakte_adresse": {},
    "nummern_lesen": {"name": "adresse"},
}
ORDER_READS = {
    "osc_bestellung_hoechste": {},  # the order watcher's, at its start
    "look_auftraege": {},  # a scheduled orders run's first look (looks.py)
    "extract_auftraege_osc": {},
    "extract_artikel_nummern": {},
    "extract_lieferungen": {"delivered": 3},
    "extract_kontakte_adresse": {},
}
FULL_EXTRACT = {"full_sync": 1, "texte_pruefen": 1}  # every extract's parameters, whole
TEXTS_LOOK = "article_texts"  # looks.keep: BO's texts when no article was due for them alone
CATALOG_TABLES = [
    "categories",
    "categories_description",
    "products",
    "products_description",
    "products_to_categories",
]


@dataclass(frozen=True)
class Run:
    """What every step needs to know about the DAG run it belongs to."""

    settings: TenantSettings
    bo: sa.Engine
    shop: sa.Engine
    run_key: str  # "<dag_id>/<run_id>": names staging and report folders
    run_at: datetime  # the run's time in the shop's time zone: date_added, last_modified
    full: bool = False
    only: frozenset[str] | None = None  # BO keys: sync just these rows (after a reset)

    @property
    def staging(self) -> Any:
        return staging_dir(self.settings.id, self.run_key)

    @property
    def validation_cache(self) -> Any:
        return validation_cache(self.settings.id)


@functools.cache
def freeze_startup_objects() -> None:
    """Once per process, before its first extract or step: the objects alive now (modules,
    Airflow, GX, pandas) leave the garbage collector's view. They live as long as the
    process, yet each full collection walked all of them: a quarter second, at random points
    of a short run (the extract's rows, arriving as tuples, set off several)."""
    gc.freeze()


def extract(run: Run) -> dict[str, Any]:
    """BO frames into the staging location; returns their paths and row counts. Articles and
    stock grow with the catalog: they are staged in parts (``catalog_chunk_rows``, an
    article's rows in one part) and never held whole."""
    freeze_startup_objects()
    paths, counts = {}, {}
    texts = _ArticleTexts(run)
    for name, (sql, params) in EXTRACTS.items():
        params = params if params is not None else texts.params()
        if name in PARTED:  # the next part is read from BO while one is staged
            parts = prefetched(_parts(run, name, sql, params, paths, texts))
            paths[name], counts[name] = write_parts(run.staging / f"bo_{name}", parts)
            continue
        frame = bo_io.query(run.bo, sql, params)
        paths[name] = write_frame(run.staging / f"bo_{name}.parquet", frame)
        counts[name] = len(frame)
    texts.remember()
    log.info("%s: extracted from BO %s", run.settings.label, counts)
    return {"paths": paths, "counts": counts}


class _ArticleTexts:
    """Whether an incremental extract asks, per article, if a text changed or was deleted
    since its last sync (two index look-ups per article, most of a no-op run's extract). It
    need not while BO's texts (``look_artikel_texte``: count, latest stamp, texts at it) are
    as they were at the last extract that found no article due for its texts alone: since
    then no text changed, and an article's own write-back (its marker covers its texts) or
    its own change brings it along anyway. The marks are taken before the extract reads, so
    a text changed during it is seen by the next run's look (ADR 16)."""

    def __init__(self, run: Run) -> None:
        from bo_oscommerce import looks

        self.run, self.text_only = run, 0
        self.marks = None if run.full else looks.statement_marks(run.bo, "look_artikel_texte")
        kept = looks.quiet_marks(run.settings.id, TEXTS_LOOK) if self.marks else None
        self.check = kept is None or kept["marks"] != self.marks

    def params(self) -> dict[str, int]:
        return {"full_sync": 1 if self.run.full else 0, "texte_pruefen": int(self.check)}

    def counted(self, parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        """The articles' parts without ``nur_texte``, counting the articles it marks."""
        for part in parts:
            self.text_only += int(part["nur_texte"].astype(int).sum())
            yield part.drop(columns="nur_texte")

    def remember(self) -> None:
        """Keep the marks if no article was due for its texts alone (a full extract asks
        nothing per article, so it leaves them as they are)."""
        from bo_oscommerce import looks

        if self.marks is None:
            return
        if self.text_only:
            looks.forget(self.run.settings.id, TEXTS_LOOK)
        else:
            looks.keep(self.run.settings.id, TEXTS_LOOK, self.run.run_key, self.marks)


def _parts(
    run: Run,
    name: str,
    sql: str,
    params: dict[str, Any],
    paths: dict[str, str],
    texts: _ArticleTexts,
) -> Iterator[pd.DataFrame]:
    if name == "stock" and not run.full:  # the stock of the articles just extracted
        numbers = _extracted(paths)
        return bo_io.query_for(run.bo, "extract_artikel_bestand_von", "nummern", numbers)
    chunk = run.settings.catalog_chunk_rows
    parts = bo_io.query_parts(run.bo, sql, params, chunk, "artikel_nr")
    return texts.counted(parts) if name == "articles" else parts


def _extracted(paths: dict[str, str]) -> list[str]:
    """The article numbers of the staged articles, in order."""
    parts = read_parts(paths["articles"], columns=["artikel_nr"])
    return sorted({str(nr) for part in parts for nr in part["artikel_nr"]})


def shop_columns(run: Run, tables: list[str] | None = None) -> ShopColumns:
    """The shop's real columns, read at the start of a step."""
    with run.shop.connect() as conn:
        return read_shop_columns(conn, tables or CATALOG_TABLES)


def shop_languages(conn: sa.Connection, settings: TenantSettings) -> dict[str, int]:
    """osCommerce code -> languages_id of every language the tenant syncs."""
    in_shop = language_ids(conn)
    missing = sorted(set(settings.languages.values()) - set(in_shop))
    if missing:
        raise RuntimeError(
            f"{settings.label}: the shop has no language {missing} (languages.code); add it in "
            "the shop admin or remove it from the tenant's 'languages' setting"
        )
    return {code: in_shop[code] for code in settings.languages.values()}


def default_code(settings: TenantSettings) -> str:
    return settings.languages[settings.default_language]


def only_keys(run: Run, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows of ``frame`` this run syncs: all, or those whose BO key is in ``run.only``."""
    if run.only is None:
        return frame
    return frame[frame[column].astype(str).isin(run.only)].reset_index(drop=True)


def rejections(entity: str, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Set-aside records (key, reason, value) of a load, in the quarantine's columns."""
    return pd.DataFrame(
        [
            {"entity": entity, "key": k, "reason": r, "expectation": "", "column": "", "value": v}
            for k, r, v in rows
        ],
        columns=list(REJECTED_COLUMNS),
    )


def marker_changed(old: pd.Series, new: pd.Series) -> pd.Series:
    """BO change markers that differ. A marker BO stored with less precision than it has
    (whole seconds, cut or rounded) counts as the same, so fractions of a second never keep a
    row "changed" forever."""
    old_ts = pd.to_datetime(old, errors="coerce").astype("datetime64[us]")
    new_ts = pd.to_datetime(new, errors="coerce").astype("datetime64[us]")
    equal = (old_ts == new_ts).fillna(False).astype(bool)
    both_missing = (old_ts.isna() & new_ts.isna()).astype(bool)
    whole = (old_ts == old_ts.dt.floor("s")).fillna(False).astype(bool)
    close = ((new_ts - old_ts).abs() < timedelta(seconds=1)).fillna(False).astype(bool)
    return ~(equal | both_missing | (whole & close))


def count_changed(old: pd.Series, new: pd.Series) -> pd.Series:
    """Text-row counts that differ (a missing old count differs)."""
    old = pd.array(old, dtype="Int64")
    new = pd.array(new, dtype="Int64")
    return pd.Series(old != new).fillna(True).astype(bool).set_axis(range(len(old)))


def write_back_due(loaded: pd.DataFrame, stored: str, shop: str, counts: bool = True) -> np.ndarray:
    """The loaded rows whose BO record must be written: created now, another shop id than the
    one BO holds (``stored`` vs ``shop``), a newer change marker (``osc_abgleich_stand`` vs
    ``stand``), or (``counts``) another text-row count (``osc_texte`` vs ``texte``)."""
    due = np.asarray(
        (pd.array(loaded[stored], dtype="Int64") != pd.array(loaded[shop], dtype="Int64"))
        .fillna(True), dtype=bool,
    )  # fmt: skip
    if "inserted" in loaded.columns:
        due |= loaded["inserted"].astype(bool).to_numpy()
    due |= marker_changed(loaded["osc_abgleich_stand"], loaded["stand"]).to_numpy()
    if counts:
        due |= count_changed(loaded["osc_texte"], loaded["texte"]).to_numpy()
    return due


def shop_category_ids(conn: sa.Connection) -> set[int]:
    return {int(i) for i in conn.execute(sa.select(t.categories.c.categories_id)).scalars()}
