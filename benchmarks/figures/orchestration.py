"""Figure 2, orchestration: a full `up` in the fake world set to the laptop profile (scaled), against
the profile's critical path and the guide's sequential sum, with where the time beyond them went."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from benchmarks import calllog, latency_profile
from benchmarks.measure import Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox

SELFUSAGE = Path(__file__).resolve().parent.parent / "selfusage.py"
LIMIT = 1.10  # times the critical path


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    work, seconds, scale = latency_profile.default_tasks(), latency_profile.SECONDS, plan.scale
    critical = latency_profile.critical_path(work, seconds) * scale
    chain = latency_profile.step_chain(work, seconds) * scale
    sequential = latency_profile.sequential_sum(work, seconds) * scale
    first_up(Sandbox(plan.work / "orchestration-warm-up", plan.pycache), 0.0)  # compiles every module once
    runs = [first_up(Sandbox(plan.work / f"orchestration-{i}", plan.pycache), scale) for i in range(plan.runs_or(3))]
    walls = [run["wall_s"] for run in runs]
    wall = summarize(walls)
    # What the run spent beyond the profile: per-command costs, which do not shrink with the scale.
    overhead = statistics.median(run["wall_s"] - chain for run in runs)
    details = {
        "scale": scale, "critical_path_s": round(critical, 4), "step_chain_s": round(chain, 4),
        "sequential_s": round(sequential, 4),
        "overhead_s": round(overhead, 4),
        "full_scale": {"critical_path_s": latency_profile.critical_path(work, seconds),
                       "step_chain_s": latency_profile.step_chain(work, seconds),
                       "sequential_s": latency_profile.sequential_sum(work, seconds),
                       "projected_ratio": round((latency_profile.step_chain(work, seconds) + overhead)
                                                / latency_profile.critical_path(work, seconds), 4)},
        "expected_step_s": {step: round(value * scale, 4)
                            for step, value in latency_profile.step_times(work, seconds).items()},
        "runs": runs,
    }
    return [
        Row("orchestration", f"up wall / critical path (x{scale:g})", "s", wall,
            f"critical path {show(critical, 's')}", ratios(walls, [critical] * len(walls)),
            target=f"<= {LIMIT:.2f} x critical path", met=wall.median <= LIMIT * critical, details=details),
        Row("orchestration", "up wall / llmd-sim step chain", "s", wall, f"step chain {show(chain, 's')}",
            ratios(walls, [chain] * len(walls))),
        Row("orchestration", "up wall / guide sequential sum", "s", wall, f"sequential {show(sequential, 's')}",
            ratios(walls, [sequential] * len(walls))),
    ]


def first_up(box: Sandbox, scale: float) -> dict:
    """One `llmd-sim up` in a fresh world: its wall time, llmd-sim's own CPU, the commands and the gaps."""
    box.world.latency(scale, **latency_profile.SECONDS)
    usage_file = box.root / "usage.json"
    run = box.python(str(SELFUSAGE), str(usage_file), "up").checked()
    calls = box.calls()
    usage = json.loads(usage_file.read_text())
    steps = json.loads(box.llmd_sim("status", "--json").checked().stdout)["steps"]
    idle = run.wall - calllog.busy_seconds(calls)
    fake_start_exit = len(calls) * fake_call_cost(box)
    return {
        "wall_s": round(run.wall, 4),
        "commands": len(calls),
        "llmd_sim_cpu_s": round(usage["self_cpu_s"], 4),
        # When no fake tool was inside its recorded call: llmd-sim's own time, plus each fake's
        # interpreter start and exit (outside its record), estimated from calls timed alone.
        "no_command_running_s": round(idle, 4),
        "fake_start_exit_s": round(fake_start_exit, 4),
        "llmd_sim_between_commands_s": round(max(idle - fake_start_exit, 0.0), 4),
        "step_s": {step["step"]: round(step["duration"], 4) for step in steps if step.get("duration") is not None},
    }


def fake_call_cost(box: Sandbox, samples: int = 5) -> float:
    """Seconds a fake tool spends outside its own call record (interpreter start and exit), median."""
    costs = []
    for _ in range(samples):
        before = len(box.calls())
        run = box.run("kind", "version").checked()
        call = box.calls()[before]
        costs.append(run.wall - (call["end"] - call["start"]))
    return statistics.median(costs)
