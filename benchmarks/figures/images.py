"""Figure 4, images: the images step pulling N=5 images, each pull taking a fixed time, against one pull."""

from __future__ import annotations

import json

from benchmarks.measure import BenchmarkError, Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox

LIMIT = 1.3  # times one pull


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    from llmd_sim.config import Settings

    settings = Settings()
    pulled = [image for image in settings.all_images if image != settings.node_image]  # the 5 seed images
    durations, walls = [], []
    for run in range(plan.runs_or(5)):
        box = Sandbox(plan.work / f"images-{run}", plan.pycache)
        box.world.latency(1.0, **{"docker pull": plan.pull_seconds})
        box.world.add_host_image(settings.node_image)  # already here, so exactly the seed images are pulled
        walls.append(box.llmd_sim("step", "images").checked().wall)
        steps = json.loads(box.llmd_sim("status", "--json").checked().stdout)["steps"]
        durations.append(next(step["duration"] for step in steps if step["step"] == "images"))
        pulls = [call for call in box.calls() if call["tool"] == "docker" and "pull" in call["argv"]]
        if len(pulls) != len(pulled):
            raise BenchmarkError(f"expected {len(pulled)} pulls, the world saw {len(pulls)}")
    one = plan.pull_seconds
    return [
        Row("images", f"images step, N={len(pulled)} pulls", "s", summarize(durations), f"one pull {show(one, 's')}",
            ratios(durations, [one] * len(durations)), target=f"<= {LIMIT:g} x one pull",
            met=summarize(durations).median <= LIMIT * one,
            details={"images": pulled, "command_wall_s": summarize(walls).as_dict()}),
    ]
