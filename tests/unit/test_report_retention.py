"""Reports and staging do not grow for ever: old runs go, a successful run's staging goes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bo_oscommerce.reports.record import RunMeta, prune, publish, read_index


@pytest.fixture
def roots(tmp_path, monkeypatch):
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    return tmp_path / "reports", tmp_path / "staging"


def _old_run(reports, staging, stamp: str, run: str) -> None:
    folder = f"bo_osc_t1_stock/{run}"
    (reports / "t1" / folder).mkdir(parents=True)
    (reports / "t1" / folder / "report.html").write_text("old")
    (staging / "t1" / folder).mkdir(parents=True)
    (staging / "t1" / folder / "bo_stock.parquet").write_bytes(b"x")
    (reports / "t1" / "_runs").mkdir(parents=True, exist_ok=True)
    entry = {"folder": folder, "run_id": run, "started": stamp, "entities": {}}
    (reports / "t1" / "_runs" / f"{stamp}__bo_osc_t1_stock__{run}.json").write_text(json.dumps(entry))


def test_runs_older_than_the_retention_go_with_their_staging(roots):
    reports, staging = roots
    _old_run(reports, staging, "20260801T100000", "old")
    _old_run(reports, staging, "20261120T100000", "recent")
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert prune("t1", 90, now) == 1
    assert not (reports / "t1" / "bo_osc_t1_stock" / "old").exists()
    assert not (staging / "t1" / "bo_osc_t1_stock" / "old").exists()
    assert (reports / "t1" / "bo_osc_t1_stock" / "recent" / "report.html").exists()
    assert [r["run_id"] for r in read_index("t1")] == ["recent"]
    assert prune("t1", 0, now) == 0  # 0 keeps everything


def test_a_successful_runs_staging_goes_a_failed_runs_stays(roots):
    reports, staging = roots
    for run, failed in (("ok", False), ("bad", True)):
        (staging / "t1" / "bo_osc_t1_stock" / run).mkdir(parents=True)
        (staging / "t1" / "bo_osc_t1_stock" / run / "bo_stock.parquet").write_bytes(b"x")
        if failed:
            stopped = reports / "t1" / "bo_osc_t1_stock" / run / "stopped"
            stopped.mkdir(parents=True)
            (stopped / "stock.json").write_text(
                json.dumps({"task": "stock", "error": "boom", "try_number": 1, "at": "x"})
            )
        record = publish(
            RunMeta("t1", "T1", "bo_osc_t1_stock", run, "manual", datetime.now(UTC)), 90
        )
        assert record["state"] == ("failed" if failed else "success")
    assert not (staging / "t1" / "bo_osc_t1_stock" / "ok").exists()
    assert (staging / "t1" / "bo_osc_t1_stock" / "bad" / "bo_stock.parquet").exists()
    assert (reports / "t1" / "index.html").exists()
