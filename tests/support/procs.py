"""Looking at processes from tests: is a process (still) running?"""

from __future__ import annotations

import os
import time


def alive(pid: int, grace: float = 2.0) -> bool:
    """Whether `pid` is still running after up to `grace` seconds: a process just sent a signal
    takes a moment to go (signals are delivered asynchronously). A zombie counts as gone."""
    deadline = time.monotonic() + grace
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    return running(pid)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False
