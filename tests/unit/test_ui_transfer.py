"""The download progress bar: a bar on a terminal (pausing the step's spinner), silent elsewhere."""

from __future__ import annotations

import io

from llmd_sim.ui import UI


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_download_bar_runs_inside_a_step_spinner_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = Terminal()
    ui = UI(stream=stream)
    assert ui.fancy

    with ui.step("prereqs", "never run"):
        with ui.transfer("kind v0.30.0 (linux/amd64)", 2048) as advance:
            advance(1024)
            advance(1024)
        ui.progress_note("still running")  # the spinner is back

    shown = stream.getvalue()
    assert "kind v0.30.0 (linux/amd64)" in shown
    assert "prereqs" in shown


def test_no_bar_when_not_on_a_terminal():
    stream = io.StringIO()
    ui = UI(stream=stream)
    with ui.transfer("kind", 10) as advance:
        advance(10)
    assert stream.getvalue() == ""
