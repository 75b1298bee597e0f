"""The world file: one JSON document every fake tool reads and changes, guarded by a lock.

Parallel fakes (four `docker pull`s at once, a `kubectl wait` beside a `helmfile apply`) each take
an exclusive fcntl.flock on a sidecar `<state>.lock` for a read-modify-write, and the file is
replaced atomically, so no process ever sees half a world. Long work (a simulated pull taking
its time) happens outside the lock. Knobs live in the file's "knobs" section (the Python handle
sets them) and may be overridden from the environment (FAKEWORLD_*), see README.md.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager

STATE_ENV = "FAKEWORLD_STATE"
DOCKER_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

# Realistic durations in seconds (what a laptop sees), multiplied by the latency scale.
LATENCY = {
    "docker pull": 20.0,
    "docker save": 5.0,
    "docker": 0.1,
    "kind create cluster": 40.0,
    "kind delete cluster": 5.0,
    "kind load": 10.0,
    "kind": 0.2,
    "kubectl apply": 1.0,
    "kubectl": 0.2,
    "helm plugin install": 5.0,
    "helm": 0.3,
    "helmfile release": 25.0,
    "helmfile destroy release": 5.0,
    "helmfile": 1.0,
    "git clone": 3.0,
    # Transitions inside a cluster, counted from the moment they can start.
    "crd established": 2.0,
    "node ready": 15.0,
    "pod start": 30.0,
    "node pull": 20.0,
}

# Images every registry in the world serves (upstream names); tests add more with the handle.
CATALOG = [
    "docker.io/kindest/node:v1.31.0",
    "docker.io/kindest/node:v1.32.2",
    "docker.io/kindest/node:v1.33.1",
    "docker.io/kindest/node:v1.34.0",
    "ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.2",
    "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0",
    "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1",
    "gcr.io/istio-testing/pilot:1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401",
    "gcr.io/istio-testing/proxyv2:1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401",
    "docker.io/istio/pilot:1.28.0",
    "docker.io/istio/proxyv2:1.28.0",
    "registry.k8s.io/gateway-api-inference-extension/epp:v1.0.1",
]


def state_path() -> str:
    path = os.environ.get(STATE_ENV)
    if not path:
        raise SystemExit(f"fakeworld: {STATE_ENV} is not set (use the fake_world pytest fixture)")
    return path


def empty() -> dict:
    """A fresh world: Docker running with no images, no clusters, no kubeconfig contexts."""
    return {
        "version": 1,
        "knobs": {},
        "catalog": list(CATALOG),
        "docker": {"images": {}},
        "clusters": {},
        "kubeconfig": {"contexts": {}, "current": ""},
        "fault_counts": {},
        "clones": [],
        "seq": 0,
    }


def _load(path: str) -> tuple[dict, str]:
    try:
        with open(path) as handle:
            text = handle.read()
    except FileNotFoundError:
        return empty(), ""
    return json.loads(text), text


def _save(path: str, text: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


@contextmanager
def locked(path: str | None = None, write: bool = True):
    """Yield the world; with write, save it back (if changed) when the block ends without an exception."""
    path = path or state_path()
    fd = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        state, before = _load(path)
        yield state
        if write:
            after = json.dumps(state, separators=(",", ":"))  # json.dumps uses the C encoder; json.dump does not
            if after != before:
                _save(path, after)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read(path: str | None = None) -> dict:
    with locked(path, write=False) as state:
        return state


def next_seq(state: dict) -> int:
    """A number unique within this world (pod name suffixes, uids)."""
    state["seq"] = state.get("seq", 0) + 1
    return state["seq"]


# -- knobs -------------------------------------------------------------------------------

def knobs(state: dict) -> dict:
    """The file's knobs with FAKEWORLD_* environment variables on top."""
    merged = {
        "latency_scale": 0.0,
        "latency": {},
        "faults": [],
        "unreachable": [],
        "monitoring_crds": False,
        "pod_never_ready": {},
        "pod_starved": [],
        "docker_down": False,
        "helm_version": "v3.17.3",
        "mirror_hosts": {},
        **state.get("knobs", {}),
    }
    env = os.environ
    if env.get("FAKEWORLD_LATENCY_SCALE"):
        merged["latency_scale"] = float(env["FAKEWORLD_LATENCY_SCALE"])
    if env.get("FAKEWORLD_LATENCY"):
        merged["latency"] = {**merged["latency"], **_pairs(env["FAKEWORLD_LATENCY"], float)}
    if env.get("FAKEWORLD_FAULTS"):
        merged["faults"] = merged["faults"] + json.loads(env["FAKEWORLD_FAULTS"])
    if env.get("FAKEWORLD_UNREACHABLE"):
        merged["unreachable"] = merged["unreachable"] + _items(env["FAKEWORLD_UNREACHABLE"])
    if env.get("FAKEWORLD_MONITORING_CRDS"):
        merged["monitoring_crds"] = env["FAKEWORLD_MONITORING_CRDS"].lower() in ("1", "true", "yes", "on")
    if env.get("FAKEWORLD_POD_NEVER_READY"):
        merged["pod_never_ready"] = {**merged["pod_never_ready"], **_pairs(env["FAKEWORLD_POD_NEVER_READY"], str,
                                                                          default="CrashLoopBackOff")}
    if env.get("FAKEWORLD_POD_STARVED"):
        merged["pod_starved"] = merged["pod_starved"] + _items(env["FAKEWORLD_POD_STARVED"])
    if env.get("FAKEWORLD_DOCKER_DOWN"):
        merged["docker_down"] = env["FAKEWORLD_DOCKER_DOWN"].lower() in ("1", "true", "yes", "on")
    if env.get("FAKEWORLD_HELM_VERSION"):
        merged["helm_version"] = env["FAKEWORLD_HELM_VERSION"]
    return merged


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _pairs(text: str, convert, default=None) -> dict:
    """`a=1,b=2` -> {"a": 1, "b": 2}; a bare `a` takes `default`."""
    pairs = {}
    for item in _items(text):
        key, sep, value = item.partition("=")
        pairs[key.strip()] = convert(value.strip()) if sep else default
    return pairs


def duration(knob: dict, key: str) -> float:
    """How long `key` takes in this world: its realistic seconds times the latency scale."""
    seconds = knob["latency"].get(key, LATENCY.get(key, LATENCY.get(key.split()[0], 0.0)))
    return float(seconds) * float(knob["latency_scale"])


def take_time(knob: dict, key: str, count: float = 1.0) -> None:
    """Spend the simulated time of `key` (outside any lock)."""
    seconds = duration(knob, key) * count
    if seconds > 0:
        time.sleep(seconds)


def now() -> float:
    return time.time()


def rfc3339(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
