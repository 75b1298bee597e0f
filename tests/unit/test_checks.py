"""`llmd-sim test`'s checks against the fake simulator: all pass on a healthy server, and each fault
fails the right check with a reason a person can act on."""

from __future__ import annotations

from fakeworld import simserver
from fakeworld.simserver import SimConfig
from llmd_sim import checks, portforward


def run_against(model: str = "random", timeout: float = 10.0, **knobs) -> dict[str, checks.CheckResult]:
    with simserver.running(SimConfig(pods=["decode-0", "decode-1"], **knobs)) as server:
        results = checks.run_checks(portforward.Direct(f"http://127.0.0.1:{server.port}"), model, timeout=timeout)
    return {result.name: result for result in results}


def failing(results: dict[str, checks.CheckResult]) -> set[str]:
    return {name for name, result in results.items() if not result.ok}


def test_a_healthy_stack_passes_every_check():
    results = run_against()
    assert list(results) == ["models", "completion", "chat", "stream", "unknown-model"]
    assert failing(results) == set()
    assert results["models"].reason == "lists random"
    assert results["completion"].reason == "32 tokens, served by decode-0"
    assert results["stream"].reason == "32 chunks, then [DONE]"
    assert "does not exist" in results["unknown-model"].reason
    assert all(result.seconds > 0 for result in results.values())


def test_server_down_fails_everything_as_connection_refused():
    results = checks.run_checks(portforward.Direct(f"http://127.0.0.1:{portforward.free_port()}"), "random")
    assert all(not r.ok and r.unreachable and r.reason.startswith("connection refused at") for r in results)


def test_server_errors_fail_the_completions_with_the_servers_message():
    results = run_against(error_rate=1.0)
    assert failing(results) == {"completion", "chat", "stream", "unknown-model"}
    assert results["completion"].reason == "HTTP 500: Injected failure"
    assert results["stream"].reason == "HTTP 500: Injected failure"
    assert results["unknown-model"].reason == "expected a 4xx OpenAI error, got HTTP 500: Injected failure"
    assert not results["completion"].unreachable


def test_non_json_answers_are_named_not_raised():
    results = run_against(bad_json=True)
    assert failing(results) == {"completion", "chat", "stream"}
    assert results["completion"].reason.startswith("the answer is not JSON (HTTP 200, text/html): <html>")
    assert results["stream"].reason.startswith("stream chunk 1 is not JSON")


def test_a_stream_without_done_fails_only_the_stream_check():
    results = run_against(no_done=True)
    assert failing(results) == {"stream"}
    assert results["stream"].reason == "the stream ended without `data: [DONE]` after 32 chunks"


def test_answers_from_another_model_fail():
    results = run_against(wrong_model="other-model")
    assert failing(results) == {"completion", "chat", "stream"}
    assert results["chat"].reason == "answered as model 'other-model', expected 'random'"


def test_a_stack_serving_another_model_fails_the_models_check():
    results = run_against(model="meta-llama/Llama-3.1-8B")
    assert results["models"].reason == "model 'meta-llama/Llama-3.1-8B' is not served; listed: random"
    assert "does not exist" in results["completion"].reason


def test_a_slow_server_is_a_timeout_not_a_traceback():
    results = run_against(timeout=0.2, ttft_ms=2000)
    assert results["completion"].reason.startswith("no answer within the timeout")
    assert results["models"].ok  # not slowed: only completions wait for tokens


class Recovering:
    """A gateway whose first connection fails, like a port-forward that dropped; recover() brings it back."""

    def __init__(self):
        self.port = portforward.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.recoveries = 0

    def recover(self) -> bool:
        self.recoveries += 1
        self.server = simserver.running(SimConfig(), port=self.port)
        self.server.__enter__()
        return True


def test_a_dropped_forward_is_recovered_and_the_check_retried():
    gateway = Recovering()
    try:
        results = checks.run_checks(gateway, "random")
    finally:
        gateway.server.__exit__(None, None, None)
    assert gateway.recoveries == 1
    assert [r.ok for r in results] == [True] * 5

