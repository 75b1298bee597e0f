"""The installer against a local HTTP server laid out like the real release hosts."""

from __future__ import annotations

import pytest
from support.release_server import ReleaseServer, sha256, tarball

from llmd_sim import installer, releases
from llmd_sim.errors import StepError

KIND = b"#!/bin/sh\necho kind v9.9.9\n"


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(releases, "host_platform", lambda: ("linux", "amd64"))
    srv = ReleaseServer()
    yield srv
    srv.close()


def serve_kind(server, body=KIND, published=None):
    return server.add_kind("v9.9.9", body, published=published)


def test_installs_kind_verified_against_its_published_sha256sum(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    path = serve_kind(server)

    installed = installer.install_tool(ctx, "kind", "v9.9.9", sleep=lambda s: None)

    assert installed == ctx.paths.bin_dir / "kind"
    assert installed.read_bytes() == KIND
    assert installed.stat().st_mode & 0o111
    assert server.requests == [path, path + ".sha256sum"]
    assert not list((ctx.paths.cache_dir / "downloads").iterdir())


def test_bad_checksum_aborts_and_deletes_the_download(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    serve_kind(server, published="0" * 64)

    with pytest.raises(StepError, match="checksum mismatch for kind v9.9.9") as caught:
        installer.install_tool(ctx, "kind", "v9.9.9", sleep=lambda s: None)

    assert any("0" * 64 in line for line in caught.value.details)
    assert not (ctx.paths.bin_dir / "kind").exists()
    assert not list((ctx.paths.cache_dir / "downloads").iterdir())


def test_pinned_checksum_wins_over_the_one_served_beside_the_file(server, make_ctx, monkeypatch):
    """A tampered mirror serves a binary and a checksum that agree; the shipped pin catches it."""
    monkeypatch.setitem(releases.PINNED_SHA256, ("kind", "v9.9.9", "linux", "amd64"), "a" * 64)
    ctx = make_ctx(download_base=server.url)
    path = serve_kind(server)

    with pytest.raises(StepError, match="checksum mismatch"):
        installer.install_tool(ctx, "kind", "v9.9.9", sleep=lambda s: None)
    assert server.requests == [path]  # the served checksum is not even asked for


def test_missing_asset_is_a_clear_error_naming_the_url(server, make_ctx):
    ctx = make_ctx(download_base=server.url)

    with pytest.raises(StepError, match=r"HTTP 404 from http://127\.0\.0\.1:\d+/kubernetes-sigs/kind/"):
        installer.install_tool(ctx, "kind", "v9.9.9", sleep=lambda s: None)
    assert not (ctx.paths.bin_dir / "kind").exists()


def test_checksum_file_without_the_asset_refuses_to_install(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    path = serve_kind(server)
    server.files[path + ".sha256sum"] = f"{sha256(KIND)}  kind-darwin-arm64\n".encode()

    with pytest.raises(StepError, match="does not list kind-linux-amd64"):
        installer.install_tool(ctx, "kind", "v9.9.9", sleep=lambda s: None)
    assert not (ctx.paths.bin_dir / "kind").exists()


def test_transient_server_error_is_retried_without_real_sleep(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    path = serve_kind(server)
    server.flaky.add(path)
    slept = []

    installer.install_tool(ctx, "kind", "v9.9.9", sleep=slept.append)

    assert server.requests.count(path) == 2
    assert len(slept) == 1
    assert (ctx.paths.bin_dir / "kind").read_bytes() == KIND


def test_helm_binary_is_taken_from_its_platform_dir_in_the_tarball(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    helm = b"#!/bin/sh\necho v9.9.9\n"
    archive = tarball({"linux-amd64/helm": (helm, 0o755), "linux-amd64/LICENSE": (b"text", 0o644)})
    server.files["/helm-v9.9.9-linux-amd64.tar.gz"] = archive
    server.files["/helm-v9.9.9-linux-amd64.tar.gz.sha256sum"] = (
        f"{sha256(archive)}  helm-v9.9.9-linux-amd64.tar.gz".encode())

    installed = installer.install_tool(ctx, "helm", "v9.9.9", sleep=lambda s: None)

    assert installed.read_bytes() == helm
    assert installed.stat().st_mode & 0o111


def test_helmfile_is_verified_against_the_release_checksums_txt(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    binary = b"helmfile"
    archive = tarball({"LICENSE": (b"l", 0o644), "helmfile": (binary, 0o755)})
    base = "/helmfile/helmfile/releases/download/v9.9.9"
    server.files[f"{base}/helmfile_9.9.9_linux_amd64.tar.gz"] = archive
    server.files[f"{base}/helmfile_9.9.9_checksums.txt"] = (
        f"{'b' * 64}  helmfile_9.9.9_darwin_arm64.tar.gz\n{sha256(archive)}  helmfile_9.9.9_linux_amd64.tar.gz\n"
    ).encode()

    assert installer.install_tool(ctx, "helmfile", "v9.9.9", sleep=lambda s: None).read_bytes() == binary


def test_kubectl_bare_sha256_file(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    server.files["/release/v9.9.9/bin/linux/amd64/kubectl"] = b"kubectl"
    server.files["/release/v9.9.9/bin/linux/amd64/kubectl.sha256"] = sha256(b"kubectl").encode()

    assert installer.install_tool(ctx, "kubectl", "v9.9.9", sleep=lambda s: None).read_bytes() == b"kubectl"


def test_helm_diff_archive_unpacks_the_plugin_dir(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    archive = tarball({"diff/plugin.yaml": (b"name: diff\n", 0o644), "diff/bin/diff": (b"bin", 0o755)})
    server.files["/databus23/helm-diff/releases/download/v9.9.9/helm-diff-linux-amd64.tgz"] = archive

    target = installer.install_plugin_archive(ctx, "v9.9.9", ctx.paths.helm_plugins, sleep=lambda s: None)

    assert target == ctx.paths.helm_plugins / "diff"
    assert (target / "plugin.yaml").read_text() == "name: diff\n"
    assert (target / "bin" / "diff").stat().st_mode & 0o111


def test_archive_members_escaping_the_target_are_refused(server, make_ctx):
    ctx = make_ctx(download_base=server.url)
    archive = tarball({"diff/../../evil": (b"x", 0o755)})
    server.files["/databus23/helm-diff/releases/download/v9.9.9/helm-diff-linux-amd64.tgz"] = archive

    with pytest.raises(StepError, match="outside the target"):
        installer.install_plugin_archive(ctx, "v9.9.9", ctx.paths.helm_plugins, sleep=lambda s: None)
    assert not (ctx.paths.helm_plugins / "diff").exists()


def test_dry_run_prints_the_install_and_touches_nothing(make_ctx, monkeypatch):
    monkeypatch.setattr(releases, "host_platform", lambda: ("darwin", "arm64"))
    ctx = make_ctx(dry_run=True, mirror_profile="daocloud")
    lines = []
    ctx.runner.echo = lines.append

    installer.install_tool(ctx, "kind", "v0.30.0")

    assert any(line.startswith("curl -fsSLo") and "https://files.m.daocloud.io/github.com/kubernetes-sigs/kind/"
               "releases/download/v0.30.0/kind-darwin-arm64" in line for line in lines)
    assert any("ceaf40df1d1551c481fb50e3deb5c3deecad5fd599df5469626b70ddf52a1518" in line for line in lines)
    assert not ctx.paths.home.exists()


def test_download_locations_follow_base_then_mirror_then_upstream():
    url = "https://dl.k8s.io/release/v1.34.1/bin/linux/amd64/kubectl"
    assert releases.through(url) == url
    assert releases.through(url, file_mirror="https://files.m.daocloud.io") == (
        "https://files.m.daocloud.io/dl.k8s.io/release/v1.34.1/bin/linux/amd64/kubectl")
    assert releases.through(url, download_base="http://10.0.0.1:8080/", file_mirror="https://x") == (
        "http://10.0.0.1:8080/release/v1.34.1/bin/linux/amd64/kubectl")


def test_checksum_file_formats():
    digest = "c" * 64
    assert releases.checksum_from(f"{digest}\n", None) == digest
    assert releases.checksum_from(f"{'d' * 64}  other\n{digest} *kind-linux-amd64\n", "kind-linux-amd64") == digest
    assert releases.checksum_from("not a checksum", None) is None


def test_pinned_helm_sri_values_decode_to_the_hex_published_elsewhere():
    """rules_helm publishes SRI values; public Dockerfiles pin the same tarballs in hex."""
    linux_amd64 = releases.asset("helm", "v3.17.3", "linux", "amd64")
    linux_arm64 = releases.asset("helm", "v3.17.3", "linux", "arm64")
    assert linux_amd64.pinned_sha256 == "ee88b3c851ae6466a3de507f7be73fe94d54cbf2987cbaa3d1a3832ea331f2cd"
    assert linux_arm64.pinned_sha256 == "7944e3defd386c76fd92d9e6fec5c2d65a323f6fadc19bfb5e704e3eee10348e"
