"""The prereqs step: find or install docker, kind, kubectl, helm, helmfile and helm-diff."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Prereqs(Step):
    name = "prereqs"
    description = "find or install docker, kind, kubectl, helm, helmfile and helm-diff"

    def run(self, ctx) -> None:
        raise StepError("the prereqs step is being built (issue pending)")


STEP = Prereqs()
