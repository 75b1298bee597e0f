"""Load host images into the kind nodes: only those not yet on every node, with one `kind load`
for all of them, falling back to an image archive where `kind load docker-image` cannot work
(Docker's containerd image store, kind #3795; podman, which `kind load docker-image` never uses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmd_sim import imageref
from llmd_sim.errors import CommandError
from llmd_sim.tools import docker, kind

if TYPE_CHECKING:
    from llmd_sim.context import Context


def images_for_nodes(ctx: Context) -> list[str]:
    """The images pods run: every image but the node image (which the nodes are made of)."""
    return [image for image in ctx.settings.all_images if image != ctx.settings.node_image]


def missing_on_nodes(ctx: Context, engine: str, nodes: list[str], images: list[str]) -> list[str]:
    """Images absent from at least one node, by the repo tags in each node's containerd. With no
    node known (as in dry-run), all of them."""
    if not nodes:
        return list(images)
    wanted = {image: str(imageref.parse(image)) for image in images}  # containerd's fully qualified names
    missing: list[str] = []
    for node in nodes:
        result = ctx.runner.run(kind.node_images(node, engine), check=False, reads=True)
        tags = kind.image_tags(result.stdout) if result.ok else set()
        missing += [image for image, name in wanted.items() if name not in tags and image not in missing]
    return [image for image in images if image in missing]


def load(ctx: Context, engine: str, images: list[str]) -> str:
    """Put `images` into every node of the cluster; returns how ("docker-image" or "image-archive")."""
    name = ctx.settings.cluster_name
    local = [docker.local_name(image, engine) for image in images]
    if engine == "podman":
        _load_archive(ctx, engine, local)
        return "image-archive"
    try:
        ctx.runner.run(kind.load_docker_images(name, local), hint="is every image on this machine? "
                       "`llmd-sim step images` pulls them")
    except CommandError as err:
        if not kind.store_lacks_content(err.stderr):
            raise
        ctx.ui.progress_note("kind cannot read this image store directly; loading through an archive")
        _load_archive(ctx, engine, local)
        return "image-archive"
    return "docker-image"


def _load_archive(ctx: Context, engine: str, local: list[str]) -> None:
    """`<engine> save` all images into one archive, `kind load image-archive` it, delete it."""
    archive = ctx.paths.cache_dir / f"kind-load-{ctx.settings.cluster_name}.tar"
    if not ctx.dry_run:
        archive.parent.mkdir(parents=True, exist_ok=True)
    try:
        ctx.runner.run(docker.save(str(archive), local, engine))
        ctx.runner.run(kind.load_image_archive(ctx.settings.cluster_name, str(archive)))
    finally:
        if not ctx.dry_run:
            archive.unlink(missing_ok=True)  # several GB: never leave it behind
