"""The destroy step (`llmd-sim down`): remove the route, releases, Istio and the cluster.

Reverse order of `up`, each part idempotent: what is already gone is reported and skipped, a part
that fails does not stop the others, and the step fails at the end if any part did (exit 1), so
running `down` again finishes the job. Deleting the kind cluster removes everything in it, so the
in-cluster parts only run with --keep-cluster, or on a cluster llmd-sim did not create.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmd_sim import guide, llmd_source
from llmd_sim.errors import CommandError, LlmdSimError, StepError
from llmd_sim.steps.base import Step
from llmd_sim.tools import helm, helmfile, kind, kubectl

DONE, SKIPPED, FAILED = "done", "skipped", "failed"
MARKS = {DONE: "✓", SKIPPED: "·", FAILED: "✗"}


@dataclass
class Outcome:
    part: str
    status: str
    note: str


class Destroy(Step):
    name = "destroy"
    description = "remove the route, releases, Istio and the cluster"

    def run(self, ctx) -> None:
        settings = ctx.settings
        if not settings.uses_kind and settings.source_of("kube_context") == "default":
            raise StepError(f"context {settings.context} is not a kind cluster llmd-sim created",
                            hint="name the context explicitly (--context) to remove the stack from it")
        outcomes = [self._attempt(ctx, title, part) for title, part in self._parts(ctx)]
        failed = [outcome for outcome in outcomes if outcome.status == FAILED]
        if failed:
            raise StepError(
                f"down did not finish: {', '.join(outcome.part for outcome in failed)} failed",
                details=[f"{outcome.part}: {outcome.note}" for outcome in failed],
                hint="fix the cause and run `llmd-sim down` again: it skips what is already gone",
            )

    def _parts(self, ctx) -> list[tuple[str, Callable]]:
        settings = ctx.settings
        deletes_cluster = settings.uses_kind and not ctx.options.get("keep_cluster")
        parts: list[tuple[str, Callable]] = [("port-forwards", stop_port_forwards)]
        if deletes_cluster:
            ctx.ui.info("releases, Istio and CRDs go with the cluster (--keep-cluster removes them one by one)")
            return [*parts, ("cluster", delete_cluster)]
        if settings.uses_kind and not cluster_exists(ctx):
            ctx.ui.info(f"kind cluster {settings.cluster_name} not found: nothing to remove inside it")
            return parts
        parts += [("httproute", delete_route), ("releases", remove_sim_releases), ("istio", remove_istio)]
        if ctx.options.get("remove_crds"):
            parts.append(("crds", delete_crds))
        if settings.uses_kind:
            parts.append(("namespaces", delete_namespaces))
        else:
            ctx.ui.info(f"context {settings.context} is not llmd-sim's kind cluster: the cluster and "
                        "namespaces are left in place")
        return parts

    @staticmethod
    def _attempt(ctx, title: str, part: Callable) -> Outcome:
        try:
            status, note = part(ctx)
        except LlmdSimError as err:
            command = f" (`{err.command}`: {' / '.join(err.stderr_tail(2))})" if isinstance(err, CommandError) else ""
            status, note = FAILED, f"{err.message}{command}"
        if not ctx.dry_run:  # a dry run's script says it all; "deleted" would not be true
            (ctx.ui.warn if status == FAILED else ctx.ui.info)(f"{MARKS[status]} {title}: {note}")
        return Outcome(title, status, note)


# -- the parts: each returns (status, note) or raises ------------------------------------------


def stop_port_forwards(ctx) -> tuple[str, str]:
    from llmd_sim import portforward

    stopped = portforward.stop_forgotten(ctx)
    if not stopped:
        return SKIPPED, "none running"
    if ctx.dry_run:
        for pid in stopped:
            ctx.ui.out(f"kill -TERM -- -{pid}  # a kubectl port-forward llmd-sim started")
    return DONE, "stopped pid " + ", ".join(map(str, stopped))


def cluster_exists(ctx) -> bool:
    """Whether llmd-sim's kind cluster is there; assumed so when kind cannot tell (the parts then say why)."""
    if ctx.dry_run:
        return True
    try:
        result = ctx.runner.run(kind.get_clusters(), check=False, reads=True)
    except LlmdSimError:
        return True
    return not result.ok or ctx.settings.cluster_name in kind.parse_lines(result.stdout)


def delete_cluster(ctx) -> tuple[str, str]:
    name = ctx.settings.cluster_name
    existed = cluster_exists(ctx)
    ctx.runner.run(kind.delete_cluster(name), hint="is Docker running? `docker info` tells")
    return (DONE, f"kind cluster {name} deleted") if existed else (SKIPPED, f"kind cluster {name} not found")


def delete_route(ctx) -> tuple[str, str]:
    namespace = ctx.settings.namespace
    result = ctx.runner.run(kubectl.delete(ctx.kube_context, "httproute", guide.ROUTE_NAME, namespace=namespace),
                            check=False)
    if not result.ok:
        if "doesn't have a resource type" in result.stderr:
            return SKIPPED, "no HTTPRoute API in the cluster"
        raise ctx.runner.failure(result, hint="is the cluster reachable? `llmd-sim status --probe`")
    if "deleted" in result.stdout or ctx.dry_run:
        return DONE, f"{guide.ROUTE_NAME} deleted from {namespace}"
    return SKIPPED, f"{guide.ROUTE_NAME} not found in {namespace}"


def remove_sim_releases(ctx) -> tuple[str, str]:
    settings = ctx.settings
    sim_helmfile = llmd_source.work_file(ctx, guide.SIM_HELMFILE)
    destroy = helmfile.destroy(ctx.kube_context, str(sim_helmfile), environment=guide.ENVIRONMENT,
                               namespace=settings.namespace)
    return _remove_releases(ctx, settings.namespace, guide.sim_releases(settings.release_postfix),
                            sim_helmfile, destroy)


def remove_istio(ctx) -> tuple[str, str]:
    istio_helmfile = llmd_source.work_file(ctx, guide.ISTIO_HELMFILE)
    destroy = helmfile.destroy(ctx.kube_context, str(istio_helmfile))
    return _remove_releases(ctx, guide.ISTIO_NAMESPACE, guide.ISTIO_RELEASES, istio_helmfile, destroy)


def delete_crds(ctx) -> tuple[str, str]:
    from llmd_sim.steps.crds import ALL_CRDS

    result = ctx.runner.run(kubectl.delete(ctx.kube_context, "crd", *ALL_CRDS),
                            hint="is the cluster reachable? `llmd-sim status --probe`")
    deleted = result.stdout.count(" deleted")
    if deleted or ctx.dry_run:
        return DONE, f"{deleted or len(ALL_CRDS)} CRDs deleted"
    return SKIPPED, "none found"


def delete_namespaces(ctx) -> tuple[str, str]:
    namespaces = (ctx.settings.namespace, guide.ISTIO_NAMESPACE)
    result = ctx.runner.run(kubectl.delete(ctx.kube_context, "namespace", *namespaces),
                            timeout=ctx.settings.wait_timeout, hint="`kubectl get namespace -o yaml` shows "
                            "what holds a namespace in Terminating (often a finalizer)")
    if "deleted" in result.stdout or ctx.dry_run:
        return DONE, f"{', '.join(namespaces)} deleted"
    return SKIPPED, "none found"


def _remove_releases(ctx, namespace: str, releases: tuple[str, ...], work_helmfile: Path,
                     destroy_argv: list[str]) -> tuple[str, str]:
    """`helmfile destroy` from the work copy; `helm uninstall` what is left when the work copy is
    gone or helmfile fails (it templates the whole helmfile first, which can fail on its own)."""
    present = _present(ctx, namespace, releases)
    if not present and not ctx.dry_run:
        return SKIPPED, f"none installed in {namespace}"
    if work_helmfile.is_file():
        try:
            ctx.runner.run(destroy_argv, cwd=work_helmfile.parent)
            return DONE, f"{', '.join(present) or ', '.join(releases)} removed from {namespace}"
        except CommandError as err:
            ctx.ui.warn(f"helmfile destroy failed ({' / '.join(err.stderr_tail(1))}); uninstalling with helm")
            present = _present(ctx, namespace, releases)
    for release in present if not ctx.dry_run else releases:
        ctx.runner.run(helm.uninstall(ctx.kube_context, release, namespace),
                       hint=f"`helm status {release} -n {namespace}` says what holds it")
    return DONE, f"{', '.join(present or releases)} removed from {namespace}"


def _present(ctx, namespace: str, releases: tuple[str, ...]) -> list[str]:
    listed = ctx.runner.run(helm.list_releases(ctx.kube_context, namespace, all_=True), reads=True,
                            hint="is the cluster reachable? `llmd-sim status --probe`")
    return helm.present(listed.stdout, releases)


STEP = Destroy()
