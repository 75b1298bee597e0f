"""Run the real `llmd-sim` entry point in-process, for tests of what a person sees."""

from __future__ import annotations

import sys

from llmd_sim import cli


def run_cli(capsys, monkeypatch, *args: str) -> tuple[int, str, str]:
    """`llmd-sim ARGS...` through cli.main(); returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["llmd-sim", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err
