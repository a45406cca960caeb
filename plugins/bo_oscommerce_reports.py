"""Airflow plugin: the data-quality reports of bo-oscommerce inside Airflow's UI.

Mounts ``bo_oscommerce.reports.web`` on the API server under ``/bo-osc-reports``, adds the
operator's console (every tenant at a glance, its reports one click away) to Airflow's
navigation, and a "Report" tab to every DAG run.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from bo_oscommerce.reports.web import URL_PREFIX, app


class BoOscommerceReports(AirflowPlugin):
    name = "bo_oscommerce_reports"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "bo-oscommerce reports"}]
    external_views = [
        {
            "name": "bo-oscommerce console",
            "href": f"{URL_PREFIX.lstrip('/')}/",
            "destination": "nav",
            "category": "browse",
            "url_route": "bo-osc-reports",
        },
        {
            "name": "Report",
            "href": f"{URL_PREFIX.lstrip('/')}/dag-run/{{DAG_ID}}/{{RUN_ID}}",
            "destination": "dag_run",
            "url_route": "bo-osc-run-report",
        },
    ]
