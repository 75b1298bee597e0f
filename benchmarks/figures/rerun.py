"""Figure 3, re-run: `llmd-sim up` again after a successful one: its wall time, the commands it runs,
and a check that none of them creates, pulls, loads or installs anything."""

from __future__ import annotations

from benchmarks import calllog, latency_profile
from benchmarks.measure import Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox

LIMIT = 2.0  # seconds


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    box = Sandbox(plan.work / "rerun", plan.pycache)
    box.world.latency(plan.scale, **latency_profile.SECONDS)
    first = box.llmd_sim("up").checked()
    walls, counts, changing, commands = [], [], [], []
    for _ in range(plan.runs_or(5)):
        before = len(box.calls())
        walls.append(box.llmd_sim("up").checked().wall)
        calls = box.calls()[before:]
        counts.append(float(len(calls)))
        commands = [calllog.command(call) for call in calls]
        changing += [calllog.command(call) for call in calls if calllog.changes_something(call)]
    wall = summarize(walls)
    baseline = f"first up {show(first.wall, 's')}"
    return [
        Row("re-run", "second up wall", "s", wall, baseline, ratios(walls, [first.wall] * len(walls)),
            target=f"< {LIMIT:g} s", met=wall.median < LIMIT),
        Row("re-run", "second up commands", "commands", summarize(counts), target="no create/pull/load/install",
            met=not changing, details={"commands": commands, "changing": sorted(set(changing))}),
    ]
