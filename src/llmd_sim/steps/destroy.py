"""The destroy step: remove the route, releases, Istio and the cluster."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Destroy(Step):
    name = "destroy"
    description = "remove the route, releases, Istio and the cluster"

    def run(self, ctx) -> None:
        raise StepError("the destroy step is being built (issue pending)")


STEP = Destroy()
