"""The figures of `llmd-sim bench`: percentiles, errors by kind, spread across pods; the JSON report and table."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmd_sim.bench import BenchOptions, Sample

POD_HINT = ("responses carry no x-inference-pod header: the model servers report their pod only when POD_NAME "
            "is set. llmd-sim's deploy step sets it; a stack deployed before that needs `llmd-sim up --from deploy`")
# Some llm-d-inference-sim versions set the pod headers on whole answers only, not on streams.
STREAM_POD_HINT = ("streamed responses carry no x-inference-pod header: some simulator versions send it only with "
                   "whole answers, so try --no-stream; if that shows none either, " + POD_HINT.split(": ", 1)[1])


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value below which `share` (0..1) of the sorted values fall, interpolating between neighbours."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution_ms(values: Sequence[float]) -> dict[str, float] | None:
    """p50/p90/p99, mean and max in milliseconds; None when there is nothing to measure."""
    if not values:
        return None
    ordered = sorted(values)
    figures = {f"p{round(q * 100)}": percentile(ordered, q) for q in (0.5, 0.9, 0.99)}
    figures.update(mean=sum(ordered) / len(ordered), max=ordered[-1])
    return {name: round(seconds * 1000, 3) for name, seconds in figures.items()}


def report(samples: Sequence[Sample], elapsed: float, options: BenchOptions, *, url: str, model: str) -> dict[str, Any]:
    """Everything `bench --json` prints."""
    good = [sample for sample in samples if sample.error is None]
    pods = Counter(sample.pod for sample in samples if sample.pod)
    notes = []
    if samples and not pods:
        notes.append(STREAM_POD_HINT if options.stream else POD_HINT)
    if not options.stream:
        notes.append("time to first token and inter-token latency need --stream")
    return {
        "endpoint": url,
        "model": model,
        "options": asdict(options),
        "elapsed_s": round(elapsed, 3),
        "requests": {"total": len(samples), "ok": len(good), "failed": len(samples) - len(good)},
        "requests_per_s": round(len(samples) / elapsed, 2) if elapsed > 0 else 0.0,
        "output_tokens_per_s": round(sum(s.tokens for s in good) / elapsed, 2) if elapsed > 0 else 0.0,
        "errors": dict(Counter(sample.error for sample in samples if sample.error).most_common()),
        "latency_ms": distribution_ms([sample.latency for sample in good]),
        "ttft_ms": distribution_ms([sample.ttft for sample in good if sample.ttft is not None]),
        "itl_ms": distribution_ms([gap for sample in good for gap in sample.gaps]),
        "pods": dict(sorted(pods.items())),
        "notes": notes,
    }


def table_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The report as (figure, value) rows for a person."""
    counts = data["requests"]
    rows = [
        ("endpoint", data["endpoint"]),
        ("requests", f"{counts['total']} in {data['elapsed_s']:.1f}s ({counts['ok']} ok, {counts['failed']} failed)"),
        ("throughput", f"{data['requests_per_s']:.1f} req/s, {data['output_tokens_per_s']:.0f} output tokens/s"),
    ]
    rows += [(f"errors: {kind}", str(count)) for kind, count in data["errors"].items()]
    for key, label in (("latency_ms", "latency"), ("ttft_ms", "time to first token"), ("itl_ms", "inter-token")):
        if data[key]:
            figures = data[key]
            rows.append((label, f"p50 {figures['p50']:.1f} ms  p90 {figures['p90']:.1f} ms  p99 {figures['p99']:.1f} ms"))
    total = sum(data["pods"].values())
    rows += [(f"pod {pod}", f"{count} ({count / total:.0%})") for pod, count in data["pods"].items()]
    return rows
