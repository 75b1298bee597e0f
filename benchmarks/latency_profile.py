"""The laptop latency profile of the orchestration figure, and the three durations derived from it.

One place for the numbers: SECONDS is what a real laptop takes (kind create ~40 s, each image pull
~20 s, helm installs ~20-30 s, pods Ready ~30-60 s); the fake world is configured from it (times a
scale), and the critical path, llmd-sim's step chain and the guide's sequential sum are computed
from the same table, so a change here moves the world and the yardsticks together.

The work is a list of tasks in the order llmd-sim does it. A *command* is something a tool runs
(a pull, `kind create`, one helm release of a helmfile); a *transition* happens inside the cluster
on its own once its needs are met (nodes turning Ready, CRDs Established, pods starting). `needs`
are the waits the tools themselves impose, at the granularity of the guide's commands:
- `kind create` needs the node image; everything that talks to the cluster needs `kind create`;
- `kind load` needs the node containers (not Ready nodes) and the pulled images;
- a pod starts once its node is Ready and its images are on the node (loaded, so no node pull);
- istio's helmfile needs helm-diff (helmfile apply diffs first) and the guide checkout;
- the guide's helmfile needs istiod Ready (the gaie chart's DestinationRule goes through Istio's
  validating webhook), the CRDs Established (Gateway, InferencePool), the namespace, helm-diff and
  the checkout; its releases follow their `needs` (infra, then gaie, then ms);
- the HTTPRoute needs the Gateway API CRDs and the namespace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Realistic seconds per fake-world latency key (tests/fakeworld/world.py LATENCY names them).
SECONDS = {
    "helm plugin install": 5.0,
    "docker pull": 20.0,
    "kind create cluster": 40.0,
    "node ready": 15.0,
    "kind load": 10.0,
    "kubectl apply": 1.0,
    "crd established": 2.0,
    "git clone": 3.0,
    "helmfile release": 25.0,
    "pod start": 45.0,
}
SCALE = 0.02  # 50 times faster than the laptop, so a full `up` runs in seconds


@dataclass(frozen=True)
class Task:
    """One piece of work: its latency key, the llmd-sim step that runs or awaits it, and its needs."""

    name: str
    key: str
    step: str
    needs: tuple[str, ...] = ()
    transition: bool = False  # happens in the cluster by itself once its needs are met (llmd-sim awaits it)
    count: int = 1  # items of this kind (images to pull)
    parallel: int = 1  # how many of them run at once (pull_parallelism)

    @property
    def rounds(self) -> int:
        return math.ceil(self.count / self.parallel)


def tasks(images: int, parallelism: int) -> list[Task]:
    """The work of a first `llmd-sim up`, in llmd-sim's order, for `images` pulls `parallelism` at a time."""
    return [
        Task("helm-diff install", "helm plugin install", "prereqs"),
        Task("image pulls", "docker pull", "images", count=images, parallel=parallelism),
        Task("kind create", "kind create cluster", "cluster", needs=("image pulls",)),
        Task("kind load", "kind load", "cluster", needs=("kind create", "image pulls")),
        Task("nodes Ready", "node ready", "cluster", needs=("kind create",), transition=True),
        Task("Gateway API CRDs", "kubectl apply", "crds", needs=("kind create",)),
        Task("GAIE CRDs", "kubectl apply", "crds", needs=("kind create",)),
        Task("CRDs Established", "crd established", "crds", needs=("Gateway API CRDs", "GAIE CRDs"), transition=True),
        Task("git clone", "git clone", "istio"),
        Task("istio-base", "helmfile release", "istio", needs=("kind create", "helm-diff install", "git clone")),
        Task("istiod", "helmfile release", "istio", needs=("istio-base",)),
        Task("istiod Ready", "pod start", "istio", needs=("istiod", "nodes Ready", "kind load"), transition=True),
        Task("namespace", "kubectl apply", "deploy", needs=("kind create",)),
        Task("infra-sim", "helmfile release", "deploy",
             needs=("istiod Ready", "CRDs Established", "namespace", "helm-diff install", "git clone")),
        Task("gaie-sim", "helmfile release", "deploy", needs=("infra-sim",)),
        Task("ms-sim", "helmfile release", "deploy", needs=("gaie-sim",)),
        Task("HTTPRoute", "kubectl apply", "deploy", needs=("CRDs Established", "namespace")),
        Task("model servers Ready", "pod start", "verify", needs=("ms-sim", "nodes Ready", "kind load"),
             transition=True),
    ]


def default_tasks() -> list[Task]:
    """The tasks for llmd-sim's default settings: its image list and pull parallelism."""
    from llmd_sim.config import Settings

    settings = Settings()
    return tasks(len(settings.all_images), settings.pull_parallelism)


def duration(task: Task, seconds: dict[str, float]) -> float:
    """How long the task takes when its parallel items run in rounds."""
    return seconds[task.key] * task.rounds


def critical_path(work: list[Task], seconds: dict[str, float]) -> float:
    """The longest chain of needs: every task starts as soon as what it needs has ended."""
    ends: dict[str, float] = {}
    for task in work:  # listed after its needs, so one pass is a topological order
        ends[task.name] = max((ends[need] for need in task.needs), default=0.0) + duration(task, seconds)
    return max(ends.values(), default=0.0)


def step_times(work: list[Task], seconds: dict[str, float]) -> dict[str, float]:
    """Each step's duration in llmd-sim's pipeline when only the profile costs time: its commands run
    one after another, after the previous step; a transition runs from its needs on its own, and the
    step that owns it waits for its end."""
    ends: dict[str, float] = {}
    clock, started, times = 0.0, 0.0, {}
    for task in work:
        if task.step not in times:
            started = clock
        ready = max((ends[need] for need in task.needs), default=0.0)
        ends[task.name] = (ready if task.transition else max(ready, clock)) + duration(task, seconds)
        clock = max(clock, ends[task.name])
        times[task.step] = clock - started
    return times


def step_chain(work: list[Task], seconds: dict[str, float]) -> float:
    """The whole pipeline: its steps one after another."""
    return sum(step_times(work, seconds).values())


def sequential_sum(work: list[Task], seconds: dict[str, float]) -> float:
    """The guide done by hand, fully in sequence: every item of every task, one after another."""
    return sum(seconds[task.key] * task.count for task in work)
