"""What every step is handed: settings, paths, the runner, the UI, and lookups cached for one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmd_sim.config import Settings
from llmd_sim.paths import Paths
from llmd_sim.runner import Runner
from llmd_sim.ui import UI


@dataclass
class Context:
    settings: Settings
    paths: Paths
    runner: Runner
    ui: UI
    # Choices of this command that are not settings, e.g. `down --keep-cluster`.
    options: dict[str, Any] = field(default_factory=dict)
    # Lookups that several steps need and that do not change within a run (kept per run only).
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, ui: UI, *, dry_run: bool = False, **options: Any) -> Context:
        paths = Paths.for_target(settings.cluster_name, settings.namespace)
        runner = Runner(
            bin_dir=paths.bin_dir,
            log_dir=None if dry_run else paths.log_dir,
            timeout=settings.command_timeout,
            dry_run=dry_run,
            echo=ui.out if dry_run else (ui.detail if ui.verbose else None),
            env=_tool_env(settings, paths),
        )
        return cls(settings, paths, runner, ui, options)

    @property
    def dry_run(self) -> bool:
        return self.runner.dry_run

    @property
    def kube_context(self) -> str:
        """The context every kubectl/helm/helmfile call names explicitly."""
        return self.settings.context

    def for_step(self, step: str) -> Context:
        """The same context with a runner that logs to the step's own log file."""
        return Context(self.settings, self.paths, self.runner.for_step(step), self.ui, self.options, self.cache)

    def cached(self, key: str, compute):
        """compute() once per run, e.g. `kubectl api-resources` asked by two steps."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


def _tool_env(settings: Settings, paths: Paths) -> dict[str, str]:
    """Environment for every tool llmd-sim runs: the guide's release postfix for the helmfiles, and
    helm's plugin dir. llmd-sim keeps its own plugin dir so the helm-diff it pins to match the helm
    it uses never replaces (nor is broken by) the plugins in the user's own helm setup."""
    return {"RELEASE_NAME_POSTFIX": settings.release_postfix, "HELM_PLUGINS": str(paths.helm_plugins)}
