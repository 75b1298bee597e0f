"""Global options may follow the command; they are moved before it for click."""

from __future__ import annotations

import typer

from llmd_sim.cli import app
from llmd_sim.cli_args import hoist_global_options

GROUP = typer.main.get_command(app)


def hoist(*args):
    return hoist_global_options(GROUP, list(args))


def test_options_after_the_command_move_before_it():
    assert hoist("up", "--namespace", "x", "--dry-run") == ["--namespace", "x", "up", "--dry-run"]
    assert hoist("up", "--namespace=x") == ["--namespace=x", "up"]
    assert hoist("status", "-v", "--json") == ["-v", "status", "--json"]


def test_options_already_in_front_stay_and_values_are_not_mistaken_for_commands():
    assert hoist("--namespace", "up", "down") == ["--namespace", "up", "down"]
    assert hoist("--set", "a=b", "up", "--set", "c=d") == ["--set", "a=b", "--set", "c=d", "up"]


def test_help_stays_with_the_command_and_double_dash_stops_hoisting():
    assert hoist("up", "--help") == ["up", "--help"]
    assert hoist("step", "--", "--namespace") == ["step", "--", "--namespace"]


def test_no_command():
    assert hoist("--version") == ["--version"]
    assert hoist() == []
