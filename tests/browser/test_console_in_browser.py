"""The operator's console in a real browser, through Airflow's API server and our plugin:
tenants in different states, new orders counted in the shops, a button that starts a run
through Airflow's API, a user who may not see a tenant."""

from __future__ import annotations

import json
import urllib.request

import pytest
import sqlalchemy as sa
from tests.browser.conftest import GAMMA_ONLY, OPERATOR, ORDERS_DUMP, REVIEWER

pytestmark = [pytest.mark.dags, pytest.mark.integration, pytest.mark.browser]

CONSOLE = "/bo-osc-reports/"
ROWS = (
    "[...document.querySelectorAll('tr.tenant')].map(r => ({tenant: r.dataset.tenant,"
    " rank: r.dataset.rank, status: r.querySelector('td.status .state').innerText,"
    " attention: [...r.querySelectorAll('td.attention li')].map(l => l.innerText),"
    " dags: Object.fromEntries([...r.querySelectorAll('td.dag[data-dag]')]"
    ".map(c => [c.dataset.dag, c.dataset.state])),"
    " waiting: r.querySelector('td.waiting').dataset.count,"
    " waitingText: r.querySelector('td.waiting').innerText,"
    " connection: r.querySelector('td.connection').innerText,"
    " buttons: [...r.querySelectorAll('button.trigger')].map(b => b.innerText)}))"
)


def _console(browser, airflow_web, user: str):
    page = browser.page()
    page.set_cookie("_token", airflow_web.tokens[user], airflow_web.url)
    page.goto(airflow_web.url + CONSOLE)
    return page


def _json(airflow_web, user: str) -> dict:
    request = urllib.request.Request(
        airflow_web.url + CONSOLE + "console.json",
        headers={"authorization": f"Bearer {airflow_web.tokens[user]}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _newest_runs(dag_ids: list[str]) -> dict[str, tuple[str, str]]:
    """dag id -> (run id, state) of its newest run, read from Airflow's metadata DB."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    found = {}
    with create_session() as session:
        for dag_id in dag_ids:
            run = session.scalars(
                sa.select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc())
            ).first()
            if run is not None:
                found[dag_id] = (run.run_id, str(run.state))
    return found


def test_every_tenant_in_its_state_what_needs_attention_first(browser, airflow_web, reported):
    page = _console(browser, airflow_web, REVIEWER)
    assert page.eval("document.querySelector('h1').innerText") == "bo-oscommerce: operator's console"
    rows = {r["tenant"]: r for r in page.eval(ROWS)}
    assert set(rows) == {"alpha", "beta", "gamma", "broken", "sleeping"}

    assert rows["broken"]["status"] == "invalid" and rows["broken"]["rank"] == "problem"
    assert "price_source" in page.eval("document.querySelector('tr[data-tenant=broken] .reason').innerText")
    assert rows["sleeping"]["status"] == "inactive" and rows["sleeping"]["rank"] == "idle"

    alpha_ids = [f"bo_osc_alpha_{k}" for k in ("catalog", "stock", "customers", "orders")]
    newest = _newest_runs(alpha_ids)
    assert newest["bo_osc_alpha_catalog"] == (reported.runs["failed"].run_id, "failed")
    assert rows["alpha"]["dags"] == {d: newest[d][1] if d in newest else "none" for d in alpha_ids}
    assert "last catalog run failed" in rows["alpha"]["attention"]
    assert rows["alpha"]["rank"] == "problem"
    # the connection test failed in the catalog run, and the stock run after it passed
    assert "passed since" in rows["alpha"]["connection"]
    assert "database does not exist" in rows["alpha"]["connection"]

    # beta's connections are not defined: its new orders cannot be counted, and it says why
    assert rows["beta"]["waiting"] == "" and rows["beta"]["waitingText"] == "unknown"
    assert "bo_beta" in page.eval("document.querySelector('tr[data-tenant=beta] td.waiting').title")
    assert any(a.startswith("new orders not countable") and "'bo_beta' is not defined" in a
               for a in rows["beta"]["attention"])

    # gamma: every order of the shop waits (BO has none), counted in the shop itself
    with reported.gamma_shop.connect() as conn:
        in_shop = conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one()
    typed = json.loads(ORDERS_DUMP.with_suffix(".json").read_text())["orders"]
    assert int(rows["gamma"]["waiting"]) == in_shop == len(typed)

    ranks = [r["rank"] for r in page.eval(ROWS)]
    order = ["problem", "warning", "fine", "idle"]
    assert ranks == sorted(ranks, key=order.index), ranks
    assert page.eval("document.querySelectorAll('button.trigger').length") == 0  # a viewer
    page.drain(0.5)
    assert page.errors == []


def test_links_open_the_reports_of_the_last_runs(browser, airflow_web, reported):
    page = _console(browser, airflow_web, REVIEWER)
    failed = reported.runs["failed"]
    link = page.eval(
        "document.querySelector('tr[data-tenant=alpha] td[data-dag=bo_osc_alpha_catalog] a.report').href"
    )
    page.goto(link, wait_for="document.querySelector('table.meta') !== null")
    assert failed.run_id in page.eval("document.querySelector('table.meta').innerText")
    assert page.eval("document.querySelector('.state').innerText") == "failed"
    page.goto(airflow_web.url + CONSOLE)
    page.eval("document.querySelector('tr[data-tenant=alpha] td.who a').click()")
    page.wait("document.querySelector('table.runs') !== null")
    assert page.eval("document.querySelector('h1').innerText") == "Data-quality reports: alpha"
    assert page.errors == []


def test_a_user_sees_only_the_tenants_they_may_read(browser, airflow_web, reported):
    page = _console(browser, airflow_web, GAMMA_ONLY)
    assert [r["tenant"] for r in page.eval(ROWS)] == ["gamma"]
    assert [t["tenant"] for t in _json(airflow_web, GAMMA_ONLY)["tenants"]] == ["gamma"]
    assert {t["tenant"] for t in _json(airflow_web, OPERATOR)["tenants"]} == {
        "alpha", "beta", "gamma", "broken", "sleeping"
    }
    status, _, _ = airflow_web.get(
        f"{CONSOLE}alpha/", {"authorization": f"Bearer {airflow_web.tokens[GAMMA_ONLY]}"}
    )
    assert status == 403
    status, _, _ = airflow_web.get(CONSOLE + "console.json")
    assert status == 401
    assert page.errors == []


def test_import_orders_now_starts_a_run_as_the_logged_in_user(browser, airflow_web, reported):
    from airflow.models.dagrun import DagRun
    from airflow.models.log import Log
    from airflow.utils.session import create_session

    page = _console(browser, airflow_web, OPERATOR)
    row = "document.querySelector('tr[data-tenant=gamma]')"
    assert page.eval(f"[...{row}.querySelectorAll('button.trigger')].map(b => b.innerText)") == [
        "Import orders now", "Sync catalog now", "Test connection"
    ]
    page.eval(f"[...{row}.querySelectorAll('button.trigger')].find(b => b.innerText === 'Import orders now').click()")
    page.wait(f"{row}.querySelector('.started a.run') !== null || {row}.querySelector('.started.failed') !== null")
    assert page.eval(f"{row}.querySelector('.started.failed')") is None, page.eval(f"{row}.querySelector('.started').innerText")
    run_id = page.eval(f"{row}.querySelector('.started a.run').innerText")
    with create_session() as session:
        run = session.scalars(
            sa.select(DagRun).where(DagRun.dag_id == "bo_osc_gamma_orders", DagRun.run_id == run_id)
        ).one()
        assert run.conf == {"criteria": ["import"]}
        assert run.triggering_user_name == OPERATOR and str(run.run_type) in ("manual", "DagRunType.MANUAL")
        logged = session.scalars(
            sa.select(Log).where(Log.dag_id == "bo_osc_gamma_orders", Log.owner == OPERATOR)
        ).all()
        assert logged, "Airflow's audit log has the press"
    href = page.eval(f"{row}.querySelector('.started a.run').href")
    assert href.endswith(f"/dags/bo_osc_gamma_orders/runs/{urllib.request.quote(run_id, safe='')}")

    # the catalog's mode is the one chosen next to the button
    page.eval(f"{row}.querySelector('select.mode').value = 'full'")
    page.eval(f"[...{row}.querySelectorAll('button.trigger')].find(b => b.innerText === 'Sync catalog now').click()")
    page.wait(f"{row}.querySelector('.started a.run')?.dataset.dag === 'bo_osc_gamma_catalog'")
    catalog_run = page.eval(f"{row}.querySelector('.started a.run').innerText")
    with create_session() as session:
        run = session.scalars(
            sa.select(DagRun).where(DagRun.dag_id == "bo_osc_gamma_catalog", DagRun.run_id == catalog_run)
        ).one()
        assert run.conf == {"mode": "full"} and run.triggering_user_name == OPERATOR
    page.goto(airflow_web.url + CONSOLE)
    cell = page.eval(f"{row}.querySelector('td[data-dag=bo_osc_gamma_orders]').dataset.state")
    assert cell in ("queued", "running")
    assert page.errors == []


def test_a_user_without_permission_cannot_start_runs_of_another_tenant(airflow_web, reported):
    body = json.dumps({"logical_date": None, "conf": {"criteria": ["import"]}}).encode()
    for user, dag_id in ((GAMMA_ONLY, "bo_osc_alpha_orders"), (REVIEWER, "bo_osc_gamma_orders")):
        request = urllib.request.Request(
            f"{airflow_web.url}/api/v2/dags/{dag_id}/dagRuns",
            data=body,
            headers={"authorization": f"Bearer {airflow_web.tokens[user]}", "content-type": "application/json"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403, (user, dag_id)
