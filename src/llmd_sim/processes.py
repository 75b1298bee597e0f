"""Process control under the runner: start a command with sh in its own process group, wait for
its exit code, and stop its whole group (helmfile -> helm, kubectl port-forward) when asked.

Never test an sh RunningCommand for truth: sh answers `len()` by waiting for the process to end.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from llmd_sim.errors import ToolMissing

if TYPE_CHECKING:
    import sh

# Seconds between SIGTERM and SIGKILL when stopping a command's process group.
KILL_GRACE = 3.0
ANY_EXIT = list(range(256))  # we read exit codes ourselves; sh must not raise on them


def spawn(executable: str, argv: list[str], *, env: dict[str, str], log: BinaryIO | None, keep: set[str] | str,
          input: str | None = None, cwd: str | None = None, out=None) -> sh.RunningCommand:
    """Start argv in the background in a new process group; output goes to `log`, and the streams
    named in `keep` ("out", "err") are also kept in memory for the caller. `out`, when given,
    receives stdout line by line instead of the log."""
    import sh  # ~0.1 s to import: only when a command really runs

    try:
        return sh.Command(executable)(
            *argv[1:],
            _bg=True,
            _bg_exc=False,
            _new_group=True,  # so a timeout or Ctrl-C stops the whole tree
            _tty_out=False,
            _in=input,
            _cwd=cwd,
            _env=env,
            _out=out or log,
            _err=log,
            _tee=keep,
            _ok_code=ANY_EXIT,
            _return_cmd=True,
        )
    except OSError as exc:
        raise ToolMissing(f"cannot run {argv[0]}: {exc.strerror}", hint=f"check {executable}") from None


def wait(proc: sh.RunningCommand) -> int:
    """Block until the command ends; its exit code (negative for a signal). Ctrl-C interrupts."""
    import sh

    try:
        proc.wait()
        return proc.exit_code
    except sh.SignalException as exc:
        return exc.exit_code


def stop_group(proc: sh.RunningCommand) -> None:
    """SIGTERM the command's process group, then SIGKILL whatever is left after a grace period."""
    try:
        pgid = os.getpgid(proc.pid)
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + KILL_GRACE
    while time.monotonic() < deadline and proc.is_alive():
        time.sleep(0.02)
    try:
        os.killpg(pgid, signal.SIGKILL)  # also reaps grandchildren that ignored SIGTERM
    except ProcessLookupError:
        pass


def text(data: bytes | str) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


class Background:
    """A command started with Runner.start; `proc` is None in a dry run. Its stdout goes to the log
    line by line, and wait_for_line() wakes on the line it waits for, or on the command's exit."""

    def __init__(self, argv: list[str], log: BinaryIO | None, on_stop: Callable[[sh.RunningCommand], None]):
        self.argv = argv
        self.proc: sh.RunningCommand | None = None
        self._log = log
        self._on_stop = on_stop
        self._news = threading.Condition()
        self._lines: list[str] = []
        self._ended = False

    def attach(self, proc: sh.RunningCommand) -> None:
        """Follow `proc`: a watcher thread notices its exit as it happens (no polling)."""
        self.proc = proc
        threading.Thread(target=self._watch, daemon=True, name=f"watch {proc.pid}").start()

    def take_line(self, line: str) -> None:
        """sh's stdout callback: keep the line for waiters, and log it."""
        if self._log and not self._log.closed:
            self._log.write(line.encode())
        with self._news:
            self._lines = [*self._lines[-99:], line.rstrip("\n")]
            self._news.notify_all()

    def wait_for_line(self, prefix: str, timeout: float) -> bool:
        """Block until stdout has a line starting with `prefix` (True), or the command ended or
        `timeout` passed (False)."""
        with self._news:
            self._news.wait_for(lambda: self._seen(prefix) or self._ended, timeout)
            return self._seen(prefix)

    def _seen(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in self._lines)

    def _watch(self) -> None:
        wait(self.proc)
        with self._news:
            self._ended = True
            self._news.notify_all()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def stderr(self) -> str:
        """What the command has written to stderr so far (where kubectl puts its errors)."""
        return text(self.proc.process.stderr) if self.proc is not None else ""

    def exit_code(self) -> int | None:
        """The exit code once the process has ended, else None."""
        if self.proc is None or self.proc.is_alive():
            return None
        return self.proc.process.exit_code

    def wait(self) -> int | None:
        """Block until the command ends (Ctrl-C still interrupts); its exit code, None in dry-run."""
        return wait(self.proc) if self.proc is not None else None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.is_alive():
            stop_group(self.proc)
        wait(self.proc)  # sh's output threads finish writing to the log before it is closed
        self._on_stop(self.proc)
        if self._log:
            self._log.close()
            self._log = None
