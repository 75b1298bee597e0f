"""`llmd-sim test`, `bench` and `port-forward` as a person runs them: exit codes, stdout/stderr, and no
kubectl left behind, even after Ctrl-C or SIGTERM mid-run. The kubectl here is the test-local one that
port-forwards to the fake simulator (tests/support/fake_forward.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from fakeworld import simserver
from fakeworld.simserver import SimConfig
from llmd_sim.portforward import free_port
from support import fake_forward


@pytest.fixture
def world(tmp_path, monkeypatch):
    pid_log = tmp_path / "kubectl-pids"
    monkeypatch.setenv("FAKE_PF_PIDS", str(pid_log))
    monkeypatch.setenv("FAKEWORLD_SIM_PODS", "decode-0,decode-1")
    home = Path(os.environ["LLMD_SIM_HOME"])
    fake_forward.install(home / "bin")
    return pid_log, home / "targets" / "llmd-sim" / "llm-d-sim" / "run"


def llmd_sim(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "llmd_sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def nothing_left(world) -> bool:
    pid_log, run_dir = world
    pids = fake_forward.started_pids(pid_log)
    return bool(pids) and not any(fake_forward.running(pid) for pid in pids) and not list(run_dir.glob("*.json"))


def wait_for_forward(world, timeout: float = 20.0) -> None:
    """Until a port-forward is recorded (the command is mid-run)."""
    deadline = time.monotonic() + timeout
    while not list(world[1].glob("port-forward-*.json")):
        assert time.monotonic() < deadline, "no port-forward was started"
        time.sleep(0.05)


def test_test_passes_through_a_port_forward_and_leaves_nothing_running(world):
    code, out, err = finish(llmd_sim("test"))
    assert code == 0, err
    assert "testing http://127.0.0.1:" in err and "✓ pass" in err and "✗" not in err
    assert out == ""
    assert nothing_left(world)


def test_test_json_reports_failures_and_exits_1(world, monkeypatch):
    monkeypatch.setenv("FAKEWORLD_SIM_ERROR_RATE", "1")
    code, out, err = finish(llmd_sim("test", "--json"))
    assert code == 1
    report = json.loads(out)
    assert report["passed"] is False and report["model"] == "random"
    assert [c["ok"] for c in report["checks"]] == [True, False, False, False, False]
    assert "error: 4 of 5 checks failed" in err and "hint:" in err
    assert nothing_left(world)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_test_mid_run_stops_kubectl(world, monkeypatch, signum):
    monkeypatch.setenv("FAKEWORLD_SIM_TTFT_MS", "30000")  # the completion check hangs
    proc = llmd_sim("test")
    wait_for_forward(world)
    time.sleep(0.3)
    proc.send_signal(signum)
    code, _, err = finish(proc)
    assert code == 130
    assert "Traceback" not in err and "interrupted" in err
    assert nothing_left(world)


def test_a_missing_gateway_service_is_one_clear_error(world, monkeypatch):
    monkeypatch.setenv("FAKE_PF_NO_SERVICE", "1")
    code, _, err = finish(llmd_sim("test"))
    assert code == 1
    assert 'error: kubectl port-forward exited: Error from server (NotFound): services' in err
    assert "Traceback" not in err


def test_global_options_may_follow_the_command(world):
    with simserver.running(SimConfig()) as server:
        code, out, err = finish(llmd_sim("test", "--endpoint", f"http://127.0.0.1:{server.port}", "--json",
                                         "--cluster", "other", "--namespace", "elsewhere"))
    assert code == 0, err
    assert json.loads(out)["passed"] is True


def test_bench_json_has_the_figures(world):
    with simserver.running(SimConfig(pods=["p0", "p1"], ttft_ms=10)) as server:
        code, out, err = finish(llmd_sim("bench", "--endpoint", f"http://127.0.0.1:{server.port}", "-n", "20",
                                         "-c", "4", "--json", "--prefix-groups", "2"))
    assert code == 0, err
    report = json.loads(out)
    assert report["requests"] == {"total": 20, "ok": 20, "failed": 0}
    assert report["pods"] == {"p0": 10, "p1": 10}
    assert report["options"]["prefix_groups"] == 2 and report["latency_ms"]["p50"] >= 10
    assert "throughput" in err and "pod p0" in err


def test_bench_when_every_request_fails_exits_1(world, monkeypatch):
    monkeypatch.setenv("FAKEWORLD_SIM_ERROR_RATE", "1")
    code, out, err = finish(llmd_sim("bench", "-n", "6", "--duration", "bogus"))
    assert code == 2 and "--duration 'bogus'" in err
    code, out, err = finish(llmd_sim("bench", "-n", "6"))
    assert code == 1 and "error: every request failed (HTTP 500)" in err
    assert nothing_left(world)


def test_port_forward_prints_the_url_and_stops_on_ctrl_c(world):
    port = str(free_port())
    proc = llmd_sim("port-forward", "--port", port)
    url = proc.stdout.readline().strip()
    assert url == f"http://127.0.0.1:{port}"
    assert httpx.get(f"{url}/v1/models").status_code == 200
    proc.send_signal(signal.SIGINT)
    code, _, err = finish(proc)
    assert code == 0 and "port-forward stopped" in err and f"curl {url}/v1/models" in err
    assert nothing_left(world)



def test_port_forward_restarts_a_dropped_forward_once_then_gives_up(world):
    port = free_port()
    proc = llmd_sim("port-forward", "--port", str(port))
    assert proc.stdout.readline().strip() == f"http://127.0.0.1:{port}"
    pid_file = world[1] / f"port-forward-{port}.json"
    first = json.loads(pid_file.read_text())["pid"]
    os.killpg(first, signal.SIGKILL)  # the forward drops
    while "port-forward restarted" not in (line := proc.stderr.readline()):
        assert line, "the forward was not restarted"
    assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    os.killpg(json.loads(pid_file.read_text())["pid"], signal.SIGKILL)  # drops again at once: a crash loop
    code, _, err = finish(proc)
    assert code == 1 and "error: the port-forward exited: killed by signal 9" in err
    assert nothing_left(world)
