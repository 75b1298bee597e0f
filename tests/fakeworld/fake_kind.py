"""Fake `kind` (v0.30): clusters as Docker containers, kubeconfig contexts, loading images into nodes.

As kind does (FACTS.md section 4): progress and errors on stderr, data on stdout; every error is
`ERROR: <message>` with exit 1, flag errors included (`ERROR: unknown flag: --x`).
"""

from __future__ import annotations

import json
import os
import time

from fakeworld import flags, toolmain, world
from fakeworld.toolmain import err, fail, out

VERSION = "v0.30.0"
GLOBAL = flags.specs("-v,--verbosity=", "-q,--quiet", "--loglevel=", "-h,--help")
NAME = "-n,--name="
COMMANDS = {
    ("version",): [],
    ("get", "clusters"): [],
    ("get", "nodes"): flags.specs(NAME, "-A,--all-clusters"),
    ("get", "kubeconfig"): flags.specs(NAME, "--internal"),
    ("create", "cluster"): flags.specs(NAME, "--config=", "--image=", "--retain", "--wait=", "--kubeconfig="),
    ("delete", "cluster"): flags.specs(NAME, "--kubeconfig="),
    ("delete", "clusters"): flags.specs("-A,--all", "--kubeconfig="),
    ("export", "kubeconfig"): flags.specs(NAME, "--kubeconfig=", "--internal"),
    ("load", "docker-image"): flags.specs(NAME, "--nodes=*"),
    ("load", "image-archive"): flags.specs(NAME, "--nodes=*"),
}
GROUPS = {"get", "create", "delete", "export", "load", "build", "completion"}
LIST_NODES = "command \"docker ps -a --filter label=io.x-k8s.kind.cluster={name} --format '{{{{.Names}}}}'\" failed " \
             "with error: exit status 1"


def main() -> None:
    toolmain.main("kind", run)


def run(argv: list[str]) -> int:
    words = flags.words(argv, GLOBAL)
    if "--version" in argv and not words:
        out(f"kind version {VERSION.lstrip('v')}")
        return 0
    if not words:
        err("kind creates and manages local Kubernetes clusters using Docker container 'nodes'")
        return 0
    if words[0] not in GROUPS and (words[0],) not in COMMANDS:
        fail(f'ERROR: unknown command "{words[0]}" for "kind"')
    path = tuple(words[:1]) if (words[0],) in COMMANDS else tuple(words[:2])
    if path not in COMMANDS:
        if len(path) < 2:
            err(f"Usage:\n  kind {words[0]} [command]")
            return 0
        fail(f'ERROR: unknown command "{path[1]}" for "kind {path[0]}"')
    try:
        values, positionals = flags.parse(argv, GLOBAL + COMMANDS[path])
    except flags.FlagError as error:
        fail(f"ERROR: {error}")
    args = positionals[len(path):]
    if path == ("version",):
        out(f"kind {VERSION} go1.24.6 linux/amd64")
        return 0
    name = values.get("name") or os.environ.get("KIND_CLUSTER_NAME") or "kind"
    if path[0] == "load":
        from fakeworld import kind_load

        return kind_load.load(path[1], values, args, name)
    return globals()["cmd_" + "_".join(path)](values, args, name)


def _docker_up(knob: dict, failure: str) -> None:
    if knob["docker_down"]:
        fail(f"ERROR: {failure}", f"\nCommand Output: {world.DOCKER_DOWN}")


def cmd_get_clusters(values: dict, args: list[str], name: str) -> int:
    state = world.read()
    _docker_up(world.knobs(state), "failed to list clusters: command \"docker ps -a --filter "
                                   "label=io.x-k8s.kind.cluster --format '{{.Label \"io.x-k8s.kind.cluster\"}}'\" "
                                   "failed with error: exit status 1")
    names = sorted(state["clusters"])
    if not names:
        err("No kind clusters found.")
    out(*names)
    return 0


def cmd_get_nodes(values: dict, args: list[str], name: str) -> int:
    state = world.read()
    _docker_up(world.knobs(state), f"failed to list nodes: {LIST_NODES.format(name=name)}")
    chosen = state["clusters"].values() if values.get("all-clusters") else [state["clusters"].get(name)]
    nodes = [node["name"] for cluster in chosen if cluster for node in cluster["nodes"]]
    if not nodes:
        err(f'No kind nodes found for cluster "{name}".')
    out(*nodes)
    return 0


def _kubeconfig_yaml(name: str, cluster: dict) -> str:
    context = f"kind-{name}"
    return (f"apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: RkFLRQ==\n"
            f"    server: https://127.0.0.1:{cluster['api_port']}\n  name: {context}\ncontexts:\n- context:\n"
            f"    cluster: {context}\n    user: {context}\n  name: {context}\ncurrent-context: {context}\n"
            f"kind: Config\npreferences: {{}}\nusers:\n- name: {context}\n  user:\n"
            f"    client-certificate-data: RkFLRQ==\n    client-key-data: RkFLRQ==")


def _require(state: dict, name: str) -> dict:
    cluster = state["clusters"].get(name)
    if cluster is None:
        fail(f"ERROR: could not locate any control plane nodes for cluster named '{name}'. "
             "Use the --name option to select a different cluster")
    return cluster


def cmd_get_kubeconfig(values: dict, args: list[str], name: str) -> int:
    out(_kubeconfig_yaml(name, _require(world.read(), name)))
    return 0


def cmd_export_kubeconfig(values: dict, args: list[str], name: str) -> int:
    from fakeworld import clusters

    with world.locked() as state:
        clusters.add_context(state, name, _require(state, name))
    err(f'Set kubectl context to "kind-{name}"')
    return 0


def cmd_create_cluster(values: dict, args: list[str], name: str) -> int:
    from fakeworld import clusters, kindconfig

    state = world.read()
    knob = world.knobs(state)
    try:
        config = kindconfig.load(values.get("config"))
    except kindconfig.ConfigError as error:
        fail(f"ERROR: failed to create cluster: {error}")
    name = values.get("name") or config.get("name") or os.environ.get("KIND_CLUSTER_NAME") or "kind"
    _docker_up(knob, f"failed to create cluster: failed to list nodes: {LIST_NODES.format(name=name)}")
    if not clusters.valid_name(name):
        fail(f'ERROR: failed to create cluster: \'{name}\' is not a valid cluster name, cluster names must match '
             "`^[a-z0-9.-]+$`")
    if name in state["clusters"]:
        fail(f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"')
    node_image = values.get("image") or next((n["image"] for n in config["nodes"] if n.get("image")),
                                             kindconfig.DEFAULT_NODE_IMAGE)
    nodes = kindconfig.node_names(name, config)
    err(f'Creating cluster "{name}" ...')
    _ensure_node_image(state, knob, node_image)
    err(f" ✓ Ensuring node image ({node_image}) 🖼", f" ✓ Preparing nodes {'📦 ' * len(nodes)}".rstrip())
    ports = kindconfig.port_mappings(config)
    taken = {port: other for other, cluster in state["clusters"].items() for port in cluster["ports"]}
    clash = next((port for port in ports if port in taken), None)
    if clash:
        fail(f"ERROR: failed to create cluster: command \"docker run --name {name}-control-plane ...\" failed with "
             f"error: exit status 125\nCommand Output: docker: Error response from daemon: driver failed programming "
             f"external connectivity on endpoint {name}-control-plane: Bind for 0.0.0.0:{clash} failed: port is "
             "already allocated.")
    err(" ✓ Writing configuration 📜")
    try:
        registry = kindconfig.registry(config, node_image)
    except kindconfig.ConfigError as error:
        err(" ✗ Starting control-plane 🕹️",  # kind removes the failed nodes (--retain is not modelled)
            "Deleted nodes: [" + " ".join(json.dumps(node) for node, _ in nodes) + "]")
        fail(f'ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged '
             f'{name}-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with '
             f'error: exit status 1\nCommand Output: [kubelet-check] The kubelet is not running\ncontainerd: level=fatal '
             f'msg="failed to load plugin io.containerd.grpc.v1.cri" error="invalid plugin config: {error}"')
    world.take_time(knob, "kind create cluster")
    with world.locked() as state:
        if name in state["clusters"]:
            fail(f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"')
        cluster = clusters.new_cluster(state, name, nodes, node_image, registry, ports, knob, world.now())
        state["clusters"][name] = cluster
        clusters.add_context(state, name, cluster)
    err(" ✓ Starting control-plane 🕹️", " ✓ Installing CNI 🔌", " ✓ Installing StorageClass 💾")
    if len(nodes) > 1:
        err(" ✓ Joining worker nodes 🚜")
    _wait_ready(values.get("wait"), cluster)
    err(f'Set kubectl context to "kind-{name}"', "You can now use your cluster with:", "",
        f"kubectl cluster-info --context kind-{name}", "", "Have a nice day! 👋")
    return 0


def _ensure_node_image(state: dict, knob: dict, node_image: str) -> None:
    """kind uses a local image of that exact name, else it runs `docker pull`."""
    from fakeworld import images

    if images.canonical(node_image) in state["docker"]["images"]:
        return
    problem = images.docker_pull_error(node_image, state, knob)
    if problem:
        err(f" ✗ Ensuring node image ({node_image}) 🖼")
        fail(f'ERROR: failed to create cluster: failed to pull image "{node_image}": command "docker pull '
             f'{node_image}" failed with error: exit status 1', f"Command Output: {problem}")
    world.take_time(knob, "docker pull")
    upstream_name, _ = images.upstream(node_image, knob)
    with world.locked() as state:
        state["docker"]["images"][images.canonical(node_image)] = {"id": images.image_id(upstream_name),
                                                                   "pulled": world.now()}


def _wait_ready(wait: str | None, cluster: dict) -> None:
    """--wait blocks until the nodes are Ready, and only warns when it runs out (exit 0 anyway)."""
    if not wait:
        return
    try:
        limit = flags.duration(wait)
    except ValueError as error:
        fail(f'ERROR: invalid argument "{wait}" for "--wait" flag: {error}')
    ready_at = max(node["ready_at"] for node in cluster["nodes"])
    time.sleep(max(0.0, min(limit, ready_at - world.now())))
    if world.now() < ready_at:
        err(" ✗ Waiting ≤ {} for control-plane = Ready ⏳".format(wait), " • WARNING: Timed out waiting for Ready ⚠️")
    else:
        err(f" ✓ Waiting ≤ {wait} for control-plane = Ready ⏳", f" • Ready after {int(limit)}s 💚")


def _delete(state: dict, name: str) -> list[str]:
    cluster = state["clusters"].pop(name, None)
    contexts = state["kubeconfig"]["contexts"]
    contexts.pop(f"kind-{name}", None)
    if state["kubeconfig"].get("current") == f"kind-{name}":
        state["kubeconfig"]["current"] = ""
    return [node["name"] for node in cluster["nodes"]] if cluster else []


def cmd_delete_cluster(values: dict, args: list[str], name: str) -> int:
    knob = world.knobs(world.read())
    _docker_up(knob, f'failed to delete cluster "{name}": failed to list nodes: {LIST_NODES.format(name=name)}')
    err(f'Deleting cluster "{name}" ...')
    if name in world.read()["clusters"]:
        world.take_time(knob, "kind delete cluster")
    with world.locked() as state:
        nodes = _delete(state, name)
    if nodes:
        err("Deleted nodes: [" + " ".join(json.dumps(node) for node in nodes) + "]")
    return 0


def cmd_delete_clusters(values: dict, args: list[str], name: str) -> int:
    with world.locked() as state:
        names = sorted(state["clusters"]) if values.get("all") else args
        for each in names:
            _delete(state, each)
    err(f"Deleted clusters: {json.dumps(names)}")
    return 0
