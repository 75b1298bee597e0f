"""The ordered steps of `llmd-sim up`; `destroy` belongs to `llmd-sim down`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from llmd_sim.errors import ConfigError

if TYPE_CHECKING:
    from llmd_sim.steps.base import Step

UP_STEPS = ("prereqs", "images", "cluster", "crds", "istio", "deploy", "verify", "smoke")
ALL_STEPS = (*UP_STEPS, "destroy")


def load(name: str) -> Step:
    """The step object for `name`; an unknown name is a usage error that lists the valid ones."""
    if name not in ALL_STEPS:
        raise ConfigError(f"unknown step {name!r}", hint=f"steps are: {', '.join(ALL_STEPS)}")
    return importlib.import_module(f"llmd_sim.steps.{name}").STEP


def up_steps() -> list[Step]:
    return [load(name) for name in UP_STEPS]
