"""The cluster's controllers, run at the start of every fake call that looks at a cluster.

- istiod, once deployed, owns the `istio` GatewayClass (when the Gateway API CRDs are there) and
  makes a Deployment and a Service `<gateway>-istio` for each Gateway of that class (the gateway
  pod runs `<hub>/proxyv2:<tag>` from istiod's values).
- kubelet: images pulled for a pod that started are on its node from then on (so a later
  `kind load` finds them present).
"""

from __future__ import annotations

from fakeworld import images, kube, podstatus, status, workloads

GATEWAY_GROUP = "gateway.networking.k8s.io"


def reconcile(state: dict, cluster: dict, knob: dict, now: float) -> None:
    _istio(state, cluster, knob, now)
    _kubelet(state, cluster, knob, now)


def _istio(state: dict, cluster: dict, knob: dict, now: float) -> None:
    control = status.istio(state, cluster, knob, now)
    if not control["present"]:
        return
    if kube.mapping(cluster, f"{GATEWAY_GROUP}/v1", "GatewayClass", now) and not kube.find(
            cluster, GATEWAY_GROUP, "GatewayClass", "", "istio"):
        kube.put(cluster, {"apiVersion": f"{GATEWAY_GROUP}/v1", "kind": "GatewayClass", "metadata": {"name": "istio"},
                           "spec": {"controllerName": "istio.io/gateway-controller",
                                    "description": "The default Istio GatewayClass"}}, now)
    for gateway in kube.objects(cluster, GATEWAY_GROUP, "Gateway"):
        if gateway["spec"].get("gatewayClassName") != "istio":
            continue
        name, namespace = gateway["metadata"]["name"], gateway["metadata"]["namespace"]
        if kube.find(cluster, "apps", "Deployment", namespace, f"{name}-istio"):
            continue
        labels = {"gateway.networking.k8s.io/gateway-name": name, "istio.io/gateway-name": name}
        proxy = workloads.container("istio-proxy", f"{control['hub']}/proxyv2:{control['tag']}", "IfNotPresent",
                                    ports=[{"containerPort": 15021, "name": "status-port"},
                                           {"containerPort": 80, "name": "http"}])
        deploy = workloads.deployment(f"{name}-istio", namespace, labels, 1, [proxy])
        deploy["metadata"]["ownerReferences"] = [kube.owner_ref(gateway)]
        workloads.apply_deployment(state, cluster, deploy, now)
        service = workloads.service(f"{name}-istio", namespace, labels,
                                    [{"name": "status-port", "port": 15021, "protocol": "TCP", "targetPort": 15021},
                                     {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80}])
        service["metadata"]["ownerReferences"] = [kube.owner_ref(gateway)]
        kube.put(cluster, service, now)


def _kubelet(state: dict, cluster: dict, knob: dict, now: float) -> None:
    nodes = {node["name"]: node for node in cluster["nodes"]}
    for pod in kube.objects(cluster, "", "Pod"):
        node = nodes.get(pod["spec"].get("nodeName", ""))
        if node is None:
            continue
        missing = [c for c in [*pod["spec"].get("initContainers", []), *pod["spec"].get("containers", [])]
                   if images.canonical(c["image"]) not in node["images"]]
        if not missing:
            continue
        result = podstatus.evaluate(state, cluster, pod, knob, now)
        if result["status"].get("phase") == "Running":
            node["images"].update(result["downloads"])
