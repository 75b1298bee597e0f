"""Rendering the kind config and the containerd hosts.toml files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from llmd_sim import config_sources, kind_config
from llmd_sim.errors import ConfigError

HOSTS = Path("/state/llmd-sim/clusters/llmd-sim/containerd-certs.d")


def settings(**flags):
    return config_sources.load(env={}, flags=flags)


def rendered(**flags) -> dict:
    return yaml.safe_load(kind_config.render(settings(**flags), HOSTS))


def test_default_config_is_a_control_plane_and_a_worker_on_the_node_image():
    config = rendered()

    assert config["kind"] == "Cluster" and config["name"] == "llmd-sim"
    assert [node["role"] for node in config["nodes"]] == ["control-plane", "worker"]
    assert {node["image"] for node in config["nodes"]} == {"kindest/node:v1.31.0"}
    assert "containerdConfigPatches" not in config
    assert all("extraMounts" not in node for node in config["nodes"])


def test_port_mappings_go_on_the_control_plane_bound_to_loopback():
    mappings = rendered(port_mappings="30080:18000")["nodes"][0]["extraPortMappings"]
    assert mappings == [{"containerPort": 30080, "hostPort": 18000, "listenAddress": "127.0.0.1", "protocol": "TCP"}]


def test_mirrors_add_the_config_path_patch_and_mount_hosts_on_every_node():
    config = rendered(mirror_profile="daocloud")

    patches = config["containerdConfigPatches"]
    assert patches == [kind_config.CONFIG_PATH_PATCH]
    assert "registry.mirrors" not in str(patches)
    for node in config["nodes"]:
        assert node["extraMounts"] == [{"hostPath": str(HOSTS), "containerPath": "/etc/containerd/certs.d",
                                        "readOnly": True}]


def test_hosts_toml_sends_pulls_to_the_mirror_with_the_registry_behind_it():
    files = kind_config.hosts_files(settings(mirror_profile="daocloud").registry_mirrors)

    ghcr = tomllib.loads(files["ghcr.io/hosts.toml"])
    assert ghcr == {"server": "https://ghcr.io",
                    "host": {"https://ghcr.m.daocloud.io": {"capabilities": ["pull", "resolve"]}}}
    assert tomllib.loads(files["docker.io/hosts.toml"])["server"] == "https://registry-1.docker.io"
    assert set(files) == {f"{registry}/hosts.toml" for registry in
                          ("docker.io", "ghcr.io", "gcr.io", "registry.k8s.io", "quay.io", "k8s.gcr.io")}


def test_a_mirror_with_a_path_uses_containerds_override_path():
    parsed = tomllib.loads(kind_config.hosts_toml("ghcr.io", "harbor.corp/ghcr-proxy"))
    assert parsed["host"] == {"https://harbor.corp/v2/ghcr-proxy": {"capabilities": ["pull", "resolve"],
                                                                     "override_path": True}}


def test_a_custom_template_keeps_its_nodes_and_patches(tmp_path):
    template = tmp_path / "kind.yaml"
    template.write_text(yaml.safe_dump({
        "kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": "ignored",
        "nodes": [{"role": "control-plane", "extraPortMappings": [{"containerPort": 30080, "hostPort": 1}],
                   "kubeadmConfigPatches": ["kind: InitConfiguration\n"]},
                  {"role": "worker"}, {"role": "worker"}],
    }))

    config = rendered(kind_config=str(template), mirror_profile="daocloud")

    assert config["name"] == "llmd-sim"
    assert len(config["nodes"]) == 3 and all("extraMounts" in node for node in config["nodes"])
    control_plane = config["nodes"][0]
    assert control_plane["kubeadmConfigPatches"] == ["kind: InitConfiguration\n"]
    assert [m["hostPort"] for m in control_plane["extraPortMappings"]] == [8000, 8443]


def test_a_legacy_registry_mirrors_patch_is_refused_with_mirrors(tmp_path):
    template = tmp_path / "kind.yaml"
    template.write_text(
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n"
        "containerdConfigPatches:\n- |\n  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
        "    endpoint = [\"https://mirror\"]\n")

    with pytest.raises(ConfigError, match="legacy registry.mirrors patch"):
        rendered(kind_config=str(template), mirror_profile="daocloud")
    assert rendered(kind_config=str(template))["containerdConfigPatches"]  # without mirrors it is the user's business


def test_a_template_that_is_not_a_kind_cluster_is_a_config_error(tmp_path):
    template = tmp_path / "kind.yaml"
    template.write_text("apiVersion: v1\nkind: Pod\n")
    with pytest.raises(ConfigError, match="not a kind Cluster config"):
        rendered(kind_config=str(template))


def test_rendering_is_stable_and_follows_the_settings():
    assert kind_config.render(settings(), HOSTS) == kind_config.render(settings(), HOSTS)
    assert kind_config.render(settings(), HOSTS) != kind_config.render(settings(node_image="kindest/node:v1.32.0"),
                                                                       HOSTS)
    assert "&id" not in kind_config.render(settings(mirror_profile="daocloud"), HOSTS)
