"""Where each tool's release lives: asset URLs, the checksum each project publishes beside it, and
the sha256 of the pinned releases that could be established from public sources.

A checksum fetched from the same server as the download only catches corruption; the pinned
sha256 values shipped here also catch a tampered mirror, so they win when they exist.
"""

from __future__ import annotations

import base64
import binascii
import platform
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmd_sim.errors import StepError

# Tools llmd-sim can install into its managed bin dir (docker and git come from the system).
INSTALLABLE = ("kind", "kubectl", "helm", "helmfile")

# sha256 of pinned release assets, keyed (tool, version, os, arch). Values are copied verbatim
# from the sources named; an "sha256-<base64>" value is the SRI form its source published.
PINNED_SHA256: dict[tuple[str, str, str, str], str] = {
    # kind v0.30.0 binaries: cert-manager/makefile-modules modules/tools/00_mod.mk, the revision
    # that pins kind=v0.30.0 and kubectl=v1.34.1 (kind_<os>_<arch>_SHA256SUM); the linux values
    # also appear in several public install scripts.
    ("kind", "v0.30.0", "linux", "amd64"): "517ab7fc89ddeed5fa65abf71530d90648d9638ef0c4cde22c2c11f8097b8889",
    ("kind", "v0.30.0", "linux", "arm64"): "7ea2de9d2d190022ed4a8a4e3ac0636c8a455e460b9a13ccf19f15d07f4f00eb",
    ("kind", "v0.30.0", "darwin", "amd64"): "4f0b6e3b88bdc66d922c08469f05ef507d4903dd236e6319199bb9c868eed274",
    ("kind", "v0.30.0", "darwin", "arm64"): "ceaf40df1d1551c481fb50e3deb5c3deecad5fd599df5469626b70ddf52a1518",
    # kubectl v1.34.1 binaries: the same makefile-modules revision (kubectl_<os>_<arch>_SHA256SUM);
    # the linux values also in kubespray roles/kubespray_defaults/vars/main/checksums.yml.
    ("kubectl", "v1.34.1", "linux", "amd64"): "7721f265e18709862655affba5343e85e1980639395d5754473dafaadcaa69e3",
    ("kubectl", "v1.34.1", "linux", "arm64"): "420e6110e3ba7ee5a3927b5af868d18df17aae36b720529ffa4e9e945aa95450",
    ("kubectl", "v1.34.1", "darwin", "amd64"): "bb211f2b31f2b3bc60562b44cc1e3b712a16a98e9072968ba255beb04cefcfdf",
    ("kubectl", "v1.34.1", "darwin", "arm64"): "d80e5fa36f2b14005e5bb35d3a72818acb1aea9a081af05340a000e5fbdb2f76",
    # helm v3.17.3 tarballs: abrisco/rules_helm helm/private/versions.bzl (HELM_VERSIONS["3.17.3"],
    # SRI form); the linux ones match the hex values in several public Dockerfiles.
    ("helm", "v3.17.3", "linux", "amd64"): "sha256-7oizyFGuZGaj3lB/e+c/6U1Uy/KYfLqj0aODLqMx8s0=",
    ("helm", "v3.17.3", "linux", "arm64"): "sha256-eUTj3v04bHb9ktnm/sXC1loyP2+twZv7XnBOPu4QNI4=",
    ("helm", "v3.17.3", "darwin", "amd64"): "sha256-IO+N9GcTSab8VWpiG+EXDdcJxsDPX36Dotn7BRX9l/w=",
    ("helm", "v3.17.3", "darwin", "arm64"): "sha256-ia7EPOB7BiOfG7pKZQcja7SK5Ie8UGWo4lTTzlihaZc=",
    # helmfile v1.1.3 linux/amd64 tarball: a public Dockerfile pinning HELMFILE_CHECKSUM for
    # helmfile_1.1.3_linux_amd64.tar.gz. The other platforms are verified against
    # helmfile_1.1.3_checksums.txt only (no independent public source found).
    ("helmfile", "v1.1.3", "linux", "amd64"): "80733cd836f8b0d5b2271bf7b4a25b86abf80c4e5890b8ff2635d7a529a6df1b",
}


@dataclass(frozen=True)
class Asset:
    """One release download: the file, how its published checksum is found, and what to keep."""

    tool: str
    version: str
    os: str
    arch: str
    url: str
    # The published checksum file, and the file name to look up in it (None: the file holds
    # only the hash, as dl.k8s.io's `.sha256` does).
    checksum_url: str | None
    checksum_entry: str | None
    # Path of the wanted file inside a tarball; None when the download is the binary itself.
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.tool} {self.version} ({self.os}/{self.arch})"

    @property
    def pinned_sha256(self) -> str | None:
        value = PINNED_SHA256.get((self.tool, self.version, self.os, self.arch))
        return to_hex(value) if value else None


def host_platform() -> tuple[str, str]:
    """(os, arch) in the release naming every tool here uses: linux|darwin, amd64|arm64."""
    system = platform.system().lower()
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if system not in ("linux", "darwin") or arch is None:
        raise StepError(
            f"no prebuilt tools for {system}/{machine}",
            hint="install kind, kubectl, helm and helmfile yourself and put them on PATH",
        )
    return system, arch


def asset(tool: str, version: str, os_name: str, arch: str) -> Asset:
    """The release asset of `tool` at `version` for one platform, at its upstream address."""
    bare = version.removeprefix("v")
    if tool == "kind":
        name = f"kind-{os_name}-{arch}"
        base = f"https://github.com/kubernetes-sigs/kind/releases/download/{version}"
        return Asset(tool, version, os_name, arch, f"{base}/{name}", f"{base}/{name}.sha256sum", name)
    if tool == "kubectl":
        url = f"https://dl.k8s.io/release/{version}/bin/{os_name}/{arch}/kubectl"
        return Asset(tool, version, os_name, arch, url, f"{url}.sha256", None)
    if tool == "helm":
        name = f"helm-{version}-{os_name}-{arch}.tar.gz"
        url = f"https://get.helm.sh/{name}"
        return Asset(tool, version, os_name, arch, url, f"{url}.sha256sum", name, f"{os_name}-{arch}/helm")
    if tool == "helmfile":
        name = f"helmfile_{bare}_{os_name}_{arch}.tar.gz"
        base = f"https://github.com/helmfile/helmfile/releases/download/v{bare}"
        return Asset(tool, version, os_name, arch, f"{base}/{name}", f"{base}/helmfile_{bare}_checksums.txt",
                     name, "helmfile")
    if tool == "helm-diff":
        # helm-diff names macOS "macos"; the tarball holds the whole plugin under diff/.
        # No checksum file is published for the versions the guide pins (databus23/helm-diff #422).
        plugin_os = "macos" if os_name == "darwin" else os_name
        url = f"https://github.com/databus23/helm-diff/releases/download/v{bare}/helm-diff-{plugin_os}-{arch}.tgz"
        return Asset(tool, version, os_name, arch, url, None, None, "diff")
    raise ValueError(f"unknown tool {tool!r}")


def through(url: str, *, download_base: str = "", file_mirror: str = "") -> str:
    """Where to fetch `url` from: `download_base` replaces the host (an offline server or a private
    mirror laid out like the upstream paths); a file mirror is prefixed, keeping the original host
    in the path (`https://files.m.daocloud.io/github.com/...`)."""
    parts = urlsplit(url)
    if download_base:
        return f"{download_base.rstrip('/')}{parts.path}"
    if file_mirror:
        return f"{file_mirror.rstrip('/')}/{parts.netloc}{parts.path}"
    return url


def checksum_from(text: str, entry: str | None) -> str | None:
    """The sha256 in a published checksum file: the lone hash of a `.sha256` file, or the line
    naming `entry` in a `sha256sum`-style list. None when the file does not have it."""
    for line in text.splitlines():
        fields = line.split()
        if not fields or not re.fullmatch(r"[0-9a-fA-F]{64}", fields[0]):
            continue
        if entry is None or (len(fields) > 1 and fields[-1].lstrip("*").split("/")[-1] == entry):
            return fields[0].lower()
    return None


def to_hex(value: str) -> str:
    """A sha256 as lowercase hex, from hex or from the SRI form `sha256-<base64>`."""
    if value.startswith("sha256-"):
        try:
            return base64.b64decode(value.removeprefix("sha256-"), validate=True).hex()
        except binascii.Error:
            raise ValueError(f"not an SRI sha256: {value!r}") from None
    return value.lower()
