"""`llmd-sim bench`: the prompt set, the statistics, and figures that match what the simulator was told to do."""

from __future__ import annotations

import pytest

from fakeworld import simserver
from fakeworld.simserver import SimConfig
from llmd_sim import bench, benchstats, portforward
from llmd_sim.bench import BenchOptions, Load, Sample

PODS = ["decode-a", "decode-b", "decode-c"]


def measure(options: BenchOptions, recover=lambda: False, **knobs) -> dict:
    with simserver.running(SimConfig(pods=PODS, **knobs)) as server:
        url = f"http://127.0.0.1:{server.port}"
        tally, elapsed = Load(url, "random", options, recover=recover).run()
    return benchstats.report(tally.samples, elapsed, options, url=url, model="random")


def test_prompt_groups_share_a_prefix_and_differ_after_it():
    options = BenchOptions(requests=12, prompt_tokens=40, prefix_groups=3, prefix_ratio=0.5)
    prompts = bench.prompts(options)
    assert len(prompts) == 12 and len(set(prompts)) == 12
    groups = {}
    for index, prompt in enumerate(prompts):
        groups.setdefault(index % 3, []).append(prompt)
    for members in groups.values():
        prefix = members[0][: len(members[0]) // 3]
        assert all(member.startswith(prefix) for member in members)
    assert len({members[0][:30] for members in groups.values()}) == 3
    assert all(30 <= len(prompt.split()) <= 45 for prompt in prompts)


def test_without_groups_every_prompt_is_its_own():
    prompts = bench.prompts(BenchOptions(requests=50, prompt_tokens=10))
    assert len({prompt.split()[0] for prompt in prompts}) == 50  # no two start alike
    assert bench.prompts(BenchOptions(requests=50, seed=1)) != bench.prompts(BenchOptions(requests=50, seed=2))


def test_percentiles_interpolate_between_neighbours():
    values = [float(v) for v in range(1, 101)]
    assert benchstats.percentile(values, 0.5) == pytest.approx(50.5)
    assert benchstats.percentile(values, 0.99) == pytest.approx(99.01)
    assert benchstats.percentile([7.0], 0.9) == 7.0
    figures = benchstats.distribution_ms([0.010, 0.020, 0.030])
    assert figures == {"p50": 20.0, "p90": 28.0, "p99": 29.8, "mean": 20.0, "max": 30.0}
    assert benchstats.distribution_ms([]) is None


def test_report_counts_errors_by_kind_and_pods():
    samples = [Sample(0.01, pod="a", tokens=4), Sample(0.03, pod="b", tokens=4), Sample(0.02, error="HTTP 500"),
               Sample(0.001, error="timeout"), Sample(0.02, error="HTTP 500")]
    data = benchstats.report(samples, 2.0, BenchOptions(requests=5), url="u", model="m")
    assert data["requests"] == {"total": 5, "ok": 2, "failed": 3}
    assert data["errors"] == {"HTTP 500": 2, "timeout": 1}
    assert data["requests_per_s"] == 2.5 and data["output_tokens_per_s"] == 4.0
    assert data["latency_ms"]["p50"] == 20.0  # failed requests are not in the latency figures
    assert data["pods"] == {"a": 1, "b": 1}
    rows = dict(benchstats.table_rows(data))
    assert rows["errors: HTTP 500"] == "2" and rows["pod a"] == "1 (50%)"


def test_latency_and_pod_spread_match_the_simulator():
    data = measure(BenchOptions(requests=60, concurrency=6, max_tokens=1), ttft_ms=40)
    assert data["requests"] == {"total": 60, "ok": 60, "failed": 0}
    assert 40 <= data["latency_ms"]["p50"] < 400
    assert data["pods"] == {pod: 20 for pod in PODS}  # the simulator's round robin, seen through the header
    assert data["ttft_ms"] is None and any("--stream" in note for note in data["notes"])


def test_streams_report_time_to_first_token_and_inter_token_latency():
    data = measure(BenchOptions(requests=12, concurrency=3, max_tokens=5, stream=True), ttft_ms=30, itl_ms=15)
    assert data["requests"]["ok"] == 12
    assert 30 <= data["ttft_ms"]["p50"] < 300
    assert 15 <= data["itl_ms"]["p50"] < 150
    assert 30 + 4 * 15 <= data["latency_ms"]["p50"]
    assert data["output_tokens_per_s"] == pytest.approx(12 * 5 / data["elapsed_s"], rel=0.05)


def test_chat_streams_do_not_count_the_role_chunk_as_a_token():
    data = measure(BenchOptions(requests=4, concurrency=2, max_tokens=3, stream=True, chat=True), ttft_ms=20)
    assert data["requests"]["ok"] == 4
    assert data["ttft_ms"]["p50"] >= 20  # the role chunk comes at once; the first token after TTFT


def test_missing_pod_headers_are_explained():
    data = measure(BenchOptions(requests=5, concurrency=1), pod_headers=False)
    assert data["pods"] == {}
    assert benchstats.POD_HINT in data["notes"]
    assert "llmd-sim up --from deploy" in benchstats.POD_HINT
    streamed = measure(BenchOptions(requests=2, concurrency=1, stream=True), pod_headers=False)
    assert streamed["notes"] == [benchstats.STREAM_POD_HINT]
    assert "--no-stream" in benchstats.STREAM_POD_HINT and "llmd-sim up --from deploy" in benchstats.STREAM_POD_HINT


@pytest.mark.parametrize(("knobs", "options", "kind"), [
    ({"error_rate": 1.0}, {}, "HTTP 500"),
    ({"bad_json": True}, {}, "answer not JSON"),
    ({"bad_json": True}, {"stream": True}, "stream chunk not JSON"),
    ({"no_done": True}, {"stream": True}, "stream without [DONE]"),
])
def test_faults_are_counted_by_kind(knobs, options, kind):
    data = measure(BenchOptions(requests=6, concurrency=2, max_tokens=2, **options), **knobs)
    assert data["errors"] == {kind: 6}
    assert data["requests"]["ok"] == 0 and data["latency_ms"] is None


def test_a_server_that_is_down_counts_refusals():
    options = BenchOptions(requests=5, concurrency=2)
    tally, elapsed = Load(f"http://127.0.0.1:{portforward.free_port()}", "random", options).run()
    data = benchstats.report(tally.samples, elapsed, options, url="", model="random")
    assert data["errors"] == {"connection refused": 5}


def test_duration_mode_runs_until_the_time_is_up():
    data = measure(BenchOptions(duration=0.3, concurrency=2, max_tokens=1), ttft_ms=20)
    assert data["requests"]["total"] >= 2 and data["requests"]["failed"] == 0
    assert data["elapsed_s"] >= 0.3


def test_a_dropped_forward_is_restarted_once_and_the_load_goes_on():
    port = portforward.free_port()
    servers = []

    def recover() -> bool:
        servers.append(simserver.running(SimConfig(pods=PODS), port=port))
        servers[-1].__enter__()
        return True

    options = BenchOptions(requests=40, concurrency=4, max_tokens=1)
    try:
        tally, elapsed = Load(f"http://127.0.0.1:{port}", "random", options, recover=recover).run()
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    assert len(servers) == 1  # four workers saw the refusal; one restart
    errors = [sample.error for sample in tally.samples if sample.error]
    assert set(errors) == {"connection refused"} and len(errors) <= 4
    assert tally.done == 40


def test_progress_is_reported_while_running_and_at_the_end():
    seen = []
    with simserver.running(SimConfig(ttft_ms=5)) as server:
        Load(f"http://127.0.0.1:{server.port}", "random", BenchOptions(requests=20, concurrency=2)).run(
            lambda tally: seen.append(tally.done))
    assert seen[0] == 0 and seen[-1] == 20


def test_live_progress_on_a_terminal_only():
    import io

    from llmd_sim.bench import Tally
    from llmd_sim.commands.bench import live_progress
    from llmd_sim.ui import UI

    plain = UI(stream=io.StringIO())
    with live_progress(plain, BenchOptions()) as update:
        assert update is None
    terminal = UI(stream=io.StringIO())
    terminal.fancy = True
    with live_progress(terminal, BenchOptions(requests=4)) as update:
        tally = Tally(4, started_at=1.0, done=3, failed=1)
        update(tally)
    assert "3 done, 1 failed" in terminal.stream.getvalue()
