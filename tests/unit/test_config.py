"""Settings: precedence, provenance, and errors that name the key, the value and where it came from."""

from __future__ import annotations

import pytest

from llmd_sim import config_sources
from llmd_sim.config import SEED_IMAGES
from llmd_sim.errors import ConfigError, ExitCode


def load(tmp_path=None, yaml_text=None, env=None, flags=None, assignments=None):
    path = None
    if yaml_text is not None:
        path = tmp_path / "llmd-sim.yaml"
        path.write_text(yaml_text)
    return config_sources.load(str(path) if path else None, env=env or {}, flags=flags, assignments=assignments)


def test_embedded_defaults_match_the_guide():
    settings = load()
    assert settings.cluster_name == "llmd-sim"
    assert settings.namespace == "llm-d-sim"
    assert settings.llm_d_ref == "v0.3.1"
    assert settings.context == "kind-llmd-sim"
    assert settings.mirror_profile == "none" and settings.registry_mirrors == {}
    assert settings.all_images == ["kindest/node:v1.31.0", *SEED_IMAGES]
    assert settings.gateway_service == "infra-sim-inference-gateway-istio"
    assert settings.source_of("namespace") == "default"


def test_precedence_is_defaults_file_env_flags(tmp_path):
    settings = load(
        tmp_path,
        "namespace: from-file\ncluster_name: file-cluster\nmodel: file-model\n",
        env={"LLMD_SIM_NAMESPACE": "from-env", "LLMD_SIM_MODEL": "env-model"},
        flags={"namespace": "from-flag"},
    )
    assert settings.namespace == "from-flag"
    assert settings.model == "env-model"
    assert settings.cluster_name == "file-cluster"
    assert settings.source_of("namespace") == "flag --namespace"
    assert settings.source_of("model") == "env LLMD_SIM_MODEL"
    assert settings.source_of("cluster_name") == f"{tmp_path / 'llmd-sim.yaml'}:2"


def test_set_assignment_wins_over_flags():
    settings = load(flags={"pull_parallelism": "2"}, assignments=["pull_parallelism=8"])
    assert settings.pull_parallelism == 8
    assert settings.source_of("pull_parallelism") == "flag --set pull_parallelism"


def test_daocloud_profile_with_a_custom_override():
    settings = load(env={"LLMD_SIM_MIRROR_PROFILE": "daocloud", "LLMD_SIM_MIRRORS": "ghcr.io=ghcr.corp.example"})
    assert settings.registry_mirrors["gcr.io"] == "gcr.m.daocloud.io"
    assert settings.registry_mirrors["registry.k8s.io"] == "k8s.m.daocloud.io"
    assert settings.registry_mirrors["docker.io"] == "docker.m.daocloud.io"
    assert settings.registry_mirrors["quay.io"] == "quay.m.daocloud.io"
    assert settings.registry_mirrors["ghcr.io"] == "ghcr.corp.example"
    assert settings.download_mirror == "https://files.m.daocloud.io"


def test_lists_and_maps_from_yaml(tmp_path):
    settings = load(
        tmp_path,
        "extra_images:\n  - nginx:1.27\nmirrors:\n  ghcr.io: https://harbor.corp/ghcr/\nwait_timeout: 10m\n",
    )
    assert settings.extra_images == ["nginx:1.27"]
    assert settings.mirrors == {"ghcr.io": "harbor.corp/ghcr"}
    assert settings.wait_timeout == 600
    assert settings.all_images[-1] == "nginx:1.27"


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("namespace", "Bad_NS", "RFC 1123"),
        ("cluster_name", "x" * 60, "at most 49"),
        ("mirror_profile", "aliyun", "one of: none, daocloud"),
        ("monitoring", "maybe", "one of: auto, on, off"),
        ("pull_parallelism", "0", "1 or more"),
        ("node_image", "kindest/node", "no tag"),
        ("extra_images", "UPPER/case:1", "not a valid image reference"),
        ("mirrors", "ghcr.io", "REGISTRY=MIRROR"),
        ("wait_timeout", "soon", "duration"),
        ("llm_d_dir", "/does/not/exist", "does not exist"),
        ("install_tools", "perhaps", "true or false"),
        ("download_base", "ftp://x", "http"),
        ("port_mappings", "30080", "CONTAINER_PORT:HOST_PORT"),
    ],
)
def test_bad_values_name_key_value_and_flag(key, value, needle):
    with pytest.raises(ConfigError) as caught:
        load(flags={key: value})
    err = caught.value
    assert err.exit_code == ExitCode.USAGE
    assert key in err.message and needle in err.message
    assert f"flag --{key.replace('_', '-')}" in err.message


def test_bad_yaml_value_points_at_file_and_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "cluster_name: ok\n\nnamespace: Not_Valid\n")
    assert f"{tmp_path / 'llmd-sim.yaml'}:3" in caught.value.message


def test_bad_env_value_names_the_variable():
    with pytest.raises(ConfigError) as caught:
        load(env={"LLMD_SIM_PULL_PARALLELISM": "many"})
    assert "env LLMD_SIM_PULL_PARALLELISM" in caught.value.message


def test_unknown_keys_are_rejected_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "namepsace: x\n")
    assert "unknown setting 'namepsace'" in caught.value.message
    assert caught.value.hint == "did you mean namespace?"
    with pytest.raises(ConfigError, match="LLMD_SIM_CLUSTER"):
        load(env={"LLMD_SIM_CLUSTER": "x"})
    with pytest.raises(ConfigError, match="--set"):
        load(assignments=["nonsense"])


def test_dashes_in_yaml_keys_are_accepted(tmp_path):
    assert load(tmp_path, "cluster-name: dashed\n").cluster_name == "dashed"


def test_invalid_yaml_and_wrong_shapes(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load(tmp_path, "a: [\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a list"):
        load(tmp_path, "extra_images: {a: 1}\n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        config_sources.load(str(tmp_path / "missing.yaml"), env={})


def test_empty_file_means_defaults(tmp_path):
    assert load(tmp_path, "").namespace == "llm-d-sim"


def test_meta_variables_are_not_settings():
    assert load(env={"LLMD_SIM_HOME": "/tmp/x"}).namespace == "llm-d-sim"


def test_existing_cluster_context():
    settings = load(flags={"kube_context": "my-gke"})
    assert settings.context == "my-gke"
    assert not settings.uses_kind
