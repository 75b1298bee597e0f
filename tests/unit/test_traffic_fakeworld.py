"""`llmd-sim test` and `bench` through the fake world's own kubectl port-forward to a deployed stack:
the gateway Service, the HTTPRoute and the InferencePool's decode pods, as the guide leaves them."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from contract import stack
from fakeworld import world

DECODE_PODS = 3  # ms-sim/values.yaml: decode.replicas


@pytest.fixture
def deployed(fake_world, tmp_path):
    """The guide's stack, deployed in the fake world the way llmd-sim's deploy step leaves it."""
    fake_world.create_cluster("llmd-sim")
    checkout = fake_world.llmd_checkout(tmp_path / "llm-d")
    stack.install_crds(fake_world)
    stack.install_istio(fake_world, checkout)
    stack.deploy_sim(fake_world, checkout)
    return fake_world


def forwards_of(fake_world) -> list[int]:
    """Running `kubectl port-forward` processes of this test's world."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        mine = f"{world.STATE_ENV}={fake_world.path}".encode() in environ
        if mine and b"port-forward" in argv and state != "Z":
            found.append(int(proc.name))
    return found


def test_test_passes_against_the_deployed_stack(deployed, llmd_sim):
    result = llmd_sim("test", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert "served by ms-sim-llm-d-modelservice-decode-" in report["checks"][1]["reason"]
    assert any(call["argv"][:2] == ["--context", "kind-llmd-sim"] and "port-forward" in call["argv"]
               for call in deployed.calls("kubectl"))
    assert forwards_of(deployed) == []


def test_bench_spreads_over_the_decode_pods(deployed, llmd_sim):
    result = llmd_sim("bench", "-n", "30", "-c", "3", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["requests"]["ok"] == 30
    assert len(report["pods"]) == DECODE_PODS and sum(report["pods"].values()) == 30
    assert forwards_of(deployed) == []


def test_sigint_mid_test_leaves_no_port_forward(deployed):
    import subprocess
    import sys

    env = {**os.environ, "FAKEWORLD_SIM_TTFT_MS": "30000"}  # completions hang until interrupted
    proc = subprocess.Popen([sys.executable, "-m", "llmd_sim", "test"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 30
    while not forwards_of(deployed):
        assert time.monotonic() < deadline and proc.poll() is None, "no port-forward started"
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert forwards_of(deployed) == []
