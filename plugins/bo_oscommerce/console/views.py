"""What the console says about one tenant, and which tenants need attention first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# the DAGs a console row shows (the reset DAG is for one record at a time)
SHOWN_KINDS = ("catalog", "stock", "customers", "orders")
PROBLEM, WARNING, FINE, IDLE = range(4)  # attention ranks, most urgent first
RANK_NAMES = {PROBLEM: "problem", WARNING: "warning", FINE: "fine", IDLE: "idle"}


@dataclass(frozen=True)
class LastRun:
    """A DAG's newest run as Airflow's metadata database has it."""

    run_id: str
    state: str  # queued, running, success, failed
    run_type: str
    since: datetime | None  # end, else start, else when it was due


@dataclass(frozen=True)
class DagState:
    dag_id: str
    known: bool  # Airflow has parsed it
    paused: bool
    last: LastRun | None


@dataclass(frozen=True)
class Waiting:
    """New shop orders waiting for the import, counted live; ``count`` None: unknown."""

    count: int | None
    problem: str = ""  # why unknown
    counted_at: datetime | None = None
    pending: bool = False  # the first count is still running: not a problem yet


@dataclass(frozen=True)
class ConnectionFailure:
    at: str
    kind: str
    message: str
    passed_since: bool  # a later run of the tenant passed its connection test


@dataclass(frozen=True)
class SetAside:
    now: int
    before: int | None  # the entity's run before; None: its first run

    @property
    def trend(self) -> str:
        if self.before is None:
            return "first run"
        if self.now > self.before:
            return "worse"
        return "better" if self.now < self.before else "unchanged"


@dataclass
class TenantView:
    """One row of the console."""

    tenant: str
    name: str
    status: str  # active, inactive, invalid
    reason: str = ""  # why inactive or invalid
    dags: dict[str, DagState] = field(default_factory=dict)  # kind -> state
    waiting: Waiting | None = None
    orders_set_aside: int | None = None
    set_aside: dict[str, SetAside] = field(default_factory=dict)  # entity -> newest counts
    connection: ConnectionFailure | None = None
    triggerable: frozenset[str] = frozenset()  # kinds whose runs this user may start
    schedules: dict[str, str] = field(default_factory=dict)  # kind -> cron, where scheduled
    attention: list[tuple[int, str]] = field(default_factory=list)
    shop: str | None = None  # the shop flavour its newest runs found (shop/flavour.py)

    @property
    def rank(self) -> int:
        return min((rank for rank, _ in self.attention), default=IDLE if self.idle else FINE)

    @property
    def idle(self) -> bool:
        return self.status == "inactive"


def shop_of(runs: list[dict[str, Any]]) -> str | None:
    """The shop flavour the newest run that reached the shop found (newest first)."""
    return next((run["shop"] for run in runs if run.get("shop")), None)


def from_index(runs: list[dict[str, Any]]) -> tuple[dict[str, SetAside], int | None]:
    """Per entity its newest set-aside count against its run before, and the orders set
    aside by the newest run that judged orders, from a tenant's report index (newest first)."""
    counts: dict[str, list[int]] = {}
    for run in runs:
        for entity, numbers in run["entities"].items():
            if len(counts.setdefault(entity, [])) < 2:
                counts[entity].append(int(numbers.get("set_aside", 0)))
    set_aside = {
        entity: SetAside(values[0], values[1] if len(values) > 1 else None)
        for entity, values in sorted(counts.items())
    }
    orders = set_aside.get("orders")
    return set_aside, orders.now if orders else None


def connection_failure(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest run of the index that stopped at its connection test, and whether a run
    after it passed the test (``passed_since``)."""
    for position, run in enumerate(runs):
        if "check_connections" in run.get("stopped_at", []):
            later = runs[:position]
            passed = any("check_connections" not in r.get("stopped_at", []) for r in later)
            return {**run, "passed_since": passed}
    return None


def overdue(cron: str, last: LastRun | None, now: datetime) -> datetime | None:
    """The schedule's fire time before last if the DAG's newest run is older than it: two
    scheduled runs missed (the scheduler down, the DAG stuck); None when all is well."""
    from croniter import croniter

    if last is None or last.since is None or last.state in ("queued", "running"):
        return None
    fires = croniter(cron, now)
    fires.get_prev(datetime)
    second = fires.get_prev(datetime)
    return second if last.since < second else None


def judge(view: TenantView, now: datetime | None = None) -> TenantView:
    """Fill ``view.attention``: what an operator should look at, most urgent first."""
    notes: list[tuple[int, str]] = []
    if view.status == "invalid":
        notes.append((PROBLEM, "settings invalid: nothing of this tenant is synced"))
    if view.status != "active":
        view.attention = notes
        return view
    for kind, dag in view.dags.items():
        if not dag.known:
            notes.append((PROBLEM, f"{kind} DAG not loaded by Airflow"))
        elif dag.last is not None and dag.last.state == "failed":
            notes.append((PROBLEM, f"last {kind} run failed"))
    if view.connection and not view.connection.passed_since:
        notes.append((PROBLEM, "connection test failing"))
    waiting = view.waiting
    if waiting is not None and waiting.count is None and not waiting.pending:
        notes.append((PROBLEM, "new orders not countable: " + waiting.problem.splitlines()[0]))
    paused = [kind for kind, dag in view.dags.items() if dag.known and dag.paused]
    orders = view.dags.get("orders")
    if waiting is not None and waiting.count and orders is not None and orders.paused:
        notes.append((PROBLEM, f"{waiting.count} new order(s) wait, the orders DAG is paused"))
    elif paused:
        notes.append((WARNING, "paused: " + ", ".join(paused)))
    for kind, cron in view.schedules.items():
        dag = view.dags.get(kind)
        missed = None if now is None or dag is None or dag.paused else overdue(cron, dag.last, now)
        if missed is not None:
            notes.append((WARNING, f"no {kind} run since {missed:%Y-%m-%d %H:%M} UTC ({cron})"))
    if view.orders_set_aside:
        notes.append((WARNING, f"{view.orders_set_aside} order(s) set aside"))
    worse = [f"{e} {s.before} → {s.now}" for e, s in view.set_aside.items() if s.trend == "worse"]
    if worse:
        notes.append((WARNING, "more rows set aside: " + ", ".join(worse)))
    view.attention = sorted(notes, key=lambda note: note[0])
    return view


def ordered(views: list[TenantView]) -> list[TenantView]:
    """Problems first, then warnings, then the tenants that are fine, inactive ones last;
    within a rank the tenant with more to look at first."""
    return sorted(views, key=lambda v: (v.rank, -len(v.attention), v.tenant))
