"""An auth manager with per-DAG permissions for the browser tests: Airflow's simple auth
manager, except that a user named ``<tenant>-only`` may touch only that tenant's DAGs (as a
FAB or Keycloak role limited to some DAGs would). Loaded by the API server of the tests."""

from __future__ import annotations

from typing import Any

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager


class TenantAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method: Any, user: Any, access_entity: Any = None,
                          details: Any = None) -> bool:  # fmt: skip
        name = user.get_name()
        if name.endswith("-only"):
            dag_id = getattr(details, "id", None)
            if dag_id is None or not dag_id.startswith(f"bo_osc_{name.removesuffix('-only')}_"):
                return False
        return super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
