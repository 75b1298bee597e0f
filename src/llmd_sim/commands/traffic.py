"""`llmd-sim test` and `llmd-sim port-forward`: the guide's requests through the gateway, and a forward to keep."""

from __future__ import annotations

import json
import time

from llmd_sim import checks, portforward
from llmd_sim.context import Context
from llmd_sim.errors import ExitCode, StepError
from llmd_sim.session import Session
from llmd_sim.ui import FAIL_MARK, OK_MARK

# A forward that dropped after being up this long is restarted again: pods come and go, that is no crash loop.
STABLE_AFTER = 30.0


def test(session: Session, *, endpoint: str | None, port: int | None, request_timeout: float, as_json: bool) -> None:
    """Run every check; the table on stderr, the report on stdout with --json; exit 1 if any failed."""
    settings = session.settings()
    ui = session.ui
    ctx = Context.create(settings, ui)
    try:
        with portforward.gateway(ctx, endpoint=endpoint, port=port) as gateway:
            ui.info(f"testing {gateway.url} (model {settings.model})")
            results = checks.run_checks(gateway, settings.model, timeout=request_timeout)
            url = gateway.url
    except KeyboardInterrupt:
        ui.warn("interrupted")
        raise SystemExit(ExitCode.INTERRUPTED) from None
    ui.table(f"llmd-sim test: {url}", ("check", "result", "time", "reason"), result_rows(results))
    if as_json:
        ui.out_json(report(results, url=url, model=settings.model))
    failed = [result for result in results if not result.ok]
    if failed:
        raise StepError(f"{len(failed)} of {len(results)} checks failed", hint=failure_hint(failed, settings))


def result_rows(results: list[checks.CheckResult]) -> list[tuple[str, str, str, str]]:
    return [(r.name, f"{OK_MARK} pass" if r.ok else f"{FAIL_MARK} fail", f"{r.seconds * 1000:.0f} ms", r.reason)
            for r in results]


def report(results: list[checks.CheckResult], *, url: str, model: str) -> dict:
    """What `test --json` prints."""
    return {"endpoint": url, "model": model, "passed": all(r.ok for r in results),
            "checks": [r.as_dict() for r in results]}


def failure_hint(failed: list[checks.CheckResult], settings) -> str:
    """What to look at next, from how the checks failed."""
    if all(result.unreachable for result in failed):
        return "the gateway did not answer: is the stack up? (`llmd-sim status --probe`, or check --endpoint)"
    return (f"the gateway answered, but not as the guide expects: look at the pods and their logs "
            f"(`kubectl --context {settings.context} -n {settings.namespace} get pods`)")


def hold_port_forward(session: Session, *, port: int | None) -> None:
    """Keep a port-forward open until Ctrl-C, restarting it when it drops after having been up a while.
    Without --port: the guide's 8000 (or the next port kind leaves free), else any free port."""
    settings = session.settings()
    ui = session.ui
    ctx = Context.create(settings, ui).for_step("port-forward")
    if port is None:
        port = portforward.preferred_port(settings)
        if not portforward.available(port):
            port, taken = portforward.free_port(), port
            ui.info(f"port {taken} is in use; forwarding from {port} instead")
    forward = portforward.PortForward(ctx, port=port)
    try:
        with forward:
            ui.out(forward.url)
            _show_usage(ui, forward, settings)
            while True:
                forward.wait()
                if time.monotonic() - forward.started_at >= STABLE_AFTER:
                    forward.restarts_left = max(forward.restarts_left, 1)
                message = forward.exit_message()
                if not forward.recover():
                    raise StepError(f"the port-forward exited: {message}",
                                    hint="run `llmd-sim test` to see whether the gateway is up")
                ui.info(f"port-forward restarted: {forward.url}")
    except KeyboardInterrupt:
        ui.info("port-forward stopped")


def _show_usage(ui, forward: portforward.PortForward, settings) -> None:
    body = json.dumps({"model": settings.model, "prompt": checks.GUIDE_PROMPT, "max_tokens": 32})
    ui.info(f"forwarding {forward.url} -> service/{settings.gateway_service}:80 in {settings.namespace}; Ctrl-C stops it")
    ui.info(f"  curl {forward.url}/v1/models")
    ui.info(f"  curl {forward.url}/v1/completions -H 'Content-Type: application/json' -d '{body}'")
