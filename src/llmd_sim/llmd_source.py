"""The llm-d guide files: a shallow clone at the configured ref (or the user's checkout), checked
for the files the steps need, and copied into llmd-sim's work dir where the overrides are written.

The user's checkout is only ever read. The work copy keeps the layout under `guides/`, because the
sim helmfile reads `../prereq/gateway-provider/common-configurations/istio.yaml`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from llmd_sim import guide
from llmd_sim.errors import StepError
from llmd_sim.tools import git

if TYPE_CHECKING:
    from llmd_sim.config import Settings
    from llmd_sim.context import Context

_OCI_CHART = re.compile(r"oci://(?P<host>[A-Za-z0-9.-]+(?::\d+)?)/")


def checkout_dir(ctx: Context) -> Path:
    """Where the guide is read from: the user's checkout, or llmd-sim's clone of repo@ref."""
    settings = ctx.settings
    if settings.llm_d_dir:
        return Path(settings.llm_d_dir).expanduser().resolve()
    # The repo URL is part of the name so a fork at the same tag never reuses another's clone.
    repo_tag = hashlib.sha256(settings.llm_d_repo.encode()).hexdigest()[:8]
    safe_ref = re.sub(r"[^A-Za-z0-9._-]", "_", settings.llm_d_ref)
    return ctx.paths.cache_dir / "llm-d" / f"{safe_ref}-{repo_tag}"


def identity(settings: Settings) -> dict:
    """What pins the guide's content, for step fingerprints. A tag pins a clone; a user's checkout
    can change under us, so its files are digested (reading only, and fine if they are absent)."""
    if not settings.llm_d_dir:
        return {"llm_d_repo": settings.llm_d_repo, "llm_d_ref": settings.llm_d_ref}
    guides = Path(settings.llm_d_dir).expanduser() / "guides"
    digest = hashlib.sha256()
    for relative in guide.REQUIRED_FILES:
        path = guides / relative
        digest.update(relative.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<absent>")
    return {"llm_d_dir": settings.llm_d_dir, "llm_d_files": digest.hexdigest()[:16]}


def missing_files(checkout: Path) -> list[str]:
    """Required guide files absent from a checkout, as `guides/...` paths."""
    return [f"guides/{rel}" for rel in guide.REQUIRED_FILES if not (checkout / "guides" / rel).is_file()]


def ensure_checkout(ctx: Context) -> Path:
    """The checkout to read, cloning it when needed. In dry-run the clone is only printed."""
    checkout = checkout_dir(ctx)
    if ctx.settings.llm_d_dir:
        _require_files(checkout, hint="point --llm-d-dir at an llm-d checkout of v0.3.1 (guides/ layout of FACTS)")
        return checkout
    if checkout.is_dir() and not missing_files(checkout):
        return checkout
    if checkout.exists() and not ctx.dry_run:
        shutil.rmtree(checkout)  # an interrupted clone: start it over
    settings = ctx.settings
    ctx.runner.run(
        git.clone(settings.llm_d_repo, settings.llm_d_ref, str(checkout)),
        hint=f"check that {settings.llm_d_ref} exists in {settings.llm_d_repo} and GitHub is reachable; "
        "or clone it yourself and pass --llm-d-dir",
    )
    if not ctx.dry_run:
        _require_files(checkout, hint=f"llm-d {settings.llm_d_ref} has another layout; use --llm-d-ref v0.3.1")
    return checkout


def prepare(ctx: Context) -> Path:
    """Fresh work copies of the guide folders (once per run); returns the work dir."""
    return ctx.cached("llmd_source.work_dir", lambda: _prepare(ctx))


def source_text(ctx: Context, relative: str) -> str | None:
    """A guide file's text from the checkout (under `guides/`), or None when it is not there yet
    (a dry run before the clone)."""
    path = checkout_dir(ctx) / "guides" / relative
    return path.read_text() if path.is_file() else None


def work_file(ctx: Context, relative: str) -> Path:
    """A file of the work copy, by its path under `guides/`."""
    return ctx.paths.work_dir / relative


def mirror_charts(text: str, mirrors: dict[str, str]) -> str:
    """Point `oci://<registry>/...` chart references at the registry's mirror; helm pulls charts
    on the host, so the host must reach them. Images keep their names (the nodes use mirrors)."""

    def swap(match: re.Match) -> str:
        host = match["host"]
        return f"oci://{mirrors.get(host, host)}/"

    return _OCI_CHART.sub(swap, text)


def _prepare(ctx: Context) -> Path:
    checkout = ensure_checkout(ctx)
    for folder in guide.COPIED_DIRS:
        ctx.runner.copy_tree(checkout / "guides" / folder, work_file(ctx, folder))
    mirrors = ctx.settings.registry_mirrors
    if mirrors:
        for helmfile in guide.HELMFILES:
            _write_mirrored(ctx, helmfile, mirrors)
    return ctx.paths.work_dir


def _write_mirrored(ctx: Context, relative: str, mirrors: dict[str, str]) -> None:
    text = source_text(ctx, relative)
    if text is None:  # only in a dry run before the clone: say what would be written
        ctx.ui.out(f"# then point the oci:// charts in {work_file(ctx, relative)} at the mirrors: "
                   + ", ".join(f"{host} -> {mirror}" for host, mirror in sorted(mirrors.items())))
        return
    rewritten = mirror_charts(text, mirrors)
    if rewritten != text:
        ctx.runner.write_file(work_file(ctx, relative), rewritten)


def _require_files(checkout: Path, *, hint: str) -> None:
    missing = missing_files(checkout)
    if missing:
        raise StepError(f"llm-d checkout {checkout} has no {missing[0]}", hint=hint,
                        details=[f"also missing: {path}" for path in missing[1:]])
