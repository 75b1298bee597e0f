"""`llmd-sim up` and `llmd-sim step NAME`."""

from __future__ import annotations

import time

from llmd_sim import steps as step_registry
from llmd_sim.context import Context
from llmd_sim.errors import ExitCode, LlmdSimError
from llmd_sim.pipeline import Decision, Pipeline, Selection, plan
from llmd_sim.session import Session
from llmd_sim.state import DONE, PENDING, StateStore, command_line, target_lock


def up(session: Session, selection: Selection, *, dry_run: bool) -> None:
    for name in [*selection.only, *selection.skip, *([selection.start] if selection.start else [])]:
        if name not in step_registry.UP_STEPS:
            step_registry.load(name)  # raises the usage error that lists valid names
    _run(session, step_registry.up_steps(), selection, dry_run=dry_run, force=selection.force)


def one_step(session: Session, name: str, *, dry_run: bool) -> None:
    step = step_registry.load(name)
    # Runs regardless of state, but is not `--force`: nothing destructive without the user asking.
    _run(session, [step], Selection(force=True), dry_run=dry_run, force=False)


def _run(session: Session, steps, selection: Selection, *, dry_run: bool, force: bool) -> None:
    settings = session.settings()
    ui = session.ui
    # Steps read `force` to allow destructive fixes (recreate a cluster whose config changed).
    ctx = Context.create(settings, ui, dry_run=dry_run, force=force)
    store = StateStore(ctx.paths.state_file, settings.cluster_name, settings.namespace)
    if dry_run:
        ui.out(f"# {command_line()}: cluster {settings.cluster_name}, namespace {settings.namespace}")
        state = store.load()
        _execute(ctx, store, state, plan(ctx, steps, state, selection, probe=False))
        return
    with target_lock(ctx.paths.lock_file, command_line()):
        state = store.load()
        decisions = plan(ctx, steps, state, selection)
        _warn_unfinished_before(ctx, decisions, state)
        started = time.monotonic()
        _execute(ctx, store, state, decisions)
    ui.info(f"done in {time.monotonic() - started:.1f}s")


def _execute(ctx: Context, store: StateStore, state, decisions: list[Decision]) -> None:
    pipeline = Pipeline(ctx, store, state)
    try:
        pipeline.execute(decisions)
    except KeyboardInterrupt:
        ctx.ui.warn(f"interrupted during {pipeline.current}; `llmd-sim up` resumes there")
        raise SystemExit(ExitCode.INTERRUPTED) from None
    except LlmdSimError as err:
        if not ctx.dry_run:
            err.details.append(f"`llmd-sim up` resumes at {pipeline.current} once this is fixed")
        raise
    finally:
        if not ctx.dry_run:
            _summary(ctx, decisions, state)


def _warn_unfinished_before(ctx: Context, decisions: list[Decision], state) -> None:
    """`--only deploy` on a fresh machine will fail; say why before it does."""
    chosen = {d.step.name for d in decisions}
    if not chosen:
        return
    first = min(step_registry.UP_STEPS.index(name) for name in chosen if name in step_registry.UP_STEPS)
    missing = [
        name for name in step_registry.UP_STEPS[:first] if name not in chosen and state.record(name).status != DONE
    ]
    if missing:
        ctx.ui.warn(f"earlier steps have not completed: {', '.join(missing)}")


def _summary(ctx: Context, decisions: list[Decision], state) -> None:
    rows = []
    for decision in decisions:
        rec = state.record(decision.step.name)
        if not decision.run:
            rows.append((decision.step.name, "skipped", "", decision.reason))
        elif rec.status == PENDING:
            rows.append((decision.step.name, "not reached", "", ""))
        else:
            took = f"{rec.duration:.1f}s" if rec.duration is not None else ""
            rows.append((decision.step.name, rec.status, took, rec.error or decision.reason))
    ctx.ui.table(None, ("step", "result", "time", "reason"), rows)
