"""kind, as FACTS.md section 4 describes it."""

from __future__ import annotations

from contract.stack import ok

WORKER_CONFIG = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n"


def test_get_clusters_with_none_says_so_on_stderr_and_exits_0(fake_world):
    result = fake_world.run("kind", "get", "clusters")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "No kind clusters found.\n")


def test_create_cluster_lists_it_and_sets_current_context(fake_world, tmp_path):
    config = tmp_path / "kind.yaml"
    config.write_text(WORKER_CONFIG)
    fake_world.add_host_image("kindest/node:v1.31.0")
    created = ok(fake_world.run("kind", "create", "cluster", "--name", "demo", "--config", str(config)))
    assert created.stdout == ""
    assert 'Set kubectl context to "kind-demo"' in created.stderr
    assert fake_world.current_context() == "kind-demo"
    assert ok(fake_world.run("kind", "get", "clusters")).stdout == "demo\n"
    assert ok(fake_world.run("kind", "get", "nodes", "--name", "demo")).stdout.split() == [
        "demo-control-plane", "demo-worker"]


def test_create_cluster_on_an_existing_name_fails(fake_world, cluster):
    result = fake_world.run("kind", "create", "cluster", "--name", "llmd-sim")
    assert result.returncode == 1
    assert result.stderr.strip() == ('ERROR: failed to create cluster: node(s) already exist for a cluster with the '
                                     'name "llmd-sim"')
    assert fake_world.clusters() == ["llmd-sim"]


def test_delete_cluster_is_idempotent_and_removes_the_context(fake_world, cluster):
    ok(fake_world.run("kind", "delete", "cluster", "--name", "llmd-sim"))
    assert fake_world.clusters() == [] and fake_world.contexts() == [] and fake_world.current_context() == ""
    again = fake_world.run("kind", "delete", "cluster", "--name", "llmd-sim")
    assert again.returncode == 0 and 'Deleting cluster "llmd-sim"' in again.stderr


def test_load_of_an_image_missing_on_the_host_fails(fake_world, cluster):
    result = fake_world.run("kind", "load", "docker-image", "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1",
                            "--name", "llmd-sim")
    assert result.returncode == 1
    assert result.stderr.strip() == 'ERROR: image: "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1" not present locally'


def test_load_copies_the_image_to_every_node_once(fake_world, cluster):
    image = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    fake_world.add_host_image(image)
    first = ok(fake_world.run("kind", "load", "docker-image", image, "--name", "llmd-sim"))
    assert first.stderr.count("not yet present on node") == 2
    nodes = fake_world.node_images()
    assert all(f"{image}" in images for images in nodes.values())
    second = ok(fake_world.run("kind", "load", "docker-image", image, "--name", "llmd-sim"))
    assert "found to be already present on all nodes." in second.stderr
    assert "not yet present" not in second.stderr
    assert fake_world.node_images() == nodes


def test_load_image_archive_from_docker_save(fake_world, cluster, tmp_path):
    image = "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0"
    fake_world.add_host_image(image)
    fake_world.knobs(containerd_store=True)
    direct = fake_world.run("kind", "load", "docker-image", image, "--name", "llmd-sim")
    assert direct.returncode == 1 and "content digest" in direct.stderr and "not found" in direct.stderr
    archive = tmp_path / "images.tar"
    ok(fake_world.run("docker", "save", "-o", str(archive), image))
    ok(fake_world.run("kind", "load", "image-archive", str(archive), "--name", "llmd-sim"))
    assert all(image in images for images in fake_world.node_images().values())


def test_unknown_flag_and_command_fail_as_kind_does(fake_world):
    flag = fake_world.run("kind", "get", "clusters", "--bogus")
    assert (flag.returncode, flag.stderr.strip()) == (1, "ERROR: unknown flag: --bogus")
    command = fake_world.run("kind", "get", "clustr")
    assert (command.returncode, command.stderr.strip()) == (1, 'ERROR: unknown command "clustr" for "kind get"')


def test_docker_down_fails_get_clusters(fake_world):
    fake_world.docker_down()
    result = fake_world.run("kind", "get", "clusters")
    assert result.returncode == 1 and result.stderr.startswith("ERROR: failed to list clusters")


def test_config_is_decoded_strictly(fake_world, tmp_path):
    config = tmp_path / "kind.yaml"
    config.write_text(WORKER_CONFIG + "nodez: []\n")
    result = fake_world.run("kind", "create", "cluster", "--config", str(config))
    assert result.returncode == 1 and "field nodez not found" in result.stderr
    assert fake_world.clusters() == []


def test_node_image_is_pulled_from_docker_hub_when_missing(fake_world):
    fake_world.unreachable("docker.io")
    result = fake_world.run("kind", "create", "cluster", "--name", "offline")
    assert result.returncode == 1
    assert 'failed to pull image "kindest/node:v1.31.0"' in result.stderr
    fake_world.reachable("docker.io")
    ok(fake_world.run("kind", "create", "cluster", "--name", "offline"))
    assert "docker.io/kindest/node:v1.31.0" in fake_world.host_images()


def test_a_local_image_of_the_exact_name_needs_no_pull(fake_world):
    fake_world.unreachable("docker.io")
    fake_world.add_host_image("docker.m.daocloud.io/kindest/node:v1.31.0")
    ok(fake_world.run("docker", "tag", "docker.m.daocloud.io/kindest/node:v1.31.0", "kindest/node:v1.31.0"))
    ok(fake_world.run("kind", "create", "cluster", "--name", "offline"))
    assert fake_world.clusters() == ["offline"]


def test_wait_timing_out_only_warns(fake_world):
    fake_world.add_host_image("kindest/node:v1.31.0")
    fake_world.latency(0.02, node_ready=1000, kind_create_cluster=0)
    result = fake_world.run("kind", "create", "cluster", "--name", "slow", "--wait", "100ms")
    assert result.returncode == 0 and "WARNING: Timed out waiting for Ready" in result.stderr


def test_each_node_mirrors_through_the_hosts_toml_mounted_into_it(fake_world, tmp_path):
    certs = tmp_path / "certs.d"
    (certs / "ghcr.io").mkdir(parents=True)
    (certs / "ghcr.io" / "hosts.toml").write_text(
        'server = "https://ghcr.io"\n\n[host."https://ghcr.m.daocloud.io"]\n  capabilities = ["pull", "resolve"]\n')
    config = tmp_path / "kind.yaml"
    config.write_text(WORKER_CONFIG.replace("- role: worker\n", f"- role: worker\n  extraMounts:\n  - hostPath: {certs}\n"
                                                                "    containerPath: /etc/containerd/certs.d\n")
                      + "containerdConfigPatches:\n- |-\n  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                        "    config_path = \"/etc/containerd/certs.d\"\n")
    fake_world.add_host_image("kindest/node:v1.31.0")
    ok(fake_world.run("kind", "create", "cluster", "--name", "mirrored", "--config", str(config)))
    control_plane, worker = fake_world.state()["clusters"]["mirrored"]["nodes"]
    assert worker["containerd"]["config_path"] is True
    assert worker["containerd"]["hosts"]["ghcr.io"] == {"server": "ghcr.io", "mirrors": ["ghcr.m.daocloud.io"]}
    assert control_plane["containerd"]["hosts"] == {}  # the certs.d folder was mounted into the worker only


def test_mixing_legacy_mirrors_with_config_path_fails_the_control_plane(fake_world, tmp_path):
    config = tmp_path / "kind.yaml"
    config.write_text(WORKER_CONFIG + "containerdConfigPatches:\n- |-\n  [plugins.\"io.containerd.grpc.v1.cri\"."
                                      "registry]\n    config_path = \"/etc/containerd/certs.d\"\n"
                                      "- |-\n  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"ghcr.io\"]\n"
                                      "    endpoint = [\"https://ghcr.m.daocloud.io\"]\n")
    fake_world.add_host_image("kindest/node:v1.31.0")
    result = fake_world.run("kind", "create", "cluster", "--name", "mixed", "--config", str(config))
    assert result.returncode == 1
    assert "`mirrors` cannot be set when `config_path` is provided" in result.stderr
    assert fake_world.clusters() == []


def test_get_kubeconfig_prints_the_kind_context(fake_world, cluster):
    text = ok(fake_world.run("kind", "get", "kubeconfig", "--name", "llmd-sim")).stdout
    assert "current-context: kind-llmd-sim" in text
    missing = fake_world.run("kind", "export", "kubeconfig", "--name", "nope")
    assert missing.returncode == 1 and "could not locate any control plane nodes" in missing.stderr
    assert fake_world.contexts() == ["kind-llmd-sim"]
