"""kind: argv builders and parsers (FACTS.md section 4). kind talks to Docker, not to a kube-context."""

from __future__ import annotations

import json
import re


def version() -> list[str]:
    return ["kind", "version"]


def get_clusters() -> list[str]:
    """Names on stdout; none: `No kind clusters found.` on stderr, exit 0."""
    return ["kind", "get", "clusters"]


def create_cluster(name: str, config: str, *, image: str | None = None) -> list[str]:
    # No --wait: its timeout only warns and exits 0; the cluster step waits with `kubectl wait`.
    argv = ["kind", "create", "cluster", "--name", name, "--config", str(config)]
    if image:
        argv += ["--image", image]
    return argv


def delete_cluster(name: str) -> list[str]:
    """Idempotent: exit 0 when the cluster does not exist."""
    return ["kind", "delete", "cluster", "--name", name]


def get_nodes(name: str) -> list[str]:
    return ["kind", "get", "nodes", "--name", name]


def export_kubeconfig(name: str) -> list[str]:
    """Write the cluster's context (kind-<name>) back into the kubeconfig."""
    return ["kind", "export", "kubeconfig", "--name", name]


def load_docker_images(name: str, images: list[str]) -> list[str]:
    return ["kind", "load", "docker-image", *images, "--name", name]


def load_image_archive(name: str, archive: str) -> list[str]:
    return ["kind", "load", "image-archive", str(archive), "--name", name]


def parse_lines(stdout: str) -> list[str]:
    """Cluster or node names, one per line (empty output: none)."""
    return [line.strip() for line in stdout.splitlines() if line.strip()]


def node_images(node: str, engine: str = "docker") -> list[str]:
    """The images in a node's containerd, as JSON (`images[].repoTags`): what `kind load` put there."""
    return [engine, "exec", node, "crictl", "images", "-o", "json"]


def image_tags(stdout: str) -> set[str]:
    """Every repo tag from `crictl images -o json`, fully qualified (`docker.io/kindest/...`)."""
    if not stdout.strip():
        return set()
    return {tag for image in json.loads(stdout).get("images", []) for tag in image.get("repoTags") or []}


def parse_version(stdout: str) -> str:
    """`v0.30.0` from `kind version` (`kind v0.30.0 go1.24.6 linux/amd64`)."""
    found = re.search(r"\bv\d+\.\d+\.\d+\S*", stdout)
    return found.group(0) if found else ""


def store_lacks_content(stderr: str) -> bool:
    """`kind load docker-image` failing on Docker's containerd image store (kind #3795, #3845):
    `ctr: content digest sha256:...: not found`. Saving to an archive first works around it."""
    return "content digest" in stderr and "not found" in stderr
