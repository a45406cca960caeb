"""The reports inside Airflow: a FastAPI app the API server mounts (see the plugin file).

Every page needs a logged-in Airflow user (the UI's session cookie or a bearer token, checked
by Airflow's own auth manager) who may read the runs of the tenant's DAGs. Pages are read from
the reports location (``BO_OSC_REPORTS_URL``), where every worker writes.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bo_oscommerce.console.live import LiveCounts
from bo_oscommerce.console.sources import RecentRuns
from bo_oscommerce.reports import record
from bo_oscommerce.staging import safe_part

URL_PREFIX = "/bo-osc-reports"
FILES = re.compile(
    r"^(report\.html|run\.json|new_orders\.json|reconciliation\.json|reset\.json|"
    r"(quarantine|summary)_[A-Za-z0-9_]+\.(csv|json))$"
)
MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
}

app = FastAPI(title="bo-oscommerce reports", docs_url=None, redoc_url=None, openapi_url=None)
LIVE = LiveCounts()  # the console's live counts of new orders, per API server worker
RECENT = RecentRuns()  # the console's view of each tenant's report index


async def _user(request: Request) -> Any:
    """The Airflow user of this request, exactly as Airflow's own API routes find it."""
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.security import HTTPAuthorizationCredentials

    header = request.headers.get("authorization", "")
    bearer = (
        HTTPAuthorizationCredentials(scheme="Bearer", credentials=header[7:])
        if header.lower().startswith("bearer ")
        else None
    )
    return await get_user(request, None, bearer)


def _may_read(user: Any, dag_ids: list[str]) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    manager = get_auth_manager()
    return any(
        manager.is_authorized_dag(
            method="GET", access_entity=DagAccessEntity.RUN, details=DagDetails(id=d), user=user
        )
        for d in dag_ids
    )


def _may_trigger(user: Any, dag_id: str) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    return get_auth_manager().is_authorized_dag(
        method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=user
    )


def _tenant_dag_ids(tenant: str) -> list[str]:
    from bo_oscommerce.console.build import tenant_dag_ids

    return list(tenant_dag_ids(tenant).values())


def _part(value: str) -> str:
    """One path segment of the reports location; never a way out of it."""
    if value.strip(".") == "" or safe_part(value) != value:
        raise HTTPException(status_code=404, detail="no such report")
    return value


async def _user_or_login(request: Request) -> Any:
    """The user; a browser that is not logged in goes to Airflow's login page first."""
    try:
        return await _user(request)
    except HTTPException as exc:
        if exc.status_code == 401 and "text/html" in request.headers.get("accept", ""):
            from airflow.api_fastapi.app import get_auth_manager

            login = get_auth_manager().get_url_login(next_url=str(request.url))
            return RedirectResponse(login, status_code=307)
        raise


async def _reader(request: Request, tenant: str) -> Any:
    """The user, if they may read this tenant's runs; else a login redirect or 403."""
    user = await _user_or_login(request)
    if isinstance(user, Response):
        return user
    if not _may_read(user, _tenant_dag_ids(tenant)):
        raise HTTPException(status_code=403, detail=f"you may not read the runs of {tenant!r}")
    return user


def _console_views(user: Any) -> tuple[list[Any], datetime]:
    from bo_oscommerce.config import load_config
    from bo_oscommerce.console.build import tenant_views

    now = datetime.now(UTC)
    views = tenant_views(
        load_config(),
        lambda dag_ids: _may_read(user, dag_ids),
        lambda dag_id: _may_trigger(user, dag_id),
        LIVE,
        RECENT,
        now,
    )
    return views, now


def _airflow_root(request: Request) -> str:
    """The Airflow UI's base path, from where the API server mounted this app."""
    mounted = request.scope.get("root_path", "")
    return mounted.removesuffix(URL_PREFIX).rstrip("/") + "/"


@app.get("/", response_class=HTMLResponse)
async def console(request: Request) -> Response:
    """The operator's console: every tenant the user may read, what needs attention first."""
    from starlette.concurrency import run_in_threadpool

    from bo_oscommerce.console.page import console_page

    user = await _user_or_login(request)
    if isinstance(user, Response):
        return user
    views, now = await run_in_threadpool(_console_views, user)
    return HTMLResponse(console_page(views, now, _airflow_root(request)))


@app.get("/console.json")
async def console_json(request: Request) -> Response:
    """The console's rows as data, in the page's order (for monitoring and scripts)."""
    from starlette.concurrency import run_in_threadpool

    from bo_oscommerce.console.views import RANK_NAMES

    user = await _user(request)
    views, now = await run_in_threadpool(_console_views, user)
    rows = [
        {**asdict(v), "rank": RANK_NAMES[v.rank], "triggerable": sorted(v.triggerable)}
        for v in views
    ]
    return Response(json.dumps({"as_of": now, "tenants": rows}, default=str),
                    media_type="application/json")  # fmt: skip


@app.get("/dag-run/{dag_id}/{run_id}")
async def dag_run(request: Request, dag_id: str, run_id: str) -> Response:
    """The link on every DAG run in Airflow's UI: to that run's report."""
    from bo_oscommerce.config import load_config
    from bo_oscommerce.dag_factory import dag_ids
    from bo_oscommerce.reports.pages import missing_page

    tenant = next(
        (t.id for t in load_config().tenants.values() if dag_id in dag_ids(t).values()), None
    )
    if tenant is None:
        return HTMLResponse(missing_page(f"{dag_id} is not a bo-oscommerce DAG."), 404)
    denied = await _reader(request, tenant)
    if isinstance(denied, Response):
        return denied
    folder = record.run_folder(tenant, dag_id, run_id)
    if not (folder / "report.html").exists():
        return HTMLResponse(
            missing_page(
                f"No report for run {run_id} of {dag_id} yet: its report task writes it when "
                "the run's other tasks have ended."
            ),
            404,
        )
    return RedirectResponse(
        f"../../{tenant}/{safe_part(dag_id)}/{safe_part(run_id)}/report.html", status_code=307
    )


@app.get("/{tenant}/", response_class=HTMLResponse)
@app.get("/{tenant}/index.html", response_class=HTMLResponse)
async def tenant_index(request: Request, tenant: str) -> Response:
    from bo_oscommerce.config import load_config
    from bo_oscommerce.reports.pages import index_page

    denied = await _reader(request, _part(tenant))
    if isinstance(denied, Response):
        return denied
    settings = load_config().tenants.get(tenant)
    name = (settings.name if settings else "") or tenant
    return HTMLResponse(index_page(tenant, name, record.read_index(tenant)))


@app.get("/{tenant}/{dag_folder}/{run_folder}/{name}")
async def run_file(
    request: Request, tenant: str, dag_folder: str, run_folder: str, name: str
) -> Response:
    denied = await _reader(request, _part(tenant))
    if isinstance(denied, Response):
        return denied
    if not FILES.match(name):
        raise HTTPException(status_code=404, detail="no such report file")
    path = record.run_folder(tenant, _part(dag_folder), _part(run_folder)) / name
    if not path.exists():
        raise HTTPException(status_code=404, detail="no such report file")
    with path.open("rb") as handle:
        content = handle.read()
    return Response(content, media_type=MEDIA[name[name.rindex(".") :]])
