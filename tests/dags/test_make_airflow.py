"""`make airflow` on a laptop: as many executor workers as the machine suits, and Ctrl-C stops
every Airflow process it started (scheduler, DAG processor, triggerer, API server, workers)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = Path(sys.executable).parent / "airflow"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> list[tuple[int, int, int, str]]:
    """(pid, session id, parent pid, command line) of every process."""
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,sid=,ppid=,args="], capture_output=True,
                         text=True).stdout  # fmt: skip
    rows = [line.split(None, 3) for line in out.splitlines()]
    return [(int(p), int(s), int(pp), a) for p, s, pp, a in (r for r in rows if len(r) == 4)]


def _sessions_below(root: int) -> set[int]:
    """Session ids of ``root`` and all its descendants (the script starts Airflow in a
    session of its own)."""
    rows = _processes()
    children: dict[int, list[int]] = {}
    for pid, _sid, ppid, _args in rows:
        children.setdefault(ppid, []).append(pid)
    below, todo = set(), [root]
    while todo:
        pid = todo.pop()
        below.add(pid)
        todo += children.get(pid, [])
    return {sid for pid, sid, _ppid, _args in rows if pid in below}


def _in_sessions(sessions: set[int]) -> dict[int, str]:
    return {pid: args for pid, sid, _ppid, args in _processes() if sid in sessions}


def test_workers_sized_to_the_machine_and_ctrl_c_stops_everything(tmp_path):
    home = tmp_path / "airflow"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__API__PORT": str(_free_port()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),  # no DAGs: the stack alone
    }
    env.pop("AIRFLOW__CORE__PARALLELISM", None)
    (tmp_path / "dags").mkdir()
    wanted = 2 * len(os.sched_getaffinity(0))  # as nproc counts
    sessions: set[int] = set()
    proc = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "airflow.sh"), str(AIRFLOW), "standalone"],
        env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )  # fmt: skip
    try:
        workers: list[str] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and len(workers) < wanted:
            time.sleep(2)
            sessions = _sessions_below(proc.pid)
            workers = [a for a in _in_sessions(sessions).values() if "LocalExecutor" in a]
        time.sleep(5)  # the executor starts its workers one by one: no more come
        workers = [a for a in _in_sessions(sessions).values() if "LocalExecutor" in a]
        assert len(workers) == wanted, f"{len(workers)} executor workers, wanted {wanted}"
        running = _in_sessions(sessions)
        assert any("scheduler" in a for a in running.values()), running
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _in_sessions(sessions) and time.monotonic() < deadline:
            time.sleep(1)
        assert _in_sessions(sessions) == {}, "Airflow processes left after Ctrl-C"
    finally:
        for pid in [proc.pid, *_in_sessions(_sessions_below(proc.pid) | sessions)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
