"""Reading the fake world's call log: which commands changed something, and when none was running."""

from __future__ import annotations

import shlex

# Per tool, the subcommand words that create, pull, load, install or remove something.
CHANGING = {
    "docker": {"pull", "save", "load", "tag", "rmi", "run"},
    "kind": {"create", "load", "delete"},
    "kubectl": {"apply", "create", "delete", "patch", "replace", "label", "annotate", "scale"},
    "helm": {"install", "upgrade", "uninstall", "rollback"},
    "helmfile": {"apply", "sync", "destroy"},
    "git": {"clone", "fetch", "pull"},
}


def command(call: dict) -> str:
    """The call as a pasteable command line."""
    return shlex.join([call["tool"], *call["argv"]])


def changes_something(call: dict) -> bool:
    """True for a create/pull/load/install (or removal); `kubectl create --dry-run=client` only renders."""
    words = set(call["argv"])
    if call["tool"] == "kubectl" and "create" in words and any(w.startswith("--dry-run") for w in words):
        words.discard("create")
    return bool(words & CHANGING.get(call["tool"], set()))


def busy_seconds(calls: list[dict]) -> float:
    """How long at least one recorded call was running (overlapping calls counted once)."""
    spans = sorted((call["start"], call["end"]) for call in calls if call.get("end") is not None)
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total
