"""What the simulated model servers answer, apart from HTTP framing (see simserver.py for the knobs)."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simserver import SimConfig

WORDS = "the a llm routes tokens fast to pods quietly and cache prefix gateway scheduler kind cluster".split()
ERROR_TYPES = {400: "BadRequestError", 404: "NotFoundError", 429: "RateLimitError"}


class Reply:
    """One HTTP answer: a body, or a stream of SSE events produced by an async iterator."""

    def __init__(self, status: int, body: bytes = b"", content_type: str = "application/json",
                 headers: dict[str, str] | None = None, events=None):
        self.status, self.body, self.content_type = status, body, content_type
        self.headers, self.events = headers or {}, events


class Simulator:
    """The model-server behaviour, independent of HTTP framing."""

    def __init__(self, config: SimConfig):
        self.config = config
        self.random = random.Random(config.seed)
        self._turn = itertools.cycle(config.pods or ["sim-0"])
        self._slots = asyncio.Semaphore(config.max_num_seqs) if config.max_num_seqs > 0 else None
        self.running = 0
        self.served = 0

    async def handle(self, method: str, path: str, body: bytes) -> Reply:
        path = path.split("?", 1)[0]
        if path in ("/health", "/ready"):
            return Reply(200, b"{}")
        if path == "/v1/models" and method == "GET":
            return _json(200, self.models())
        if path == "/metrics" and method == "GET":
            return Reply(200, self.metrics().encode(), "text/plain; version=0.0.4")
        if path in ("/v1/completions", "/v1/chat/completions"):
            if method != "POST":
                return Reply(405, b"Method Not Allowed", "text/plain")
            return await self.complete(body, chat=path.endswith("chat/completions"))
        return Reply(404, b"404 Page not found", "text/plain")

    def models(self) -> dict:
        created = int(time.time())
        entry = {"id": self.config.model, "object": "model", "created": created, "owned_by": "vllm",
                 "root": self.config.model, "parent": None}
        return {"object": "list", "data": [entry]}

    async def complete(self, body: bytes, *, chat: bool) -> Reply:
        cfg = self.config
        if cfg.error_rate and self.random.random() < cfg.error_rate:
            return _error(cfg.error_status, "Injected failure")
        try:
            request = json.loads(body or b"null")
            model, stream = request["model"], bool(request.get("stream"))
            prompt = _prompt_text(request, chat)
        except (ValueError, KeyError, TypeError) as exc:
            return Reply(400, f"Failed to read and parse request body, {exc}".encode(), "text/plain")
        if model != cfg.model:
            return _error(404, f"The model `{model}` does not exist.")
        tokens = self._tokens(prompt, int(request.get("max_tokens") or request.get("max_completion_tokens") or 16))
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(tokens),
                 "total_tokens": len(prompt.split()) + len(tokens)}
        headers = self._pod_headers(prompt)
        answer = Answer(cfg, chat, cfg.wrong_model or model, tokens, usage, request)
        if stream:
            return Reply(200, content_type="text/event-stream", headers=headers, events=self._stream(answer))
        async with self._serving():
            await _sleep_ms(cfg.extra_latency_ms + cfg.ttft_ms + cfg.itl_ms * max(len(tokens) - 1, 0))
        if cfg.bad_json:
            return Reply(200, b"<html><body>upstream connect error</body></html>", "text/html", headers)
        return _json(200, answer.whole(), headers)

    async def _stream(self, answer: Answer):
        cfg = self.config
        async with self._serving():
            await _sleep_ms(cfg.extra_latency_ms)
            if answer.chat:
                yield answer.chunk(role="assistant")
            await _sleep_ms(cfg.ttft_ms)
            for index, token in enumerate(answer.tokens):
                if index:
                    await _sleep_ms(cfg.itl_ms)
                last = index == len(answer.tokens) - 1
                yield answer.chunk(text=token, finish="length" if last else None)
            if answer.request.get("stream_options", {}).get("include_usage"):
                yield answer.chunk(usage=True)
            if not cfg.no_done:
                yield b"data: [DONE]\n\n"

    @asynccontextmanager
    async def _serving(self) -> AsyncIterator[None]:
        """Count the request as running, waiting for a slot first when max_num_seqs is set."""
        if self._slots:
            await self._slots.acquire()
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self.served += 1
            if self._slots:
                self._slots.release()

    def _tokens(self, prompt: str, count: int) -> list[str]:
        words = prompt.split() if self.config.mode == "echo" and prompt.split() else WORDS
        pick = (lambda i: words[i % len(words)]) if self.config.mode == "echo" else (lambda i: self.random.choice(words))
        return [pick(i) if i == 0 else " " + pick(i) for i in range(max(count, 1))]

    def _pod_headers(self, prompt: str) -> dict[str, str]:
        if not self.config.pod_headers:
            return {}
        pods = self.config.pods or ["sim-0"]
        if self.config.routing == "random":
            pod = self.random.choice(pods)
        elif self.config.routing == "prefix":
            pod = pods[zlib.crc32(prompt[: self.config.prefix_chars].encode()) % len(pods)]
        else:
            pod = next(self._turn)
        return {"x-inference-pod": pod, "x-inference-namespace": self.config.namespace, "x-inference-port": "8000"}

    def metrics(self) -> str:
        label = f'{{model_name="{self.config.model}"}}'
        lines = [
            "# TYPE vllm:num_requests_running gauge", f"vllm:num_requests_running{label} {self.running}",
            "# TYPE vllm:num_requests_waiting gauge", f"vllm:num_requests_waiting{label} 0",
            "# TYPE vllm:gpu_cache_usage_perc gauge", f"vllm:gpu_cache_usage_perc{label} 0",
            "# TYPE vllm:request_success_total counter",
            f'vllm:request_success_total{{finished_reason="length",model_name="{self.config.model}"}} {self.served}',
        ]
        return "\n".join(lines) + "\n"


@dataclass
class Answer:
    """What one completion says, in whole or as SSE chunks."""

    config: SimConfig
    chat: bool
    model: str
    tokens: list[str]
    usage: dict
    request: dict
    created: int = field(default_factory=lambda: int(time.time()))
    ident: str = field(default_factory=lambda: f"{random.getrandbits(64):016x}")

    def whole(self) -> dict:
        text = "".join(self.tokens)
        choice = {"index": 0, "finish_reason": "length"}
        choice.update({"message": {"role": "assistant", "content": text}} if self.chat else {"text": text})
        return {**self._base(), "choices": [choice], "usage": self.usage}

    def chunk(self, *, text: str = "", role: str = "", finish: str | None = None, usage: bool = False) -> bytes:
        if self.config.bad_json:
            return b"data: <html>upstream connect error</html>\n\n"
        data = self._base(chunk=True)
        if usage:
            data.update(choices=[], usage=self.usage)
        elif self.chat:
            delta = {"role": role} if role else {"content": text}
            data["choices"] = [{"index": 0, "finish_reason": finish, "delta": delta}]
        else:
            data["choices"] = [{"index": 0, "finish_reason": finish, "text": text}]
        return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"

    def _base(self, chunk: bool = False) -> dict:
        kind = ("chat.completion.chunk" if chunk else "chat.completion") if self.chat else "text_completion"
        prefix = "chatcmpl-" if self.chat else "cmpl-"
        return {"id": prefix + self.ident, "object": kind, "created": self.created, "model": self.model}


def _prompt_text(request: dict, chat: bool) -> str:
    if not chat:
        prompt = request.get("prompt", "")
        return " ".join(prompt) if isinstance(prompt, list) else str(prompt)
    return " ".join(str(message.get("content", "")) for message in request["messages"])


def _json(status: int, data: dict, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(data, separators=(",", ":")).encode(), headers=headers)


def _error(status: int, message: str) -> Reply:
    kind = ERROR_TYPES.get(status, "InternalServerError" if status >= 500 else "APIConnectionError")
    return _json(status, {"error": {"message": message, "type": kind, "param": None, "code": status}})


async def _sleep_ms(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(ms / 1000)
