"""The images step: pull the images (through mirrors when set) in parallel."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Images(Step):
    name = "images"
    description = "pull the images (through mirrors when set) in parallel"

    def run(self, ctx) -> None:
        raise StepError("the images step is being built (issue pending)")


STEP = Images()
