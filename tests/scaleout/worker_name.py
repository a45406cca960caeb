"""``[core] hostname_callable`` for the scale-out test: both Celery workers run on this one
machine, so each reports the name in its ``BO_OSC_WORKER_NAME`` as the task instances'
hostname, which tells them apart in the metadata DB."""

from __future__ import annotations

import os
import socket


def from_env() -> str:
    return os.environ.get("BO_OSC_WORKER_NAME") or socket.getfqdn()
