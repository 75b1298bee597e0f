"""pytest fixtures for the fake world: `fake_world` (a fresh world, fakes first on PATH, and a handle to
read and change it) and `llmd_sim` (run the CLI as a subprocess in that world)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from fakeworld import clusters, images, status, toolmain, world

BIN = Path(__file__).parent / "bin"


class FakeWorld:
    """A handle on one test's world file: knobs to turn and views to assert on."""

    def __init__(self, path: Path):
        self.path = path
        self.bin = BIN

    # -- reading ------------------------------------------------------------------------

    def state(self) -> dict:
        return world.read(str(self.path))

    def calls(self, tool: str | None = None) -> list[dict]:
        """Every recorded invocation ({tool, argv, exit, context, cluster, ...}), oldest first."""
        return [c for c in toolmain.read_calls(str(self.path)) if tool is None or c["tool"] == tool]

    def commands(self, tool: str | None = None) -> list[str]:
        return [shlex.join([c["tool"], *c["argv"]]) for c in self.calls(tool)]

    def calls_without_context(self) -> list[str]:
        """Commands that talked to a cluster without naming a kube-context."""
        return [shlex.join([c["tool"], *c["argv"]]) for c in self.calls() if c.get("cluster") and not c.get("context")]

    def clusters(self) -> list[str]:
        return sorted(self.state()["clusters"])

    def current_context(self) -> str:
        return self.state()["kubeconfig"].get("current", "")

    def contexts(self) -> list[str]:
        return sorted(self.state()["kubeconfig"]["contexts"])

    def releases(self, cluster: str = "llmd-sim", namespace: str | None = None) -> dict[str, str]:
        """release name -> status."""
        found = self.state()["clusters"].get(cluster, {}).get("releases", {}).values()
        return {r["name"]: r["status"] for r in found if namespace is None or r["namespace"] == namespace}

    def objects(self, kind: str, cluster: str = "llmd-sim", namespace: str | None = None) -> list[dict]:
        """Objects of a kind (e.g. "HTTPRoute", "CustomResourceDefinition") with computed statuses."""
        state = self.state()
        found = state["clusters"].get(cluster)
        if not found:
            return []
        knob, now = world.knobs(state), world.now()
        return [status.view(state, found, obj, knob, now) for obj in found["objects"].values()
                if obj["kind"] == kind and (namespace is None or obj["metadata"].get("namespace") == namespace)]

    def names(self, kind: str, cluster: str = "llmd-sim", namespace: str | None = None) -> list[str]:
        return sorted(obj["metadata"]["name"] for obj in self.objects(kind, cluster, namespace))

    def pods(self, namespace: str, cluster: str = "llmd-sim") -> dict[str, dict]:
        """pod name -> {"ready": bool, "reason": waiting reason or None, "phase": ...}."""
        pods = {}
        for pod in self.objects("Pod", cluster, namespace):
            state = pod["status"]
            waiting = [s["state"]["waiting"].get("reason") for s in [*state.get("initContainerStatuses", []),
                                                                      *state.get("containerStatuses", [])]
                       if "waiting" in s.get("state", {})]
            pods[pod["metadata"]["name"]] = {"ready": status.is_true(state, "Ready"), "phase": state.get("phase"),
                                             "reason": waiting[0] if waiting else None}
        return pods

    def host_images(self) -> dict[str, str]:
        """canonical image name -> ID on the Docker host."""
        return {name: image["id"] for name, image in self.state()["docker"]["images"].items()}

    def node_images(self, cluster: str = "llmd-sim") -> dict[str, dict[str, str]]:
        return {node["name"]: dict(node["images"]) for node in self.state()["clusters"][cluster]["nodes"]}

    def clones(self) -> list[dict]:
        return self.state()["clones"]

    # -- changing -----------------------------------------------------------------------

    def _update(self, change) -> None:
        with world.locked(str(self.path)) as state:
            change(state)

    def knobs(self, **values) -> None:
        """Set knobs in the world file (see README.md for their names)."""
        self._update(lambda state: state.setdefault("knobs", {}).update(values))

    def latency(self, scale: float, **overrides: float) -> None:
        """Simulated durations times `scale`; overrides by command, e.g. latency(0.02, **{"docker pull": 5})."""
        self.knobs(latency_scale=scale, latency={key.replace("_", " "): value for key, value in overrides.items()})

    def unreachable(self, *hosts: str) -> None:
        """Hosts that fail DNS: registries (`ghcr.io`), `github.com`, or `github` for all of GitHub."""
        self._update(lambda s: s["knobs"].update(unreachable=sorted({*s["knobs"].get("unreachable", []), *hosts})))

    def reachable(self, *hosts: str) -> None:
        self._update(lambda s: s["knobs"].update(unreachable=[h for h in s["knobs"].get("unreachable", [])
                                                              if h not in hosts]))

    def fail(self, match: str, *, exit: int = 1, stderr: str = "", stdout: str = "", nth: int = 1, times: int = 1):
        """The nth call whose "tool args..." matches the regex (and times-1 more; 0 = all) fails like this."""
        fault = {"match": match, "exit": exit, "stderr": stderr, "stdout": stdout, "nth": nth, "times": times}
        self._update(lambda s: s["knobs"].setdefault("faults", []).append(fault))

    def hang(self, match: str, *, nth: int = 1, times: int = 1) -> None:
        """The nth matching call hangs until it is killed."""
        fault = {"match": match, "hang": True, "nth": nth, "times": times}
        self._update(lambda s: s["knobs"].setdefault("faults", []).append(fault))

    def pod_never_ready(self, pattern: str, reason: str = "CrashLoopBackOff") -> None:
        self._update(lambda s: s["knobs"].setdefault("pod_never_ready", {}).update({pattern: reason}))

    def pod_starved(self, pattern: str) -> None:
        self._update(lambda s: s["knobs"].setdefault("pod_starved", []).append(pattern))

    def docker_down(self, down: bool = True) -> None:
        self.knobs(docker_down=down)

    def add_catalog_image(self, *references: str) -> None:
        """Images the registries serve, beyond the guide's."""
        self._update(lambda s: s["catalog"].extend(images.canonical(r) for r in references))

    def add_host_image(self, *references: str) -> None:
        """Images already on the Docker host (as if pulled earlier)."""
        def change(state):
            knob = world.knobs(state)
            for reference in references:
                state["docker"]["images"][images.canonical(reference)] = {
                    "id": images.image_id(images.upstream(reference, knob)[0]), "pulled": world.now()}
        self._update(change)

    def monitoring_crds(self) -> None:
        """The Prometheus Operator CRDs: in every cluster created from now on, and in the existing ones."""
        from fakeworld import crds

        def change(state):
            state["knobs"]["monitoring_crds"] = True
            for cluster in state["clusters"].values():
                clusters.install_crds(cluster, crds.bundle(crds.MONITORING, "prometheus-operator"), world.now(),
                                      world.now())
        self._update(change)

    def create_cluster(self, name: str = "llmd-sim", workers: int = 1, node_image: str = "kindest/node:v1.31.0"):
        """A ready kind cluster and its `kind-<name>` context (current), without running kind."""
        nodes = [(f"{name}-control-plane", "control-plane")] + [
            (f"{name}-worker{'' if i == 1 else i}", "worker") for i in range(1, workers + 1)]

        def change(state):
            no_mirrors = [{"config_path": False, "hosts": {}} for _ in nodes]
            cluster = clusters.new_cluster(state, name, nodes, node_image, no_mirrors, [], world.knobs(state),
                                           world.now() - 3600)
            state["clusters"][name] = cluster
            clusters.add_context(state, name, cluster)
        self._update(change)

    def install_helm_diff(self, version: str = "3.11.0", plugins_dir: str | None = None) -> Path:
        """helm-diff in helm's plugin dir ($HELM_PLUGINS or the default under HOME); returns the dir."""
        from fakeworld import helmplugins

        directory = plugins_dir or helmplugins.plugin_dirs()[0]
        helmplugins.write_plugin(directory, "helm-diff", "diff", version, helmplugins.DIFF_DESCRIPTION)
        return Path(directory)

    def llmd_checkout(self, root: Path) -> Path:
        from fakeworld import llmd_checkout

        return llmd_checkout.write(root)

    def run(self, *argv: str, input: str | None = None, timeout: float = 60, cwd=None) -> subprocess.CompletedProcess:
        """Run a fake tool (or anything) with this world's environment."""
        return subprocess.run(list(argv), input=input, capture_output=True, text=True, timeout=timeout, cwd=cwd)

    def call(self, *argv: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run a fake inside this process: what run() does without a process start-up, to set a world
        up quickly. Recorded like any call; not for port-forward or a `hang` fault (they would block)."""
        import contextlib
        import importlib
        import io

        module = importlib.import_module(f"fakeworld.fake_{argv[0]}")
        stdout, stderr, stdin = io.StringIO(), io.StringIO(), sys.stdin
        sys.stdin = io.StringIO(input or "")
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = toolmain.invoke(argv[0], module.run, list(argv[1:]))
        finally:
            sys.stdin = stdin
        return subprocess.CompletedProcess(list(argv), code, stdout.getvalue(), stderr.getvalue())

    def dump(self) -> str:
        """The world as JSON, for a failing test's report."""
        return json.dumps(self.state(), indent=1)[:20000]


@pytest.fixture
def fake_world(tmp_path, monkeypatch) -> FakeWorld:
    """A fresh world for this test, with the fake docker/kind/kubectl/helm/helmfile/git first on PATH."""
    root = tmp_path / "fakeworld"
    root.mkdir()
    path = root / "world.json"
    with world.locked(str(path)) as state:
        state.update(world.empty())
    for name in [v for v in os.environ if v.startswith("FAKEWORLD_")]:
        monkeypatch.delenv(name)
    for name in ("HELM_PLUGINS", "HELM_DATA_HOME", "XDG_DATA_HOME", "KIND_CLUSTER_NAME", "HELMFILE_ENVIRONMENT",
                 "KIND_EXPERIMENTAL_PROVIDER", "DOCKER_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(world.STATE_ENV, str(path))
    # The fakes' `#!/usr/bin/env python3` must find this interpreter (it has PyYAML).
    monkeypatch.setenv("PATH", os.pathsep.join([str(BIN), os.path.dirname(sys.executable), os.environ["PATH"]]))
    return FakeWorld(path)


@pytest.fixture
def llmd_sim(fake_world, tmp_path):
    """Run `llmd-sim ARGS...` as a subprocess in the fake world: llmd_sim("up", timeout=60, env={...})."""
    def run(*args: str, timeout: float = 120, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "llmd_sim", *args], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **(env or {})}, cwd=cwd or tmp_path)
    return run
