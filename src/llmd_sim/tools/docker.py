"""docker: argv builders and parsers (FACTS.md section 8). `engine` may be "podman", whose CLI
takes the same commands; kind drives podman when KIND_EXPERIMENTAL_PROVIDER=podman."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from llmd_sim import imageref

# How each engine says an image is missing from `image inspect` (docker: exit 1, podman: exit 125).
_MISSING_IMAGE = (
    # docker: "Error response from daemon: No such image: X" (older CLIs) or "Error: No such image: X"
    re.compile(r"No such image: (\S+)", re.IGNORECASE),
    re.compile(r"Error: (\S+): image not known"),  # podman
)


def engine_for(env: Mapping[str, str]) -> str:
    """The container engine kind will use: podman when asked for, else docker."""
    return "podman" if env.get("KIND_EXPERIMENTAL_PROVIDER", "").strip() == "podman" else "docker"


def info(engine: str = "docker") -> list[str]:
    """Exit code != 0 when the daemon is down (the text varies by version: never match it)."""
    return [engine, "info", "--format", "{{json .}}"]


def version(engine: str = "docker") -> list[str]:
    return [engine, "version", "--format", "{{.Client.Version}}"]


def image_ids(images: list[str], engine: str = "docker") -> list[str]:
    """One ID line per present image; exit 1 with `No such image: X` on stderr if any is missing."""
    return [engine, "image", "inspect", "--format", "{{.Id}}", *images]


def pull(image: str, engine: str = "docker") -> list[str]:
    return [engine, "pull", image]


def tag(source: str, target: str, engine: str = "docker") -> list[str]:
    return [engine, "tag", source, target]


def save(archive: str, images: list[str], engine: str = "docker") -> list[str]:
    # podman writes one image per archive unless told otherwise (docker-archive format only).
    multi = ["--multi-image-archive"] if engine == "podman" and len(images) > 1 else []
    return [engine, "save", *multi, "-o", str(archive), *images]


def exec_in(container: str, *args: str, engine: str = "docker") -> list[str]:
    """Run a command inside a container (a kind node)."""
    return [engine, "exec", container, *args]


def local_name(reference: str, engine: str = "docker") -> str:
    """The name an image has on the host once pulled: docker's familiar form (`kindest/node:v1`),
    podman's fully qualified one (podman would file an unqualified tag under localhost/)."""
    return str(imageref.parse(reference)) if engine == "podman" else imageref.canonical(reference)


def missing_images(images: list[str], stdout: str, stderr: str, returncode: int) -> list[str]:
    """Which of `images` an `image inspect` of all of them did not find.

    Everything found: exit 0 and one line each. Otherwise the engine names each missing image on
    stderr; when it names none (or the output is empty, as in dry-run), all count as missing."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if returncode == 0 and len(lines) == len(images):
        return []
    named = named_missing(stderr)
    missing = [image for image in images if _same_image_key(image) in named]
    return missing or list(images)


def named_missing(stderr: str) -> set[str]:
    """The images an `image inspect` said it does not have (fully qualified names)."""
    return {_same_image_key(match) for pattern in _MISSING_IMAGE for match in pattern.findall(stderr)}


def resources(stdout: str) -> tuple[int | None, int | None]:
    """(memory bytes, CPUs) of the engine from `info --format '{{json .}}'`: docker's MemTotal and
    NCPU, or podman's host.memTotal and host.cpus. None where the answer lacks it."""
    try:
        data = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        return None, None
    host = data.get("host") if isinstance(data.get("host"), dict) else {}
    memory = data.get("MemTotal") or host.get("memTotal")
    cpus = data.get("NCPU") or host.get("cpus")
    return (int(memory) if memory else None), (int(cpus) if cpus else None)


def client_version(stdout: str) -> str:
    return stdout.strip().splitlines()[0] if stdout.strip() else ""


def _same_image_key(reference: str) -> str:
    """Compare image names the way the engine does: `kindest/node:x` == `docker.io/kindest/node:x`."""
    try:
        return str(imageref.parse(reference.strip().strip("'\"")))
    except ValueError:
        return reference
