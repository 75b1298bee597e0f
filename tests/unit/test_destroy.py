"""The destroy step (`llmd-sim down`): reverse order, idempotent parts, keep going, refuse strangers."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest
from support.llmd_checkout import make_checkout

from llmd_sim import llmd_source
from llmd_sim.errors import StepError
from llmd_sim.steps.crds import ALL_CRDS
from llmd_sim.steps.destroy import Destroy

SIM = ("infra-sim", "gaie-sim", "ms-sim")
ISTIO = ("istio-base", "istiod")


def listing(*names):
    return json.dumps([{"name": name, "status": "deployed"} for name in names])


@pytest.fixture
def keep(make_ctx):
    """--keep-cluster on llmd-sim's kind cluster, with the whole stack installed."""
    ctx = make_ctx(options={"keep_cluster": True})
    ctx.runner.on("kind", "get", "clusters", stdout="llmd-sim\n")
    ctx.runner.on("helm", "list", "-n", "llm-d-sim", stdout=listing(*SIM))
    ctx.runner.on("helm", "list", "-n", "istio-system", stdout=listing(*ISTIO))
    ctx.runner.on("kubectl", "delete", "httproute", stdout='httproute.gateway.networking.k8s.io "llm-d-sim" deleted\n')
    ctx.runner.on("kubectl", "delete", "namespace", stdout='namespace "llm-d-sim" deleted\n')
    return ctx


def with_work_copy(ctx, tmp_path):
    ctx.settings = dataclasses.replace(ctx.settings, llm_d_dir=str(make_checkout(tmp_path / "llm-d")))
    llmd_source.prepare(ctx)
    return ctx


def destructive(ctx):
    return [argv for argv in ctx.runner.history if not any(a in argv for a in ("list", "get", "-o"))]


def test_by_default_the_cluster_goes_and_takes_everything_with_it(make_ctx):
    ctx = make_ctx()
    Destroy().run(ctx)
    assert ctx.runner.calls("kind", "delete", "cluster", "--name", "llmd-sim")
    assert ctx.runner.calls("kubectl") == [] and ctx.runner.calls("helm") == [] and ctx.runner.calls("helmfile") == []


def test_keep_cluster_removes_the_stack_in_reverse_order(keep):
    Destroy().run(keep)
    steps = [" ".join(argv[3:5]) for argv in destructive(keep)]
    assert steps == ["delete httproute", "uninstall ms-sim", "uninstall gaie-sim", "uninstall infra-sim",
                     "uninstall istiod", "uninstall istio-base", "delete namespace"]
    assert keep.runner.calls("kind", "delete") == [] and keep.runner.calls("kubectl", "delete", "crd") == []
    [namespaces] = keep.runner.calls("kubectl", "delete", "namespace")
    assert "llm-d-sim" in namespaces and "istio-system" in namespaces
    for argv in keep.runner.history:
        assert argv[0] == "kind" or argv[1] in ("--context", "--kube-context")


def test_the_work_copy_helmfiles_are_destroyed_when_present(keep, tmp_path):
    with_work_copy(keep, tmp_path)
    Destroy().run(keep)
    sim, istio = keep.runner.calls("helmfile", "destroy")
    assert sim[sim.index("-n") + 1] == "llm-d-sim" and sim[sim.index("-e") + 1] == "istio"
    assert istio[istio.index("-f") + 1].endswith("prereq/gateway-provider/istio.helmfile.yaml")
    assert keep.runner.calls("helm", "uninstall") == []


def test_a_failing_helmfile_destroy_falls_back_to_helm_uninstall(keep, tmp_path):
    with_work_copy(keep, tmp_path)
    keep.runner.on("helmfile", "-n", "llm-d-sim", "destroy", returncode=1, stderr="in ./helmfile.yaml.gotmpl: failed")
    # helmfile removed two releases before failing: the second look finds one left.
    keep.runner.on("helm", "list", "-n", "llm-d-sim", stdout=listing("infra-sim"))
    keep.runner.on("helm", "list", "-n", "llm-d-sim", stdout=listing(*SIM), times=1)
    Destroy().run(keep)
    assert [argv[3:5] for argv in keep.runner.calls("helm", "uninstall")] == [["uninstall", "infra-sim"]]


def test_crds_only_when_asked(keep):
    keep.options["remove_crds"] = True
    keep.runner.on("kubectl", "delete", "crd", stdout="".join(
        f'customresourcedefinition.apiextensions.k8s.io "{name}" deleted\n' for name in ALL_CRDS))
    Destroy().run(keep)
    [delete] = keep.runner.calls("kubectl", "delete", "crd")
    assert set(ALL_CRDS) <= set(delete) and "--ignore-not-found" in delete
    order = [" ".join(argv[3:5]) for argv in destructive(keep)]
    assert order.index("uninstall istio-base") < order.index("delete crd") < order.index("delete namespace")


def test_a_failing_part_does_not_stop_the_rest_and_fails_the_step(keep):
    keep.runner.on("helm", "uninstall", "gaie-sim", returncode=1, stderr="Error: uninstall: timed out waiting")
    with pytest.raises(StepError) as caught:
        Destroy().run(keep)
    assert caught.value.message == "down did not finish: releases failed"
    assert "timed out waiting" in caught.value.details[0]
    assert keep.runner.calls("helm", "uninstall", "istiod") and keep.runner.calls("kubectl", "delete", "namespace")
    assert "run `llmd-sim down` again" in caught.value.hint


def test_missing_pieces_are_skipped_and_down_twice_is_fine(make_ctx):
    ctx = make_ctx(options={"keep_cluster": True})
    ctx.runner.on("kind", "get", "clusters", stdout="llmd-sim\n")
    ctx.runner.on("helm", "list", stdout="[]")
    ctx.runner.on("kubectl", "delete", "httproute", returncode=1,
                  stderr='error: the server doesn\'t have a resource type "httproute"')
    Destroy().run(ctx)
    Destroy().run(ctx)
    assert ctx.runner.calls("helm", "uninstall") == [] and ctx.runner.calls("helmfile") == []


def test_no_cluster_means_nothing_to_remove_inside_it(make_ctx):
    ctx = make_ctx(options={"keep_cluster": True})
    ctx.runner.on("kind", "get", "clusters", stderr="No kind clusters found.\n")
    Destroy().run(ctx)
    assert ctx.runner.calls("kubectl") == [] and ctx.runner.calls("helm") == []


def test_another_context_keeps_its_cluster_and_namespaces(make_ctx):
    ctx = make_ctx(kube_context="staging")
    ctx.runner.on("helm", "list", "-n", "llm-d-sim", stdout=listing(*SIM))
    Destroy().run(ctx)
    assert ctx.runner.calls("kind") == [] and ctx.runner.calls("kubectl", "delete", "namespace") == []
    assert len(ctx.runner.calls("helm", "--kube-context", "staging", "uninstall")) == 3


def test_refuses_a_context_nobody_named(make_ctx):
    ctx = make_ctx()
    ctx.settings = dataclasses.replace(ctx.settings, kube_context="prod", sources={})
    with pytest.raises(StepError, match="context prod is not a kind cluster llmd-sim created"):
        Destroy().run(ctx)
    assert ctx.runner.history == []


def test_dry_run_prints_the_whole_sequence(make_ctx):
    ctx = make_ctx(dry_run=True, options={"keep_cluster": True, "remove_crds": True})
    lines = []
    ctx.runner.echo = lines.append
    Destroy().run(ctx)
    script = "\n".join(line for line in lines if not line.startswith("#"))
    for expected in ("delete httproute llm-d-sim", "uninstall ms-sim", "uninstall infra-sim", "uninstall istio-base",
                     "delete crd", "delete namespace"):
        assert expected in script
    assert not ctx.paths.home.exists()


def test_stops_port_forwards_it_started_and_nothing_else(make_ctx):
    ctx = make_ctx()
    forward = subprocess.Popen(["sleep", "60"], start_new_session=True)
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        ctx.paths.run_dir.mkdir(parents=True)
        for port, proc in ((8000, forward), (8001, stranger)):
            (ctx.paths.run_dir / f"port-forward-{port}.json").write_text(json.dumps({"pid": proc.pid, "port": port}))
        ctx.runner.on("ps", str(forward.pid), stdout="kubectl --context kind-llmd-sim port-forward service/x 8000:80\n")
        ctx.runner.on("ps", str(stranger.pid), stdout="sleep 60\n")

        Destroy().run(ctx)

        assert forward.wait(timeout=10) != 0
        assert stranger.poll() is None  # a reused pid is left alone
        assert list(ctx.paths.run_dir.glob("*.json")) == []
    finally:
        for proc in (forward, stranger):
            proc.kill()
            proc.wait()
