"""Helm releases in a cluster: fetching a chart, installing or upgrading it, uninstalling it.

An install first builds every object; one whose type the cluster does not serve fails the whole
install with helm's `unable to build kubernetes objects from release manifest: resource mapping not
found ... no matches for kind` and records no release. Istio objects while istiod is not ready fail
at its webhook, leaving the release `failed`. A release remembers its objects so that an upgrade
drops what the new render lacks and an uninstall removes them all. While helm works on a release it
is `pending-install`/`pending-upgrade`; a helm killed meanwhile leaves it so, and the next upgrade
fails with `another operation (install/upgrade/rollback) is in progress`, as with real helm.
"""

from __future__ import annotations

import re

from fakeworld import charts, clusters, images, kube, status, workloads, world
from fakeworld.kubectl_apply import ISTIO_WEBHOOK


class ReleaseError(Exception):
    pass


def resolve_chart(chart: str, version: str, repositories: dict[str, str], knob: dict) -> str:
    """The chart model a helmfile `chart:` names, after checking it can be fetched; ReleaseError otherwise."""
    if chart.startswith("oci://"):
        location = chart[len("oci://"):]
        host, _, path = location.partition("/")
        upstream = images.mirror_map(knob).get(host, host)
        model = charts.OCI.get(path)
        if not images.reachable(host, knob):
            raise ReleaseError(f'Error: failed to do request: Head "https://{host}/v2/{path}/manifests/{version}": '
                               f"{images.dns_error(host)}")
        if model is None or model[0] != upstream:
            raise ReleaseError(f"Error: {location}:{version}: not found")
        name = model[1]
    else:
        repo, _, name = chart.partition("/")
        url = repositories.get(repo)
        if url is None:
            raise ReleaseError(f'Error: repo {repo} not found')
        problem = repo_error(url, knob)
        if problem:
            raise ReleaseError(problem)
        if name not in charts.REPOS.get(url, set()):
            raise ReleaseError(f'Error: chart "{name}" not found in {url} repository')
    if version and not re.fullmatch(charts.VERSIONS[name], version):
        raise ReleaseError(f'Error: chart "{name}" version "{version}" not found in {chart} repository')
    return name


def repo_error(url: str, knob: dict) -> str | None:
    """helm's message when a chart repository cannot be reached (`helm repo add`), else None."""
    host = re.sub(r"^https?://", "", url).split("/", 1)[0]
    if images.reachable(host, knob):
        return None
    return (f'Error: looks like "{url}" is not a valid chart repository or cannot be reached: '
            f'Get "{url.rstrip("/")}/index.yaml": {images.dns_error(host)}')


def begin(cluster: dict, *, name: str, namespace: str, chart: str, version: str, now: float, owner: int) -> None:
    """Mark the release pending while this helm (`owner`, a pid) works on it."""
    key = f"{namespace}/{name}"
    previous = cluster["releases"].get(key)
    if previous and previous["status"].startswith("pending-") and previous.get("owner") != owner:
        raise ReleaseError("Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress")
    if previous is None:
        cluster["releases"][key] = {"name": name, "namespace": namespace, "chart": chart, "version": version,
                                    "app_version": charts.app_version(chart, version), "revision": 1, "updated": now,
                                    "first": now, "values": {}, "user_values": {}, "objects": [], "owner": owner,
                                    "status": "pending-install", "description": "Initial install underway"}
    else:
        previous.update(pending_from=previous["status"], status="pending-upgrade", owner=owner)


def _settled(record: dict | None) -> dict | None:
    """The release as it was before this helm marked it pending (None for a first install)."""
    if record is None or record["status"] == "pending-install":
        return None
    if record["status"] == "pending-upgrade":
        return {**record, "status": record.get("pending_from", "deployed")}
    return record


def install(state: dict, cluster: dict, knob: dict, now: float, *, name: str, namespace: str, chart: str,
            version: str, user_values: dict) -> str:
    """Install or upgrade; returns helm's first output line. ReleaseError with helm's error otherwise."""
    key = f"{namespace}/{name}"
    previous = _settled(cluster["releases"].get(key))
    verb = "UPGRADE FAILED" if previous else "INSTALLATION FAILED"
    values = charts.merge(charts.defaults(chart, version), user_values)
    rendered = charts.render(chart, name, namespace, values)
    missing = [obj for obj in rendered if kube.mapping(cluster, obj["apiVersion"], obj["kind"], now) is None]
    if missing:
        reasons = [f'resource mapping not found for name: "{obj["metadata"]["name"]}" namespace: '
                   f'"{obj["metadata"].get("namespace", "") if obj["kind"] != kube.CRD_KIND else ""}" from "": no '
                   f'matches for kind "{obj["kind"]}" in version "{obj["apiVersion"]}"\nensure CRDs are installed first'
                   for obj in missing]
        joined = reasons[0] if len(reasons) == 1 else "[" + ", ".join(reasons) + "]"
        if previous:  # helm builds the objects before it records anything
            cluster["releases"][key] = previous
        else:
            cluster["releases"].pop(key, None)
        raise ReleaseError(f"Error: {verb}: unable to build kubernetes objects from "
                           f"{'current ' if previous else ''}release manifest: {joined}")
    kube.ensure_namespace(cluster, namespace, now)  # helmfile's default --create-namespace
    control = status.istio(state, cluster, knob, now)
    record = {"name": name, "namespace": namespace, "chart": chart, "version": version,
              "app_version": charts.app_version(chart, version), "revision": (previous or {}).get("revision", 0) + 1,
              "updated": now, "first": (previous or {}).get("first", now), "values": values, "user_values": user_values,
              "objects": (previous or {}).get("objects", [])}
    if control["present"] and not control["ready"] and any(kube.group_of(o).endswith("istio.io") for o in rendered):
        cluster["releases"][key] = {**record, "status": "failed", "description": "Release failed"}
        raise ReleaseError(f"Error: {verb}: 1 error occurred:\n\t* {ISTIO_WEBHOOK}")
    keys = []
    for obj in rendered:
        extra = {k.lstrip("_"): obj.pop(k) for k in [k for k in obj if k.startswith("_")]}
        obj["metadata"].setdefault("namespace", namespace)
        if obj["kind"] == kube.CRD_KIND:
            obj["metadata"].pop("namespace", None)
            clusters.install_crds(cluster, [obj], now, now + world.duration(knob, "crd established"))
        elif obj["kind"] == "Deployment":
            workloads.apply_deployment(state, cluster, obj, now, release=name, **extra)
        else:
            kube.put(cluster, obj, now, release=name)
        keys.append(kube.key(kube.group_of(obj), obj["kind"], obj["metadata"].get("namespace", ""),
                             obj["metadata"]["name"]))
    for stale in set(record["objects"]) - set(keys):
        if stale in cluster["objects"]:
            kube.delete(cluster, cluster["objects"][stale])
    cluster["releases"][key] = {**record, "objects": keys, "status": "deployed",
                                "description": "Upgrade complete" if previous else "Install complete"}
    return f'Release "{name}" has been upgraded. Happy Helming!' if previous else f"NAME: {name}"


def unchanged(cluster: dict, namespace: str, name: str, chart: str, version: str, user_values: dict) -> bool:
    """What helm-diff reports: nothing to change for a deployed release with the same chart and values."""
    previous = cluster["releases"].get(f"{namespace}/{name}")
    return bool(previous) and previous["status"] == "deployed" and previous["chart"] == chart \
        and previous["version"] == version and previous["user_values"] == user_values


def uninstall(cluster: dict, name: str, namespace: str) -> bool:
    release = cluster["releases"].pop(f"{namespace}/{name}", None)
    if release is None:
        return False
    for key in release["objects"]:
        if key in cluster["objects"]:
            kube.delete(cluster, cluster["objects"][key])
    return True


def _stamp(when: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when)) + f".{int(when * 1e6) % 1000000:06d}000 +0000 UTC"


def list_entry(release: dict) -> dict:
    return {"name": release["name"], "namespace": release["namespace"], "revision": str(release["revision"]),
            "updated": _stamp(release["updated"]), "status": release["status"],
            "chart": f"{release['chart']}-{release['version']}", "app_version": release["app_version"]}


def describe(release: dict) -> dict:
    """`helm status -o json`."""
    return {"name": release["name"], "namespace": release["namespace"], "version": release["revision"],
            "info": {"first_deployed": world.rfc3339(release["first"]), "last_deployed": world.rfc3339(release["updated"]),
                     "deleted": "", "description": release.get("description", ""), "status": release["status"]},
            "chart": {"metadata": {"name": release["chart"], "version": release["version"],
                                   "appVersion": release["app_version"]}},
            "config": release["user_values"]}
