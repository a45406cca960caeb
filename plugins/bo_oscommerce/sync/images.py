"""The images step: each web article's image file into the shop's ``images/`` directory, its
name into ``products.products_image`` (ADR 19; the rules in ``transform/images.py``).

A full run (``mode: full``) sends every file again, whatever BO remembers: the way back for a
shop whose images folder was lost or restored without them.

Order: the files first (each under a temporary name, then renamed into place), then the
product rows in one shop transaction, then what was sent into BO (``osc_bild``). A run that
stops between two of these sends the file again at most; a product never names a file that
is not there. Runs after the products step (it needs the shop's product ids).
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.bo import io as bo_io
from bo_oscommerce.field_maps import WRITEBACK_ARTIKEL_BILD
from bo_oscommerce.shop import images as files
from bo_oscommerce.shop.columns import ShopColumns
from bo_oscommerce.shop.common import LoadResult
from bo_oscommerce.sync.report import EntityReport
from bo_oscommerce.sync.run import Run, rejections
from bo_oscommerce.sync.step import Built, Step, run_step
from bo_oscommerce.sync.writeback import Statement
from bo_oscommerce.transform import images as rules

ENTITY = "images"
OURS = re.compile(rf"-[0-9a-f]{{{rules.HASH_DIGITS}}}\.(jpg|png|gif|webp)$")  # names we make


@dataclass
class Sent:
    """One article's file after the upload: its memo, or why it was set aside."""

    artikel_nr: str
    memo: rules.Memo | None = None
    reason: str | None = None
    uploaded: bool = False


class Images(Step):
    entity = ENTITY
    tables = ("products",)
    load_empty = False
    counted = "writeback_artikel_bild"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        assert run.settings.images is not None
        self.settings = run.settings.images
        self.aside: list[tuple[str, str, str]] = []
        self.sent: list[Sent] = []
        self.unchanged = 0
        self.cleared: list[str] = []  # articles whose image BO took away: memo forgotten

    def extract(self, columns: ShopColumns) -> None:
        """BO's linked web articles, where their files are (a stat each, no read), and the
        shop's current image names."""
        rows = bo_io.query(self.run.bo, "extract_artikel_bilder").astype({"artikel_nr": str})
        self.source = files.folder(self.settings.source, self.settings.source_conn_id)
        located = [
            rules.source_path(str(p), self.settings.strip_prefixes) if _given(p) else (None, None)
            for p in rows["bildpfad"]
        ]  # fmt: skip
        rows["relative"] = [r for r, _ in located]
        rows["path_reason"] = [why for _, why in located]
        rows["stat"] = [
            files.stat(self.source, r) if r else None for r in rows["relative"]
        ]  # fmt: skip
        with self.run.shop.connect() as conn:
            current = files.current_images(conn, rows["osc_products_id"].astype("int64"))
        named = dict(zip(current["products_id"].astype("int64"), current["products_image"],
                         strict=True))  # fmt: skip
        rows["current"] = [named.get(int(i)) for i in rows["osc_products_id"]]
        self.rows = rows

    def build(self, columns: ShopColumns) -> Built:
        """Per article: set aside (with the reason), unchanged, the shop's name put back, the
        image cleared (BO has none any more), or the file to send."""
        actions = []
        for row in self.rows.itertuples(index=False):
            memo = rules.Memo.parse(row.osc_bild)
            key = str(row.artikel_nr)
            if not _given(row.bildpfad):
                if memo is not None:  # BO took the image away: the product shows none
                    self.cleared.append(key)
                    if row.current == memo.name:  # not an image someone set in the admin
                        actions.append((key, row.osc_products_id, "clear", None))
                continue
            reason = row.path_reason if isinstance(row.path_reason, str) else None
            reason = reason or (None if row.stat else rules.MISSING)
            if reason is None and row.stat[0] > self.settings.max_bytes:
                reason = rules.TOO_LARGE
            if reason:
                self.aside.append((key, reason, str(row.bildpfad)))
            elif memo and not self.run.full and memo.same_file(str(row.bildpfad), *row.stat):
                if row.current == memo.name:
                    self.unchanged += 1
                else:  # someone changed the product's image in the shop admin
                    actions.append((key, row.osc_products_id, "relink", memo.name))
            else:
                actions.append((key, row.osc_products_id, "send", row.relative))
        frame = pd.DataFrame(actions, columns=["artikel_nr", "products_id", "action", "value"])
        return Built(frame)

    def load(self, target: sa.Connection, rows: pd.DataFrame) -> LoadResult:
        """The files, then the products' image names in the shop's transaction."""
        width = self.target_columns.spec("products", "products_image").max_chars or 64
        by_key = self.rows.set_index("artikel_nr")
        sending = rows[rows["action"] == "send"]
        destination = files.folder(self.settings.target, self.settings.target_conn_id)
        with ThreadPoolExecutor(self.settings.transfers) as pool:
            self.sent = list(pool.map(
                lambda key: self._send(destination, key, by_key.loc[key], width),
                sending["artikel_nr"],
            ))  # fmt: skip
        names = {s.artikel_nr: s.memo.name for s in self.sent if s.memo}
        self.aside += [(s.artikel_nr, s.reason, str(by_key.loc[s.artikel_nr, "bildpfad"]))
                       for s in self.sent if s.reason]  # fmt: skip
        changes = rows.assign(products_image=[
            names.get(k) if a == "send" else (v if a == "relink" else None)
            for k, a, v in zip(rows["artikel_nr"], rows["action"], rows["value"], strict=True)
        ])  # fmt: skip
        changes = changes[(changes["action"] != "send") | changes["artikel_nr"].isin(names)]
        now = {k: by_key.loc[k, "current"] for k in changes["artikel_nr"]}
        changes = changes[[now[k] != n for k, n in zip(changes["artikel_nr"],
                                                        changes["products_image"], strict=True)]]
        files.set_images(target, changes, self.run.run_at)
        # one count per article: a file sent; its name put back or cleared in the shop; the
        # same content touched (not sent)
        sent = sum(s.uploaded for s in self.sent)
        touched = sum(1 for s in self.sent if s.memo and not s.uploaded)
        return LoadResult(
            inserted=sent,
            updated=int((rows["action"] != "send").sum()),
            unchanged=touched,
        )

    def _send(self, destination: Any, key: str, row: Any, width: int) -> Sent:
        data = files.read(self.source, str(row["relative"]))
        if data is None:
            return Sent(key, reason=rules.MISSING)
        if len(data) > self.settings.max_bytes:
            return Sent(key, reason=rules.TOO_LARGE)
        kind = rules.image_type(data[: files.HEAD_BYTES])
        if kind is None:
            return Sent(key, reason=rules.NOT_AN_IMAGE)
        digest = hashlib.sha256(data).hexdigest()
        name = rules.shop_name(str(row["relative"]), digest, kind, width)
        if name is None:
            return Sent(key, reason=rules.NAME_TOO_LONG)
        size, mtime_ns = row["stat"]
        memo = rules.Memo(rules.path_hash(str(row["bildpfad"])), size, mtime_ns, digest[:32], name)
        old = rules.Memo.parse(row["osc_bild"])
        same = old and old.digest == memo.digest and old.name == name and row["current"] == name
        if same and not self.run.full:
            return Sent(key, memo)  # touched, not changed: nothing to send
        try:
            files.upload(destination, name, data)
        except Exception as exc:  # noqa: BLE001 - one file the host refused; the others go on
            return Sent(key, reason=f"{rules.UPLOAD_FAILED}: {type(exc).__name__}: {exc}")
        return Sent(key, memo, uploaded=True)

    def report(self, built: Built, checked: Any, result: LoadResult) -> EntityReport:
        """Per article with an image path, or whose image BO took away: sent (inserted), its
        shop name put back or cleared (updated), unchanged, or set aside."""
        extracted = int(self.rows["bildpfad"].map(_given).sum()) + len(self.cleared)
        shop_cleared = int((built.rows["action"] == "clear").sum())
        return EntityReport(
            entity=ENTITY,
            extracted=extracted,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=self.unchanged + result.unchanged + len(self.cleared) - shop_cleared,
            set_aside=rejections(ENTITY, self.aside),
            notes=[f"{result.inserted} file(s) sent to {shown(self.settings.target)}"]
            if result.inserted else [],
        )  # fmt: skip

    def write_back(self, rows: pd.DataFrame, result: LoadResult) -> list[Statement]:
        memos = [{"artikel_nr": s.artikel_nr, "osc_bild": s.memo.text()}
                 for s in self.sent if s.memo]  # fmt: skip
        cleared = [{"artikel_nr": k, "osc_bild": None} for k in self.cleared]
        return [(WRITEBACK_ARTIKEL_BILD, [*memos, *cleared])] if memos or cleared else []

    def finish(self, report: EntityReport, result: LoadResult) -> None:
        if not self.settings.remove_unreferenced or report.failed:
            return
        destination = files.folder(self.settings.target, self.settings.target_conn_id)
        with self.run.shop.connect() as conn:
            used = files.referenced(conn)
        ours = [p.name for p in destination.iterdir() if OURS.search(p.name)]
        removed = files.remove(destination, sorted(set(ours) - used))
        if removed:
            report.notes.append(f"{len(removed)} image file(s) no product refers to removed")


def _given(value: Any) -> bool:
    return value is not None and value == value and str(value).strip() != ""


def shown(location: str) -> str:
    """A location without credentials (``user:password@`` never reaches a report)."""
    return re.sub(r"//[^/@]*@", "//", location)


def sync_images(run: Run) -> EntityReport | None:
    """The images step where the tenant copies images (``images`` setting), else None."""
    if run.settings.images is None:
        return None
    return run_step(Images(run))
