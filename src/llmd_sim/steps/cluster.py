"""The cluster step: create the kind cluster (or reuse it when its config is the one recorded), make
sure the kube-context kind-<name> exists, load the images into the nodes, and wait for them to be Ready.
With an existing cluster (kube_context set), nothing is created or deleted: the context must answer.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from llmd_sim import kind_config, kind_load, toolchain
from llmd_sim.errors import CommandError, LlmdSimError, StepError
from llmd_sim.steps.base import Step
from llmd_sim.tools import kind, kubectl

PORT_IN_USE = ("port is already allocated", "address already in use")


class Cluster(Step):
    name = "cluster"
    description = "create or reuse the kind cluster and load the images into it"

    def inputs(self, ctx) -> dict:
        settings = ctx.settings
        if not settings.uses_kind:
            return {"context": ctx.kube_context}
        return {
            "context": ctx.kube_context,
            "node_image": settings.node_image,
            "port_mappings": settings.port_mappings,
            "mirrors": settings.registry_mirrors,
            "template": kind_config.template_digest(settings),
            "images": kind_load.images_for_nodes(ctx),
        }

    def probe(self, ctx) -> str | None:
        """Two local reads: kind knows the cluster, and the kubeconfig has its context."""
        if not ctx.settings.uses_kind:
            return None
        try:
            if ctx.settings.cluster_name not in _clusters(ctx, check=False):
                return f"kind cluster {ctx.settings.cluster_name} missing"
            if ctx.kube_context not in _contexts(ctx):
                return f"context {ctx.kube_context} missing from the kubeconfig"
        except LlmdSimError as err:  # kind not installed: a reason to run, not a crash of the plan
            return err.message
        return None

    def run(self, ctx) -> None:
        if not ctx.settings.uses_kind:
            _check_existing_cluster(ctx)
            return
        engine = toolchain.engine(ctx)
        config = kind_config.render(ctx.settings, hosts_dir(ctx))
        action = _create_or_reuse(ctx, config)
        _ensure_context(ctx)
        nodes = _registered_nodes(ctx)
        images = kind_load.images_for_nodes(ctx)
        missing = kind_load.missing_on_nodes(ctx, engine, nodes, images)
        # kind load imports into each node's containerd, which runs once `kind create` returns: loading
        # while the kubelets turn Ready overlaps the two waits (~10 s of a laptop's first `up`).
        loaded = f"loaded {len(missing)} via {kind_load.load(ctx, engine, missing)}" if missing else "all on every node"
        _wait_until_ready(ctx)
        ctx.ui.table("cluster", ("", ""), [
            ("cluster", f"{ctx.settings.cluster_name} ({action})"),
            ("context", ctx.kube_context),
            ("nodes", ", ".join(nodes) or "?"),
            ("node image", ctx.settings.node_image),
            ("images", f"{len(images)}: {loaded}"),
            ("registry mirrors", ", ".join(f"{r}={m}" for r, m in ctx.settings.registry_mirrors.items()) or "none"),
        ])


def cluster_dir(ctx) -> Path:
    """Files that live as long as the kind cluster, shared by every namespace deployed into it:
    the config it was created with and the hosts.toml directory mounted into its nodes."""
    return ctx.paths.home / "clusters" / ctx.settings.cluster_name


def hosts_dir(ctx) -> Path:
    """The host directory of hosts.toml files, mounted into every node at /etc/containerd/certs.d."""
    return cluster_dir(ctx) / "containerd-certs.d"


def _write_files(ctx, config: str) -> None:
    """Write the kind config and the hosts.toml files. containerd reads those on each pull, so on a
    reused cluster a changed mirror host takes effect without recreating anything."""
    files = kind_config.hosts_files(ctx.settings.registry_mirrors)
    for relative, text in files.items():
        ctx.runner.write_file(hosts_dir(ctx) / relative, text)
    if hosts_dir(ctx).is_dir() and not ctx.dry_run:
        wanted = {relative.split("/")[0] for relative in files}
        for stale in (p for p in hosts_dir(ctx).iterdir() if p.is_dir() and p.name not in wanted):
            shutil.rmtree(stale)  # a registry no longer mirrored goes back to pulling directly
    ctx.runner.write_file(ctx.paths.work_dir / "kind-config.yaml", config)


def _create_or_reuse(ctx, config: str) -> str:
    name = ctx.settings.cluster_name
    record = cluster_dir(ctx) / "kind-config.applied.yaml"
    if name in _clusters(ctx):
        applied = record.read_text() if record.is_file() else None
        if applied == config:
            _write_files(ctx, config)
            return "reused"
        if not ctx.options.get("force"):
            raise _config_differs(ctx, applied, config)
        ctx.ui.info(f"recreating kind cluster {name}: its config changed (--force)")
        ctx.runner.run(kind.delete_cluster(name))
        _create(ctx, config, record)
        return "recreated"
    _create(ctx, config, record)
    return "created"


def _create(ctx, config: str, record: Path) -> None:
    name = ctx.settings.cluster_name
    _write_files(ctx, config)
    ctx.ui.progress_note(f"creating kind cluster {name}")
    try:
        ctx.runner.run(kind.create_cluster(name, str(ctx.paths.work_dir / "kind-config.yaml")),
                       hint="the log has kind's own messages; a full disk or too little memory for the "
                       "engine are the usual causes")
    except CommandError as err:
        if any(phrase in err.stderr for phrase in PORT_IN_USE):
            err.hint = ("a host port of port_mappings is taken by another program: free it, or choose others, "
                        "e.g. --set port_mappings=30080:18000,30443:18443")
        raise
    if not ctx.dry_run:
        ctx.runner.write_file(record, config)  # the config this cluster really has, for the next run


def _config_differs(ctx, applied: str | None, config: str) -> StepError:
    name = ctx.settings.cluster_name
    if applied is None:
        return StepError(
            f"a kind cluster named {name} exists, but llmd-sim has no record of creating it",
            hint=f"use another name (--cluster), or recreate it with `llmd-sim up --force` "
            f"(this deletes the existing cluster {name})",
        )
    diff = difflib.unified_diff(applied.splitlines(), config.splitlines(), "created with", "wanted now", lineterm="", n=1)
    return StepError(
        f"kind cluster {name} exists with a different configuration",
        details=[line for line in diff if not line.startswith(("---", "+++", "@@"))][:12],
        hint="recreate it with `llmd-sim up --force` (this deletes the cluster and everything in it), "
        "or set the settings back",
    )


def _ensure_context(ctx) -> None:
    """kind writes kind-<name> into the kubeconfig; it can go missing (a reset kubeconfig, another
    tool's cleanup). `kind export kubeconfig` puts it back."""
    if ctx.kube_context not in _contexts(ctx):
        ctx.runner.run(kind.export_kubeconfig(ctx.settings.cluster_name))


def _stopped_hint(ctx) -> str:
    name = ctx.settings.cluster_name
    return (f"if the engine was restarted, the node containers may be stopped: "
            f"`docker start {name}-control-plane {name}-worker`")


def _registered_nodes(ctx) -> list[str]:
    """The node containers, once the API server lists them (so a stopped cluster is caught here,
    with the hint to start it, before anything is loaded into it)."""
    name = ctx.settings.cluster_name
    listed = ctx.runner.run(kubectl.get(ctx.kube_context, "nodes", output="name"), reads=True, hint=_stopped_hint(ctx))
    if not kubectl.names(listed.stdout) and not ctx.dry_run:
        raise StepError(f"kind cluster {name} has no nodes registered", hint=_stopped_hint(ctx))
    return kind.parse_lines(ctx.runner.run(kind.get_nodes(name), reads=True).stdout)


def _wait_until_ready(ctx) -> None:
    """`kubectl wait` for every node to be Ready (kind's --wait only warns on timeout); the nodes
    exist by now, since waiting on none would fail at once."""
    ctx.ui.progress_note("waiting for the nodes to be Ready")
    ctx.runner.run(kubectl.wait(ctx.kube_context, "node", condition="condition=Ready",
                                timeout=ctx.settings.wait_timeout, all_=True), hint=_stopped_hint(ctx))


def _check_existing_cluster(ctx) -> None:
    context = ctx.kube_context
    result = ctx.runner.run(kubectl.server_version(context), check=False, reads=True)
    if not result.ok:
        raise StepError(
            f"context {context} does not answer",
            details=[line for line in result.stderr.splitlines() if line.strip()][-3:],
            hint=f"check it with `kubectl --context {context} get nodes`; llmd-sim creates no cluster for a "
            "context it does not own",
        )
    server = kubectl.git_version(result.stdout, "serverVersion") or "unknown version"
    ctx.ui.info(f"using the existing cluster of context {context} (Kubernetes {server}); nothing created")


def _clusters(ctx, *, check: bool = True) -> list[str]:
    result = ctx.runner.run(kind.get_clusters(), check=check, reads=True,
                            hint="kind lists clusters through the container engine: is it running?")
    return kind.parse_lines(result.stdout) if result.ok else []


def _contexts(ctx) -> list[str]:
    result = ctx.runner.run(kubectl.context_names(ctx.kube_context), check=False, reads=True)
    return kubectl.names(result.stdout) if result.ok else []


STEP = Cluster()
