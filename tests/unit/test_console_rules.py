"""The console's rules: what needs attention, in which order, and what the page says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bo_oscommerce.console.page import console_page
from bo_oscommerce.console.sources import age
from bo_oscommerce.console.views import (
    SHOWN_KINDS,
    ConnectionFailure,
    DagState,
    LastRun,
    TenantView,
    Waiting,
    connection_failure,
    from_index,
    judge,
    ordered,
    shop_of,
)

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def _dags(tenant: str, state: str = "success", paused: bool = False) -> dict[str, DagState]:
    return {
        kind: DagState(f"bo_osc_{tenant}_{kind}", True, paused,
                       LastRun("scheduled__x", state, "scheduled", NOW - timedelta(minutes=3)))
        for kind in SHOWN_KINDS
    }  # fmt: skip


def _view(tenant: str, **kw) -> TenantView:
    kw.setdefault("dags", _dags(tenant))
    kw.setdefault("waiting", Waiting(0, "", NOW))
    return judge(TenantView(tenant, tenant, kw.pop("status", "active"), **kw))


def _entry(stopped: list[str], **set_aside: int) -> dict:
    return {"stopped_at": stopped, "entities": {e: {"set_aside": n} for e, n in set_aside.items()}}


def test_set_aside_trend_and_orders_from_the_newest_runs():
    runs = [_entry([], stock=0), _entry([], products=5, orders=2), _entry([], products=3),
            _entry([], products=9, orders=0)]  # fmt: skip
    set_aside, orders = from_index(runs)
    assert (set_aside["products"].now, set_aside["products"].before) == (5, 3)
    assert set_aside["products"].trend == "worse"
    assert (set_aside["orders"].now, set_aside["orders"].trend) == (2, "worse")
    assert set_aside["stock"].trend == "first run"
    assert orders == 2
    assert from_index([]) == ({}, None)


def test_connection_failure_and_whether_a_later_run_passed():
    assert connection_failure([_entry([]), _entry(["import"])]) is None
    failed = connection_failure([_entry(["check_connections"]), _entry([])])
    assert failed is not None and failed["passed_since"] is False
    earlier = connection_failure([_entry(["import"]), _entry(["check_connections"])])
    assert earlier is not None and earlier["passed_since"] is True


def test_what_needs_attention():
    assert _view("calm").attention == [] and _view("calm").rank == 2
    failed = _view("f", dags={**_dags("f"), "orders": _dags("f", "failed")["orders"]})
    assert failed.attention == [(0, "last orders run failed")]
    unreachable = _view("u", waiting=Waiting(None, "Can't connect to MySQL server", NOW))
    assert unreachable.attention == [(0, "new orders not countable: Can't connect to MySQL server")]
    counting = _view("c", waiting=Waiting(None, "still counting", pending=True))
    assert counting.attention == []
    paused = _view("p", dags=_dags("p", paused=True), waiting=Waiting(4, "", NOW))
    assert paused.attention == [(0, "4 new order(s) wait, the orders DAG is paused")]
    quiet_paused = _view("q", dags=_dags("q", paused=True))
    assert quiet_paused.attention == [(1, "paused: catalog, stock, customers, orders")]
    aside = _view("a", orders_set_aside=3, set_aside=from_index([_entry([], products=4), _entry([], products=1)])[0])
    assert aside.attention == [(1, "3 order(s) set aside"), (1, "more rows set aside: products 1 → 4")]
    conn = _view("k", connection=ConnectionFailure("t", "orders", "FAIL shop", passed_since=False))
    assert (0, "connection test failing") in conn.attention
    gone = _view("g", dags={**_dags("g"), "stock": DagState("bo_osc_g_stock", False, False, None)})
    assert gone.attention == [(0, "stock DAG not loaded by Airflow")]
    invalid = judge(TenantView("i", "i", "invalid", "field 'x': bad"))
    assert invalid.rank == 0 and invalid.attention[0][1].startswith("settings invalid")
    assert judge(TenantView("s", "s", "inactive")).rank == 3


def test_problems_first_then_warnings_then_fine_then_inactive():
    views = [
        judge(TenantView("z-sleeping", "z", "inactive")),
        _view("b-calm"),
        _view("a-warned", orders_set_aside=1),
        _view("c-failed", dags=_dags("c-failed", "failed")),
        _view("d-one-failure", dags={**_dags("d"), "stock": _dags("d", "failed")["stock"]}),
    ]
    assert [v.tenant for v in ordered(views)] == [
        "c-failed", "d-one-failure", "a-warned", "b-calm", "z-sleeping"
    ]


def test_age_reads_like_a_person_would_say_it():
    assert age(NOW - timedelta(seconds=42), NOW) == "42 s ago"
    assert age(NOW - timedelta(minutes=61), NOW) == "1 h ago"
    assert age(NOW - timedelta(days=3, hours=2), NOW) == "3 d ago"
    assert age(None, NOW) == ""


def test_page_escapes_what_it_shows_and_offers_buttons_only_where_allowed():
    hostile = _view("alpha", waiting=Waiting(None, "<script>alert(1)</script>", NOW))
    hostile.name = "Müller & <Söhne>"
    allowed = _view("beta", waiting=Waiting(2, "", NOW))
    allowed.triggerable = frozenset({"orders", "catalog"})
    html = console_page(ordered([hostile, allowed]), NOW, "/")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "Müller &amp; &lt;Söhne&gt;" in html
    alpha_row = html[html.index('data-tenant="alpha"'):html.index('data-tenant="beta"')]
    assert "button" not in alpha_row  # hostile sorts first: a problem
    beta_row = html[html.index('data-tenant="beta"'):]
    assert 'data-dag="bo_osc_beta_orders" data-conf=\'{&quot;criteria&quot;: [&quot;import&quot;]}\'' in beta_row
    assert 'data-conf=\'{&quot;entities&quot;: []}\'>Test connection' in beta_row
    assert 'data-count="2"' in beta_row
    assert 'data-airflow-root="/"' in html


def test_the_summary_a_report_task_writes_says_what_the_entries_say(tmp_path, monkeypatch):
    """The console reads one summary file per tenant; reports from before there were
    summaries are read entry by entry, with the same result."""
    import json

    from bo_oscommerce.console.sources import SUMMARY, RecentRuns, summary

    monkeypatch.setenv("BO_OSC_REPORTS_URL", tmp_path.as_uri())
    runs_dir = tmp_path / "alpha" / "_runs"
    runs_dir.mkdir(parents=True)
    newest_first = [
        {"started": "2026-12-04T07:00:00+00:00", "kind": "orders", "folder": "o/r3", "stopped_at": [],
         "entities": {"orders": {"extracted": 4, "set_aside": 1}}, "state": "success",
         "shop": "CE Phoenix Cart 1.1"},
        {"started": "2026-12-04T06:00:00+00:00", "kind": "catalog", "folder": "c/r2",
         "stopped_at": ["check_connections"], "entities": {}, "state": "failed"},
        {"started": "2026-12-04T05:00:00+00:00", "kind": "catalog", "folder": "c/r1", "stopped_at": [],
         "entities": {"products": {"extracted": 9, "set_aside": 2}}, "state": "success"},
    ]
    for n, run in enumerate(newest_first):
        (runs_dir / f"2026120{4 - n}T000000__x.json").write_text(json.dumps(run))
    (tmp_path / "alpha" / "c" / "r2").mkdir(parents=True)
    (tmp_path / "alpha" / "c" / "r2" / "run.json").write_text(json.dumps({"stopped": [
        {"task": "check_connections", "error": "tenant 'alpha': 1 problem(s)\n  ok   BO\n  FAIL shop: refused"}
    ]}))  # fmt: skip
    from_entries, message = RecentRuns()("alpha")
    assert message is None and [r["folder"] for r in from_entries] == ["o/r3", "c/r2", "c/r1"]
    (tmp_path / "alpha" / SUMMARY).write_text(json.dumps(summary("alpha", newest_first)))
    from_summary, message = RecentRuns()("alpha")
    assert message == "FAIL shop: refused"
    assert from_index(from_summary) == from_index(from_entries)
    assert from_index(from_summary)[1] == 1
    failed = connection_failure(from_summary)
    assert failed is not None and failed["folder"] == "c/r2" and failed["passed_since"] is True
    assert connection_failure(from_entries)["folder"] == "c/r2"
    # the shop flavour the newest run found, shown under the tenant's status
    assert shop_of(from_summary) == shop_of(from_entries) == "CE Phoenix Cart 1.1"
    assert shop_of(from_summary[1:]) is None  # runs that never reached the shop say nothing
    view = TenantView("alpha", "alpha", "active", shop=shop_of(from_summary))
    assert '<div class="muted shop">CE Phoenix Cart 1.1</div>' in console_page([view], NOW, "/")


def test_a_scheduled_dag_that_missed_two_runs_is_overdue():
    def late(minutes: int, state: str = "success", paused: bool = False) -> list:
        dags = _dags("late", paused=paused)
        dags["orders"] = DagState("bo_osc_late_orders", True, paused,
                                  LastRun("r", state, "scheduled", NOW - timedelta(minutes=minutes)))
        view = TenantView("late", "late", "active", dags=dags, waiting=Waiting(0, "", NOW),
                          schedules={"orders": "@hourly"})
        return judge(view, NOW).attention

    # NOW is 08:00: one missed fire (07:00) is tolerated, two (06:00 and 07:00) are not
    assert late(50) == [] and late(119) == []
    assert late(121) == [(1, "no orders run since 2026-12-04 06:00 UTC (@hourly)")]
    assert late(300, state="running") == []
    assert late(300, paused=True) == [(1, "paused: catalog, stock, customers, orders")]


def test_the_console_knows_every_dag_a_tenant_can_have():
    from bo_oscommerce.config import parse_config
    from bo_oscommerce.console.build import tenant_dag_ids
    from bo_oscommerce.dag_factory import KINDS, dag_ids

    settings = parse_config({"tenants": {"acme": {"bo_conn_id": "b", "shop_conn_id": "s"}}}).get("acme")
    assert set(dag_ids(settings).values()) <= set(tenant_dag_ids("acme").values())
    assert set(KINDS) | {"inactive", "invalid"} == set(tenant_dag_ids("acme"))
