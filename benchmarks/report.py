"""The rows of the benchmark table, shown as plain text or Markdown and written as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.measure import Summary

COLUMNS = ("figure", "measure", "median", "min", "max", "baseline", "ratio (median, min-max)", "target", "met")


@dataclass
class Row:
    """One measured figure: its runs, the baseline measured beside it, and its target."""

    figure: str
    measure: str
    unit: str
    summary: Summary
    baseline: str = ""
    ratio: Summary | None = None
    target: str = ""
    met: bool | None = None  # None: no target for this row
    details: dict = field(default_factory=dict)  # the numbers behind a verdict, for the JSON

    def cells(self) -> tuple[str, ...]:
        ratio = "" if self.ratio is None else \
            f"{self.ratio.median:.2f} ({self.ratio.min:.2f}-{self.ratio.max:.2f})"
        met = "" if self.met is None else ("yes" if self.met else "NO")
        return (self.figure, self.measure, show(self.summary.median, self.unit), show(self.summary.min, self.unit),
                show(self.summary.max, self.unit), self.baseline, ratio, self.target, met)

    def as_dict(self) -> dict:
        return {"figure": self.figure, "measure": self.measure, "unit": self.unit, **self.summary.as_dict(),
                "baseline": self.baseline, "ratio": self.ratio.as_dict() if self.ratio else None,
                "target": self.target, "met": self.met, "details": self.details}


def show(value: float, unit: str) -> str:
    """A value with its unit, at the precision a person reads it."""
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit in ("ms", "MB"):
        return f"{value:.1f} {unit}"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    return f"{value:g} {unit}".strip()


def text_table(rows: list[Row]) -> str:
    """Aligned columns for a terminal."""
    lines = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def markdown_table(rows: list[Row]) -> str:
    """The same table in Markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def markdown_document(rows: list[Row], command: str, measured_on: dict) -> str:
    """The table with what it was measured on and how to measure it again (benchmarks/latest.md)."""
    load = measured_on.get("load_average") or ["?"]
    lines = ["# llmd-sim benchmarks: latest figures", "",
             f"Measured {time.strftime('%Y-%m-%d')} on {measured_on['platform']}, {measured_on['cpus']} CPUs, "
             f"Python {measured_on['python']}, load average {load[0]} at the start, with:", "",
             f"    {command}", "", markdown_table(rows), ""]
    orchestration = next((row.details for row in rows if row.figure == "orchestration" and row.details), None)
    if orchestration:
        lines += ["Orchestration, where the time went (median run):", "", *_breakdown(orchestration), "", *READING, ""]
    return "\n".join(lines)


READING = [
    "Reading it: the latency profile (benchmarks/latency_profile.py) gives every piece of a first `up` a laptop's",
    "duration and its needs. The critical path is the longest chain of needs (what no orchestration can beat); the",
    "step chain is llmd-sim's own pipeline, one step after another, with nothing but the profile costing time; the",
    "sequential sum is the guide typed by hand, each command waited for. Per-command costs (process start-up, a",
    "fake tool's ~30 ms, llmd-sim's own work) do not shrink with the scale, so at x0.02 they weigh 50 times more",
    "than on a laptop: the last line puts them back at full scale.",
]


def _breakdown(details: dict) -> list[str]:
    runs = sorted(details["runs"], key=lambda run: run["wall_s"])
    middle, full = runs[len(runs) // 2], details["full_scale"]
    return [
        f"- profile x{details['scale']:g}: critical path {details['critical_path_s']:.2f} s, llmd-sim's step chain "
        f"{details['step_chain_s']:.2f} s, the guide in sequence {details['sequential_s']:.2f} s "
        f"(full scale: {full['critical_path_s']:g} s, {full['step_chain_s']:g} s, {full['sequential_s']:g} s)",
        f"- wall {middle['wall_s']:.2f} s: {middle['commands']} commands; no command running "
        f"{middle['no_command_running_s']:.2f} s, of which the fake tools' own start and exit "
        f"~{middle['fake_start_exit_s']:.2f} s; llmd-sim's CPU {middle['llmd_sim_cpu_s']:.2f} s",
        "- each step, measured / the profile alone: " + ", ".join(
            f"{step} {took:.2f}/{details['expected_step_s'].get(step, 0.0):.2f} s"
            for step, took in middle["step_s"].items()),
        f"- the same per-command costs at full scale: {full['projected_ratio']:.3f} x critical path",
    ]


def machine() -> dict:
    """What the figures were measured on (absolute times drift between machines; ratios hold)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average": [round(value, 2) for value in load] if load else None}


def write_json(path: Path, rows: list[Row], plan: dict, started: float, measured_on: dict,
               failures: dict[str, str]) -> None:
    """Everything measured, with the figures that could not be (figure -> error)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "took_s": round(time.time() - started, 1),
                "machine": measured_on, "plan": plan, "rows": [row.as_dict() for row in rows], "failures": failures}
    path.write_text(json.dumps(document, indent=1) + "\n")
