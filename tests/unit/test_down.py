"""`llmd-sim down` as a person runs it: exit codes, the state file, dry-run output."""

from __future__ import annotations

import pytest
from support.cli import run_cli

from llmd_sim.commands import down as down_command
from llmd_sim.context import Context
from llmd_sim.paths import Paths
from llmd_sim.state import StateStore


class FakeWorld:
    """Routes `down` to a FakeRunner: `rules` are scripted into each context the command makes."""

    def __init__(self):
        self.rules: list[tuple[tuple[str, ...], dict]] = [(("kind", "get", "clusters"), {"stdout": "llmd-sim\n"})]
        self.contexts: list[Context] = []

    def on(self, *tokens: str, **answer) -> None:
        self.rules.append((tokens, answer))


@pytest.fixture
def world(monkeypatch):
    from support.fake_runner import FakeRunner

    fake = FakeWorld()
    real_create = Context.create

    def create(settings, ui, *, dry_run=False, **options):
        ctx = real_create(settings, ui, dry_run=dry_run, **options)
        ctx.runner = FakeRunner(bin_dir=ctx.paths.bin_dir, dry_run=dry_run)
        for tokens, answer in fake.rules:
            ctx.runner.on(*tokens, **answer)
        fake.contexts.append(ctx)
        return ctx

    monkeypatch.setattr(down_command.Context, "create", create)
    return fake


def seeded_state():
    paths = Paths.for_target("llmd-sim", "llm-d-sim")
    store = StateStore(paths.state_file, "llmd-sim", "llm-d-sim")
    state = store.load()
    state.finished("deploy", "abc", {})
    store.save(state)
    return paths.state_file


def test_down_deletes_the_cluster_and_forgets_the_state(capsys, monkeypatch, world):
    state_file = seeded_state()
    code, _, err = run_cli(capsys, monkeypatch, "down")
    assert code == 0 and "nothing left behind" in err
    assert world.contexts[0].runner.calls("kind", "delete", "cluster", "--name", "llmd-sim")
    assert not state_file.exists()


def test_a_failed_part_exits_1_and_keeps_the_state(capsys, monkeypatch, world):
    state_file = seeded_state()
    world.on("kind", "delete", "cluster", returncode=1, stderr="ERROR: failed to delete cluster: docker not running")
    code, _, err = run_cli(capsys, monkeypatch, "down")
    assert code == 1
    assert "error: down did not finish: cluster failed" in err and "docker not running" in err
    assert state_file.exists()


def test_keep_cluster_says_the_cluster_stays(capsys, monkeypatch, world):
    world.on("helm", "list", stdout="[]")
    code, _, err = run_cli(capsys, monkeypatch, "down", "--keep-cluster")
    assert code == 0 and "the cluster stays" in err
    assert world.contexts[0].runner.calls("kind", "delete") == []


def test_dry_run_prints_a_script_and_touches_nothing(capsys, monkeypatch, tmp_path):
    code, out, _ = run_cli(capsys, monkeypatch, "down", "--dry-run", "--keep-cluster")
    assert code == 0
    assert "helm --kube-context kind-llmd-sim uninstall ms-sim -n llm-d-sim" in out
    assert "kubectl --context kind-llmd-sim delete namespace llm-d-sim istio-system --ignore-not-found" in out
    assert "kind delete cluster" not in out
    assert not (tmp_path / "llmd-sim-home").exists()
