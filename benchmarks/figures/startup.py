"""Figure 1, start-up: `llmd-sim --help` and `llmd-sim status` against `python -c pass`, same interpreter."""

from __future__ import annotations

from benchmarks.measure import Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox

HELP_LIMIT = 0.3  # seconds
HELP_OVER_PYTHON = 0.2  # seconds more than the bare interpreter


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    box = Sandbox(plan.work / "startup", plan.pycache)
    commands = {
        "python -c pass": lambda: box.python("-c", "pass"),
        "llmd-sim --help": lambda: box.llmd_sim("--help"),
        "llmd-sim status": lambda: box.llmd_sim("status"),
    }
    for run in commands.values():
        run().checked()  # once untimed: bytecode and the file cache as a person's second call finds them
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(plan.runs_or(10)):
        for name, run in commands.items():  # interleaved, so a busy moment of the machine hits all three
            walls[name].append(run().checked().wall)
    python = summarize(walls["python -c pass"])
    baseline = f"python -c pass {show(python.median, 's')}"
    help_ = summarize(walls["llmd-sim --help"])
    over = help_.median - python.median
    return [
        Row("start-up", "python -c pass", "s", python),
        Row("start-up", "llmd-sim --help", "s", help_, baseline, ratios(walls["llmd-sim --help"], walls["python -c pass"]),
            target=f"< {HELP_LIMIT} s and < pass + {HELP_OVER_PYTHON} s",
            met=help_.median < HELP_LIMIT and over < HELP_OVER_PYTHON, details={"over_python_s": round(over, 4)}),
        Row("start-up", "llmd-sim status", "s", summarize(walls["llmd-sim status"]), baseline,
            ratios(walls["llmd-sim status"], walls["python -c pass"])),
    ]
