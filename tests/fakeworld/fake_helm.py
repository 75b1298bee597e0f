"""Fake `helm` (3.17, or 4 with the helm_version knob): version, plugins, releases.

version, plugin list/install/uninstall, list, status, get values, uninstall, and `diff version`
once helm-diff is installed (helmfile does the diffing itself in this world). Errors are
`Error: <message>` on stderr with exit 1 (FACTS.md section 6). install/upgrade/template and the
other real subcommands are not modelled (llmd-sim drives releases through helmfile) and fail loudly.
"""

from __future__ import annotations

import json
import re

from fakeworld import flags, helmplugins, toolmain, world
from fakeworld.toolmain import fail, out

COMMIT = {"v3": "e4da49785aa6e6ee2b86efd5dd9e43400318262b", "v4": "1e84ea0c54df5bf4d0d63f86bd16d0d5e89bd06e"}
GLOBAL = flags.specs("--burst-limit=", "--debug", "--kube-apiserver=", "--kube-as-group=*", "--kube-as-user=",
                     "--kube-ca-file=", "--kube-context=", "--kube-insecure-skip-tls-verify", "--kube-tls-server-name=",
                     "--kube-token=", "--kubeconfig=", "-n,--namespace=", "--qps=", "--registry-config=",
                     "--repository-cache=", "--repository-config=", "-h,--help")
OUTPUT = "-o,--output="
COMMANDS = {
    ("version",): flags.specs("--short", "--template=", "-c,--client"),
    ("plugin", "list"): [],
    ("plugin", "install"): flags.specs("--version="),
    ("plugin", "uninstall"): [],
    ("list",): flags.specs(OUTPUT, "-a,--all", "-A,--all-namespaces", "-d,--date", "--deployed", "--failed",
                           "-f,--filter=", "-m,--max=", "--no-headers", "--offset=", "--pending", "-r,--reverse",
                           "-l,--selector=", "-q,--short", "--superseded", "--time-format=", "--uninstalled",
                           "--uninstalling"),
    ("status",): flags.specs(OUTPUT, "--revision=", "--show-desc", "--show-resources"),
    ("get", "values"): flags.specs(OUTPUT, "-a,--all", "--revision="),
    ("uninstall",): flags.specs("--cascade=", "--description=", "--dry-run", "--ignore-not-found", "--keep-history",
                                "--no-hooks", "--timeout=", "--wait"),
    ("diff", "version"): [],
}
ALIASES = {("ls",): ("list",), ("delete",): ("uninstall",), ("plugin", "ls"): ("plugin", "list"),
           ("plugin", "remove"): ("plugin", "uninstall"), ("plugin", "rm"): ("plugin", "uninstall")}
UNMODELLED = {"install", "upgrade", "template", "repo", "pull", "push", "registry", "search", "show", "dependency",
              "lint", "package", "create", "env", "test", "verify", "completion", "history", "rollback", "get"}


def main() -> None:
    toolmain.main("helm", run)


def helm_major(knob: dict) -> int:
    return int(knob["helm_version"].lstrip("v").split(".")[0])


def run(argv: list[str]) -> int:
    state = world.read()
    knob = world.knobs(state)
    global_flags = GLOBAL + (flags.specs("--color=", "--colour=", "--content-cache=") if helm_major(knob) >= 4 else [])
    words = flags.words(argv, global_flags)
    if not words:
        out("The Kubernetes package manager")
        return 0
    path = next((ALIASES.get(tuple(words[:n]), tuple(words[:n])) for n in (2, 1)
                 if ALIASES.get(tuple(words[:n]), tuple(words[:n])) in COMMANDS), None)
    if path is None or (path[0] == "diff" and "diff" not in helmplugins.installed()):
        if words[0] in UNMODELLED or (words[0] == "diff" and "diff" in helmplugins.installed()):
            fail(f"fakeworld: `helm {' '.join(words[:2])}` is not modelled by the fake world")
        if words[0] == "plugin" and len(words) > 1:
            fail(f'Error: unknown command "{words[1]}" for "helm plugin"', "Run 'helm plugin --help' for usage.")
        fail(f'Error: unknown command "{words[0]}" for "helm"', "Run 'helm --help' for usage.")
    own = COMMANDS[path] + (flags.specs("--verify=?true", "--keyring=") if path == ("plugin", "install")
                            and helm_major(knob) >= 4 else [])
    try:
        values, positionals = flags.parse(argv, global_flags + own)
    except flags.FlagError as error:
        fail(f"Error: {error}")
    args = positionals[len(path):]
    if path == ("version",):
        return version(values, knob)
    if path[0] == "plugin" or path[0] == "diff":
        return plugin(path[1], values, args, knob)
    return release_command(path, values, args)


def version(values: dict, knob: dict) -> int:
    ver = knob["helm_version"]
    commit = COMMIT["v4" if helm_major(knob) >= 4 else "v3"]
    info = {"Version": ver, "GitCommit": commit, "GitTreeState": "clean", "GoVersion": "go1.24.6"}
    if values.get("template"):
        out(re.sub(r"\{\{\s*\.(\w+)\s*\}\}", lambda m: info.get(m.group(1), "<no value>"), values["template"]))
    elif values.get("short"):
        out(f"{ver}+g{commit[:7]}")
    else:
        out("version.BuildInfo{" + ", ".join(f'{k}:"{v}"' for k, v in info.items()) + "}")
    return 0


def plugin(command: str, values: dict, args: list[str], knob: dict) -> int:
    if command == "version":
        out(helmplugins.installed()["diff"]["version"])
        return 0
    if command == "list":
        rows = [["NAME", "VERSION", "DESCRIPTION"]] + [[name, p.get("version", ""), p.get("description", "")]
                                                       for name, p in sorted(helmplugins.installed().items())]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        out(*["\t".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows])
        return 0
    if not args:
        fail("Error: requires at least 1 argument")
    if command == "uninstall":
        try:
            helmplugins.uninstall(args[0])
        except ValueError as error:
            fail(f"Error: {error}")
        out(f"Uninstalled plugin: {args[0]}")
        return 0
    source = args[0]
    if helm_major(knob) >= 4 and not args[0].startswith("/") and str(values.get("verify", "true")).lower() != "false":
        fail("Error: plugin source does not support verification. Use --verify=false to skip verification")
    world.take_time(knob, "helm plugin install")
    try:
        name = helmplugins.install(source, values.get("version"), knob)
    except ValueError as error:
        fail(f"Error: {error}")
    out(f"Installed plugin: {name}")
    return 0


def release_command(path: tuple[str, ...], values: dict, args: list[str]) -> int:
    from fakeworld import clusters, releases

    toolmain.touches_cluster()
    namespace = values.get("namespace") or "default"
    with world.locked() as state:
        knob = world.knobs(state)
        try:
            _, cluster = clusters.context_cluster(state, values.get("kube-context"), knob)
        except clusters.Unreachable as error:
            fail(clusters.helm_message(error))
        now = world.now()
        clusters.prepare(state, cluster, knob, now)
        if path == ("list",):
            return list_releases(cluster, values, namespace)
        if not args:
            fail(f'Error: "helm {" ".join(path)}" requires at least 1 argument')
        if path == ("uninstall",):
            for name in args:
                if not releases.uninstall(cluster, name, namespace) and not values.get("ignore-not-found"):
                    fail(f"Error: uninstall: Release not loaded: {name}: release: not found")
                out(f'release "{name}" uninstalled')
            return 0
        release = cluster["releases"].get(f"{namespace}/{args[0]}")
        if release is None:
            fail("Error: release: not found")
        if path == ("get", "values"):
            data = release["values"] if values.get("all") else release.get("user_values", {})
            out(json.dumps(data) if values.get("output") == "json" else "USER-SUPPLIED VALUES:\n" + json.dumps(data))
            return 0
        described = releases.describe(release)
        if values.get("output") == "json":
            out(json.dumps(described))
        else:
            out(f"NAME: {release['name']}", f"LAST DEPLOYED: {described['info']['last_deployed']}",
                f"NAMESPACE: {release['namespace']}", f"STATUS: {release['status']}",
                f"REVISION: {release['revision']}")
        return 0


def list_releases(cluster: dict, values: dict, namespace: str) -> int:
    from fakeworld import releases

    picked = {status for flag, status in (("deployed", "deployed"), ("failed", "failed"), ("superseded", "superseded"),
                                          ("uninstalled", "uninstalled"), ("uninstalling", "uninstalling"))
              if values.get(flag)}
    if values.get("pending"):
        picked |= {"pending-install", "pending-upgrade", "pending-rollback"}
    shown = [r for r in cluster["releases"].values()
             if (values.get("all-namespaces") or r["namespace"] == namespace)
             and (values.get("all") or r["status"] in (picked or {"deployed", "failed"}))
             and (not values.get("filter") or re.search(values["filter"], r["name"]))]
    shown.sort(key=lambda r: r["name"], reverse=bool(values.get("reverse")))
    entries = [releases.list_entry(r) for r in shown]
    output = values.get("output", "table")
    if output == "json":
        out(json.dumps(entries))
    elif output == "yaml":
        import yaml

        out(yaml.safe_dump(entries).rstrip() if entries else "[]")
    elif values.get("short"):
        out(*[e["name"] for e in entries])
    else:
        columns = ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
        rows = [columns] + [[e["name"], e["namespace"], e["revision"], e["updated"], e["status"], e["chart"],
                             e["app_version"]] for e in entries]
        widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
        out(*["\t".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows][1 if values.get("no-headers")
                                                                                         else 0:])
    return 0
