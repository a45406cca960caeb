"""Failpoints: named places where a test can make a run die, to prove exactly-once the hard
way (a real process exit between two commits, then a retry).

``BO_OSC_FAILPOINT=<name>`` in the environment makes the process exit at once (exit code 75,
no cleanup, like a killed worker) when it reaches ``hit("<name>")``. Unset, ``hit`` does
nothing.
"""

from __future__ import annotations

import os

EXIT_CODE = 75


def hit(name: str) -> None:
    if os.environ.get("BO_OSC_FAILPOINT") == name:
        os._exit(EXIT_CODE)
