"""The six figures of issue 7; each module's `measure(plan)` returns its table rows."""

from __future__ import annotations

import importlib

NAMES = ("startup", "orchestration", "rerun", "images", "bench", "memory")


def measure(name: str, plan):
    """The rows of one figure."""
    return importlib.import_module(f"benchmarks.figures.{name}").measure(plan)
