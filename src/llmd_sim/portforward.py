"""The way to the gateway: a `kubectl port-forward` llmd-sim starts and always stops, or a URL given with --endpoint.

The forward runs `kubectl port-forward --address 127.0.0.1 -n NS service/<gateway service> PORT:80` on a
free local port (or the one asked for), is ready once the port accepts connections, is restarted once
if it drops mid-run, and is stopped on exit, Ctrl-C, SIGTERM and failure: no orphaned kubectl.

Pid files. While a forward runs, `<run_dir>/port-forward-<PORT>.json` records it, so `llmd-sim down`
can stop one a crashed llmd-sim left behind; the file is removed when the forward stops. It holds one
JSON object:
    {"pid": 12345,            kubectl's pid; it leads its own process group (stop it with killpg)
     "port": 8000,            the local port
     "command": "kubectl --context kind-llmd-sim port-forward ...",
     "owner": 12300,          the llmd-sim process that started it
     "started_at": 1767225600.0}
`stop_forgotten(ctx)` stops every recorded forward that is still a running kubectl port-forward.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llmd_sim.errors import ConfigError, StepError
from llmd_sim.tools import kubectl

if TYPE_CHECKING:
    from llmd_sim.context import Context
    from llmd_sim.runner import Background

GATEWAY_PORT = 80  # the gateway listener (FACTS 1: Service ports 15021 and 80)
GUIDE_PORT = 8000  # the local port of the guide's own port-forward
READY_TIMEOUT = 30.0
PID_GLOB = "port-forward-*.json"


@dataclass
class Direct:
    """A gateway URL given with --endpoint: nothing to start, stop or restart."""

    url: str

    def recover(self) -> bool:
        return False


class PortForward:
    """One kubectl port-forward to the gateway service; use it as a context manager."""

    def __init__(self, ctx: Context, *, port: int | None = None, restarts: int = 1,
                 ready_timeout: float = READY_TIMEOUT):
        self.ctx = ctx
        self.port = port or (preferred_port(ctx.settings) if ctx.dry_run else free_port())
        self.restarts_left = restarts
        self.ready_timeout = ready_timeout
        self.process: Background | None = None
        self.started_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.ctx.paths.run_dir / f"port-forward-{self.port}.json"

    @property
    def argv(self) -> list[str]:
        settings = self.ctx.settings
        return kubectl.port_forward(self.ctx.kube_context, settings.namespace, f"service/{settings.gateway_service}",
                                    self.port, GATEWAY_PORT)

    def __enter__(self) -> PortForward:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Start kubectl and return once the local port accepts connections."""
        if not self.ctx.dry_run:
            _ensure_free(self.port)
        self.process = self.ctx.runner.start(self.argv)
        self.started_at = time.monotonic()
        if self.ctx.dry_run:
            return  # nothing runs, so nothing to record or wait for
        try:
            self._record()
            self._wait_until_accepting()
        except BaseException:  # Ctrl-C while waiting included: never leave kubectl behind
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None
        if not self.ctx.dry_run:
            self.pid_file.unlink(missing_ok=True)

    def recover(self) -> bool:
        """After a connection failure: restart the forward (once), so the caller may try again."""
        if self.restarts_left <= 0 or self.ctx.dry_run:
            return False
        self.restarts_left -= 1
        reason = "exited" if self.process is None or not self.process.alive() else "stopped answering"
        self.ctx.ui.warn(f"the port-forward {reason}; restarting it on port {self.port}")
        self.stop()
        self.start()
        return True

    def wait(self) -> int | None:
        """Block until kubectl exits (a dropped forward); its exit code."""
        return self.process.wait() if self.process is not None else None

    def exit_message(self) -> str:
        """The last line kubectl wrote to stderr: why it exited (else how it ended)."""
        if self.process is None:
            return "not running"
        lines = [line for line in self.process.stderr().splitlines() if line.strip()]
        if lines:
            return lines[-1]
        code = self.process.exit_code()
        if code is not None and code < 0:
            return f"killed by signal {-code}, without a message"
        return f"exit code {code}, without a message"

    def _record(self) -> None:
        record = {"pid": self.process.pid, "port": self.port, "command": " ".join(self.argv),
                  "owner": os.getpid(), "started_at": time.time()}
        self.ctx.runner.write_file(self.pid_file, json.dumps(record, indent=2) + "\n")

    def _wait_until_accepting(self) -> None:
        """kubectl prints `Forwarding from ...` once it listens: wait for that line (or its exit)."""
        if self.process.wait_for_line("Forwarding from", self.ready_timeout):
            return
        if not self.process.alive():
            raise StepError(
                f"kubectl port-forward exited: {self.exit_message()}",
                hint=_hint_for(self.exit_message(), self.ctx.settings, self.port),
            )
        raise StepError(
            f"the port-forward to service/{self.ctx.settings.gateway_service} did not start listening "
            f"within {self.ready_timeout:.0f}s",
            hint=f"see {self.ctx.runner.log_path or 'the port-forward log'}; is the gateway pod running?",
        )


@contextmanager
def gateway(ctx: Context, *, endpoint: str | None = None, port: int | None = None) -> Iterator[PortForward | Direct]:
    """The gateway to talk to: `endpoint` as given, else a port-forward that is stopped on the way out."""
    if endpoint:
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigError(f"--endpoint {endpoint!r} is not a URL", hint="for example --endpoint http://127.0.0.1:8000")
        yield Direct(endpoint.rstrip("/"))
        return
    with PortForward(ctx.for_step("port-forward"), port=port) as forward:
        yield forward


def preferred_port(settings) -> int:
    """The guide's local port 8000, or the next one up when llmd-sim's own kind port mappings hold
    it on this host (the default 30080->8000 does: docker binds it for the node)."""
    taken = {int(mapping.split(":")[1]) for mapping in settings.port_mappings} if settings.uses_kind else set()
    return next(port for port in itertools.count(GUIDE_PORT) if port not in taken)


def available(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A local port nobody listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ensure_free(port: int) -> None:
    # Whatever listens there already would answer the readiness check in kubectl's place.
    if not available(port):
        raise StepError(f"local port {port} is already in use",
                        hint="pass --port with a free one, or stop what listens there")


def stop_forgotten(ctx: Context) -> list[int]:
    """Stop the port-forwards recorded in run_dir whose kubectl still runs; the pids stopped."""
    stopped = []
    for pid_file in sorted(ctx.paths.run_dir.glob(PID_GLOB)) if ctx.paths.run_dir.is_dir() else []:
        try:
            pid = int(json.loads(pid_file.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            pid = 0
        if pid and _is_port_forward(ctx, pid):
            if not ctx.dry_run:
                _stop_group(pid)
            stopped.append(pid)
        if not ctx.dry_run:
            pid_file.unlink(missing_ok=True)
    return stopped


def _is_port_forward(ctx: Context, pid: int) -> bool:
    # The pid may have been reused since the file was written: only stop what is still kubectl port-forward.
    # -ww: the whole command line, however long (ps cuts it to the terminal width otherwise).
    result = ctx.runner.run(["ps", "-ww", "-o", "command=", "-p", str(pid)], check=False, reads=True)
    return result.ok and "kubectl" in result.stdout and "port-forward" in result.stdout


def _stop_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


def _hint_for(message: str, settings, port: int) -> str:
    lowered = message.lower()
    if "unable to listen" in lowered or "address already in use" in lowered:
        return f"local port {port} is taken: pass --port with a free one"
    if "not found" in lowered:
        return f"is the stack deployed in namespace {settings.namespace}? run `llmd-sim up` (or `llmd-sim status`)"
    if "connection refused" in lowered or "unable to connect" in lowered:
        return f"the cluster is not reachable with context {settings.context}: is it running? (`llmd-sim status --probe`)"
    return "read the port-forward log under the target's logs directory"
