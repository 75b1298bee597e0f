"""A small Go text/template engine: the constructs helmfile state files use in the llm-d guides.

Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming, comments, `if`/`else if`/`else`/`end`,
variables (`$x := pipeline`), fields (`.Namespace`, `.Environment.Values.a.b`, `$x.a`), pipelines with
`|`, parentheses, string/number/bool literals, and the functions in FUNCTIONS (Go's and the sprig ones
helmfile brings: default, env, printf, quote, toYaml, nindent, eq, or, ...). A missing map key is an
error (helmfile renders with missingkey=error). Anything else — range, with, define, an unknown
function — fails loudly instead of being guessed at.
"""

from __future__ import annotations

import json
import os
import re


class TemplateError(Exception):
    pass


_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(r'\s*(?:("(?:\\.|[^"\\])*")|(`[^`]*`)|(\()|(\))|(\|)|(:=|=)|(\$\w*(?:\.\w+)*)|(\.(?:\w+(?:\.\w+)*)?)'
                    r"|(-?\d+(?:\.\d+)?)|(\w+))")


def render(text: str, data: dict) -> str:
    nodes, _ = _parse(_lex(text), 0, top=True)
    output: list[str] = []
    _run(nodes, data, {"$": data}, output)
    return "".join(output)


def _lex(text: str) -> list[tuple]:
    """[("text", str) | ("action", body, line)] with whitespace trimming applied."""
    items, pos = [], 0
    for match in _ACTION.finditer(text):
        before = text[pos:match.start()]
        if match.group(1):
            before = before.rstrip()
        items.append(["text", before])
        line = text.count("\n", 0, match.start()) + 1
        items.append(["action", match.group(2).strip(), line, bool(match.group(3))])
        pos = match.end()
    items.append(["text", text[pos:]])
    for index, item in enumerate(items):
        if item[0] == "action" and item[3] and index + 1 < len(items):
            items[index + 1][1] = items[index + 1][1].lstrip()
    return [tuple(item[:3]) for item in items if item[0] == "action" or item[1]]


def _parse(items: list[tuple], index: int, top: bool = False) -> tuple[list, int]:
    """Nodes until an `end`/`else` at this level; returns (nodes, index of that keyword)."""
    nodes = []
    while index < len(items):
        item = items[index]
        if item[0] == "text":
            nodes.append(("text", item[1]))
            index += 1
            continue
        body, line = item[1], item[2]
        word = body.split(None, 1)[0] if body else ""
        if body.startswith("/*"):
            index += 1
        elif word in ("end", "else"):
            if top:
                raise TemplateError(f"template: stringTemplate:{line}: unexpected {{{{{word}}}}}")
            return nodes, index
        elif word == "if":
            node, index = _parse_if(items, index)
            nodes.append(node)
        elif word in ("range", "with", "define", "template", "block", "break", "continue"):
            raise TemplateError(f"template: stringTemplate:{line}: fakeworld's template engine does not support "
                                f"{{{{{word}}}}}")
        else:
            nodes.append(("action", body, line))
            index += 1
    if not top:
        raise TemplateError("template: stringTemplate: unexpected EOF")
    return nodes, index


def _parse_if(items: list[tuple], index: int) -> tuple[tuple, int]:
    branches, otherwise = [], []
    condition, line = items[index][1][2:].strip(), items[index][2]
    while True:
        body, index = _parse(items, index + 1)
        branches.append((condition, line, body))
        keyword = items[index][1]
        if keyword == "end":
            return ("if", branches, otherwise), index + 1
        rest = keyword[4:].strip()
        if rest.startswith("if "):
            condition, line = rest[3:].strip(), items[index][2]
            continue
        otherwise, index = _parse(items, index + 1)
        return ("if", branches, otherwise), index + 1


def _run(nodes: list, data: dict, variables: dict, output: list[str]) -> None:
    for node in nodes:
        if node[0] == "text":
            output.append(node[1])
        elif node[0] == "if":
            for condition, line, body in node[1]:
                if truthy(_pipeline(condition, data, variables, line)):
                    _run(body, data, variables, output)
                    break
            else:
                _run(node[2], data, variables, output)
        else:
            body, line = node[1], node[2]
            assign = re.match(r"^(\$\w+)\s*(:=|=)\s*(.*)$", body, re.S)
            if assign:
                variables[assign.group(1)] = _pipeline(assign.group(3), data, variables, line)
            else:
                output.append(show(_pipeline(body, data, variables, line)))


def truthy(value) -> bool:
    return value not in (None, False, 0, "", [], {})


def show(value) -> str:
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{show(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(show(v) for v in value) + "]"
    return str(value)


def _tokens(text: str, line: int) -> list[tuple[str, str]]:
    found, pos = [], 0
    kinds = ("string", "raw", "open", "close", "pipe", "assign", "var", "field", "number", "ident")
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise TemplateError(f"template: stringTemplate:{line}: unexpected {text[pos:].strip()!r} in command")
        kind = next(k for k, group in zip(kinds, match.groups()) if group is not None)
        found.append((kind, match.group(kinds.index(kind) + 1)))
        pos = match.end()
    return found


def _pipeline(text: str, data: dict, variables: dict, line: int):
    return _run_pipeline(_tokens(text, line), data, variables, line)


_NOTHING = object()


def _run_pipeline(tokens: list, data: dict, variables: dict, line: int):
    """Run `cmd | cmd | ...`: each command gets the previous result as its last argument."""
    value, index, piped = None, 0, False
    while True:
        command, index = _command(tokens, index)
        value = _call(command, data, variables, line, value if piped else _NOTHING)
        piped = True
        if index >= len(tokens):
            return value
        index += 1  # past the `|`


def _command(tokens: list, index: int) -> tuple[list, int]:
    """The tokens of one command (up to a `|` at depth 0), parenthesized groups kept as sublists."""
    command = []
    while index < len(tokens) and tokens[index][0] != "pipe":
        kind, text = tokens[index]
        if kind == "open":
            depth, end = 1, index + 1
            while depth:
                if end >= len(tokens):
                    raise TemplateError("template: stringTemplate: unclosed left paren")
                depth += {"open": 1, "close": -1}.get(tokens[end][0], 0)
                end += 1
            command.append(("group", tokens[index + 1:end - 1]))
            index = end
        else:
            command.append((kind, text))
            index += 1
    return command, index


def _call(command: list, data: dict, variables: dict, line: int, piped):
    if not command:
        raise TemplateError(f"template: stringTemplate:{line}: missing value for command")
    head_kind, head = command[0]
    if head_kind == "ident" and head not in ("true", "false", "nil"):
        function = FUNCTIONS.get(head)
        if function is None:
            raise TemplateError(f'template: stringTemplate:{line}: function "{head}" not defined')
        args = [_operand(token, data, variables, line) for token in command[1:]]
        if piped is not _NOTHING:
            args.append(piped)
        try:
            return function(*args)
        except TypeError as error:
            raise TemplateError(f"template: stringTemplate:{line}: error calling {head}: {error}") from None
    if len(command) > 1 or piped is not _NOTHING:
        raise TemplateError(f"template: stringTemplate:{line}: can't give argument to non-function {head}")
    return _operand(command[0], data, variables, line)


def _operand(token: tuple, data: dict, variables: dict, line: int):
    kind, text = token
    if kind == "group":
        return _run_pipeline(text, data, variables, line)
    if kind == "string":
        return json.loads(text)
    if kind == "raw":
        return text[1:-1]
    if kind == "number":
        return float(text) if "." in text else int(text)
    if kind == "ident":
        return {"true": True, "false": False, "nil": None}[text]
    if kind == "var":
        name, _, path = text.partition(".")
        if name not in variables:
            raise TemplateError(f'template: stringTemplate:{line}: undefined variable "{name}"')
        return _field(variables[name], path, line, text)
    return _field(data, text[1:], line, text)


def _field(value, path: str, line: int, text: str):
    for part in [p for p in path.split(".") if p]:
        if not isinstance(value, dict):
            raise TemplateError(f"template: stringTemplate:{line}: executing at <{text}>: can't evaluate field {part}")
        if part not in value:
            raise TemplateError(f'template: stringTemplate:{line}: executing "stringTemplate" at <{text}>: map has no '
                                f'entry for key "{part}"')
        value = value[part]
    return value


def _printf(fmt: str, *args) -> str:
    queue = list(args)

    def verb(match: re.Match) -> str:
        if match.group(0) == "%%":
            return "%"
        if not queue:
            return f"%!{match.group(1)}(MISSING)"
        value = queue.pop(0)
        if match.group(1) == "q":
            return json.dumps(show(value))
        return str(int(value)) if match.group(1) == "d" else show(value)

    return re.sub(r"%%|%([sdvq])", verb, fmt)


def _to_yaml(value) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n") if value is not None else "null"


def _indent(count: int, text: str) -> str:
    return "\n".join(" " * int(count) + line for line in str(text).split("\n"))


FUNCTIONS = {
    "default": lambda fallback, value=None: value if truthy(value) else fallback,
    "env": lambda name: os.environ.get(name, ""),
    "requiredEnv": lambda name: os.environ[name] if os.environ.get(name) else _missing_env(name),
    "printf": _printf,
    "quote": lambda *values: " ".join(json.dumps(show(v) if v is not None else "") for v in values),
    "toYaml": _to_yaml,
    "toJson": lambda value: json.dumps(value, separators=(",", ":")),
    "nindent": lambda count, text: "\n" + _indent(count, text),
    "indent": _indent,
    "eq": lambda first, *others: any(first == other for other in others),
    "ne": lambda first, second: first != second,
    "or": lambda *values: next((v for v in values if truthy(v)), values[-1]),
    "and": lambda *values: next((v for v in values if not truthy(v)), values[-1]),
    "not": lambda value: not truthy(value),
    "lower": lambda text: str(text).lower(),
    "upper": lambda text: str(text).upper(),
    "trim": lambda text: str(text).strip(),
    "trimSuffix": lambda suffix, text: str(text).removesuffix(suffix),
    "replace": lambda old, new, text: str(text).replace(old, new),
    "contains": lambda part, text: part in str(text),
    "hasPrefix": lambda prefix, text: str(text).startswith(prefix),
    "hasKey": lambda mapping, name: name in (mapping or {}),
    "get": lambda mapping, name: (mapping or {}).get(name, ""),
    "required": lambda message, value=None: value if truthy(value) else _required(message),
}


def _missing_env(name: str):
    raise TemplateError(f"required env var `{name}` is not set")


def _required(message: str):
    raise TemplateError(message)
