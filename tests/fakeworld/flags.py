"""A pflag-like command-line parser: the flag grammar of kind, kubectl, helm, helmfile and docker.

Go's cobra/pflag accept `--name value`, `--name=value`, `-n value`, `-nvalue`, `-n=value`,
grouped boolean shorthands (`-qA`), flags before or after positionals, and `--` to end flags.
An unknown flag is an error (`unknown flag: --x`, `unknown shorthand flag: 'x' in -x`) unless
the command allows unknown flags, as helmfile does: pflag then drops the flag and, when the next
argument does not start with '-', that argument too (it looks like the flag's value).
"""

from __future__ import annotations

class FlagError(Exception):
    """A parse failure, worded as pflag words it."""


class Spec:
    """One flag: its long and short names, whether it takes a value, may repeat, or has a bare meaning
    (pflag's NoOptDefVal, e.g. kubectl's `--dry-run` alone means `--dry-run=unchanged`)."""

    __slots__ = ("long", "short", "takes_value", "repeat", "bare")

    def __init__(self, long: str, short: str = "", takes_value: bool = False, repeat: bool = False,
                 bare: str | None = None):
        self.long, self.short, self.takes_value, self.repeat, self.bare = long, short, takes_value, repeat, bare


def spec(text: str) -> Spec:
    """`-n,--namespace=` value flag, `--all` boolean, `--address=*` repeatable, `--dry-run=?client`
    value flag that may be given bare (meaning "client")."""
    names, _, kind = text.partition("=")
    takes_value = "=" in text
    parts = [name.strip() for name in names.split(",")]
    long = next(name[2:] for name in parts if name.startswith("--"))
    short = next((name[1:] for name in parts if name.startswith("-") and not name.startswith("--")), "")
    bare = kind[1:] if kind.startswith("?") else None
    return Spec(long, short, takes_value, repeat=kind == "*", bare=bare)


def specs(*texts: str) -> list[Spec]:
    return [spec(text) for text in texts]


def parse(args: list[str], known: list[Spec], *, allow_unknown: bool = False) -> tuple[dict, list[str]]:
    """(flag values by long name, positionals). Repeatable flags give lists, booleans True/False."""
    by_long = {s.long: s for s in known}
    by_short = {s.short: s for s in known if s.short}
    values: dict = {}
    positionals: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positionals.extend(args[i:])
            break
        if arg.startswith("--"):
            name, has_value, value = arg[2:].partition("=")
            flag = by_long.get(name)
            if flag is None:
                if not allow_unknown:
                    raise FlagError(f"unknown flag: --{name}")
                if not has_value and i < len(args) and not args[i].startswith("-"):
                    i += 1
                continue
            if flag.takes_value and not has_value:
                if flag.bare is not None:
                    value = flag.bare
                elif i < len(args):
                    value, i = args[i], i + 1
                else:
                    raise FlagError(f"flag needs an argument: --{name}")
            _store(values, flag, value if (flag.takes_value or has_value) else None)
        elif arg.startswith("-") and len(arg) > 1:
            i = _shorthands(arg, args, i, by_short, values, allow_unknown)
        else:
            positionals.append(arg)
    return values, positionals


def _shorthands(arg: str, args: list[str], i: int, by_short: dict, values: dict, allow_unknown: bool) -> int:
    letters = arg[1:]
    while letters:
        letter, letters = letters[0], letters[1:]
        flag = by_short.get(letter)
        if flag is None:
            if allow_unknown:
                return i
            raise FlagError(f"unknown shorthand flag: '{letter}' in {arg}")
        if not flag.takes_value:
            if letters.startswith("="):
                _store(values, flag, letters[1:])
                return i
            _store(values, flag, None)
            continue
        if letters:
            _store(values, flag, letters[1:] if letters.startswith("=") else letters)
        elif flag.bare is not None:
            _store(values, flag, flag.bare)
        elif i < len(args):
            _store(values, flag, args[i])
            i += 1
        else:
            raise FlagError(f"flag needs an argument: '{letter}' in {arg}")
        return i
    return i


def _store(values: dict, flag: Spec, value: str | None) -> None:
    if not flag.takes_value:
        if value is None:
            parsed = True
        elif value.lower() in ("true", "1", "t"):
            parsed = True
        elif value.lower() in ("false", "0", "f"):
            parsed = False
        else:
            raise FlagError(f'invalid argument "{value}" for "--{flag.long}" flag: strconv.ParseBool: '
                            f'parsing "{value}": invalid syntax')
        values[flag.long] = parsed
    elif flag.repeat:
        values.setdefault(flag.long, []).extend(part for part in value.split(",") if part)
    else:
        values[flag.long] = value


def words(args: list[str], known: list[Spec]) -> list[str]:
    """The positional words of `args` (command path first), skipping the values of the known value
    flags: how cobra finds the subcommand before it knows the subcommand's own flags."""
    by_long = {s.long: s for s in known}
    by_short = {s.short: s for s in known if s.short}
    found, i = [], 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            flag = by_long.get(arg[2:])
            if flag and flag.takes_value and flag.bare is None:
                i += 1
        elif arg.startswith("-") and len(arg) == 2:
            flag = by_short.get(arg[1])
            if flag and flag.takes_value and flag.bare is None:
                i += 1
        elif not arg.startswith("-") or arg == "-":
            found.append(arg)
    return found


def duration(text: str) -> float:
    """A Go duration (`300s`, `5m`, `1m30s`, `500ms`, `0`) in seconds; ValueError when malformed."""
    import re

    if text.strip() in ("0", ""):
        return 0.0
    units = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(-?\d+(?:\.\d+)?)(ns|us|ms|s|m|h)", text)
    if not parts or "".join(number + unit for number, unit in parts) != text.strip():
        raise ValueError(f'time: invalid duration "{text}"')
    return sum(float(number) * units[unit] for number, unit in parts)
