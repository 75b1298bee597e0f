"""docker: argv builders and parsers (FACTS.md section 8). `docker` may be podman's compatible CLI."""

from __future__ import annotations


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
    return [engine, "save", "-o", str(archive), *images]
