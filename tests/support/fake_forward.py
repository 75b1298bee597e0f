"""A test-local `kubectl` that only port-forwards: it prints kubectl's Forwarding line and serves the fake
world's simulator on the local port (knobs from FAKEWORLD_SIM_* in its environment).

Failure modes, from its environment: FAKE_PF_NO_SERVICE=1 (the service is missing), FAKE_PF_NO_LISTEN=1
(stays up but never listens). A busy port fails the way kubectl does. Every start appends its pid to
$FAKE_PF_PIDS, so a test can prove that none is left running.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

SCRIPT = '''#!{python}
import os, sys, time
sys.path.insert(0, {tests!r})
from fakeworld import simserver

args = sys.argv[1:]
if "port-forward" not in args:
    sys.exit("fake kubectl: only port-forward is modelled here")
local = int(args[-1].split(":")[0])
service = next(a for a in args if a.startswith("service/"))
if os.environ.get("FAKE_PF_PIDS"):
    with open(os.environ["FAKE_PF_PIDS"], "a") as log:
        log.write(f"{{os.getpid()}}\\n")
if os.environ.get("FAKE_PF_NO_SERVICE"):
    print(f'Error from server (NotFound): services "{{service[8:]}}" not found', file=sys.stderr)
    sys.exit(1)
if os.environ.get("FAKE_PF_NO_LISTEN"):
    time.sleep(3600)
ready = lambda: print(f"Forwarding from 127.0.0.1:{{local}} -> 8000", flush=True)
try:
    simserver.serve("127.0.0.1", local, simserver.SimConfig.from_env(os.environ), ready)
except OSError as exc:
    print(f"Unable to listen on port {{local}}: Listeners failed to create with the following errors: "
          f"[unable to create listener: Error listen tcp4 127.0.0.1:{{local}}: bind: address already in use]",
          file=sys.stderr)
    print(f"error: unable to listen on any of the requested ports: [{{{{{{local}} 8000}}}}]", file=sys.stderr)
    sys.exit(1)
'''


def install(bin_dir: Path) -> Path:
    """Write the fake kubectl into `bin_dir` (the runner puts llmd-sim's bin dir first on PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "kubectl"
    path.write_text(SCRIPT.format(python=sys.executable, tests=str(TESTS)))
    path.chmod(0o755)
    return path


def running(pid: int) -> bool:
    """Is the process alive (a zombie nobody reaped yet counts as ended)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        state = next((line for line in status.read_text().splitlines() if line.startswith("State:")), "")
        return "zombie" not in state
    return True


def started_pids(pid_log: Path) -> list[int]:
    return [int(line) for line in pid_log.read_text().split()] if pid_log.exists() else []
