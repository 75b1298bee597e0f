"""Measure llmd-sim's own speed and cost in the fake world: `python benchmarks/run.py [--figures ...]`.

Prints the table (median, min, max of several runs, the ratio to a baseline measured in the same run,
the target and whether it is met) and writes the figures as JSON (default benchmarks/results/).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import the package from the checkout
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks import figures  # noqa: E402
from benchmarks.latency_profile import SCALE, SECONDS  # noqa: E402
from benchmarks.measure import BenchmarkError, Plan  # noqa: E402
from benchmarks.report import machine, markdown_document, text_table, write_json  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line, checked (unknown figures are a usage error)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", default=",".join(figures.NAMES),
                        help=f"comma-separated, from: {', '.join(figures.NAMES)} (default: all)")
    parser.add_argument("--runs", type=int, help="runs per figure (default: each figure's own, 3 to 10)")
    parser.add_argument("--scale", type=float, default=SCALE,
                        help=f"latency scale of the laptop profile (default {SCALE})")
    parser.add_argument("--pull-seconds", type=float, default=2.0, help="the images figure's pull latency")
    parser.add_argument("--output", type=Path, help="JSON file (default: benchmarks/results/<time>.json)")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here (benchmarks/latest.md)")
    parser.add_argument("--keep", action="store_true", help="keep the fake worlds (their call logs) for reading")
    args = parser.parse_args(argv)
    args.figures = [name.strip() for name in args.figures.split(",") if name.strip()]
    unknown = [name for name in args.figures if name not in figures.NAMES]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}")
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen figures; 0 when every figure could be measured (met or not), 1 otherwise."""
    args = parse(sys.argv[1:] if argv is None else argv)
    started, measured_on = time.time(), machine()
    output = args.output or RESULTS / time.strftime("%Y%m%d-%H%M%S.json")
    work = Path(tempfile.mkdtemp(prefix="llmd-sim-bench-"))
    plan = Plan(work, runs=args.runs, scale=args.scale, pull_seconds=args.pull_seconds)
    rows, failures = [], {}
    try:
        for name in args.figures:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            try:
                rows += figures.measure(name, plan)
            except BenchmarkError as err:  # the other figures still mean something
                failures[name] = str(err)
                print(f"error: {name}: {err}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"fake worlds kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(text_table(rows))
    settings = {"figures": args.figures, "runs": args.runs, "scale": args.scale, "pull_seconds": args.pull_seconds,
                "profile_seconds": SECONDS}
    write_json(output, rows, settings, started, measured_on, failures)
    print(f"\nJSON: {output}", file=sys.stderr)
    if args.markdown:
        command = " ".join(["python benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
        args.markdown.write_text(markdown_document(rows, command, measured_on))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
