"""What a reviewer sees in a real browser, through Airflow's API server and our plugin."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from bo_oscommerce.staging import safe_part

pytestmark = [pytest.mark.dags, pytest.mark.integration, pytest.mark.browser]

COUNTS = ("extracted", "inserted", "updated", "unchanged", "hidden", "kept_out", "set_aside", "cleaned")


def _folder(reported, key: str) -> Path:
    run = reported.runs[key]
    return reported.reports / "alpha" / run.dag_id / safe_part(run.run_id)


def _summaries(folder: Path) -> dict[str, dict]:
    return {
        p.stem.removeprefix("summary_"): json.loads(p.read_text())
        for p in folder.glob("summary_*.json")
    }


def _logged_in(browser, airflow_web):
    page = browser.page()
    page.set_cookie("_token", airflow_web.token, airflow_web.url)
    return page


def _report_url(airflow_web, reported, key: str) -> str:
    run = reported.runs[key]
    return f"{airflow_web.url}/bo-osc-reports/alpha/{run.dag_id}/{safe_part(run.run_id)}/report.html"


def test_reports_need_an_airflow_login(airflow_web, reported):
    path = f"/bo-osc-reports/alpha/{reported.runs['catalog'].dag_id}/{safe_part(reported.runs['catalog'].run_id)}/report.html"
    status, _, body = airflow_web.get(path)
    assert status == 401 and "Data-quality report" not in body
    status, location, _ = airflow_web.get(path, {"accept": "text/html"})
    assert status == 307 and "/auth/login" in location
    status, _, body = airflow_web.get(path, {"authorization": "Bearer not-a-token"})
    assert status in (401, 403) and "Data-quality report" not in body
    status, _, body = airflow_web.get(path, {"authorization": f"Bearer {airflow_web.token}"})
    assert status == 200 and "Data-quality report" in body
    status, _, _ = airflow_web.get(
        "/bo-osc-reports/alpha/..%2F..%2Fetc/x/run.json", {"authorization": f"Bearer {airflow_web.token}"}
    )
    assert status == 404


def test_run_page_shows_counts_reasons_examples_and_sums(browser, airflow_web, reported):
    folder = _folder(reported, "catalog")
    summaries = _summaries(folder)
    assert summaries["products"]["set_aside"] > 0, "the demo data holds bad articles"
    page = _logged_in(browser, airflow_web)
    page.goto(_report_url(airflow_web, reported, "catalog"))
    assert page.eval("document.querySelector('h1').innerText") == "Data-quality report: bo_osc_alpha_catalog"
    meta = page.eval("document.querySelector('table.meta').innerText")
    assert "alpha" in meta and reported.runs["catalog"].run_id in meta
    assert page.eval("document.querySelector('.state').innerText") == "success"

    rows = page.eval(
        "[...document.querySelectorAll('table')[1].querySelectorAll('tbody tr')]"
        ".map(r => [...r.cells].map(c => c.innerText))"
    )
    shown = {r[0]: dict(zip(COUNTS, map(int, r[1:9]), strict=True)) for r in rows}
    assert shown == {e: {k: s[k] for k in COUNTS} for e, s in summaries.items()}

    lines = page.eval(
        "[...document.querySelectorAll('.sum-line')].map(p => [p.dataset.entity, p.className, p.innerText])"
    )
    assert {entity for entity, _, _ in lines} == set(summaries)
    for entity, css, text in lines:
        numbers = [int(n) for n in re.findall(r"(\d+) (?:extracted|inserted|updated|unchanged|hidden|kept out|set aside)", text)]
        assert numbers[0] == sum(numbers[1:]) == summaries[entity]["extracted"], text
        assert "balanced" in css.split(), text
    with (folder / "quarantine_products.csv").open() as handle:
        quarantine = list(csv.DictReader(handle))
    for reason, count in summaries["products"]["set_aside_reasons"].items():
        block = page.eval(
            "[...document.querySelectorAll('#entity-products .reason')].map(b => ({h: b.querySelector('h3').innerText,"
            " examples: [...b.querySelector('table').querySelectorAll('tbody tr')].map(r => r.cells[0].innerText),"
            " all: b.querySelectorAll('details tbody tr').length}))"
            f".find(b => b.h.startsWith({json.dumps(reason)}))"
        )
        assert block is not None, reason
        assert f"({count} row(s))" in block["h"]
        keys = [q["key"] for q in quarantine if q["reason"] == reason]
        assert block["examples"] and set(block["examples"]) <= set(keys)
        assert block["all"] == len(keys)
    for rule, keys in summaries["categories"]["cleaned_rules"].items():
        listed = page.eval(
            "[...document.querySelectorAll('#entity-categories table.cleaned tbody tr')]"
            ".map(r => [r.cells[0].innerText, r.cells[2].innerText])"
        )
        assert any(r == rule and all(k in ks for k in keys[:5]) for r, ks in listed), rule
    page.drain(0.5)
    assert page.errors == []


def test_full_list_is_one_click_away(browser, airflow_web, reported):
    page = _logged_in(browser, airflow_web)
    page.goto(_report_url(airflow_web, reported, "catalog"))
    hidden = "document.querySelector('#entity-products .reason details table').checkVisibility()"
    assert page.eval(hidden) is False
    page.eval("document.querySelector('#entity-products .reason details summary').click()")
    assert page.eval(hidden) is True
    csv_text = page.eval(
        "fetch(document.querySelector('#entity-products a[href$=\".csv\"]').href).then(r => r.text())"
    )
    assert csv_text.startswith("run,tenant,entity,key,reason")
    rows = list(csv.DictReader(csv_text.splitlines()))
    assert len({r["key"] for r in rows}) == _summaries(_folder(reported, "catalog"))["products"]["set_aside"]
    assert page.errors == []


def test_failed_run_says_where_it_stopped_and_why(browser, airflow_web, reported):
    failed = reported.runs["failed"]
    assert str(failed.state) == "failed"
    stop = json.loads((_folder(reported, "failed") / "stopped" / "check_connections.json").read_text())
    page = _logged_in(browser, airflow_web)
    page.goto(_report_url(airflow_web, reported, "failed"))
    assert page.eval("document.querySelector('.state').innerText") == "failed"
    box = page.eval("document.querySelector('.stop[data-task=check_connections]').innerText")
    assert "The connection test failed" in box
    assert "database does not exist" in box and stop["error"].splitlines()[0] in box
    assert page.eval("document.querySelectorAll('.sum-line').length") == 0
    assert page.errors == []


def test_index_lists_runs_newest_first_with_the_chart(browser, airflow_web, reported):
    page = _logged_in(browser, airflow_web)
    page.goto(f"{airflow_web.url}/bo-osc-reports/alpha/")
    runs = page.eval(
        "[...document.querySelectorAll('table.runs tbody tr')].map(r => ({started: r.cells[0].innerText,"
        " run: r.cells[2].innerText, state: r.cells[3].innerText, href: r.querySelector('a').href}))"
    )
    ours = {r.run_id: key for key, r in reported.runs.items()}
    assert [r["run"] for r in runs] == [
        r.run_id for r in sorted(reported.runs.values(), key=lambda r: r.start_date, reverse=True)
    ]
    assert [r["state"].split()[0] for r in runs] == [
        "failed" if ours[r["run"]] == "failed" else "success" for r in runs
    ]
    points = page.eval(
        "[...document.querySelectorAll('svg.chart circle.point')].map(c => [c.dataset.entity, +c.dataset.setAside])"
    )
    expected = []
    for key in sorted(reported.runs, key=lambda k: reported.runs[k].start_date):
        expected += [(e, s["set_aside"]) for e, s in _summaries(_folder(reported, key)).items()]
    assert sorted(map(tuple, points)) == sorted(expected)
    assert set(page.eval("[...document.querySelectorAll('svg.chart text.legend')].map(t => t.textContent)")) == {
        e for e, _ in expected
    }
    assert page.eval("document.querySelectorAll('li.trend').length") == len({e for e, _ in expected})
    assert page.errors == []
    for run in runs:  # every link opens its run's page
        page.eval(f"[...document.querySelectorAll('table.runs a')].find(a => a.href === {json.dumps(run['href'])}).click()")
        page.wait(f"location.href === {json.dumps(run['href'])} && document.readyState === 'complete'")
        assert run["run"] in page.eval("document.querySelector('table.meta').innerText")
        page.eval("history.back()")
        page.wait("document.querySelector('table.runs') !== null")
    assert page.errors == []


def test_reachable_from_airflow_navigation_and_the_dag_run(browser, airflow_web, reported):
    page = _logged_in(browser, airflow_web)
    page.goto(f"{airflow_web.url}/plugin/bo-osc-reports")
    frame = "document.querySelector('iframe')?.contentDocument"
    page.wait(f"{frame}?.querySelector('h1')?.innerText === \"bo-oscommerce: operator's console\"")
    assert "alpha" in page.eval(f"{frame}.body.innerText")
    run = reported.runs["catalog"]
    page.goto(f"{airflow_web.url}/dags/{run.dag_id}/runs/{run.run_id}/plugin/bo-osc-run-report")
    page.wait(f"{frame}?.querySelector('table.meta') != null")
    assert run.run_id in page.eval(f"{frame}.querySelector('table.meta').innerText")
    with reported.shop.connect() as conn:
        in_shop = conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar_one()
    inserted = page.eval(f"{frame}.querySelector('.sum-line[data-entity=products]').innerText")
    assert f" {in_shop - reported.products_before} inserted" in inserted
