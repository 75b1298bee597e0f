"""Figure 6, memory: peak RSS of `llmd-sim up` in the fake world and of `llmd-sim bench` at concurrency 256,
each process alone (RUSAGE_SELF), beside the largest process it ran and `llmd-sim --version` (the CLI at rest)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.measure import Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox
from benchmarks.simulator import serving

SELFUSAGE = Path(__file__).resolve().parent.parent / "selfusage.py"
UP_LIMIT_MB = 100.0
BENCH_CONCURRENCY = 256


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    runs = plan.runs_or(3)
    bare, up, up_children, bench = [], [], [], []
    for run in range(runs):
        box = Sandbox(plan.work / f"memory-{run}", plan.pycache)  # an instant world: memory does not wait
        bare.append(usage(box, "--version")["self_peak_mb"])
        used = usage(box, "up")
        up.append(used["self_peak_mb"])
        up_children.append(used["children_peak_mb"])
    with serving(latency_ms=0.0) as url:
        box = Sandbox(plan.work / "memory-bench", plan.pycache)
        bench = [usage(box, "bench", "--endpoint", url, "-c", str(BENCH_CONCURRENCY),
                       "-n", str(BENCH_CONCURRENCY * 10), "--json")["self_peak_mb"] for _ in range(runs)]
    baseline = f"llmd-sim --version {show(summarize(bare).median, 'MB')}"
    peak = summarize(up)
    return [
        Row("memory", "llmd-sim up peak RSS", "MB", peak, baseline, ratios(up, bare), target=f"< {UP_LIMIT_MB:g} MB",
            met=peak.median < UP_LIMIT_MB, details={"largest_child_mb": summarize(up_children).as_dict(2)}),
        Row("memory", f"llmd-sim bench c={BENCH_CONCURRENCY} peak RSS", "MB", summarize(bench), baseline,
            ratios(bench, bare)),
    ]


def usage(box: Sandbox, *args: str) -> dict:
    """What `llmd-sim ARGS` cost, measured from inside its own process (benchmarks/selfusage.py)."""
    out = box.root / "usage.json"
    box.python(str(SELFUSAGE), str(out), *args).checked()
    return json.loads(out.read_text())
