"""What kubelet and the scheduler would report for a pod right now, with its events.

A pod starts once its node is Ready. Each image must be on the node, or be pullable: pulled when
missing, and pulled again (re-resolved at the registry) with pullPolicy Always even when present.
A pull through an unreachable registry with no working containerd mirror leaves the container
waiting in ImagePullBackOff with kubelet's `Failed to pull image` event. Pulls and start-up take
their scaled time. Knobs: pod_starved (Pending: `Insufficient memory`), pod_never_ready
(pattern -> waiting reason: CrashLoopBackOff, or Unhealthy for a failing readiness probe).
"""

from __future__ import annotations

import re

from fakeworld import images, kube, world


def _node(cluster: dict, name: str) -> dict:
    return next((node for node in cluster["nodes"] if node["name"] == name), cluster["nodes"][0])


def _matches(patterns, name: str) -> str | None:
    return next((pattern for pattern in patterns if re.search(pattern, name)), None)


def evaluate(state: dict, cluster: dict, pod: dict, knob: dict, now: float) -> dict:
    """{"status": ..., "events": [...], "downloads": {image: id} pulled onto the node once started}."""
    name = pod["metadata"]["name"]
    node = _node(cluster, pod["spec"].get("nodeName", ""))
    start = max(pod["_fake"]["created"], node.get("ready_at", 0))
    events = [_event(pod, "Normal", "Scheduled", f"Successfully assigned {pod['metadata']['namespace']}/{name} "
                                                 f"to {node['name']}", start, "default-scheduler")]
    if _matches(knob["pod_starved"], name):
        workers = len(cluster["nodes"])
        message = (f"0/{workers} nodes are available: 1 node(s) had untolerated taint "
                   "{node-role.kubernetes.io/control-plane: }, " if workers > 1 else f"0/{workers} nodes are available: ")
        message += f"{max(workers - 1, 1)} Insufficient memory. preemption: 0/{workers} nodes are available: " \
                   f"{max(workers - 1, 1)} No preemption victims found for incoming pod."
        return {"status": _pending_unscheduled(message), "downloads": {},
                "events": [_event(pod, "Warning", "FailedScheduling", message, start, "default-scheduler")]}
    specs = [*pod["spec"].get("initContainers", []), *pod["spec"].get("containers", [])]
    failures, downloads = {}, {}
    for spec in specs:
        image = spec["image"]
        stored = images.canonical(image)
        present = stored in node["images"]
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        if policy == "Never" and not present:
            failures[spec["name"]] = ("ErrImageNeverPull", f'Container image "{image}" is not present with pull '
                                                           "policy of Never")
            continue
        if policy == "Always" or not present:
            events.append(_event(pod, "Normal", "Pulling", f'Pulling image "{image}"', start, node["name"], spec))
            problem = images.node_pull_error(image, node["containerd"], state, knob)
            if problem:
                failures[spec["name"]] = ("ImagePullBackOff", f'Back-off pulling image "{image}": ErrImagePull: {problem}')
                events += [_event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {problem}', start,
                                  node["name"], spec),
                           _event(pod, "Warning", "Failed", "Error: ErrImagePull", start, node["name"], spec),
                           _event(pod, "Normal", "BackOff", f'Back-off pulling image "{image}"', start, node["name"], spec),
                           _event(pod, "Warning", "Failed", "Error: ImagePullBackOff", start, node["name"], spec)]
            elif not present:
                downloads[stored] = images.image_id(images.upstream(image, knob)[0])
    ready_at = start + world.duration(knob, "node pull") * len(downloads) + world.duration(knob, "pod start")
    waiting = dict(failures)
    if not waiting and now < ready_at:
        waiting = {spec["name"]: ("ContainerCreating", "") for spec in specs}
    never = _matches(knob["pod_never_ready"], name)
    status = _status(pod, specs, waiting, ready_at, now, node)
    if not waiting and never:
        reason = knob["pod_never_ready"][never] or "CrashLoopBackOff"
        main = pod["spec"]["containers"][0]
        message = _never_ready_message(reason, main, pod, status)
        _not_ready(status, main["name"], reason, message, pod, now, ready_at)
        kind = {"Unhealthy": "Unhealthy", "ImagePullBackOff": "Failed", "ErrImagePull": "Failed"}.get(reason, "BackOff")
        events.append(_event(pod, "Warning", kind, message, ready_at, node["name"], main))
    return {"status": status, "events": events, "downloads": downloads if not waiting else {}}


def _status(pod: dict, specs: list[dict], waiting: dict, ready_at: float, now: float, node: dict) -> dict:
    started = not waiting
    statuses = {spec["name"]: {"name": spec["name"], "image": spec["image"], "ready": started, "started": started,
                               "restartCount": 0, "imageID": "",
                               "state": {"running": {"startedAt": world.rfc3339(ready_at)}} if started else
                               {"waiting": {"reason": waiting.get(spec["name"], ("PodInitializing", ""))[0],
                                            **({"message": waiting[spec["name"]][1]}
                                               if waiting.get(spec["name"], ("", ""))[1] else {})}}}
                for spec in specs}
    init_names = [spec["name"] for spec in pod["spec"].get("initContainers", [])]
    flag = "True" if started else "False"
    return {"phase": "Running" if started else "Pending", "hostIP": "172.18.0.2",
            "podIP": f"10.244.{sum(pod['metadata']['name'].encode()) % 250}.{len(pod['metadata']['name'])}",
            "startTime": world.rfc3339(pod["_fake"]["created"]), "qosClass": "BestEffort",
            "conditions": [{"type": t, "status": s, "lastTransitionTime": world.rfc3339(ready_at if s == "True" else now)}
                           for t, s in (("PodScheduled", "True"), ("Initialized", "True" if not any(
                               n in waiting for n in init_names) else "False"), ("ContainersReady", flag), ("Ready", flag))],
            "initContainerStatuses": [statuses[n] for n in init_names],
            "containerStatuses": [statuses[s["name"]] for s in pod["spec"].get("containers", [])]}


def _never_ready_message(reason: str, main: dict, pod: dict, status: dict) -> str:
    """The event kubelet gives for the pod_never_ready knob's reason."""
    if reason == "Unhealthy":
        return f'Readiness probe failed: Get "http://{status["podIP"]}:8000/v1/models": dial tcp: connection refused'
    if reason in ("ImagePullBackOff", "ErrImagePull"):
        return (f'Failed to pull image "{main["image"]}": rpc error: code = Unknown desc = failed to pull and unpack '
                "image: unexpected status from HEAD request: 429 Too Many Requests")
    return f"Back-off restarting failed container {main['name']} in pod {pod['metadata']['name']}_" \
           f"{pod['metadata']['namespace']}"


def _not_ready(status: dict, container_name: str, reason: str, message: str, pod: dict, now: float,
               ready_at: float) -> None:
    for condition in status["conditions"]:
        if condition["type"] in ("ContainersReady", "Ready"):
            condition["status"] = "False"
    for entry in status["containerStatuses"]:
        if entry["name"] != container_name:
            continue
        entry["ready"] = False
        if reason == "Unhealthy":  # running, but its readiness probe fails
            continue
        entry["state"] = {"waiting": {"reason": reason, "message": message}}
        if reason not in ("ImagePullBackOff", "ErrImagePull"):
            entry["restartCount"] = 1 + int(max(now - ready_at, 0))
            entry["state"]["waiting"]["message"] = (f"back-off 5m0s restarting failed container={container_name} "
                                                    f"pod={pod['metadata']['name']}")
            entry["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error"}}


def _pending_unscheduled(message: str) -> dict:
    return {"phase": "Pending", "qosClass": "Burstable",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}]}


def _event(pod: dict, kind: str, reason: str, message: str, stamp: float, source: str, spec: dict | None = None) -> dict:
    meta = pod["metadata"]
    involved = {"kind": "Pod", "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
                "apiVersion": "v1"}
    if spec:
        involved["fieldPath"] = f"spec.containers{{{spec['name']}}}"
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{kube.short_hash(reason + message, 12)}",
                         "namespace": meta["namespace"]},
            "involvedObject": involved, "reason": reason, "message": message, "type": kind, "count": 1,
            "firstTimestamp": world.rfc3339(stamp), "lastTimestamp": world.rfc3339(stamp),
            "source": {"component": "kubelet" if source != "default-scheduler" else source,
                       **({"host": source} if source != "default-scheduler" else {})},
            "reportingComponent": "kubelet" if source != "default-scheduler" else source}
