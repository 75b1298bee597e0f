"""Probes that cannot look (a tool not installed yet, a cluster that is down) give that as the
reason to run the step, instead of stopping `up` before its first step could fix it."""

from __future__ import annotations

import functools
from collections.abc import Callable

from llmd_sim.errors import LlmdSimError


def tolerant(probe: Callable) -> Callable:
    """Decorate Step.probe: an error while looking becomes "cannot check: <why>"."""

    @functools.wraps(probe)
    def look(self, ctx) -> str | None:
        try:
            return probe(self, ctx)
        except LlmdSimError as err:
            return f"cannot check: {err.message}"

    return look
