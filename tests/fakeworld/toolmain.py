"""What every fake does around its own work: record the call, and play injected faults.

Calls go to `<state>.calls.jsonl` (one line when the call starts, one when it ends), so a call
that hangs or is killed is still on record. Each record says which kube-context the call named
explicitly (`--context` for kubectl, `--kube-context` for helm and helmfile) and whether the
command talked to a cluster, so a test can assert that no cluster call went without a context.

A fault is {"match": regex over "tool arg1 arg2 ...", "nth": 1, "times": 1, "exit": 1,
"stderr": "...", "stdout": "", "hang": false}: the nth matching call (and the times-1 after it;
times 0 means every one from the nth) prints the given output and exits with the given code, or
hangs until it is killed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import time

from fakeworld import world

CONTEXT_FLAGS = {"kubectl": "--context", "helm": "--kube-context", "helmfile": "--kube-context"}


class Exit(Exception):
    """Stop the command with this exit code (output already written)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class Invocation:
    def __init__(self, tool: str, argv: list[str]):
        self.tool = tool
        self.argv = argv
        self.id = f"{os.getpid()}-{time.time():.6f}"
        self.cluster = False
        self.context = named_context(tool, argv)


current: Invocation | None = None


def named_context(tool: str, argv: list[str]) -> str | None:
    """The kube-context named on the command line, if any."""
    flag = CONTEXT_FLAGS.get(tool)
    if not flag:
        return None
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def touches_cluster() -> None:
    """Mark the running command as one that talks to a cluster."""
    if current:
        current.cluster = True


def err(*lines: str) -> None:
    for line in lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


def out(*lines: str) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(*lines: str, code: int = 1) -> None:
    """Print lines on stderr and stop with `code`."""
    err(*lines)
    raise Exit(code)


def main(tool: str, handler) -> None:
    """Run handler(argv) -> exit code as the fake `tool` process, and exit with it."""
    sys.exit(invoke(tool, handler, sys.argv[1:]))


def invoke(tool: str, handler, argv: list[str]) -> int:
    """handler(argv) with recording and fault injection; returns the exit code."""
    global current
    current = Invocation(tool, argv)
    _record({"id": current.id, "tool": tool, "argv": argv, "start": time.time(), "pid": os.getpid(),
             "context": current.context, "cwd": os.getcwd()})
    code = 1
    try:
        fault = _fault(tool, argv)
        code = _play(fault) if fault else handler(argv)
    except Exit as stop:
        code = stop.code
    finally:
        _record({"id": current.id, "exit": code, "end": time.time(), "cluster": current.cluster})
        sys.stdout.flush()
        sys.stderr.flush()
    return code


def _record(entry: dict) -> None:
    line = json.dumps(entry, separators=(",", ":")) + "\n"
    fd = os.open(world.state_path() + ".calls.jsonl", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())  # one write with O_APPEND: lines never interleave
    finally:
        os.close(fd)


def read_calls(state_path: str) -> list[dict]:
    """Every recorded call, start and end merged, in start order."""
    calls: dict[str, dict] = {}
    try:
        with open(state_path + ".calls.jsonl") as handle:
            for line in handle:
                entry = json.loads(line)
                calls.setdefault(entry["id"], {"exit": None}).update(entry)
    except FileNotFoundError:
        return []
    return sorted(calls.values(), key=lambda call: call.get("start", 0))


def _fault(tool: str, argv: list[str]) -> dict | None:
    """The injected fault this call plays, counting matching calls in the world."""
    state = world.read()
    faults = world.knobs(state)["faults"]
    if not faults:
        return None
    line = shlex.join([tool, *argv])
    chosen = None
    with world.locked() as state:
        counts = state.setdefault("fault_counts", {})
        for index, fault in enumerate(world.knobs(state)["faults"]):
            if not re.search(fault["match"], line):
                continue
            key = f"{index}:{fault['match']}"
            counts[key] = counts.get(key, 0) + 1
            first, times = int(fault.get("nth", 1)), int(fault.get("times", 1))
            if chosen is None and counts[key] >= first and (times == 0 or counts[key] < first + times):
                chosen = fault
    return chosen


def _play(fault: dict) -> int:
    if fault.get("stdout"):
        sys.stdout.write(fault["stdout"].rstrip("\n") + "\n")
        sys.stdout.flush()
    if fault.get("stderr"):
        sys.stderr.write(fault["stderr"].rstrip("\n") + "\n")
        sys.stderr.flush()
    if fault.get("hang"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:  # a hung command: only a signal ends it
            signal.pause()
    return int(fault.get("exit", 1))
