"""Counts and set-aside rows of a run: logged, returned to XCom, and kept as files."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bo_oscommerce.identity import STALE_COLUMNS
from bo_oscommerce.quality.validation import REJECTED_COLUMNS
from bo_oscommerce.staging import report_dir, write_csv, write_json

log = logging.getLogger(__name__)


@dataclass
class EntityReport:
    entity: str
    extracted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    hidden: int = 0
    set_aside: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(REJECTED_COLUMNS))
    )
    cleaned: dict[str, list[str]] = field(default_factory=dict)
    written_back: int = 0
    notes: list[str] = field(default_factory=list)
    # why rows were hidden in the shop: reason -> keys
    hidden_by_reason: dict[str, list[str]] = field(default_factory=dict)
    # rows deliberately not in the shop, and why: reason -> keys
    kept_out: dict[str, list[str]] = field(default_factory=dict)
    # stored shop ids that no longer pointed at their row (key, stored_id, problem)
    stale: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STALE_COLUMNS))
    # the step's shop writes committed, but something after them failed (e.g. BO write-back)
    failed: str | None = None
    # rows a person should read, as tables: title -> rows (e.g. conflicts with both values)
    details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    shop: str | None = None  # the shop's flavour, as the step found it (shop/flavour.py)

    def add(self, part: EntityReport) -> EntityReport:
        """This report and that of the entity's next chunk as one."""
        for name in ("extracted", "inserted", "updated", "unchanged", "hidden", "written_back"):
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.set_aside = _concat(self.set_aside, part.set_aside)
        self.stale = _concat(self.stale, part.stale)
        for mine, theirs in (
            (self.cleaned, part.cleaned),
            (self.hidden_by_reason, part.hidden_by_reason),
            (self.kept_out, part.kept_out),
            (self.details, part.details),
        ):
            for key, values in theirs.items():
                mine.setdefault(key, []).extend(values)
        self.notes += [note for note in part.notes if note not in self.notes]
        self.failed = self.failed or part.failed
        self.shop = self.shop or part.shop
        return self

    @property
    def set_aside_rows(self) -> int:
        return int(self.set_aside["key"].nunique()) if len(self.set_aside) else 0

    def counts(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "extracted": self.extracted,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "hidden": self.hidden,
            "kept_out": sum(len(keys) for keys in self.kept_out.values()),
            "set_aside": self.set_aside_rows,
            "cleaned": len({k for keys in self.cleaned.values() for k in keys}),
            "written_back_to_bo": self.written_back,
            "stale_ids": len(self.stale),
        }

    def reasons(self) -> dict[str, int]:
        if not len(self.set_aside):
            return {}
        return (
            self.set_aside.groupby("reason")["key"]
            .nunique()
            .sort_values(ascending=False)
            .astype(int)
            .to_dict()
        )

    def publish(self, tenant: str, run_key: str) -> dict[str, Any]:
        """Log the counts, write quarantine and summary files, return a small XCom value."""
        counts = self.counts()
        log.info(
            "tenant %r %s: %s",
            tenant,
            self.entity,
            ", ".join(f"{k}={v}" for k, v in counts.items() if k != "entity"),
        )
        for reason, n in self.reasons().items():
            log.warning("tenant %r %s: set aside %d row(s): %s", tenant, self.entity, n, reason)
        for rule, keys in self.cleaned.items():
            log.info("tenant %r %s: cleaned %d row(s): %s", tenant, self.entity, len(keys), rule)
        for reason, keys in self.hidden_by_reason.items():
            log.info("tenant %r %s: hidden %d row(s): %s", tenant, self.entity, len(keys), reason)
        for row in self.stale.itertuples(index=False):
            log.warning(
                "tenant %r %s: %s: stored shop id %s not used, %s; synced again",
                tenant,
                self.entity,
                row.key,
                row.stored_id,
                row.problem,
            )
        for note in self.notes:
            log.warning("tenant %r %s: %s", tenant, self.entity, note)
        for title, rows in self.details.items():
            log.warning("tenant %r %s: %s: %d", tenant, self.entity, title, len(rows))
            for row in rows[:50]:
                log.warning("  %s", row)
        if self.failed:
            log.error("%s", self.failed)
        folder = report_dir(tenant, run_key)
        quarantine = self.set_aside.assign(tenant=tenant, run=run_key)[
            ["run", "tenant", *REJECTED_COLUMNS]
        ]
        files = {"quarantine": write_csv(folder / f"quarantine_{self.entity}.csv", quarantine)}
        files["summary"] = write_json(
            folder / f"summary_{self.entity}.json",
            {
                **counts,
                "tenant": tenant,
                "run": run_key,
                "set_aside_reasons": self.reasons(),
                "cleaned_rules": {rule: sorted(keys) for rule, keys in self.cleaned.items()},
                "hidden_reasons": {r: sorted(keys) for r, keys in self.hidden_by_reason.items()},
                "kept_out_reasons": {r: sorted(keys) for r, keys in self.kept_out.items()},
                "stale_ids": self.stale.astype(object).to_dict("records"),
                "notes": self.notes,
                "details": self.details,
                "failed": self.failed,
                "shop": self.shop,
            },
        )
        return {**counts, "reasons": self.reasons(), "files": files, "failed": self.failed}


def _concat(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    if not len(second):
        return first
    return pd.concat([first, second], ignore_index=True) if len(first) else second
