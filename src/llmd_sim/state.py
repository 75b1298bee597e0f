"""The step-state file: what ran, when, with which inputs; written atomically, guarded by a lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llmd_sim.errors import StateError

FORMAT = 1
PENDING, RUNNING, DONE, FAILED, INTERRUPTED = "pending", "running", "done", "failed", "interrupted"


@dataclass
class StepRecord:
    """One step's last run."""

    status: str = PENDING
    started_at: float | None = None
    finished_at: float | None = None
    duration: float | None = None
    fingerprint: str | None = None
    inputs: dict = field(default_factory=dict)
    # Order of completion across steps: a step is stale when an earlier step completed after it.
    seq: int = 0
    error: str | None = None


@dataclass
class State:
    """Every step's record for one target (cluster + namespace)."""

    cluster: str
    namespace: str
    steps: dict[str, StepRecord] = field(default_factory=dict)
    last_seq: int = 0

    def record(self, step: str) -> StepRecord:
        return self.steps.setdefault(step, StepRecord())

    def started(self, step: str) -> None:
        self.steps[step] = StepRecord(status=RUNNING, started_at=time.time())

    def finished(self, step: str, fingerprint: str, inputs: dict) -> None:
        rec = self.record(step)
        self.last_seq += 1
        rec.status, rec.fingerprint, rec.inputs, rec.seq, rec.error = DONE, fingerprint, inputs, self.last_seq, None
        self._stop_clock(rec)

    def stopped(self, step: str, status: str, error: str | None) -> None:
        """The step failed or was interrupted: forget its fingerprint so the next run redoes it."""
        rec = self.record(step)
        rec.status, rec.error, rec.fingerprint = status, error, None
        self._stop_clock(rec)

    @staticmethod
    def _stop_clock(rec: StepRecord) -> None:
        rec.finished_at = time.time()
        rec.duration = rec.finished_at - (rec.started_at or rec.finished_at)

    def to_json(self) -> dict:
        return {"format": FORMAT, **asdict(self)}


class StateStore:
    """Reads and writes one target's state file."""

    def __init__(self, path: Path, cluster: str, namespace: str):
        self.path = path
        self.cluster = cluster
        self.namespace = namespace

    def load(self) -> State:
        """The saved state, or a fresh one; a damaged file is an error that says how to reset."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return State(self.cluster, self.namespace)
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            steps = {name: StepRecord(**rec) for name, rec in data["steps"].items()}
            return State(data["cluster"], data["namespace"], steps, int(data["last_seq"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(
                f"state file {self.path} is corrupt ({exc})",
                hint=f"move it away to start over: mv {self.path} {self.path}.bad "
                "(the cluster is untouched; the next `llmd-sim up` re-checks every step)",
            ) from None

    def save(self, state: State) -> None:
        """Write atomically: a crash mid-write leaves the previous file, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(state.to_json(), out, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


@contextlib.contextmanager
def target_lock(path: Path, command: str) -> Iterator[None]:
    """One run per target. flock is released by the kernel when a process dies, so a lock file
    left by a crashed run is simply taken over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateError(
                f"another llmd-sim run holds the lock on this target: {_holder(path)}",
                hint=f"wait for it to finish, or stop it; the lock is {path}",
            ) from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "command": command, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        since = time.strftime("%H:%M:%S", time.localtime(info["since"]))
        return f"pid {info['pid']} (`{info['command']}`, since {since})"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that did not say who it is"


def command_line() -> str:
    """How this process was invoked, for the lock file."""
    return " ".join(["llmd-sim", *sys.argv[1:]])
