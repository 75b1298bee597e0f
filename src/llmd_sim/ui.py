"""Everything printed to a person goes through UI, on stderr. Results and --json go to stdout.

Plain lines when stderr is not a terminal or NO_COLOR is set; a spinner and colour otherwise.
rich is imported only when something is printed, so `--help` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from llmd_sim.errors import LlmdSimError

OK_MARK, FAIL_MARK, SKIP_MARK = "✓", "✗", "·"


class UI:
    def __init__(self, *, verbose: bool = False, quiet: bool = False, stream=None):
        self.verbose = verbose
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.fancy = _is_tty(self.stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self._console: Console | None = None
        self._status = None
        self._status_step = ""

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=self.stream,
                no_color=not self.fancy,
                highlight=False,
                soft_wrap=True,
                force_terminal=self.fancy,
                emoji=False,
            )
        return self._console

    # -- steps --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def step(self, name: str, reason: str) -> Iterator[None]:
        """Show a step while it runs, then one line: ✓/✗, its name and elapsed time."""
        started = time.monotonic()
        if self.fancy and not self.quiet and not self.verbose:
            from rich.text import Text

            self._status = self.console.status(Text.assemble(name, "  ", (reason, "dim")))
            self._status_step = name
            self._status.start()
        elif not self.quiet:
            self._line(f"→ {name}  ({reason})", style="dim")
        ok = False
        try:
            yield
            ok = True
        finally:
            if self._status:
                self._status.stop()
                self._status = None
            elapsed = _elapsed(time.monotonic() - started)
            if ok and not self.quiet:
                self._line(f"{OK_MARK} {name:<9} {elapsed}", style="green")
            elif not ok:
                self._line(f"{FAIL_MARK} {name:<9} {elapsed}", style="red")

    def skipped(self, name: str, reason: str) -> None:
        if not self.quiet:
            self._line(f"{SKIP_MARK} {name:<9} skipped: {reason}", style="dim")

    def progress_note(self, text: str) -> None:
        """A short update while a step runs (the spinner's text on a terminal, a line otherwise)."""
        if self._status:
            from rich.text import Text

            self._status.update(Text.assemble(self._status_step, "  ", (text, "dim")))
        elif self.verbose:
            self._line(f"  {text}", style="dim")

    @contextlib.contextmanager
    def transfer(self, label: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """A byte progress bar for a download on a terminal (the step's spinner pauses meanwhile);
        yields `advance(nbytes)`. A no-op elsewhere: a log needs no bar."""
        if not self.fancy or self.quiet:
            yield lambda nbytes: None
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        if self._status:
            self._status.stop()  # rich allows one live display at a time
        bar = Progress(TextColumn("  {task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                       console=self.console, transient=True)
        try:
            with bar:
                task = bar.add_task(label, total=total)
                yield lambda nbytes: bar.advance(task, nbytes)
        finally:
            if self._status:
                self._status.start()

    # -- messages -----------------------------------------------------------------------------

    def info(self, text: str) -> None:
        if not self.quiet:
            self._line(text)

    def detail(self, text: str) -> None:
        """Only with -v: commands as they run and other workings."""
        if self.verbose:
            self._line(text, style="dim")

    def warn(self, text: str) -> None:
        self._line(f"warning: {text}", style="yellow")

    def error(self, err: LlmdSimError) -> None:
        """`error: <what failed>`, the command, the tail of its stderr, a hint and the log path."""
        from llmd_sim.errors import CommandError

        self._line(f"error: {err.message}", style="bold red")
        for detail in err.details:
            self._line(f"  {detail}")
        if isinstance(err, CommandError):
            self._line(f"  command: {err.command}")
            tail = err.stderr_tail()
            if tail:
                self._line("  output:")
                for line in tail:
                    self._line(f"    {line}", style="dim")
            if err.log_path:
                self._line(f"  log: {err.log_path}")
        if err.hint:
            self._line(f"  hint: {err.hint}", style="cyan")

    def table(self, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
              result: bool = False) -> None:
        """A table: rich on a terminal, aligned plain text otherwise. `result=True` sends it to stdout
        (it is what the command was asked for, e.g. `status`), else to stderr with the progress."""
        stream = sys.stdout if result else self.stream
        if self.quiet and not result:
            return
        fancy = _is_tty(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        if not fancy:
            _plain_table(stream, title, columns, rows)
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left", header_style="bold", show_header=any(columns))
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        console = self.console if stream is self.stream else Console(file=stream, highlight=False, emoji=False)
        console.print(table)

    def _line(self, text: str, style: str | None = None) -> None:
        if self.fancy:
            self.console.print(text, style=style, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    # -- stdout: results for scripts ----------------------------------------------------------

    @staticmethod
    def out(text: str) -> None:
        print(text, flush=True)

    @staticmethod
    def out_json(data: Any) -> None:
        print(json.dumps(data, indent=2, sort_keys=True, default=str), flush=True)


def _plain_table(stream, title, columns, rows) -> None:
    header = [list(map(str, columns))] if any(columns) else []
    cells = [*header, *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = [title] if title else []
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in cells]
    print("\n".join(lines), file=stream, flush=True)


def _elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
