"""The one typed Settings object.

Precedence, lowest first: embedded defaults < the YAML file (--config) < environment LLMD_SIM_* < flags.
Every value is parsed and validated before anything touches the machine; `sources` remembers where
each value came from, so an error (and `llmd-sim config`) can point at the exact file line or flag.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from llmd_sim import values

ISTIO_TAG = "1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401"
SEED_IMAGES = [
    "ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.2",
    "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0",
    "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1",
    f"gcr.io/istio-testing/pilot:{ISTIO_TAG}",
    f"gcr.io/istio-testing/proxyv2:{ISTIO_TAG}",
]
MIRROR_PROFILES: dict[str, dict[str, str]] = {
    "none": {},
    # DaoCloud's prefix-replacement mirrors: the path after the host is unchanged.
    "daocloud": {
        "docker.io": "docker.m.daocloud.io",
        "ghcr.io": "ghcr.m.daocloud.io",
        "gcr.io": "gcr.m.daocloud.io",
        "registry.k8s.io": "k8s.m.daocloud.io",
        "quay.io": "quay.m.daocloud.io",
        "k8s.gcr.io": "k8s-gcr.m.daocloud.io",
    },
}
# File downloads (release assets, dl.k8s.io, get.helm.sh) through `<base>/<original host>/<path>`.
FILE_MIRRORS = {"none": "", "daocloud": "https://files.m.daocloud.io"}
MONITORING_MODES = ("auto", "on", "off")


def setting(default: Any, parse: Callable[[Any], Any], help: str) -> Any:
    """Declare one setting: its default, the parser that validates it, and a line of help."""
    meta = {"parse": parse, "help": help}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told; read-only once loaded."""

    cluster_name: str = setting("llmd-sim", values.cluster_name, "kind cluster name (context kind-<name>)")
    namespace: str = setting("llm-d-sim", values.label, "namespace for the llm-d releases")
    kube_context: str = setting("", values.text, "kube-context to use (default: kind-<cluster_name>)")
    llm_d_repo: str = setting("https://github.com/llm-d/llm-d.git", values.text, "llm-d git repository")
    llm_d_ref: str = setting("v0.3.1", values.text, "llm-d tag or branch to use")
    llm_d_dir: str = setting("", values.existing_dir, "an existing llm-d checkout (no clone)")
    release_postfix: str = setting("sim", values.label, "helm release name postfix (RELEASE_NAME_POSTFIX)")
    model: str = setting("random", values.text, "served model name")
    mirror_profile: str = setting("none", values.choice(*MIRROR_PROFILES), "registry mirror profile")
    mirrors: dict = setting({}, values.registry_map, "registry=mirror overrides on top of the profile")
    file_mirror: str = setting("", values.url, "base URL for file downloads (default: the profile's)")
    node_image: str = setting("kindest/node:v1.31.0", values.image, "kind node image")
    images: list = setting(SEED_IMAGES, values.image_list, "images to preload into the cluster")
    extra_images: list = setting([], values.image_list, "more images to preload")
    pull_parallelism: int = setting(6, values.positive_int, "image pulls at once (the seed list is 6)")
    monitoring: str = setting("auto", values.choice(*MONITORING_MODES), "PodMonitor/ServiceMonitor objects")
    gateway_api_version: str = setting("v1.3.0", values.text, "Gateway API CRD release")
    gaie_version: str = setting("v1.0.1", values.text, "Gateway API Inference Extension CRD release")
    kind_config: str = setting("", values.existing_file, "kind config template (default: the embedded one)")
    port_mappings: list = setting(["30080:8000", "30443:8443"], values.port_mappings, "kind CONTAINER:HOST ports")
    install_tools: bool = setting(True, values.boolean, "install missing kind/kubectl/helm/helmfile")
    download_base: str = setting("", values.url, "URL base that replaces the tools' download hosts")
    kind_version: str = setting("v0.30.0", values.text, "kind version to install when missing")
    kubectl_version: str = setting("v1.34.1", values.text, "kubectl version to install when missing")
    helm_version: str = setting("v3.17.3", values.text, "helm version to install when missing")
    helmfile_version: str = setting("v1.1.3", values.text, "helmfile version to install when missing")
    helm_diff_version: str = setting("v3.11.0", values.text, "helm-diff plugin version to install")
    command_timeout: float = setting(600.0, values.seconds, "longest any one command may run")
    wait_timeout: float = setting(600.0, values.seconds, "longest to wait for pods and resources")

    sources: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def context(self) -> str:
        """The kube-context every kubectl/helm/helmfile call names."""
        return self.kube_context or f"kind-{self.cluster_name}"

    @property
    def uses_kind(self) -> bool:
        """True when llmd-sim owns the cluster (a kind cluster it creates and may delete)."""
        return self.context == f"kind-{self.cluster_name}"

    @property
    def registry_mirrors(self) -> dict[str, str]:
        """registry host -> mirror, the profile's map with the user's overrides on top."""
        return {**MIRROR_PROFILES[self.mirror_profile], **self.mirrors}

    @property
    def download_mirror(self) -> str:
        return self.file_mirror or FILE_MIRRORS[self.mirror_profile]

    @property
    def all_images(self) -> list[str]:
        """Every image to have on the host and in the nodes, the node image first, without repeats."""
        return list(dict.fromkeys([self.node_image, *self.images, *self.extra_images]))

    @property
    def gateway_service(self) -> str:
        return f"infra-{self.release_postfix}-inference-gateway-istio"

    def source_of(self, name: str) -> str:
        return self.sources.get(name, "default")


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings) if "parse" in f.metadata)


def help_of(name: str) -> str:
    return next(f.metadata["help"] for f in fields(Settings) if f.name == name)


def parser_of(name: str) -> Callable[[Any], Any]:
    return next(f.metadata["parse"] for f in fields(Settings) if f.name == name)


def env_name(name: str) -> str:
    return f"LLMD_SIM_{name.upper()}"
