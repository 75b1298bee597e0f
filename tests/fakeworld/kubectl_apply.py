"""`kubectl apply`, `kubectl delete` and `kubectl create namespace`.

Manifests come from files, directories, stdin (`-f -`), release URLs or remote kustomize roots
(crds.py: both need GitHub, or a file mirror for URLs). An object whose type the server does not
serve yet (its CRD missing or not Established) fails with kubectl's `resource mapping not found
... no matches for kind`; other objects of the same call still apply, and the exit code is 1.
"""

from __future__ import annotations

import json
import os
import sys

from fakeworld import clusters, crds, kube, status, workloads
from fakeworld.toolmain import err, fail, out

# Client-side apply copies the object into the last-applied-configuration annotation, which the API
# server caps; large CRDs only go in with --server-side.
LAST_APPLIED_LIMIT = 262144
ISTIO_WEBHOOK = ('Internal error occurred: failed calling webhook "validation.istio.io": failed to call webhook: '
                 'Post "https://istiod.istio-system.svc:443/validate?timeout=10s": dial tcp 10.96.12.34:443: '
                 "connect: connection refused")


def read_sources(values: dict, knob: dict) -> list[tuple[str, dict]]:
    """(source name, object) for every object of -f/-k; fails like kubectl on unreadable sources."""
    found = []
    if values.get("kustomize"):
        target = values["kustomize"]
        try:
            remote = crds.kustomize(target, knob)
        except crds.SourceError as error:
            fail(f"error: {error}")
        if remote is not None:
            found += [(target, obj) for obj in remote]
        else:
            found += _local_kustomization(target)
    for source in values.get("filename", []):
        if source == "-":
            found += [("STDIN", obj) for obj in parse_documents(sys.stdin.read(), "STDIN")]
            continue
        try:
            remote = crds.remote_file(source, knob)
        except crds.SourceError as error:
            fail(f"error: {error}")
        if remote is not None:
            found += [(source, obj) for obj in remote]
        elif os.path.isdir(source):
            for name in sorted(os.listdir(source)):
                if name.endswith((".yaml", ".yml", ".json")):
                    found += _read_file(os.path.join(source, name))
        elif os.path.exists(source):
            found += _read_file(source)
        else:
            fail(f'error: the path "{source}" does not exist')
    if not found and not values.get("filename") and not values.get("kustomize"):
        fail("error: must specify one of -f and -k")
    return found


def _read_file(path: str) -> list[tuple[str, dict]]:
    with open(path) as handle:
        return [(path, obj) for obj in parse_documents(handle.read(), path)]


def _local_kustomization(target: str) -> list[tuple[str, dict]]:
    import yaml

    path = next((os.path.join(target, n) for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")
                 if os.path.isfile(os.path.join(target, n))), None)
    if path is None:
        fail(f"error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory "
             f"'{os.path.abspath(target)}'")
    with open(path) as handle:
        kustomization = yaml.safe_load(handle) or {}
    found = []
    for resource in kustomization.get("resources", []):
        found += _read_file(os.path.join(target, resource))
    return found


def parse_documents(text: str, source: str) -> list[dict]:
    import yaml

    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc]
    except yaml.YAMLError as error:
        fail(f"error: error parsing {source}: error converting YAML to JSON: {error}")
    objects = []
    for doc in documents:
        items = doc.get("items", []) if str(doc.get("kind", "")).endswith("List") else [doc]
        for obj in items:
            missing = [f"{key} not set" for key in ("apiVersion", "kind") if not obj.get(key)]
            if missing:
                fail(f'error: error validating "{source}": error validating data: [{", ".join(missing)}]; if you '
                     "choose to ignore these errors, turn validation off with --validate=false")
            objects.append(obj)
    return objects


def apply(state, cluster, knob, now, values: dict, sources: list[tuple[str, dict]], namespace: str,
          explicit_namespace: bool) -> int:
    server_side = values.get("server-side")
    dry_run = values.get("dry-run", "none") not in ("none", "unchanged", "false")
    failures = []
    for source, obj in sources:
        meta = obj.setdefault("metadata", {})
        type_ = kube.mapping(cluster, obj["apiVersion"], obj["kind"], now)
        if type_ is None:
            failures.append(f'error: resource mapping not found for name: "{meta.get("name", "")}" namespace: '
                            f'"{meta.get("namespace", namespace if explicit_namespace else "")}" from "{source}": '
                            f'no matches for kind "{obj["kind"]}" in version "{obj["apiVersion"]}"\n'
                            "ensure CRDs are installed first")
            continue
        if type_["namespaced"]:
            if explicit_namespace and meta.get("namespace") and meta["namespace"] != namespace:
                fail(f'error: the namespace from the provided object "{meta["namespace"]}" does not match the '
                     f"namespace \"{namespace}\". You must pass '--namespace={meta['namespace']}' to perform this "
                     "operation.")
            meta["namespace"] = meta.get("namespace") or namespace
            if not kube.namespace_exists(cluster, meta["namespace"]):
                failures.append(f'Error from server (NotFound): error when creating "{source}": namespaces '
                                f'"{meta["namespace"]}" not found')
                continue
        else:
            meta.pop("namespace", None)
        if not server_side and len(json.dumps(obj)) > LAST_APPLIED_LIMIT:
            failures.append(f'The {obj["kind"]} "{meta["name"]}" is invalid: metadata.annotations: Too long: must '
                            f"have at most {LAST_APPLIED_LIMIT} bytes")
            continue
        control = status.istio(state, cluster, knob, now)
        if type_["group"].endswith("istio.io") and control["present"] and not control["ready"]:
            failures.append(f'Error from server (InternalError): error when creating "{source}": {ISTIO_WEBHOOK}')
            continue
        action = "created" if dry_run else store(state, cluster, knob, now, obj)
        if server_side and not dry_run:
            action = "serverside-applied"
        out(f"{kube.qualified(type_)}/{meta['name']} {action}{' (dry run)' if dry_run else ''}")
    if failures:
        err(*failures)
        return 1
    return 0


def store(state, cluster, knob, now, obj: dict) -> str:
    """Create or update an object as the API server and its controllers would."""
    if obj["kind"] == kube.CRD_KIND:
        from fakeworld import world

        return clusters.install_crds(cluster, [obj], now, now + world.duration(knob, "crd established"))[0]
    if obj["kind"] == "Deployment" and kube.group_of(obj) == "apps":
        return workloads.apply_deployment(state, cluster, obj, now)
    return kube.put(cluster, obj, now)


def delete(state, cluster, knob, now, values: dict, args: list[str], namespace: str) -> int:
    from fakeworld import kubectl_get

    ignore = values.get("ignore-not-found")
    errors = []
    chosen: list[tuple[dict, dict | None, str]] = []  # (type, stored object or None, name)
    if values.get("filename") or values.get("kustomize"):
        for source, obj in read_sources(values, knob):
            type_ = kube.mapping(cluster, obj["apiVersion"], obj["kind"], now)
            if type_ is None:
                errors.append(f'error: resource mapping not found for name: "{obj["metadata"]["name"]}" namespace: '
                              f'"" from "{source}": no matches for kind "{obj["kind"]}" in version '
                              f'"{obj["apiVersion"]}"\nensure CRDs are installed first')
                continue
            scope = (obj["metadata"].get("namespace") or namespace) if type_["namespaced"] else ""
            stored = kube.find(cluster, type_["group"], type_["kind"], scope, obj["metadata"]["name"])
            if stored is None and not ignore:
                errors.append(f'Error from server (NotFound): error when deleting "{source}": '
                              f'{kube.plural_name(type_)} "{obj["metadata"]["name"]}" not found')
            chosen.append((type_, stored, obj["metadata"]["name"]))
    elif not args:
        fail("error: You must provide one or more resources by argument or filename.")
    else:
        for type_, names in kubectl_get.targets(args, cluster, now):
            if not names and not values.get("all") and not values.get("selector"):
                fail("error: resource(s) were provided, but no name was specified")
            scope = namespace if type_["namespaced"] else ""
            for name in names:
                stored = kube.find(cluster, type_["group"], type_["kind"], scope, name)
                if stored is None and not ignore:
                    errors.append(f'Error from server (NotFound): {kube.plural_name(type_)} "{name}" not found')
                chosen.append((type_, stored, name))
            if not names:
                for obj in kube.objects(cluster, type_["group"], type_["kind"], scope if type_["namespaced"] else ""):
                    if kubectl_get.selector_matches(values.get("selector"), obj["metadata"].get("labels") or {}):
                        chosen.append((type_, obj, obj["metadata"]["name"]))
    for type_, stored, name in chosen:
        if stored is not None:
            kube.delete(cluster, stored)
            # kubectl names the namespace since kubernetes PR #126619 (the 1.34 this world plays prints it)
            scope = f" from {stored['metadata']['namespace']} namespace" if type_["namespaced"] else ""
            out(f'{kube.qualified(type_)} "{name}" deleted{scope}')
    if errors:
        err(*errors)
        return 1
    return 0


def namespace_manifest(name: str, output: str) -> str:
    if output == "json":
        import json

        return json.dumps({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name}, "spec": {},
                           "status": {}}, indent=4)
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\nspec: {{}}\nstatus: {{}}"
