"""The smoke step: `llmd-sim test`'s checks through a port-forward at the end of `up`."""

from __future__ import annotations

import pytest

from llmd_sim import config_sources
from llmd_sim.context import Context
from llmd_sim.errors import StepError
from llmd_sim.steps import smoke
from llmd_sim.ui import UI
from support import fake_forward


@pytest.fixture
def ctx(tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_PF_PIDS", str(tmp_path / "kubectl-pids"))
    context = Context.create(config_sources.load(env={}), UI(quiet=True)).for_step("smoke")
    fake_forward.install(context.paths.bin_dir)
    context.pids = lambda: fake_forward.started_pids(tmp_path / "kubectl-pids")
    return context


def test_smoke_passes_on_a_healthy_stack_and_stops_its_forward(ctx):
    smoke.STEP.run(ctx)
    assert ctx.pids() and not any(fake_forward.running(pid) for pid in ctx.pids())
    assert not list(ctx.paths.run_dir.glob("*.json"))


def test_smoke_failure_names_each_failed_check(ctx, monkeypatch):
    monkeypatch.setenv("FAKEWORLD_SIM_NO_DONE", "1")
    with pytest.raises(StepError) as caught:
        smoke.STEP.run(ctx)
    assert caught.value.message == ("the gateway does not answer like the guide: "
                                    "stream: the stream ended without `data: [DONE]` after 32 chunks")
    assert "llmd-sim test" in caught.value.hint
    assert not any(fake_forward.running(pid) for pid in ctx.pids())


def test_smoke_dry_run_prints_the_forward_and_the_guides_curls(make_ctx, capsys):
    ctx = make_ctx(dry_run=True, namespace="demo", model="random")
    ctx.runner.echo = print
    smoke.STEP.run(ctx)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == ("kubectl --context kind-llmd-sim port-forward --address 127.0.0.1 -n demo "
                          "service/infra-sim-inference-gateway-istio 8001:80 &")  # kind holds 8000
    assert printed[1].startswith("sleep ")
    assert printed[2] == "curl -s http://127.0.0.1:8001/v1/models"
    assert printed[3].startswith("curl -s http://127.0.0.1:8001/v1/completions") and '"max_tokens": 32' in printed[3]
    assert not ctx.paths.run_dir.exists()


def test_smoke_reruns_when_the_model_or_target_changes(make_ctx):
    first = smoke.STEP.inputs(make_ctx())
    assert smoke.STEP.inputs(make_ctx(model="other")) != first
    assert smoke.STEP.inputs(make_ctx(namespace="elsewhere")) != first
    assert smoke.STEP.inputs(make_ctx()) == first
