"""The CRDs of the projects llmd-sim installs, and where kubectl can fetch them from.

Gateway API v1.x standard channel: gatewayclasses, gateways, httproutes, grpcroutes, referencegrants
(experimental adds the alpha routes). Inference Extension (GAIE) v1.x: InferencePool in
inference.networking.k8s.io (v1) and in inference.networking.x-k8s.io (v1alpha2), InferenceObjective;
v0.x had InferencePool v1alpha2 and InferenceModel. Istio's base chart and the Prometheus Operator
bring theirs. Remote sources: the kustomize roots `github.com/kubernetes-sigs/<repo>/config/crd?ref=V`
and the release assets, directly or through a file mirror (`https://files.m.daocloud.io/github.com/...`).
"""

from __future__ import annotations

import re

from fakeworld import images

GATEWAY_GROUP = "gateway.networking.k8s.io"
GAIE_GROUP, GAIE_X_GROUP = "inference.networking.k8s.io", "inference.networking.x-k8s.io"
# (group, plural, kind, namespaced, served versions, short names)
GATEWAY_STANDARD = [
    (GATEWAY_GROUP, "gatewayclasses", "GatewayClass", False, ["v1", "v1beta1"], ["gc"]),
    (GATEWAY_GROUP, "gateways", "Gateway", True, ["v1", "v1beta1"], ["gtw"]),
    (GATEWAY_GROUP, "httproutes", "HTTPRoute", True, ["v1", "v1beta1"], []),
    (GATEWAY_GROUP, "grpcroutes", "GRPCRoute", True, ["v1"], []),
    (GATEWAY_GROUP, "referencegrants", "ReferenceGrant", True, ["v1beta1"], ["refgrant"]),
]
GATEWAY_EXPERIMENTAL = [
    (GATEWAY_GROUP, "tcproutes", "TCPRoute", True, ["v1alpha2"], []),
    (GATEWAY_GROUP, "tlsroutes", "TLSRoute", True, ["v1alpha2"], []),
    (GATEWAY_GROUP, "udproutes", "UDPRoute", True, ["v1alpha2"], []),
    (GATEWAY_GROUP, "backendtlspolicies", "BackendTLSPolicy", True, ["v1alpha3"], ["btlspolicy"]),
]
GAIE_V1 = [
    (GAIE_GROUP, "inferencepools", "InferencePool", True, ["v1"], ["infpool"]),
    (GAIE_X_GROUP, "inferencepools", "InferencePool", True, ["v1alpha2"], ["infpool"]),
    (GAIE_X_GROUP, "inferenceobjectives", "InferenceObjective", True, ["v1alpha2"], []),
]
GAIE_V0 = [
    (GAIE_X_GROUP, "inferencepools", "InferencePool", True, ["v1alpha2"], ["infpool"]),
    (GAIE_X_GROUP, "inferencemodels", "InferenceModel", True, ["v1alpha2"], []),
]
ISTIO = [
    ("networking.istio.io", "destinationrules", "DestinationRule", True, ["v1", "v1beta1", "v1alpha3"], ["dr"]),
    ("networking.istio.io", "virtualservices", "VirtualService", True, ["v1", "v1beta1", "v1alpha3"], ["vs"]),
    ("networking.istio.io", "gateways", "Gateway", True, ["v1", "v1beta1", "v1alpha3"], ["gw"]),
    ("networking.istio.io", "serviceentries", "ServiceEntry", True, ["v1", "v1beta1", "v1alpha3"], ["se"]),
    ("networking.istio.io", "sidecars", "Sidecar", True, ["v1", "v1beta1", "v1alpha3"], []),
    ("networking.istio.io", "envoyfilters", "EnvoyFilter", True, ["v1alpha3"], []),
    ("networking.istio.io", "workloadentries", "WorkloadEntry", True, ["v1", "v1beta1", "v1alpha3"], ["we"]),
    ("networking.istio.io", "workloadgroups", "WorkloadGroup", True, ["v1", "v1beta1", "v1alpha3"], ["wg"]),
    ("networking.istio.io", "proxyconfigs", "ProxyConfig", True, ["v1beta1"], []),
    ("telemetry.istio.io", "telemetries", "Telemetry", True, ["v1", "v1alpha1"], ["telemetry"]),
    ("extensions.istio.io", "wasmplugins", "WasmPlugin", True, ["v1alpha1"], []),
    ("security.istio.io", "authorizationpolicies", "AuthorizationPolicy", True, ["v1", "v1beta1"], ["ap"]),
    ("security.istio.io", "peerauthentications", "PeerAuthentication", True, ["v1", "v1beta1"], ["pa"]),
    ("security.istio.io", "requestauthentications", "RequestAuthentication", True, ["v1", "v1beta1"], ["ra"]),
]
MONITORING = [
    ("monitoring.coreos.com", plural, kind, True, versions, short)
    for plural, kind, versions, short in [
        ("podmonitors", "PodMonitor", ["v1"], ["pmon"]), ("servicemonitors", "ServiceMonitor", ["v1"], ["smon"]),
        ("prometheusrules", "PrometheusRule", ["v1"], ["promrule"]), ("probes", "Probe", ["v1"], ["prb"]),
        ("prometheuses", "Prometheus", ["v1"], ["prom"]), ("alertmanagers", "Alertmanager", ["v1"], ["am"]),
        ("thanosrulers", "ThanosRuler", ["v1"], ["ruler"]),
        ("alertmanagerconfigs", "AlertmanagerConfig", ["v1alpha1"], ["amcfg"]),
        ("scrapeconfigs", "ScrapeConfig", ["v1alpha1"], ["scfg"]),
        ("prometheusagents", "PrometheusAgent", ["v1alpha1"], ["promagent"]),
    ]
]
FILE_MIRRORS = ("files.m.daocloud.io",)
_KUSTOMIZE = re.compile(r"^(?:https://)?github\.com/kubernetes-sigs/(?P<repo>gateway-api|gateway-api-inference-extension)"
                        r"(?:\.git)?/config/crd(?P<channel>/experimental)?/?\?ref=(?P<ref>[^&]+)$")
_RELEASE = re.compile(r"^https://(?:(?P<mirror>[^/]+)/)?github\.com/kubernetes-sigs/(?P<repo>gateway-api|"
                      r"gateway-api-inference-extension)/releases/download/(?P<ref>[^/]+)/(?P<asset>[\w.-]+)$")


class SourceError(Exception):
    """kubectl's message for a source it cannot read."""


def crd(group: str, plural: str, kind: str, namespaced: bool, versions: list[str], short: list[str],
        bundle: str = "") -> dict:
    names = {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"}
    if short:
        names["shortNames"] = list(short)
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}", "annotations": {"fakeworld/bundle": bundle} if bundle else {}},
            "spec": {"group": group, "names": names, "scope": "Namespaced" if namespaced else "Cluster",
                     "versions": [{"name": v, "served": True, "storage": i == 0} for i, v in enumerate(versions)]}}


def bundle(rows: list[tuple], name: str) -> list[dict]:
    return [crd(*row, bundle=name) for row in rows]


def gateway_api(ref: str, experimental: bool) -> list[dict] | None:
    if not re.fullmatch(r"v1\.[0-4]\.\d+(-rc\.\d+)?", ref):
        return None
    rows = GATEWAY_STANDARD + (GATEWAY_EXPERIMENTAL if experimental else [])
    return bundle(rows, f"gateway-api-{ref}")


def gaie(ref: str) -> list[dict] | None:
    if re.fullmatch(r"v1\.\d+\.\d+(-rc\.\d+)?", ref):
        return bundle(GAIE_V1, f"gaie-{ref}")
    if re.fullmatch(r"v0\.[3-5]\.\d+(-rc\.\d+)?", ref):
        return bundle(GAIE_V0, f"gaie-{ref}")
    return None


def kustomize(target: str, knob: dict) -> list[dict] | None:
    """The CRDs of a remote kustomize root; None when `target` is not one (a local directory)."""
    match = _KUSTOMIZE.match(target)
    if not match:
        return None
    repo, ref = match["repo"], match["ref"]
    fetch = f"failed to run '/usr/bin/git fetch --depth=1 origin {ref}'"
    if not images.reachable("github.com", knob):
        raise SourceError(f"{fetch}: fatal: unable to access 'https://github.com/kubernetes-sigs/{repo}/': "
                          "Could not resolve host: github.com\n: exit status 128")
    found = gateway_api(ref, bool(match["channel"])) if repo == "gateway-api" else gaie(ref)
    if found is None:
        raise SourceError(f"{fetch}: fatal: couldn't find remote ref {ref}\n: exit status 128")
    return found


def remote_file(url: str, knob: dict) -> list[dict] | None:
    """The CRDs of a release asset URL (possibly through a file mirror); None for a non-URL."""
    if not re.match(r"^https?://", url):
        return None
    host = re.sub(r"^https?://", "", url).split("/", 1)[0]
    if not images.reachable(host, knob):
        raise SourceError(f'Get "{url}": {images.dns_error(host)}')
    match = _RELEASE.match(url)
    mirror_ok = match and (match["mirror"] is None or match["mirror"] in (*FILE_MIRRORS, *knob.get("file_mirrors", [])))
    found = None
    if match and mirror_ok and match["repo"] == "gateway-api" and match["asset"] in ("standard-install.yaml",
                                                                                     "experimental-install.yaml"):
        found = gateway_api(match["ref"], match["asset"].startswith("experimental"))
    elif match and mirror_ok and match["asset"] == "manifests.yaml":
        found = gaie(match["ref"])
    if found is None:
        raise SourceError(f'unable to read URL "{url}", server reported 404 Not Found, status code=404')
    return found
