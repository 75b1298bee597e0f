"""The one exec seam: every external command llmd-sim runs goes through Runner.run or Runner.start.

Argv lists only (never a shell string), a timeout on every command, full output appended to the
step's log, a CommandError that carries the pasteable command on failure, and a dry-run mode that
prints the commands as a script instead of running them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable

from llmd_sim.errors import CommandError, ToolMissing

if TYPE_CHECKING:
    import sh

# Seconds between SIGTERM and SIGKILL when stopping a command's process group.
KILL_GRACE = 3.0


@dataclass
class Result:
    """A finished command."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def command(self) -> str:
        return shlex.join(self.argv)


class Runner:
    """Runs commands for one step; `for_step` makes siblings that share the live-process registry."""

    def __init__(
        self,
        *,
        bin_dir: Path | None = None,
        log_dir: Path | None = None,
        timeout: float = 600.0,
        dry_run: bool = False,
        echo: Callable[[str], None] | None = None,
        env: dict[str, str] | None = None,
        step: str = "llmd-sim",
    ):
        self.bin_dir = bin_dir
        self.log_dir = log_dir
        self.timeout = timeout
        self.dry_run = dry_run
        # Called with each command line as it starts (verbose mode) or, in dry-run, with script lines.
        self.echo = echo
        self.extra_env = dict(env or {})
        self.step = step
        self.history: list[list[str]] = []
        self._live: dict[int, sh.RunningCommand] = {}
        self._lock = threading.Lock()

    def for_step(self, step: str) -> Runner:
        sibling = Runner(
            bin_dir=self.bin_dir,
            log_dir=self.log_dir,
            timeout=self.timeout,
            dry_run=self.dry_run,
            echo=self.echo,
            env=self.extra_env,
            step=step,
        )
        sibling.history, sibling._live, sibling._lock = self.history, self._live, self._lock
        return sibling

    @property
    def log_path(self) -> Path | None:
        return self.log_dir / f"{self.step}.log" if self.log_dir else None

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        argv: list[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: str | None = None,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        reads: bool = False,
        hint: str | None = None,
    ) -> Result:
        """Run argv to completion. `reads=True` marks a command that only looks (shown as a comment
        in dry-run). With check, a non-zero exit raises CommandError with `hint`."""
        argv = [str(arg) for arg in argv]
        with self._lock:
            self.history.append(argv)
        if self.dry_run:
            self._echo_script(argv, input=input, reads=reads)
            return Result(argv, 0, "", "", 0.0)
        if self.echo:
            self.echo(shlex.join(argv))
        result = self._execute(argv, timeout=timeout or self.timeout, input=input, cwd=cwd, env=env)
        if check and not result.ok:
            raise self.failure(result, hint=hint)
        return result

    def failure(self, result: Result, *, hint: str | None = None, message: str | None = None) -> CommandError:
        """The CommandError for a finished command, for callers that inspect the result first."""
        return CommandError(
            message or f"{result.argv[0]} failed (exit {result.returncode})",
            command=result.command,
            returncode=result.returncode,
            stderr=result.stderr or result.stdout,
            log_path=str(self.log_path) if self.log_path else None,
            hint=hint,
        )

    def _execute(self, argv, *, timeout, input, cwd, env) -> Result:
        executable = self.which(argv[0])
        started = time.monotonic()
        log = self._open_log(argv)
        try:
            proc = self._spawn(executable, argv, log=log, input=input, cwd=cwd, env=env)
            returncode, timed_out = self._wait_at_most(proc, timeout)
            duration = time.monotonic() - started
            if log:
                log.write(f"[exit {returncode} after {duration:.2f}s]\n\n".encode())
        finally:
            if log:
                log.close()
        result = Result(argv, returncode, _text(proc.process.stdout), _text(proc.process.stderr), duration)
        if timed_out:
            raise self.failure(
                result,
                message=f"{argv[0]} timed out after {timeout:.0f}s",
                hint="raise command_timeout (--timeout) if the machine is slow, or read the log",
            )
        return result

    def _spawn(self, executable: str, argv: list[str], *, log, input, cwd, env) -> sh.RunningCommand:
        import sh  # ~0.1 s to import: only when a command really runs

        try:
            return sh.Command(executable)(
                *argv[1:],
                _bg=True,
                _bg_exc=False,
                _new_group=True,  # so a timeout or Ctrl-C stops the whole tree (helmfile -> helm)
                _tty_out=False,
                _in=input,
                _cwd=str(cwd) if cwd else None,
                _env=self.environment(env),
                _out=log,
                _err=log,
                _tee={"out", "err"},
                _ok_code=list(range(256)),
                _return_cmd=True,
            )
        except OSError as exc:
            raise ToolMissing(f"cannot run {argv[0]}: {exc.strerror}", hint=f"check {executable}") from None

    def _wait_at_most(self, proc: sh.RunningCommand, timeout: float) -> tuple[int, bool]:
        """Wait for the exit code; past `timeout`, stop the process group. A timer thread, not polling:
        sh's own _timeout polls every 0.1 s, which would add that much to every command."""
        timed_out = threading.Event()
        timer = threading.Timer(timeout, lambda: (timed_out.set(), _stop_group(proc)))
        timer.daemon = True
        timer.start()
        self._register(proc)
        try:
            return self._wait(proc), timed_out.is_set()
        except BaseException:
            # Ctrl-C or SIGTERM while waiting: stop the command now, since once it is unregistered
            # below the pipeline's kill_all can no longer see it.
            _stop_group(proc)
            raise
        finally:
            timer.cancel()
            self._unregister(proc)

    @staticmethod
    def _wait(proc: sh.RunningCommand) -> int:
        import sh

        try:
            proc.wait()
            return proc.exit_code
        except sh.SignalException as exc:
            return exc.exit_code

    # -- background processes ----------------------------------------------------------------

    def start(self, argv: list[str], *, env: dict[str, str] | None = None) -> Background:
        """Start a long-running command (a port-forward); stop it with .stop(). It is killed with
        the rest on Ctrl-C. Its output goes to the step log; stderr is also kept for messages."""
        import sh

        argv = [str(arg) for arg in argv]
        with self._lock:
            self.history.append(argv)
        if self.dry_run:
            self._emit(shlex.join(argv) + " &")  # `&` joined as an argument would be quoted: '&'
            return Background(argv, None, self, None)
        if self.echo:
            self.echo(shlex.join(argv) + " &")
        executable = self.which(argv[0])
        log = self._open_log(argv)
        proc = sh.Command(executable)(
            *argv[1:],
            _bg=True,
            _bg_exc=False,
            _new_group=True,
            _tty_out=False,
            _env=self.environment(env),
            _out=log,
            _err=log,
            _tee="err",
            _ok_code=list(range(256)),
            _return_cmd=True,
        )
        self._register(proc)
        return Background(argv, proc, self, log)

    def kill_all(self) -> None:
        """Stop every command still running (Ctrl-C, SIGTERM): no orphans left behind."""
        with self._lock:
            live = list(self._live.values())
        for proc in live:
            _stop_group(proc)

    def _register(self, proc: sh.RunningCommand) -> None:
        with self._lock:
            self._live[proc.pid] = proc

    def _unregister(self, proc: sh.RunningCommand) -> None:
        with self._lock:
            self._live.pop(proc.pid, None)

    # -- files (dry-run aware, so `up --dry-run` touches nothing) ----------------------------

    def write_file(self, path: Path, text: str) -> None:
        if self.dry_run:
            self._emit(f"mkdir -p {shlex.quote(str(path.parent))}")
            self._emit(f"cat > {shlex.quote(str(path))} <<'EOF'\n{text.rstrip()}\nEOF")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def copy_tree(self, source: Path, destination: Path) -> None:
        """Replace `destination` with a copy of `source`."""
        if self.dry_run:
            self._emit(f"rm -rf {shlex.quote(str(destination))}")
            self._emit(f"mkdir -p {shlex.quote(str(destination.parent))}")
            self._emit(f"cp -R {shlex.quote(str(source))} {shlex.quote(str(destination))}")
            return
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(source, destination, symlinks=True)

    # -- environment ---------------------------------------------------------------------------

    def environment(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """The child's environment: ours, with the managed bin dir first on PATH."""
        merged = {**os.environ, **self.extra_env, **(env or {})}
        if self.bin_dir:
            merged["PATH"] = os.pathsep.join([str(self.bin_dir), merged.get("PATH", "")])
        return merged

    def which(self, program: str) -> str:
        found = shutil.which(program, path=self.environment()["PATH"])
        if not found:
            raise ToolMissing(
                f"{program} is not installed (not found on PATH)",
                hint=f"run `llmd-sim step prereqs` to install it, or install {program} yourself",
            )
        return found

    # -- output ----------------------------------------------------------------------------

    def _open_log(self, argv: list[str]) -> BinaryIO | None:
        if not self.log_dir:
            return None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{self.step}.log", "ab", buffering=0)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        log.write(f"$ {shlex.join(argv)}    # {stamp}\n".encode())
        return log

    def _echo_script(self, argv: list[str], *, input: str | None, reads: bool) -> None:
        line = shlex.join(argv)
        if reads:
            self._emit(f"# check: {line}")
        elif input is not None:
            self._emit(f"{line} <<'EOF'\n{input.rstrip()}\nEOF")
        else:
            self._emit(line)

    def _emit(self, line: str) -> None:
        if self.echo:
            self.echo(line)


class Background:
    """A command started with Runner.start. (Never test `self.proc` for truth: sh's RunningCommand
    waits for the process to end to answer `len()`.)"""

    def __init__(self, argv: list[str], proc: sh.RunningCommand | None, runner: Runner, log: BinaryIO | None):
        self.argv = argv
        self.proc = proc
        self._runner = runner
        self._log = log

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.is_alive()

    def stderr(self) -> str:
        """What the command has written to stderr so far (where kubectl puts its errors)."""
        return _text(self.proc.process.stderr) if self.proc is not None else ""

    def exit_code(self) -> int | None:
        """The exit code once the process has ended, else None."""
        if self.proc is None or self.proc.is_alive():
            return None
        return self.proc.process.exit_code

    def wait(self) -> int | None:
        """Block until the command ends (Ctrl-C still interrupts); its exit code, None in dry-run."""
        if self.proc is None:
            return None
        return self._runner._wait(self.proc)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.is_alive():
            _stop_group(self.proc)
        self._runner._wait(self.proc)  # sh's output threads finish writing to the log before it is closed
        self._runner._unregister(self.proc)
        if self._log:
            self._log.close()
            self._log = None


def _stop_group(proc: sh.RunningCommand) -> None:
    """SIGTERM the command's process group, then SIGKILL whatever is left after a grace period."""
    try:
        pgid = os.getpgid(proc.pid)
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + KILL_GRACE
    while time.monotonic() < deadline:
        if not proc.is_alive():
            break
        time.sleep(0.02)
    try:
        os.killpg(pgid, signal.SIGKILL)  # also reaps grandchildren that ignored SIGTERM
    except ProcessLookupError:
        pass


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
