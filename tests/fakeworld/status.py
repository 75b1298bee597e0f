"""Object statuses computed from the world and the clock (nothing here is stored).

Gateway and HTTPRoute statuses are Istio's: set only once istiod runs. A Gateway of class `istio`
is Accepted then, and Programmed once the gateway Deployment Istio made for it is ready. An
HTTPRoute's parent gets Accepted (its Gateway exists) and ResolvedRefs (its InferencePool exists,
of a group this Istio supports: the 1.28 alpha builds serve inference.networking.x-k8s.io v1alpha2
pools, later builds only inference.networking.k8s.io v1).
"""

from __future__ import annotations

import re

from fakeworld import kube, podstatus, world, workloads


def view(state: dict, cluster: dict, obj: dict, knob: dict, now: float) -> dict:
    """The object as `kubectl get -o json` shows it, status included."""
    shown = kube.public(obj)
    compute = {"Pod": pod_status, "Deployment": deployment_status, "CustomResourceDefinition": crd_status,
               "Node": node_status, "Namespace": lambda *a: {"phase": "Active"}, "Gateway": gateway_status,
               "HTTPRoute": route_status, "Service": lambda *a: {"loadBalancer": {}}}.get(obj["kind"])
    if compute and (obj["kind"] not in ("Gateway", "HTTPRoute") or kube.group_of(obj) == "gateway.networking.k8s.io"):
        shown["status"] = compute(state, cluster, obj, knob, now)
    return shown


def pod_status(state, cluster, pod, knob, now) -> dict:
    return podstatus.evaluate(state, cluster, pod, knob, now)["status"]


def is_true(status: dict, kind: str) -> bool:
    return any(c["type"] == kind and c["status"] == "True" for c in status.get("conditions", []))


def pod_ready(state, cluster, pod, knob, now) -> bool:
    return is_true(pod_status(state, cluster, pod, knob, now), "Ready")


def deployment_status(state, cluster, deploy, knob, now) -> dict:
    pods = workloads.owned_pods(cluster, deploy)
    ready = sum(1 for pod in pods if pod_ready(state, cluster, pod, knob, now))
    wanted = deploy["spec"].get("replicas", 1)
    available = ready >= wanted - int(wanted * 0.25)
    return {"observedGeneration": deploy["metadata"].get("generation", 1), "replicas": len(pods),
            "readyReplicas": ready, "availableReplicas": ready, "updatedReplicas": len(pods),
            "conditions": [
                {"type": "Available", "status": "True" if available else "False",
                 "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                 "message": "Deployment has minimum availability." if available else
                 "Deployment does not have minimum availability."},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable" if available
                 else "ReplicaSetUpdated", "message": f'ReplicaSet "{deploy["metadata"]["name"]}" is progressing.'}]}


def crd_status(state, cluster, crd, knob, now) -> dict:
    established = crd["_fake"].get("established_at", 0) <= now
    return {"acceptedNames": crd["spec"]["names"], "storedVersions": [crd["spec"]["versions"][0]["name"]],
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"},
                {"type": "Established", "status": "True" if established else "False",
                 "reason": "InitialNamesAccepted" if established else "Installing",
                 "message": "the initial names have been accepted" if established else "the resource is being installed"}]}


def node_status(state, cluster, node_obj, knob, now) -> dict:
    node = next(n for n in cluster["nodes"] if n["name"] == node_obj["metadata"]["name"])
    ready = node["ready_at"] <= now
    return {"conditions": [{"type": "Ready", "status": "True" if ready else "False",
                            "reason": "KubeletReady" if ready else "KubeletNotReady",
                            "message": "kubelet is posting ready status" if ready else
                            "container runtime network not ready: NetworkReady=false"}],
            "nodeInfo": {"kubeletVersion": cluster["node_image"].rsplit(":", 1)[-1],
                         "containerRuntimeVersion": "containerd://1.7.18"},
            "images": [{"names": [name]} for name in sorted(node["images"])]}


def istio(state: dict, cluster: dict, knob: dict, now: float) -> dict:
    """Istio's control plane as the gateway controller: present, ready, and what it supports."""
    istiod = kube.find(cluster, "apps", "Deployment", "istio-system", "istiod")
    if istiod is None:
        return {"present": False, "ready": False}
    info = istiod["_fake"].get("istio", {})
    ready = is_true(deployment_status(state, cluster, istiod, knob, now), "Available")
    tag = str(info.get("tag", ""))
    release = re.match(r"(\d+)\.(\d+)", tag)
    alpha = tag.startswith("1.28-alpha") or bool(release and (int(release[1]), int(release[2])) < (1, 28))
    env = info.get("env", {})
    flag = "SUPPORT_GATEWAY_API_INFERENCE_EXTENSION" if alpha else "ENABLE_GATEWAY_API_INFERENCE_EXTENSION"
    enabled = str(env.get(flag, "")).lower() == "true"
    pool_group = "inference.networking.x-k8s.io" if alpha else "inference.networking.k8s.io"
    return {"present": True, "ready": ready, "hub": info.get("hub", "docker.io/istio"), "tag": tag,
            "pool_group": pool_group if enabled else None}


def gateway_status(state, cluster, gateway, knob, now) -> dict:
    control = istio(state, cluster, knob, now)
    if gateway["spec"].get("gatewayClassName") != "istio" or not control["ready"]:
        waiting = {"status": "Unknown", "reason": "Pending", "message": "Waiting for controller"}
        return {"conditions": [{"type": "Accepted", **waiting}, {"type": "Programmed", **waiting}]}
    name, namespace = gateway["metadata"]["name"], gateway["metadata"]["namespace"]
    deploy = kube.find(cluster, "apps", "Deployment", namespace, f"{name}-istio")
    programmed = bool(deploy) and is_true(deployment_status(state, cluster, deploy, knob, now), "Available")
    service = f"{name}-istio.{namespace}.svc.cluster.local"
    return {"addresses": [{"type": "Hostname", "value": service}],
            "conditions": [
                {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Resource accepted"},
                {"type": "Programmed", "status": "True" if programmed else "False",
                 "reason": "Programmed" if programmed else "NoResources",
                 "message": f"Resource programmed, assigned to service(s) {service}:80" if programmed else
                 f"Deployment {namespace}/{name}-istio is not ready"}],
            "listeners": [{"name": listener.get("name", "default"), "attachedRoutes": 0,
                           "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]}
                          for listener in gateway["spec"].get("listeners", [])]}


def route_status(state, cluster, route, knob, now) -> dict:
    control = istio(state, cluster, knob, now)
    if not control["ready"]:
        return {"parents": []}
    namespace = route["metadata"]["namespace"]
    parents = []
    for ref in route["spec"].get("parentRefs", []):
        gateway = kube.find(cluster, "gateway.networking.k8s.io", "Gateway", ref.get("namespace", namespace), ref["name"])
        accepted = bool(gateway) and gateway["spec"].get("gatewayClassName") == "istio"
        resolved, reason, message = _backends(cluster, route, control)
        parents.append({"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", **ref},
                        "controllerName": "istio.io/gateway-controller",
                        "conditions": [
                            {"type": "Accepted", "status": "True" if accepted else "False",
                             "reason": "Accepted" if accepted else "NoMatchingParent",
                             "message": "Route was valid" if accepted else f"parent gateway {ref['name']} not found",
                             "lastTransitionTime": world.rfc3339(now)},
                            {"type": "ResolvedRefs", "status": "True" if resolved else "False", "reason": reason,
                             "message": message, "lastTransitionTime": world.rfc3339(now)}]})
    return {"parents": parents}


def _backends(cluster: dict, route: dict, control: dict) -> tuple[bool, str, str]:
    namespace = route["metadata"]["namespace"]
    for rule in route["spec"].get("rules", []):
        for ref in rule.get("backendRefs", []):
            group, kind = ref.get("group", ""), ref.get("kind", "Service")
            if kind == "InferencePool" and group != control["pool_group"]:
                return False, "InvalidKind", f'referencing unsupported backendRef: group "{group}" kind "{kind}"'
            target = kube.find(cluster, group, kind, ref.get("namespace", namespace), ref["name"])
            if target is None:
                return False, "BackendNotFound", f"backend({ref['name']}.{namespace}.svc.cluster.local) not found"
    return True, "ResolvedRefs", "All references resolved"


def events(state: dict, cluster: dict, namespace: str | None, knob: dict, now: float) -> list[dict]:
    """Recent events, oldest first: what kubelet and the scheduler said about the pods."""
    found = []
    for pod in kube.objects(cluster, "", "Pod", namespace):
        found += podstatus.evaluate(state, cluster, pod, knob, now)["events"]
    return sorted(found, key=lambda event: event["lastTimestamp"])
