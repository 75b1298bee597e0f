"""helm 3/4: argv builders and parsers (FACTS.md section 6). Every call names the kube-context."""

from __future__ import annotations

import json


def helm(context: str, *args: str) -> list[str]:
    return ["helm", "--kube-context", context, *args]


def version(context: str) -> list[str]:
    """Prints e.g. `v3.17.3`."""
    return helm(context, "version", "--template", "{{.Version}}")


def plugin_list(context: str) -> list[str]:
    return helm(context, "plugin", "list")


def plugin_install(context: str, source: str, version: str, *, helm_major: int = 3) -> list[str]:
    argv = helm(context, "plugin", "install", source, "--version", version)
    if helm_major >= 4:
        argv.append("--verify=false")  # Helm 4 verifies plugin signatures, which git sources lack
    return argv


def list_releases(context: str, namespace: str, *, all_: bool = False) -> list[str]:
    """Releases as JSON; only deployed and failed ones unless `all_` (pending, uninstalling...)."""
    argv = helm(context, "list", "-n", namespace, "-o", "json")
    return [*argv, "--all"] if all_ else argv


def status(context: str, release: str, namespace: str) -> list[str]:
    return helm(context, "status", release, "-n", namespace, "-o", "json")


def uninstall(context: str, release: str, namespace: str) -> list[str]:
    return helm(context, "uninstall", release, "-n", namespace)


def plugin_names(stdout: str) -> list[str]:
    """First column of `helm plugin list`, header skipped."""
    rows = [line.split() for line in stdout.splitlines()[1:] if line.strip()]
    return [row[0] for row in rows]


def releases(stdout: str) -> dict[str, str]:
    """release name -> status from `helm list -o json` (empty output: none)."""
    if not stdout.strip():
        return {}
    return {entry["name"]: entry["status"] for entry in json.loads(stdout)}


def parse_version(text: str) -> tuple[int, int, int]:
    """`v3.17.3` or `v3.17.3+ge4da497` -> (3, 17, 3)."""
    core = text.strip().lstrip("v").split("+")[0].split("-")[0]
    parts = (core.split(".") + ["0", "0"])[:3]
    return tuple(int(part) if part.isdigit() else 0 for part in parts)


def release_problems(stdout: str, expected: tuple[str, ...] | list[str]) -> list[str]:
    """What keeps `expected` releases from all being `deployed`, e.g. ["ms-sim failed", "gaie-sim missing"]."""
    found = releases(stdout)
    return [f"{name} {found.get(name, 'missing')}" for name in expected if found.get(name) != "deployed"]


def present(stdout: str, expected: tuple[str, ...] | list[str]) -> list[str]:
    """Which of `expected` releases exist in any status (what an uninstall must remove)."""
    found = releases(stdout)
    return [name for name in expected if name in found]


def plugin_versions(stdout: str) -> dict[str, str]:
    """name -> version from `helm plugin list` (header skipped; empty output: none)."""
    rows = [line.split() for line in stdout.splitlines()[1:] if line.strip()]
    return {row[0]: (row[1] if len(row) > 1 else "") for row in rows}
