"""The verify step and its diagnosis: blocking waits in order, and failures a person can act on."""

from __future__ import annotations

import json

import pytest

from llmd_sim import diagnose
from llmd_sim.errors import CommandError, StepError
from llmd_sim.steps.verify import Verify

SIM_IMAGE = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
DEPLOYMENTS = ("deployment.apps/gaie-sim-epp\ndeployment.apps/infra-sim-inference-gateway-istio\n"
               "deployment.apps/ms-sim-llm-d-modelservice-decode\n")
TIMED_OUT = "error: timed out waiting for the condition on pods/ms-sim-llm-d-modelservice-decode-7d9f-abcde"


def pod(name, *, ready=False, waiting=None, message="", scheduled=None, init=False, last_exit=None, running=False):
    state = {"waiting": {"reason": waiting, "message": message}} if waiting else {"running": {}} if running else {}
    container = {"name": "vllm", "image": SIM_IMAGE, "ready": ready, "state": state}
    if last_exit is not None:
        container["lastState"] = {"terminated": {"exitCode": last_exit, "reason": "Error"}}
    conditions = [{"type": "Ready", "status": "True" if ready else "False"}]
    if scheduled:
        conditions.append({"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": scheduled})
    status = {"phase": "Pending" if scheduled else "Running", "conditions": conditions,
              "initContainerStatuses" if init else "containerStatuses": [] if scheduled else [container]}
    return {"metadata": {"name": name}, "status": status}


def pod_list(*pods):
    return json.dumps({"kind": "List", "items": list(pods)})


def event(pod_name, reason, message, last=None, event_time=None):
    return {"involvedObject": {"kind": "Pod", "name": pod_name}, "reason": reason, "message": message,
            "lastTimestamp": last, "eventTime": event_time}


def releases_json(status="deployed"):
    return json.dumps([{"name": n, "status": status if n == "ms-sim" else "deployed"}
                       for n in ("infra-sim", "gaie-sim", "ms-sim")])


@pytest.fixture
def ctx(make_ctx):
    ctx = make_ctx(wait_timeout="3m")
    ctx.runner.on("helm", "list", stdout=releases_json())
    ctx.runner.on("kubectl", "get", "deployments", stdout=DEPLOYMENTS)
    ctx.runner.on("kubectl", "get", "inferencepools.inference.networking.x-k8s.io", "gaie-sim",
                  stdout="inferencepool.inference.networking.x-k8s.io/gaie-sim\n")
    return ctx


def test_waits_for_everything_in_the_order_it_comes_up(ctx):
    Verify().run(ctx)
    waits = [argv for argv in ctx.runner.history if "wait" in argv or "rollout" in argv]
    targets = [next(a for a in argv if a.startswith(("gateway/", "deployment.apps/", "httproute/", "pod")))
               for argv in waits]
    assert targets == ["gateway/infra-sim-inference-gateway", "deployment.apps/gaie-sim-epp",
                       "deployment.apps/infra-sim-inference-gateway-istio",
                       "deployment.apps/ms-sim-llm-d-modelservice-decode", "pod", "httproute/llm-d-sim",
                       "httproute/llm-d-sim"]
    route_waits = " ".join(" ".join(argv) for argv in ctx.runner.calls("kubectl", "wait", "httproute/llm-d-sim"))
    assert '@.type=="Accepted"' in route_waits and '@.type=="ResolvedRefs"' in route_waits
    assert "Programmed" not in route_waits  # routes have no Programmed condition; the Gateway has
    assert "--for=condition=Programmed" in ctx.runner.calls("kubectl", "wait", "gateway/infra-sim-inference-gateway")[0]
    assert all(argv[:3] == ["kubectl", "--context", "kind-llmd-sim"] or argv[:3] == ["helm", "--kube-context",
               "kind-llmd-sim"] for argv in ctx.runner.history)
    assert all(int(argv[-1].split("=")[1].rstrip("s")) <= 180 for argv in waits if argv[-1].startswith("--timeout"))


def test_image_pull_backoff_is_named_in_the_error(ctx):
    stuck = "ms-sim-llm-d-modelservice-decode-7d9f-abcde"
    ctx.runner.on("kubectl", "wait", "pod", returncode=1, stderr=TIMED_OUT)
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list(
        pod("gaie-sim-epp-1", ready=True),
        pod(stuck, waiting="ImagePullBackOff", message=f'Back-off pulling image "{SIM_IMAGE}"')))
    ctx.runner.on("kubectl", "get", "events", stdout=json.dumps({"kind": "List", "items": [
        event(stuck, "Failed", f'Failed to pull image "{SIM_IMAGE}": dial tcp: i/o timeout', last="2026-01-01T00:00:02Z"),
        event(stuck, "Pulling", f'Pulling image "{SIM_IMAGE}"', last=None, event_time="2026-01-01T00:00:01Z"),
    ]}))

    with pytest.raises(StepError) as caught:
        Verify().run(ctx)

    err = caught.value
    assert err.message == f"pods not ready: {stuck} ImagePullBackOff ({SIM_IMAGE})"
    assert "mirror" in err.hint and "llmd-sim step images" in err.hint
    events = [line for line in err.details if "event:" in line]
    assert events[0].endswith(f'Pulling: Pulling image "{SIM_IMAGE}"') and "i/o timeout" in events[1]
    assert ctx.runner.calls("kubectl", "logs") == []  # a pull failure has no logs to read
    assert ctx.runner.calls("kubectl", "wait", "httproute/llm-d-sim") == []


def test_crash_loop_shows_the_last_log_lines(ctx):
    crashing = "gaie-sim-epp-5c6d-xyz"
    ctx.runner.on("kubectl", "rollout", "status", "deployment.apps/gaie-sim-epp", returncode=1,
                  stderr='error: deployment "gaie-sim-epp" exceeded its progress deadline')
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list(pod(crashing, waiting="CrashLoopBackOff", last_exit=1)))
    ctx.runner.on("kubectl", "logs", crashing, stdout="starting epp\nerror: pool gaie-sim not found\n")

    with pytest.raises(StepError) as caught:
        Verify().run(ctx)

    assert caught.value.message == f"deployment.apps/gaie-sim-epp not ready: {crashing} CrashLoopBackOff"
    assert "  log: error: pool gaie-sim not found" in caught.value.details
    assert "  last exit: code 1 (Error)" in caught.value.details
    [logs] = ctx.runner.calls("kubectl", "logs", crashing)
    assert "--previous" in logs and logs[logs.index("-c") + 1] == "vllm"


def test_unschedulable_pod_carries_the_scheduler_reason(ctx):
    reason = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available."
    ctx.runner.on("kubectl", "wait", "pod", returncode=1, stderr=TIMED_OUT)
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list(pod("ms-sim-prefill-1", scheduled=reason)))
    with pytest.raises(StepError) as caught:
        Verify().run(ctx)
    assert caught.value.message == "pods not ready: ms-sim-prefill-1 Unschedulable"
    assert any("Insufficient cpu" in line for line in caught.value.details)
    assert "CPU" in caught.value.hint


def test_route_not_accepted_shows_its_conditions(ctx):
    ctx.runner.on("kubectl", "wait", "httproute/llm-d-sim", returncode=1, stderr="error: timed out waiting")
    ctx.runner.on("kubectl", "get", "httproute/llm-d-sim", stdout=json.dumps({"kind": "HTTPRoute", "status": {
        "parents": [{"conditions": [{"type": "Accepted", "status": "False", "reason": "NoMatchingParent",
                                     "message": "gateway not found"}]}]}}))
    with pytest.raises(StepError) as caught:
        Verify().run(ctx)
    assert caught.value.message == "httproute/llm-d-sim not accepted"
    assert "Accepted=False (NoMatchingParent): gateway not found" in caught.value.details
    assert "ResolvedRefs: not reported yet" in caught.value.details


def test_failed_release_stops_before_waiting(ctx):
    ctx.runner.on("helm", "list", stdout=releases_json("failed"))
    with pytest.raises(StepError, match="helm releases not deployed: ms-sim failed"):
        Verify().run(ctx)
    assert ctx.runner.calls("kubectl", "wait") == []


def test_nothing_deployed_says_so(ctx):
    ctx.runner.on("kubectl", "get", "deployments", stdout="")
    with pytest.raises(StepError, match="no deployments in namespace llm-d-sim"):
        Verify().run(ctx)


def test_missing_inference_pool_fails(ctx):
    ctx.runner.on("kubectl", "get", "inferencepools.inference.networking.x-k8s.io", "gaie-sim", stdout="")
    with pytest.raises(StepError, match="inferencepool gaie-sim missing"):
        Verify().run(ctx)


def test_dry_run_prints_the_waits_and_passes(make_ctx):
    ctx = make_ctx(dry_run=True)
    lines = []
    ctx.runner.echo = lines.append
    Verify().run(ctx)
    assert any("--for=condition=Programmed" in line for line in lines)
    assert any("--for=condition=Ready" in line for line in lines)


def test_probe(ctx):
    step = Verify()
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list())
    assert step.probe(ctx) == "no pods in llm-d-sim"
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list(pod("a", ready=True), pod("b", waiting="ErrImagePull")))
    assert step.probe(ctx) == f"pods not ready: b ErrImagePull ({SIM_IMAGE})"
    ctx.runner.on("kubectl", "get", "pods", stdout=pod_list(pod("a", ready=True)))
    assert step.probe(ctx) is None


def test_pod_troubles_put_the_worst_first_and_skip_what_is_fine():
    pods = [
        pod("running-unready", running=True),
        pod("sidecar-pull", waiting="ImagePullBackOff", init=True),
        pod("fine", ready=True),
        {"metadata": {"name": "leaving", "deletionTimestamp": "x"}, "status": {}},
        pod("crash", waiting="CrashLoopBackOff"),
    ]
    troubles = diagnose.pod_troubles(pods)
    assert [(t.pod, t.reason) for t in troubles] == [
        ("sidecar-pull", "ImagePullBackOff"), ("crash", "CrashLoopBackOff"), ("running-unready", "NotReady")]


def test_a_failing_lookup_never_hides_the_original_failure(ctx):
    ctx.runner.on("kubectl", "wait", "pod", returncode=1, stderr=TIMED_OUT)
    ctx.runner.on("kubectl", "get", "pods", returncode=1, stderr="Unable to connect to the server")
    with pytest.raises(StepError) as caught:
        Verify().run(ctx)
    assert caught.value.message == "pods not ready"
    assert f"kubectl said: {TIMED_OUT}" in caught.value.details
    assert not isinstance(caught.value, CommandError)


def test_gateway_not_programmed_shows_why(ctx):
    ctx.runner.on("kubectl", "wait", "gateway/infra-sim-inference-gateway", returncode=1, stderr="error: timed out")
    ctx.runner.on("kubectl", "get", "gateway/infra-sim-inference-gateway", stdout=json.dumps({"status": {"conditions": [
        {"type": "Accepted", "status": "True"},
        {"type": "Programmed", "status": "False", "reason": "AddressNotAssigned", "message": "no address yet"}]}}))
    with pytest.raises(StepError) as caught:
        Verify().run(ctx)
    assert caught.value.message == "gateway/infra-sim-inference-gateway not programmed"
    assert caught.value.details[0] == "Programmed=False (AddressNotAssigned): no address yet"
