"""`llmd-sim steps`, `status` and `config`: read-only views."""

from __future__ import annotations

import time

from llmd_sim import steps as step_registry
from llmd_sim.config import SETTING_NAMES, env_name
from llmd_sim.context import Context
from llmd_sim.pipeline import Selection, plan
from llmd_sim.session import Session
from llmd_sim.state import StateStore


def list_steps(session: Session) -> None:
    ui = session.ui
    for index, step in enumerate(step_registry.up_steps(), start=1):
        ui.out(f"{index}. {step.name:<8} {step.description}")
    destroy = step_registry.load("destroy")
    ui.out(f"   {destroy.name:<8} {destroy.description} (run by `llmd-sim down`)")


def status(session: Session, *, as_json: bool, probe: bool) -> None:
    settings = session.settings()
    ctx = Context.create(settings, session.ui)
    state = StateStore(ctx.paths.state_file, settings.cluster_name, settings.namespace).load()
    decisions = plan(ctx, step_registry.up_steps(), state, Selection(), probe=probe)
    rows = []
    for decision in decisions:
        rec = state.record(decision.step.name)
        rows.append(
            {
                "step": decision.step.name,
                "status": rec.status,
                "finished_at": rec.finished_at,
                "duration": rec.duration,
                "would_run": decision.run,
                "reason": decision.reason,
                "error": rec.error,
            }
        )
    if as_json:
        target = {"cluster": settings.cluster_name, "namespace": settings.namespace, "context": settings.context}
        session.ui.out_json({"target": target, "state_file": str(ctx.paths.state_file), "steps": rows})
        return
    table = [
        (
            row["step"],
            row["status"],
            _ago(row["finished_at"]),
            f"{row['duration']:.1f}s" if row["duration"] is not None else "",
            f"run: {row['reason']}" if row["would_run"] else "skip",
            row["error"] or "",
        )
        for row in rows
    ]
    title = f"{settings.cluster_name}/{settings.namespace} ({ctx.paths.state_file})"
    session.ui.table(title, ("step", "status", "finished", "took", "next `up`", "last error"), table, result=True)
    if not probe:
        session.ui.info("(from the state file only; --probe also checks the live cluster)")


def show_config(session: Session, *, as_json: bool) -> None:
    settings = session.settings()
    rows = [(name, getattr(settings, name), settings.source_of(name)) for name in SETTING_NAMES]
    if as_json:
        session.ui.out_json({name: {"value": value, "source": source} for name, value, source in rows})
        return
    session.ui.table(
        "settings (override with --config FILE, LLMD_SIM_<NAME>, or --set name=value)",
        ("name", "value", "source", "env"),
        [row for name, value, source in rows for row in _config_rows(name, value, source)],
        result=True,
    )


def _config_rows(name: str, value, source: str) -> list[tuple[str, str, str, str]]:
    """One row per setting; a list or mapping gets one row per item, so the table stays narrow."""
    if isinstance(value, dict):
        value = [f"{k}={v}" for k, v in value.items()]
    if isinstance(value, list):
        shown = value or ["(none)"]
        return [(name, shown[0], source, env_name(name)), *(("", item, "", "") for item in shown[1:])]
    return [(name, str(value) if value != "" else "(unset)", source, env_name(name))]


def _ago(timestamp: float | None) -> str:
    if not timestamp:
        return ""
    seconds = time.time() - timestamp
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(seconds)}s ago"
