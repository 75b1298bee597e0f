"""Reading a kind cluster config the way kind and the nodes' containerd do.

kind decodes `kind.x-k8s.io/v1alpha4` Cluster configs strictly (an unknown field is an error).
Registry mirrors: containerd reads `<config_path>/<registry>/hosts.toml` only when the
`config_path` patch is present (or the node image defaults to it, kind >= 0.27 images); the
directory reaches the node through an extraMount. A legacy `registry.mirrors` patch beside
`config_path` makes containerd refuse to start, so the control plane never comes up.
"""

from __future__ import annotations

import os
import re

CLUSTER_FIELDS = {"kind", "apiVersion", "name", "nodes", "networking", "featureGates", "runtimeConfig",
                  "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902", "containerdConfigPatches",
                  "containerdConfigPatchesJSON6902"}
NODE_FIELDS = {"role", "image", "labels", "extraMounts", "extraPortMappings", "kubeadmConfigPatches",
               "kubeadmConfigPatchesJSON6902"}
MOUNT_FIELDS = {"hostPath", "containerPath", "readOnly", "selinuxRelabel", "propagation"}
PORT_FIELDS = {"containerPort", "hostPort", "listenAddress", "protocol"}
NETWORKING_FIELDS = {"ipFamily", "apiServerPort", "apiServerAddress", "podSubnet", "serviceSubnet",
                     "disableDefaultCNI", "kubeProxyMode", "dnsSearch"}
DEFAULT_NODE_IMAGE = "kindest/node:v1.31.0"


class ConfigError(Exception):
    pass


def load(path: str | None, text: str | None = None) -> dict:
    """The decoded config; ConfigError with kind's wording when it cannot be used."""
    if path is None and text is None:
        return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "nodes": [{"role": "control-plane"}]}
    import yaml

    if text is None:
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError as error:
            raise ConfigError(f"error reading file: open {path}: {error.strerror.lower()}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"unable to decode config: {error}") from None
    if data.get("apiVersion") != "kind.x-k8s.io/v1alpha4" or data.get("kind") != "Cluster":
        raise ConfigError(f"unknown apiVersion: {data.get('apiVersion', '')}")
    _strict(data, CLUSTER_FIELDS, "v1alpha4.Cluster")
    for node in data.get("nodes") or []:
        _strict(node, NODE_FIELDS, "v1alpha4.Node")
        if node.get("role") not in ("control-plane", "worker"):
            raise ConfigError(f"invalid configuration: unknown node role {node.get('role')!r}")
        for mount in node.get("extraMounts") or []:
            _strict(mount, MOUNT_FIELDS, "v1alpha4.Mount")
        for port in node.get("extraPortMappings") or []:
            _strict(port, PORT_FIELDS, "v1alpha4.PortMapping")
    _strict(data.get("networking") or {}, NETWORKING_FIELDS, "v1alpha4.Networking")
    data["nodes"] = data.get("nodes") or [{"role": "control-plane"}]
    return data


def _strict(data: dict, allowed: set[str], type_name: str) -> None:
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise ConfigError(f"unable to decode config: yaml: unmarshal errors:\n  field {unknown[0]} not found in "
                          f"type {type_name}")


def node_names(cluster_name: str, config: dict) -> list[tuple[str, str]]:
    """(node name, role): kind names them <name>-control-plane, <name>-worker, <name>-worker2, ..."""
    names, counts = [], {"control-plane": 0, "worker": 0}
    for node in config["nodes"]:
        role = node["role"]
        counts[role] += 1
        suffix = role if counts[role] == 1 else f"{role}{counts[role]}"
        names.append((f"{cluster_name}-{suffix}", role))
    return names


def registry(config: dict, node_image: str) -> list[dict]:
    """What each node's containerd will use for pulls, in the config's node order:
    {"config_path": bool, "hosts": {registry: {...}}} - a node sees only the hosts.toml files
    mounted into it. ConfigError when containerd would refuse the config."""
    patches = "\n".join(config.get("containerdConfigPatches") or [])
    found = re.search(r'config_path\s*=\s*"([^"]*)"', patches)
    legacy = re.search(r"registry\.mirrors", patches)
    if found and legacy:
        raise ConfigError("`mirrors` cannot be set when `config_path` is provided")
    config_path = found.group(1) if found else ("/etc/containerd/certs.d" if _defaults_to_certs_d(node_image) else "")
    return [{"config_path": bool(config_path), "hosts": _mounted_hosts(node, config_path)}
            for node in config["nodes"]]


def _mounted_hosts(node: dict, config_path: str) -> dict:
    hosts = {}
    for mount in node.get("extraMounts") or [] if config_path else []:
        if mount.get("containerPath", "").rstrip("/") == config_path.rstrip("/"):
            hosts.update(read_hosts_dir(mount["hostPath"]))
    return hosts


def _defaults_to_certs_d(node_image: str) -> bool:
    """Node images built for kind >= 0.27 set config_path themselves (v1.31.6+, v1.32.2+, v1.33+)."""
    match = re.search(r":v1\.(\d+)\.(\d+)", node_image)
    if not match:
        return False
    minor, patch = int(match.group(1)), int(match.group(2))
    return minor >= 33 or (minor == 32 and patch >= 2) or (minor == 31 and patch >= 6)


def read_hosts_dir(directory: str) -> dict:
    """registry -> {"server": host, "mirrors": [host[/path], ...]} from <dir>/<registry>/hosts.toml."""
    hosts = {}
    if not os.path.isdir(directory):
        return hosts
    for registry_name in sorted(os.listdir(directory)):
        path = os.path.join(directory, registry_name, "hosts.toml")
        if os.path.isfile(path):
            with open(path) as handle:
                hosts[registry_name] = parse_hosts_toml(handle.read())
    return hosts


def parse_hosts_toml(text: str) -> dict:
    """containerd's hosts.toml: `server = "https://ghcr.io"` and `[host."https://mirror"]` tables whose
    capabilities include "pull" (a table without capabilities allows pull and resolve)."""
    server, mirrors, current, capabilities = "", [], None, {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        table = re.fullmatch(r'\[host\."([^"]+)"\]', line)
        if table:
            current = _location(table.group(1))
            mirrors.append(current)
            capabilities[current] = ["pull", "resolve"]
            continue
        if line.startswith("["):
            current = None
            continue
        name, _, value = (part.strip() for part in line.partition("="))
        if name == "server" and current is None:
            server = _location(value.strip('"'))
        elif name == "capabilities" and current is not None:
            capabilities[current] = re.findall(r'"(\w+)"', value)
    return {"server": server, "mirrors": [m for m in mirrors if "pull" in capabilities.get(m, [])]}


def _location(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def port_mappings(config: dict) -> list[int]:
    return [int(port["hostPort"]) for node in config["nodes"] for port in node.get("extraPortMappings") or []
            if port.get("hostPort")]
