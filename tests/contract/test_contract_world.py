"""The world's own machinery: fault injection, hanging calls, call records, environment knobs."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from contract.stack import ok


def test_the_fakes_come_first_on_path(fake_world):
    for tool in ("docker", "kind", "kubectl", "helm", "helmfile", "git"):
        assert shutil.which(tool) == str(fake_world.bin / tool)


def test_the_nth_matching_call_fails_as_told(fake_world):
    fake_world.fail(r"^docker pull .*inference-sim", exit=1, stderr="Error response from daemon: toomanyrequests",
                    nth=2)
    image = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    ok(fake_world.run("docker", "pull", image))
    second = fake_world.run("docker", "pull", image)
    assert (second.returncode, second.stderr.strip()) == (1, "Error response from daemon: toomanyrequests")
    ok(fake_world.run("docker", "pull", image))
    assert [call["exit"] for call in fake_world.calls("docker")] == [0, 1, 0]


def test_a_hanging_call_runs_until_killed(fake_world):
    fake_world.hang(r"^helmfile ")
    proc = subprocess.Popen(["helmfile", "version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(timeout=0.5)
    proc.terminate()
    assert proc.wait(timeout=5) < 0
    assert fake_world.calls("helmfile")[0]["exit"] is None


def test_environment_knobs_override_the_file(fake_world, monkeypatch):
    monkeypatch.setenv("FAKEWORLD_UNREACHABLE", "ghcr.io")
    assert fake_world.run("docker", "pull", "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1").returncode == 1
    monkeypatch.setenv("FAKEWORLD_FAULTS", '[{"match": "^kind version", "exit": 3, "stderr": "boom"}]')
    result = fake_world.run("kind", "version")
    assert (result.returncode, result.stderr.strip()) == (3, "boom")


def test_calls_are_recorded_with_exit_codes_and_contexts(fake_world, cluster):
    fake_world.run("helm", "--kube-context", cluster, "list", "-n", "default", "-o", "json")
    fake_world.run("helmfile", "--kube-context", cluster, "-f", "/nonexistent.yaml", "sync")
    fake_world.run("kubectl", "get", "pods")
    calls = [(c["tool"], c["exit"], c["context"], c["cluster"]) for c in fake_world.calls()]
    assert calls == [("helm", 0, cluster, True), ("helmfile", 1, cluster, False), ("kubectl", 0, None, True)]
    assert fake_world.calls_without_context() == ["kubectl get pods"]
