"""`llmd-sim test`, `bench` and `port-forward`: the commands that talk to the gateway.

Registered on `llmd_sim.cli.app`; imports stay light (typer only) so `llmd-sim --help` starts fast.
Option names avoid the global ones of cli.py (--timeout, --namespace, ...), which may follow a command.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from llmd_sim import session as session_mod
from llmd_sim.cli import app

GATEWAY = "Gateway"
LOAD = "Load"

Endpoint = Annotated[Optional[str], typer.Option(
    "--endpoint", metavar="URL", rich_help_panel=GATEWAY,
    help="Talk to this URL instead of starting a port-forward (e.g. http://127.0.0.1:8000).")]
Port = Annotated[Optional[int], typer.Option(
    "--port", min=1, max=65535, rich_help_panel=GATEWAY, help="Local port for the port-forward (default: a free one).")]
RequestTimeout = Annotated[float, typer.Option(
    "--request-timeout", min=0.1, metavar="SECONDS", help="Longest one request may take.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable report on stdout.")]


@app.command("test")
def test_(
    endpoint: Endpoint = None,
    port: Port = None,
    request_timeout: RequestTimeout = 30.0,
    json_: Json = False,
) -> None:
    """Check the stack answers like the guide's curl commands (models, completions, chat, streaming, errors)."""
    from llmd_sim.commands import traffic

    traffic.test(session_mod.current, endpoint=endpoint, port=port, request_timeout=request_timeout, as_json=json_)


@app.command()
def bench(
    requests: Annotated[int, typer.Option("--requests", "-n", min=1, rich_help_panel=LOAD,
                                          help="Number of requests to send.")] = 200,
    duration: Annotated[Optional[str], typer.Option("--duration", metavar="DURATION", rich_help_panel=LOAD,
                                                    help="Send for this long instead (e.g. 30s, 2m).")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, max=1024, rich_help_panel=LOAD,
                                             help="Requests in flight at once.")] = 8,
    prompt_tokens: Annotated[int, typer.Option("--prompt-tokens", min=1, rich_help_panel=LOAD,
                                               help="Words per prompt.")] = 64,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, rich_help_panel=LOAD,
                                            help="max_tokens of each request.")] = 32,
    stream: Annotated[bool, typer.Option("--stream/--no-stream", rich_help_panel=LOAD,
                                         help="Stream answers (measures time to first token and inter-token latency).")] = False,
    chat: Annotated[bool, typer.Option("--chat", rich_help_panel=LOAD,
                                       help="Use /v1/chat/completions instead of /v1/completions.")] = False,
    prefix_groups: Annotated[int, typer.Option("--prefix-groups", min=0, rich_help_panel=LOAD,
                                               help="Prompts in N groups sharing a prefix, for prefix-cache-aware "
                                                    "routing (0: no shared prefixes).")] = 0,
    prefix_ratio: Annotated[float, typer.Option("--prefix-ratio", min=0.05, max=0.95, rich_help_panel=LOAD,
                                                help="Share of each prompt that is its group's prefix.")] = 0.75,
    seed: Annotated[int, typer.Option("--seed", rich_help_panel=LOAD, help="Seed for the prompt set.")] = 0,
    endpoint: Endpoint = None,
    port: Port = None,
    request_timeout: RequestTimeout = 60.0,
    json_: Json = False,
) -> None:
    """Send load through the gateway: throughput, latency, errors, and which pods served it."""
    from llmd_sim.bench import BenchOptions
    from llmd_sim.commands import bench as command

    options = BenchOptions(
        requests=requests, duration=command.parse_duration(duration), concurrency=concurrency,
        prompt_tokens=prompt_tokens, max_tokens=max_tokens, stream=stream, chat=chat,
        prefix_groups=prefix_groups, prefix_ratio=prefix_ratio, request_timeout=request_timeout, seed=seed,
    )
    command.bench(session_mod.current, options, endpoint=endpoint, port=port, as_json=json_)


@app.command("port-forward")
def port_forward(
    port: Annotated[Optional[int], typer.Option("--port", min=1, max=65535,
                                                help="Local port (default: 8000, or a free one).")] = None,
) -> None:
    """Keep a port-forward to the gateway open in the foreground for your own curl; Ctrl-C stops it."""
    from llmd_sim.commands import traffic

    traffic.hold_port_forward(session_mod.current, port=port)
