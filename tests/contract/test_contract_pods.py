"""Pods reach Ready only when their images are on the node or pullable (FACTS.md section 2), and the
knobs that keep them from it show the way kubelet and the scheduler report it."""

from __future__ import annotations

import json

from contract.stack import install_crds, install_istio, kubectl, ok, override, sim_helmfile

EPP = "ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.2"
KIND_MIRROR_CONFIG = """kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
  extraMounts:
  - hostPath: {certs}
    containerPath: /etc/containerd/certs.d
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
"""


def deploy(world, checkout, **overrides):
    install_crds(world)
    install_istio(world, checkout)
    override(checkout, **overrides)
    ok(sim_helmfile(world, checkout, "sync"))


def epp_pod(world) -> tuple[str, dict]:
    return next((name, pod) for name, pod in world.pods("llm-d-sim").items() if name.startswith("gaie-sim-epp-"))


def test_unreachable_registry_without_mirror_leaves_pods_in_image_pull_backoff(fake_world, cluster, checkout):
    fake_world.unreachable("ghcr.io")
    deploy(fake_world, checkout)
    name, pod = epp_pod(fake_world)
    assert (pod["ready"], pod["reason"]) == (False, "ImagePullBackOff")
    events = json.loads(ok(kubectl(fake_world, "get", "events", "-n", "llm-d-sim", "--field-selector",
                                   f"involvedObject.name={name}", "-o", "json")).stdout)["items"]
    failed = [e["message"] for e in events if e["reason"] == "Failed" and e["message"].startswith("Failed to pull")]
    assert failed and failed[0].startswith(f'Failed to pull image "{EPP}": ')
    waited = kubectl(fake_world, "wait", "--for=condition=Ready", f"pod/{name}", "-n", "llm-d-sim", "--timeout=500ms")
    assert waited.returncode == 1
    assert waited.stderr.strip() == f"error: timed out waiting for the condition on pods/{name}"


def test_pull_policy_always_pulls_again_even_after_kind_load(fake_world, cluster, checkout):
    fake_world.add_host_image(EPP)
    ok(fake_world.run("kind", "load", "docker-image", EPP, "--name", "llmd-sim"))
    fake_world.unreachable("ghcr.io")
    deploy(fake_world, checkout)
    assert epp_pod(fake_world)[1]["reason"] == "ImagePullBackOff"
    override(checkout, pull_policy="IfNotPresent")
    ok(sim_helmfile(fake_world, checkout, "sync", "-l", "name=gaie-sim"))
    assert epp_pod(fake_world)[1] == {"ready": True, "phase": "Running", "reason": None}


def test_a_containerd_mirror_makes_the_registry_reachable(fake_world, checkout, tmp_path):
    certs = tmp_path / "certs.d"
    for registry, mirror in (("ghcr.io", "ghcr.m.daocloud.io"), ("gcr.io", "gcr.m.daocloud.io")):
        (certs / registry).mkdir(parents=True)
        (certs / registry / "hosts.toml").write_text(f'server = "https://{registry}"\n\n[host."https://{mirror}"]\n'
                                                     '  capabilities = ["pull", "resolve"]\n')
    config = tmp_path / "kind.yaml"
    config.write_text(KIND_MIRROR_CONFIG.format(certs=certs))
    fake_world.add_host_image("kindest/node:v1.31.0")
    ok(fake_world.run("kind", "create", "cluster", "--name", "llmd-sim", "--config", str(config)))
    install_crds(fake_world)
    install_istio(fake_world, checkout)  # before gcr.io goes away: its charts come from there
    fake_world.unreachable("ghcr.io", "gcr.io")
    override(checkout)
    ok(sim_helmfile(fake_world, checkout, "sync"))
    ok(kubectl(fake_world, "wait", "--for=condition=Ready", "pod", "--all", "-n", "llm-d-sim", "--timeout=30s"))
    assert all(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())


def test_pulled_images_stay_on_the_node(fake_world, cluster, checkout):
    deploy(fake_world, checkout)
    ok(kubectl(fake_world, "wait", "--for=condition=Ready", "pod", "--all", "-n", "llm-d-sim", "--timeout=30s"))
    fake_world.add_host_image("ghcr.io/llm-d/llm-d-inference-sim:v0.6.1")
    loaded = ok(fake_world.run("kind", "load", "docker-image", "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1",
                               "--name", "llmd-sim"))
    assert 'not yet present on node "llmd-sim-control-plane"' in loaded.stderr
    assert 'not yet present on node "llmd-sim-worker"' not in loaded.stderr


def test_pods_wait_for_their_start_up_time(fake_world, cluster, checkout):
    fake_world.latency(0.01, helmfile_release=0)  # pods start 0.3 s after creation, +0.2 s per image pulled
    deploy(fake_world, checkout)
    assert not any(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())
    assert {pod["reason"] for pod in fake_world.pods("llm-d-sim").values()} == {"ContainerCreating"}
    ok(kubectl(fake_world, "wait", "--for=condition=Ready", "pod", "--all", "-n", "llm-d-sim", "--timeout=30s"))
    assert all(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())


def test_a_pod_that_never_becomes_ready(fake_world, cluster, checkout):
    fake_world.pod_never_ready("decode")
    deploy(fake_world, checkout)
    decode = {n: p for n, p in fake_world.pods("llm-d-sim").items() if "-decode-" in n}
    assert {(p["ready"], p["reason"]) for p in decode.values()} == {(False, "CrashLoopBackOff")}
    table = ok(kubectl(fake_world, "get", "pods", "-n", "llm-d-sim")).stdout
    assert "CrashLoopBackOff" in table
    name = next(iter(decode))
    logs = ok(kubectl(fake_world, "logs", "-n", "llm-d-sim", name, "-c", "vllm", "--previous")).stdout
    assert "failed to start" in logs


def test_the_never_ready_knob_can_play_an_image_pull_failure(fake_world, cluster, checkout):
    fake_world.pod_never_ready("epp", reason="ImagePullBackOff")
    deploy(fake_world, checkout)
    name, pod = epp_pod(fake_world)
    assert (pod["ready"], pod["reason"]) == (False, "ImagePullBackOff")
    events = json.loads(ok(kubectl(fake_world, "get", "events", "-n", "llm-d-sim", "-o", "json")).stdout)["items"]
    assert any(e["involvedObject"]["name"] == name and e["message"].startswith(f'Failed to pull image "{EPP}"')
               for e in events)


def test_a_resource_starved_pod_stays_pending(fake_world, cluster, checkout):
    fake_world.pod_starved("prefill")
    deploy(fake_world, checkout)
    prefill = next(p for n, p in fake_world.pods("llm-d-sim").items() if "-prefill-" in n)
    assert (prefill["phase"], prefill["ready"]) == ("Pending", False)
    events = json.loads(ok(kubectl(fake_world, "get", "events", "-n", "llm-d-sim", "-o", "json")).stdout)["items"]
    scheduling = [e for e in events if e["reason"] == "FailedScheduling"]
    assert scheduling and "Insufficient memory" in scheduling[0]["message"]
    assert scheduling[0]["message"].startswith("0/2 nodes are available")
