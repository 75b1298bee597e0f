"""`kind load docker-image` and `kind load image-archive`: images from the Docker host into the nodes.

As kind does: an image missing on the host fails (`ERROR: image: "X" not present locally`); an image
whose ID every node already has is reported `found to be already present on all nodes.` and not
loaded; otherwise one save is imported into the nodes that lack it. The containerd_store knob plays
Docker's containerd image store, where the direct load fails with `content digest ... not found`
(kind #3795) and `docker save` + `kind load image-archive` works.
"""

from __future__ import annotations

from fakeworld import images, world
from fakeworld.toolmain import err, fail


def load(kind: str, values: dict, args: list[str], name: str) -> int:
    return docker_image(values, args, name) if kind == "docker-image" else image_archive(values, args, name)


def _target_nodes(cluster: dict | None, values: dict, name: str) -> list[dict]:
    if not cluster:
        fail(f'ERROR: no nodes found for cluster "{name}"')
    wanted = values.get("nodes")
    for node_name in wanted or []:
        if node_name not in [node["name"] for node in cluster["nodes"]]:
            fail(f'ERROR: unknown node: "{node_name}"')
    return [node for node in cluster["nodes"] if not wanted or node["name"] in wanted]


def docker_image(values: dict, args: list[str], name: str) -> int:
    if not args:
        fail("ERROR: name of image is required")
    state = world.read()
    knob = world.knobs(state)
    wanted = {}
    for reference in args:
        stored = images.canonical(reference)
        if stored not in state["docker"]["images"]:
            fail(f'ERROR: image: "{reference}" not present locally')
        wanted[reference] = (stored, state["docker"]["images"][stored]["id"])
    nodes = _target_nodes(state["clusters"].get(name), values, name)
    selected = False
    for reference, (stored, image_id) in wanted.items():
        lacking = [node["name"] for node in nodes if node["images"].get(stored) != image_id]
        for node_name in lacking:
            err(f'Image: "{reference}" with ID "{image_id}" not yet present on node "{node_name}", loading...')
        if not lacking:
            err(f'Image: "{reference}" with ID "{image_id}" found to be already present on all nodes.')
        selected = selected or bool(lacking)
    if not selected:
        return 0
    if knob.get("containerd_store"):
        digest = images.image_id(next(iter(wanted.values()))[0] + "/content")
        fail(f'ERROR: failed to load image: command "docker exec --privileged -i {nodes[0]["name"]} ctr '
             '--namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: '
             f"exit status 1\nCommand Output: ctr: content digest {digest}: not found")
    return _load(name, {stored: image_id for stored, image_id in wanted.values()}, values, knob)


def _load(name: str, loaded: dict[str, str], values: dict, knob: dict) -> int:
    world.take_time(knob, "kind load")
    with world.locked() as state:
        for node in _target_nodes(state["clusters"].get(name), values, name):
            node["images"].update(loaded)
    return 0


def image_archive(values: dict, args: list[str], name: str) -> int:
    from fakeworld.fake_docker import read_archive

    if len(args) != 1:
        fail("ERROR: name of image archive is required")
    state = world.read()
    nodes = _target_nodes(state["clusters"].get(name), values, name)
    try:
        archive = read_archive(args[0])
    except OSError:
        fail(f"ERROR: failed to open image archive: open {args[0]}: no such file or directory")
    except ValueError:
        fail(f'ERROR: failed to load image: command "docker exec --privileged -i {nodes[0]["name"]} ctr '
             '--namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: '
             "exit status 1\nCommand Output: ctr: unrecognized image format")
    return _load(name, archive, values, world.knobs(state))
