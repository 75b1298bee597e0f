"""Parsers of docker/podman and kind output (FACTS.md sections 4 and 8)."""

from __future__ import annotations

import json

from llmd_sim.tools import docker, kind

IMAGES = ["kindest/node:v1.31.0", "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"]


def test_all_images_present_means_exit_0_and_one_line_each():
    assert docker.missing_images(IMAGES, "sha256:a\nsha256:b\n", "", 0) == []


def test_missing_images_are_read_from_either_docker_wording():
    old = "Error response from daemon: No such image: ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    new = "Error: No such image: docker.io/kindest/node:v1.31.0"
    assert docker.missing_images(IMAGES, "sha256:a\n", old, 1) == [IMAGES[1]]
    assert docker.missing_images(IMAGES, "sha256:b\n", new, 1) == [IMAGES[0]]


def test_missing_images_from_podman():
    said = "Error: docker.io/kindest/node:v1.31.0: image not known"
    assert docker.missing_images(IMAGES, "sha256:b\n", said, 125) == [IMAGES[0]]


def test_an_empty_answer_counts_everything_as_missing():
    assert docker.missing_images(IMAGES, "", "", 0) == IMAGES  # dry-run: nothing is there


def test_engine_resources_for_docker_podman_and_nonsense():
    assert docker.resources(json.dumps({"MemTotal": 8_221_675_520, "NCPU": 4})) == (8_221_675_520, 4)
    assert docker.resources(json.dumps({"host": {"memTotal": 1024, "cpus": 2}})) == (1024, 2)
    assert docker.resources("") == (None, None)
    assert docker.resources("not json") == (None, None)


def test_local_names_follow_the_engine():
    assert docker.local_name("docker.io/library/nginx:1.27") == "nginx:1.27"
    assert docker.local_name("kindest/node:v1.31.0", "podman") == "docker.io/kindest/node:v1.31.0"
    assert docker.engine_for({"KIND_EXPERIMENTAL_PROVIDER": "podman"}) == "podman"
    assert docker.engine_for({}) == "docker"


def test_podman_save_of_several_images_asks_for_a_multi_image_archive():
    assert docker.save("a.tar", IMAGES, "podman")[:3] == ["podman", "save", "--multi-image-archive"]
    assert docker.save("a.tar", IMAGES[:1], "podman") == ["podman", "save", "-o", "a.tar", IMAGES[0]]
    assert docker.save("a.tar", IMAGES) == ["docker", "save", "-o", "a.tar", *IMAGES]


def test_kind_outputs():
    assert kind.parse_version("kind v0.30.0 go1.24.6 linux/amd64\n") == "v0.30.0"
    assert kind.parse_version("") == ""
    crictl = json.dumps({"images": [{"repoTags": ["docker.io/library/nginx:1.27"]}, {"repoTags": None}]})
    assert kind.image_tags(crictl) == {"docker.io/library/nginx:1.27"}
    assert kind.image_tags("") == set()


def test_the_containerd_store_failure_of_kind_load_is_recognised():
    said = ('ERROR: failed to load image: command "docker exec --privileged -i kind-control-plane ctr '
            '--namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with '
            "error: exit status 1\nctr: content digest sha256:c4d2: not found")
    assert kind.store_lacks_content(said)
    assert not kind.store_lacks_content('ERROR: image: "x:1" not present locally')
