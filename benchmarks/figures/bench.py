"""Figure 5, bench accuracy: the p50 `llmd-sim bench` reports against a simulator that answers in a fixed
50 ms, at concurrency 32; and the requests/s the client sustains against a simulator that answers at once."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import rawclient
from benchmarks.measure import Plan, ratios, summarize
from benchmarks.report import Row, show
from benchmarks.sandbox import Sandbox
from benchmarks.simulator import serving

SELFUSAGE = Path(__file__).resolve().parent.parent / "selfusage.py"
SERVER_MS = 50.0
CONCURRENCY = 32
ERROR_LIMIT_MS = 5.0
RATE_TARGET = 1000.0  # requests/s


def measure(plan: Plan) -> list[Row]:
    """This figure's rows, measured as the module docstring says."""
    box = Sandbox(plan.work / "bench", plan.pycache)
    runs = plan.runs_or(3)
    p50s, raw = [], []
    with serving(latency_ms=SERVER_MS) as url:
        for _ in range(runs):  # interleaved with the thinnest client, which shows the server's own share
            p50s.append(report(box, url, requests=CONCURRENCY * 20)["latency_ms"]["p50"])
            raw.append(rawclient.p50_ms(url, concurrency=CONCURRENCY, requests_each=20))
    with serving(latency_ms=0.0) as url:
        loads = [load_with_usage(box, url, requests=4000) for _ in range(runs)]
    errors = [p50 - SERVER_MS for p50 in p50s]
    error = summarize(errors)
    rates = [load["requests_per_s"] for load in loads]
    rate = summarize(rates)
    return [
        Row("bench", f"p50 error, c={CONCURRENCY}, {SERVER_MS:g} ms server", "ms", error,
            f"raw-socket client p50 {show(summarize(raw).median, 'ms')}", ratios(p50s, raw),
            target=f"< {ERROR_LIMIT_MS:g} ms", met=abs(error.median) < ERROR_LIMIT_MS,
            details={"p50_ms": p50s, "raw_client_p50_ms": [round(value, 3) for value in raw]}),
        Row("bench", f"req/s, c={CONCURRENCY}, zero-latency server", "req/s", rate,
            target=f">= {RATE_TARGET:,.0f} req/s", met=rate.median >= RATE_TARGET,
            # Near one CPU second per second, the client is the limit; well below, the server is.
            details={"client_cpu_share": [round(load["cpu_s"] / load["elapsed_s"], 3) for load in loads]}),
    ]


def report(box: Sandbox, url: str, *, requests: int, concurrency: int = CONCURRENCY) -> dict:
    """`llmd-sim bench --json` against `url`."""
    run = box.llmd_sim("bench", "--endpoint", url, "-c", str(concurrency), "-n", str(requests), "--json").checked()
    return json.loads(run.stdout)


def load_with_usage(box: Sandbox, url: str, *, requests: int) -> dict:
    """The bench report, with the CPU seconds the client process spent."""
    usage_file = box.root / "bench-usage.json"
    run = box.python(str(SELFUSAGE), str(usage_file), "bench", "--endpoint", url, "-c", str(CONCURRENCY),
                     "-n", str(requests), "--json").checked()
    data = json.loads(run.stdout)
    return {**data, "cpu_s": json.loads(usage_file.read_text())["self_cpu_s"]}
