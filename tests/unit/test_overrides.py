"""The values llmd-sim generates from the guide's: monitoring, pull policies, pod env, the route."""

from __future__ import annotations

import pytest
import yaml
from support.llmd_checkout import make_checkout, original

from llmd_sim import guide, llmd_source, overrides
from llmd_sim.errors import CommandError

MONITORING_API = "api-resources", "--api-group=monitoring.coreos.com"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    return make_checkout(tmp_path_factory.mktemp("llm-d"))


@pytest.fixture
def generated(checkout):
    def generate(ctx, monitoring: bool) -> dict[str, dict]:
        edits = overrides.plan(ctx.settings, monitoring=monitoring)
        paths = (guide.GAIE_VALUES, guide.MS_VALUES, guide.HTTPROUTE)
        return {path: yaml.safe_load(overrides.apply(original(checkout, path), edits[path])) for path in paths}

    return generate


@pytest.mark.parametrize("monitoring", [True, False])
def test_monitoring_follows_the_decision_on_all_three_keys(make_ctx, generated, monitoring):
    values = generated(make_ctx(), monitoring)
    gaie, ms = values[guide.GAIE_VALUES], values[guide.MS_VALUES]
    assert gaie["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is monitoring
    assert ms["decode"]["monitoring"]["podmonitor"]["enabled"] is monitoring
    assert ms["prefill"]["monitoring"]["podmonitor"]["enabled"] is monitoring
    assert ms["decode"]["monitoring"]["podmonitor"]["portName"] == "metrics"  # the rest is kept


def test_preloaded_images_are_not_pulled_again(make_ctx, generated):
    values = generated(make_ctx(), False)
    gaie, ms = values[guide.GAIE_VALUES], values[guide.MS_VALUES]
    assert gaie["inferenceExtension"]["image"]["pullPolicy"] == "IfNotPresent"
    assert gaie["inferenceExtension"]["image"]["tag"] == "v0.3.2"
    assert ms["routing"]["proxy"]["imagePullPolicy"] == "IfNotPresent"
    for role in ("decode", "prefill"):
        assert [c["imagePullPolicy"] for c in ms[role]["containers"]] == ["IfNotPresent"]


def test_sim_containers_get_pod_name_and_namespace_from_the_downward_api(make_ctx, generated):
    ms = generated(make_ctx(), False)[guide.MS_VALUES]
    for role in ("decode", "prefill"):
        env = {entry["name"]: entry for entry in ms[role]["containers"][0]["env"]}
        assert env["POD_NAME"] == {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
        assert env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
    decode_env = [entry["name"] for entry in ms["decode"]["containers"][0]["env"]]
    assert decode_env == ["KEEP_ME", "POD_NAME", "POD_NAMESPACE"]  # the guide's own env stays, a stale one is replaced


def test_generated_yaml_has_no_anchors(make_ctx, checkout):
    text = overrides.apply(original(checkout, guide.MS_VALUES), overrides.plan(make_ctx().settings, monitoring=False)[guide.MS_VALUES])
    assert "&id" not in text and "*id" not in text


def test_route_follows_namespace_and_release_postfix(make_ctx, generated):
    route = generated(make_ctx(namespace="team-a", release_postfix="x1"), False)[guide.HTTPROUTE]
    assert route["metadata"] == {"name": "llm-d-sim", "namespace": "team-a"}
    assert route["spec"]["parentRefs"][0]["name"] == "infra-x1-inference-gateway"
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "gaie-x1"


def test_auto_monitoring_is_off_when_the_api_group_is_absent(make_ctx):
    ctx = make_ctx()
    ctx.runner.on("kubectl", *MONITORING_API, stdout="")
    assert overrides.monitoring(ctx) is False


def test_auto_monitoring_is_on_when_the_monitors_are_served(make_ctx):
    ctx = make_ctx()
    ctx.runner.on("kubectl", *MONITORING_API, stdout="alertmanagers.monitoring.coreos.com\n"
                  "podmonitors.monitoring.coreos.com\nservicemonitors.monitoring.coreos.com\n")
    assert overrides.monitoring(ctx) is True
    [call] = ctx.runner.calls("kubectl", *MONITORING_API)
    assert call[:3] == ["kubectl", "--context", "kind-llmd-sim"]


def test_auto_monitoring_needs_both_monitor_kinds(make_ctx):
    ctx = make_ctx()
    ctx.runner.on("kubectl", *MONITORING_API, stdout="podmonitors.monitoring.coreos.com\n")
    assert overrides.monitoring(ctx) is False


@pytest.mark.parametrize("mode,expected", [("on", True), ("off", False)])
def test_forced_monitoring_does_not_ask_the_cluster(make_ctx, mode, expected):
    ctx = make_ctx(monitoring=mode)
    assert overrides.monitoring(ctx) is expected
    assert ctx.runner.calls("kubectl") == []


def test_an_unreachable_cluster_is_an_error_and_no_answer_is_remembered(make_ctx):
    ctx = make_ctx()
    down = ctx.runner.on("kubectl", *MONITORING_API, returncode=1, stderr="The connection to the server was refused")
    with pytest.raises(CommandError):
        overrides.monitoring(ctx)
    down.times = 0  # the cluster answers now: the failure was not cached
    assert overrides.monitoring(ctx) is False


def test_write_generates_the_work_copy_from_the_checkout(make_ctx, tmp_path):
    checkout = make_checkout(tmp_path / "llm-d")
    ctx = make_ctx(llm_d_dir=str(checkout))
    llmd_source.prepare(ctx)

    overrides.write(ctx, overrides.plan(ctx.settings, monitoring=False))

    text = (ctx.paths.work_dir / guide.GAIE_VALUES).read_text()
    assert text.startswith("# generated by llmd-sim from guides/simulated-accelerators/gaie-sim/values.yaml")
    assert yaml.safe_load(text)["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is False
    assert "generated by llmd-sim" not in original(checkout, guide.GAIE_VALUES)  # the user's copy is untouched


def test_plan_as_inputs_changes_with_the_config(make_ctx):
    base = overrides.as_inputs(overrides.plan(make_ctx().settings, monitoring=False))
    assert overrides.as_inputs(overrides.plan(make_ctx().settings, monitoring=False)) == base
    assert overrides.as_inputs(overrides.plan(make_ctx().settings, monitoring=True)) != base
    assert overrides.as_inputs(overrides.plan(make_ctx(namespace="other").settings, monitoring=False)) != base
