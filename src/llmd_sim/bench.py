"""`llmd-sim bench`: load through the gateway, timed so that the client is not what gets measured.

One event loop; `concurrency` workers, each a virtual user with its own keep-alive connection. Each
worker owns a one-connection httpx.AsyncClient (created once, never per request): httpcore's shared
pool scans every pooled connection on every request (encode/httpx#3215), which at 32 connections
costs more than the request itself. Requests are built once, before the clock starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import httpx  # only the bench command imports this module, so `llmd-sim --help` stays fast

from llmd_sim import httpclient

VOCABULARY = ("llm-d routes each request to the pod whose cache already holds its prefix while the "
              "gateway balances load across simulated accelerators in a small kind cluster").split()
JSON_HEADERS = {"content-type": "application/json"}
PROMPT_POOL = 512  # distinct prompts cycled through; enough that a shared prefix is the only thing shared
# Workers start this far apart, and pause a random sliver of their last latency between requests.
# Without this they fall into lockstep: answers arrive in bursts, httpx works on a burst's requests
# side by side, so they finish (and send the next ones) together again. Each request then waits for its
# whole burst: +7 ms p50 at concurrency 32 against a 50 ms server, +2.5 ms with the pauses. The pause
# skews the offered load by under 2% and is skipped when shorter than the event loop can sleep (1 ms).
RAMP_STEP = 0.002
MAX_RAMP = 0.25
PACE_SHARE = 0.04
MIN_PAUSE = 0.001
REFRESH = 0.25  # seconds between progress updates
UNREACHABLE = ("connection refused", "cannot connect", "connection dropped")  # a restarted forward may help


@dataclass
class BenchOptions:
    """What load to send."""

    requests: int = 200
    duration: float | None = None  # seconds: run for this long instead of a number of requests
    concurrency: int = 8
    prompt_tokens: int = 64
    max_tokens: int = 32
    stream: bool = False
    chat: bool = False
    prefix_groups: int = 0  # prompts in this many groups sharing a prefix (0: every prompt its own)
    prefix_ratio: float = 0.75  # share of each prompt that is its group's prefix
    request_timeout: float = 60.0
    seed: int = 0


@dataclass
class Sample:
    """One request's outcome; times in seconds."""

    latency: float
    error: str | None = None
    ttft: float | None = None
    gaps: list[float] = field(default_factory=list)  # between consecutive streamed tokens
    pod: str | None = None
    tokens: int = 0


@dataclass
class Tally:
    """Running totals, read by the progress display while the load runs."""

    planned: int | None
    started_at: float = 0.0
    done: int = 0
    failed: int = 0
    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        self.done += 1
        self.failed += sample.error is not None


def prompts(options: BenchOptions) -> list[str]:
    """The prompt set: unique words, or groups that share a leading prefix (for prefix-cache-aware routing)."""
    rng = random.Random(options.seed)
    words = lambda count: " ".join(rng.choice(VOCABULARY) for _ in range(count))  # noqa: E731
    count = min(PROMPT_POOL, options.requests if options.duration is None else PROMPT_POOL)
    if options.prefix_groups <= 0:
        return [f"{index} {words(options.prompt_tokens - 1)}" for index in range(count)]
    shared = max(1, round(options.prompt_tokens * options.prefix_ratio))
    prefixes = [f"group {group}: {words(shared)}" for group in range(options.prefix_groups)]
    return [f"{prefixes[index % options.prefix_groups]} {index} {words(max(options.prompt_tokens - shared, 1))}"
            for index in range(count)]


def request_bodies(model: str, options: BenchOptions) -> list[bytes]:
    """Every request body, JSON-encoded once before the clock starts."""
    bodies = []
    for prompt in prompts(options):
        body = {"model": model, "max_tokens": options.max_tokens, "stream": options.stream}
        body.update({"messages": [{"role": "user", "content": prompt}]} if options.chat else {"prompt": prompt})
        if options.stream:
            body["stream_options"] = {"include_usage": True}
        bodies.append(json.dumps(body).encode())
    return bodies


class Load:
    """Sends the load and records every request."""

    def __init__(self, url: str, model: str, options: BenchOptions, *, recover: Callable[[], bool] = lambda: False):
        self.url, self.options = url, options
        self.path = "/v1/chat/completions" if options.chat else "/v1/completions"
        self.bodies = request_bodies(model, options)
        self.tally = Tally(None if options.duration else options.requests)
        self.recover = recover
        self._generation = 0  # bumped when the port-forward was restarted
        self._recovering: asyncio.Lock | None = None
        self._next = 0
        self._deadline = 0.0
        self._rng = random.Random(options.seed)

    def run(self, progress: Callable[[Tally], None] | None = None) -> tuple[Tally, float]:
        """Send the whole load; the tally and the elapsed seconds."""
        return asyncio.run(self._run(progress))

    async def _run(self, progress) -> tuple[Tally, float]:
        options = self.options
        self._recovering = asyncio.Lock()
        settings = httpclient.options(self.url, options.request_timeout)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [httpx.AsyncClient(limits=limits, cookies=_NoCookies(), **settings) for _ in range(options.concurrency)]
        # Built once, before the clock starts: httpx sends a built request as it is, every time.
        requests = [clients[0].build_request("POST", self.path, content=body, headers=JSON_HEADERS)
                    for body in self.bodies]
        ticker = asyncio.create_task(self._tick(progress)) if progress else None
        try:
            self.tally.started_at = time.perf_counter()
            self._deadline = self.tally.started_at + (options.duration or 0)
            step = min(RAMP_STEP, MAX_RAMP / options.concurrency)
            await asyncio.gather(*(self._worker(client, requests, index * step) for index, client in enumerate(clients)))
            elapsed = time.perf_counter() - self.tally.started_at
        finally:
            if ticker:
                ticker.cancel()
            await asyncio.gather(*(client.aclose() for client in clients), return_exceptions=True)
        if progress:
            progress(self.tally)
        return self.tally, elapsed

    async def _tick(self, progress: Callable[[Tally], None]) -> None:
        while True:  # a display cadence, not a wait for a condition
            progress(self.tally)
            await asyncio.sleep(REFRESH)

    def _take(self) -> int | None:
        """The next request's index, or None when the load is complete."""
        if self.options.duration is not None:
            if time.perf_counter() >= self._deadline:
                return None
        elif self._next >= self.options.requests:
            return None
        self._next += 1
        return self._next - 1

    async def _worker(self, client: httpx.AsyncClient, requests: list[httpx.Request], delay: float) -> None:
        await asyncio.sleep(delay)
        while (index := self._take()) is not None:
            generation = self._generation
            request = requests[index % len(requests)]
            sample = await (self._streamed(client, request) if self.options.stream else self._whole(client, request))
            self.tally.add(sample)
            if sample.error in UNREACHABLE:
                await self._recover(generation)
            pause = self._rng.random() * PACE_SHARE * sample.latency
            if pause >= MIN_PAUSE:
                await asyncio.sleep(pause)

    async def _recover(self, generation: int) -> None:
        async with self._recovering:
            if generation != self._generation:
                return  # another worker already restarted the port-forward
            if await asyncio.to_thread(self.recover):
                self._generation += 1

    async def _whole(self, client: httpx.AsyncClient, request: httpx.Request) -> Sample:
        started = time.perf_counter()
        try:
            response = await client.send(request)
        except httpx.RequestError as exc:  # counted by kind, never raised
            return Sample(time.perf_counter() - started, error=error_kind(exc))
        latency = time.perf_counter() - started
        pod = response.headers.get("x-inference-pod")
        if response.status_code != 200:
            return Sample(latency, error=f"HTTP {response.status_code}", pod=pod)
        try:
            usage = json.loads(response.content).get("usage") or {}
        except (ValueError, AttributeError):
            return Sample(latency, error="answer not JSON", pod=pod)
        return Sample(latency, pod=pod, tokens=int(usage.get("completion_tokens") or 0))

    async def _streamed(self, client: httpx.AsyncClient, request: httpx.Request) -> Sample:
        started = time.perf_counter()
        first = last = None
        gaps: list[float] = []
        pod, done = None, False
        try:
            async with contextlib.aclosing(await client.send(request, stream=True)) as response:
                pod = response.headers.get("x-inference-pod")
                if response.status_code != 200:
                    await response.aread()
                    return Sample(time.perf_counter() - started, error=f"HTTP {response.status_code}", pod=pod)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        done = True
                        break
                    if not carries_token(data):
                        continue
                    now = time.perf_counter()
                    if last is not None:
                        gaps.append(now - last)
                    if first is None:
                        first = now
                    last = now
        except ValueError:
            return Sample(time.perf_counter() - started, error="stream chunk not JSON", pod=pod)
        except httpx.RequestError as exc:  # counted by kind, never raised
            return Sample(time.perf_counter() - started, error=error_kind(exc), pod=pod)
        latency = time.perf_counter() - started
        ttft = first - started if first is not None else None
        error = None if done else "stream without [DONE]"
        return Sample(latency, error=error, ttft=ttft, gaps=gaps, pod=pod, tokens=len(gaps) + (first is not None))


class _NoCookies(CookieJar):
    """A cookie jar that keeps nothing: the gateway sets no cookies, and reading every response
    for them costs the client ~0.1 ms a request."""

    def extract_cookies(self, response, request) -> None:
        return None


def carries_token(data: str) -> bool:
    """Does this SSE chunk hold generated text (not the chat role chunk, nor the usage chunk)?"""
    chunk = json.loads(data)
    if not isinstance(chunk, dict):
        raise ValueError("not a JSON object")
    choices = chunk.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        return False
    choice = choices[0]
    return bool(choice.get("text") or (choice.get("delta") or {}).get("content"))


def error_kind(exc: httpx.RequestError) -> str:
    """A short name for a failed request, for the errors-by-kind table."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused" if httpclient.refused(exc) else "cannot connect"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connection dropped"
    return type(exc).__name__
