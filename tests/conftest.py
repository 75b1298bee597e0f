"""Isolation for every test: its own LLMD_SIM_HOME, HOME and plain output (hatch's style)."""

from __future__ import annotations

import importlib.util
import os

import pytest

SETUP = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest -q"
# Without llmd-sim and its dependencies installed every test module fails to import: say how to set up
# (the README's test command) instead of a ModuleNotFoundError per folder.
_missing = [name for name in ("llmd_sim", "typer", "sh", "httpx", "tenacity")
            if importlib.util.find_spec(name) is None]
if _missing:
    pytest.exit(f"this Python lacks {', '.join(_missing)}; run the tests the README's way: {SETUP}", returncode=4)

pytest_plugins = ["fakeworld.pytest_plugin"]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test reads or writes the real home, state dir or kubeconfig."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("LLMD_SIM_HOME", str(tmp_path / "llmd-sim-home"))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube" / "config"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    for var in [v for v in list(os.environ) if v.startswith("LLMD_SIM_") and v != "LLMD_SIM_HOME"]:
        monkeypatch.delenv(var)
    return tmp_path


@pytest.fixture
def make_ctx(tmp_path):
    """A Context whose runner is a FakeRunner: `ctx = make_ctx(namespace="x")`."""
    from llmd_sim import config_sources
    from llmd_sim.context import Context
    from llmd_sim.paths import Paths
    from llmd_sim.ui import UI
    from support.fake_runner import FakeRunner

    def build(dry_run: bool = False, options: dict | None = None, **settings):
        loaded = config_sources.load(env={}, flags=settings)
        paths = Paths.for_target(loaded.cluster_name, loaded.namespace)
        runner = FakeRunner(bin_dir=paths.bin_dir, log_dir=paths.log_dir, dry_run=dry_run)
        return Context(loaded, paths, runner, UI(quiet=True), dict(options or {}))

    return build
