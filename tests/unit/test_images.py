"""The images step: skip present images, pull the rest concurrently through mirrors, retry, report."""

from __future__ import annotations

import io
import threading
import time

import pytest

from llmd_sim.errors import StepError
from llmd_sim.runner import Result
from llmd_sim.steps import images
from llmd_sim.ui import UI

SIM = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
NODE = "kindest/node:v1.31.0"


def step():
    return images.Images(sleep=lambda seconds: None)


def quiet(ctx):
    ctx.ui = UI(stream=io.StringIO())
    return ctx


def all_present(ctx):
    ctx.runner.on("docker", "image", "inspect", stdout="sha256:abc\n" * len(ctx.settings.all_images))


def missing(ctx, *names, engine="docker"):
    lines = "\n".join(f"Error response from daemon: No such image: {name}" for name in names)
    ctx.runner.on(engine, "image", "inspect", returncode=1, stdout="sha256:abc\n", stderr=lines)


def test_present_images_are_not_pulled_and_one_inspect_covers_all(make_ctx):
    ctx = quiet(make_ctx())
    all_present(ctx)

    step().run(ctx)

    inspects = ctx.runner.calls("image", "inspect")
    assert len(inspects) == 1
    assert inspects[0][-6:] == [NODE, "ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.2",
                                "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0", SIM,
                                *[name for name in ctx.settings.images if "istio" in name]]
    assert not ctx.runner.calls("pull")


def test_only_missing_images_are_pulled(make_ctx):
    ctx = quiet(make_ctx())
    missing(ctx, SIM, NODE)

    step().run(ctx)

    pulled = sorted(argv[-1] for argv in ctx.runner.calls("docker", "pull"))
    assert pulled == sorted([SIM, NODE])
    assert not ctx.runner.calls("docker", "tag")  # pulled under their own names


def test_mirror_profile_pulls_only_from_mirrors_and_tags_back_to_canonical_names(make_ctx):
    ctx = quiet(make_ctx(mirror_profile="daocloud"))
    missing(ctx, *ctx.settings.all_images)

    step().run(ctx)

    sources = [argv[-1] for argv in ctx.runner.calls("docker", "pull")]
    assert len(sources) == 6
    assert all(source.split("/")[0].endswith(".m.daocloud.io") for source in sources)
    tags = {argv[-1]: argv[-2] for argv in ctx.runner.calls("docker", "tag")}
    assert tags[NODE] == "docker.m.daocloud.io/kindest/node:v1.31.0"
    assert tags[SIM] == "ghcr.m.daocloud.io/llm-d/llm-d-inference-sim:v0.6.1"
    assert set(tags) == set(ctx.settings.all_images)


def test_pulls_run_concurrently_up_to_the_configured_parallelism(make_ctx):
    ctx = quiet(make_ctx(pull_parallelism=3))
    missing(ctx, *ctx.settings.all_images)
    lock, running, peak = threading.Lock(), [0], [0]

    def slow_pull(argv, stdin):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return Result(argv, 0, "", "", 0.05)

    ctx.runner.on("docker", "pull", effect=slow_pull)

    step().run(ctx)

    assert len(ctx.runner.calls("docker", "pull")) == 6
    assert peak[0] == 3


def test_transient_failure_is_retried_without_real_sleep(make_ctx):
    ctx = quiet(make_ctx())
    missing(ctx, SIM)
    ctx.runner.on("docker", "pull", returncode=1, stderr="net/http: TLS handshake timeout", times=1)
    slept = []

    images.Images(sleep=slept.append).run(ctx)

    assert len(ctx.runner.calls("docker", "pull")) == 2
    assert len(slept) == 1


def test_a_pull_failing_for_good_names_image_and_registry(make_ctx):
    ctx = quiet(make_ctx())
    missing(ctx, SIM)
    ctx.runner.on("docker", "pull", returncode=1, stderr="Error response from daemon: Get \"https://ghcr.io/v2/\": "
                  "dial tcp 140.82.112.33:443: i/o timeout")

    with pytest.raises(StepError, match=r"cannot pull ghcr\.io/llm-d/llm-d-inference-sim:v0\.6\.1 from ghcr\.io") as err:
        step().run(ctx)

    assert len(ctx.runner.calls("docker", "pull")) == images.ATTEMPTS
    assert "--mirror-profile daocloud" in err.value.hint


def test_an_unknown_tag_is_not_retried(make_ctx):
    ctx = quiet(make_ctx(mirror_profile="daocloud"))
    missing(ctx, SIM)
    ctx.runner.on("docker", "pull", returncode=1, stderr="Error response from daemon: manifest unknown")

    with pytest.raises(StepError, match="from ghcr.m.daocloud.io") as err:
        step().run(ctx)

    assert len(ctx.runner.calls("docker", "pull")) == 1
    assert "mirror ghcr.m.daocloud.io has no such image" in err.value.hint


def test_several_failures_are_reported_together(make_ctx):
    ctx = quiet(make_ctx())
    missing(ctx, SIM, NODE)
    ctx.runner.on("docker", "pull", returncode=1, stderr="pull access denied")

    with pytest.raises(StepError, match="cannot pull 2 images") as err:
        step().run(ctx)
    assert sorted(line.split(" from ")[0] for line in err.value.details) == sorted([SIM, NODE])


def test_podman_uses_fully_qualified_names(make_ctx, monkeypatch):
    monkeypatch.setenv("KIND_EXPERIMENTAL_PROVIDER", "podman")
    ctx = quiet(make_ctx())
    ctx.runner.on("podman", "image", "inspect", returncode=125, stderr="Error: docker.io/kindest/node:v1.31.0: image not known")

    step().run(ctx)

    assert ctx.runner.calls("podman", "pull") == [["podman", "pull", "docker.io/kindest/node:v1.31.0"]]
    assert not ctx.runner.calls("docker")


def test_existing_cluster_pulls_nothing(make_ctx):
    ctx = quiet(make_ctx(kube_context="prod-like"))
    step().run(ctx)
    assert ctx.runner.history == []
    assert step().probe(ctx) is None


def test_probe_reports_missing_images(make_ctx):
    ctx = make_ctx()
    missing(ctx, SIM)
    assert step().probe(ctx) == f"1 image(s) not on this machine, e.g. {SIM}"
    all_present(ctx)
    assert step().probe(ctx) is None


def test_dry_run_prints_every_pull_in_list_order(make_ctx):
    ctx = make_ctx(dry_run=True, mirror_profile="daocloud")
    lines = []
    ctx.runner.echo = lines.append

    step().run(ctx)

    pulls = [line for line in lines if line.startswith("docker pull")]
    assert pulls[0] == "docker pull docker.m.daocloud.io/kindest/node:v1.31.0"
    assert len(pulls) == 6
    assert "docker tag docker.m.daocloud.io/kindest/node:v1.31.0 kindest/node:v1.31.0" in lines


def test_inputs_are_the_image_list_and_the_mirror_map(make_ctx):
    inputs = step().inputs(make_ctx(mirror_profile="daocloud", extra_images="quay.io/x/y:1"))
    assert inputs["images"][0] == NODE and inputs["images"][-1] == "quay.io/x/y:1"
    assert inputs["mirrors"]["ghcr.io"] == "ghcr.m.daocloud.io"


def test_an_engine_that_does_not_answer_stops_before_any_pull(make_ctx):
    ctx = quiet(make_ctx())
    ctx.runner.on("docker", "image", "inspect", returncode=1,
                  stderr="Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")

    with pytest.raises(StepError, match=r"docker does not answer \(docker image inspect exited 1\)"):
        step().run(ctx)
    assert not ctx.runner.calls("docker", "pull")


def test_probe_reports_an_engine_that_does_not_answer_instead_of_failing(make_ctx):
    ctx = make_ctx()
    ctx.runner.on("docker", "image", "inspect", returncode=1, stderr="Cannot connect to the Docker daemon")
    assert step().probe(ctx) == "docker does not answer (docker image inspect exited 1)"


def test_ctrl_c_during_pulls_stops_the_pulls_in_flight(make_ctx, monkeypatch):
    ctx = quiet(make_ctx())
    missing(ctx, SIM)
    stopped = []
    monkeypatch.setattr(ctx.runner, "kill_all", lambda: stopped.append(True))

    def interrupted(futures):
        raise KeyboardInterrupt

    monkeypatch.setattr(images, "as_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        step().run(ctx)
    assert stopped == [True]


def test_an_unexpected_error_in_one_pull_is_raised_after_the_others_end(make_ctx):
    from llmd_sim.errors import ToolMissing

    ctx = quiet(make_ctx())
    missing(ctx, SIM, NODE)

    def vanished(argv, stdin):
        if argv[-1] == SIM:
            raise ToolMissing("docker is not installed (not found on PATH)")
        return Result(argv, 0, "", "", 0.0)

    ctx.runner.on("docker", "pull", effect=vanished)
    with pytest.raises(ToolMissing):
        step().run(ctx)
    assert ["docker", "pull", NODE] in ctx.runner.calls("docker", "pull")
