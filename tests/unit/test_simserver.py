"""The fake world's llm-d-inference-sim: the shapes the real simulator answers, its knobs and its faults."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from fakeworld import simserver
from fakeworld.simserver import SimConfig

SCRIPT = Path(simserver.__file__)
COMPLETION = {"model": "random", "prompt": "hello there world", "max_tokens": 4}
CHAT = {"model": "random", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}


@pytest.fixture
def sim():
    """Start a simulator with the given knobs; yields an httpx client bound to it."""
    stack = []

    def start(**knobs) -> httpx.Client:
        running = simserver.running(SimConfig(**knobs))
        server = running.__enter__()
        client = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10)
        stack.append((running, client))
        return client

    yield start
    for running, client in stack:
        client.close()
        running.__exit__(None, None, None)


def sse_events(client: httpx.Client, path: str, body: dict) -> list[str]:
    with client.stream("POST", path, json={**body, "stream": True}) as response:
        assert response.headers["content-type"] == "text/event-stream"
        return [line[len("data: "):] for line in response.iter_lines() if line.startswith("data: ")]


def test_models_and_health_answer_like_the_simulator(sim):
    client = sim(model="random")
    models = client.get("/v1/models").json()
    assert models["object"] == "list"
    assert [entry["id"] for entry in models["data"]] == ["random"]
    assert client.get("/health").json() == {} and client.get("/ready").json() == {}
    assert "vllm:num_requests_running" in client.get("/metrics").text


def test_completion_and_chat_have_choices_and_usage(sim):
    client = sim()
    text = client.post("/v1/completions", json=COMPLETION).json()
    assert text["object"] == "text_completion" and text["model"] == "random"
    assert len(text["choices"][0]["text"].split()) == 4
    assert text["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    chat = client.post("/v1/chat/completions", json=CHAT).json()
    assert chat["object"] == "chat.completion"
    assert chat["choices"][0]["message"]["role"] == "assistant"
    assert chat["usage"]["completion_tokens"] == 3


def test_stream_is_sse_chunks_ending_with_done(sim):
    client = sim()
    events = sse_events(client, "/v1/completions", {**COMPLETION, "stream_options": {"include_usage": True}})
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert len("".join(c["choices"][0]["text"] for c in chunks if c["choices"]).split()) == 4
    assert chunks[-1]["usage"]["completion_tokens"] == 4
    chat = [json.loads(event) for event in sse_events(client, "/v1/chat/completions", CHAT)[:-1]]
    assert chat[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert all(c["object"] == "chat.completion.chunk" for c in chat)


def test_unknown_model_gets_an_openai_error(sim):
    response = sim().post("/v1/completions", json={**COMPLETION, "model": "gpt-9"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "The model `gpt-9` does not exist."
    assert response.json()["error"]["type"] == "NotFoundError"


def test_pod_headers_go_round_robin_over_the_pods(sim):
    client = sim(pods=["a", "b", "c"], namespace="ns1")
    answers = [client.post("/v1/completions", json=COMPLETION) for _ in range(6)]
    assert [r.headers["x-inference-pod"] for r in answers] == ["a", "b", "c", "a", "b", "c"]
    assert answers[0].headers["x-inference-namespace"] == "ns1"
    assert "x-inference-pod" not in sim(pod_headers=False).post("/v1/completions", json=COMPLETION).headers


def test_prefix_routing_keeps_a_shared_prefix_on_one_pod(sim):
    client = sim(pods=["a", "b", "c", "d"], routing="prefix", prefix_chars=10)
    pods = {client.post("/v1/completions", json={**COMPLETION, "prompt": f"same start then {i}"})
            .headers["x-inference-pod"] for i in range(8)}
    assert len(pods) == 1


def test_injected_faults_hit_completions_only(sim):
    failing = sim(error_rate=1.0)
    assert failing.post("/v1/completions", json=COMPLETION).status_code == 500
    assert failing.post("/v1/chat/completions", json=CHAT).json()["error"]["type"] == "InternalServerError"
    assert failing.get("/v1/models").status_code == 200
    garbled = sim(bad_json=True)
    with pytest.raises(json.JSONDecodeError):
        garbled.post("/v1/completions", json=COMPLETION).json()
    assert "[DONE]" not in sse_events(sim(no_done=True), "/v1/completions", COMPLETION)
    assert sim(wrong_model="other").post("/v1/completions", json=COMPLETION).json()["model"] == "other"


def test_configured_latency_is_at_least_what_was_asked(sim):
    client = sim(ttft_ms=40, itl_ms=10)
    started = time.perf_counter()
    client.post("/v1/completions", json=COMPLETION)  # 40 + 3 * 10 ms
    assert time.perf_counter() - started >= 0.07


def test_answers_several_requests_on_one_connection():
    with simserver.running(SimConfig()) as server, socket.create_connection(("127.0.0.1", server.port)) as conn:
        request = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.sendall(request * 2 + request.replace(b"Host: x", b"Host: x\r\nConnection: close"))
        replies = b""
        while chunk := conn.recv(4096):  # ends when the server closes after the third answer
            replies += chunk
    assert replies.count(b"HTTP/1.1 200 OK") == 3


def test_from_env_reads_knobs_and_fixed_values_win():
    env = {"FAKEWORLD_SIM_PODS": "p1, p2", "FAKEWORLD_SIM_TTFT_MS": "12.5", "FAKEWORLD_SIM_POD_HEADERS": "false",
           "FAKEWORLD_SIM_MODEL": "env-model", "FAKEWORLD_SIM_ERROR_RATE": "0.5"}
    config = SimConfig.from_env(env, model="fixed")
    assert config.pods == ["p1", "p2"] and config.ttft_ms == 12.5 and config.pod_headers is False
    assert config.model == "fixed" and config.error_rate == 0.5
    with pytest.raises(ValueError, match="FAKEWORLD_SIM_ITL_MS"):
        SimConfig.from_env({"FAKEWORLD_SIM_ITL_MS": "fast"})


def test_serve_refuses_a_busy_port_and_calls_ready():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            simserver.serve("127.0.0.1", taken.getsockname()[1], SimConfig())
    ready = threading.Event()
    threading.Thread(target=simserver.serve, args=("127.0.0.1", 0, SimConfig(), ready.set), daemon=True).start()
    assert ready.wait(10)


def test_standalone_script_serves_until_sigterm():
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--port", "0", "--model", "m1", "--pods", "x,y"],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/completions", json={**COMPLETION, "model": "m1"})
        assert answer.headers["x-inference-pod"] == "x"
    finally:
        proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
