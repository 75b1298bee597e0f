"""Fake `kubectl` (1.31-1.34): the commands llmd-sim uses, with kubectl's flags and messages.

get, apply (-f file/URL/-, -k), delete, create namespace, wait, rollout status, api-resources,
port-forward, logs, version, cluster-info, config current-context/get-contexts/use-context/
delete-context/view. Errors go to stderr with exit 1: `error: ...`, `Error from server (Reason): ...`;
a flag error adds `See 'kubectl CMD --help' for usage.` (FACTS.md section 5). Real kubectl commands
this world does not model fail loudly with a `fakeworld:` message rather than pretending.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from fakeworld import flags, toolmain, world
from fakeworld.toolmain import fail, out

VERSION = "v1.34.1"
GLOBAL = flags.specs(
    "--context=", "--kubeconfig=", "-n,--namespace=", "--cluster=", "--user=", "-s,--server=", "--request-timeout=",
    "-v,--v=", "--insecure-skip-tls-verify", "--token=", "--as=", "--as-group=*", "--as-uid=", "--cache-dir=",
    "--certificate-authority=", "--client-certificate=", "--client-key=", "--match-server-version",
    "--tls-server-name=", "--username=", "--password=", "--warnings-as-errors", "--profile=", "--profile-output=",
    "--log-flush-frequency=", "--disable-compression", "-h,--help")
OUTPUT = ["-o,--output=", "--template=", "--allow-missing-template-keys", "--show-managed-fields"]
FILES = ["-f,--filename=*", "-k,--kustomize=", "-R,--recursive"]
COMMANDS = {
    ("get",): flags.specs(*OUTPUT, *FILES, "-l,--selector=", "-A,--all-namespaces", "--ignore-not-found",
                          "--field-selector=", "-w,--watch", "--watch-only", "--sort-by=", "--show-labels",
                          "--no-headers", "-L,--label-columns=*", "--chunk-size=", "--raw=", "--server-print",
                          "--show-kind", "--subresource=", "--output-watch-events"),
    ("apply",): flags.specs(*OUTPUT, *FILES, "--server-side", "--force-conflicts", "--field-manager=",
                            "--dry-run=?unchanged", "--prune", "-l,--selector=", "--validate=?strict", "--wait",
                            "--timeout=", "--force", "--overwrite", "--grace-period=", "--all", "--cascade=?background",
                            "--openapi-patch", "--prune-allowlist=*", "--subresource="),
    ("delete",): flags.specs(*FILES, "-o,--output=", "--ignore-not-found", "--wait", "--all", "-A,--all-namespaces",
                             "-l,--selector=", "--force", "--grace-period=", "--now", "--timeout=",
                             "--cascade=?background", "--field-selector=", "--dry-run=?unchanged", "--raw=",
                             "-i,--interactive"),
    ("create", "namespace"): flags.specs(*OUTPUT, "--dry-run=?unchanged", "--save-config", "--field-manager=",
                                         "--validate=?strict", "--edit", "--windows-line-endings"),
    ("wait",): flags.specs(*OUTPUT, *FILES, "--for=", "--timeout=", "--all", "-A,--all-namespaces", "-l,--selector=",
                           "--field-selector=", "--local"),
    ("rollout", "status"): flags.specs(*FILES, "--timeout=", "-w,--watch=?true", "--revision=", "-l,--selector="),
    ("api-resources",): flags.specs("--api-group=", "-o,--output=", "--namespaced=?true", "--verbs=*", "--sort-by=",
                                    "--no-headers", "--cached", "--categories=*"),
    ("port-forward",): flags.specs("--address=*", "--pod-running-timeout="),
    ("logs",): flags.specs("-c,--container=", "--tail=", "-f,--follow", "-p,--previous", "--since=", "--since-time=",
                           "--timestamps", "--all-containers", "-l,--selector=", "--prefix", "--limit-bytes=",
                           "--max-log-requests=", "--pod-running-timeout=", "--ignore-errors", "--all-pods",
                           "--insecure-skip-tls-verify-backend"),
    ("version",): flags.specs("--client", "-o,--output="),
    ("cluster-info",): [],
    ("config", "current-context"): [],
    ("config", "get-contexts"): flags.specs("-o,--output=", "--no-headers"),
    ("config", "use-context"): [],
    ("config", "delete-context"): [],
    ("config", "view"): flags.specs("-o,--output=", "--minify", "--raw", "--flatten", "--merge=?true",
                                    "--template=", "--allow-missing-template-keys"),
}
ALIASES = {("create", "ns"): ("create", "namespace")}
UNMODELLED = {"describe", "edit", "patch", "label", "annotate", "scale", "exec", "cp", "top", "auth", "events", "run",
              "expose", "diff", "replace", "explain", "proxy", "attach", "debug", "certificate", "drain", "cordon",
              "uncordon", "taint", "kustomize", "plugin", "completion", "options", "alpha", "set", "autoscale",
              "api-versions", "create", "rollout", "config"}


def main() -> None:
    toolmain.main("kubectl", run)


def command_path(words: list[str]) -> tuple[str, ...] | None:
    for size in (2, 1):
        path = ALIASES.get(tuple(words[:size]), tuple(words[:size]))
        if path in COMMANDS:
            return path
    return None


def run(argv: list[str]) -> int:
    words = flags.words(argv, GLOBAL)
    if not words:
        out("kubectl controls the Kubernetes cluster manager.")
        return 0
    path = command_path(words)
    if path is None:
        if words[0] in UNMODELLED:
            fail(f"fakeworld: `kubectl {' '.join(words[:2])}` is not modelled by the fake world")
        fail(f'error: unknown command "{words[0]}" for "kubectl"', "Run 'kubectl --help' for usage.")
    try:
        values, positionals = flags.parse(argv, GLOBAL + COMMANDS[path])
    except flags.FlagError as error:
        fail(f"error: {error}", f"See 'kubectl {' '.join(path)} --help' for usage.")
    args = positionals[len(path):]
    if path[0] == "config":
        return config(path[1], values, args)
    if path == ("version",) and values.get("client"):
        return version(values, None)
    from fakeworld import kubectl_commands  # the cluster commands, loaded only when needed

    return kubectl_commands.dispatch(path, values, args)


@contextmanager
def session(values: dict, write: bool = True):
    """(state, cluster, knob, now) of the context the call names, controllers caught up."""
    from fakeworld import clusters

    toolmain.touches_cluster()
    with world.locked(write=write) as state:
        knob = world.knobs(state)
        try:
            _, cluster = clusters.context_cluster(state, values.get("context"), knob)
        except clusters.Unreachable as error:
            fail(clusters.kubectl_message(error))
        now = world.now()
        clusters.prepare(state, cluster, knob, now)
        yield state, cluster, knob, now


def version(values: dict, cluster: dict | None) -> int:
    client = {"major": "1", "minor": VERSION.split(".")[1], "gitVersion": VERSION, "goVersion": "go1.24.6",
              "platform": "linux/amd64"}
    data = {"clientVersion": client, "kustomizeVersion": "v5.7.1"}
    if cluster:
        tag = cluster["node_image"].rsplit(":", 1)[-1]
        data["serverVersion"] = {"major": "1", "minor": tag.split(".")[1], "gitVersion": tag, "platform": "linux/amd64"}
    if values.get("output") == "json":
        out(json.dumps(data, indent=2))
    elif values.get("output") not in (None, "yaml"):
        fail("error: --output must be 'yaml' or 'json'")
    else:
        out(f"Client Version: {VERSION}", "Kustomize Version: v5.7.1",
            *([f"Server Version: {data['serverVersion']['gitVersion']}"] if cluster else []))
    return 0


def config(command: str, values: dict, args: list[str]) -> int:
    """The kubeconfig commands: local reads and writes, no cluster contacted."""
    with world.locked(write=command in ("use-context", "delete-context")) as state:
        kubeconfig = state["kubeconfig"]
        if command == "current-context":
            if not kubeconfig.get("current"):
                fail("error: current-context is not set")
            out(kubeconfig["current"])
        elif command == "get-contexts":
            names = sorted(kubeconfig["contexts"])
            if values.get("output") == "name":
                out(*names)
            elif values.get("output"):
                fail(f"error: output must be one of '' or 'name': {values['output']}")
            else:
                rows = [f"{'*' if n == kubeconfig.get('current') else ' '}         {n}   {c['cluster']}   {c['user']}"
                        for n, c in sorted(kubeconfig["contexts"].items())]
                out(*([] if values.get("no-headers") else ["CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE"]), *rows)
        elif command == "use-context":
            if not args or args[0] not in kubeconfig["contexts"]:
                fail(f'error: no context exists with the name: "{args[0] if args else ""}"')
            kubeconfig["current"] = args[0]
            out(f'Switched to context "{args[0]}".')
        elif command == "delete-context":
            if not args or args[0] not in kubeconfig["contexts"]:
                fail(f"error: cannot delete context {args[0] if args else ''}, not in {_kubeconfig_path()}")
            del kubeconfig["contexts"][args[0]]
            out(f"deleted context {args[0]} from {_kubeconfig_path()}")
        else:
            out(json.dumps({"apiVersion": "v1", "kind": "Config", "current-context": kubeconfig.get("current", ""),
                            "contexts": [{"name": n, "context": {"cluster": f"kind-{c['cluster']}", "user": c["user"]}}
                                         for n, c in sorted(kubeconfig["contexts"].items())]}, indent=2))
    return 0


def _kubeconfig_path() -> str:
    import os

    return os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
