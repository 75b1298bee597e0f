"""The istio step: the guide's istio helmfile from the work copy, webhook retries, istiod awaited."""

from __future__ import annotations

import json

import pytest
from support.llmd_checkout import make_checkout

from llmd_sim import llmd_source
from llmd_sim.errors import CommandError
from llmd_sim.steps.istio import Istio

WEBHOOK = ('Error: UPGRADE FAILED: failed to create resource: Internal error occurred: failed calling webhook '
           '"validation.istio.io": dial tcp 10.96.0.10:443: connect: connection refused')


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def step(sleeps):
    return Istio(sleep=sleeps.append)


@pytest.fixture
def ctx(make_ctx, tmp_path):
    return make_ctx(llm_d_dir=str(make_checkout(tmp_path / "llm-d")), wait_timeout="2m")


def releases(**status: str) -> str:
    return json.dumps([{"name": name.replace("_", "-"), "namespace": "istio-system", "status": value}
                       for name, value in status.items()])


def test_applies_the_work_copy_helmfile_then_waits_for_istiod(ctx, step):
    step.run(ctx)

    [apply] = ctx.runner.calls("helmfile", "apply")
    istio_helmfile = ctx.paths.work_dir / "prereq" / "gateway-provider" / "istio.helmfile.yaml"
    assert apply[:5] == ["helmfile", "--kube-context", "kind-llmd-sim", "-f", str(istio_helmfile)]
    assert istio_helmfile.is_file()
    [wait] = ctx.runner.calls("kubectl", "wait")
    assert wait[:3] == ["kubectl", "--context", "kind-llmd-sim"]
    assert "--for=condition=Available" in wait and "deployment/istiod" in wait and "--timeout=120s" in wait
    assert wait[wait.index("-n") + 1] == "istio-system"
    assert ctx.runner.history.index(apply) < ctx.runner.history.index(wait)


def test_webhook_not_ready_is_retried_with_backoff(ctx, step, sleeps):
    ctx.runner.on("helmfile", "apply", returncode=1, stderr=WEBHOOK, times=2)
    step.run(ctx)
    assert len(ctx.runner.calls("helmfile", "apply")) == 3
    assert len(sleeps) == 2
    assert len(ctx.runner.calls("kubectl", "wait")) == 1


def test_a_known_failure_is_not_retried_and_gets_its_hint(ctx, step, sleeps):
    ctx.runner.on("helmfile", "apply", returncode=1, stderr='Error: unknown command "diff" for "helm"')
    with pytest.raises(CommandError) as caught:
        step.run(ctx)
    assert len(ctx.runner.calls("helmfile", "apply")) == 1 and sleeps == []
    assert "helm-diff" in caught.value.hint and "llmd-sim step prereqs" in caught.value.hint
    assert ctx.runner.calls("kubectl", "wait") == []


def test_mirror_profile_charts_come_from_the_mirror(make_ctx, tmp_path, step):
    ctx = make_ctx(llm_d_dir=str(make_checkout(tmp_path / "llm-d")), mirror_profile="daocloud")
    step.run(ctx)
    [apply] = ctx.runner.calls("helmfile", "apply")
    text = open(apply[apply.index("-f") + 1]).read()
    assert "oci://gcr.m.daocloud.io/istio-testing/charts/istiod" in text and "oci://gcr.io/" not in text
    assert step.inputs(ctx)["chart_mirrors"]["gcr.io"] == "gcr.m.daocloud.io"


def test_probe(ctx, step):
    istiod = json.dumps({"kind": "Deployment", "metadata": {"name": "istiod"},
                         "status": {"conditions": [{"type": "Available", "status": "True"}]}})
    ctx.runner.on("helm", "list", "-n", "istio-system", stdout=releases(istio_base="deployed", istiod="deployed"))
    ctx.runner.on("kubectl", "get", "deployment/istiod", stdout=istiod)
    assert step.probe(ctx) is None

    ctx.runner.on("kubectl", "get", "deployment/istiod", stdout=istiod.replace('"True"', '"False"'))
    assert step.probe(ctx) == "istiod not available"

    ctx.runner.on("helm", "list", "-n", "istio-system", stdout=releases(istio_base="deployed", istiod="failed"))
    assert step.probe(ctx) == "istio releases: istiod failed"

    ctx.runner.on("helm", "list", "-n", "istio-system", stdout="[]")
    assert step.probe(ctx) == "istio releases: istiod missing, istio-base missing"


def test_fingerprint_does_not_depend_on_the_clone_existing(make_ctx, step):
    ctx = make_ctx()
    before = step.inputs(ctx)
    make_checkout(llmd_source.checkout_dir(ctx))  # the clone appears during the first run
    assert step.inputs(ctx) == before
