"""What the root command collected: global options, turned into Settings and a UI on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmd_sim.config import Settings
from llmd_sim.ui import UI


@dataclass
class Session:
    config_file: str | None = None
    verbose: bool = False
    quiet: bool = False
    flags: dict[str, Any] = field(default_factory=dict)
    assignments: list[str] = field(default_factory=list)
    _settings: Settings | None = None
    _ui: UI | None = None

    @property
    def ui(self) -> UI:
        if self._ui is None:
            self._ui = UI(verbose=self.verbose, quiet=self.quiet)
        return self._ui

    def settings(self) -> Settings:
        """Load and validate every setting once; a bad value raises ConfigError (exit 2)."""
        if self._settings is None:
            from llmd_sim import config_sources

            self._settings = config_sources.load(self.config_file, flags=self.flags, assignments=self.assignments)
        return self._settings


# The session of this process, for the error handler in cli.main (set by the root callback).
current = Session()
