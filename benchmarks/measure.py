"""What every figure uses: a run plan, wall-clock timing of a command, and median/min/max summaries."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


class BenchmarkError(Exception):
    """A measured command failed, so its timing would mean nothing."""


@dataclass(frozen=True)
class Plan:
    """How much to measure: runs per figure (None: each figure's default), the latency scale, a work dir."""

    work: Path
    runs: int | None = None
    scale: float = 0.02
    pull_seconds: float = 2.0  # the images figure's fixed pull latency (real seconds, not scaled)

    @property
    def pycache(self) -> Path:
        """Compiled bytecode shared by every sandbox of the plan, so only the first run compiles."""
        return self.work / "pycache"

    def runs_or(self, default: int) -> int:
        """The runs asked for on the command line, else the figure's own default."""
        return self.runs if self.runs is not None else default


@dataclass(frozen=True)
class Summary:
    """Median, min and max of several runs, and the runs themselves."""

    median: float
    min: float
    max: float
    values: tuple[float, ...] = field(default=())

    def as_dict(self, digits: int = 4) -> dict:
        """Rounded, for the JSON file."""
        return {"median": round(self.median, digits), "min": round(self.min, digits), "max": round(self.max, digits),
                "runs": [round(value, digits) for value in self.values]}


def summarize(values: list[float]) -> Summary:
    """The summary of at least one value."""
    if not values:
        raise ValueError("no runs to summarize")
    return Summary(statistics.median(values), min(values), max(values), tuple(values))


def ratios(values: list[float], baselines: list[float]) -> Summary:
    """Run-by-run ratios to a baseline measured alongside (noise on a shared machine cancels out)."""
    return summarize([value / base for value, base in zip(values, baselines)])


@dataclass(frozen=True)
class Timed:
    """A finished command and its wall time in seconds."""

    argv: list[str]
    wall: float
    returncode: int
    stdout: str
    stderr: str

    def checked(self) -> Timed:
        """Itself, or BenchmarkError with the end of stderr when the command failed."""
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-12:])
            raise BenchmarkError(f"{' '.join(self.argv[:4])} ... exited {self.returncode}:\n{tail}")
        return self


def timed(argv: list[str], *, env: dict[str, str], timeout: float = 300, cwd: Path | None = None) -> Timed:
    """Run argv to completion, timing it from spawn to exit."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Timed(argv, time.perf_counter() - started, done.returncode, done.stdout, done.stderr)
