"""The smoke step: send the guide's requests through the gateway."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Smoke(Step):
    name = "smoke"
    description = "send the guide's requests through the gateway"

    def run(self, ctx) -> None:
        raise StepError("the smoke step is being built (issue pending)")


STEP = Smoke()
