"""The prereqs step: find docker (or podman), kind, kubectl, helm, helmfile and git; install the
missing kind/kubectl/helm/helmfile at their pinned versions into the managed bin dir (first on
PATH for every later command); check the container engine runs and is big enough; make sure the
helm-diff plugin that `helmfile apply` needs is there."""

from __future__ import annotations

import platform

from llmd_sim import helm_diff, installer, toolchain
from llmd_sim.errors import StepError
from llmd_sim.releases import INSTALLABLE
from llmd_sim.steps.base import Step
from llmd_sim.tools import docker

# Istio suggests 8 GB and 4 CPUs (FACTS.md section 2). A VM set to 8 GB reports a little less
# (the kernel keeps some), so the memory warning starts below 7.5 GiB.
MIN_MEMORY_BYTES = int(7.5 * 2**30)
MIN_CPUS = 4

SYSTEM_TOOLS_HINT = {
    "docker": "install Docker Desktop (macOS), colima (`brew install colima docker`) or Docker Engine (Linux)",
    "podman": "install podman, or unset KIND_EXPERIMENTAL_PROVIDER to use docker",
    "git": "install git with your package manager (or pass --llm-d-dir with an llm-d checkout)",
}


class Prereqs(Step):
    name = "prereqs"
    description = "find or install docker, kind, kubectl, helm, helmfile and helm-diff"

    def inputs(self, ctx) -> dict:
        engine = toolchain.engine(ctx)
        needed = toolchain.required(ctx.settings, engine)
        return {
            "tools": needed,
            "pins": {tool: toolchain.pinned(ctx.settings, tool) for tool in INSTALLABLE if tool in needed},
            "helm_diff_version": ctx.settings.helm_diff_version,
            "install_tools": ctx.settings.install_tools,
        }

    def probe(self, ctx) -> str | None:
        """No network and no commands: the tools are on PATH, our own copies match their pins, and
        the helm-diff plugin is in place."""
        needed = toolchain.required(ctx.settings, toolchain.engine(ctx))
        for tool in needed:
            path = toolchain.locate(ctx, tool)
            if path is None:
                return f"{tool} not found"
            if toolchain.stale(ctx, tool, path):
                return f"{tool} in {path.parent} is not the pinned {toolchain.pinned(ctx.settings, tool)}"
        if not helm_diff.installed(ctx):
            return "helm-diff plugin missing"
        return None

    def run(self, ctx) -> None:
        engine = toolchain.engine(ctx)
        needed = toolchain.required(ctx.settings, engine)
        _require_system_tools(ctx, needed)
        installed = self._install_missing(ctx, needed)
        versions = {tool: toolchain.version_of(ctx, tool) for tool in needed}
        engine_note = _check_engine(ctx, engine) if engine in needed else ""
        has_git = toolchain.locate(ctx, "git") is not None
        diff_version, diff_done = helm_diff.ensure(ctx, versions["helm"], git_available=has_git, sleep=self.sleep)
        for problem in helm_diff.known_bad(versions["helm"], diff_version, versions["helmfile"]):
            ctx.ui.warn(problem)
        rows = [(tool, versions[tool] or "?", str(toolchain.locate(ctx, tool) or ctx.paths.bin_dir / tool),
                 _note(tool, installed, engine, engine_note)) for tool in needed]
        rows.append(("helm-diff", diff_version, str(ctx.paths.helm_plugins), diff_done))
        ctx.ui.table("tools", ("tool", "version", "path", "note"), rows)

    def _install_missing(self, ctx, needed: list[str]) -> list[str]:
        """Install what is missing (or a stale copy of our own); returns the tools installed."""
        wanted = toolchain.to_install(ctx, needed)
        absent = [tool for tool in wanted if toolchain.locate(ctx, tool) is None]
        if absent and not ctx.settings.install_tools:
            raise StepError(
                f"missing: {', '.join(absent)}",
                details=[f"{tool}: llmd-sim would install {toolchain.pinned(ctx.settings, tool)}" for tool in absent],
                hint=f"install them and put them on PATH, or drop --no-install to let llmd-sim put the pinned "
                f"versions in {ctx.paths.bin_dir}",
            )
        if not ctx.settings.install_tools:
            wanted = absent  # nothing absent here: keep the stale copies rather than replace them
        for tool in wanted:
            version = toolchain.pinned(ctx.settings, tool)
            ctx.ui.progress_note(f"installing {tool} {version}")
            installer.install_tool(ctx, tool, version, sleep=self.sleep)
            if not ctx.dry_run:
                toolchain.record_installed(ctx, tool, version)
        return wanted


def _require_system_tools(ctx, needed: list[str]) -> None:
    """docker/podman and git are the user's to install: stop before downloading anything."""
    missing = [tool for tool in needed if tool not in INSTALLABLE and toolchain.locate(ctx, tool) is None]
    if missing and ctx.dry_run and ctx.runner.echo:  # a preview goes on, saying what a real run would need
        for tool in missing:
            ctx.runner.echo(f"# {tool} not found: {SYSTEM_TOOLS_HINT[tool]}")
    elif missing:
        raise StepError(
            f"{' and '.join(missing)} not found on PATH",
            details=[f"{tool}: {SYSTEM_TOOLS_HINT[tool]}" for tool in missing],
            hint="install them, then run `llmd-sim up` again",
        )


def _check_engine(ctx, engine: str) -> str:
    """`<engine> info` decides whether the engine runs; warn when it is smaller than the stack needs.
    Returns a short note for the tools table."""
    result = ctx.runner.run(docker.info(engine), check=False, reads=True)
    if not result.ok:
        raise StepError(
            f"{engine} is not running ({engine} info exited {result.returncode})",
            details=[line for line in (result.stderr or result.stdout).splitlines() if line.strip()][-3:],
            hint=_start_hint(engine, result.stderr),
        )
    memory, cpus = docker.resources(result.stdout)
    if memory is not None and memory < MIN_MEMORY_BYTES:
        ctx.ui.warn(f"{engine} has {memory / 2**30:.1f} GiB of memory; Istio and the model servers want 8 GB: "
                    "pods may be evicted or stay Pending (raise it in the engine's VM settings)")
    if cpus is not None and cpus < MIN_CPUS:
        ctx.ui.warn(f"{engine} has {cpus} CPUs; the stack wants {MIN_CPUS}: start-up will be slow")
    if memory is None or cpus is None:
        return "running"
    return f"running, {cpus} CPUs, {memory / 2**30:.1f} GiB"


def _start_hint(engine: str, stderr: str) -> str:
    if "permission denied" in stderr.lower():
        return "your user may not use the docker socket: `sudo usermod -aG docker $USER`, then log in again"
    macos = platform.system() == "Darwin"
    if engine == "podman":
        return "start it: `podman machine start`" if macos else "start it: `systemctl --user start podman.socket`"
    if macos:
        return "start Docker Desktop (or `colima start` if you use colima), then run again"
    return "start it: `sudo systemctl start docker` (or start Docker Desktop), then run again"


def _note(tool: str, installed: list[str], engine: str, engine_note: str) -> str:
    if tool == engine:
        return engine_note
    if tool in installed:
        return "installed (pinned)"
    return ""


STEP = Prereqs()
