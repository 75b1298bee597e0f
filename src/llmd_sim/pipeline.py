"""Decide which steps run and why, then run them in order, recording every transition."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from llmd_sim import state as st
from llmd_sim.context import Context
from llmd_sim.errors import LlmdSimError
from llmd_sim.state import State, StateStore
from llmd_sim.steps.base import Step, changed_keys, fingerprint


@dataclass
class Decision:
    step: Step
    run: bool
    reason: str


@dataclass
class Selection:
    """Which steps a command asked for: --from, --only, --skip, --force."""

    only: Sequence[str] = ()
    skip: Sequence[str] = ()
    start: str | None = None
    force: bool = False

    def chosen(self, names: Sequence[str]) -> list[str]:
        picked = list(names)
        if self.start:
            picked = picked[picked.index(self.start) :]
        if self.only:
            picked = [name for name in picked if name in self.only]
        return [name for name in picked if name not in self.skip]


def plan(ctx: Context, steps: Sequence[Step], state: State, selection: Selection, *, probe: bool = True) -> list[Decision]:
    """For each chosen step: run it or skip it, with the reason a person is shown.

    A step is skipped only when its last run finished, its inputs are unchanged, no earlier step
    completed after it or runs now, and - with probe - the live system still has its work."""
    chosen = selection.chosen([step.name for step in steps])
    decisions: list[Decision] = []
    upstream = _Upstream()
    for step in steps:
        record = state.record(step.name)
        if step.name in chosen:
            reason = _why_run(ctx, step, record, selection, upstream, probe)
            decisions.append(Decision(step, reason is not None, reason or _up_to_date(record)))
            if reason is not None:
                upstream.runs_now = upstream.runs_now or step.name
        upstream.saw(step.name, record)
    return decisions


@dataclass
class _Upstream:
    """What happened before the step being decided: the latest completed step, the first one to run now."""

    newest_seq: int = 0
    newest_name: str = ""
    runs_now: str = ""

    def saw(self, name: str, record: st.StepRecord) -> None:
        if record.seq > self.newest_seq:
            self.newest_seq, self.newest_name = record.seq, name


def _why_run(ctx, step, record, selection, upstream: _Upstream, probe: bool) -> str | None:
    if selection.force or step.name == selection.start:
        return "forced"
    if record.status != st.DONE:
        return _NOT_DONE.get(record.status, record.status)
    inputs = current_inputs(ctx, step)
    if fingerprint(inputs) != record.fingerprint:
        return "config changed: " + ", ".join(changed_keys(record.inputs, inputs) or ["inputs"])
    if upstream.runs_now:
        return f"runs after {upstream.runs_now}"
    if upstream.newest_seq > record.seq:
        return f"{upstream.newest_name} ran after it"
    if not probe:
        return None
    return step.probe(ctx) or None


_NOT_DONE = {
    st.PENDING: "never run",
    st.RUNNING: "last run did not finish",
    st.FAILED: "last run failed",
    st.INTERRUPTED: "last run was interrupted",
}


def _up_to_date(record: st.StepRecord) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.finished_at)) if record.finished_at else "?"
    return f"done {when}"


def current_inputs(ctx: Context, step: Step) -> dict:
    """The step's inputs as they would be stored (JSON-normalised, so they compare equal after a reload)."""
    return json.loads(json.dumps(step.inputs(ctx), sort_keys=True, default=str))


class Pipeline:
    """Runs decided steps, saving the state file after every transition."""

    def __init__(self, ctx: Context, store: StateStore, state: State):
        self.ctx = ctx
        self.store = store
        self.state = state
        self.current: str | None = None  # the step running now (or the one that stopped the run)

    def execute(self, decisions: Sequence[Decision]) -> None:
        for decision in decisions:
            if decision.run:
                self.run_step(decision.step, decision.reason)
            elif self.ctx.dry_run:
                self.ctx.ui.out(f"\n# --- {decision.step.name}: skipped, {decision.reason}")
            else:
                self.ctx.ui.skipped(decision.step.name, decision.reason)

    def run_step(self, step: Step, reason: str) -> None:
        self.current = step.name
        ctx = self.ctx.for_step(step.name)
        if ctx.dry_run:
            ctx.ui.out(f"\n# --- {step.name}: {step.description} ({reason})")
            step.run(ctx)
            return
        inputs = current_inputs(ctx, step)
        self.state.started(step.name)
        self._save()
        try:
            with ctx.ui.step(step.name, reason):
                step.run(ctx)
        except KeyboardInterrupt:
            ctx.runner.kill_all()
            self._stop(step, st.INTERRUPTED, "interrupted")
            raise
        except LlmdSimError as err:
            self._stop(step, st.FAILED, err.message)
            raise
        except Exception as err:  # a bug: still leave a valid state file behind
            self._stop(step, st.FAILED, f"internal error: {err!r}")
            raise
        self.state.finished(step.name, fingerprint(inputs), inputs)
        self._save()

    def _stop(self, step: Step, status: str, error: str) -> None:
        self.state.stopped(step.name, status, error)
        self._save()

    def _save(self) -> None:
        self.store.save(self.state)
