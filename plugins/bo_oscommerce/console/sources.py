"""Where the console's facts come from: Airflow's metadata database (runs, paused flags) and
the reports location (set-aside counts, connection-test failures). Reads only."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bo_oscommerce.console.views import DagState, LastRun, connection_failure
from bo_oscommerce.staging import read_json, reports_root, safe_part

INDEX_RUNS = 30  # newest report entries per tenant (trend, last connection failure)
SUMMARY = "_console.json"  # per tenant, beside its index


def dag_states(dag_ids: Iterable[str]) -> dict[str, DagState]:
    """Each DAG's paused flag and newest run: two queries for every tenant together."""
    import sqlalchemy as sa
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    wanted = sorted(set(dag_ids))
    newest = (
        sa.select(DagRun.dag_id, sa.func.max(DagRun.id).label("id"))
        .where(DagRun.dag_id.in_(wanted))
        .group_by(DagRun.dag_id)
        .subquery()
    )
    with create_session() as session:
        paused = dict(
            session.execute(
                sa.select(DagModel.dag_id, DagModel.is_paused).where(
                    DagModel.dag_id.in_(wanted), DagModel.is_stale.is_(False)
                )
            ).all()
        )
        runs = session.execute(
            sa.select(
                DagRun.dag_id, DagRun.run_id, DagRun._state, DagRun.run_type,
                DagRun.start_date, DagRun.end_date, DagRun.run_after,
            ).join(newest, DagRun.id == newest.c.id)
        ).all()  # fmt: skip
    last = {
        dag_id: LastRun(run_id, str(state or "queued"), str(run_type), end or start or after)
        for dag_id, run_id, state, run_type, start, end, after in runs
    }
    return {
        dag_id: DagState(dag_id, dag_id in paused, bool(paused.get(dag_id)), last.get(dag_id))
        for dag_id in wanted
    }


def summary(tenant: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """What the console needs of a tenant's newest runs (newest first): written next to the
    tenant's index by each report task (``record.publish``), so a console page reads one
    small file per tenant, not its last 30 entries."""
    kept = [
        {**{k: run.get(k) for k in ("started", "finished", "kind", "folder", "shop")},
         "stopped_at": run.get("stopped_at", []),
         "entities": {e: {"set_aside": int(c.get("set_aside", 0))}
                      for e, c in run.get("entities", {}).items()}}
        for run in runs[:INDEX_RUNS]
    ]  # fmt: skip
    failed = connection_failure(kept)
    return {"runs": kept, "connection_message": stop_message(tenant, failed) if failed else None}


class RecentRuns:
    """A tenant's newest runs and the message of its newest connection-test failure: from
    its summary file, else (reports written before there were summaries) from its newest
    index entries, read again only when its run list changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {}

    def __call__(self, tenant: str) -> tuple[list[dict[str, Any]], str | None]:
        root = reports_root() / safe_part(tenant)
        try:
            found = read_json(root / SUMMARY)
            return found["runs"], found.get("connection_message")
        except FileNotFoundError:
            pass
        folder = root / "_runs"
        if not folder.exists():
            return [], None
        names = sorted((p.name for p in folder.iterdir() if p.name.endswith(".json")),
                       reverse=True)[:INDEX_RUNS]  # fmt: skip
        key = tuple(names)
        with self._lock:
            seen = self._seen.get(tenant)
        if seen is not None and seen[0] == key:
            return seen[1], None
        runs = [read_json(folder / name) for name in names]
        with self._lock:
            self._seen[tenant] = (key, runs)
        return runs, None


def stop_message(tenant: str, run: dict[str, Any], task: str = "check_connections") -> str:
    """Why a run stopped at ``task``, from its record: the connection test's failed checks,
    else the error's first lines."""
    path = reports_root() / safe_part(tenant) / run["folder"] / "run.json"
    try:
        record = read_json(path)
    except (OSError, ValueError):
        return "(the run's record is gone)"
    for stop in record.get("stopped", []):
        if stop.get("task") == task:
            lines = [line.strip() for line in str(stop.get("error", "")).splitlines()]
            failed = [line for line in lines if line.startswith("FAIL")]
            return "\n".join((failed or lines)[:3])
    return ""


def age(since: datetime | None, now: datetime) -> str:
    """'3 min ago' and the like."""
    if since is None:
        return ""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"
