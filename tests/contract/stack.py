"""Bring parts of the guide's stack up through the fakes, as the guide's commands would."""

from __future__ import annotations

from pathlib import Path

import yaml

CONTEXT = "kind-llmd-sim"
GAIE_CRDS = "https://github.com/kubernetes-sigs/gateway-api-inference-extension/config/crd/?ref=v1.0.1"
GATEWAY_CRDS = "https://github.com/kubernetes-sigs/gateway-api/config/crd/?ref=v1.3.0"


def ok(result):
    """The CompletedProcess, after checking it exited 0 (its output in the failure message)."""
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result


def kubectl(world, *args, **kw):
    return world.run("kubectl", "--context", CONTEXT, *args, **kw)


# Setting a stack up runs the fakes in-process (world.call): same code and records, no start-up cost.

def install_crds(world, gaie: bool = True) -> None:
    ok(world.call("kubectl", "--context", CONTEXT, "apply", "--server-side", "-k", GATEWAY_CRDS))
    if gaie:
        ok(world.call("kubectl", "--context", CONTEXT, "apply", "--server-side", "-k", GAIE_CRDS))
    ok(world.call("kubectl", "--context", CONTEXT, "wait", "--for=condition=Established", "crd", "--all",
                  "--timeout=30s"))


def install_istio(world, checkout: Path) -> None:
    ok(world.call("helmfile", "--kube-context", CONTEXT, "-f",
                  str(checkout / "guides/prereq/gateway-provider/istio.helmfile.yaml"), "sync"))
    ok(world.call("kubectl", "--context", CONTEXT, "wait", "--for=condition=Available", "deployment/istiod", "-n",
                  "istio-system", "--timeout=30s"))


def override(checkout: Path, *, monitoring: bool = False, pod_name: bool = True,
             pull_policy: str | None = None) -> None:
    """Edit the guide's values the way llmd-sim's deploy step does."""
    guide = checkout / "guides/simulated-accelerators"
    gaie = yaml.safe_load((guide / "gaie-sim/values.yaml").read_text())
    gaie["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] = monitoring
    if pull_policy:
        gaie["inferenceExtension"]["image"]["pullPolicy"] = pull_policy
    (guide / "gaie-sim/values.yaml").write_text(yaml.safe_dump(gaie))
    ms = yaml.safe_load((guide / "ms-sim/values.yaml").read_text())
    for role in ("decode", "prefill"):
        ms[role]["monitoring"]["podmonitor"]["enabled"] = monitoring
        if pod_name:
            ms[role]["containers"][0]["env"] = [{"name": "POD_NAME",
                                                 "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    if pull_policy:
        ms["routing"]["proxy"]["imagePullPolicy"] = pull_policy
    (guide / "ms-sim/values.yaml").write_text(yaml.safe_dump(ms))


def sim_helmfile(world, checkout: Path, *args: str):
    guide = checkout / "guides/simulated-accelerators"
    return world.run("helmfile", "--kube-context", CONTEXT, "-f", str(guide / "helmfile.yaml.gotmpl"), "-e", "istio",
                     "-n", "llm-d-sim", *args)


def deploy_sim(world, checkout: Path, **overrides) -> None:
    override(checkout, **overrides)
    guide = checkout / "guides/simulated-accelerators"
    ok(world.call("helmfile", "--kube-context", CONTEXT, "-f", str(guide / "helmfile.yaml.gotmpl"), "-e", "istio",
                  "-n", "llm-d-sim", "sync"))
    ok(world.call("kubectl", "--context", CONTEXT, "apply", "-n", "llm-d-sim", "-f", str(guide / "httproute.yaml")))
