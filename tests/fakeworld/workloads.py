"""Deployments and their pods, as the deployment controller and the scheduler would make them.

A Deployment owns its pods directly here (no ReplicaSet objects), with the pod-template-hash in
the pod names as usual: `<deployment>-<10 chars>-<5 chars>`. Pods land on the worker nodes
(kind taints the control plane when workers exist), round robin.
"""

from __future__ import annotations

import hashlib
import json

from fakeworld import kube, world


def default_pull_policy(image: str) -> str:
    """Kubernetes' default: Always for `:latest` or untagged images, else IfNotPresent."""
    last = image.rsplit("/", 1)[-1]
    return "Always" if ":" not in last or last.endswith(":latest") else "IfNotPresent"


def container(name: str, image: str, pull_policy: str | None = None, env: list | None = None,
              ports: list | None = None, **extra) -> dict:
    spec = {"name": name, "image": image, "imagePullPolicy": pull_policy or default_pull_policy(image)}
    if env:
        spec["env"] = env
    if ports:
        spec["ports"] = ports
    spec.update(extra)
    return spec


def deployment(name: str, namespace: str, labels: dict, replicas: int, containers: list[dict],
               init_containers: list[dict] | None = None) -> dict:
    template = {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}}
    if init_containers:
        template["spec"]["initContainers"] = init_containers
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "template": template}}


def service(name: str, namespace: str, selector: dict, ports: list[dict], labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or selector)},
            "spec": {"type": "ClusterIP", "clusterIP": _cluster_ip(f"{namespace}/{name}"), "selector": dict(selector),
                     "ports": ports}}


def _cluster_ip(seed: str) -> str:
    digest = int(hashlib.sha1(seed.encode()).hexdigest(), 16)
    return f"10.96.{digest % 250 + 1}.{(digest // 250) % 250 + 2}"


def template_hash(deploy: dict) -> str:
    return kube.short_hash(json.dumps(deploy["spec"]["template"], sort_keys=True), 10)


def reconcile_pods(state: dict, cluster: dict, deploy: dict, now: float) -> None:
    """Give the Deployment `replicas` pods of its current template, replacing pods of an older one."""
    wanted = template_hash(deploy)
    meta = deploy["metadata"]
    pods = owned_pods(cluster, deploy)
    for pod in pods:
        if pod["metadata"]["labels"].get("pod-template-hash") != wanted:
            kube.delete(cluster, pod)
    current = owned_pods(cluster, deploy)
    for pod in current[deploy["spec"]["replicas"]:]:
        kube.delete(cluster, pod)
    for _ in range(deploy["spec"]["replicas"] - len(current)):
        suffix = kube.short_hash(f"{meta['name']}{world.next_seq(state)}", 5)
        template = deploy["spec"]["template"]
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": f"{meta['name']}-{wanted}-{suffix}", "namespace": meta["namespace"],
                            "labels": {**template["metadata"]["labels"], "pod-template-hash": wanted},
                            "ownerReferences": [kube.owner_ref(deploy)]},
               "spec": {**json.loads(json.dumps(template["spec"])), "nodeName": schedule(cluster)}}
        kube.put(cluster, pod, now, owner=meta["name"])


def owned_pods(cluster: dict, owner: dict) -> list[dict]:
    uid = owner["metadata"]["uid"]
    return [pod for pod in kube.objects(cluster, "", "Pod", owner["metadata"]["namespace"])
            if any(ref.get("uid") == uid for ref in pod["metadata"].get("ownerReferences", []))]


def schedule(cluster: dict) -> str:
    """The node for a new pod: workers round robin, the control plane only when alone."""
    workers = [node["name"] for node in cluster["nodes"] if node["role"] == "worker"]
    candidates = workers or [node["name"] for node in cluster["nodes"]]
    cluster["scheduled"] = cluster.get("scheduled", 0) + 1
    return candidates[cluster["scheduled"] % len(candidates)]


def apply_deployment(state: dict, cluster: dict, deploy: dict, now: float, **fake) -> str:
    """Create or update a Deployment and its pods; returns kube.put's action."""
    action = kube.put(cluster, deploy, now, **fake)
    stored = kube.find(cluster, "apps", "Deployment", deploy["metadata"]["namespace"], deploy["metadata"]["name"])
    reconcile_pods(state, cluster, stored, now)
    return action


def pod_env(pod: dict) -> dict[str, str]:
    """Env var names of the pod's main containers -> their value or downward API field."""
    found = {}
    for spec in pod["spec"].get("containers", []):
        for var in spec.get("env") or []:
            source = var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
            found[var["name"]] = f"fieldRef:{source}" if source else str(var.get("value", ""))
    return found
