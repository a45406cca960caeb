"""Neukunden holen, exactly once: two runs in two processes at the same moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.integration.conftest import rows

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
RUN = """
import json, sys
from datetime import datetime
import sqlalchemy as sa
from bo_oscommerce.config import parse_config
from bo_oscommerce.connections import Endpoint, create_engine_for
from bo_oscommerce.sync.customers import sync_customers_from_shop
from bo_oscommerce.sync.run import Run

bo_url, shop_url, key = sys.argv[1:4]
tenant = parse_config({"tenants": {"it": {"bo_conn_id": "b", "shop_conn_id": "s"}}}).get("it")
run = Run(
    tenant,
    create_engine_for(Endpoint("b", sa.make_url(bo_url))),
    create_engine_for(Endpoint("s", sa.make_url(shop_url))),
    f"race/{key}",
    datetime(2026, 11, 27, 12, 0, 0),
)
report = sync_customers_from_shop(run)
print(json.dumps({**report.counts(), "notes": report.notes}))
"""


def _start(bo_url: str, shop_url: str, key: str, tmp_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "plugins"),
        "BO_OSC_STAGING_URL": (tmp_path / f"staging-{key}").as_uri(),
        "BO_OSC_REPORTS_URL": (tmp_path / f"reports-{key}").as_uri(),
    }
    return subprocess.Popen(
        [sys.executable, "-c", RUN, bo_url, shop_url, key],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waiting(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")
        ).scalar_one()


def test_two_runs_at_once_import_every_shop_customer_once(bo_mariadb, orders_shop, tmp_path):
    bo = bo_mariadb
    bo_url = bo.url.render_as_string(hide_password=False)
    shop_url = orders_shop.url
    # hold BO's number range, so that both runs reach the import before either can finish it
    holder = bo.connect()
    transaction = holder.begin()
    holder.execute(sa.text("SELECT letzte_nr FROM nummernkreis WHERE name = 'adresse' FOR UPDATE"))
    runs = [_start(bo_url, shop_url, key, tmp_path) for key in ("a", "b")]
    try:
        deadline = time.monotonic() + 120
        while _waiting(bo) < 2:
            assert all(p.poll() is None for p in runs), [p.communicate() for p in runs]
            assert time.monotonic() < deadline, "both runs never reached the import"
            time.sleep(0.2)
    finally:
        transaction.commit()
        holder.close()
    results = []
    for process in runs:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    linked = rows(bo, "SELECT osc_customers_id, COUNT(*) FROM gespraechspartner "
                      "WHERE osc_customers_id IS NOT NULL GROUP BY osc_customers_id ORDER BY 1")
    assert linked == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)]
    assert rows(bo, "SELECT gp_id FROM gespraechspartner WHERE osc_customers_id = 4") == [(2,)]
    assert sorted(r["inserted"] for r in results) == [0, 4]
    assert sorted(r["updated"] for r in results) == [0, 1]  # Matthias linked once
    loser = next(r for r in results if r["inserted"] == 0)
    assert any("imported by another run at the same time" in n for n in loser["notes"])
    assert rows(bo, "SELECT COUNT(*) FROM adresse WHERE adress_nr > 900010") == [(4,)]
