"""The prereqs step: what it finds, installs, refuses and warns about."""

from __future__ import annotations

import io
import json

import pytest
from support.release_server import ReleaseServer

from llmd_sim import helm_diff, installer, releases
from llmd_sim.errors import StepError
from llmd_sim.steps import prereqs
from llmd_sim.ui import UI

PLUGINS = "NAME\tVERSION\tDESCRIPTION\ndiff\t3.11.0\tPreview helm upgrade changes as a diff\n"
HEALTHY_ENGINE = json.dumps({"MemTotal": 16 * 2**30, "NCPU": 8})


@pytest.fixture
def system(tmp_path, monkeypatch):
    """A PATH holding only the tools a test puts there (empty executables: the runner is fake)."""
    sysbin = tmp_path / "sysbin"
    sysbin.mkdir()
    monkeypatch.setenv("PATH", str(sysbin))

    def provide(*tools):
        for tool in tools:
            path = sysbin / tool
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
        return sysbin

    return provide


@pytest.fixture
def installs(monkeypatch):
    """Replace downloads with a stub that drops an executable in the bin dir; records (tool, version)."""
    done = []

    def fake_install(ctx, tool, version, *, sleep):
        done.append((tool, version))
        ctx.paths.bin_dir.mkdir(parents=True, exist_ok=True)
        path = ctx.paths.bin_dir / tool
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return path

    monkeypatch.setattr(installer, "install_tool", fake_install)
    return done


def scripted(ctx, *, engine=HEALTHY_ENGINE, helm="v3.17.3", helmfile="1.1.3", plugins=PLUGINS):
    ctx.ui = UI(stream=io.StringIO())
    ctx.runner.on("docker", "info", stdout=engine)
    ctx.runner.on("docker", "version", stdout="27.3.1\n")
    ctx.runner.on("kind", "version", stdout="kind v0.30.0 go1.24.6 linux/amd64\n")
    ctx.runner.on("kubectl", "version", "--client", stdout=json.dumps({"clientVersion": {"gitVersion": "v1.34.1"}}))
    ctx.runner.on("helm", "version", stdout=helm)
    ctx.runner.on("helmfile", "version", stdout=helmfile + "\n")
    ctx.runner.on("git", "version", stdout="git version 2.43.0\n")
    ctx.runner.on("helm", "plugin", "list", stdout=plugins)
    return ctx


def output(ctx) -> str:
    return ctx.ui.stream.getvalue()


ALL = ("docker", "kind", "kubectl", "helm", "helmfile", "git")


def test_everything_present_installs_nothing_and_reports_versions(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx())

    prereqs.Prereqs(sleep=lambda s: None).run(ctx)

    assert installs == []
    assert not ctx.runner.calls("plugin", "install")
    report = output(ctx)
    for expected in ("v0.30.0", "v1.34.1", "v3.17.3", "1.1.3", "2.43.0", "27.3.1", "running, 8 CPUs, 16.0 GiB"):
        assert expected in report
    assert "warning" not in report


def test_missing_tools_are_installed_at_their_pins_and_recorded(make_ctx, system, installs):
    system("docker", "kubectl", "helmfile", "git")
    ctx = scripted(make_ctx())

    prereqs.STEP.run(ctx)

    assert installs == [("kind", "v0.30.0"), ("helm", "v3.17.3")]
    record = json.loads((ctx.paths.bin_dir / "versions.json").read_text())
    assert record == {"kind": "v0.30.0", "helm": "v3.17.3"}
    assert "installed (pinned)" in output(ctx)


def test_no_install_lists_what_is_missing_and_fails(make_ctx, system, installs):
    system("docker", "kind", "git")
    ctx = scripted(make_ctx(install_tools=False))

    with pytest.raises(StepError, match="missing: kubectl, helm, helmfile") as caught:
        prereqs.STEP.run(ctx)

    assert installs == []
    assert "kubectl: llmd-sim would install v1.34.1" in caught.value.details
    assert "--no-install" in caught.value.hint


def test_missing_docker_stops_before_any_download(make_ctx, system, installs):
    system("git")
    ctx = scripted(make_ctx())

    with pytest.raises(StepError, match="docker not found on PATH") as caught:
        prereqs.STEP.run(ctx)

    assert installs == []
    assert any("Docker Desktop" in line for line in caught.value.details)


@pytest.mark.parametrize("system_name, advice", [("Linux", "sudo systemctl start docker"),
                                                 ("Darwin", "colima start")])
def test_engine_down_says_how_to_start_it(make_ctx, system, installs, monkeypatch, system_name, advice):
    system(*ALL)
    monkeypatch.setattr(prereqs.platform, "system", lambda: system_name)
    ctx = scripted(make_ctx())
    ctx.runner.on("docker", "info", returncode=1, stderr="Cannot connect to the Docker daemon at unix:///var/run/docker.sock")

    with pytest.raises(StepError, match=r"docker is not running \(docker info exited 1\)") as caught:
        prereqs.STEP.run(ctx)

    assert advice in caught.value.hint
    assert any("Cannot connect" in line for line in caught.value.details)


def test_socket_permission_problem_gets_the_docker_group_hint(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx())
    ctx.runner.on("docker", "info", returncode=1, stderr="permission denied while trying to connect to the docker API")

    with pytest.raises(StepError) as caught:
        prereqs.STEP.run(ctx)
    assert "usermod -aG docker" in caught.value.hint


def test_small_engine_is_warned_about(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx(), engine=json.dumps({"MemTotal": 4 * 2**30, "NCPU": 2}))

    prereqs.STEP.run(ctx)

    report = output(ctx)
    assert "warning: docker has 4.0 GiB of memory" in report
    assert "warning: docker has 2 CPUs" in report


def test_docker_desktop_set_to_8_gb_is_not_warned_about(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx(), engine=json.dumps({"MemTotal": 8_221_675_520, "NCPU": 4}))

    prereqs.STEP.run(ctx)
    assert "warning" not in output(ctx)


def test_podman_provider_uses_podman_and_needs_no_docker(make_ctx, system, installs, monkeypatch):
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "podman")
    system("podman", "kind", "kubectl", "helm", "helmfile", "git")
    ctx = scripted(make_ctx())
    ctx.runner.on("podman", "info", stdout=json.dumps({"host": {"memTotal": 2 * 2**30, "cpus": 6}}))
    ctx.runner.on("podman", "version", stdout="5.2.0\n")

    prereqs.STEP.run(ctx)

    assert ctx.runner.calls("podman", "info") and not ctx.runner.calls("docker")
    assert "warning: podman has 2.0 GiB of memory" in output(ctx)


def test_existing_cluster_needs_neither_kind_nor_an_engine(make_ctx, system, installs):
    system("kubectl", "helm", "helmfile", "git")
    ctx = scripted(make_ctx(kube_context="prod-like"))

    prereqs.STEP.run(ctx)

    assert installs == []
    assert not ctx.runner.calls("docker") and not ctx.runner.calls("kind")


def test_helm_diff_is_installed_pinned_from_git_when_missing(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx())
    ctx.runner.on("helm", "plugin", "list", stdout="NAME\tVERSION\tDESCRIPTION\n", times=1)

    prereqs.STEP.run(ctx)

    assert ctx.runner.calls("plugin", "install") == [[
        "helm", "--kube-context", "kind-llmd-sim", "plugin", "install",
        "https://github.com/databus23/helm-diff", "--version", "v3.11.0"]]


def test_helm_4_gets_a_helm_diff_that_supports_it_and_a_warning_for_old_helmfile(make_ctx, system, installs):
    system(*ALL)
    ctx = scripted(make_ctx(), helm="v4.0.1")
    ctx.runner.on("helm", "plugin", "list", stdout=PLUGINS.replace("3.11.0", "3.14.0"))
    ctx.runner.on("helm", "plugin", "list", stdout="NAME\tVERSION\tDESCRIPTION\n", times=1)

    prereqs.STEP.run(ctx)

    install = ctx.runner.calls("plugin", "install")[0]
    assert install[-3:] == ["--version", "v3.14.0", "--verify=false"]
    assert "helmfile 1.1.3 does not work with helm v4.0.1" in output(ctx)


def test_behind_a_mirror_helm_diff_comes_from_the_release_tarball(make_ctx, system, installs, monkeypatch):
    system(*ALL)
    unpacked = []
    monkeypatch.setattr(installer, "install_plugin_archive",
                        lambda ctx, version, where, sleep: unpacked.append((version, where)))
    ctx = scripted(make_ctx(mirror_profile="daocloud"))
    ctx.runner.on("helm", "plugin", "list", stdout="NAME\tVERSION\tDESCRIPTION\n", times=1)

    prereqs.STEP.run(ctx)

    assert unpacked == [("v3.11.0", ctx.paths.helm_plugins)]
    assert not ctx.runner.calls("plugin", "install")


def test_a_stale_copy_of_our_own_is_replaced_but_a_users_tool_never_is(make_ctx, system, installs):
    system("docker", "kubectl", "helm", "helmfile", "git")
    ctx = scripted(make_ctx())
    ctx.paths.bin_dir.mkdir(parents=True)
    (ctx.paths.bin_dir / "kind").write_text("#!/bin/sh\n")
    (ctx.paths.bin_dir / "kind").chmod(0o755)
    (ctx.paths.bin_dir / "versions.json").write_text(json.dumps({"kind": "v0.29.0", "kubectl": "v1.30.0"}))

    assert prereqs.STEP.probe(ctx) == f"kind in {ctx.paths.bin_dir} is not the pinned v0.30.0"
    prereqs.STEP.run(ctx)

    assert installs == [("kind", "v0.30.0")]  # kubectl's record is stale, but PATH finds the user's own


def test_probe_is_quiet_when_everything_is_in_place(make_ctx, system):
    system(*ALL)
    ctx = make_ctx()
    assert prereqs.STEP.probe(ctx) == "helm-diff plugin missing"
    plugin = ctx.paths.helm_plugins / "helm-diff"
    plugin.mkdir(parents=True)
    (plugin / "plugin.yaml").write_text('name: "diff"\nversion: "3.11.0"\n')

    assert prereqs.STEP.probe(ctx) is None
    assert ctx.runner.history == []  # the probe runs no command


def test_probe_names_the_missing_tool(make_ctx, system):
    system("docker", "kind", "kubectl", "helmfile", "git")
    assert prereqs.STEP.probe(make_ctx()) == "helm not found"


def test_inputs_follow_the_pins_and_the_tools_this_target_needs(make_ctx):
    kind_cluster = prereqs.STEP.inputs(make_ctx())
    assert kind_cluster["tools"] == ["docker", "kind", "kubectl", "helm", "helmfile", "git"]
    assert kind_cluster["pins"]["kind"] == "v0.30.0"
    assert prereqs.STEP.inputs(make_ctx(kind_version="v0.31.0"))["pins"]["kind"] == "v0.31.0"
    existing = prereqs.STEP.inputs(make_ctx(kube_context="prod-like"))
    assert "kind" not in existing["tools"] and "kind" not in existing["pins"]


@pytest.mark.parametrize("helm, diff, helmfile, expected", [
    ("v3.17.3", "v3.11.0", "1.1.3", []),
    ("v3.17.3", "v3.13.0", "1.1.3", ["needs helm >= v3.18"]),
    ("v4.0.1", "v3.11.0", "1.3.2", ["does not work with helm v4.0.1"]),
    ("v3.18.4", "v3.12.5", "1.1.3", ["panics on some helm builds"]),
    ("", "v3.11.0", "", []),
])
def test_known_bad_version_pairs(helm, diff, helmfile, expected):
    problems = helm_diff.known_bad(helm, diff, helmfile)
    assert len(problems) == len(expected)
    for problem, phrase in zip(problems, expected):
        assert phrase in problem


def test_fresh_machine_installs_kind_from_a_local_server_with_checksum_verified(make_ctx, system, monkeypatch):
    """The real installer end to end: kind is missing, download_base serves it."""
    monkeypatch.setattr(releases, "host_platform", lambda: ("linux", "amd64"))
    system("docker", "kubectl", "helm", "helmfile", "git")
    server = ReleaseServer()
    try:
        path = server.add_kind("v9.9.9", b"#!/bin/sh\necho kind v9.9.9\n")
        ctx = scripted(make_ctx(download_base=server.url, kind_version="v9.9.9"))
        ctx.runner.on("kind", "version", stdout="kind v9.9.9 go1.24 linux/amd64\n")

        prereqs.Prereqs(sleep=lambda s: None).run(ctx)
    finally:
        server.close()

    assert server.requests[:2] == [path, path + ".sha256sum"]
    assert (ctx.paths.bin_dir / "kind").read_bytes().startswith(b"#!/bin/sh")
    assert "v9.9.9" in output(ctx)


def test_dry_run_prints_the_installs_and_writes_nothing(make_ctx, system, monkeypatch):
    monkeypatch.setattr(releases, "host_platform", lambda: ("linux", "amd64"))
    system("docker", "git")
    ctx = make_ctx(dry_run=True)
    lines = []
    ctx.runner.echo = lines.append

    prereqs.STEP.run(ctx)

    script = "\n".join(lines)
    assert "https://dl.k8s.io/release/v1.34.1/bin/linux/amd64/kubectl" in script
    assert "https://get.helm.sh/helm-v3.17.3-linux-amd64.tar.gz" in script
    assert "plugin install https://github.com/databus23/helm-diff --version v3.11.0" in script
    assert not ctx.paths.home.exists()
