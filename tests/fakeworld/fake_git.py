"""Fake `git`: clone the llm-d repository (the generated checkout of llmd_checkout.py), rev-parse, version.

`git clone [--depth N] [--branch REF] [--single-branch] URL DIR` for github.com/llm-d/llm-d (or a
fork named llm-d) at a known ref (llmd_checkout.REFS) writes the checkout and a `.git` with the
ref's commit. Git's own failures: an unknown ref (`fatal: Remote branch X not found in upstream
origin`, exit 128), GitHub unreachable (`Could not resolve host`, 128), a non-empty destination
(128), an unknown option (`error: unknown option`, 129), an unknown command (exit 1).
"""

from __future__ import annotations

import json
import os
import re

from fakeworld import images, llmd_checkout, toolmain, world
from fakeworld.toolmain import err, fail, out

VERSION = "2.43.0"
CLONE_VALUE = {"--depth", "--branch", "-b", "--origin", "-o", "--filter", "--reference", "--separate-git-dir", "-c",
               "--config", "--jobs", "-j", "--shallow-since", "--shallow-exclude", "--template", "--upload-pack", "-u"}
CLONE_FLAGS = {"--single-branch", "--no-single-branch", "-q", "--quiet", "-v", "--verbose", "--no-tags", "--tags",
               "--recurse-submodules", "--shallow-submodules", "--no-checkout", "-n", "--bare", "--mirror",
               "--progress", "--no-hardlinks", "-l", "--local", "-s", "--shared", "--sparse"}


def main() -> None:
    toolmain.main("git", run)


def run(argv: list[str]) -> int:
    directory = None
    while argv and argv[0] in ("-C", "-c"):
        if argv[0] == "-C":
            directory = argv[1]
        argv = argv[2:]
    if not argv or argv[0] in ("--version", "version"):
        out(f"git version {VERSION}")
        return 0
    command, args = argv[0], argv[1:]
    if command == "clone":
        return clone(args)
    if command == "rev-parse":
        return rev_parse(directory or ".", args)
    if command in ("describe", "status", "log", "fetch", "checkout", "pull", "show", "tag", "branch", "remote"):
        fail(f"fakeworld: `git {command}` is not modelled by the fake world")
    fail(f"git: '{command}' is not a git command. See 'git --help'.")


def _options(args: list[str]) -> tuple[dict, list[str]]:
    values, positionals, i = {}, [], 0
    while i < len(args):
        arg = args[i]
        name, has_value, value = arg.partition("=")
        if arg == "--":
            positionals += args[i + 1:]
            break
        if name in CLONE_VALUE:
            if not has_value:
                if i + 1 >= len(args):
                    fail(f"error: option `{name.lstrip('-')}' requires a value", code=129)
                value, i = args[i + 1], i + 1
            values[name] = value
        elif arg in CLONE_FLAGS:
            values[arg] = True
        elif arg.startswith("-"):
            fail(f"error: unknown option `{arg.lstrip('-').split('=')[0]}'",
                 "usage: git clone [<options>] [--] <repo> [<dir>]", code=129)
        else:
            positionals.append(arg)
        i += 1
    return values, positionals


def clone(args: list[str]) -> int:
    values, positionals = _options(args)
    if not positionals:
        fail("fatal: You must specify a repository to clone.", code=129)
    url = positionals[0]
    target = positionals[1] if len(positionals) > 1 else re.sub(r"\.git$", "", url.rstrip("/").rsplit("/", 1)[-1])
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        fail(f"fatal: destination path '{target}' already exists and is not an empty directory.", code=128)
    state = world.read()
    knob = world.knobs(state)
    if not values.get("-q") and not values.get("--quiet"):
        err(f"Cloning into '{target}'...")
    host = re.sub(r"^(https?://|git@)", "", url).split("/", 1)[0].split(":", 1)[0]
    if not images.reachable(host, knob):
        fail(f"fatal: unable to access '{url.rstrip('/')}/': Could not resolve host: {host}", code=128)
    if not re.fullmatch(r"(https://|git@)github\.com[/:][\w-]+/llm-d(\.git)?/?", url):
        fail("remote: Repository not found.", f"fatal: repository '{url.rstrip('/')}/' not found", code=128)
    ref = values.get("--branch") or values.get("-b") or "main"
    if ref not in llmd_checkout.REFS:
        fail(f"warning: Could not find remote branch {ref} to clone.",
             f"fatal: Remote branch {ref} not found in upstream origin", code=128)
    world.take_time(knob, "git clone")
    llmd_checkout.write(target)
    os.makedirs(os.path.join(target, ".git"), exist_ok=True)
    with open(os.path.join(target, ".git", "HEAD"), "w") as handle:
        handle.write(llmd_checkout.REFS[ref] + "\n")
    with open(os.path.join(target, ".git", "fakeworld.json"), "w") as handle:
        json.dump({"url": url, "ref": ref, "commit": llmd_checkout.REFS[ref]}, handle)
    with world.locked() as state:
        state["clones"].append({"url": url, "ref": ref, "dir": os.path.abspath(target), "depth": values.get("--depth")})
    return 0


def rev_parse(directory: str, args: list[str]) -> int:
    current = os.path.abspath(directory)
    while not os.path.isdir(os.path.join(current, ".git")):
        parent = os.path.dirname(current)
        if parent == current:
            fail("fatal: not a git repository (or any of the parent directories): .git", code=128)
        current = parent
    with open(os.path.join(current, ".git", "HEAD")) as handle:
        commit = handle.read().strip()
    short = next((int(a.split("=")[1]) if "=" in a else 7 for a in args if a.startswith("--short")), None)
    for arg in args:
        if arg == "HEAD":
            out(commit[:short] if short else commit)
        elif arg.startswith("--short"):
            continue
        elif arg == "--show-toplevel":
            out(current)
        else:
            fail(f"fatal: ambiguous argument '{arg}': unknown revision or path not in the working tree.", code=128)
    return 0
