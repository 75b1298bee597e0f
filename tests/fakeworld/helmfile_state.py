"""Reading a helmfile state file the way helmfile v1 does.

The file is split into `---` parts; with the `.gotmpl` suffix each part is rendered as a Go
template (gotmpl.py) before YAML parsing, later parts seeing the environment values the earlier
parts declared. The environment is `-e`, else $HELMFILE_ENVIRONMENT, else `default`; naming one the
file does not define is an error. Values files are read relative to the state file's directory.
"""

from __future__ import annotations

import os
import re

from fakeworld import charts, gotmpl

KNOWN_KEYS = {"environments", "repositories", "releases", "helmDefaults", "helmfiles", "apiVersions",
              "kubeVersion", "missingFileHandler", "commonLabels", "values", "lockFilePath", "hooks"}


class StateError(Exception):
    """A message helmfile would print, prefixed with `in ./<file>: ` by the caller."""


def find_file(given: str | None) -> str:
    if given:
        if not os.path.exists(given):
            raise StateError(f"specified state file {given} is not found")
        return given
    for name in ("helmfile.yaml", "helmfile.yaml.gotmpl"):
        if os.path.exists(name):
            return name
    raise StateError("no state file found. It must be named .helmfile/helmfile.yaml, helmfile.yaml, or charts.yaml, "
                     "or otherwise specified with the --file flag")


def load(path: str, environment: str, namespace: str, kube_context: str) -> dict:
    """{"environment", "values", "repositories": {name: url}, "releases": [...], "dir"}."""
    import yaml

    with open(path) as handle:
        text = handle.read()
    base = os.path.dirname(os.path.abspath(path))
    templated = path.endswith(".gotmpl")
    parts = re.split(r"(?m)^---[ \t]*$", text)
    environments, values, repositories, releases = None, {}, {}, []
    for index, part in enumerate(parts):
        if templated:
            data = {"Namespace": namespace, "Values": values, "StateValues": values,
                    "Environment": {"Name": environment, "Values": values, "KubeContext": kube_context}}
            try:
                part = gotmpl.render(part, data)
            except gotmpl.TemplateError as error:
                raise StateError(f"error during {os.path.basename(path)}.part.{index} parsing: {error}") from None
        try:
            document = yaml.safe_load(part) or {}
        except yaml.YAMLError as error:
            raise StateError(f"failed to read {os.path.basename(path)}: reading document at index {index + 1}: "
                             f"{error}") from None
        unknown = set(document) - KNOWN_KEYS
        if unknown:
            raise StateError(f"failed to read {os.path.basename(path)}: reading document at index {index + 1}: "
                             f'yaml: unmarshal errors:\n  field {sorted(unknown)[0]} not found in type state.HelmState')
        if "helmfiles" in document:
            raise StateError("fakeworld: nested `helmfiles:` are not modelled")
        if "environments" in document:
            environments = {**(environments or {}), **(document["environments"] or {})}
            if environment != "default" and environment not in environments:
                raise StateError(f'environment "{environment}" is not defined')
            values = environment_values(environments, environment, base)
        repositories.update({repo["name"]: repo["url"] for repo in document.get("repositories") or []})
        releases += document.get("releases") or []
    if environment != "default" and environment not in (environments or {}):
        raise StateError(f'environment "{environment}" is not defined')
    for release in releases:
        release.setdefault("namespace", namespace)
        release["namespace"] = release["namespace"] or namespace or "default"
    return {"environment": environment, "values": values, "repositories": repositories, "releases": releases,
            "dir": base, "file": path, "templated": templated, "namespace": namespace, "kube_context": kube_context}


def environment_values(environments: dict, name: str, base: str) -> dict:
    spec = environments.get(name) or {}
    merged: dict = {}
    for entry in spec.get("values") or []:
        if isinstance(entry, dict):
            merged = charts.merge(merged, entry)
            continue
        merged = charts.merge(merged, read_yaml(os.path.join(base, entry), f'environment values file matching "{entry}" '
                                                                         f'does not exist in "{base}"'))
    return merged


def read_yaml(path: str, missing_message: str, data: dict | None = None) -> dict:
    import yaml

    if not os.path.exists(path):
        raise StateError(missing_message)
    with open(path) as handle:
        text = handle.read()
    if path.endswith(".gotmpl") and data is not None:
        try:
            text = gotmpl.render(text, data)
        except gotmpl.TemplateError as error:
            raise StateError(f"failed to render values files \"{os.path.basename(path)}\": {error}") from None
    return yaml.safe_load(text) or {}


def release_values(state: dict, release: dict) -> dict:
    """The release's values files and inline values merged, then its `set:` entries."""
    merged: dict = {}
    data = {"Values": state["values"], "Environment": {"Name": state["environment"], "Values": state["values"]},
            "Release": {"Name": release["name"], "Namespace": release["namespace"]}}
    for entry in release.get("values") or []:
        if isinstance(entry, dict):
            merged = charts.merge(merged, entry)
        else:
            merged = charts.merge(merged, read_yaml(
                os.path.join(state["dir"], entry),
                f'failed to render values files "{entry}": failed to render [{entry}], because of open {entry}: '
                "no such file or directory", data))
    for entry in release.get("set") or []:
        set_path(merged, entry["name"], entry.get("value"))
    return merged


def set_path(values: dict, path: str, value) -> None:
    """`a.b[0].c` = value, creating maps and lists on the way (helm's --set)."""
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    current = values
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = parts[index + 1] if not last else None
        empty = [] if following and following.startswith("[") else {}
        if part.startswith("["):
            position = int(part[1:-1])
            while len(current) <= position:
                current.append({} if not last else None)
            if last:
                current[position] = value
            else:
                current[position] = current[position] if isinstance(current[position], (dict, list)) else empty
                current = current[position]
        elif last:
            current[part] = value
        else:
            current[part] = current.get(part) if isinstance(current.get(part), (dict, list)) else empty
            current = current[part]


def selected(releases: list[dict], selectors: list[str]) -> list[dict]:
    """Releases matching any selector group (`a=b,c!=d`); all when there are no selectors."""
    def labels(release: dict) -> dict:
        return {**{k: str(v) for k, v in (release.get("labels") or {}).items()}, "name": release["name"],
                "namespace": release["namespace"], "chart": release.get("chart", "")}

    def matches(release: dict, group: str) -> bool:
        found = labels(release)
        for term in group.split(","):
            key, op, value = re.fullmatch(r"\s*([\w./-]+)\s*(!=|=)\s*(.*?)\s*", term).groups()
            if (found.get(key) == value) != (op == "="):
                return False
        return True

    return [r for r in releases if not selectors or any(matches(r, group) for group in selectors)]


def ordered(releases: list[dict], defined: list[dict]) -> list[dict]:
    """`releases` in `needs` order (a release after everything it needs). Needs must name releases
    the file defines; needs left out by a selector are skipped (helmfile's default --skip-needs)."""
    by_key = {}
    for release in defined:
        by_key[release["name"]] = release
        by_key[f"{release['namespace']}/{release['name']}"] = release
    result, seen = [], set()

    def visit(release: dict, chain: tuple) -> None:
        key = f"{release['namespace']}/{release['name']}"
        if key in seen:
            return
        if key in chain:
            raise StateError(f"found cycle in needs: {' -> '.join((*chain, key))}")
        for need in release.get("needs") or []:
            target = by_key.get(need) or by_key.get(need.split("/", 1)[-1] if need.count("/") == 2 else "")
            if target is None:
                raise StateError(f'release(s) "{release["name"]}" depend(s) on an undefined release "{need}". Perhaps '
                                 f'you made a typo in "needs" or forgot defining a release named "{need}" with '
                                 'appropriate "namespace" and "kubeContext"?')
            if target in releases:
                visit(target, (*chain, key))
        seen.add(key)
        result.append(release)

    for release in releases:
        visit(release, ())
    return result
