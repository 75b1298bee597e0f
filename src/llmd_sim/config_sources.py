"""Load Settings from its four sources and say exactly where a bad value came from."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llmd_sim.config import SETTING_NAMES, Settings, env_name, parser_of
from llmd_sim.errors import ConfigError

# LLMD_SIM_* variables that are not settings.
META_ENV = {"LLMD_SIM_HOME", "LLMD_SIM_CONFIG"}


def load(
    config_file: str | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
    assignments: list[str] | None = None,
) -> Settings:
    """Defaults < YAML file < environment < flags (`--set KEY=VALUE` last), each value validated."""
    env = os.environ if env is None else env
    config_file = config_file or env.get("LLMD_SIM_CONFIG")
    raw: dict[str, tuple[Any, str]] = {}
    if config_file:
        raw.update(_from_file(Path(config_file)))
    raw.update(_from_env(env))
    raw.update({name: (value, f"flag --{name.replace('_', '-')}") for name, value in (flags or {}).items()})
    for assignment in assignments or []:
        name, value = parse_assignment(assignment)
        raw[name] = (value, f"flag --set {name}")
    parsed = {name: _parse(name, value, source) for name, (value, source) in raw.items()}
    return Settings(**parsed, sources={name: source for name, (_, source) in raw.items()})


def parse_assignment(text: str) -> tuple[str, str]:
    """`KEY=VALUE` from `--set`; the key must be a setting name."""
    key, sep, value = text.partition("=")
    if not sep:
        raise ConfigError(f"--set {text!r} must look like KEY=VALUE", hint="e.g. --set pull_parallelism=8")
    return _known_key(key.strip(), "--set"), value


def _from_file(path: Path) -> dict[str, tuple[Any, str]]:
    import yaml  # a few milliseconds; only when a file is given

    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"config file {where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a mapping of setting: value")
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in root.value}
    return {
        _known_key(str(key), f"{path}:{lines[str(key)]}"): (value, f"{path}:{lines[str(key)]}")
        for key, value in data.items()
    }


def _from_env(env: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    found = {}
    for var, value in env.items():
        if not var.startswith("LLMD_SIM_") or var in META_ENV:
            continue
        name = _known_key(var.removeprefix("LLMD_SIM_").lower(), f"env {var}")
        found[name] = (value, f"env {var}")
    return found


def _known_key(key: str, source: str) -> str:
    name = key.replace("-", "_").lower()
    if name in SETTING_NAMES:
        return name
    close = difflib.get_close_matches(name, SETTING_NAMES, n=1)
    hint = f"did you mean {close[0]}?" if close else "`llmd-sim config` lists every setting"
    raise ConfigError(f"unknown setting {key!r} ({source})", hint=hint)


def _parse(name: str, value: Any, source: str) -> Any:
    try:
        return parser_of(name)(value)
    except ValueError as exc:
        raise ConfigError(
            f"invalid {name} {value!r} ({source}): {exc}",
            hint=f"fix it where it is set, or override it with {env_name(name)} or a flag",
        ) from None
