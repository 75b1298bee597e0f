"""A local stand-in for llm-d-inference-sim v0.6.1 behind the gateway (FACTS.md section 3). Stdlib only.

Routes: GET /v1/models, /health, /ready, /metrics; POST /v1/completions and /v1/chat/completions
(OpenAI shape with `usage`; `"stream": true` answers SSE `data: {json}` chunks ending `data: [DONE]`).
An unknown model gets 404 and an OpenAI error object, as the simulator's validateRequest does.

Deliberate simplifications: a completion always has exactly `max_tokens` tokens (16 when absent,
finish_reason "length"), so latency is predictable: ttft + (tokens - 1) * itl; prompt tokens are
whitespace-separated words. Pod headers are sent as when POD_NAME is set, choosing a pod from `pods`.

Fault knobs (completion and chat routes only, like the simulator's own failure injection):
error_rate (answer that share with `error_status` and an OpenAI error), bad_json (200 with an HTML body,
and non-JSON stream chunks), no_done (streams end without `data: [DONE]`), wrong_model (answers name
this model), extra_latency_ms (added before every answer), max_num_seqs (requests served at once, 0 = no limit).

One asyncio loop with a small HTTP/1.1 keep-alive parser: fast enough that a load client is what gets
measured. Standalone: `python tests/fakeworld/simserver.py --port N [--ttft-ms 50 --pods a,b ...]`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

try:
    from . import simmodel  # imported as part of the fakeworld test package
except ImportError:
    import simmodel  # run as a script, or imported with this directory on sys.path

ENV_PREFIX = "FAKEWORLD_SIM_"
STATUS_TEXT = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 411: "Length Required",
               429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class SimConfig:
    """How the simulated model servers behave, including injected faults."""

    model: str = "random"
    namespace: str = "llm-d-sim"
    pods: list[str] = field(default_factory=lambda: ["ms-sim-llm-d-modelservice-decode-0"])
    pod_headers: bool = True
    ttft_ms: float = 0.0
    itl_ms: float = 0.0
    routing: str = "round-robin"  # how a pod is picked: round-robin, random (seeded) or prefix (prompt hash)
    prefix_chars: int = 32  # prefix routing: requests sharing this many leading characters go to one pod
    seed: int = 0
    mode: str = "random"  # random words, or echo the prompt back
    max_num_seqs: int = 0
    extra_latency_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    bad_json: bool = False
    no_done: bool = False
    wrong_model: str = ""

    @classmethod
    def from_env(cls, env, **fixed) -> SimConfig:
        """Knobs from FAKEWORLD_SIM_<FIELD> variables (PODS comma-separated); `fixed` wins over env."""
        values = {}
        for spec in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + spec.name.upper())
            if raw is not None and spec.name not in fixed:
                values[spec.name] = _parse(spec.name, raw, getattr(cls(), spec.name))
        return cls(**{**values, **fixed})


def _parse(name: str, raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    try:
        return type(default)(raw)
    except ValueError:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {type(default).__name__}") from None



class SimServer:
    """The simulator on one listening socket, inside the running event loop."""

    def __init__(self, config: SimConfig):
        self.config = config
        self.simulator = simmodel.Simulator(config)
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task] = set()

    async def start(self, host: str, port: int) -> None:
        """Bind and listen; OSError when the port is taken."""
        self._server = await asyncio.start_server(self._connection, host, port, backlog=1024)

    @property
    def port(self) -> int:
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self._server.close()
        for task in list(self._connections):  # keep-alive clients would otherwise hold the loop open
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, path, keep_alive, body = request
                reply = await self.simulator.handle(method, path, body)
                await _send(writer, reply, keep_alive)
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass  # the client went away or spoke something that is not HTTP/1.1: drop the connection
        except asyncio.CancelledError:
            pass  # the server is closing; ending quietly keeps asyncio from logging the cancellation
        finally:
            self._connections.discard(task)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bool, bytes] | None:
    """(method, path, keep-alive, body) of the next request, or None at a clean end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return method, path, keep_alive, body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are ever sent to us: just the final CRLF
            return b"".join(parts)
        parts.append((await reader.readexactly(size + 2))[:-2])


async def _send(writer: asyncio.StreamWriter, reply: simmodel.Reply, keep_alive: bool) -> None:
    head = [f"HTTP/1.1 {reply.status} {STATUS_TEXT.get(reply.status, 'Status')}",
            f"Content-Type: {reply.content_type}", *(f"{k}: {v}" for k, v in reply.headers.items())]
    if not keep_alive:
        head.append("Connection: close")
    if reply.events is None:
        head.append(f"Content-Length: {len(reply.body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
        await writer.drain()
        return
    head += ["Transfer-Encoding: chunked", "Cache-Control: no-cache"]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    try:
        async for event in reply.events:
            writer.write(b"%x\r\n%s\r\n" % (len(event), event))
            await writer.drain()  # each SSE event leaves now, so a client can time the tokens
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    finally:
        await reply.events.aclose()


def serve(host: str, port: int, config: SimConfig, ready: Callable[[], None] | None = None) -> None:
    """Listen on host:port (OSError when busy), call ready() once listening, serve until SIGTERM/SIGINT."""
    asyncio.run(_serve_until_signal(host, port, config, lambda _port: ready and ready()))


async def _serve_until_signal(host: str, port: int, config: SimConfig, ready: Callable[[int], None]) -> None:
    server = SimServer(config)
    await server.start(host, port)
    stop = asyncio.Event()
    if threading.current_thread() is threading.main_thread():  # signal handlers live in the main thread only
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
    ready(server.port)
    await stop.wait()
    await server.close()


@contextmanager
def running(config: SimConfig, host: str = "127.0.0.1", port: int = 0) -> Iterator[SimServer]:
    """Serve in a background thread for a with-block (tests); the server's `.port` says where."""
    loop = asyncio.new_event_loop()
    server = SimServer(config)
    started = threading.Event()
    failure: list[BaseException] = []
    stop = asyncio.Event()

    async def main():
        try:
            await server.start(host, port)
        except OSError as exc:
            failure.append(exc)
            return
        finally:
            started.set()
        await stop.wait()
        await server.close()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), name="simserver", daemon=True)
    thread.start()
    started.wait()
    if failure:
        thread.join()
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


def main(argv: list[str] | None = None) -> None:
    """`python simserver.py --port N [--ttft-ms 50 --pods a,b ...]`; knobs also from FAKEWORLD_SIM_* env."""
    parser = argparse.ArgumentParser(description="A local stand-in for llm-d-inference-sim.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="0 picks a free port (printed when listening)")
    defaults = SimConfig()
    for spec in dataclasses.fields(SimConfig):
        flag = "--" + spec.name.replace("_", "-")
        default = getattr(defaults, spec.name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None)
        else:
            parser.add_argument(flag, default=None, help=f"default {default!r}")
    args = parser.parse_args(argv)
    given = {spec.name: getattr(args, spec.name) for spec in dataclasses.fields(SimConfig)}
    fixed = {name: value if isinstance(value, bool) else _parse(name, value, getattr(defaults, name))
             for name, value in given.items() if value is not None}
    config = SimConfig.from_env(os.environ, **fixed)
    announce = lambda port: print(f"listening on {args.host}:{port}", flush=True)  # noqa: E731
    try:
        asyncio.run(_serve_until_signal(args.host, args.port, config, announce))
    except OSError as exc:
        sys.exit(f"simserver: cannot listen on {args.host}:{args.port}: {exc.strerror}")


if __name__ == "__main__":
    main()
