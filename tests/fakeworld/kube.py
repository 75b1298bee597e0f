"""A kind cluster's API objects: the types the API server knows, and the object store.

Objects are kept as Kubernetes-shaped dicts (apiVersion, kind, metadata, spec) plus a hidden
"_fake" section (creation time, owning helm release, ...). Statuses are not stored: status.py
computes them from the clock and the world, so a pod becomes Ready by itself once its time comes.
A custom type is known only once its CRD is Established, as discovery only serves it then.
"""

from __future__ import annotations

import hashlib

from fakeworld import world

# (group, version, kind, plural, namespaced, short names)
BUILTIN = [
    ("", "v1", "Namespace", "namespaces", False, ["ns"]),
    ("", "v1", "Node", "nodes", False, ["no"]),
    ("", "v1", "Pod", "pods", True, ["po"]),
    ("", "v1", "Service", "services", True, ["svc"]),
    ("", "v1", "ConfigMap", "configmaps", True, ["cm"]),
    ("", "v1", "Secret", "secrets", True, []),
    ("", "v1", "ServiceAccount", "serviceaccounts", True, ["sa"]),
    ("", "v1", "Event", "events", True, ["ev"]),
    ("", "v1", "Endpoints", "endpoints", True, ["ep"]),
    ("apps", "v1", "Deployment", "deployments", True, ["deploy"]),
    ("apps", "v1", "ReplicaSet", "replicasets", True, ["rs"]),
    ("apps", "v1", "DaemonSet", "daemonsets", True, ["ds"]),
    ("apps", "v1", "StatefulSet", "statefulsets", True, ["sts"]),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False, ["crd", "crds"]),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", True, []),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True, []),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, []),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False, []),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
     False, []),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
     False, []),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ["pdb"]),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ["hpa"]),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ["sc"]),
]
CRD_GROUP, CRD_KIND = "apiextensions.k8s.io", "CustomResourceDefinition"


class NotFound(Exception):
    pass


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def key(group: str, kind: str, namespace: str, name: str) -> str:
    return f"{group}|{kind}|{namespace}|{name}"


def types(cluster: dict, now: float) -> list[dict]:
    """Every type discovery serves now: the built-ins and the Established CRDs."""
    known = [{"group": g, "versions": [v], "kind": k, "plural": p, "singular": k.lower(), "namespaced": n,
              "short": s, "builtin": True} for g, v, k, p, n, s in BUILTIN]
    for crd in objects(cluster, CRD_GROUP, CRD_KIND):
        if crd["_fake"].get("established_at", 0) > now:
            continue
        spec, names = crd["spec"], crd["spec"]["names"]
        known.append({"group": spec["group"], "versions": [v["name"] for v in spec["versions"] if v.get("served", True)],
                      "kind": names["kind"], "plural": names["plural"],
                      "singular": names.get("singular", names["kind"].lower()), "namespaced": spec["scope"] == "Namespaced",
                      "short": names.get("shortNames", []), "builtin": False})
    return known


def mapping(cluster: dict, api_version: str, kind: str, now: float) -> dict | None:
    """The type of (apiVersion, kind) if the server serves it, else None (`no matches for kind`)."""
    group, version = split_api_version(api_version)
    return next((t for t in types(cluster, now) if t["group"] == group and t["kind"] == kind
                 and version in t["versions"]), None)


def resolve(cluster: dict, token: str, now: float) -> dict:
    """A resource type as typed on kubectl's command line (`po`, `deployment.apps`, `crd`,
    `inferencepools.inference.networking.x-k8s.io`); NotFound when the server has no such type."""
    name, _, group = token.lower().partition(".")
    matches = [t for t in types(cluster, now)
               if name in (t["plural"], t["singular"], t["kind"].lower(), *t["short"])
               and (not group or t["group"] == group or f"{t['versions'][0]}.{t['group']}" == group)]
    if not matches:
        raise NotFound(token)
    # Built-in groups come first in discovery; CRD groups of equal priority sort by name.
    return sorted(matches, key=lambda t: (not t["builtin"], t["group"]))[0]


def qualified(type_: dict) -> str:
    """`pod`, `deployment.apps`, `gateway.gateway.networking.k8s.io`: how kubectl names a type."""
    kind = type_["kind"].lower()
    return f"{kind}.{type_['group']}" if type_["group"] else kind


def plural_name(type_: dict) -> str:
    return f"{type_['plural']}.{type_['group']}" if type_["group"] else type_["plural"]


def objects(cluster: dict, group: str, kind: str, namespace: str | None = None) -> list[dict]:
    prefix = f"{group}|{kind}|"
    return [obj for k, obj in sorted(cluster["objects"].items())
            if k.startswith(prefix) and (namespace is None or obj["metadata"].get("namespace", "") == namespace)]


def find(cluster: dict, group: str, kind: str, namespace: str, name: str) -> dict | None:
    return cluster["objects"].get(key(group, kind, namespace, name))


def group_of(obj: dict) -> str:
    return split_api_version(obj["apiVersion"])[0]


def put(cluster: dict, obj: dict, now: float, **fake) -> str:
    """Create or replace an object; returns "created", "configured" or "unchanged"."""
    meta = obj.setdefault("metadata", {})
    k = key(group_of(obj), obj["kind"], meta.get("namespace", ""), meta["name"])
    old = cluster["objects"].get(k)
    if old is not None and _content(old) == _content(obj):
        old["_fake"].update(fake)
        return "unchanged"
    meta.setdefault("labels", {})
    meta["uid"] = old["metadata"]["uid"] if old else _uid(k, now)
    meta["creationTimestamp"] = old["metadata"]["creationTimestamp"] if old else world.rfc3339(now)
    meta["generation"] = old["metadata"].get("generation", 1) + 1 if old else 1
    meta["resourceVersion"] = str(int(now * 1000) % 10**9)
    obj["_fake"] = {**(old["_fake"] if old else {"created": now}), **fake, "updated": now}
    cluster["objects"][k] = obj
    return "configured" if old else "created"


def _content(obj: dict) -> tuple:
    meta = obj.get("metadata", {})
    return (obj.get("apiVersion"), obj.get("spec"), obj.get("data"), meta.get("labels") or {},
            meta.get("annotations") or {}, obj.get("rules"), obj.get("subjects"), obj.get("webhooks"))


def _uid(seed: str, now: float) -> str:
    digest = hashlib.sha1(f"{seed}{now}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def delete(cluster: dict, obj: dict) -> None:
    """Delete an object and what the garbage collector would remove with it."""
    meta = obj["metadata"]
    cluster["objects"].pop(key(group_of(obj), obj["kind"], meta.get("namespace", ""), meta["name"]), None)
    uid = meta.get("uid")
    for child in [o for o in cluster["objects"].values()
                  if any(ref.get("uid") == uid for ref in o["metadata"].get("ownerReferences", []))]:
        delete(cluster, child)
    if obj["kind"] == "Namespace" and group_of(obj) == "":
        for child in [o for o in cluster["objects"].values() if o["metadata"].get("namespace") == meta["name"]]:
            delete(cluster, child)
    if obj["kind"] == CRD_KIND and group_of(obj) == CRD_GROUP:
        kind, group = obj["spec"]["names"]["kind"], obj["spec"]["group"]
        for child in [o for o in cluster["objects"].values() if o["kind"] == kind and group_of(o) == group]:
            delete(cluster, child)


def owner_ref(obj: dict) -> dict:
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def public(obj: dict) -> dict:
    """The object as the API server shows it (without the fake's bookkeeping)."""
    return {k: v for k, v in obj.items() if k != "_fake"}


def namespace_exists(cluster: dict, namespace: str) -> bool:
    return find(cluster, "", "Namespace", "", namespace) is not None


def ensure_namespace(cluster: dict, namespace: str, now: float) -> None:
    if not namespace_exists(cluster, namespace):
        put(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}, "spec": {}}, now)


def short_hash(text: str, length: int = 10) -> str:
    """A stable lowercase suffix like the ones controllers give pods."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    number = int(hashlib.sha1(text.encode()).hexdigest(), 16)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)
