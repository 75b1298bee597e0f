"""`kubectl get`: resource arguments, selectors, and the output formats (json, yaml, name, jsonpath,
custom-columns, tables).

An empty list prints `No resources found in NS namespace.` on stderr for tables, an empty List
for json; a missing named object is `Error from server (NotFound): <plural> "<name>" not found`.
"""

from __future__ import annotations

import json
import re
import sys

from fakeworld import jsonpath, kube, status, world
from fakeworld.toolmain import err, fail, out


def targets(args: list[str], cluster: dict, now: float) -> list[tuple[dict, list[str]]]:
    """[(type, names)] from `TYPE [NAME...]`, `TYPE1,TYPE2` or `TYPE/NAME...` arguments."""
    def resolve(token: str) -> dict:
        try:
            return kube.resolve(cluster, token, now)
        except kube.NotFound:
            fail(f'error: the server doesn\'t have a resource type "{token}"')

    if any("/" in arg for arg in args):
        if not all("/" in arg for arg in args):
            fail("error: there is no need to specify a resource type as a separate argument when passing arguments "
                 "in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource "
                 "resource/<resource_name>'")
        return [(resolve(arg.split("/", 1)[0]), [arg.split("/", 1)[1]]) for arg in args]
    return [(resolve(token), args[1:]) for token in args[0].split(",")]


def selector_matches(selector: str | None, labels: dict) -> bool:
    for term in [t.strip() for t in (selector or "").split(",") if t.strip()]:
        match = re.fullmatch(r"([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)", term)
        if match:
            key, op, value = match.groups()
            if (labels.get(key) == value) != (op != "!="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def field_matches(selector: str | None, shown: dict) -> bool:
    for term in [t.strip() for t in (selector or "").split(",") if t.strip()]:
        key, op, value = re.fullmatch(r"([\w.]+)\s*(==|=|!=)\s*(.*)", term).groups()
        found = jsonpath.render("{." + key + "}", shown)
        if (found == value) != (op != "!="):
            return False
    return True


def select(state, cluster, knob, now, type_: dict, names: list[str], values: dict, *, namespace: str,
           missing_ok: bool = False) -> tuple[list[dict], list[str]]:
    """(objects with statuses, NotFound messages) for one type."""
    scope = None if values.get("all-namespaces") or not type_["namespaced"] else namespace
    scope_key = scope if scope is not None else ("" if not type_["namespaced"] else None)
    if type_["kind"] == "Event" and not type_["group"]:
        found = status.events(state, cluster, scope, knob, now)
    else:
        found = [status.view(state, cluster, obj, knob, now)
                 for obj in kube.objects(cluster, type_["group"], type_["kind"], scope_key)]
    if names:
        by_name = {obj["metadata"]["name"]: obj for obj in found}
        errors = [] if missing_ok else [f'Error from server (NotFound): {kube.plural_name(type_)} "{name}" not found'
                                        for name in names if name not in by_name]
        return [by_name[name] for name in names if name in by_name], errors
    found = [obj for obj in found if selector_matches(values.get("selector"), obj["metadata"].get("labels") or {})
             and field_matches(values.get("field-selector"), obj)]
    return found, []


def get(state, cluster, knob, now, values: dict, args: list[str], namespace: str) -> int:
    if not args:
        fail('error: You must specify the type of resource to get. Use "kubectl api-resources" for a complete list '
             "of supported resources.")
    if values.get("watch") or values.get("watch-only"):
        fail("fakeworld: `kubectl get --watch` is not modelled (use kubectl wait)")
    chosen = targets(args, cluster, now)
    shown, errors, typed = [], [], []
    for type_, names in chosen:
        found, missing = select(state, cluster, knob, now, type_, names, values, namespace=namespace,
                                missing_ok=bool(values.get("ignore-not-found")))
        shown += found
        errors += missing
        typed += [type_] * len(found)
    if values.get("sort-by"):
        expression = "{" + values["sort-by"].strip("{}") + "}"  # kubectl takes `.a.b` or `{.a.b}`
        pairs = sorted(zip(shown, typed), key=lambda pair: jsonpath.render(expression, pair[0]))
        shown, typed = [p[0] for p in pairs], [p[1] for p in pairs]
    single = len(chosen) == 1 and len(chosen[0][1]) == 1
    scoped = chosen[0][0]["namespaced"] and not values.get("all-namespaces")
    note = None if errors or chosen[0][1] else (f"No resources found in {namespace} namespace." if scoped
                                                 else "No resources found")
    print_objects(shown, typed, values, single=single and len(shown) == 1, now=now, empty_note=note)
    if errors:
        fail(*errors)
    return 0


def print_objects(shown: list[dict], typed: list[dict], values: dict, *, single: bool, now: float,
                  empty_note: str | None) -> None:
    output = values.get("output") or ""
    document = shown[0] if single else {"apiVersion": "v1", "items": shown, "kind": "List",
                                        "metadata": {"resourceVersion": ""}}
    if output == "json":
        out(json.dumps(document, indent=4))
    elif output == "yaml":
        import yaml

        out(yaml.safe_dump(document, sort_keys=True).rstrip())
    elif output == "name":
        out(*[f"{kube.qualified(t)}/{o['metadata']['name']}" for o, t in zip(shown, typed)])
    elif output.startswith(("jsonpath=", "jsonpath-as-json=")):
        template = output.split("=", 1)[1]
        try:
            text = jsonpath.render(template, document, allow_missing=values.get("allow-missing-template-keys", True))
        except jsonpath.JSONPathError as error:
            fail(f'error: error executing jsonpath "{template}": Error executing template: {error}. Printing more '
                 "information for debugging the template:")
        sys.stdout.write(text)  # kubectl adds no newline after a jsonpath template
    elif output.startswith("custom-columns="):
        columns = [column.split(":", 1) for column in output.split("=", 1)[1].split(",")]
        rows = [[jsonpath.render("{" + path + "}", obj) or "<none>" for _, path in columns] for obj in shown]
        _table([name for name, _ in columns], rows, values)
    elif output in ("", "wide"):
        if not shown:
            if empty_note:
                err(empty_note)
            return
        headers, rows = table(shown, typed[0], now, values)
        _table(headers, rows, values)
    else:
        fail(f"error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: "
             "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,"
             "jsonpath-file,name,template,templatefile,wide,yaml")


def _table(headers: list[str], rows: list[list[str]], values: dict) -> None:
    lines = rows if values.get("no-headers") else [headers, *rows]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(headers))]
    out(*["   ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines])


def age(stamp: str, now: float) -> str:
    import calendar
    import time

    seconds = int(now - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * 2 or (unit == "m" and seconds >= 120):
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def table(shown: list[dict], type_: dict, now: float, values: dict) -> tuple[list[str], list[list[str]]]:
    kind = type_["kind"]
    rows = []
    for obj in shown:
        meta, state = obj["metadata"], obj.get("status", {})
        when = age(meta.get("creationTimestamp", world.rfc3339(now)), now) if "creationTimestamp" in meta else ""
        if kind == "Pod":
            statuses = [*state.get("initContainerStatuses", []), *state.get("containerStatuses", [])]
            waiting = next((s["state"]["waiting"]["reason"] for s in statuses if "waiting" in s.get("state", {})), None)
            rows.append([meta["name"], f"{sum(s['ready'] for s in statuses)}/{len(statuses)}",
                         waiting or state.get("phase", "Pending"), str(sum(s.get("restartCount", 0) for s in statuses)),
                         when])
        elif kind == "Deployment":
            rows.append([meta["name"], f"{state.get('readyReplicas', 0)}/{obj['spec'].get('replicas', 1)}",
                         str(state.get("updatedReplicas", 0)), str(state.get("availableReplicas", 0)), when])
        elif kind == "Node":
            ready = status.is_true(state, "Ready")
            role = "control-plane" if "node-role.kubernetes.io/control-plane" in meta["labels"] else "<none>"
            rows.append([meta["name"], "Ready" if ready else "NotReady", role, when,
                         state.get("nodeInfo", {}).get("kubeletVersion", "")])
        elif kind == "CustomResourceDefinition":
            rows.append([meta["name"], meta.get("creationTimestamp", "")])
        elif kind == "Service":
            ports = ",".join(f"{p['port']}/{p.get('protocol', 'TCP')}" for p in obj["spec"].get("ports", []))
            rows.append([meta["name"], obj["spec"].get("type", "ClusterIP"), obj["spec"].get("clusterIP", ""), "<none>",
                         ports, when])
        elif kind == "Event":
            involved = obj["involvedObject"]
            rows.append([age(obj["lastTimestamp"], now), obj["type"], obj["reason"],
                         f"{involved['kind'].lower()}/{involved['name']}", obj["message"]])
        else:
            rows.append([meta["name"], when])
    headers = {"Pod": ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
               "Deployment": ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
               "Node": ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
               "Event": ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
               "CustomResourceDefinition": ["NAME", "CREATED AT"],
               "Service": ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]}.get(kind, ["NAME", "AGE"])
    if values.get("all-namespaces"):
        headers = ["NAMESPACE", *headers]
        rows = [[obj["metadata"].get("namespace", ""), *row] for obj, row in zip(shown, rows)]
    return headers, rows
