"""Ctrl-C at every step of a real `llmd-sim up`, then a resume that picks up where it stopped."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
import time

import pytest
from support.procs import alive

from e2e.conftest import UP_STEPS

# The command each step is busy with when the user presses Ctrl-C (the fake hangs in it).
BUSY = {
    "prereqs": "^docker info",
    "images": "^docker pull",
    "cluster": "^kind create cluster",
    "crds": "^kubectl .*apply.* -k",
    "istio": "^helmfile .*istio.helmfile.yaml.* apply",
    "deploy": "^helmfile .*helmfile.yaml.gotmpl.* apply",
    "verify": "^kubectl .*rollout status",
    "smoke": "^kubectl .*port-forward",
}


def hanging_call(fake_world, pattern: str, timeout: float = 60) -> dict:
    """The call matching `pattern` that has started and not ended: the one hanging now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hung = [call for call in fake_world.calls()
                if call["exit"] is None and re.search(pattern, shlex.join([call["tool"], *call["argv"]]))]
        if hung:
            return hung[0]
        time.sleep(0.05)
    raise AssertionError("no call hung:\n" + "\n".join(fake_world.commands()[-10:]))


@pytest.mark.parametrize("step", UP_STEPS)
def test_interrupt_at_each_step_then_resume(fake_world, llmd_sim, state, step):
    fake_world.hang(BUSY[step])
    proc = subprocess.Popen([sys.executable, "-m", "llmd_sim", "up"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    hung = hanging_call(fake_world, BUSY[step])
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err[-3000:]
    assert f"interrupted during {step}" in err
    assert not alive(hung["pid"])  # the command it was waiting on was stopped, not orphaned
    assert state()["steps"][step]["status"] == "interrupted"

    resumed = llmd_sim("up")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for earlier in UP_STEPS[: UP_STEPS.index(step)]:
        assert f"· {earlier}" in resumed.stderr  # done before the interruption: skipped
    assert f"→ {step}  (last run was interrupted)" in resumed.stderr
    assert fake_world.calls_without_context() == []
