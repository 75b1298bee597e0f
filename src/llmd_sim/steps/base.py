"""The step contract (kind's actions + doit's up-to-date checks + ctlptl's look-then-act).

A step says what it depends on (`inputs`, fingerprinted), how to tell cheaply whether its work is
still there (`probe`), and how to do that work idempotently (`run`). The pipeline decides.
"""

from __future__ import annotations

import abc
import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmd_sim.context import Context


class Step(abc.ABC):
    name: str = ""
    description: str = ""

    def __init__(self, sleep: Callable[[float], None] = time.sleep):
        self.sleep = sleep  # the wait between retries; tests pass a no-op so retries take no time

    def inputs(self, ctx: Context) -> dict[str, Any]:
        """Settings and file digests the step's work depends on; a change re-runs it. No side effects."""
        return {}

    def probe(self, ctx: Context) -> str | None:
        """A cheap look at the live system: None when the step's work is in place, otherwise a
        short phrase saying what is missing ("cluster llmd-sim missing"). Only read, never change."""
        return None

    @abc.abstractmethod
    def run(self, ctx: Context) -> None:
        """Do the work idempotently; raise StepError (short lowercase message + hint) on failure."""


def fingerprint(inputs: dict[str, Any]) -> str:
    """A stable digest of a step's inputs."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which inputs differ, for the re-run reason ("config changed: namespace, images")."""
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
