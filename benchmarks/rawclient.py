"""The thinnest client there is, as a yardstick for `llmd-sim bench`: `concurrency` asyncio connections,
each sending the same completion request over HTTP/1.1 keep-alive and timing the whole answer.
What it sees beyond the server's fixed latency is the server's and the machine's; what bench sees
beyond that is bench's own."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from urllib.parse import urlsplit


def p50_ms(url: str, *, concurrency: int, requests_each: int, model: str = "random") -> float:
    """The median request latency in milliseconds."""
    return statistics.median(asyncio.run(_load(url, concurrency, requests_each, model))) * 1000


async def _load(url: str, concurrency: int, requests_each: int, model: str) -> list[float]:
    parts = urlsplit(url)
    body = json.dumps({"model": model, "prompt": "hello " * 64, "max_tokens": 32}).encode()
    request = (f"POST /v1/completions HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    latencies: list[float] = []
    await asyncio.gather(*(_connection(parts.hostname, parts.port, request, requests_each, latencies)
                           for _ in range(concurrency)))
    return latencies


async def _connection(host: str, port: int, request: bytes, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()
