"""Helpers for end-to-end runs: state of the target, and checks every run must pass."""

from __future__ import annotations

import json
import os

import pytest

from llmd_sim.paths import Paths

UP_STEPS = ("prereqs", "images", "cluster", "crds", "istio", "deploy", "verify", "smoke")
CREATING = ("kind create", "docker pull", "kind load", "helm plugin install", "helmfile", "git clone")


@pytest.fixture
def state():
    """The saved state of a target, as JSON (None when there is no state file)."""
    def read(cluster: str = "llmd-sim", namespace: str = "llm-d-sim") -> dict | None:
        path = Paths.for_target(cluster, namespace).state_file
        return json.loads(path.read_text()) if path.exists() else None
    return read


@pytest.fixture
def checkout(fake_world, tmp_path):
    return fake_world.llmd_checkout(tmp_path / "llm-d")


@pytest.fixture
def up(fake_world, llmd_sim):
    """`llmd-sim up ARGS`, asserting it succeeded and named a context on every cluster call."""
    def run(*args: str, expect: int = 0):
        result = llmd_sim("up", *args)
        assert result.returncode == expect, f"exit {result.returncode}\n{result.stderr[-4000:]}"
        assert fake_world.calls_without_context() == []
        return result
    return run


def helm_plugins() -> str:
    return os.path.join(os.environ["LLMD_SIM_HOME"], "helm-plugins")
