"""Where llmd-sim keeps its files: one home, a target directory per cluster and namespace."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def home() -> Path:
    """$LLMD_SIM_HOME, else the XDG state dir (~/.local/state/llmd-sim)."""
    if os.environ.get("LLMD_SIM_HOME"):
        return Path(os.environ["LLMD_SIM_HOME"]).expanduser().resolve()
    state_home = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state_home).expanduser().resolve() / "llmd-sim"


@dataclass(frozen=True)
class Paths:
    """Every file location; nothing here creates directories (dry-run must touch nothing)."""

    home: Path
    cluster: str
    namespace: str

    @classmethod
    def for_target(cls, cluster: str, namespace: str) -> Paths:
        return cls(home(), cluster, namespace)

    @property
    def bin_dir(self) -> Path:
        """Tools llmd-sim installed; first on PATH for every command it runs."""
        return self.home / "bin"

    @property
    def helm_plugins(self) -> Path:
        return self.home / "helm-plugins"

    @property
    def cache_dir(self) -> Path:
        """Downloads and llm-d clones, shared by every target."""
        return self.home / "cache"

    @property
    def target_dir(self) -> Path:
        return self.home / "targets" / self.cluster / self.namespace

    @property
    def state_file(self) -> Path:
        return self.target_dir / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.target_dir / "lock"

    @property
    def log_dir(self) -> Path:
        return self.target_dir / "logs"

    @property
    def work_dir(self) -> Path:
        """Copies of the guide with llmd-sim's overrides; the user's checkout is never written."""
        return self.target_dir / "work"

    @property
    def run_dir(self) -> Path:
        """Pid files of background processes llmd-sim started (port-forwards)."""
        return self.target_dir / "run"

    def log_file(self, step: str) -> Path:
        return self.log_dir / f"{step}.log"
