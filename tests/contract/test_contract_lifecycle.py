"""The fake world carries a whole `llmd-sim up`, `test`, `down` (issue 3's end-to-end run)."""

from __future__ import annotations


def test_up_test_down_leaves_a_world_that_says_what_happened(fake_world, llmd_sim):
    fake_world.latency(0.005)  # realistic durations, 200 times faster
    up = llmd_sim("up", timeout=120)
    assert up.returncode == 0, up.stderr[-3000:]
    assert fake_world.clusters() == ["llmd-sim"] and fake_world.current_context() == "kind-llmd-sim"
    assert fake_world.releases(namespace="llm-d-sim") == {"infra-sim": "deployed", "gaie-sim": "deployed",
                                                          "ms-sim": "deployed"}
    assert fake_world.releases(namespace="istio-system") == {"istio-base": "deployed", "istiod": "deployed"}
    assert fake_world.names("HTTPRoute", namespace="llm-d-sim") == ["llm-d-sim"]
    assert all(pod["ready"] for pod in fake_world.pods("llm-d-sim").values())

    tested = llmd_sim("test", timeout=60)
    assert tested.returncode == 0, tested.stderr[-3000:]

    down = llmd_sim("down", timeout=60)
    assert down.returncode == 0, down.stderr[-3000:]
    assert fake_world.clusters() == [] and fake_world.contexts() == []

    assert fake_world.calls_without_context() == []
    forwards = [call for call in fake_world.calls("kubectl") if "port-forward" in call["argv"]]
    assert forwards and all(call["exit"] is not None for call in forwards)  # each one ended: no orphan
    commands = fake_world.commands()
    assert any(c.startswith("kind create cluster --name llmd-sim") for c in commands)
    assert commands.index(next(c for c in commands if c.startswith("kind delete cluster"))) > commands.index(
        next(c for c in commands if c.startswith("kind create cluster")))
