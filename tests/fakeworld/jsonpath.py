"""kubectl's JSONPath templates, the part tools use: `{.a.b}`, `[0]`, `[*]`, filters
`[?(@.type=="Ready")]`, `{range .items[*]}...{end}`, string literals `{"\\n"}`.

Several results of one expression print space-separated; maps and lists print as JSON.
"""

from __future__ import annotations

import json
import re


class JSONPathError(Exception):
    pass


class Missing(JSONPathError):
    """A key the data does not have (kubectl prints nothing for it when missing keys are allowed)."""


def tokens(template: str) -> list[tuple[str, str]]:
    """[("text", ...), ("expr", ...)] of a template."""
    found, pos = [], 0
    for match in re.finditer(r"\{((?:\"[^\"]*\"|'[^']*'|[^{}])*)\}", template):
        if match.start() > pos:
            found.append(("text", template[pos:match.start()]))
        found.append(("expr", match.group(1).strip()))
        pos = match.end()
    if pos < len(template):
        found.append(("text", template[pos:]))
    return found


def render(template: str, data, allow_missing: bool = True) -> str:
    parts = tokens(template)
    text, index = _render(parts, 0, data, allow_missing)
    if index != len(parts):
        raise JSONPathError("unexpected {end}")
    return text


def _render(parts: list, index: int, data, allow_missing: bool) -> tuple[str, int]:
    output = []
    while index < len(parts):
        kind, value = parts[index]
        index += 1
        if kind == "text":
            output.append(value)
        elif value == "end":
            return "".join(output), index - 1
        elif value.startswith("range "):
            items = _values(value[6:].strip(), data, allow_missing)
            body_end = index
            for item in items:
                text, body_end = _render(parts, index, item, allow_missing)
                output.append(text)
            if not items:
                _, body_end = _render(parts, index, {}, True)
            index = body_end + 1
        elif value[:1] in ('"', "'"):
            output.append(value[1:-1].encode().decode("unicode_escape"))
        else:
            output.append(" ".join(_show(item) for item in _values(value, data, allow_missing)))
    return "".join(output), index


def _show(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def values(expression: str, data) -> list:
    """The values an expression selects; Missing when a key is absent."""
    return _values(expression, data, allow_missing=False)


def _values(expression: str, data, allow_missing: bool) -> list:
    current = [data]
    for step in _steps(expression):
        following = []
        for item in current:
            following += _apply(step, item, allow_missing)
        current = following
    return current


def _steps(expression: str) -> list[str]:
    expression = expression.strip()
    if expression.startswith("$"):
        expression = expression[1:]
    steps = re.findall(r"\[\?\((?:[^()\"']|\"[^\"]*\"|'[^']*')*\)\]|\[[^\]]*\]|\.[^.\[]+|\.\.", expression)
    if "".join(steps) != expression and expression not in ("", "@"):
        raise JSONPathError(f"unrecognized expression {expression!r}")
    return steps


def _apply(step: str, item, allow_missing: bool) -> list:
    if step.startswith("."):
        key = step[1:]
        if key == "*":
            return list(item.values()) if isinstance(item, dict) else list(item or [])
        if isinstance(item, dict) and key in item:
            return [item[key]]
        if allow_missing:
            return []
        raise Missing(f"{key} is not found")
    inner = step[1:-1]
    if inner == "*":
        return list(item.values()) if isinstance(item, dict) else list(item or [])
    if inner.startswith("?("):
        return [element for element in (item or []) if _test(inner[2:-1], element)]
    if re.fullmatch(r"-?\d+", inner):
        index = int(inner)
        if isinstance(item, list) and -len(item) <= index < len(item):
            return [item[index]]
        if allow_missing:
            return []
        raise Missing(f"array index out of bounds: index {index}, length {len(item or [])}")
    if re.fullmatch(r"-?\d*:-?\d*", inner):
        start, _, stop = inner.partition(":")
        return list((item or [])[int(start) if start else None:int(stop) if stop else None])
    raise JSONPathError(f"unrecognized subscript [{inner}]")


def _test(condition: str, element) -> bool:
    match = re.fullmatch(r"@((?:\.[\w.-]+)*)\s*(==|!=)\s*(\"[^\"]*\"|'[^']*'|[\w.-]+)", condition.strip())
    if match:
        found = _values(match.group(1) or "", element, allow_missing=True)
        expected = match.group(3).strip("\"'")
        equal = any(_show(value) == expected for value in found)
        return equal if match.group(2) == "==" else not equal
    exists = re.fullmatch(r"@((?:\.[\w.-]+)+)", condition.strip())
    if exists:
        return bool(_values(exists.group(1), element, allow_missing=True))
    raise JSONPathError(f"unsupported filter {condition!r}")
