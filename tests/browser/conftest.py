"""Browser tests: real DAG runs write reports, a real Airflow API server serves them through
the plugin, and headless Chromium reads them as a logged-in reviewer would."""

from __future__ import annotations

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.browser.cdp import Browser
from tests.conftest import (
    _drop_database,
    _new_database,
    add_german_language,
    load_dump,
    load_upstream_sql,
)
from tests.dags.conftest import DAG_FILE, TENANTS_YAML

from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

REPO = Path(__file__).resolve().parents[2]
REVIEWER, PASSWORD = "reviewer", "review-pass-4711"
# role op; "gamma-only" may see and start only gamma's DAGs (tests/browser/tenant_auth.py)
OPERATOR, GAMMA_ONLY = "operator", "gamma-only"
ORDERS_DUMP = REPO.parent / "shared" / "oscommerce" / "shop-with-orders.sql"
# gamma: a shop whose orders BO has none of yet (its own BO, nothing synced)
GAMMA_YAML = """  gamma:
    name: Gamma OHG
    bo_conn_id: bo_gamma
    shop_conn_id: shop_gamma
"""


@dataclass
class Reported:
    """The tenant ``alpha`` after three runs: catalog (rows set aside), catalog stopped by its
    connection test, stock; ``gamma``, a shop with orders waiting, never run; beta (its
    connections undefined), broken (invalid) and sleeping (inactive) from the tenants file."""

    reports: Path
    shop: sa.Engine
    gamma_shop: sa.Engine
    runs: dict[str, Any]  # "catalog", "failed", "stock" -> DagRun
    env: dict[str, str]
    products_before: int  # the upstream shop's own sample products


def _dag(dag_id: str) -> Any:
    return runpy.run_path(str(DAG_FILE))[dag_id]


@pytest.fixture(scope="module")
def reported(mariadb_server, airflow_db, tmp_path_factory) -> Iterator[Reported]:
    tmp = tmp_path_factory.mktemp("reported")
    database = _new_database(mariadb_server)
    shop = sa.create_engine(mariadb_server.url(database))
    load_upstream_sql(mariadb_server, database)
    with shop.begin() as conn:
        add_german_language(conn)
    bo_path = tmp / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    generate(bo, articles=60)
    with bo.begin() as conn:  # upstream shops have tax class 1 only
        conn.execute(sa.text("UPDATE umsatzsteuer SET osc_tax_class_id = 1 WHERE ust_schluessel = '2'"))
    gamma_database = _new_database(mariadb_server)
    load_dump(mariadb_server, gamma_database, ORDERS_DUMP)
    gamma_shop = sa.create_engine(mariadb_server.url(gamma_database))
    create_reference_schema(sa.create_engine(f"sqlite:///{tmp / 'bo_gamma.db'}"))
    (tmp / "tenants.yaml").write_text(TENANTS_YAML + GAMMA_YAML)
    shop_url = f"mysql://root@127.0.0.1:3306/{database}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BO_OSC_TENANTS_FILE", str(tmp / "tenants.yaml"))
        mp.setenv("AIRFLOW_CONN_BO_ALPHA", f"sqlite:///{bo_path}")
        mp.setenv("AIRFLOW_CONN_SHOP_ALPHA", shop_url)
        mp.setenv("AIRFLOW_CONN_BO_GAMMA", f"sqlite:///{tmp / 'bo_gamma.db'}")
        mp.setenv("AIRFLOW_CONN_SHOP_GAMMA", f"mysql://root@127.0.0.1:3306/{gamma_database}")
        mp.setenv("BO_OSC_STAGING_URL", (tmp / "staging").as_uri())
        mp.setenv("BO_OSC_REPORTS_URL", (tmp / "reports").as_uri())
        engine_for.cache_clear()
        with shop.connect() as conn:
            before = conn.execute(sa.text("SELECT COUNT(*) FROM products")).scalar_one()
        runs = {"catalog": _dag("bo_osc_alpha_catalog").test()}
        mp.setenv("AIRFLOW_CONN_SHOP_ALPHA", f"{shop_url}_missing")
        engine_for.cache_clear()
        runs["failed"] = _dag("bo_osc_alpha_catalog").test()
        mp.setenv("AIRFLOW_CONN_SHOP_ALPHA", shop_url)
        engine_for.cache_clear()
        runs["stock"] = _dag("bo_osc_alpha_stock").test()
        env = dict(os.environ)
        try:
            yield Reported(tmp / "reports", shop, gamma_shop, runs, env, before)
        finally:
            engine_for.cache_clear()
            bo.dispose()
            shop.dispose()
            gamma_shop.dispose()
            _drop_database(mariadb_server, database)
            _drop_database(mariadb_server, gamma_database)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AirflowWeb:
    url: str
    token: str  # the reviewer's (role viewer)
    tokens: dict[str, str]  # user -> token, every user

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Status, final URL and body of a GET without following redirects."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("location", ""), exc.read().decode()


@pytest.fixture(scope="module")
def airflow_web(reported, tmp_path_factory) -> Iterator[AirflowWeb]:
    """``airflow api-server`` with our plugin; users: the reviewer (viewer), an operator (op)
    and gamma-only (op, gamma's DAGs only), through ``tenant_auth.TenantAuthManager``."""
    tmp = tmp_path_factory.mktemp("api")
    users = {REVIEWER: "viewer", OPERATOR: "op", GAMMA_ONLY: "op"}
    (tmp / "passwords.json").write_text(json.dumps({user: PASSWORD for user in users}))
    port = _free_port()
    env = {
        **reported.env,
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO)]),
        "AIRFLOW__CORE__AUTH_MANAGER": "tests.browser.tenant_auth.TenantAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in users.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "browser-test-secret",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (tmp / "api-server.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "airflow"), "api-server", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, tmp / "api-server.log")
        tokens = {user: _token(url, user) for user in users}
        yield AirflowWeb(url, tokens[REVIEWER], tokens)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _token(url: str, user: str) -> str:
    request = urllib.request.Request(
        f"{url}/auth/token",
        data=json.dumps({"username": user, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["access_token"]


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    end = time.monotonic() + 180
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"airflow api-server exited:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"airflow api-server did not come up:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chrome = Browser()
    try:
        yield chrome
    finally:
        chrome.close()
