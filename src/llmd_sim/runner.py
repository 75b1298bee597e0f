"""The one exec seam: every external command llmd-sim runs goes through Runner.run or Runner.start.

Argv lists only (never a shell string), a timeout on every command, full output appended to the
step's log, a CommandError that carries the pasteable command on failure, and a dry-run mode that
prints the commands as a script instead of running them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable

from llmd_sim import interrupts, processes
from llmd_sim.errors import CommandError, ToolMissing
from llmd_sim.processes import Background

if TYPE_CHECKING:
    import sh


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
        self._stopping = threading.Event()

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
        sibling._stopping = self._stopping
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
        with interrupts.shielded():  # started and registered as one, so Ctrl-C can always stop it
            proc = processes.spawn(executable, argv, env=self.environment(env), log=log, keep={"out", "err"},
                                   input=input, cwd=str(cwd) if cwd else None)
            self._register(proc)
        # Interrupted, this raises with the log left open: sh's threads may still be writing to it,
        # and drop it (closing it) when they are done.
        returncode, timed_out = self._wait_at_most(proc, timeout)
        duration = time.monotonic() - started
        if log:
            log.write(f"[exit {returncode} after {duration:.2f}s]\n\n".encode())
            log.close()
        stdout, stderr = processes.text(proc.process.stdout), processes.text(proc.process.stderr)
        result = Result(argv, returncode, stdout, stderr, duration)
        if timed_out:
            raise self.failure(
                result,
                message=f"{argv[0]} timed out after {timeout:.0f}s",
                hint="raise command_timeout (--timeout) if the machine is slow, or read the log",
            )
        return result

    def _wait_at_most(self, proc: sh.RunningCommand, timeout: float) -> tuple[int, bool]:
        """Wait for the exit code; past `timeout`, stop the process group. A timer thread, not polling:
        sh's own _timeout polls every 0.1 s, which would add that much to every command."""
        timed_out = threading.Event()
        timer = threading.Timer(timeout, lambda: (timed_out.set(), processes.stop_group(proc)))
        timer.daemon = True
        timer.start()
        try:
            return processes.wait(proc), timed_out.is_set()
        except BaseException:
            # Ctrl-C or SIGTERM while waiting: stop the command now, since once it is unregistered
            # below the pipeline's kill_all can no longer see it.
            processes.stop_group(proc)
            raise
        finally:
            timer.cancel()
            self._unregister(proc)

    # -- background processes ----------------------------------------------------------------

    def start(self, argv: list[str], *, env: dict[str, str] | None = None) -> Background:
        """Start a long-running command (a port-forward); stop it with .stop(). It is killed with
        the rest on Ctrl-C. Its output goes to the step log; stderr is also kept for messages."""
        argv = [str(arg) for arg in argv]
        with self._lock:
            self.history.append(argv)
        if self.dry_run:
            self._emit(shlex.join(argv) + " &")  # `&` joined as an argument would be quoted: '&'
            return Background(argv, None, self._unregister)
        if self.echo:
            self.echo(shlex.join(argv) + " &")
        executable = self.which(argv[0])
        background = Background(argv, self._open_log(argv), self._unregister)
        with interrupts.shielded():
            proc = processes.spawn(executable, argv, env=self.environment(env), log=background._log, keep="err",
                                   out=background.take_line)
            self._register(proc)
        background.attach(proc)
        return background

    def kill_all(self) -> None:
        """Stop every command still running (Ctrl-C, SIGTERM): no orphans left behind. Commands that
        other threads start from now on (a pull that was about to begin) are stopped at once."""
        with self._lock:
            self._stopping.set()
            live = list(self._live.values())
        for proc in live:
            processes.stop_group(proc)

    def _register(self, proc: sh.RunningCommand) -> None:
        with self._lock:
            self._live[proc.pid] = proc
            stopping = self._stopping.is_set()
        if stopping:
            processes.stop_group(proc)

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
