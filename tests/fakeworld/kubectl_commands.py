"""kubectl's cluster commands, dispatched from fake_kubectl (loaded only when a cluster is involved)."""

from __future__ import annotations

from fakeworld import kube, kubectl_apply, kubectl_get, podstatus, world
from fakeworld.fake_kubectl import session, version
from fakeworld.toolmain import err, fail, out


def dispatch(path: tuple[str, ...], values: dict, args: list[str]) -> int:
    namespace = values.get("namespace") or "default"
    if path == ("create", "namespace"):
        return create_namespace(values, args)
    if path == ("wait",) or path == ("rollout", "status"):
        from fakeworld import kubectl_wait

        return kubectl_wait.wait(values, args, namespace) if path == ("wait",) else \
            kubectl_wait.rollout(values, args, namespace)
    if path == ("port-forward",):
        from fakeworld import kubectl_portforward

        return kubectl_portforward.run(values, args, namespace)
    if path in (("apply",), ("delete",)):
        knob = world.knobs(world.read())
        sources = kubectl_apply.read_sources(values, knob) if path == ("apply",) else None
        world.take_time(knob, "kubectl apply")
        with session(values) as (state, cluster, knob, now):
            if sources is not None:
                return kubectl_apply.apply(state, cluster, knob, now, values, sources, namespace,
                                           explicit_namespace=bool(values.get("namespace")))
            return kubectl_apply.delete(state, cluster, knob, now, values, args, namespace)
    with session(values) as (state, cluster, knob, now):
        if path == ("get",):
            return kubectl_get.get(state, cluster, knob, now, values, args, namespace)
        if path == ("api-resources",):
            return api_resources(cluster, now, values)
        if path == ("logs",):
            return logs(state, cluster, knob, now, values, args, namespace)
        if path == ("version",):
            return version(values, cluster)
        out(f"Kubernetes control plane is running at https://127.0.0.1:{cluster['api_port']}",
            f"CoreDNS is running at https://127.0.0.1:{cluster['api_port']}/api/v1/namespaces/kube-system/services/"
            "kube-dns:dns/proxy", "", "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")
        return 0


def create_namespace(values: dict, args: list[str]) -> int:
    if len(args) != 1:
        fail("error: exactly one NAME is required, got " + str(len(args)))
    name = args[0]
    dry_run = values.get("dry-run", "none")
    if dry_run in ("client", "unchanged"):
        state = world.read()
        context = values.get("context") or state["kubeconfig"].get("current")
        if context and context not in state["kubeconfig"]["contexts"]:
            fail(f"error: context was not found for specified context: {context}")
        output = values.get("output")
        if output in ("yaml", "json"):
            out(kubectl_apply.namespace_manifest(name, output))
        else:
            out(f"namespace/{name} created (dry run)")
        return 0
    with session(values) as (state, cluster, knob, now):
        if kube.namespace_exists(cluster, name):
            fail(f'Error from server (AlreadyExists): namespaces "{name}" already exists')
        kube.ensure_namespace(cluster, name, now)
    out(f"namespace/{name} created")
    return 0


def api_resources(cluster: dict, now: float, values: dict) -> int:
    found = kube.types(cluster, now)
    if "api-group" in values:
        found = [t for t in found if t["group"] == values["api-group"]]
    if "namespaced" in values:
        wanted = str(values["namespaced"]).lower() == "true"
        found = [t for t in found if t["namespaced"] == wanted]
    found.sort(key=lambda t: (t["group"], t["plural"]))
    if values.get("output") == "name":
        out(*[kube.plural_name(t) for t in found])
        return 0
    rows = [[t["plural"], ",".join(t["short"]), f"{t['group']}/{t['versions'][0]}" if t["group"] else t["versions"][0],
             str(t["namespaced"]).lower(), t["kind"]] for t in found]
    headers = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    lines = rows if values.get("no-headers") else [headers, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    out(*["   ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines])
    return 0


def logs(state, cluster, knob, now, values: dict, args: list[str], namespace: str) -> int:
    if not args:
        fail("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")
    name = args[0].split("/", 1)[1] if args[0].startswith(("pod/", "pods/")) else args[0]
    pod = kube.find(cluster, "", "Pod", namespace, name)
    if pod is None:
        fail(f'Error from server (NotFound): pods "{name}" not found')
    specs = {c["name"]: c for c in [*pod["spec"].get("containers", []), *pod["spec"].get("initContainers", [])]}
    container = values.get("container")
    if container is None:
        container = pod["spec"]["containers"][0]["name"]
        if len(specs) > 1:
            others = [c["name"] for c in pod["spec"]["containers"]] + [f"{c['name']} (init)" for c in
                                                                        pod["spec"].get("initContainers", [])]
            err(f'Defaulted container "{container}" out of: {", ".join(others)}')
    elif container not in specs:
        fail(f"error: container {container} is not valid for pod {name}")
    pod_status = podstatus.evaluate(state, cluster, pod, knob, now)["status"]
    statuses = [*pod_status.get("containerStatuses", []), *pod_status.get("initContainerStatuses", [])]
    entry = next((s for s in statuses if s["name"] == container), {})
    waiting = entry.get("state", {}).get("waiting", {}).get("reason") if entry else "ContainerCreating"
    crashing = waiting == "CrashLoopBackOff"
    if values.get("previous") and not crashing:
        fail(f'Error from server (BadRequest): previous terminated container "{container}" in pod "{name}" not found')
    if waiting and not crashing:
        detail = "trying and failing to pull image" if waiting == "ImagePullBackOff" else waiting
        fail(f'Error from server (BadRequest): container "{container}" in pod "{name}" is waiting to start: {detail}')
    lines = [f"I0101 00:00:0{i}.000000       1 main.go:{40 + i}] {text}" for i, text in enumerate([
        f"starting {specs[container]['image']}", f"pod {name} in namespace {namespace}", "listening on :8000"])]
    if crashing:
        lines.append("E0101 00:00:03.000000       1 main.go:60] failed to start: simulated crash "
                     "(fakeworld pod_never_ready)")
    tail = int(values.get("tail", -1))
    out(*(lines[-tail:] if tail >= 0 else lines))
    return 0
