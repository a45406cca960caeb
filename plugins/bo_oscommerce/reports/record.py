"""A run's record: its entity summaries, where it stopped and why, and the tenant's run index.

Layout under the reports location (``BO_OSC_REPORTS_URL``)::

    <tenant>/index.html                         the tenant's runs, newest first
    <tenant>/_console.json                      what the operator's console needs of them
    <tenant>/_runs/<started>__<dag>__<run>.json  one small entry per run, for the index
    <tenant>/<dag>/<run>/report.html            the run page (self-contained)
    <tenant>/<dag>/<run>/run.json               the record the page is drawn from
    <tenant>/<dag>/<run>/summary_<entity>.json  written by each sync step
    <tenant>/<dag>/<run>/quarantine_<entity>.csv
    <tenant>/<dag>/<run>/stopped/<task>.json    a task's last failure, removed when it passes

Runs older than the tenant's ``report_retention_days`` are removed by the next report task,
with what is left of their staging; a successful run's staging goes when its report is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from bo_oscommerce.staging import (
    read_json,
    report_dir,
    reports_root,
    safe_part,
    staging_dir,
    staging_root,
    write_json,
    write_text,
)

log = logging.getLogger(__name__)

# the order the entities appear in; entities added later follow in name order
ENTITY_ORDER = (
    "categories",
    "products",
    "stock",
    "customers",
    "new_contacts",
    "orders",
    "status_processing",
    "status_delivered",
)
# the parts of "extracted" that together account for every row
ACCOUNTED = ("inserted", "updated", "unchanged", "hidden", "kept_out", "set_aside")
INDEX_RUNS = 50  # runs on a tenant's index page (the chart shows up to 30 of them)
EXTRA_FILES = ("new_orders.json", "reconciliation.json", "reset.json")


@dataclass(frozen=True)
class RunMeta:
    """What the report task knows about its DAG run."""

    tenant: str
    tenant_name: str
    dag_id: str
    run_id: str
    run_type: str
    started: datetime | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def run_key(self) -> str:
        return f"{self.dag_id}/{self.run_id}"

    @property
    def kind(self) -> str:
        return self.dag_id.rsplit("_", 1)[-1]


def balance(summary: dict[str, Any]) -> dict[str, Any]:
    """The sum line: every extracted row is loaded, unchanged, hidden, kept out or set aside
    (cleaned rows are loaded rows whose values a rule changed)."""
    accounted = sum(int(summary.get(part) or 0) for part in ACCOUNTED)
    return {"accounted": accounted, "balanced": accounted == int(summary.get("extracted") or 0)}


def _stop_path(tenant: str, run_key: str, task_id: str) -> Any:
    return report_dir(tenant, run_key) / "stopped" / f"{safe_part(task_id)}.json"


def record_stop(
    tenant: str, run_key: str, task_id: str, error: str, try_number: int, secrets: list[str]
) -> None:
    """Keep a task's failure for the report; passwords never reach the file."""
    for secret in secrets:
        error = error.replace(secret, "***")
    write_json(
        _stop_path(tenant, run_key, task_id),
        {"task": task_id, "error": error, "try_number": try_number, "at": _now()},
    )


def clear_stop(tenant: str, run_key: str, task_id: str) -> None:
    """A task that passed (e.g. on its retry) is no longer where the run stopped."""
    path = _stop_path(tenant, run_key, task_id)
    try:
        if path.exists():
            path.unlink()
    except FileNotFoundError:
        pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _entity_rank(entity: str) -> tuple[int, str]:
    return (ENTITY_ORDER.index(entity), "") if entity in ENTITY_ORDER else (99, entity)


def collect(meta: RunMeta) -> dict[str, Any]:
    """The run's record, from the files its tasks left in its report folder."""
    folder = report_dir(meta.tenant, meta.run_key)
    entities, stops, extras = [], [], {}
    if folder.exists():
        for path in folder.glob("summary_*.json"):
            summary = read_json(path)
            entities.append({**summary, **balance(summary)})
        stopped = folder / "stopped"
        if stopped.exists():
            stops = sorted((read_json(p) for p in stopped.glob("*.json")), key=lambda s: s["at"])
        for name in EXTRA_FILES:
            if (folder / name).exists():
                extras[name.removesuffix(".json")] = read_json(folder / name)
    entities.sort(key=lambda e: _entity_rank(e["entity"]))
    return {
        "tenant": meta.tenant,
        "tenant_name": meta.tenant_name,
        "dag_id": meta.dag_id,
        "kind": meta.kind,
        "run_id": meta.run_id,
        "run_type": meta.run_type,
        "started": meta.started.isoformat(timespec="seconds") if meta.started else None,
        "finished": _now(),
        "params": meta.params,
        "state": "failed" if stops else "success",
        "stopped": stops,
        "entities": entities,
        "extras": extras,
        "folder": f"{safe_part(meta.dag_id)}/{safe_part(meta.run_id)}",
    }


def index_entry(record: dict[str, Any]) -> dict[str, Any]:
    """What the tenant's index needs of a run: no row lists."""
    keep = ("extracted", "inserted", "updated", "unchanged", "hidden", "kept_out")
    return {
        **{k: record[k] for k in ("dag_id", "kind", "run_id", "run_type", "started", "finished")},
        **{k: record[k] for k in ("state", "folder")},
        "stopped_at": [s["task"] for s in record["stopped"]],
        "shop": next((e["shop"] for e in record["entities"] if e.get("shop")), None),
        "entities": {
            e["entity"]: {
                **{k: e.get(k, 0) for k in keep},
                "set_aside": e.get("set_aside", 0),
                "cleaned": e.get("cleaned", 0),
                "balanced": e["balanced"],
            }
            for e in record["entities"]
        },
    }


def _entry_name(record: dict[str, Any]) -> str:
    started = record["started"] or record["finished"]
    stamp = datetime.fromisoformat(started).astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}__{record['folder'].replace('/', '__')}.json"


def read_index(tenant: str, limit: int = INDEX_RUNS) -> list[dict[str, Any]]:
    """The tenant's last ``limit`` runs, newest first."""
    runs = reports_root() / safe_part(tenant) / "_runs"
    if not runs.exists():
        return []
    names = sorted((p.name for p in runs.iterdir() if p.name.endswith(".json")), reverse=True)
    return [read_json(runs / name) for name in names[:limit]]


def run_folder(tenant: str, dag_folder: str, run_folder_name: str) -> Any:
    return reports_root() / safe_part(tenant) / safe_part(dag_folder) / safe_part(run_folder_name)


def read_run(folder: Any) -> dict[str, Any] | None:
    path = folder / "run.json"
    return read_json(path) if path.exists() else None


def read_quarantine(folder: Any, entity: str) -> pd.DataFrame:
    import pandas as pd

    path = folder / f"quarantine_{safe_part(entity)}.csv"
    if not path.exists():
        return pd.DataFrame(columns=["key", "reason", "column", "value"])
    with path.open("r") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def prune(tenant: str, keep_days: int, now: datetime | None = None) -> int:
    """Remove the tenant's runs that started more than ``keep_days`` ago (their folders and
    index entries); returns how many. The start stamp in each entry's name decides, so the
    index is listed once and no run folder is read."""
    runs = reports_root() / safe_part(tenant) / "_runs"
    if keep_days <= 0 or not runs.exists():
        return 0
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=keep_days)).strftime("%Y%m%dT%H%M%S")
    removed = 0
    for entry in sorted(runs.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json") or entry.name[:15] >= cutoff:
            continue
        folder = read_json(entry).get("folder")
        if folder:
            for root in (reports_root(), staging_root()):
                _remove(root / safe_part(tenant) / folder)
        entry.unlink()
        removed += 1
    return removed


def _remove(path: Any) -> None:
    if path.exists():
        path.rmdir(recursive=True)


def publish(meta: RunMeta, keep_days: int = 0) -> dict[str, Any]:
    """Write the run's record, its page, its index entry and the tenant's index page; remove
    the staging of a successful run and the runs older than ``keep_days``."""
    from bo_oscommerce.console.sources import SUMMARY, summary
    from bo_oscommerce.reports.pages import index_page, run_page

    record = collect(meta)
    folder = report_dir(meta.tenant, meta.run_key)
    write_json(folder / "run.json", record)
    quarantines = {e["entity"]: read_quarantine(folder, e["entity"]) for e in record["entities"]}
    page = write_text(folder / "report.html", run_page(record, quarantines))
    tenant_root = reports_root() / safe_part(meta.tenant)
    write_json(tenant_root / "_runs" / _entry_name(record), index_entry(record))
    if record["state"] == "success":  # a failed run keeps them: a cleared task may need them
        _remove(staging_dir(meta.tenant, meta.run_key))
    removed = prune(meta.tenant, keep_days)
    if removed:
        log.info(
            "tenant %r: %d report(s) older than %d days removed", meta.tenant, removed, keep_days
        )
    runs = read_index(meta.tenant)
    write_text(tenant_root / "index.html", index_page(meta.tenant, meta.tenant_name, runs))
    write_json(tenant_root / SUMMARY, summary(meta.tenant, runs))
    log.info("tenant %r: report of %s written to %s", meta.tenant, meta.run_key, page)
    return record
