"""`docker ps` and `docker exec` on the kind node containers: what tools use to look inside a node.

`docker exec NODE crictl images [-o json]` lists the images in the node's containerd, fully
qualified (`docker.io/kindest/...`), as kind loaded or kubelet pulled them. Any other command inside
a node is not modelled and fails loudly.
"""

from __future__ import annotations

import json

from fakeworld import world
from fakeworld.fake_docker import render
from fakeworld.toolmain import fail, out


def nodes(state: dict) -> dict[str, dict]:
    """Every kind node container by name."""
    return {node["name"]: node for cluster in state["clusters"].values() for node in cluster["nodes"]}


def ps(values: dict) -> int:
    state = world.read()
    wanted = [f.split("=", 2)[2] for f in values.get("filter", []) if f.startswith("label=io.x-k8s.kind.cluster=")]
    rows = [{"Names": node["name"], "ID": node["name"][:12], "Image": cluster["node_image"],
             "Labels": f"io.x-k8s.kind.cluster={name}"}
            for name, cluster in sorted(state["clusters"].items()) if not wanted or name in wanted
            for node in cluster["nodes"]]
    if values.get("format"):
        out(*[render(values["format"], row) for row in rows])
    else:
        out("CONTAINER ID   IMAGE   NAMES", *[f"{r['ID']}   {r['Image']}   {r['Names']}" for r in rows])
    return 0


def exec_in(args: list[str]) -> int:
    if len(args) < 2:
        fail('"docker exec" requires at least 2 arguments.', "See 'docker exec --help'.")
    node = nodes(world.read()).get(args[0])
    if node is None:
        fail(f"Error response from daemon: No such container: {args[0]}")
    command = args[1:]
    if command[:2] == ["crictl", "images"]:
        listed = [{"id": image_id, "repoTags": [name], "repoDigests": [], "size": "104857600", "uid": None,
                   "username": "", "spec": None, "pinned": False} for name, image_id in sorted(node["images"].items())]
        if command[2:] in (["-o", "json"], ["--output", "json"], ["-o=json"], ["--output=json"]):
            out(json.dumps({"images": listed}, indent=2))
        else:
            out("IMAGE    TAG    IMAGE ID    SIZE", *[f"{i['repoTags'][0].rsplit(':', 1)[0]}    "
                                                     f"{i['repoTags'][0].rsplit(':', 1)[1]}    {i['id'][7:20]}    100MB"
                                                     for i in listed])
        return 0
    fail(f"fakeworld: `{' '.join(command)}` inside a kind node is not modelled", code=126)
