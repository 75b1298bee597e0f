"""Parsers for setting values: each takes what a person wrote (YAML value or text) and returns a
typed value, or raises ValueError with a sentence saying what is wrong."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from llmd_sim import imageref

_RFC1123_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_DURATION = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s|m|h)?$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"must be a string, not {_kind(value)}")
    return str(value).strip()


def label(value: Any, max_length: int = 63) -> str:
    """An RFC 1123 label: what Kubernetes accepts for namespaces and kind for cluster names."""
    name = text(value)
    if not _RFC1123_LABEL.match(name) or len(name) > max_length:
        raise ValueError(
            f"must be a lowercase RFC 1123 label: a-z, 0-9 and '-', starting and ending with a letter "
            f"or digit, at most {max_length} characters"
        )
    return name


def cluster_name(value: Any) -> str:
    # kind names nodes `<name>-control-plane`, which must itself fit in a 63-character label.
    return label(value, max_length=63 - len("-control-plane"))


def positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not a boolean")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError("must be a whole number") from None
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def seconds(value: Any) -> float:
    """A duration: a number of seconds, or a number with a unit (500ms, 90s, 10m, 1h)."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 90s or 10m, not a boolean")
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError("must be a duration such as 90, 90s, 10m or 1h")
    duration = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    if duration <= 0:
        raise ValueError("must be more than zero")
    return duration


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("must be true or false")


def choice(*allowed: str):
    """A parser that accepts one of `allowed`."""

    def parse(value: Any) -> str:
        word = text(value).lower()
        if word not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
        return word

    return parse


def image(value: Any) -> str:
    reference = text(value)
    imageref.parse(reference)  # raises ValueError with the reason
    return reference


def image_list(value: Any) -> list[str]:
    """Images as a YAML list, or comma-separated text from the environment or a flag."""
    return [image(item) for item in _items(value)]


def string_list(value: Any) -> list[str]:
    return [text(item) for item in _items(value)]


def registry_map(value: Any) -> dict[str, str]:
    """registry -> mirror, as a YAML mapping or `ghcr.io=mirror.example,gcr.io=...` text.

    A mirror is a host, optionally with a path prefix (a Harbor proxy project: `harbor.corp/ghcr`)."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for item in _items(value):
            registry, sep, mirror = item.partition("=")
            if not sep:
                raise ValueError(f"{item!r} must look like REGISTRY=MIRROR, e.g. ghcr.io=ghcr.m.daocloud.io")
            pairs.append((registry, mirror))
    return {_registry_host(registry): _mirror_location(mirror) for registry, mirror in pairs}


def _registry_host(value: Any) -> str:
    host = text(value)
    if not re.match(r"^[a-zA-Z0-9.-]+(:\d+)?$", host):
        raise ValueError(f"{host!r} must be a registry host such as ghcr.io")
    return host


def _mirror_location(value: Any) -> str:
    location = re.sub(r"^https?://", "", text(value)).rstrip("/")
    if not re.match(r"^[a-zA-Z0-9.-]+(:\d+)?(/[a-z0-9._/-]+)?$", location):
        raise ValueError(f"{location!r} must be a mirror host, optionally with a path: mirror.example.com[/prefix]")
    return location


def existing_dir(value: Any) -> str:
    """A directory that exists; empty means unset."""
    path = text(value)
    if path and not Path(path).expanduser().is_dir():
        raise ValueError("directory does not exist")
    return str(Path(path).expanduser().resolve()) if path else ""


def existing_file(value: Any) -> str:
    """A file that exists; empty means unset."""
    path = text(value)
    if path and not Path(path).expanduser().is_file():
        raise ValueError("file does not exist")
    return str(Path(path).expanduser().resolve()) if path else ""


def url(value: Any) -> str:
    """An http(s) URL base; empty means unset."""
    address = text(value).rstrip("/")
    if address and not re.match(r"^https?://[^/\s]+", address):
        raise ValueError("must be an http:// or https:// URL")
    return address


def port_mappings(value: Any) -> list[str]:
    """kind extraPortMappings as CONTAINER_PORT:HOST_PORT pairs."""
    mappings = string_list(value)
    for mapping in mappings:
        parts = mapping.split(":")
        if len(parts) != 2 or not all(p.isdigit() and 0 < int(p) < 65536 for p in parts):
            raise ValueError(f"{mapping!r} must look like CONTAINER_PORT:HOST_PORT, e.g. 30080:8000")
    return mappings


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    raise ValueError(f"must be a list, not {_kind(value)}")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "a boolean", type(None): "empty"}.get(
        type(value), type(value).__name__
    )
