"""The checks of `llmd-sim test` and the smoke step: the guide's curl requests, and a little more.

Each check returns pass/fail, how long it took and a one-line reason. Connection refused, timeouts and
answers that are not JSON become reasons a person can act on, never tracebacks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from llmd_sim import httpclient

if TYPE_CHECKING:
    import httpx

GUIDE_PROMPT = "How are you today?"
UNKNOWN_MODEL = "llmd-sim-no-such-model"


@dataclass
class CheckResult:
    """The outcome of one check."""

    name: str
    ok: bool
    seconds: float
    reason: str
    # The request never got an HTTP answer (refused, reset, dropped): a restarted port-forward may help.
    unreachable: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        return data


class Failed(Exception):
    """A check's verdict: the reason it failed."""


@dataclass
class Check:
    name: str
    probe: Callable[[httpx.Client, str], str]  # returns the reason it passed, raises Failed otherwise


def check_models(client: httpx.Client, model: str) -> str:
    """GET /v1/models lists the served model."""
    listed = [entry.get("id") for entry in _json(client.get("/v1/models")).get("data", [])]
    if model not in listed:
        raise Failed(f"model {model!r} is not served; listed: {', '.join(map(str, listed)) or 'none'}")
    return f"lists {model}"


def check_completion(client: httpx.Client, model: str) -> str:
    """The guide's POST /v1/completions returns choices and usage from the served model."""
    response = client.post("/v1/completions", json={"model": model, "prompt": GUIDE_PROMPT, "max_tokens": 32})
    answer = _json(response)
    _same_model(answer, model)
    text = _first_choice(answer).get("text")
    if not isinstance(text, str):
        raise Failed("the choice has no text")
    return f"{_usage(answer)['completion_tokens']} tokens{_pod(response)}"


def check_chat(client: httpx.Client, model: str) -> str:
    """POST /v1/chat/completions returns an assistant message and usage."""
    messages = [{"role": "user", "content": GUIDE_PROMPT}]
    response = client.post("/v1/chat/completions", json={"model": model, "messages": messages, "max_tokens": 32})
    answer = _json(response)
    _same_model(answer, model)
    message = _first_choice(answer).get("message") or {}
    if message.get("role") != "assistant" or not isinstance(message.get("content"), str):
        raise Failed("the choice has no assistant message")
    return f"{_usage(answer)['completion_tokens']} tokens{_pod(response)}"


def check_stream(client: httpx.Client, model: str) -> str:
    """A streamed completion sends SSE `data:` chunks of JSON, then `data: [DONE]`."""
    body = {"model": model, "prompt": GUIDE_PROMPT, "max_tokens": 32, "stream": True}
    with client.stream("POST", "/v1/completions", json=body) as response:
        if response.status_code != 200:
            response.read()
            raise Failed(f"HTTP {response.status_code}{_error_message(response)}")
        chunks, done = 0, False
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[len("data:"):].strip()
            if data == "[DONE]":
                done = True
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                raise Failed(f"stream chunk {chunks + 1} is not JSON: {_clip(data)}") from None
            _same_model(chunk, model)
            chunks += 1
    if not chunks:
        raise Failed("the stream carried no chunks")
    if not done:
        raise Failed(f"the stream ended without `data: [DONE]` after {chunks} chunks")
    return f"{chunks} chunks, then [DONE]"


def check_unknown_model(client: httpx.Client, model: str) -> str:
    """A request for a model nobody serves gets a 4xx with an OpenAI error object."""
    response = client.post("/v1/completions", json={"model": UNKNOWN_MODEL, "prompt": GUIDE_PROMPT, "max_tokens": 8})
    if not 400 <= response.status_code < 500:
        raise Failed(f"expected a 4xx OpenAI error, got HTTP {response.status_code}{_error_message(response)}")
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if not isinstance(error, dict) or "message" not in error:
        raise Failed(f"HTTP {response.status_code} without an OpenAI error object: {_clip(response.text)}")
    return f"HTTP {response.status_code}: {_clip(error['message'])}"


CHECKS = (
    Check("models", check_models),
    Check("completion", check_completion),
    Check("chat", check_chat),
    Check("stream", check_stream),
    Check("unknown-model", check_unknown_model),
)


def run_checks(gateway, model: str, *, timeout: float = 30.0,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Every check against `gateway` (a port-forward or a --endpoint); one retry after the forward recovers."""
    import httpx

    results = []
    with httpx.Client(**httpclient.options(gateway.url, timeout)) as client:
        for check in CHECKS:
            result = run_one(check, client, model)
            if result.unreachable and gateway.recover():
                result = run_one(check, client, model)
            results.append(result)
            if on_result:
                on_result(result)
    return results


def run_one(check: Check, client: httpx.Client, model: str) -> CheckResult:
    """Run one check; any failure becomes a reason, never an exception."""
    import httpx

    started = time.perf_counter()
    unreachable = False
    try:
        reason, ok = check.probe(client, model), True
    except Failed as verdict:
        reason, ok = str(verdict), False
    except httpx.RequestError as exc:
        reason, ok = httpclient.describe(exc, str(client.base_url)), False
        unreachable = httpclient.unreachable(exc)
    return CheckResult(check.name, ok, time.perf_counter() - started, reason, unreachable)


def _json(response: httpx.Response) -> dict:
    """The answer's JSON object; Failed with the status and the server's message otherwise."""
    if response.status_code != 200:
        raise Failed(f"HTTP {response.status_code}{_error_message(response)}")
    try:
        data = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        raise Failed(f"the answer is not JSON (HTTP 200, {kind}): {_clip(response.text)}") from None
    if not isinstance(data, dict):
        raise Failed(f"the answer is JSON but not an object: {_clip(response.text)}")
    return data


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        message = error.get("message") if isinstance(error, dict) else str(error)
    except (ValueError, AttributeError):
        message = response.text
    return f": {_clip(message)}" if message and message.strip() else ""


def _first_choice(answer: dict) -> dict:
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise Failed("the answer has no choices")
    return choices[0]


def _usage(answer: dict) -> dict:
    usage = answer.get("usage")
    if not isinstance(usage, dict) or "completion_tokens" not in usage:
        raise Failed("the answer has no usage")
    return usage


def _same_model(answer: dict, model: str) -> None:
    if answer.get("model") != model:
        raise Failed(f"answered as model {answer.get('model')!r}, expected {model!r}")


def _pod(response: httpx.Response) -> str:
    pod = response.headers.get("x-inference-pod")
    return f", served by {pod}" if pod else ""


def _clip(text: str, width: int = 80) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
