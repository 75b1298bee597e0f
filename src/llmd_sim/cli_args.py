"""Let global options follow the command (`llmd-sim up --namespace x`), as people type them.

click only reads a group's options before the subcommand, so they are moved there first."""

from __future__ import annotations

HELP = {"-h", "--help"}


def hoist_global_options(group, args: list[str]) -> list[str]:
    """Move the group's own options found after the subcommand name to before it."""
    takes_value = {}
    for param in group.params:
        for opt in [*param.opts, *param.secondary_opts]:
            takes_value[opt] = not getattr(param, "is_flag", False)
    head, index = _leading_options(args, takes_value)
    if index >= len(args):
        return list(args)
    command, rest = args[index], args[index + 1 :]
    hoisted, kept = [], []
    i = 0
    while i < len(rest):
        token = rest[i]
        if token == "--":
            kept.extend(rest[i:])
            break
        name = token.split("=", 1)[0]
        if name in takes_value and name not in HELP:
            hoisted.append(token)
            if takes_value[name] and "=" not in token and i + 1 < len(rest):
                hoisted.append(rest[i + 1])
                i += 1
        else:
            kept.append(token)
        i += 1
    return [*head, *hoisted, command, *kept]


def _leading_options(args: list[str], takes_value: dict[str, bool]) -> tuple[list[str], int]:
    """The options before the subcommand, and the subcommand's index."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        name = args[i].split("=", 1)[0]
        if takes_value.get(name) and "=" not in args[i]:
            i += 1
        i += 1
    return args[:i], i
