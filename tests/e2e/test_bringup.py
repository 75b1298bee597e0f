"""Issue 4 in the fake world: a fresh machine, a stopped Docker, a firewall with mirrors, a re-run."""

from __future__ import annotations

from e2e.conftest import CREATING, UP_STEPS, helm_plugins

# GitHub Pages (the llm-d-infra and llm-d-modelservice chart repositories) stays reachable: no
# mirror is known for it (README, "Mirrors").
UPSTREAM = ("ghcr.io", "gcr.io", "docker.io", "registry.k8s.io", "quay.io", "github.com")
MIRRORS = ("ghcr.m.daocloud.io", "gcr.m.daocloud.io", "docker.m.daocloud.io", "k8s.m.daocloud.io")


def test_docker_down_is_a_clear_error_and_a_valid_state(fake_world, llmd_sim, state):
    fake_world.docker_down()
    result = llmd_sim("up")
    assert result.returncode == 1
    assert "error: docker is not running" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert state()["steps"]["prereqs"]["status"] == "failed"
    assert fake_world.clusters() == []

    fake_world.docker_down(False)  # started: the next run resumes and finishes
    resumed = llmd_sim("up")
    assert resumed.returncode == 0, resumed.stderr[-3000:]


def test_behind_a_firewall_everything_comes_through_the_mirrors(fake_world, up, checkout):
    fake_world.unreachable(*UPSTREAM)
    fake_world.install_helm_diff(plugins_dir=helm_plugins())  # its download is plain HTTP, outside this world
    up("--mirror-profile", "daocloud", "--llm-d-dir", str(checkout))

    pulls = [c for c in fake_world.commands("docker") if c.startswith("docker pull ")]
    assert len(pulls) == 6
    assert all(pull.split()[2].startswith(MIRRORS) for pull in pulls), pulls
    host = fake_world.host_images()
    for image in ("docker.io/kindest/node:v1.31.0", "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1",
                  "gcr.io/istio-testing/pilot:1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401"):
        assert image in host  # tagged back to the canonical name the charts use
    for node in fake_world.state()["clusters"]["llmd-sim"]["nodes"]:
        mirrors = node["containerd"]["hosts"]
        assert mirrors["ghcr.io"] and mirrors["gcr.io"] and mirrors["registry.k8s.io"], node["name"]
    assert all(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())


def test_a_second_up_creates_pulls_loads_and_installs_nothing(fake_world, up, state):
    up()
    calls_before = len(fake_world.calls())
    second = up()
    new = fake_world.commands()[calls_before:]
    assert not [c for c in new if c.startswith(CREATING)], new
    for step in UP_STEPS:
        assert f"· {step}" in second.stderr and "skipped" in second.stderr
    assert all(record["status"] == "done" for record in state()["steps"].values())


def test_a_changed_image_list_pulls_and_loads_only_what_is_new(fake_world, up):
    fake_world.add_catalog_image("docker.io/library/busybox:1.36")
    up()
    calls_before = len(fake_world.calls())
    result = up("--extra-image", "busybox:1.36")
    new = fake_world.commands()[calls_before:]
    assert [c for c in new if c.startswith("docker pull")] == ["docker pull busybox:1.36"]
    assert [c for c in new if c.startswith("kind load")] == ["kind load docker-image busybox:1.36 --name llmd-sim"]
    assert not [c for c in new if c.startswith("kind create")]
    assert "config changed: images" in result.stderr
