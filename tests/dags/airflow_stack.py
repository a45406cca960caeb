"""A real Airflow (scheduler, DAG processor, triggerer, API server) started the way
``make airflow`` starts it, for tests that need the scheduler and the triggerer themselves."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(what: Callable[[], Any], deadline: float, step: float = 1.0) -> Any:
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(step)
    return what()


class Stack:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home, self.env = home, env

    def query(self, sql: str, *params: Any) -> list[tuple]:
        """Rows from the metadata DB (SQLite)."""
        with contextlib.closing(sqlite3.connect(self.home / "airflow.db")) as db:
            return db.execute(sql, params).fetchall()

    def listed(self, dag_id: str) -> bool:
        done = subprocess.run([str(BIN / "airflow"), "dags", "details", dag_id], env=self.env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        return done.returncode == 0 and "is_paused" in done.stdout


@contextlib.contextmanager
def airflow_stack(tmp_path: Path, tenants_yaml: str, connections: dict[str, str]) -> Iterator[Stack]:
    """Airflow standalone on the tenants of ``tenants_yaml``, DAGs unpaused at creation;
    ``connections``: conn id -> URI."""
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(tenants_yaml)
    home, port = tmp_path / "airflow", _free_port()
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "1",
        "BO_OSC_TENANTS_FILE": str(tenants),
        "BO_OSC_STAGING_URL": (tmp_path / "staging").as_uri(),
        "BO_OSC_REPORTS_URL": (tmp_path / "reports").as_uri(),
        **{f"AIRFLOW_CONN_{conn_id.upper()}": uri for conn_id, uri in connections.items()},
        "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO / "fixtures")]),
    }
    for command in (["airflow", "db", "migrate"], ["python", "-m", "bo_oscommerce", "ensure-pools"]):
        done = subprocess.run([str(BIN / command[0]), *command[1:]], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
    log = (tmp_path / "airflow.log").open("w")
    proc = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "airflow.sh"), str(BIN / "airflow"), "standalone"],
        env=env, cwd=REPO, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield Stack(home, env)
    finally:
        log.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
