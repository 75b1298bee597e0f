"""`kubectl wait` and `kubectl rollout status`: block until the world says so, or time out.

As kubectl (FACTS.md section 5): `--for=condition=Ready pod --all` with no pods yet fails at once
with `error: no matching resources found`; a named object that does not exist fails at once with
NotFound; each object prints `<type>/<name> condition met` when it gets there; the timeout (30s
unless --timeout, real seconds) ends with `error: timed out waiting for the condition on <plural>/<name>`.
"""

from __future__ import annotations

import time

from fakeworld import flags, jsonpath, kube, kubectl_get, status
from fakeworld.fake_kubectl import session
from fakeworld.toolmain import fail, out

POLL = 0.05  # how often the fake looks at the world again (the real one watches)


def parse_for(text: str | None):
    """(mode, detail): ("condition", (type, value)), ("jsonpath", (expr, value|None)), ("delete"|"create", None)."""
    if not text:
        fail("error: --for must be specified")
    if text in ("delete", "create"):
        return text, None
    mode, _, rest = text.partition("=")
    if mode == "condition" and rest:
        kind, _, value = rest.partition("=")
        return "condition", (kind, value or "true")
    if mode == "jsonpath" and rest:
        expression, sep, value = rest.rpartition("=") if "}=" in rest else (rest, "", "")
        expression = expression.strip("'\"")
        if not expression.startswith("{"):
            fail(f'error: unrecognized condition: "{text}"')
        return "jsonpath", (expression, value.strip("'\"") if sep else None)
    fail(f'error: unrecognized condition: "{text}"')


def met(mode: str, detail, shown: dict | None) -> bool:
    if mode == "delete":
        return shown is None
    if shown is None:
        return False
    if mode == "create":
        return True
    if mode == "condition":
        kind, value = detail
        return any(c.get("type", "").lower() == kind.lower() and str(c.get("status", "")).lower() == value.lower()
                   for c in shown.get("status", {}).get("conditions", []))
    expression, value = detail
    try:
        found = jsonpath.render(expression, shown, allow_missing=True)
    except jsonpath.JSONPathError:
        return False
    return found != "" if value is None else found == value


def wait(values: dict, args: list[str], namespace: str) -> int:
    mode, detail = parse_for(values.get("for"))
    try:
        timeout = flags.duration(values.get("timeout", "30s"))
    except ValueError as error:
        fail(f"error: {error}")
    if not args:
        fail("error: resource(s) were provided, but no name, label selector, or --all flag specified")
    deadline = time.monotonic() + timeout
    pending = _initial(values, args, namespace, mode)
    while True:
        with session(values) as (state, cluster, knob, now):
            for entry in list(pending):
                type_, name, scope = entry
                obj = kube.find(cluster, type_["group"], type_["kind"], scope, name)
                shown = status.view(state, cluster, obj, knob, now) if obj else None
                if met(mode, detail, shown):
                    out(f"{kube.qualified(type_)}/{name} condition met")
                    pending.remove(entry)
        if not pending:
            return 0
        if time.monotonic() >= deadline:
            type_, name, _ = pending[0]
            fail(f"error: timed out waiting for the condition on {type_['plural']}/{name}")
        time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))


def _initial(values: dict, args: list[str], namespace: str, mode: str) -> list[tuple[dict, str, str]]:
    """What to wait for, fixed when the wait starts (as kubectl's resource builder does)."""
    with session(values) as (state, cluster, knob, now):
        pending = []
        for type_, names in kubectl_get.targets(args, cluster, now):
            scope = namespace if type_["namespaced"] else ""
            if names:
                for name in names:
                    exists = kube.find(cluster, type_["group"], type_["kind"], scope, name) is not None
                    if not exists and mode not in ("delete", "create"):
                        fail(f'Error from server (NotFound): {kube.plural_name(type_)} "{name}" not found')
                    pending.append((type_, name, scope))
                continue
            if not values.get("all") and not values.get("selector"):
                fail("error: resource(s) were provided, but no name, label selector, or --all flag specified")
            found, _ = kubectl_get.select(state, cluster, knob, now, type_, [], values, namespace=namespace)
            pending += [(type_, obj["metadata"]["name"], obj["metadata"].get("namespace", "")) for obj in found]
        if not pending:
            fail("error: no matching resources found")
        return pending


def rollout(values: dict, args: list[str], namespace: str) -> int:
    try:
        timeout = flags.duration(values.get("timeout", "0s")) or 7 * 24 * 3600.0
    except ValueError as error:
        fail(f"error: {error}")
    if not args:
        fail("error: required resource not specified")
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        with session(values) as (state, cluster, knob, now):
            type_, names = kubectl_get.targets(args[:1] if "/" in args[0] else args[:2], cluster, now)[0]
            if type_["kind"] != "Deployment":
                fail(f'error: no status viewer has been implemented for {type_["kind"]}')
            deploy = kube.find(cluster, "apps", "Deployment", namespace, names[0])
            if deploy is None:
                fail(f'Error from server (NotFound): deployments.apps "{names[0]}" not found')
            current = status.deployment_status(state, cluster, deploy, knob, now)
        wanted = deploy["spec"].get("replicas", 1)
        if current["readyReplicas"] >= wanted:
            out(f'deployment "{names[0]}" successfully rolled out')
            return 0
        line = (f'Waiting for deployment "{names[0]}" rollout to finish: {current["readyReplicas"]} of {wanted} '
                "updated replicas are available...")
        if line != last:
            out(line)
            last = line
        if time.monotonic() >= deadline:
            fail("error: timed out waiting for the condition")
        time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))
