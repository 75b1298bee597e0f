"""`llmd-sim bench`: send the load, show progress while it runs, then the figures."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from llmd_sim import benchstats, portforward, values
from llmd_sim.bench import BenchOptions, Load, Tally
from llmd_sim.context import Context
from llmd_sim.errors import ConfigError, ExitCode, StepError
from llmd_sim.session import Session
from llmd_sim.ui import UI


def parse_duration(text: str | None) -> float | None:
    """`--duration` in seconds (30, 30s, 2m), or None when not given."""
    if text is None:
        return None
    try:
        return values.seconds(text)
    except ValueError as exc:
        raise ConfigError(f"--duration {text!r}: {exc}", hint="for example --duration 30s") from None


def bench(session: Session, options: BenchOptions, *, endpoint: str | None, port: int | None, as_json: bool) -> None:
    """Run the load; the figures as a table on stderr, and on stdout with --json."""
    settings = session.settings()
    ui = session.ui
    ctx = Context.create(settings, ui)
    try:
        with portforward.gateway(ctx, endpoint=endpoint, port=port) as gateway:
            url = gateway.url
            load = Load(url, settings.model, options, recover=gateway.recover)
            ui.info(f"bench: {_plan(options)} to {url}")
            with live_progress(ui, options) as progress:
                tally, elapsed = load.run(progress)
    except KeyboardInterrupt:
        ui.warn("interrupted; no figures")
        raise SystemExit(ExitCode.INTERRUPTED) from None
    data = benchstats.report(tally.samples, elapsed, options, url=url, model=settings.model)
    ui.table(f"llmd-sim bench: {settings.model}", ("figure", "value"), benchstats.table_rows(data))
    for note in data["notes"]:
        (ui.warn if note in (benchstats.POD_HINT, benchstats.STREAM_POD_HINT) else ui.info)(note)
    if as_json:
        ui.out_json(data)
    if tally.samples and data["requests"]["ok"] == 0:
        kinds = ", ".join(data["errors"])
        raise StepError(f"every request failed ({kinds})", hint="run `llmd-sim test` to see what the gateway answers")


def _plan(options: BenchOptions) -> str:
    amount = f"for {options.duration:g}s" if options.duration else f"{options.requests} requests"
    kind = ("streamed " if options.stream else "") + ("chat" if options.chat else "completion")
    prefix = f", {options.prefix_groups} shared-prefix groups" if options.prefix_groups else ""
    return f"{kind} {amount}, {options.concurrency} at a time{prefix},"


@contextlib.contextmanager
def live_progress(ui: UI, options: BenchOptions) -> Iterator[Callable[[Tally], None] | None]:
    """A progress bar on a terminal (redrawn by the load's own ticker, no extra thread); None elsewhere."""
    if not ui.fancy or ui.quiet:
        yield None
        return
    import time

    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                   console=ui.console, auto_refresh=False, transient=True)
    task = bar.add_task("bench", total=options.duration or options.requests)

    def update(tally: Tally) -> None:
        running = time.perf_counter() - tally.started_at if tally.started_at else 0.0
        rate = tally.done / running if running > 0 else 0.0
        completed = min(running, options.duration) if options.duration else tally.done
        bar.update(task, completed=completed,
                   description=f"{tally.done} done, {tally.failed} failed, {rate:.0f} req/s")
        bar.refresh()

    with bar:
        yield update
