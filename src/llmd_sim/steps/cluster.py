"""The cluster step: create or reuse the kind cluster and load the images into it."""

from __future__ import annotations

from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Cluster(Step):
    name = "cluster"
    description = "create or reuse the kind cluster and load the images into it"

    def run(self, ctx) -> None:
        raise StepError("the cluster step is being built (issue pending)")


STEP = Cluster()
