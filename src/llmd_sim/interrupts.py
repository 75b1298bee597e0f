"""Ctrl-C, SIGTERM and SIGHUP all become KeyboardInterrupt, so one path records the step as
interrupted and stops every child. Inside `shielded()` the interrupt waits until the block ends:
a process that was started but not yet registered for clean-up would otherwise be orphaned."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_local = threading.local()
_pending = False


def install() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _handler)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Hold interrupts of this thread until the block ends (signals only reach the main thread)."""
    global _pending
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1
        if _local.depth == 0 and _pending:
            _pending = False
            raise KeyboardInterrupt


def _handler(signum, frame) -> None:
    global _pending
    if getattr(_local, "depth", 0):  # runs in the main thread: its own depth
        _pending = True
        return
    raise KeyboardInterrupt
