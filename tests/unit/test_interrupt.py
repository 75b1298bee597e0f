"""Ctrl-C and SIGTERM on a real `llmd-sim up` process, and the lock between two runs."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from support.procs import alive

from llmd_sim.paths import Paths
from llmd_sim.state import target_lock

TOOLS = ("docker", "podman", "kind", "kubectl", "helm", "helmfile", "git")


@pytest.fixture
def hanging_tools(tmp_path):
    """Every tool llmd-sim may call records its pid and then hangs, as a stuck `docker pull` would."""
    bin_dir = tmp_path / "hang-bin"
    bin_dir.mkdir()
    pids = tmp_path / "pids"
    for name in TOOLS:
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\necho $$ >> {pids}\nsleep 300 &\nwait\n")
        tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return bin_dir, pids


def start_up(tmp_path, bin_dir):
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(bin_dir), os.path.dirname(sys.executable), "/usr/bin", "/bin"]),
        "LLMD_SIM_HOME": str(tmp_path / "llmd-sim-home"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "llmd_sim", "up", "--no-install"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return [int(pid) for pid in path.read_text().split()]
        time.sleep(0.05)
    raise AssertionError(f"nothing wrote {path}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_records_the_step_stops_children_and_exits_130(tmp_path, hanging_tools, signum):
    bin_dir, pids = hanging_tools
    proc = start_up(tmp_path, bin_dir)
    children = wait_for(pids)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted during prereqs" in err
    assert "Traceback" not in err
    assert not any(alive(pid) for pid in children)
    state = json.loads(Paths.for_target("llmd-sim", "llm-d-sim").state_file.read_text())
    assert state["steps"]["prereqs"]["status"] == "interrupted"

    status = subprocess.run([sys.executable, "-m", "llmd_sim", "status", "--json"], capture_output=True, text=True,
                            env={**os.environ, "LLMD_SIM_HOME": str(tmp_path / "llmd-sim-home")}, timeout=60)
    steps = {s["step"]: s for s in json.loads(status.stdout)["steps"]}
    assert steps["prereqs"]["reason"] == "last run was interrupted"


def test_a_second_run_on_the_same_target_is_refused(tmp_path, hanging_tools):
    bin_dir, _ = hanging_tools
    paths = Paths.for_target("llmd-sim", "llm-d-sim")
    with target_lock(paths.lock_file, "llmd-sim up"):
        proc = start_up(tmp_path, bin_dir)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"another llmd-sim run holds the lock on this target: pid {os.getpid()}" in err
