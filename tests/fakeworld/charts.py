"""The charts the guide installs, as models: where each comes from, its defaults, and what it renders.

- llm-d-infra (llm-d-incubation repo): the Gateway `<release>-inference-gateway` (class from values).
- inferencepool (oci registry.k8s.io/gateway-api-inference-extension/charts): the InferencePool
  `<release>` (apiVersion from values), the EPP Deployment/Service `<release>-epp`, a ServiceMonitor
  when inferenceExtension.monitoring.prometheus.enabled, a DestinationRule when provider.name=istio.
- llm-d-modelservice: decode/prefill Deployments `<release>-llm-d-modelservice-{decode,prefill}` with
  the values' containers (sim image, env), the routing sidecar (routing.proxy.image, native sidecar)
  in decode pods, PodMonitors when {decode,prefill}.monitoring.podmonitor.enabled.
- istio base (CRDs) and istiod (Deployment `istiod` running <hub>/pilot:<tag>).
"""

from __future__ import annotations

import copy
import re

from fakeworld import crds, workloads

REPOS = {"https://llm-d-incubation.github.io/llm-d-infra/": {"llm-d-infra"},
         "https://llm-d-incubation.github.io/llm-d-modelservice/": {"llm-d-modelservice"},
         "https://istio-release.storage.googleapis.com/charts": {"base", "istiod"}}
OCI = {"gateway-api-inference-extension/charts/inferencepool": ("registry.k8s.io", "inferencepool"),
       "istio-testing/charts/base": ("gcr.io", "base"), "istio-testing/charts/istiod": ("gcr.io", "istiod")}
VERSIONS = {"llm-d-infra": r"v1\.[3-4]\.\d+", "llm-d-modelservice": r"v0\.[2-4]\.\d+",
            "inferencepool": r"v1\.\d+\.\d+(-rc\.\d+)?|v0\.5\.\d+", "base": r"1\.2[6-9](\.\d+|-alpha\.[0-9a-f]{40})",
            "istiod": r"1\.2[6-9](\.\d+|-alpha\.[0-9a-f]{40})"}


def merge(base: dict, extra: dict) -> dict:
    """Helm's values merge: maps merge deeply, anything else replaces; null deletes."""
    result = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def defaults(chart: str, version: str) -> dict:
    if chart == "llm-d-infra":
        return {"gateway": {"create": True, "gatewayClassName": "istio", "service": {"type": "ClusterIP"}}}
    if chart == "inferencepool":
        return {"inferenceExtension": {"replicas": 1, "extProcPort": 9002,
                                       "image": {"hub": "registry.k8s.io/gateway-api-inference-extension", "name": "epp",
                                                 "tag": version, "pullPolicy": "Always"},
                                       "monitoring": {"prometheus": {"enabled": False}}},
                "inferencePool": {"apiVersion": "inference.networking.k8s.io/v1", "targetPortNumber": 8000,
                                  "modelServers": {"matchLabels": {}}},
                "provider": {"name": "none"}}
    if chart == "llm-d-modelservice":
        role = {"create": True, "replicas": 1, "containers": [], "monitoring": {"podmonitor": {"enabled": False}}}
        return {"modelArtifacts": {"name": "", "uri": ""},
                "routing": {"servicePort": 8000, "proxy": {"image": "ghcr.io/llm-d/llm-d-routing-sidecar:v0.2.0",
                                                           "imagePullPolicy": "Always", "targetPort": 8000}},
                "decode": dict(role), "prefill": {**role, "create": False, "replicas": 0}}
    if chart == "istiod":
        alpha = "alpha" in version
        return {"hub": "gcr.io/istio-testing" if alpha else "docker.io/istio", "tag": version,
                "pilot": {"env": {}}, "meshConfig": {}}
    return {}


def render(chart: str, release: str, namespace: str, values: dict) -> list[dict]:
    """The objects the chart renders for these values (each tagged with its namespace)."""
    return {"llm-d-infra": _infra, "inferencepool": _inferencepool, "llm-d-modelservice": _modelservice,
            "base": _istio_base, "istiod": _istiod}[chart](release, namespace, values)


def app_version(chart: str, version: str) -> str:
    return {"llm-d-infra": "v0.3.0", "llm-d-modelservice": "v0.2.0"}.get(chart, version)


def _meta(name: str, namespace: str, release: str, labels: dict | None = None) -> dict:
    return {"name": name, "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": release, **(labels or {})},
            "annotations": {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace}}


def _infra(release: str, namespace: str, values: dict) -> list[dict]:
    gateway = values.get("gateway", {})
    if not gateway.get("create", True):
        return []
    return [{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
             "metadata": _meta(f"{release}-inference-gateway", namespace, release),
             "spec": {"gatewayClassName": gateway.get("gatewayClassName", "istio"),
                      "listeners": [{"name": "default", "port": 80, "protocol": "HTTP",
                                     "allowedRoutes": {"namespaces": {"from": "All"}}}]}}]


def _inferencepool(release: str, namespace: str, values: dict) -> list[dict]:
    extension, pool = values["inferenceExtension"], values["inferencePool"]
    image = extension["image"]
    labels = {"inferencepool": f"{release}-epp"}
    epp = workloads.container("epp", f"{image['hub']}/{image['name']}:{image['tag']}", image.get("pullPolicy"),
                              ports=[{"containerPort": extension.get("extProcPort", 9002), "name": "grpc"}])
    deploy = workloads.deployment(f"{release}-epp", namespace, labels, int(extension.get("replicas", 1)), [epp])
    service = workloads.service(f"{release}-epp", namespace, labels,
                                [{"name": "grpc-ext-proc", "port": extension.get("extProcPort", 9002), "protocol": "TCP"},
                                 {"name": "http-metrics", "port": 9090, "protocol": "TCP"}])
    match = dict(pool.get("modelServers", {}).get("matchLabels", {}))
    api_version = pool.get("apiVersion", "inference.networking.k8s.io/v1")
    port = pool.get("targetPortNumber") or next((p.get("number") for p in pool.get("targetPorts", [])), 8000)
    spec = ({"targetPortNumber": port, "selector": match, "extensionRef": {"name": f"{release}-epp"}}
            if api_version.endswith("v1alpha2") else
            {"targetPorts": [{"number": port}], "selector": {"matchLabels": match},
             "endpointPickerRef": {"name": f"{release}-epp", "port": {"number": extension.get("extProcPort", 9002)}}})
    objects = [deploy, service, {"apiVersion": api_version, "kind": "InferencePool",
                                 "metadata": _meta(release, namespace, release), "spec": spec}]
    if extension.get("monitoring", {}).get("prometheus", {}).get("enabled"):
        objects.append({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
                        "metadata": _meta(f"{release}-epp", namespace, release),
                        "spec": {"selector": {"matchLabels": labels}, "endpoints": [{"port": "http-metrics"}]}})
    provider = values.get("provider", {})
    if provider.get("name") == "istio":
        rule = {**values.get("istio", {}).get("destinationRule", {}), **provider.get("istio", {}).get("destinationRule", {})}
        objects.append({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                        "metadata": _meta(f"{release}-epp", namespace, release),
                        "spec": {"host": rule.get("host", f"{release}-epp.{namespace}.svc.cluster.local"),
                                 "trafficPolicy": rule.get("trafficPolicy", {"tls": {"mode": "SIMPLE",
                                                                                     "insecureSkipVerify": True}})}})
    return objects


def _modelservice(release: str, namespace: str, values: dict) -> list[dict]:
    model = values.get("modelArtifacts", {}).get("name", "")
    proxy = values.get("routing", {}).get("proxy", {})
    objects = []
    for role in ("decode", "prefill"):
        spec = values.get(role, {})
        if not spec.get("create", True) or int(spec.get("replicas", 0)) < 1:
            continue
        labels = {"llm-d.ai/inferenceServing": "true", "llm-d.ai/model": re.sub(r"[^\w.-]", "-", model) or release,
                  "llm-d.ai/role": role, **values.get("modelArtifacts", {}).get("labels", {})}
        containers = [workloads.container(c.get("name", "vllm"), c["image"], c.get("imagePullPolicy"), c.get("env"),
                                          c.get("ports")) for c in spec.get("containers", [])]
        sidecars = []
        if role == "decode":
            sidecars = [workloads.container("routing-proxy", proxy["image"], proxy.get("imagePullPolicy", "Always"),
                                            restartPolicy="Always")]
        deploy = workloads.deployment(f"{release}-llm-d-modelservice-{role}", namespace, labels,
                                      int(spec["replicas"]), containers, sidecars)
        deploy["_model"] = model
        objects.append(deploy)
        if spec.get("monitoring", {}).get("podmonitor", {}).get("enabled"):
            objects.append({"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
                            "metadata": _meta(f"{release}-llm-d-modelservice-{role}", namespace, release),
                            "spec": {"selector": {"matchLabels": labels},
                                     "podMetricsEndpoints": [{"port": spec["monitoring"]["podmonitor"].get("portName",
                                                                                                           "metrics")}]}})
    return objects


def _istio_base(release: str, namespace: str, values: dict) -> list[dict]:
    return crds.bundle(crds.ISTIO, f"istio-{release}")


def _istiod(release: str, namespace: str, values: dict) -> list[dict]:
    labels = {"app": "istiod", "istio": "pilot"}
    pilot = workloads.container("discovery", f"{values['hub']}/pilot:{values['tag']}", "IfNotPresent",
                                env=[{"name": k, "value": str(v)} for k, v in values.get("pilot", {}).get("env", {}).items()])
    deploy = workloads.deployment("istiod", namespace, labels, 1, [pilot])
    deploy["_istio"] = {"hub": values["hub"], "tag": values["tag"], "env": values.get("pilot", {}).get("env", {})}
    service = workloads.service("istiod", namespace, labels, [{"name": "grpc-xds", "port": 15010},
                                                             {"name": "https-dns", "port": 15012},
                                                             {"name": "https-webhook", "port": 443}])
    return [deploy, service]
