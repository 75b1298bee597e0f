"""Run llmd-sim inside this process, then write what it cost as JSON: `python selfusage.py OUT ARGS...`.

RUSAGE_SELF is llmd-sim alone (this wrapper adds only `resource` and `json`); RUSAGE_CHILDREN is the
largest of the processes it ran and waited for (each fake tool, the port-forward), the number a
wrapper such as `/usr/bin/time -v` would report for the whole tree.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import sys


def megabytes(maxrss: int) -> float:
    """ru_maxrss in MiB: Linux counts KiB, macOS bytes."""
    return maxrss / (2**20 if sys.platform == "darwin" else 2**10)


def write_usage(path: str) -> None:
    """This process's peak RSS and CPU time, and the largest of its children's, as JSON in `path`."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    usage = {"self_peak_mb": megabytes(own.ru_maxrss), "self_cpu_s": own.ru_utime + own.ru_stime,
             "children_peak_mb": megabytes(children.ru_maxrss),
             "children_cpu_s": children.ru_utime + children.ru_stime}
    with open(path, "w") as handle:
        json.dump(usage, handle)


def main() -> None:
    """`selfusage.py OUT ARGS...`: llmd-sim ARGS in this process, its cost written to OUT at exit."""
    out, args = sys.argv[1], sys.argv[2:]
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)  # llmd-sim must import as it would from its console script, not next to this file
    atexit.register(write_usage, out)
    sys.argv = ["llmd-sim", *args]
    from llmd_sim.cli import main as llmd_sim_main

    llmd_sim_main()


if __name__ == "__main__":
    main()
