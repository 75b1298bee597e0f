"""docker, as FACTS.md section 8 describes it: the image store, pulls, mirrors and the daemon."""

from __future__ import annotations

import json
import subprocess

from contract.stack import ok

SIM = "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"


def test_inspect_of_a_missing_image(fake_world):
    result = fake_world.run("docker", "image", "inspect", "nope/missing:v1")
    assert result.returncode == 1
    assert result.stdout.strip() == "[]"
    assert result.stderr.strip() == "Error response from daemon: No such image: nope/missing:v1"


def test_inspect_with_format_prints_one_id_per_present_image(fake_world):
    fake_world.add_host_image(SIM)
    result = fake_world.run("docker", "image", "inspect", "--format", "{{.Id}}", SIM, "nope/missing:v1")
    assert result.returncode == 1
    assert result.stdout == fake_world.host_images()[SIM] + "\n"
    assert "No such image: nope/missing:v1" in result.stderr


def test_pull_adds_the_image_with_its_id(fake_world):
    result = ok(fake_world.run("docker", "pull", SIM))
    assert result.stdout.splitlines()[-1] == SIM
    assert fake_world.host_images()[SIM].startswith("sha256:")


def test_pull_from_an_unreachable_registry_fails(fake_world):
    fake_world.unreachable("ghcr.io")
    result = fake_world.run("docker", "pull", SIM)
    assert result.returncode == 1
    assert result.stderr.startswith('Error response from daemon: Get "https://ghcr.io/v2/"')
    assert "no such host" in result.stderr
    assert fake_world.host_images() == {}


def test_a_mirror_serves_the_same_image_and_tag_names_it_back(fake_world):
    fake_world.unreachable("ghcr.io")
    mirrored = "ghcr.m.daocloud.io/llm-d/llm-d-inference-sim:v0.6.1"
    ok(fake_world.run("docker", "pull", mirrored))
    tagged = ok(fake_world.run("docker", "tag", mirrored, SIM))
    assert tagged.stdout == "" and tagged.stderr == ""
    images = fake_world.host_images()
    assert images[SIM] == images[mirrored]
    fake_world.reachable("ghcr.io")
    ok(fake_world.run("docker", "pull", SIM))
    assert fake_world.host_images()[SIM] == images[mirrored]


def test_pull_of_an_image_no_registry_has(fake_world):
    hub = fake_world.run("docker", "pull", "nobody/nothing:v1")
    assert hub.returncode == 1 and "pull access denied for nobody/nothing" in hub.stderr
    ghcr = fake_world.run("docker", "pull", "ghcr.io/llm-d/nothing:v1")
    assert ghcr.returncode == 1 and "manifest unknown" in ghcr.stderr


def test_tag_of_a_missing_source_fails(fake_world):
    result = fake_world.run("docker", "tag", "nope/missing:v1", "other:v1")
    assert result.returncode == 1 and "No such image: nope/missing:v1" in result.stderr


def test_info_fails_when_the_daemon_is_down(fake_world):
    info = ok(fake_world.run("docker", "info", "--format", "{{json .}}"))
    assert {"MemTotal", "NCPU"} <= set(json.loads(info.stdout))
    fake_world.docker_down()
    assert fake_world.run("docker", "info", "--format", "{{json .}}").returncode != 0
    assert fake_world.run("docker", "pull", SIM).returncode == 1


def test_unknown_flag_and_command(fake_world):
    flag = fake_world.run("docker", "pull", "--bogus", SIM)
    assert flag.returncode == 125
    assert flag.stderr.splitlines() == ["unknown flag: --bogus", "See 'docker pull --help'."]
    command = fake_world.run("docker", "frobnicate")
    assert command.returncode == 1 and "'frobnicate' is not a docker command" in command.stderr


def test_parallel_pulls_keep_every_image(fake_world):
    fake_world.latency(0.01)
    images = ["ghcr.io/llm-d/llm-d-inference-scheduler:v0.3.2", "ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0", SIM,
              "gcr.io/istio-testing/pilot:1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401",
              "gcr.io/istio-testing/proxyv2:1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401",
              "kindest/node:v1.31.0"]
    procs = [subprocess.Popen(["docker", "pull", image], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for image in images]
    assert [proc.wait(timeout=30) for proc in procs] == [0] * len(images)
    assert len(fake_world.host_images()) == len(images)


def test_exec_lists_a_nodes_images_like_crictl(fake_world, cluster):
    fake_world.add_host_image(SIM)
    ok(fake_world.run("kind", "load", "docker-image", SIM, "--name", "llmd-sim"))
    listed = json.loads(ok(fake_world.run("docker", "exec", "llmd-sim-worker", "crictl", "images", "-o", "json")).stdout)
    assert [SIM] in [image["repoTags"] for image in listed["images"]]
    missing = fake_world.run("docker", "exec", "nope-worker", "crictl", "images")
    assert missing.returncode == 1 and "No such container: nope-worker" in missing.stderr
