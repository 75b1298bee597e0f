"""`llmd-sim down`: run the destroy step, then forget the target's state."""

from __future__ import annotations

from llmd_sim import steps as step_registry
from llmd_sim.context import Context
from llmd_sim.errors import ExitCode
from llmd_sim.pipeline import Pipeline
from llmd_sim.session import Session
from llmd_sim.state import StateStore, command_line, target_lock


def down(session: Session, *, keep_cluster: bool, remove_crds: bool, dry_run: bool) -> None:
    settings = session.settings()
    ctx = Context.create(settings, session.ui, dry_run=dry_run, keep_cluster=keep_cluster, remove_crds=remove_crds)
    store = StateStore(ctx.paths.state_file, settings.cluster_name, settings.namespace)
    destroy = step_registry.load("destroy")
    if dry_run:
        ui_header = f"# llmd-sim down --dry-run: cluster {settings.cluster_name}, namespace {settings.namespace}"
        session.ui.out(ui_header)
        Pipeline(ctx, store, store.load()).run_step(destroy, "dry run")
        return
    with target_lock(ctx.paths.lock_file, command_line()):
        state = store.load()
        pipeline = Pipeline(ctx, store, state)
        try:
            pipeline.run_step(destroy, "requested")
        except KeyboardInterrupt:
            session.ui.warn("interrupted; run `llmd-sim down` again to finish")
            raise SystemExit(ExitCode.INTERRUPTED) from None
        # Everything is gone: the next `up` starts from nothing, so its record would only mislead.
        store.clear()
    if keep_cluster or not settings.uses_kind:
        session.ui.info(f"down: the stack is gone from {settings.context}; the cluster stays")
    else:
        session.ui.info("down: nothing left behind")
