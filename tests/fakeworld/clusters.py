"""Kind clusters in the world: creating one (nodes, system pods) and finding one from a kube-context.

A context (`kind-<name>`) points at a cluster; a context that is missing from the kubeconfig, or a
call without a context when no current-context is set, or a cluster whose node containers are
gone (Docker down), each fail the way the client libraries report it.
"""

from __future__ import annotations

import re

from fakeworld import controllers, crds, images, kube, workloads, world

SYSTEM_IMAGES = ["registry.k8s.io/coredns/coredns:v1.11.1", "registry.k8s.io/etcd:3.5.15-0",
                 "registry.k8s.io/kube-apiserver:{v}", "registry.k8s.io/kube-controller-manager:{v}",
                 "registry.k8s.io/kube-scheduler:{v}", "registry.k8s.io/kube-proxy:{v}",
                 "docker.io/kindest/kindnetd:v20240813-c6f155d6",
                 "docker.io/kindest/local-path-provisioner:v20240813-c6f155d6"]


class Unreachable(Exception):
    """No cluster behind the request: `kind` says which way (context_missing, no_context, refused)."""

    def __init__(self, kind: str, context: str, port: int = 0):
        super().__init__(kind)
        self.kind, self.context, self.port = kind, context, port


def new_cluster(state: dict, name: str, nodes: list[tuple[str, str]], node_image: str, containerd: list[dict],
                ports: list[int], knob: dict, now: float) -> dict:
    """A ready cluster; `containerd` is each node's registry config (kindconfig.registry), in node order."""
    version = node_image.rsplit(":", 1)[-1]
    preloaded = {images.canonical(ref.format(v=version)): images.image_id(images.canonical(ref.format(v=version)))
                 for ref in SYSTEM_IMAGES}
    ready_at = now + world.duration(knob, "node ready")
    cluster = {"name": name, "created": now, "node_image": node_image, "ports": ports,
               "api_port": 40000 + sum(name.encode()) % 20000, "objects": {}, "releases": {},
               "nodes": [{"name": node, "role": role, "images": dict(preloaded), "ready_at": ready_at,
                          "containerd": registry}
                         for (node, role), registry in zip(nodes, containerd)]}
    for namespace in ("default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage"):
        kube.ensure_namespace(cluster, namespace, now)
    for node, role in nodes:
        labels = {"kubernetes.io/hostname": node, **({"node-role.kubernetes.io/control-plane": ""}
                                                     if role == "control-plane" else {})}
        kube.put(cluster, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "labels": labels},
                           "spec": {}}, now)
    kube.put(cluster, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "standard"},
                       "provisioner": "rancher.io/local-path"}, now)
    coredns = workloads.container("coredns", SYSTEM_IMAGES[0])
    workloads.apply_deployment(state, cluster, workloads.deployment("coredns", "kube-system", {"k8s-app": "kube-dns"},
                                                                    2, [coredns]), now)
    provisioner = workloads.container("local-path-provisioner", SYSTEM_IMAGES[7])
    workloads.apply_deployment(state, cluster, workloads.deployment(
        "local-path-provisioner", "local-path-storage", {"app": "local-path-provisioner"}, 1, [provisioner]), now)
    if knob["monitoring_crds"]:
        install_crds(cluster, crds.bundle(crds.MONITORING, "prometheus-operator"), now, established=now)
    return cluster


def install_crds(cluster: dict, definitions: list[dict], now: float, established: float) -> list[str]:
    """Create or update CRDs; new ones become Established at `established`. Returns kube.put actions."""
    actions = []
    for definition in definitions:
        existing = kube.find(cluster, kube.CRD_GROUP, kube.CRD_KIND, "", definition["metadata"]["name"])
        when = existing["_fake"].get("established_at", now) if existing else established
        actions.append(kube.put(cluster, definition, now, established_at=when))
    return actions


def context_cluster(state: dict, context: str | None, knob: dict) -> tuple[str, dict]:
    """(context name, cluster) for a call, or Unreachable."""
    kubeconfig = state["kubeconfig"]
    name = context or kubeconfig.get("current", "")
    if not name:
        raise Unreachable("no_context", "")
    entry = kubeconfig["contexts"].get(name)
    if entry is None:
        raise Unreachable("context_missing", name)
    cluster = state["clusters"].get(entry["cluster"])
    if cluster is None or knob["docker_down"]:
        raise Unreachable("refused", name, entry.get("port", 0))
    return name, cluster


def kubectl_message(error: Unreachable) -> str:
    if error.kind == "context_missing":
        return f"error: context was not found for specified context: {error.context}"
    host = "localhost:8080" if error.kind == "no_context" else f"127.0.0.1:{error.port}"
    return f"The connection to the server {host} was refused - did you specify the right host or port?"


def helm_message(error: Unreachable) -> str:
    if error.kind == "context_missing":
        return f'Error: kubernetes cluster unreachable: context "{error.context}" does not exist'
    url = "http://localhost:8080" if error.kind == "no_context" else f"https://127.0.0.1:{error.port}"
    address = "[::1]:8080" if error.kind == "no_context" else f"127.0.0.1:{error.port}"
    return f'Error: kubernetes cluster unreachable: Get "{url}/version": dial tcp {address}: connect: connection refused'


def prepare(state: dict, cluster: dict, knob: dict, now: float) -> None:
    """Let the controllers catch up with the clock before a call looks at the cluster."""
    controllers.reconcile(state, cluster, knob, now)


def add_context(state: dict, name: str, cluster: dict) -> None:
    state["kubeconfig"]["contexts"][f"kind-{name}"] = {"cluster": name, "user": f"kind-{name}",
                                                       "port": cluster["api_port"]}
    state["kubeconfig"]["current"] = f"kind-{name}"


def valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)) and len(name) <= 49
