"""Issue 5 in the fake world: the deployed stack, its generated values, verify's diagnosis, `down`."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest
import yaml
from support.procs import alive

from llmd_sim.paths import Paths

SIM_RELEASES = {"infra-sim": "deployed", "gaie-sim": "deployed", "ms-sim": "deployed"}


def work_values(namespace: str = "llm-d-sim") -> dict:
    work = Paths.for_target("llmd-sim", namespace).work_dir / "simulated-accelerators"
    return {name: yaml.safe_load((work / name / "values.yaml").read_text()) for name in ("gaie-sim", "ms-sim")}


def test_up_reaches_a_verified_stack_with_monitoring_off_without_the_operator(fake_world, up):
    result = up()
    assert fake_world.releases(namespace="llm-d-sim") == SIM_RELEASES
    assert fake_world.names("HTTPRoute", namespace="llm-d-sim") == ["llm-d-sim"]
    assert all(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())
    values = work_values()
    assert values["gaie-sim"]["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is False
    assert values["ms-sim"]["decode"]["monitoring"]["podmonitor"]["enabled"] is False
    assert fake_world.names("PodMonitor") == [] and fake_world.names("ServiceMonitor") == []
    assert "monitoring off" in result.stderr
    assert "smoke" in result.stderr and "curl" in result.stderr


def test_monitoring_stays_on_when_the_cluster_serves_it(fake_world, up):
    fake_world.monitoring_crds()
    up()
    values = work_values()
    assert values["gaie-sim"]["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is True
    assert values["ms-sim"]["prefill"]["monitoring"]["podmonitor"]["enabled"] is True
    assert fake_world.names("PodMonitor", namespace="llm-d-sim")
    assert fake_world.names("ServiceMonitor", namespace="llm-d-sim")


def test_another_namespace_gets_the_releases_and_the_route(fake_world, up):
    up("--namespace", "team-a")
    assert fake_world.releases(namespace="team-a") == SIM_RELEASES
    assert fake_world.names("HTTPRoute", namespace="team-a") == ["llm-d-sim"]
    assert fake_world.names("HTTPRoute", namespace="llm-d-sim") == []


def test_a_pod_stuck_pulling_fails_verify_with_its_reason(fake_world, up, state):
    fake_world.pod_never_ready("ms-sim-llm-d-modelservice-decode", "ImagePullBackOff")
    result = up("--wait-timeout", "3s", expect=1)
    assert state()["steps"]["verify"]["status"] == "failed"
    assert "ImagePullBackOff" in result.stderr
    assert "ms-sim-llm-d-modelservice-decode" in result.stderr
    assert "Traceback" not in result.stderr


# One fault per step, in the command that step runs first or mainly.
FAILURES = {
    "prereqs": ("^docker info", {}),
    "images": ("^docker pull", {"times": 0, "stderr": "Error response from daemon: manifest unknown"}),
    "cluster": ("^kind create cluster", {}),
    "crds": ("^kubectl .*apply.* -k", {"times": 0}),
    "istio": ("^helmfile .*istio.helmfile.yaml.* apply", {"times": 0}),
    "deploy": ("^helmfile .*helmfile.yaml.gotmpl.* apply", {"times": 0}),
    "verify": ("^kubectl .*rollout status", {"times": 0}),
    "smoke": ("^kubectl .*port-forward", {"times": 0}),
}


@pytest.mark.parametrize("step", FAILURES)
def test_down_after_an_up_that_failed_at_each_step_leaves_nothing(fake_world, up, llmd_sim, state, step):
    match, how = FAILURES[step]
    fake_world.fail(match, exit=1, **{"stderr": "Error: injected failure", **how})
    up(expect=1)
    assert state()["steps"][step]["status"] == "failed"

    down = llmd_sim("down")
    assert down.returncode == 0, down.stderr[-3000:]
    assert fake_world.clusters() == [] and fake_world.contexts() == []
    assert state() is None
    assert fake_world.calls_without_context() == []


def test_down_twice_and_keep_cluster(fake_world, up, llmd_sim):
    up()
    kept = llmd_sim("down", "--keep-cluster")
    assert kept.returncode == 0, kept.stderr[-3000:]
    assert fake_world.clusters() == ["llmd-sim"]
    assert fake_world.releases() == {}
    assert fake_world.names("HTTPRoute", namespace="llm-d-sim") == []
    for _ in range(2):
        again = llmd_sim("down")
        assert again.returncode == 0, again.stderr[-3000:]
    assert fake_world.clusters() == []
    assert fake_world.calls_without_context() == []


def test_port_forward_after_up_avoids_the_port_kind_holds(fake_world, up):
    up()
    proc = subprocess.Popen([sys.executable, "-m", "llmd_sim", "port-forward"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":8000")  # kind maps 30080->8000
        assert httpx.get(f"{url}/v1/models", timeout=10).json()["data"][0]["id"] == "random"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "port-forward stopped" in err
    forwards = [call for call in fake_world.calls("kubectl") if "port-forward" in call["argv"]]
    assert forwards[-1]["exit"] is not None or not alive(forwards[-1]["pid"])
