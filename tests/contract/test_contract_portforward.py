"""`kubectl port-forward` to the gateway serves the simulated model servers (FACTS.md sections 3 and 5)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

from contract.stack import CONTEXT, deploy_sim, install_crds, install_istio, kubectl, ok
from fakeworld import world

SERVICE = "service/infra-sim-inference-gateway-istio"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def forward(port: int, address: str = "127.0.0.1") -> subprocess.Popen:
    return subprocess.Popen(["kubectl", "--context", CONTEXT, "port-forward", "--address", address, "-n", "llm-d-sim",
                             SERVICE, f"{port}:80"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def stack(fake_world, cluster, checkout):
    install_crds(fake_world)
    install_istio(fake_world, checkout)
    return checkout


def get(url: str, body: dict | None = None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, json.loads(response.read())


def test_forwards_to_the_simulator_with_pod_headers(fake_world, stack):
    deploy_sim(fake_world, stack, pod_name=True)
    port = free_port()
    proc = forward(port)
    try:
        assert proc.stdout.readline() == f"Forwarding from 127.0.0.1:{port} -> 80\n"
        _, models = get(f"http://127.0.0.1:{port}/v1/models")
        assert [model["id"] for model in models["data"]] == ["random"]
        headers, answer = get(f"http://127.0.0.1:{port}/v1/completions",
                              {"model": "random", "prompt": "hello", "max_tokens": 4})
        assert answer["usage"]["completion_tokens"] == 4
        decode = [name for name in fake_world.pods("llm-d-sim") if "-decode-" in name]
        assert headers["x-inference-pod"] in decode
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) is not None
    with pytest.raises(OSError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_no_pod_header_without_pod_name_in_the_values(fake_world, stack):
    deploy_sim(fake_world, stack, pod_name=False)
    port = free_port()
    proc = forward(port, address="localhost")
    try:
        assert proc.stdout.readline() == f"Forwarding from 127.0.0.1:{port} -> 80\n"
        assert proc.stdout.readline() == f"Forwarding from [::1]:{port} -> 80\n"
        headers, _ = get(f"http://127.0.0.1:{port}/v1/completions", {"model": "random", "prompt": "x", "max_tokens": 2})
        assert headers.get("x-inference-pod") is None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_without_a_route_the_gateway_answers_404(fake_world, stack, checkout):
    from contract.stack import override, sim_helmfile

    override(checkout)
    ok(sim_helmfile(fake_world, checkout, "sync"))  # no HTTPRoute applied
    port = free_port()
    proc = forward(port)
    try:
        proc.stdout.readline()
        with pytest.raises(urllib.error.HTTPError) as error:
            get(f"http://127.0.0.1:{port}/v1/models")
        assert error.value.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_busy_port_fails_like_kubectl(fake_world, stack):
    deploy_sim(fake_world, stack)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = kubectl(fake_world, "port-forward", "--address", "127.0.0.1", "-n", "llm-d-sim", SERVICE, f"{port}:80")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Unable to listen on port {port}:") and "address already in use" in lines[0]
    assert lines[-1] == f"error: unable to listen on any of the requested ports: [{{{port} 80}}]"


def test_a_host_port_a_kind_cluster_maps_is_busy(fake_world, stack):
    deploy_sim(fake_world, stack)
    with world.locked(str(fake_world.path)) as state:
        state["clusters"]["llmd-sim"]["ports"] = [8000]  # as a kind config with 30080->8000 leaves it
    result = kubectl(fake_world, "port-forward", "--address", "127.0.0.1", "-n", "llm-d-sim", SERVICE, "8000:80")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "error: unable to listen on any of the requested ports: [{8000 80}]"


def test_a_missing_service(fake_world, cluster):
    result = kubectl(fake_world, "port-forward", "-n", "llm-d-sim", "service/nope", "8000:80")
    assert (result.returncode, result.stderr.strip()) == (1, 'Error from server (NotFound): services "nope" not found')
