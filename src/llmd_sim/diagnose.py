"""Why the stack is not ready, in a few lines a person can act on: which pod, its waiting reason
(ImagePullBackOff, CrashLoopBackOff, Pending with the scheduler's reason), its last events and
log lines. The commands' full output lands in the step log (the runner writes it there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmd_sim.errors import LlmdSimError
from llmd_sim.tools import kubectl

if TYPE_CHECKING:
    from llmd_sim.context import Context

PULL_FAILURES = ("ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName")
CRASHES = ("CrashLoopBackOff", "RunContainerError", "CreateContainerError")
# Pods shown in detail; the rest are counted.
SHOWN_PODS = 3
EVENT_LINES = 3
LOG_LINES = 5

HINTS = {
    "pull": "the image could not be pulled: preload it (`llmd-sim step images`, then `llmd-sim step cluster`), "
    "or pull through a mirror (--mirror-profile daocloud)",
    "crash": "the container keeps exiting: its last log lines are above (`kubectl logs --previous` shows more)",
    "unschedulable": "the node lacks room: give Docker more CPU and memory (Istio suggests 4 CPUs, 8 GB) "
    "or lower the replicas",
    "config": "the pod spec refers to something missing (a secret, config map or volume): see its events",
    "not_ready": "the container runs but fails its readiness probe: see its events and log lines",
}


@dataclass
class Trouble:
    """What keeps one pod from being Ready."""

    pod: str
    reason: str
    kind: str  # a HINTS key
    container: str | None = None
    image: str | None = None
    message: str = ""
    detail: list[str] = field(default_factory=list)

    def headline(self) -> str:
        where = f" ({self.image})" if self.image and self.kind == "pull" else ""
        return f"{self.pod} {self.reason}{where}"


def pod_troubles(pods: list[dict]) -> list[Trouble]:
    """The pods that are not Ready and why, worst first (pull failures, crashes, scheduling)."""
    found = [trouble for pod in pods if (trouble := _pod_trouble(pod))]
    order = ["pull", "crash", "unschedulable", "config", "not_ready"]
    return sorted(found, key=lambda trouble: order.index(trouble.kind))


def explain_pods(ctx: Context, namespace: str) -> tuple[list[Trouble], list[str]]:
    """Look at the namespace's pods; returns the troubles and the lines to show a person."""
    listed = _read(ctx, kubectl.get(ctx.kube_context, "pods", namespace=namespace))
    try:
        troubles = pod_troubles(kubectl.items(listed))
    except ValueError:
        troubles = []
    if not troubles:
        return [], []
    events = _events_by_pod(ctx, namespace)
    lines: list[str] = []
    for trouble in troubles[:SHOWN_PODS]:
        lines.append(f"pod {trouble.headline()}" + (f": {trouble.message}" if trouble.message else ""))
        lines += [f"  {line}" for line in trouble.detail]
        lines += [f"  event: {line}" for line in events.get(trouble.pod, [])[-EVENT_LINES:]]
        lines += [f"  log: {line}" for line in _log_tail(ctx, namespace, trouble)]
    if len(troubles) > SHOWN_PODS:
        lines.append(f"... and {len(troubles) - SHOWN_PODS} more pods not ready")
    return troubles, lines


def hint_for(troubles: list[Trouble]) -> str:
    """The hint for the worst trouble, plus where to look further."""
    first = HINTS[troubles[0].kind] if troubles else "see the step log for the full output"
    return f"{first}; `llmd-sim status` shows the log path"


def condition_lines(conditions: list[dict], kinds: tuple[str, ...]) -> list[str]:
    """`Programmed=False (Invalid): message` for each named condition that is not True."""
    lines = []
    for kind in kinds:
        found = next((c for c in conditions if c.get("type") == kind), None)
        if not found:
            lines.append(f"{kind}: not reported yet")
        elif found.get("status") != "True":
            lines.append(f"{kind}={found.get('status')} ({found.get('reason', '')}): {found.get('message', '')}")
    return lines


def _pod_trouble(pod: dict) -> Trouble | None:
    meta, status = pod.get("metadata", {}), pod.get("status", {})
    name = meta.get("name", "?")
    if meta.get("deletionTimestamp") or status.get("phase") == "Succeeded" or kubectl.is_true(pod, "Ready"):
        return None
    scheduled = kubectl.condition(pod, "PodScheduled")
    if scheduled and scheduled.get("status") == "False":
        return Trouble(name, scheduled.get("reason") or "Pending", "unschedulable", message=scheduled.get("message", ""))
    statuses = [*status.get("initContainerStatuses", []), *status.get("containerStatuses", [])]
    for container in statuses:
        waiting = container.get("state", {}).get("waiting") or {}
        reason = waiting.get("reason", "")
        kind = _kind_of(reason)
        if kind:
            trouble = Trouble(name, reason, kind, container.get("name"), container.get("image"), waiting.get("message", ""))
            last = container.get("lastState", {}).get("terminated")
            if last:
                trouble.detail.append(f"last exit: code {last.get('exitCode')} ({last.get('reason', '')})")
            return trouble
    for container in statuses:
        if not container.get("ready") and "running" in container.get("state", {}):
            return Trouble(name, "NotReady", "not_ready", container.get("name"), container.get("image"),
                           f"container {container.get('name')} is running but not ready")
    waiting = next((c["state"]["waiting"].get("reason") for c in statuses if c.get("state", {}).get("waiting")), None)
    return Trouble(name, waiting or status.get("phase", "NotReady"), "not_ready")


def _kind_of(reason: str) -> str | None:
    if reason in PULL_FAILURES:
        return "pull"
    if reason in CRASHES:
        return "crash"
    if reason == "CreateContainerConfigError":
        return "config"
    return None


def _events_by_pod(ctx: Context, namespace: str) -> dict[str, list[str]]:
    raw = _read(ctx, kubectl.events(ctx.kube_context, namespace, sort_by=None))
    try:
        events = kubectl.items(raw)
    except ValueError:
        return {}

    def when(event: dict) -> str:
        return event.get("lastTimestamp") or event.get("eventTime") or event.get("metadata", {}).get(
            "creationTimestamp") or ""

    by_pod: dict[str, list[str]] = {}
    for event in sorted(events, key=when):
        involved = event.get("involvedObject", {})
        if involved.get("kind") == "Pod":
            by_pod.setdefault(involved.get("name", ""), []).append(
                f"{event.get('reason', '')}: {' '.join(event.get('message', '').split())}")
    return by_pod


def _log_tail(ctx: Context, namespace: str, trouble: Trouble) -> list[str]:
    """Log lines say why a container crashes or fails its probes; pulls and scheduling have none."""
    if trouble.kind not in ("crash", "not_ready") or not trouble.container:
        return []
    argv = kubectl.logs(ctx.kube_context, namespace, trouble.pod, container=trouble.container,
                        tail=LOG_LINES, previous=trouble.kind == "crash")
    return [line for line in _read(ctx, argv).splitlines() if line.strip()][-LOG_LINES:]


def _read(ctx: Context, argv: list[str]) -> str:
    """stdout of a look-up; empty when it fails (diagnosis must not hide the original failure)."""
    try:
        result = ctx.runner.run(argv, check=False, reads=True)
    except LlmdSimError:
        return ""
    return result.stdout if result.ok else ""
