"""The deploy step: deploy the gateway, scheduler and simulated model servers, and the HTTPRoute."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Deploy(Step):
    name = "deploy"
    description = "deploy the gateway, scheduler and simulated model servers, and the HTTPRoute"

    def run(self, ctx) -> None:
        raise StepError("the deploy step is being built (issue pending)")


STEP = Deploy()
