"""The helm-diff plugin that `helmfile apply` needs: which version fits the helm and helmfile in
use, the pairs known to break, and installing it into llmd-sim's own HELM_PLUGINS dir.

Compatibility facts (FACTS.md sections 2, 6, 7):
- helm-diff >= 3.13 declares `platformHooks`, which helm < 3.18 rejects: every helm command then
  fails with `json: unknown field "platformHooks"` (helm-diff #861, llm-d/llm-d PR #220).
- Helm 4 needs helm-diff >= 3.14 and helmfile >= 1.3.2, and `--verify=false` to install a plugin
  from git (llm-d/llm-d PR #562, #864).
- helmfile 1.1.3 panics with `unable to find semver info` on some helm builds (llm-d/llm-d PR #492,
  helmfile #2107); the guide's pair is helm v3.17.3 + helmfile 1.1.3 + helm-diff v3.11.0.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from llmd_sim import installer
from llmd_sim.errors import StepError
from llmd_sim.tools import helm
from llmd_sim.tools.helm import parse_version

if TYPE_CHECKING:
    from llmd_sim.context import Context

GIT_SOURCE = "https://github.com/databus23/helm-diff"
HELM4_DIFF = "v3.14.0"
_PLUGIN_NAME = re.compile(r"^name:\s*[\"']?diff[\"']?\s*$", re.MULTILINE)


def installed(ctx: Context) -> bool:
    """Cheap probe, no helm call: a plugin named diff sits in llmd-sim's plugin dir."""
    plugins = ctx.paths.helm_plugins
    if not plugins.is_dir():
        return False
    for manifest in plugins.glob("*/plugin.yaml"):
        try:
            if _PLUGIN_NAME.search(manifest.read_text()):
                return True
        except OSError:
            continue
    return False


def choose_version(ctx: Context, helm_version: str) -> tuple[str, str | None]:
    """The helm-diff version to install, and a note when it is not the configured one: on Helm 4
    the default v3.11.0 cannot work, so the first version that supports Helm 4 is used instead."""
    wanted = ctx.settings.helm_diff_version
    if (_major(helm_version) >= 4 and parse_version(wanted) < parse_version(HELM4_DIFF)
            and ctx.settings.source_of("helm_diff_version") == "default"):
        return HELM4_DIFF, f"helm {helm_version} needs helm-diff >= {HELM4_DIFF}; using it instead of {wanted}"
    return wanted, None


def known_bad(helm_version: str, diff_version: str, helmfile_version: str) -> list[str]:
    """Warnings for version pairs known to fail (empty versions are unknown and never flagged)."""
    problems = []
    helm_v, diff_v, helmfile_v = (parse_version(v) if v else None for v in
                                  (helm_version, diff_version, helmfile_version))
    if helm_v and diff_v and diff_v >= (3, 13, 0) and helm_v < (3, 18, 0):
        problems.append(f"helm-diff {diff_version} needs helm >= v3.18 (platformHooks); helm {helm_version} "
                        "will refuse to load it: set helm_diff_version=v3.11.0 or use a newer helm")
    if helm_v and helm_v[0] >= 4:
        if diff_v and diff_v < parse_version(HELM4_DIFF):
            problems.append(f"helm-diff {diff_version} does not work with helm {helm_version}: "
                            f"set helm_diff_version={HELM4_DIFF} or later")
        if helmfile_v and helmfile_v < (1, 3, 2):
            problems.append(f"helmfile {helmfile_version} does not work with helm {helm_version} "
                            "(it calls `helm version --client`): use helmfile >= 1.3.2")
    elif helm_v and helmfile_v and helmfile_v < (1, 2, 1) and helm_v[:2] != (3, 17):
        problems.append(f"helmfile {helmfile_version} panics on some helm builds other than v3.17 "
                        "(`unable to find semver info`): if it does, use helmfile >= 1.2.1")
    return problems


def ensure(ctx: Context, helm_version: str, *, git_available: bool,
           sleep: Callable[[float], None] = time.sleep) -> tuple[str, str]:
    """Make `helm plugin list` show diff; returns (version, what was done)."""
    found = _listed(ctx)
    if "diff" in found:
        return found["diff"], "found"
    version, note = choose_version(ctx, helm_version)
    if note:
        ctx.ui.info(note)
    ctx.ui.progress_note(f"installing helm-diff {version}")
    if _from_archive(ctx, git_available):
        installer.install_plugin_archive(ctx, version, ctx.paths.helm_plugins, sleep=sleep)
    else:
        _install_from_git(ctx, version, helm_version)
    listed = _listed(ctx)
    if "diff" not in listed and not ctx.dry_run:
        raise StepError(
            f"helm-diff {version} was installed but `helm plugin list` does not show it",
            hint=f"look in {ctx.paths.helm_plugins}; helm may print why it refuses to load the plugin",
        )
    return listed.get("diff", version), "installed"


def _listed(ctx: Context) -> dict[str, str]:
    result = ctx.runner.run(
        helm.plugin_list(ctx.kube_context),
        reads=True,
        hint=f"a plugin in {ctx.paths.helm_plugins} may be broken (e.g. a helm-diff too new for this helm); "
        f"remove it and run again: rm -rf {ctx.paths.helm_plugins}",
    )
    return helm.plugin_versions(result.stdout)


def _from_archive(ctx: Context, git_available: bool) -> bool:
    """`helm plugin install <git url>` clones from GitHub and its hook downloads from GitHub: behind
    a mirror or an offline download server, unpack the release tarball through them instead."""
    return bool(ctx.settings.download_base or ctx.settings.download_mirror or not git_available)


def _install_from_git(ctx: Context, version: str, helm_version: str) -> None:
    if not ctx.dry_run:
        ctx.paths.helm_plugins.mkdir(parents=True, exist_ok=True)
    argv = helm.plugin_install(ctx.kube_context, GIT_SOURCE, version, helm_major=_major(helm_version))
    result = ctx.runner.run(argv, check=False)
    if not result.ok and "plugin already exists" not in result.stderr:
        raise ctx.runner.failure(
            result,
            message=f"cannot install helm-diff {version}",
            hint="it is cloned from GitHub: check access, or use a mirror (--mirror-profile daocloud) "
            "or --set download_base=URL, which install it from the release tarball",
        )


def _major(version: str) -> int:
    return parse_version(version)[0] if version else 3
