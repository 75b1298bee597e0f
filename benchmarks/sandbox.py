"""A throwaway fake world for benchmark runs: the fakes of tests/fakeworld first on PATH, its own
world file, HOME, LLMD_SIM_HOME and kubeconfig, and llmd-sim run as a subprocess in it.

The environment is the one the pytest fixtures give a test (tests/conftest.py `isolated`,
tests/fakeworld/pytest_plugin.py `fake_world`); the world itself is read and changed through
the fake world's own handle, FakeWorld.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks.measure import Timed, timed

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the fake world is the `fakeworld` package there

from fakeworld import world  # noqa: E402
from fakeworld.pytest_plugin import BIN, FakeWorld  # noqa: E402

# Variables of the caller's shell that would change how llmd-sim or a fake behaves.
DROPPED = ("HELM_PLUGINS", "HELM_DATA_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "KIND_CLUSTER_NAME",
           "HELMFILE_ENVIRONMENT", "KIND_EXPERIMENTAL_PROVIDER", "DOCKER_HOST")


def llmd_sim_command() -> list[str]:
    """How a person starts llmd-sim with this interpreter: its console script, else `python -m llmd_sim`."""
    script = Path(sys.executable).with_name("llmd-sim")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "llmd_sim"]


class Sandbox:
    """One fresh world under `root`; `world` is the fake world's handle (latency, images, call log).
    `pycache` is where Python keeps compiled modules for every process in it (share one across sandboxes)."""

    def __init__(self, root: Path, pycache: Path | None = None):
        self.root = root
        home = root / "home"
        home.mkdir(parents=True, exist_ok=True)
        path = root / "world.json"
        with world.locked(str(path)) as state:
            state.clear()
            state.update(world.empty())
        self.world = FakeWorld(path)
        self.env = _environment(path, home, root / "llmd-sim-home", pycache or root / "pycache")

    def llmd_sim(self, *args: str, timeout: float = 300) -> Timed:
        """`llmd-sim ARGS...` in this world, timed."""
        return timed([*llmd_sim_command(), *args], env=self.env, timeout=timeout, cwd=self.root)

    def python(self, *args: str, timeout: float = 300) -> Timed:
        """This interpreter with ARGS, in this world's environment, timed."""
        return timed([sys.executable, *args], env=self.env, timeout=timeout, cwd=self.root)

    def run(self, *argv: str, timeout: float = 300) -> Timed:
        """Any command (a fake tool by name) in this world's environment, timed."""
        import shutil

        program = shutil.which(argv[0], path=self.env["PATH"]) or argv[0]
        return timed([program, *argv[1:]], env=self.env, timeout=timeout, cwd=self.root)

    def calls(self) -> list[dict]:
        """Every fake-tool call so far, oldest first ({tool, argv, start, end, exit, ...})."""
        return self.world.calls()


def _environment(world_file: Path, home: Path, llmd_home: Path, pycache: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("FAKEWORLD_", "LLMD_SIM_")) and name not in DROPPED}
    # An installed llmd-sim starts from compiled bytecode (pip compiles it): measure that, even where
    # the caller's shell says PYTHONDONTWRITEBYTECODE, with the cache outside the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({
        "PYTHONPYCACHEPREFIX": str(pycache),
        world.STATE_ENV: str(world_file),
        "HOME": str(home),
        "LLMD_SIM_HOME": str(llmd_home),
        "KUBECONFIG": str(home / ".kube" / "config"),
        "NO_COLOR": "1",
        # The fakes' `#!/usr/bin/env python3` must find this interpreter (it has PyYAML).
        "PATH": os.pathsep.join([str(BIN), os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
    })
    return env
