"""The cluster step: create or reuse, refuse a changed config, wait, load only what is missing."""

from __future__ import annotations

import io
import json

import pytest

from llmd_sim import imageref, kind_config
from llmd_sim.errors import CommandError, StepError
from llmd_sim.steps import cluster
from llmd_sim.ui import UI

NODES = ("llmd-sim-control-plane", "llmd-sim-worker")


def crictl(*images):
    return json.dumps({"images": [{"id": f"sha256:{i}", "repoTags": [str(imageref.parse(image))]}
                                  for i, image in enumerate(images)]})


def world(ctx, *, exists=False, node_images=None, context=True):
    """Script a kind world: `kind create` makes the cluster exist; nodes hold `node_images`."""
    ctx.ui = UI(stream=io.StringIO())
    state = {"exists": exists}
    ctx.runner.on("kind", "get", "clusters",
                  effect=lambda argv, stdin: _answer(argv, "llmd-sim\n" if state["exists"] else "",
                                                     "" if state["exists"] else "No kind clusters found.\n"))
    ctx.runner.on("kind", "create", "cluster", effect=lambda argv, stdin: state.update(exists=True))
    ctx.runner.on("kind", "delete", "cluster", effect=lambda argv, stdin: state.update(exists=False))
    ctx.runner.on("config", "get-contexts", stdout="kind-llmd-sim\nother\n" if context else "other\n")
    ctx.runner.on("kubectl", "get", "nodes", stdout="".join(f"node/{n}\n" for n in NODES))
    ctx.runner.on("kind", "get", "nodes", stdout="".join(f"{n}\n" for n in NODES))
    for node in NODES:
        ctx.runner.on("exec", node, "crictl", stdout=crictl(*(node_images or {}).get(node, ())))
    return state


def _answer(argv, stdout, stderr):
    from llmd_sim.runner import Result

    return Result(argv, 0, stdout, stderr, 0.0)


def pod_images(ctx):
    return [image for image in ctx.settings.all_images if image != ctx.settings.node_image]


def record_current_config(ctx):
    path = cluster.cluster_dir(ctx) / "kind-config.applied.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(kind_config.render(ctx.settings, cluster.hosts_dir(ctx)))


def index_of(ctx, *tokens):
    probe = ctx.runner.calls(*tokens)[0]
    return ctx.runner.history.index(probe)


def test_fresh_cluster_is_created_loaded_in_one_call_and_waited_for(make_ctx):
    ctx = make_ctx()
    world(ctx)

    cluster.STEP.run(ctx)

    config_file = ctx.paths.work_dir / "kind-config.yaml"
    assert ctx.runner.calls("kind", "create", "cluster") == [
        ["kind", "create", "cluster", "--name", "llmd-sim", "--config", str(config_file)]]
    assert "image: kindest/node:v1.31.0" in config_file.read_text()
    assert (cluster.cluster_dir(ctx) / "kind-config.applied.yaml").read_text() == config_file.read_text()
    assert ctx.runner.calls("kubectl", "wait") == [[
        "kubectl", "--context", "kind-llmd-sim", "wait", "--for=condition=Ready", "node",
        f"--timeout={int(ctx.settings.wait_timeout)}s", "--all"]]
    loads = ctx.runner.calls("kind", "load")
    assert loads == [["kind", "load", "docker-image", *pod_images(ctx), "--name", "llmd-sim"]]
    # Loaded while the nodes turn Ready: kind load needs the node containers, not Ready kubelets.
    assert index_of(ctx, "kind", "create") < index_of(ctx, "kind", "load") < index_of(ctx, "kubectl", "wait")


def test_every_kubectl_call_names_the_context(make_ctx):
    ctx = make_ctx()
    world(ctx)
    cluster.STEP.run(ctx)
    kubectl_calls = [argv for argv in ctx.runner.history if argv[0] == "kubectl"]
    assert kubectl_calls and all(argv[1:3] == ["--context", "kind-llmd-sim"] for argv in kubectl_calls)


def test_existing_cluster_with_the_recorded_config_is_reused(make_ctx):
    ctx = make_ctx()
    world(ctx, exists=True, node_images={node: pod_images(ctx) for node in NODES})
    record_current_config(ctx)

    cluster.STEP.run(ctx)

    assert not ctx.runner.calls("kind", "create") and not ctx.runner.calls("kind", "delete")
    assert not ctx.runner.calls("kind", "load")
    assert "reused" in ctx.ui.stream.getvalue()


def test_a_changed_config_stops_and_shows_what_differs(make_ctx):
    old = make_ctx()
    record_current_config(old)
    ctx = make_ctx(node_image="kindest/node:v1.32.0")
    world(ctx, exists=True)

    with pytest.raises(StepError, match="exists with a different configuration") as err:
        cluster.STEP.run(ctx)

    assert "-  image: kindest/node:v1.31.0" in err.value.details
    assert "+  image: kindest/node:v1.32.0" in err.value.details
    assert "--force" in err.value.hint
    assert not ctx.runner.calls("kind", "delete") and not ctx.runner.calls("kind", "create")


def test_force_recreates_a_cluster_whose_config_changed(make_ctx):
    record_current_config(make_ctx())
    ctx = make_ctx(node_image="kindest/node:v1.32.0", options={"force": True})
    world(ctx, exists=True)

    cluster.STEP.run(ctx)

    assert index_of(ctx, "kind", "delete", "cluster") < index_of(ctx, "kind", "create", "cluster")
    assert "recreated" in ctx.ui.stream.getvalue()


def test_a_cluster_llmd_sim_did_not_create_is_not_touched(make_ctx):
    ctx = make_ctx()
    world(ctx, exists=True)

    with pytest.raises(StepError, match="no record of creating it"):
        cluster.STEP.run(ctx)
    assert not ctx.runner.calls("kind", "delete")


def test_a_lost_context_is_exported_again(make_ctx):
    ctx = make_ctx()
    world(ctx, context=False)
    cluster.STEP.run(ctx)
    assert ctx.runner.calls("kind", "export", "kubeconfig") == [["kind", "export", "kubeconfig", "--name", "llmd-sim"]]


def test_only_images_missing_from_some_node_are_loaded(make_ctx):
    ctx = make_ctx()
    everything = pod_images(ctx)
    sim = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    world(ctx, node_images={NODES[0]: everything, NODES[1]: [i for i in everything if i != sim]})

    cluster.STEP.run(ctx)

    assert ctx.runner.calls("kind", "load") == [["kind", "load", "docker-image", sim, "--name", "llmd-sim"]]


def test_containerd_image_store_falls_back_to_an_archive(make_ctx):
    ctx = make_ctx()
    world(ctx)
    ctx.runner.on("kind", "load", "docker-image", returncode=1, stderr=(
        'ERROR: failed to load image: command "docker exec --privileged -i llmd-sim-control-plane ctr '
        '--namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with '
        "error: exit status 1\nctr: content digest sha256:0123: not found\n"))

    cluster.STEP.run(ctx)

    archive = str(ctx.paths.cache_dir / "kind-load-llmd-sim.tar")
    assert ctx.runner.calls("docker", "save") == [["docker", "save", "-o", archive, *pod_images(ctx)]]
    assert ctx.runner.calls("kind", "load", "image-archive") == [
        ["kind", "load", "image-archive", archive, "--name", "llmd-sim"]]


def test_other_load_failures_are_not_hidden(make_ctx):
    ctx = make_ctx()
    world(ctx)
    ctx.runner.on("kind", "load", "docker-image", returncode=1, stderr='ERROR: image: "x" not present locally')

    with pytest.raises(CommandError):
        cluster.STEP.run(ctx)
    assert not ctx.runner.calls("docker", "save")


def test_podman_loads_through_an_archive(make_ctx, monkeypatch):
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "podman")
    ctx = make_ctx()
    world(ctx)

    cluster.STEP.run(ctx)

    save = ctx.runner.calls("podman", "save")[0]
    assert save[:3] == ["podman", "save", "--multi-image-archive"]
    assert "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1" in save
    assert not ctx.runner.calls("kind", "load", "docker-image")
    assert ctx.runner.calls("podman", "exec", "llmd-sim-worker", "crictl")


def test_mirrors_write_hosts_toml_per_registry_and_drop_stale_ones(make_ctx):
    ctx = make_ctx(mirror_profile="daocloud")
    world(ctx)
    stale = cluster.hosts_dir(ctx) / "old.registry.example"
    stale.mkdir(parents=True)

    cluster.STEP.run(ctx)

    assert "ghcr.m.daocloud.io" in (cluster.hosts_dir(ctx) / "ghcr.io" / "hosts.toml").read_text()
    assert not stale.exists()
    assert str(cluster.hosts_dir(ctx)) in (ctx.paths.work_dir / "kind-config.yaml").read_text()


def test_a_taken_host_port_gets_a_port_mappings_hint(make_ctx):
    ctx = make_ctx()
    world(ctx)
    ctx.runner.on("kind", "create", "cluster", returncode=1, stderr=(
        "ERROR: failed to create cluster: command \"docker run ...\" failed with error: exit status 125\n"
        "Bind for 127.0.0.1:8000 failed: port is already allocated"))

    with pytest.raises(CommandError) as err:
        cluster.STEP.run(ctx)
    assert "port_mappings" in err.value.hint
    assert not (cluster.cluster_dir(ctx) / "kind-config.applied.yaml").exists()


def test_a_cluster_without_nodes_is_an_error(make_ctx):
    ctx = make_ctx()
    world(ctx)
    ctx.runner.on("kubectl", "get", "nodes", stdout="")
    with pytest.raises(StepError, match="no nodes registered"):
        cluster.STEP.run(ctx)
    assert not ctx.runner.calls("kubectl", "wait")


def test_a_stopped_cluster_is_reported_before_anything_is_loaded_into_it(make_ctx):
    ctx = make_ctx()
    world(ctx, exists=True)
    record_current_config(ctx)
    ctx.runner.on("kubectl", "get", "nodes", returncode=1,
                  stderr="The connection to the server 127.0.0.1:41283 was refused - did you specify the right host?")
    with pytest.raises(CommandError) as err:
        cluster.STEP.run(ctx)
    assert "docker start llmd-sim-control-plane llmd-sim-worker" in err.value.hint
    assert not ctx.runner.calls("kind", "load") and not ctx.runner.calls("kubectl", "wait")


def test_an_existing_cluster_context_is_only_checked(make_ctx):
    ctx = make_ctx(kube_context="prod-like")
    ctx.ui = UI(stream=io.StringIO())
    ctx.runner.on("kubectl", "version", stdout=json.dumps({"serverVersion": {"gitVersion": "v1.30.4"}}))

    cluster.STEP.run(ctx)

    assert [argv[0] for argv in ctx.runner.history] == ["kubectl"]
    assert "Kubernetes v1.30.4" in ctx.ui.stream.getvalue()


def test_an_existing_cluster_context_that_does_not_answer_is_an_error(make_ctx):
    ctx = make_ctx(kube_context="prod-like")
    ctx.runner.on("kubectl", "version", returncode=1, stderr="error: context \"prod-like\" does not exist")
    with pytest.raises(StepError, match="context prod-like does not answer"):
        cluster.STEP.run(ctx)


def test_probe(make_ctx):
    ctx = make_ctx()
    state = world(ctx)
    assert cluster.STEP.probe(ctx) == "kind cluster llmd-sim missing"
    state["exists"] = True
    assert cluster.STEP.probe(ctx) is None
    ctx.runner.on("config", "get-contexts", stdout="other\n")
    assert cluster.STEP.probe(ctx) == "context kind-llmd-sim missing from the kubeconfig"


def test_inputs_name_what_the_cluster_is_made_of(make_ctx):
    base = cluster.STEP.inputs(make_ctx())
    assert base["node_image"] == "kindest/node:v1.31.0"
    assert "kindest/node:v1.31.0" not in base["images"]
    assert cluster.STEP.inputs(make_ctx(port_mappings="30080:9000"))["port_mappings"] == ["30080:9000"]
    assert cluster.STEP.inputs(make_ctx(kube_context="prod-like")) == {"context": "prod-like"}


def test_dry_run_prints_the_whole_bring_up_and_writes_nothing(make_ctx):
    ctx = make_ctx(dry_run=True, mirror_profile="daocloud")
    lines = []
    ctx.runner.echo = lines.append

    cluster.STEP.run(ctx)

    script = "\n".join(lines)
    assert "kind create cluster --name llmd-sim --config" in script
    assert "kubectl --context kind-llmd-sim wait --for=condition=Ready node" in script
    assert f"kind load docker-image {' '.join(pod_images(ctx))} --name llmd-sim" in script
    assert "ghcr.io/hosts.toml" in script
    assert not ctx.paths.home.exists()


def test_probe_without_kind_installed_is_a_reason_not_a_crash(make_ctx, monkeypatch):
    from llmd_sim.errors import ToolMissing

    ctx = make_ctx()

    def no_kind(argv, **options):
        raise ToolMissing(f"{argv[0]} is not installed (not found on PATH)")

    monkeypatch.setattr(ctx.runner, "_execute", no_kind)
    assert cluster.STEP.probe(ctx) == "kind is not installed (not found on PATH)"
