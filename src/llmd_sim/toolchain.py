"""Which external tools a run needs, where they are, what version each one is, and which of them
llmd-sim installed itself (recorded beside them, so a changed pin replaces only its own copies)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from llmd_sim.releases import INSTALLABLE
from llmd_sim.tools import docker, git, helm, helmfile, kind, kubectl

if TYPE_CHECKING:
    from llmd_sim.config import Settings
    from llmd_sim.context import Context

RECORD = "versions.json"


def engine(ctx: Context) -> str:
    """docker, or podman when KIND_EXPERIMENTAL_PROVIDER=podman."""
    return docker.engine_for(ctx.runner.environment())


def required(settings: Settings, engine_name: str) -> list[str]:
    """Tools this configuration needs, in the order they are reported."""
    needed = []
    if settings.uses_kind:  # an existing cluster needs neither kind nor a local engine
        needed += [engine_name, "kind"]
    needed += ["kubectl", "helm", "helmfile"]
    if not settings.llm_d_dir:  # the guide is cloned with git unless a checkout is given
        needed.append("git")
    return needed


def pinned(settings: Settings, tool: str) -> str:
    """The version llmd-sim installs for `tool` (kind_version, kubectl_version, ...)."""
    return getattr(settings, f"{tool}_version")


def locate(ctx: Context, tool: str) -> Path | None:
    """Where the runner would find `tool` (the managed bin dir first on PATH)."""
    found = shutil.which(tool, path=ctx.runner.environment()["PATH"])
    return Path(found) if found else None


def managed_versions(ctx: Context) -> dict[str, str]:
    """tool -> version for the tools llmd-sim installed (a missing or damaged record: none)."""
    try:
        data = json.loads((ctx.paths.bin_dir / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_installed(ctx: Context, tool: str, version: str) -> None:
    record = {**managed_versions(ctx), tool: version}
    ctx.runner.write_file(ctx.paths.bin_dir / RECORD, json.dumps(record, indent=2, sort_keys=True) + "\n")


def stale(ctx: Context, tool: str, path: Path | None) -> bool:
    """A copy llmd-sim installed whose version is no longer the pinned one. Tools the user
    installed are never replaced."""
    if tool not in INSTALLABLE or path is None or path.parent != ctx.paths.bin_dir:
        return False
    recorded = managed_versions(ctx).get(tool)
    return recorded is not None and recorded != pinned(ctx.settings, tool)


def to_install(ctx: Context, needed: list[str]) -> list[str]:
    """Installable tools that are missing, or stale copies of our own."""
    chosen = []
    for tool in needed:
        if tool in INSTALLABLE:
            path = locate(ctx, tool)
            if path is None or stale(ctx, tool, path):
                chosen.append(tool)
    return chosen


def version_of(ctx: Context, tool: str) -> str:
    """The tool's own answer to "which version are you" ("" when it gives none, as in dry-run)."""
    context = ctx.kube_context
    probes = {
        "docker": (docker.version("docker"), docker.client_version),
        "podman": (docker.version("podman"), docker.client_version),
        "kind": (kind.version(), kind.parse_version),
        "kubectl": (kubectl.client_version(context), kubectl.git_version),
        "helm": (helm.version(context), str.strip),
        "helmfile": (helmfile.version(context), first_version),
        "git": (git.version(), first_version),
    }
    argv, parse = probes[tool]
    result = ctx.runner.run(argv, check=False, reads=True)
    if not result.ok:
        return ""
    try:
        return parse(result.stdout)
    except ValueError:  # unexpected output: report no version rather than fail the step
        return ""


def first_version(text: str) -> str:
    """The first `1.2.3`-looking word in `text` (`git version 2.43.0` -> `2.43.0`)."""
    found = re.search(r"\bv?\d+\.\d+(?:\.\d+)?[\w.+-]*", text)
    return found.group(0) if found else ""
