"""Fixtures for the contract tests: a cluster made directly in the world, and an llm-d checkout."""

from __future__ import annotations

import pytest


@pytest.fixture
def cluster(fake_world):
    """A ready kind cluster `llmd-sim` (one worker) with its context current."""
    fake_world.create_cluster("llmd-sim")
    return "kind-llmd-sim"


@pytest.fixture
def checkout(fake_world, tmp_path):
    return fake_world.llmd_checkout(tmp_path / "llm-d")
