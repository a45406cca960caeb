"""Every DAG runs with passwords on all its connections (shop, BO, SMTP), once with a wrong
shop password; none of the passwords shows up in reports, staging files, task logs or XComs."""

from __future__ import annotations

import json
import os
import runpy
import socket
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from tests.dags.conftest import DAG_FILE

from bo_oscommerce.connections import engine_for
from bo_oscommerce_fixtures.demo_bo import generate
from bo_oscommerce_fixtures.reference_bo import create_reference_schema

pytestmark = [pytest.mark.dags, pytest.mark.integration]

SHOP_PASSWORD = "Sh0p-S3cret/%:@pa55"  # characters a URI must escape
WRONG_PASSWORD = "Wr0ng-S3cret-Guess"
BO_PASSWORD = "Bo-S3cret-zz9"
SMTP_PASSWORD = "Mail-S3cret-qq7"
TENANTS = """
tenants:
  alpha:
    bo_conn_id: bo_alpha
    shop_conn_id: shop_alpha
    smtp_conn_id: smtp_alpha
    mail_from: shop@alpha.example
    shop_url: https://alpha.example/catalog/
    order_mails: {processing: true, delivered: true}
"""


def _variants(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret), json.dumps(secret)[1:-1]}


@pytest.fixture
def smtp_with_login():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received: list[bytes] = []
    logins: list[tuple[bytes, bytes]] = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append(envelope.original_content)
            return "250 OK"

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode())

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Keep(), hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield port, received, logins
    finally:
        controller.stop()


@pytest.fixture
def secret_tenant(tmp_path, monkeypatch, orders_shop, mariadb_server, smtp_with_login, airflow_db):
    user = f"osc_{uuid.uuid4().hex[:10]}"
    with mariadb_server.engine.connect() as conn:
        conn.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY :pw"), {"pw": SHOP_PASSWORD})
        conn.execute(sa.text(f"GRANT ALL ON `{orders_shop.database}`.* TO '{user}'@'%'"))
    bo_path = tmp_path / "bo.db"
    bo = sa.create_engine(f"sqlite:///{bo_path}")
    create_reference_schema(bo)
    generate(bo, articles=60)
    (tmp_path / "tenants.yaml").write_text(TENANTS)
    port, received, logins = smtp_with_login
    shop_uri = f"mysql://{user}:{quote(SHOP_PASSWORD, safe='')}@127.0.0.1:3306/{orders_shop.database}"
    monkeypatch.setenv("BO_OSC_TENANTS_FILE", str(tmp_path / "tenants.yaml"))
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_ALPHA", shop_uri)
    monkeypatch.setenv(
        "AIRFLOW_CONN_BO_ALPHA",
        json.dumps({"conn_type": "sqlite", "host": str(bo_path), "password": BO_PASSWORD}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_ALPHA",
        f"smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{port}"
        "?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=10",
    )
    monkeypatch.setenv("BO_OSC_STAGING_URL", (tmp_path / "staging").as_uri())
    monkeypatch.setenv("BO_OSC_REPORTS_URL", (tmp_path / "reports").as_uri())
    engine_for.cache_clear()
    try:
        yield tmp_path, orders_shop.engine, received, logins, shop_uri
    finally:
        engine_for.cache_clear()
        bo.dispose()
        with mariadb_server.engine.connect() as conn:
            conn.execute(sa.text(f"DROP USER '{user}'@'%'"))


def _run(dag_id: str, conf: dict | None = None):
    return runpy.run_path(str(DAG_FILE))[dag_id].test(run_conf=conf or {})


def _texts_under(folder: Path) -> dict[str, str]:
    return {
        str(p): p.read_bytes().decode("utf-8", errors="replace")
        for p in folder.rglob("*")
        if p.is_file()
    }


def _xcoms(dag_runs) -> dict[str, str]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        found = session.scalars(
            sa.select(XComModel).where(XComModel.run_id.in_([r.run_id for r in dag_runs]))
        ).all()
        return {f"xcom {x.dag_id}.{x.task_id}.{x.key}": json.dumps(x.value, default=str) for x in found}


def test_no_password_in_reports_logs_or_xcoms(secret_tenant, monkeypatch, capfd, caplog):
    tmp, shop, mails, logins, shop_uri = secret_tenant
    runs = [
        _run("bo_osc_alpha_catalog", {"mode": "full"}),
        _run("bo_osc_alpha_stock"),
        _run("bo_osc_alpha_customers"),
        _run("bo_osc_alpha_orders"),
        _run("bo_osc_alpha_reset", {"scope": "article", "key": "A-000001"}),
    ]
    assert [str(r.state) for r in runs] == ["success"] * len(runs), [r.dag_id for r in runs]
    # the passwords were really used: the shop was written, mails went through a login
    assert shop.connect().execute(sa.text("SELECT COUNT(*) FROM orders WHERE orders_status = 2")).scalar() > 0
    assert mails and logins and all(password == SMTP_PASSWORD.encode() for _, password in logins)

    monkeypatch.setenv("AIRFLOW_CONN_SHOP_ALPHA", shop_uri.replace(quote(SHOP_PASSWORD, safe=""), WRONG_PASSWORD))
    engine_for.cache_clear()
    refused = _run("bo_osc_alpha_catalog")
    assert str(refused.state) == "failed"
    runs.append(refused)
    stop = (tmp / "reports" / "alpha" / "bo_osc_alpha_catalog").glob("*/stopped/check_connections.json")
    assert "password is wrong" in next(stop).read_text()

    out, err = capfd.readouterr()
    places = {
        "task output": out + err,
        "log records": "\n".join(r.getMessage() for r in caplog.records),
        **_texts_under(tmp / "reports"),
        **_texts_under(tmp / "staging"),
        **_texts_under(Path(os.environ["AIRFLOW_HOME"]) / "logs"),
        **_xcoms(runs),
    }
    assert len(places) > 20 and any("report.html" in name for name in places)
    leaks = [
        (name, secret)
        for name, text in places.items()
        for password in (SHOP_PASSWORD, WRONG_PASSWORD, BO_PASSWORD, SMTP_PASSWORD)
        for secret in _variants(password)
        if secret in text
    ]
    assert leaks == []
