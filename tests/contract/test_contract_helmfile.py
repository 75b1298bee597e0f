"""helmfile, as FACTS.md section 7 describes it, with the guide's v0.3.1 helmfiles."""

from __future__ import annotations

import signal
import subprocess

from contract.stack import CONTEXT, deploy_sim, install_crds, install_istio, kubectl, ok, override, sim_helmfile


def test_apply_needs_helm_diff_and_sync_does_not(fake_world, cluster, checkout):
    istio = str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml")
    applied = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "apply")
    assert applied.returncode == 1
    assert 'Error: unknown command "diff" for "helm"' in applied.stderr
    assert fake_world.releases() == {}
    ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "sync"))
    assert fake_world.releases() == {"istio-base": "deployed", "istiod": "deployed"}


def test_apply_with_helm_diff_installs_then_changes_nothing(fake_world, cluster, checkout):
    fake_world.install_helm_diff()
    istio = str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml")
    ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "apply", "--suppress-diff"))
    again = ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "apply"))
    assert "No affected releases" in again.stderr
    revisions = {r["name"]: r["revision"] for r in fake_world.state()["clusters"]["llmd-sim"]["releases"].values()}
    assert revisions == {"istio-base": 1, "istiod": 1}


def test_detailed_exitcode_says_whether_apply_changed_anything(fake_world, cluster, checkout):
    fake_world.install_helm_diff()
    istio = str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml")
    first = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "apply", "--detailed-exitcode")
    assert first.returncode == 2
    assert fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "apply",
                          "--detailed-exitcode").returncode == 0


def test_unknown_flags_are_ignored(fake_world, cluster, checkout):
    istio = str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml")
    ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "--no-such-flag", "-f", istio, "sync", "--bogus"))
    assert set(fake_world.releases()) == {"istio-base", "istiod"}


def test_the_sim_helmfile_before_the_gaie_crds(fake_world, cluster, checkout):
    install_crds(fake_world, gaie=False)
    install_istio(fake_world, checkout)
    override(checkout)
    result = sim_helmfile(fake_world, checkout, "sync")
    assert result.returncode == 1
    assert ('no matches for kind "InferencePool" in version "inference.networking.x-k8s.io/v1alpha2"'
            in result.stderr)
    assert fake_world.releases(namespace="llm-d-sim") == {"infra-sim": "deployed"}


def test_monitoring_objects_need_the_prometheus_operator_crds(fake_world, cluster, checkout):
    install_crds(fake_world)
    install_istio(fake_world, checkout)
    result = sim_helmfile(fake_world, checkout, "sync")  # the guide's values: monitoring on
    assert result.returncode == 1
    assert 'no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"' in result.stderr
    fake_world.monitoring_crds()
    ok(sim_helmfile(fake_world, checkout, "sync"))
    assert fake_world.names("PodMonitor", namespace="llm-d-sim") == [
        "ms-sim-llm-d-modelservice-decode", "ms-sim-llm-d-modelservice-prefill"]
    assert fake_world.names("ServiceMonitor", namespace="llm-d-sim") == ["gaie-sim-epp"]


def test_the_whole_stack_comes_up_and_goes_away(fake_world, cluster, checkout):
    install_crds(fake_world)
    install_istio(fake_world, checkout)
    deploy_sim(fake_world, checkout)
    assert fake_world.releases(namespace="llm-d-sim") == {"infra-sim": "deployed", "gaie-sim": "deployed",
                                                          "ms-sim": "deployed"}
    ok(kubectl(fake_world, "wait", "--for=condition=Ready", "pod", "--all", "-n", "llm-d-sim", "--timeout=30s"))
    gateway = fake_world.objects("Gateway", namespace="llm-d-sim")[0]
    assert gateway["metadata"]["name"] == "infra-sim-inference-gateway"
    assert {c["type"]: c["status"] for c in gateway["status"]["conditions"]}["Programmed"] == "True"
    route = fake_world.objects("HTTPRoute", namespace="llm-d-sim")[0]
    assert {c["type"]: c["status"] for c in route["status"]["parents"][0]["conditions"]} == {
        "Accepted": "True", "ResolvedRefs": "True"}
    assert "infra-sim-inference-gateway-istio" in fake_world.names("Service", namespace="llm-d-sim")
    pods = fake_world.pods("llm-d-sim")
    assert sum(name.startswith("ms-sim-llm-d-modelservice-decode-") for name in pods) == 3
    ok(sim_helmfile(fake_world, checkout, "destroy"))
    assert fake_world.releases(namespace="llm-d-sim") == {}
    assert fake_world.pods("llm-d-sim") == {}
    assert ok(sim_helmfile(fake_world, checkout, "destroy")).returncode == 0


def test_a_helm_killed_mid_install_leaves_the_release_pending(fake_world, cluster, checkout):
    install_crds(fake_world)
    istio = str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml")
    fake_world.latency(1.0)  # each release takes 25 s: time enough to interrupt it
    proc = subprocess.Popen(["helmfile", "--kube-context", CONTEXT, "-f", istio, "sync"], stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr.readline().startswith("Upgrading release=istio-base")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    listed = ok(fake_world.run("helm", "--kube-context", CONTEXT, "list", "-n", "istio-system", "--all", "-o", "json"))
    assert '"status": "pending-install"' in listed.stdout
    fake_world.latency(0.0)
    again = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", istio, "sync")
    assert again.returncode == 1
    assert "another operation (install/upgrade/rollback) is in progress" in again.stderr


def test_gateway_is_programmed_only_with_istio(fake_world, cluster, checkout):
    install_crds(fake_world)
    ok(sim_helmfile(fake_world, checkout, "sync", "-l", "name=infra-sim"))
    gateway = fake_world.objects("Gateway", namespace="llm-d-sim")[0]
    assert {c["type"]: c["status"] for c in gateway["status"]["conditions"]}["Programmed"] == "Unknown"
    assert fake_world.names("Service", namespace="llm-d-sim") == []


def test_release_postfix_and_namespace(fake_world, cluster, checkout, monkeypatch):
    install_crds(fake_world)
    monkeypatch.setenv("RELEASE_NAME_POSTFIX", "demo")
    guide = checkout / "guides/simulated-accelerators"
    ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", str(guide / "helmfile.yaml.gotmpl"), "-n", "team",
                      "sync", "-l", "name=infra-demo"))
    assert fake_world.releases(namespace="team") == {"infra-demo": "deployed"}
    assert fake_world.names("Gateway", namespace="team") == ["infra-demo-inference-gateway"]


def test_undefined_environment_and_unmatched_selector(fake_world, cluster, checkout):
    guide = str(checkout / "guides/simulated-accelerators/helmfile.yaml.gotmpl")
    env = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", guide, "-e", "nowhere", "sync")
    assert env.returncode == 1 and 'environment "nowhere" is not defined' in env.stderr
    none = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", guide, "-l", "name=nothing", "sync")
    assert none.returncode == 3 and "no releases found that matches specified selector(name=nothing)" in none.stderr


def test_an_unknown_template_function_fails_loudly(fake_world, cluster, tmp_path):
    state = tmp_path / "helmfile.yaml.gotmpl"
    state.write_text('releases:\n  - name: {{ frobnicate "x" }}\n    chart: llm-d-infra/llm-d-infra\n')
    result = fake_world.run("helmfile", "--kube-context", CONTEXT, "-f", str(state), "sync")
    assert result.returncode == 1 and 'function "frobnicate" not defined' in result.stderr


def test_template_renders_without_a_cluster(fake_world, checkout):
    override(checkout)
    result = ok(sim_helmfile(fake_world, checkout, "template"))
    assert "kind: InferencePool" in result.stdout and "apiVersion: inference.networking.x-k8s.io/v1alpha2" in result.stdout


def test_istio_webhook_not_ready_fails_the_release(fake_world, cluster, checkout):
    install_crds(fake_world)
    override(checkout)
    fake_world.latency(0.001, pod_start=10**7)  # istiod does not become ready during this test
    ok(fake_world.run("helmfile", "--kube-context", CONTEXT, "-f",
                      str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml"), "sync"))
    fake_world.latency(0.0)
    fake_world.pod_never_ready("^istiod-", reason="Unhealthy")
    result = sim_helmfile(fake_world, checkout, "sync")
    assert result.returncode == 1 and 'failed calling webhook "validation.istio.io"' in result.stderr
    assert fake_world.releases(namespace="llm-d-sim")["gaie-sim"] == "failed"
