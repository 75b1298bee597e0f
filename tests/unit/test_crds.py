"""The crds step: server-side apply, retries on hiccups only, Established waits, mirror manifests."""

from __future__ import annotations

import json

import pytest

from llmd_sim.errors import CommandError
from llmd_sim.steps.crds import ALL_CRDS, Crds


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def step(sleeps):
    return Crds(sleep=sleeps.append)


def crd(name: str, established: bool = True) -> dict:
    status = "True" if established else "False"
    return {"kind": "CustomResourceDefinition", "metadata": {"name": name},
            "status": {"conditions": [{"type": "Established", "status": status}]}}


def crd_list(*crds: dict) -> str:
    return json.dumps({"kind": "List", "items": list(crds)})


def test_applies_both_projects_server_side_then_waits_for_established(make_ctx, step):
    ctx = make_ctx(wait_timeout="5m")
    step.run(ctx)

    applies = ctx.runner.calls("kubectl", "apply")
    assert [argv[-1] for argv in applies] == [
        "https://github.com/kubernetes-sigs/gateway-api/config/crd/?ref=v1.3.0",
        "https://github.com/kubernetes-sigs/gateway-api-inference-extension/config/crd/?ref=v1.0.1",
    ]
    assert all("--server-side" in argv and argv[-2] == "-k" for argv in applies)
    [wait] = ctx.runner.calls("kubectl", "wait")
    assert "--for=condition=Established" in wait and "--timeout=300s" in wait
    assert set(ALL_CRDS) <= set(wait)
    assert "inferencepools.inference.networking.x-k8s.io" in wait  # the v1alpha2 pool the guide uses
    assert all(argv[:3] == ["kubectl", "--context", "kind-llmd-sim"] for argv in ctx.runner.history)


def test_versions_are_configurable(make_ctx, step):
    ctx = make_ctx(gateway_api_version="v1.2.1", gaie_version="v1.0.0")
    step.run(ctx)
    assert [argv[-1].rsplit("=", 1)[1] for argv in ctx.runner.calls("kubectl", "apply")] == ["v1.2.1", "v1.0.0"]
    assert step.inputs(ctx) != step.inputs(make_ctx())


def test_mirror_profile_applies_the_release_manifests_through_the_file_mirror(make_ctx, step):
    ctx = make_ctx(mirror_profile="daocloud")
    step.run(ctx)
    assert [argv[-1] for argv in ctx.runner.calls("kubectl", "apply")] == [
        "https://files.m.daocloud.io/github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml",
        "https://files.m.daocloud.io/github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/"
        "v1.0.1/manifests.yaml",
    ]
    assert all("--server-side" in argv and "-f" in argv for argv in ctx.runner.calls("kubectl", "apply"))


def test_network_hiccups_are_retried_without_real_sleep(make_ctx, step, sleeps):
    ctx = make_ctx()
    ctx.runner.on("kubectl", "apply", "-k", returncode=1, times=2,
                  stderr="error: accumulating resources: git fetch: fatal: unable to access 'https://github.com/': "
                         "Connection reset by peer")
    step.run(ctx)
    assert len(ctx.runner.calls("kubectl", "apply")) == 4  # two failures, then both projects
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]


def test_real_errors_are_not_retried_nor_swallowed(make_ctx, step, sleeps):
    ctx = make_ctx()
    ctx.runner.on("kubectl", "apply", returncode=1,
                  stderr='Error from server (Forbidden): customresourcedefinitions is forbidden: User "dev"')
    with pytest.raises(CommandError) as caught:
        step.run(ctx)
    assert len(ctx.runner.calls("kubectl", "apply")) == 1 and sleeps == []
    assert ctx.runner.calls("kubectl", "wait") == []
    assert "Forbidden" in caught.value.stderr


def test_hiccups_that_never_stop_end_with_the_mirror_hint(make_ctx, step):
    ctx = make_ctx()
    ctx.runner.on("kubectl", "apply", returncode=1, stderr="dial tcp: i/o timeout")
    with pytest.raises(CommandError) as caught:
        step.run(ctx)
    assert len(ctx.runner.calls("kubectl", "apply")) == 4
    assert "--mirror-profile" in caught.value.hint


def test_probe_passes_only_when_every_crd_is_established(make_ctx, step):
    ctx = make_ctx()
    ctx.runner.on("kubectl", "get", "crd", stdout=crd_list(*(crd(name) for name in ALL_CRDS)))
    assert step.probe(ctx) is None

    ctx.runner.on("kubectl", "get", "crd", stdout=crd_list(*(crd(name) for name in ALL_CRDS[1:])), returncode=1,
                  stderr=f'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "{ALL_CRDS[0]}" '
                         "not found")
    assert step.probe(ctx) == f"crds missing: {ALL_CRDS[0]}"

    pending = [crd(name, established=name != ALL_CRDS[-1]) for name in ALL_CRDS]
    ctx.runner.on("kubectl", "get", "crd", stdout=crd_list(*pending))
    assert step.probe(ctx) == f"crds not established: {ALL_CRDS[-1]}"


def test_probe_on_an_unreachable_cluster_says_the_crds_are_missing(make_ctx, step):
    ctx = make_ctx()
    ctx.runner.on("kubectl", "get", "crd", returncode=1, stderr="Unable to connect to the server")
    assert step.probe(ctx).startswith("crds missing:")


def test_probe_without_kubectl_is_a_reason_to_run_not_a_crash(make_ctx, step, monkeypatch):
    from llmd_sim.errors import ToolMissing

    ctx = make_ctx()

    def missing(program):
        raise ToolMissing(f"{program} is not installed (not found on PATH)")

    monkeypatch.setattr(ctx.runner, "which", missing)
    monkeypatch.setattr(ctx.runner, "_execute", lambda argv, **kw: ctx.runner.which(argv[0]))
    assert step.probe(ctx) == "cannot check: kubectl is not installed (not found on PATH)"
