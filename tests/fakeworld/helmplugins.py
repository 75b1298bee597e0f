"""Helm plugins on disk, where helm keeps them: $HELM_PLUGINS, else <data home>/helm/plugins
($XDG_DATA_HOME or ~/.local/share on Linux, ~/Library on macOS). A plugin is a directory with a
plugin.yaml (`name:`, `version:`, `description:`); helm-diff installs as `helm-diff` named `diff`.
helmfile finds helm-diff the same way helm does, through the environment it passes down.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

from fakeworld import images

DIFF_DESCRIPTION = "Preview helm upgrade changes as a diff"


def plugin_dirs(env=os.environ) -> list[str]:
    if env.get("HELM_PLUGINS"):
        return [path for path in env["HELM_PLUGINS"].split(os.pathsep) if path]
    if env.get("HELM_DATA_HOME"):
        return [os.path.join(env["HELM_DATA_HOME"], "plugins")]
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return [os.path.join(home, "Library", "helm", "plugins")]
    data = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return [os.path.join(data, "helm", "plugins")]


def read_plugin_yaml(path: str) -> dict:
    """name/version/description from a plugin.yaml (flat keys only, as plugins write them)."""
    found = {}
    with open(path) as handle:
        for line in handle:
            match = re.match(r"^(name|version|description|usage):\s*\"?(.*?)\"?\s*$", line)
            if match:
                found[match.group(1)] = match.group(2)
    return found


def installed(env=os.environ) -> dict[str, dict]:
    """name -> {version, description, path} of every installed plugin."""
    plugins = {}
    for directory in plugin_dirs(env):
        if not os.path.isdir(directory):
            continue
        for entry in sorted(os.listdir(directory)):
            manifest = os.path.join(directory, entry, "plugin.yaml")
            if os.path.isfile(manifest):
                meta = read_plugin_yaml(manifest)
                if meta.get("name"):
                    plugins[meta["name"]] = {**meta, "path": os.path.join(directory, entry)}
    return plugins


def write_plugin(directory: str, folder: str, name: str, version: str, description: str) -> None:
    os.makedirs(os.path.join(directory, folder, "bin"), exist_ok=True)
    with open(os.path.join(directory, folder, "plugin.yaml"), "w") as handle:
        handle.write(f'name: "{name}"\nversion: "{version}"\nusage: "{description}"\ndescription: "{description}"\n'
                     f'useTunnel: true\ncommand: "$HELM_PLUGIN_DIR/bin/{name}"\n')


def install(source: str, version: str | None, knob: dict, env=os.environ) -> str:
    """Install a plugin from a git URL, a release tarball URL or a local directory; returns its name.
    Raises ValueError with helm's message."""
    target = plugin_dirs(env)[0]
    if os.path.isdir(source):
        meta = read_plugin_yaml(os.path.join(source, "plugin.yaml"))
        name, folder, found_version, description = meta["name"], os.path.basename(source.rstrip("/")), \
            meta.get("version", ""), meta.get("description", "")
    else:
        host = re.sub(r"^https?://", "", source).split("/", 1)[0]
        repo = re.sub(r"^https?://", "", source).rstrip("/").removesuffix(".git")
        if not images.reachable(host, knob):
            raise ValueError(f"Unable to get repository: Cloning into '{target}/{os.path.basename(repo)}'...\n"
                             f"fatal: unable to access '{source}/': Could not resolve host: {host}\n: exit status 128")
        tarball = re.search(r"/download/(v?[\d.]+)/helm-diff-[\w-]+\.tgz$", source)
        if repo.endswith("databus23/helm-diff"):
            if version and not re.fullmatch(r"v?3\.\d+\.\d+", version):
                raise ValueError(f'requested version "{version}" does not exist')
            found_version = (version or "v3.14.0").lstrip("v")
        elif tarball:
            found_version = tarball.group(1).lstrip("v")
        else:
            raise ValueError(f"Unable to get repository: repository {source} not found")
        name, folder, description = "diff", "helm-diff", DIFF_DESCRIPTION
    if name in installed(env) or os.path.exists(os.path.join(target, folder)):
        raise ValueError("plugin already exists")
    write_plugin(target, folder, name, found_version, description)
    return name


def uninstall(name: str, env=os.environ) -> None:
    plugin = installed(env).get(name)
    if plugin is None:
        raise ValueError(f"Failed to remove plugin {name}, got error (plugin: {name} not found)")
    shutil.rmtree(plugin["path"])
