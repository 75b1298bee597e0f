"""Render the kind cluster config and the containerd registry-mirror files for its nodes.

With mirrors, every node's containerd reads `/etc/containerd/certs.d/<registry>/hosts.toml`
(a host directory mounted read-only into each node). Node images older than kind 0.27 (such as
the guide's kindest/node:v1.31.0) do not set containerd's `config_path`, so the config also carries
the patch that does; containerd refuses it next to the legacy `registry.mirrors` patch, so a
template holding that one is rejected (FACTS.md section 4; containerd docs/hosts.md).
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmd_sim.errors import ConfigError

if TYPE_CHECKING:
    from llmd_sim.config import Settings

CERTS_DIR = "/etc/containerd/certs.d"
CONFIG_PATH_PATCH = f'[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "{CERTS_DIR}"\n'
# Docker Hub's registry API is not served at docker.io itself.
UPSTREAM = {"docker.io": "https://registry-1.docker.io"}


def template_text(settings: Settings) -> str:
    """The user's kind_config file, or the embedded configs/kind-config.yaml."""
    if settings.kind_config:
        return Path(settings.kind_config).read_text()
    return resources.files("llmd_sim").joinpath("configs", "kind-config.yaml").read_text()


def template_digest(settings: Settings) -> str:
    return hashlib.sha256(template_text(settings).encode()).hexdigest()[:16]


def render(settings: Settings, hosts_dir: Path) -> str:
    """The kind config for this cluster, as YAML; `hosts_dir` is the host directory of hosts.toml
    files mounted into the nodes when there are registry mirrors."""
    import yaml

    source = settings.kind_config or "the embedded kind-config.yaml"
    loaded = _load(yaml, template_text(settings), source)
    config = {"kind": loaded.pop("kind"), "apiVersion": loaded.pop("apiVersion", "kind.x-k8s.io/v1alpha4"),
              "name": settings.cluster_name, **{k: v for k, v in loaded.items() if k != "name"}}
    nodes = config["nodes"]
    for node in nodes:
        node["image"] = settings.node_image  # the image the images step put on this machine
    control_plane = next(node for node in nodes if node.get("role") == "control-plane")
    control_plane["extraPortMappings"] = _port_mappings(control_plane.get("extraPortMappings") or [],
                                                        settings.port_mappings)
    if settings.registry_mirrors:
        _add_mirror_config(config, hosts_dir, source)
    header = f"# Rendered by llmd-sim from {source}: change settings or the template, not this file.\n"
    return header + yaml.dump(config, Dumper=_BlockDumper(yaml), sort_keys=False, default_flow_style=False)


def hosts_files(mirrors: dict[str, str]) -> dict[str, str]:
    """`<registry>/hosts.toml` -> its text, one per mirrored registry."""
    return {f"{registry}/hosts.toml": hosts_toml(registry, mirror) for registry, mirror in sorted(mirrors.items())}


def hosts_toml(registry: str, mirror: str) -> str:
    """containerd's per-registry config: try the mirror first, then the registry itself.

    The mirror may resolve tags too, because behind a firewall the registry cannot be asked. A
    mirror with a path (a Harbor proxy project, `harbor.corp/ghcr`) has its API under that path."""
    host, _, prefix = mirror.partition("/")
    lines = [f'server = "{UPSTREAM.get(registry, f"https://{registry}")}"', ""]
    if prefix:
        url = f"https://{host}/v2/{prefix}"
        lines += [f'[host."{url}"]', '  capabilities = ["pull", "resolve"]', "  override_path = true"]
    else:
        lines += [f'[host."https://{host}"]', '  capabilities = ["pull", "resolve"]']
    return "\n".join(lines) + "\n"


def _BlockDumper(yaml):
    """A SafeDumper writing multi-line strings (the containerd patch) as readable `|` blocks."""

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value: str):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def _load(yaml, text: str, source: str) -> dict[str, Any]:
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"kind config template {source} is not valid YAML: {exc}") from None
    if not isinstance(config, dict) or config.get("kind") != "Cluster":
        raise ConfigError(f"kind config template {source} is not a kind Cluster config",
                          hint="start from configs/kind-config.yaml")
    nodes = config.get("nodes") or [{"role": "control-plane"}]
    if not any(isinstance(node, dict) and node.get("role") == "control-plane" for node in nodes):
        raise ConfigError(f"kind config template {source} has no control-plane node")
    config["nodes"] = nodes
    return config


def _port_mappings(existing: list[dict], wanted: list[str]) -> list[dict]:
    """The template's mappings with ours (CONTAINER:HOST) added or replacing the same container
    port. Bound to 127.0.0.1: the gateway of a laptop cluster is not for the whole network."""
    ours = {}
    for mapping in wanted:
        container, host = (int(part) for part in mapping.split(":"))
        ours[container] = {"containerPort": container, "hostPort": host, "listenAddress": "127.0.0.1",
                           "protocol": "TCP"}
    kept = [entry for entry in existing if entry.get("containerPort") not in ours]
    return kept + list(ours.values())


def _add_mirror_config(config: dict[str, Any], hosts_dir: Path, source: str) -> None:
    patches = config.setdefault("containerdConfigPatches", [])
    if any("registry.mirrors" in str(patch) for patch in patches):
        raise ConfigError(
            f"kind config template {source} has a legacy registry.mirrors patch",
            hint="remove it: llmd-sim configures mirrors through hosts.toml, and containerd refuses both",
        )
    if not any("config_path" in str(patch) for patch in patches):
        patches.append(CONFIG_PATH_PATCH)
    mount = {"hostPath": str(hosts_dir), "containerPath": CERTS_DIR, "readOnly": True}
    for node in config["nodes"]:
        mounts = [m for m in node.get("extraMounts") or [] if m.get("containerPath") != CERTS_DIR]
        node["extraMounts"] = [*mounts, dict(mount)]  # a copy each: no YAML anchors in the output
