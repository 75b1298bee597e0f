"""Run a command again when it failed for a reason that passes by itself (a webhook not ready yet,
a dropped connection), with exponential backoff. tenacity does the bookkeeping; the sleep is
injectable so tests take no time."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from llmd_sim.errors import CommandError

if TYPE_CHECKING:
    from llmd_sim.context import Context
    from llmd_sim.runner import Result

# Phrases of failures that go away when tried again: the network, an API server under load, an
# admission webhook whose pod is still starting. Matched case-insensitively in stderr/stdout.
NETWORK_HICCUPS = (
    "connection refused",
    "connection reset",
    "i/o timeout",
    "tls handshake timeout",
    "unexpected eof",
    "temporary failure",
    "try again",
    "the server is currently unable to handle the request",
    "etcdserver: request timed out",
    "http2: client connection lost",
    "502 bad gateway",
    "503 service unavailable",
    "504 gateway timeout",
)
WEBHOOK_NOT_READY = ("failed calling webhook",)


def mentions(phrases: Sequence[str]) -> Callable[[str], bool]:
    """A predicate: does a command's output contain any of `phrases`?"""
    lowered = [phrase.lower() for phrase in phrases]
    return lambda output: any(phrase in output.lower() for phrase in lowered)


def run_with_retries(
    ctx: Context,
    argv: list[str],
    *,
    transient: Callable[[str], bool],
    attempts: int = 4,
    max_wait: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    **run_options,
) -> Result:
    """ctx.runner.run(argv), tried up to `attempts` times while its failure is `transient`.
    The last failure is raised as it is, so the person sees the real command and output."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

    def is_transient(exc: BaseException) -> bool:
        return isinstance(exc, CommandError) and transient(exc.stderr)

    def before_sleep(state) -> None:
        ctx.ui.progress_note(f"{argv[0]} failed transiently; retrying (attempt {state.attempt_number + 1})")

    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=2, max=max_wait),
        retry=retry_if_exception(is_transient),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
    return retrying(ctx.runner.run, argv, **run_options)
