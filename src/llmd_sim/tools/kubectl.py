"""kubectl: argv builders and parsers (FACTS.md section 5)."""

from __future__ import annotations

import json


def kubectl(context: str, *args: str) -> list[str]:
    """Any kubectl command, pinned to `context`."""
    return ["kubectl", "--context", context, *args]


def get(context: str, resource: str, *names: str, namespace: str | None = None, output: str = "json",
        selector: str | None = None, ignore_not_found: bool = False) -> list[str]:
    args = ["get", resource, *names, *_namespaced(namespace), "-o", output]
    if selector:
        args += ["-l", selector]
    if ignore_not_found:
        args.append("--ignore-not-found")
    return kubectl(context, *args)


def apply_file(context: str, path: str, *, namespace: str | None = None, server_side: bool = False) -> list[str]:
    return kubectl(context, "apply", *_namespaced(namespace), *_server_side(server_side), "-f", str(path))


def apply_stdin(context: str, *, namespace: str | None = None, server_side: bool = False) -> list[str]:
    """`kubectl apply -f -`: pass the manifest as the runner's input."""
    return apply_file(context, "-", namespace=namespace, server_side=server_side)


def apply_kustomize(context: str, target: str, *, server_side: bool = True) -> list[str]:
    return kubectl(context, "apply", *_server_side(server_side), "-k", target)


def delete(context: str, resource: str, *names: str, namespace: str | None = None, wait: bool = True) -> list[str]:
    """Delete, succeeding when already gone."""
    args = ["delete", resource, *names, *_namespaced(namespace), "--ignore-not-found"]
    if not wait:
        args.append("--wait=false")
    return kubectl(context, *args)


def create_namespace_manifest(context: str, namespace: str) -> list[str]:
    """The idempotent namespace recipe, first half: render; the second half is apply_stdin."""
    return kubectl(context, "create", "namespace", namespace, "--dry-run=client", "-o", "yaml")


def wait(context: str, resource: str, *names: str, condition: str, timeout: float, namespace: str | None = None,
         all_: bool = False, selector: str | None = None) -> list[str]:
    """`kubectl wait --for=<condition>`; condition is e.g. `condition=Ready` or `jsonpath={...}=v`.
    It fails at once when nothing matches yet, so wait for existence first."""
    args = ["wait", f"--for={condition}", resource, *names, *_namespaced(namespace), f"--timeout={int(timeout)}s"]
    if all_:
        args.append("--all")
    if selector:
        args += ["-l", selector]
    return kubectl(context, *args)


def api_resources(context: str, group: str) -> list[str]:
    """Resource names in an API group, one per line; empty stdout when the group is absent."""
    return kubectl(context, "api-resources", f"--api-group={group}", "-o", "name")


def port_forward(context: str, namespace: str, target: str, local_port: int, remote_port: int,
                 address: str = "127.0.0.1") -> list[str]:
    return kubectl(context, "port-forward", "--address", address, "-n", namespace, target,
                   f"{local_port}:{remote_port}")


def events(context: str, namespace: str, field_selector: str | None = None,
           sort_by: str | None = ".lastTimestamp") -> list[str]:
    """Events as JSON. kubectl's sort aborts when an event has a null lastTimestamp (kubernetes
    #36304): pass sort_by=None and sort in Python where that matters."""
    args = ["get", "events", "-n", namespace, *([f"--sort-by={sort_by}"] if sort_by else []), "-o", "json"]
    if field_selector:
        args += ["--field-selector", field_selector]
    return kubectl(context, *args)


def logs(context: str, namespace: str, pod: str, *, container: str | None = None, tail: int = 20,
         previous: bool = False) -> list[str]:
    """A pod's last log lines; `previous` reads the last crashed run (CrashLoopBackOff)."""
    args = ["logs", "-n", namespace, pod, f"--tail={tail}"]
    if container:
        args += ["-c", container]
    if previous:
        args.append("--previous")
    return kubectl(context, *args)


def rollout_status(context: str, namespace: str, resource: str, *, timeout: float) -> list[str]:
    """Blocks (a watch) until the rollout's new pods are ready; exit 1 on timeout."""
    return kubectl(context, "rollout", "status", resource, "-n", namespace, f"--timeout={int(timeout)}s")


def items(stdout: str) -> list[dict]:
    """The objects of a `get -o json` answer (a List or a single object); [] for empty output."""
    if not stdout.strip():
        return []
    data = json.loads(stdout)
    return data.get("items", []) if data.get("kind", "").endswith("List") else [data]


def condition(obj: dict, kind: str) -> dict | None:
    """The status condition of type `kind` on an object, if any."""
    return next((c for c in obj.get("status", {}).get("conditions", []) if c.get("type") == kind), None)


def is_true(obj: dict, kind: str) -> bool:
    found = condition(obj, kind)
    return bool(found) and found.get("status") == "True"


def names(stdout: str) -> list[str]:
    """Lines of a `-o name` answer."""
    return [line.strip() for line in stdout.splitlines() if line.strip()]


def _namespaced(namespace: str | None) -> list[str]:
    return ["-n", namespace] if namespace else []


def _server_side(enabled: bool) -> list[str]:
    # Large CRDs exceed the 256 KiB last-applied annotation of client-side apply.
    return ["--server-side", "--force-conflicts"] if enabled else []


def client_version(context: str) -> list[str]:
    """kubectl's own version as JSON (`clientVersion.gitVersion`); does not contact the cluster."""
    return kubectl(context, "version", "--client", "-o", "json")


def server_version(context: str, *, request_timeout: str = "20s") -> list[str]:
    """Both versions as JSON; exit 1 when the cluster does not answer, so it doubles as a ping."""
    return kubectl(context, "version", "-o", "json", f"--request-timeout={request_timeout}")


def context_names(context: str) -> list[str]:
    """Every context in the kubeconfig, one name per line (a local read: no cluster contacted)."""
    return kubectl(context, "config", "get-contexts", "-o", "name")


def git_version(stdout: str, key: str = "clientVersion") -> str:
    """`v1.34.1` from `kubectl version -o json` (empty output: "")."""
    if not stdout.strip():
        return ""
    return json.loads(stdout).get(key, {}).get("gitVersion", "")
