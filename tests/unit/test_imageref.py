"""Image references: validation, Docker's short names, and prefix-replacement mirrors."""

from __future__ import annotations

import pytest

from llmd_sim import imageref

DAOCLOUD = {"docker.io": "docker.m.daocloud.io", "ghcr.io": "ghcr.m.daocloud.io", "gcr.io": "gcr.m.daocloud.io"}


@pytest.mark.parametrize(
    ("reference", "registry", "path"),
    [
        ("kindest/node:v1.31.0", "docker.io", "kindest/node"),
        ("nginx:1.27", "docker.io", "library/nginx"),
        ("ghcr.io/llm-d/llm-d-inference-sim:v0.6.1", "ghcr.io", "llm-d/llm-d-inference-sim"),
        ("localhost:5000/team/app:1", "localhost:5000", "team/app"),
    ],
)
def test_parse(reference, registry, path):
    ref = imageref.parse(reference)
    assert (ref.registry, ref.path) == (registry, path)


def test_mirrored_keeps_the_path_and_tag():
    assert imageref.mirrored("ghcr.io/llm-d/x:v1", DAOCLOUD) == "ghcr.m.daocloud.io/llm-d/x:v1"
    assert imageref.mirrored("kindest/node:v1.31.0", DAOCLOUD) == "docker.m.daocloud.io/kindest/node:v1.31.0"
    assert imageref.mirrored("nginx:1", DAOCLOUD) == "docker.m.daocloud.io/library/nginx:1"
    assert imageref.mirrored("quay.io/a/b:1", DAOCLOUD) == "quay.io/a/b:1"


def test_mirror_with_a_path_prefix():
    assert imageref.mirrored("ghcr.io/llm-d/x:v1", {"ghcr.io": "harbor.corp/ghcr"}) == "harbor.corp/ghcr/llm-d/x:v1"


def test_canonical_is_the_familiar_form():
    assert imageref.canonical("docker.io/library/nginx:1") == "nginx:1"
    assert imageref.canonical("docker.io/kindest/node:v1.31.0") == "kindest/node:v1.31.0"
    assert imageref.canonical("gcr.io/istio-testing/pilot:1.28") == "gcr.io/istio-testing/pilot:1.28"


def test_digest_pinned_references():
    digest = "sha256:" + "a" * 64
    assert imageref.parse(f"ghcr.io/x/y@{digest}").digest == digest


@pytest.mark.parametrize("bad", ["Upper/case:1", "ghcr.io/untagged", "a b:1", ""])
def test_invalid_references(bad):
    with pytest.raises(ValueError):
        imageref.parse(bad)
