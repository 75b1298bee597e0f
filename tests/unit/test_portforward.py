"""The port-forward lifecycle: ready when it accepts connections, kubectl's own words when it fails,
restarted once when it drops, recorded in a pid file while it runs, and never left behind.

These run a test-local kubectl (tests/support/fake_forward.py) that serves the fake simulator."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import sys
import time

import httpx
import pytest

from llmd_sim import config_sources, portforward
from llmd_sim.context import Context
from llmd_sim.errors import ConfigError, StepError
from llmd_sim.ui import UI
from support import fake_forward


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A real Context whose bin dir holds the fake kubectl; `world.pids()` lists every kubectl started."""
    pid_log = tmp_path / "kubectl-pids"
    monkeypatch.setenv("FAKE_PF_PIDS", str(pid_log))
    ctx = Context.create(config_sources.load(env={}), UI(quiet=True))
    fake_forward.install(ctx.paths.bin_dir)
    ctx.pids = lambda: fake_forward.started_pids(pid_log)
    return ctx


def still_running(ctx) -> list[int]:
    return [pid for pid in ctx.pids() if fake_forward.running(pid)]


def test_forward_serves_records_a_pid_file_and_stops_cleanly(world):
    with portforward.PortForward(world) as forward:
        assert httpx.get(f"{forward.url}/v1/models").json()["data"][0]["id"] == "random"
        record = json.loads(forward.pid_file.read_text())
        assert record["pid"] == forward.process.pid and record["port"] == forward.port
        assert record["owner"] == os.getpid()
        assert "port-forward" in record["command"] and "service/infra-sim-inference-gateway-istio" in record["command"]
        assert forward.pid_file.parent == world.paths.run_dir
    assert not forward.pid_file.exists()
    assert world.pids() and still_running(world) == []


def test_forward_names_the_context_namespace_and_gateway_service(world):
    forward = portforward.PortForward(world, port=8123)
    assert forward.argv == ["kubectl", "--context", "kind-llmd-sim", "port-forward", "--address", "127.0.0.1",
                            "-n", "llm-d-sim", "service/infra-sim-inference-gateway-istio", "8123:80"]


def test_missing_service_fails_fast_with_kubectls_words(world, monkeypatch):
    monkeypatch.setenv("FAKE_PF_NO_SERVICE", "1")
    forward = portforward.PortForward(world)
    with pytest.raises(StepError) as caught:
        forward.start()
    assert 'services "infra-sim-inference-gateway-istio" not found' in caught.value.message
    assert "llmd-sim up" in caught.value.hint
    assert not forward.pid_file.exists()


def test_busy_port_says_so_and_suggests_another(world):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(StepError) as caught:
            portforward.PortForward(world, port=taken.getsockname()[1]).start()
    assert "already in use" in caught.value.message and "--port" in caught.value.hint
    assert world.pids() == []  # kubectl was not even started


def test_kubectl_losing_the_race_for_the_port_is_reported_in_its_words(world, monkeypatch):
    port = portforward.free_port()
    blocker = subprocess.Popen([str(world.paths.bin_dir / "kubectl"), "port-forward", "service/x", f"{port}:80"],
                               stdout=subprocess.PIPE, env={**os.environ, "FAKE_PF_PIDS": ""})
    try:
        assert blocker.stdout.readline().startswith(b"Forwarding from")
        monkeypatch.setattr(portforward, "_ensure_free", lambda port: None)  # it was free a moment ago
        # The port answers, but it is the other process answering: only kubectl's own line counts.
        with pytest.raises(StepError) as caught:
            portforward.PortForward(world, port=port).start()
    finally:
        blocker.terminate()
        blocker.wait()
    assert "unable to listen on any of the requested ports" in caught.value.message
    assert "--port" in caught.value.hint


def test_a_forward_that_never_listens_times_out_and_is_stopped(world, monkeypatch):
    monkeypatch.setenv("FAKE_PF_NO_LISTEN", "1")
    forward = portforward.PortForward(world, ready_timeout=0.5)
    with pytest.raises(StepError, match="did not start listening within"):
        forward.start()
    assert still_running(world) == [] and not forward.pid_file.exists()


def test_ctrl_c_while_waiting_stops_kubectl(world, monkeypatch):
    monkeypatch.setenv("FAKE_PF_NO_LISTEN", "1")
    forward = portforward.PortForward(world)
    ctrl_c = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    ctrl_c.start()
    with pytest.raises(KeyboardInterrupt):
        forward.start()
    ctrl_c.join()
    assert still_running(world) == [] and not forward.pid_file.exists()


def test_a_dropped_forward_is_restarted_once_on_the_same_port(world):
    with portforward.PortForward(world) as forward:
        first = forward.process.pid
        os.killpg(first, signal.SIGKILL)  # the forward drops
        forward.process.wait()
        assert forward.recover() is True
        assert forward.process.pid != first
        assert json.loads(forward.pid_file.read_text())["pid"] == forward.process.pid
        assert httpx.get(f"{forward.url}/health").status_code == 200
        assert forward.recover() is False  # only once
    assert still_running(world) == []


def test_dry_run_prints_the_forward_and_starts_nothing(make_ctx, capsys):
    ctx = make_ctx(dry_run=True, port_mappings="30080:18000")
    ctx.runner.echo = print
    with portforward.PortForward(ctx) as forward:
        assert forward.url == "http://127.0.0.1:8000"
    printed = capsys.readouterr().out
    assert "port-forward --address 127.0.0.1 -n llm-d-sim service/infra-sim-inference-gateway-istio 8000:80 &" in printed
    assert not ctx.paths.run_dir.exists()


def test_the_guides_port_is_skipped_when_kind_maps_it_on_the_host(make_ctx):
    assert portforward.preferred_port(make_ctx().settings) == 8001  # the default mapping 30080->8000
    assert portforward.preferred_port(make_ctx(port_mappings="30080:8000,1:8001").settings) == 8002
    assert portforward.preferred_port(make_ctx(port_mappings="30080:9000").settings) == 8000
    assert portforward.preferred_port(make_ctx(kube_context="gke").settings) == 8000  # no kind cluster of ours


def test_endpoint_skips_the_forward_and_must_be_a_url(make_ctx):
    ctx = make_ctx()
    with portforward.gateway(ctx, endpoint="http://10.0.0.5:8080/") as gateway:
        assert gateway.url == "http://10.0.0.5:8080" and gateway.recover() is False
    assert ctx.runner.history == []
    with pytest.raises(ConfigError, match="not a URL"):
        with portforward.gateway(ctx, endpoint="10.0.0.5:8080"):
            pass


def test_stop_forgotten_stops_a_recorded_kubectl_and_forgets_dead_ones(world, tmp_path):
    orphan = subprocess.Popen([str(world.paths.bin_dir / "kubectl"), "--context", "kind-llmd-sim", "port-forward",
                               "--address", "127.0.0.1", "-n", "llm-d-sim", "service/x", f"{portforward.free_port()}:80"],
                              stdout=subprocess.PIPE, start_new_session=True)
    assert orphan.stdout.readline().startswith(b"Forwarding from")
    run_dir = world.paths.run_dir
    run_dir.mkdir(parents=True)
    (run_dir / "port-forward-1111.json").write_text(json.dumps({"pid": orphan.pid, "port": 1111}))
    (run_dir / "port-forward-2222.json").write_text(json.dumps({"pid": 2 ** 22 + 17, "port": 2222}))
    try:
        assert portforward.stop_forgotten(world) == [orphan.pid]
        assert orphan.wait(10) == 0  # the simulator ends cleanly on SIGTERM
        assert list(run_dir.glob("port-forward-*.json")) == []
    finally:
        if orphan.poll() is None:
            orphan.kill()


def test_stop_forgotten_leaves_a_process_that_is_not_kubectl(world):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        world.paths.run_dir.mkdir(parents=True)
        (world.paths.run_dir / "port-forward-3333.json").write_text(json.dumps({"pid": sleeper.pid}))
        assert portforward.stop_forgotten(world) == []
        time.sleep(0.1)
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
