"""helm, as FACTS.md section 6 describes it."""

from __future__ import annotations

import json

from contract.stack import CONTEXT, install_crds, install_istio, ok

DIFF = "https://github.com/databus23/helm-diff"


def helm(world, *args, **kw):
    return world.run("helm", "--kube-context", CONTEXT, *args, **kw)


def test_version_forms(fake_world):
    assert ok(helm(fake_world, "version", "--template", "{{.Version}}")).stdout == "v3.17.3\n"
    assert ok(helm(fake_world, "version", "--short")).stdout == "v3.17.3+ge4da497\n"


def test_plugin_install_then_list_then_install_again(fake_world):
    assert ok(helm(fake_world, "plugin", "list")).stdout.split() == ["NAME", "VERSION", "DESCRIPTION"]
    assert ok(helm(fake_world, "plugin", "install", DIFF, "--version", "v3.11.0")).stdout == "Installed plugin: diff\n"
    rows = ok(helm(fake_world, "plugin", "list")).stdout.splitlines()
    assert rows[0].split("\t")[0].strip() == "NAME" and rows[1].split()[:2] == ["diff", "3.11.0"]
    again = helm(fake_world, "plugin", "install", DIFF, "--version", "v3.11.0")
    assert (again.returncode, again.stderr.strip()) == (1, "Error: plugin already exists")


def test_plugins_live_in_helm_plugins(fake_world, tmp_path, monkeypatch):
    monkeypatch.setenv("HELM_PLUGINS", str(tmp_path / "plugins"))
    ok(helm(fake_world, "plugin", "install", DIFF, "--version", "v3.11.0"))
    assert (tmp_path / "plugins" / "helm-diff" / "plugin.yaml").is_file()
    monkeypatch.delenv("HELM_PLUGINS")
    assert "diff" not in ok(helm(fake_world, "plugin", "list")).stdout


def test_plugin_install_needs_github(fake_world):
    fake_world.unreachable("github.com")
    result = helm(fake_world, "plugin", "install", DIFF, "--version", "v3.11.0")
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and "github.com" in result.stderr


def test_helm_4_verifies_plugins_and_helm_3_has_no_such_flag(fake_world):
    three = helm(fake_world, "plugin", "install", DIFF, "--version", "v3.11.0", "--verify=false")
    assert (three.returncode, three.stderr.strip()) == (1, "Error: unknown flag: --verify")
    fake_world.knobs(helm_version="v4.0.0")
    assert helm(fake_world, "plugin", "install", DIFF, "--version", "v3.14.0").returncode == 1
    ok(helm(fake_world, "plugin", "install", DIFF, "--version", "v3.14.0", "--verify=false"))


def test_diff_is_an_unknown_command_without_the_plugin(fake_world):
    result = helm(fake_world, "diff", "version")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ['Error: unknown command "diff" for "helm"', "Run 'helm --help' for usage."]
    fake_world.install_helm_diff()
    assert ok(helm(fake_world, "diff", "version")).stdout == "3.11.0\n"


def test_list_is_a_json_array(fake_world, cluster, checkout):
    assert ok(helm(fake_world, "list", "-n", "istio-system", "-o", "json")).stdout == "[]\n"
    install_crds(fake_world)
    install_istio(fake_world, checkout)
    listed = json.loads(ok(helm(fake_world, "list", "-n", "istio-system", "-o", "json")).stdout)
    assert [(r["name"], r["status"], r["revision"]) for r in listed] == [("istio-base", "deployed", "1"),
                                                                         ("istiod", "deployed", "1")]
    assert set(listed[0]) == {"name", "namespace", "revision", "updated", "status", "chart", "app_version"}


def test_status_and_uninstall_of_a_missing_release(fake_world, cluster):
    status = helm(fake_world, "status", "gaie-sim", "-n", "llm-d-sim", "-o", "json")
    assert (status.returncode, status.stderr.strip()) == (1, "Error: release: not found")
    gone = helm(fake_world, "uninstall", "gaie-sim", "-n", "llm-d-sim")
    assert gone.returncode == 1 and "release: not found" in gone.stderr
    assert helm(fake_world, "uninstall", "gaie-sim", "-n", "llm-d-sim", "--ignore-not-found").returncode == 0


def test_uninstall_removes_the_release_and_its_objects(fake_world, cluster, checkout):
    install_crds(fake_world)
    install_istio(fake_world, checkout)
    assert ok(helm(fake_world, "uninstall", "istiod", "-n", "istio-system")).stdout == 'release "istiod" uninstalled\n'
    assert fake_world.releases(namespace="istio-system") == {"istio-base": "deployed"}
    assert "istiod" not in fake_world.names("Deployment", namespace="istio-system")


def test_unknown_flag_and_unreachable_cluster(fake_world):
    flag = helm(fake_world, "list", "--bogus")
    assert (flag.returncode, flag.stderr.strip()) == (1, "Error: unknown flag: --bogus")
    missing = helm(fake_world, "list", "-n", "default")
    assert missing.returncode == 1 and missing.stderr.startswith("Error: kubernetes cluster unreachable")
