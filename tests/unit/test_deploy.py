"""The deploy step: overrides written to the work copy, namespace, helmfile, route; fingerprint."""

from __future__ import annotations

import json

import pytest
import yaml
from support.llmd_checkout import make_checkout

from llmd_sim import guide
from llmd_sim.errors import CommandError
from llmd_sim.pipeline import current_inputs
from llmd_sim.steps.base import fingerprint
from llmd_sim.steps.deploy import Deploy

MONITORING_API = "api-resources", "--api-group=monitoring.coreos.com"
MONITORS = "podmonitors.monitoring.coreos.com\nservicemonitors.monitoring.coreos.com\n"
NAMESPACE_YAML = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\nspec: {}\nstatus: {}\n"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def step(sleeps):
    return Deploy(sleep=sleeps.append)


@pytest.fixture
def checkout(tmp_path):
    return make_checkout(tmp_path / "llm-d")


def work_yaml(ctx, relative):
    return yaml.safe_load((ctx.paths.work_dir / relative).read_text())


def test_deploys_into_the_namespace_in_order(make_ctx, checkout, step):
    ctx = make_ctx(llm_d_dir=str(checkout), namespace="team-a")
    ctx.runner.on("kubectl", "create", "namespace", "team-a", "--dry-run=client", stdout=NAMESPACE_YAML)

    step.run(ctx)

    [create] = ctx.runner.calls("kubectl", "create", "namespace")
    [apply_ns] = ctx.runner.calls("kubectl", "apply", "-f", "-")
    assert ctx.runner.inputs[ctx.runner.history.index(apply_ns)] == NAMESPACE_YAML
    [helmfile] = ctx.runner.calls("helmfile", "apply")
    sim_helmfile = str(ctx.paths.work_dir / "simulated-accelerators" / "helmfile.yaml.gotmpl")
    assert helmfile[:5] == ["helmfile", "--kube-context", "kind-llmd-sim", "-f", sim_helmfile]
    assert helmfile[helmfile.index("-e") + 1] == "istio" and helmfile[helmfile.index("-n") + 1] == "team-a"
    [route] = ctx.runner.calls("kubectl", "apply", "-f", str(ctx.paths.work_dir / guide.HTTPROUTE))
    assert route[route.index("-n") + 1] == "team-a"
    assert work_yaml(ctx, guide.HTTPROUTE)["metadata"]["namespace"] == "team-a"
    order = [ctx.runner.history.index(argv) for argv in (create, apply_ns, helmfile, route)]
    assert order == sorted(order)
    assert all(argv[1] in ("--context", "--kube-context") for argv in ctx.runner.history)


def test_monitoring_is_off_when_the_cluster_has_no_prometheus_operator(make_ctx, checkout, step):
    ctx = make_ctx(llm_d_dir=str(checkout))
    step.run(ctx)
    assert work_yaml(ctx, guide.GAIE_VALUES)["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is False
    assert work_yaml(ctx, guide.MS_VALUES)["decode"]["monitoring"]["podmonitor"]["enabled"] is False


def test_monitoring_stays_on_when_the_cluster_serves_monitors(make_ctx, checkout, step):
    ctx = make_ctx(llm_d_dir=str(checkout))
    ctx.runner.on("kubectl", *MONITORING_API, stdout=MONITORS)
    step.run(ctx)
    assert work_yaml(ctx, guide.GAIE_VALUES)["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is True
    assert work_yaml(ctx, guide.MS_VALUES)["prefill"]["monitoring"]["podmonitor"]["enabled"] is True


def test_generated_values_reach_the_work_copy(make_ctx, checkout, step):
    ctx = make_ctx(llm_d_dir=str(checkout))
    step.run(ctx)
    ms = work_yaml(ctx, guide.MS_VALUES)
    assert ms["routing"]["proxy"]["imagePullPolicy"] == "IfNotPresent"
    assert {e["name"] for e in ms["prefill"]["containers"][0]["env"]} == {"POD_NAME", "POD_NAMESPACE"}


def test_fingerprint_is_stable_and_follows_the_generated_values(make_ctx, checkout, step):
    def digest(**settings):
        ctx = make_ctx(llm_d_dir=str(checkout), **settings)
        ctx.runner.on("kubectl", *MONITORING_API, stdout="")
        return fingerprint(current_inputs(ctx, step))

    assert digest() == digest()
    assert digest(monitoring="on") != digest()
    assert digest(namespace="other") != digest()
    assert digest(model="sim-7b") != digest()


def test_inputs_never_ask_the_cluster(make_ctx, step):
    ctx = make_ctx()
    step.inputs(ctx)
    assert ctx.runner.history == []


def test_probe_redeploys_when_the_monitoring_api_appears_after_deploy(make_ctx, checkout, step):
    ctx = make_ctx(llm_d_dir=str(checkout))
    ctx.runner.on("kubectl", *MONITORING_API, stdout="")
    step.run(ctx)
    ctx.runner.on("helm", "list", stdout=releases())
    ctx.runner.on("kubectl", "get", "httproute", "llm-d-sim", stdout="httproute.gateway.networking.k8s.io/llm-d-sim\n")
    assert step.probe(ctx) is None

    later = make_ctx(llm_d_dir=str(checkout))
    later.runner.rules = list(ctx.runner.rules)
    later.runner.on("kubectl", *MONITORING_API, stdout=MONITORS)
    assert step.probe(later) == "the cluster now serves monitoring.coreos.com monitors"


def test_missing_monitoring_crds_failure_names_the_fix(make_ctx, checkout, step, sleeps):
    ctx = make_ctx(llm_d_dir=str(checkout), monitoring="on")
    ctx.runner.on("helmfile", "apply", returncode=1, stderr='Error: unable to build kubernetes objects from release '
                  'manifest: resource mapping not found for name: "ms-sim" namespace: "llm-d-sim" from "": '
                  'no matches for kind "PodMonitor" in version "monitoring.coreos.com/v1"')
    with pytest.raises(CommandError) as caught:
        step.run(ctx)
    assert "--monitoring off" in caught.value.hint
    assert sleeps == [] and ctx.runner.calls("kubectl", "apply", "-f", str(ctx.paths.work_dir / guide.HTTPROUTE)) == []


def test_istio_webhook_not_ready_is_retried(make_ctx, checkout, step, sleeps):
    ctx = make_ctx(llm_d_dir=str(checkout))
    ctx.runner.on("helmfile", "apply", returncode=1, times=1,
                  stderr='Internal error occurred: failed calling webhook "validation.istio.io": no endpoints')
    step.run(ctx)
    assert len(ctx.runner.calls("helmfile", "apply")) == 2 and len(sleeps) == 1


def releases(postfix="sim", **overrides):
    statuses = {f"{kind}-{postfix}": "deployed" for kind in ("infra", "gaie", "ms")} | overrides
    return json.dumps([{"name": name, "status": status} for name, status in statuses.items()])


def test_probe_wants_three_deployed_releases_and_the_route(make_ctx, step):
    ctx = make_ctx()
    ctx.runner.on("helm", "list", stdout=releases())
    ctx.runner.on("kubectl", "get", "httproute", "llm-d-sim", stdout="httproute.gateway.networking.k8s.io/llm-d-sim\n")
    assert step.probe(ctx) is None

    ctx.runner.on("kubectl", "get", "httproute", "llm-d-sim", stdout="")
    assert step.probe(ctx) == "httproute llm-d-sim missing"

    ctx.runner.on("helm", "list", stdout=releases(**{"ms-sim": "pending-install"}))
    assert step.probe(ctx) == "releases: ms-sim pending-install"
    [listing] = ctx.runner.calls("helm", "list")[-1:]
    assert "--all" in listing  # pending releases are only listed with --all
