"""Image references, IDs, registries and pulls: what Docker on the host and containerd in a node see.

A registry serves the images of the world's catalog (upstream names). A prefix-replacement mirror
(DaoCloud's hosts, or any host the world maps to a registry) serves the same images under its own
host, with identical content, so a pulled-and-retagged image has the same ID as the original.
A host the world marks unreachable fails every request the way Go's resolver does.
"""

from __future__ import annotations

import hashlib
import re

DAOCLOUD = {
    "docker.m.daocloud.io": "docker.io",
    "ghcr.m.daocloud.io": "ghcr.io",
    "gcr.m.daocloud.io": "gcr.io",
    "k8s.m.daocloud.io": "registry.k8s.io",
    "quay.m.daocloud.io": "quay.io",
    "k8s-gcr.m.daocloud.io": "k8s.gcr.io",
}
_REF = re.compile(r"^(?P<name>[a-zA-Z0-9][a-zA-Z0-9._/:-]*?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


class BadReference(ValueError):
    pass


def split(reference: str) -> tuple[str, str, str]:
    """(registry host, repository path, tag or @digest) the way Docker normalizes names."""
    match = _REF.match(reference.strip())
    if not match or match["name"].lower() != match["name"]:
        raise BadReference(f'invalid reference format: repository name ({reference}) must be lowercase')
    name = match["name"]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = "docker.io", name
        if "/" not in path:
            path = f"library/{path}"
    version = f"@{match['digest']}" if match["digest"] else (match["tag"] or "latest")
    return host, path, version


def canonical(reference: str) -> str:
    """`kindest/node:v1` -> `docker.io/kindest/node:v1` (the key images are stored under)."""
    host, path, version = split(reference)
    sep = "" if version.startswith("@") else ":"
    return f"{host}/{path}{sep}{version}"


def familiar(reference: str) -> str:
    """How Docker prints a name: Docker Hub images lose `docker.io/` and `library/`."""
    host, path, version = split(reference)
    sep = "" if version.startswith("@") else ":"
    if host == "docker.io":
        return f"{path.removeprefix('library/')}{sep}{version}"
    return f"{host}/{path}{sep}{version}"


def mirror_map(knob: dict) -> dict[str, str]:
    """mirror host (optionally with a path prefix) -> the registry it mirrors."""
    return {**DAOCLOUD, **knob.get("mirror_hosts", {})}


def upstream(reference: str, knob: dict) -> tuple[str, str]:
    """(the image's upstream canonical name, the host actually contacted) for a reference that may
    name a mirror: `ghcr.m.daocloud.io/llm-d/x:v` -> (`ghcr.io/llm-d/x:v`, `ghcr.m.daocloud.io`)."""
    name = canonical(reference)
    host, path = name.split("/", 1)
    for mirror, registry in sorted(mirror_map(knob).items(), key=lambda item: -len(item[0])):
        if name.startswith(mirror + "/"):
            rest = name[len(mirror) + 1:]
            return f"{registry}/{rest}", host
    return name, host


def image_id(upstream_name: str) -> str:
    """Content-derived ID: the same image through any mirror has the same ID."""
    return "sha256:" + hashlib.sha256(upstream_name.encode()).hexdigest()


def reachable(host: str, knob: dict) -> bool:
    blocked = set(knob.get("unreachable", []))
    if "github" in blocked and (host in ("github.com", "raw.githubusercontent.com", "objects.githubusercontent.com")
                                or host.endswith(".github.io")):
        return False
    return host not in blocked


def dns_error(host: str) -> str:
    return f"dial tcp: lookup {host} on 127.0.0.53:53: no such host"


def docker_pull_error(reference: str, state: dict, knob: dict) -> str | None:
    """Why `docker pull reference` fails (Docker's wording), or None when it succeeds."""
    name, host = upstream(reference, knob)
    if not reachable(host, knob):
        return f'Error response from daemon: Get "https://{_api_host(host)}/v2/": {dns_error(_api_host(host))}'
    if name not in state.get("catalog", []):
        if name.startswith("docker.io/") and host == "docker.io":
            repo = familiar(reference).rsplit(":", 1)[0]
            return (f"Error response from daemon: pull access denied for {repo}, repository does not exist or "
                    "may require 'docker login': denied: requested access to the resource is denied")
        return "Error response from daemon: manifest unknown"
    return None


def node_pull_error(reference: str, registry_config: dict, state: dict, knob: dict) -> str | None:
    """Why containerd in a kind node cannot pull `reference` (the kubelet event text), or None.

    containerd tries the `[host]` entries of the registry's hosts.toml in order (when the node reads
    certs.d at all), then the upstream server."""
    name, host = upstream(reference, knob)
    config = registry_config.get("hosts", {}).get(host, {}) if registry_config.get("config_path") else {}
    candidates = [*config.get("mirrors", []), config.get("server") or _api_host(host)]
    if not any(reachable(c.split("/", 1)[0], knob) and _serves(c, host, knob) for c in candidates):
        path, _, version = canonical(reference).split("/", 1)[1].rpartition(":")
        api = _api_host(host)
        return (f'failed to pull and unpack image "{canonical(reference)}": failed to resolve reference '
                f'"{canonical(reference)}": failed to do request: Head "https://{api}/v2/{path}/manifests/'
                f'{version}": {dns_error(api)}')
    if name not in state.get("catalog", []):
        return (f'failed to pull and unpack image "{canonical(reference)}": failed to resolve reference '
                f'"{canonical(reference)}": {canonical(reference)}: not found')
    return None


def _serves(candidate: str, registry: str, knob: dict) -> bool:
    """Whether a hosts.toml entry can serve images of `registry` (the registry itself or its mirror)."""
    location = re.sub(r"^https?://", "", candidate).rstrip("/").replace("/v2/", "/").removesuffix("/v2")
    if location.split("/", 1)[0] in (registry, _api_host(registry)):
        return True
    return any(location == mirror and target == registry for mirror, target in mirror_map(knob).items())


def _api_host(host: str) -> str:
    return "registry-1.docker.io" if host == "docker.io" else host
