"""Container image references: parse them, name their registry, and rewrite them to a mirror."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"

# The reference grammar from distribution/reference, reduced to what we need to validate and split.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into registry, repository path, tag and digest."""

    registry: str
    path: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        """The fully qualified reference: registry/path[:tag][@digest]."""
        return self._with_version(f"{self.registry}/{self.path}")

    @property
    def familiar(self) -> str:
        """The short form people and manifests use: Docker Hub images drop `docker.io/` and `library/`."""
        if self.registry == DOCKER_HUB:
            return self._with_version(self.path.removeprefix("library/"))
        return str(self)

    def on_registry(self, registry: str) -> ImageRef:
        """The same image on another registry host (a prefix-replacement mirror keeps the path)."""
        return ImageRef(registry, self.path, self.tag, self.digest)

    def _with_version(self, repository: str) -> str:
        ref = repository
        if self.tag:
            ref += f":{self.tag}"
        if self.digest:
            ref += f"@{self.digest}"
        return ref


def parse(reference: str) -> ImageRef:
    """Parse an image reference; raises ValueError with a reason when it is not one."""
    match = _REFERENCE.match(reference)
    if not match:
        raise ValueError(f"not a valid image reference: {reference!r}")
    domain, path = match["domain"], match["path"]
    # Docker's rule: the first component is a registry only if it looks like a host.
    if domain and not ("." in domain or ":" in domain or domain == "localhost"):
        if not re.fullmatch(_COMPONENT, domain):
            raise ValueError(f"not a valid image reference: {reference!r} (repository names are lowercase)")
        domain, path = None, f"{domain}/{path}"
    if domain is None:
        domain = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    if not match["tag"] and not match["digest"]:
        raise ValueError(f"image {reference!r} has no tag: pin one, e.g. {reference}:v1.0.0")
    return ImageRef(domain, path, match["tag"], match["digest"])


def canonical(reference: str) -> str:
    """The name Kubernetes manifests and `docker images` use for an image."""
    return parse(reference).familiar


def mirrored(reference: str, mirrors: dict[str, str]) -> str:
    """Where to pull `reference` from, given a registry -> mirror host map (itself when unmapped)."""
    ref = parse(reference)
    mirror = mirrors.get(ref.registry)
    return str(ref.on_registry(mirror)) if mirror else ref.familiar
