"""git clone of the llm-d guide, and the generated checkout's layout (FACTS.md section 1)."""

from __future__ import annotations

import yaml

from contract.stack import ok
from fakeworld import llmd_checkout

URL = "https://github.com/llm-d/llm-d.git"


def test_shallow_clone_of_a_known_ref(fake_world, tmp_path):
    target = tmp_path / "llm-d"
    ok(fake_world.run("git", "clone", "--depth", "1", "--branch", "v0.3.1", "--single-branch", URL, str(target)))
    assert (target / "guides/simulated-accelerators/helmfile.yaml.gotmpl").is_file()
    head = ok(fake_world.run("git", "-C", str(target), "rev-parse", "HEAD")).stdout.strip()
    assert head == llmd_checkout.REFS["v0.3.1"]
    assert fake_world.clones()[0]["ref"] == "v0.3.1"


def test_unknown_ref(fake_world, tmp_path):
    result = fake_world.run("git", "clone", "--depth", "1", "--branch", "v9.9.9", URL, str(tmp_path / "x"))
    assert result.returncode == 128
    assert result.stderr.splitlines()[-1] == "fatal: Remote branch v9.9.9 not found in upstream origin"


def test_github_unreachable(fake_world, tmp_path):
    fake_world.unreachable("github")
    result = fake_world.run("git", "clone", "--branch", "v0.3.1", URL, str(tmp_path / "x"))
    assert result.returncode == 128 and "Could not resolve host: github.com" in result.stderr


def test_non_empty_destination_and_unknown_option(fake_world, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("")
    busy = fake_world.run("git", "clone", "--branch", "v0.3.1", URL, str(tmp_path / "x"))
    assert busy.returncode == 128 and "already exists and is not an empty directory" in busy.stderr
    option = fake_world.run("git", "clone", "--bogus", URL)
    assert option.returncode == 129 and option.stderr.startswith("error: unknown option `bogus'")
    assert fake_world.run("git", "rev-parse", "HEAD", cwd=str(tmp_path)).returncode == 128


def test_checkout_has_the_guide_layout_and_values_keys(tmp_path):
    root = llmd_checkout.write(tmp_path / "llm-d")
    guide, prereq = root / "guides/simulated-accelerators", root / "guides/prereq"
    for path in ("README.md", "helmfile.yaml.gotmpl", "gaie-sim/values.yaml", "ms-sim/values.yaml", "httproute.yaml"):
        assert (guide / path).is_file(), path
    for path in ("client-setup/install-deps.sh", "gateway-provider/istio.helmfile.yaml",
                 "gateway-provider/common-configurations/istio.yaml",
                 "gateway-provider/install-gateway-provider-dependencies.sh"):
        assert (prereq / path).is_file(), path
    gaie = yaml.safe_load((guide / "gaie-sim/values.yaml").read_text())
    assert gaie["inferenceExtension"]["image"] == {"name": "llm-d-inference-scheduler", "hub": "ghcr.io/llm-d",
                                                   "tag": "v0.3.2", "pullPolicy": "Always"}
    assert gaie["inferenceExtension"]["monitoring"]["prometheus"]["enabled"] is True
    assert gaie["inferencePool"]["apiVersion"] == "inference.networking.x-k8s.io/v1alpha2"
    assert gaie["inferencePool"]["modelServers"]["matchLabels"] == {"llm-d.ai/inferenceServing": "true"}
    ms = yaml.safe_load((guide / "ms-sim/values.yaml").read_text())
    assert ms["modelArtifacts"]["name"] == "random"
    assert ms["routing"]["proxy"]["image"] == "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0"
    assert "imagePullPolicy" not in ms["routing"]["proxy"]  # the chart's default (Always) applies
    for role, replicas in (("decode", 3), ("prefill", 1)):
        assert ms[role]["replicas"] == replicas
        assert ms[role]["containers"][0]["image"] == "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
        assert ms[role]["monitoring"]["podmonitor"]["enabled"] is True
        assert "env" not in ms[role]["containers"][0]
