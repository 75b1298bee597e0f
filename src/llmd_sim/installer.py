"""Install a pinned tool into the managed bin dir: download (through a mirror when set), verify the
sha256, unpack, and put the binary in place atomically. Never sudo, never /usr/local/bin.

Downloads run in-process with httpx (streamed, with a progress bar on a terminal); in dry-run the
equivalent curl + sha256sum lines are printed instead and nothing is fetched.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import tarfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from llmd_sim import releases
from llmd_sim.errors import StepError
from llmd_sim.releases import Asset

if TYPE_CHECKING:
    import httpx

    from llmd_sim.context import Context

CHUNK = 1 << 16
ATTEMPTS = 3
OFFLINE_HINT = "behind a firewall? use --mirror-profile daocloud, or --set download_base=URL of a server with the files"


class _Transient(Exception):
    """A download failure worth trying again (connection trouble, a 5xx answer)."""


def install_tool(ctx: Context, tool: str, version: str, *, sleep: Callable[[float], None] = time.sleep) -> Path:
    """Install `tool` at `version` as ctx.paths.bin_dir/<tool>; returns its path."""
    item = releases.asset(tool, version, *releases.host_platform())
    target = ctx.paths.bin_dir / tool
    if ctx.dry_run:
        _script_download(ctx, item, target)
        return target
    with _Download(ctx, item, sleep) as archive:
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{tool}.new")
        if item.member:
            _extract_file(archive, item.member, staged)
        else:
            shutil.copyfile(archive, staged)
        staged.chmod(0o755)
        os.replace(staged, target)  # atomic: a concurrent run sees the old binary or the new one
    return target


def install_plugin_archive(ctx: Context, version: str, plugins_dir: Path, *,
                           sleep: Callable[[float], None] = time.sleep) -> Path:
    """Unpack the helm-diff release tarball into `plugins_dir`/diff (helm finds plugins by their
    plugin.yaml). Used when GitHub itself is out of reach, where `helm plugin install` cannot work."""
    item = releases.asset("helm-diff", version, *releases.host_platform())
    target = plugins_dir / "diff"
    if ctx.dry_run:
        _script_download(ctx, item, target, tree=True)
        return target
    with _Download(ctx, item, sleep) as archive:
        plugins_dir.mkdir(parents=True, exist_ok=True)
        staged = plugins_dir / ".diff.new"
        shutil.rmtree(staged, ignore_errors=True)
        _extract_tree(archive, "diff", staged)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staged, target)
    return target


def source_of(ctx: Context, url: str) -> str:
    """The address `url` is really fetched from, given download_base and the file mirror."""
    settings = ctx.settings
    return releases.through(url, download_base=settings.download_base, file_mirror=settings.download_mirror)


class _Download:
    """Context manager: the verified download as a temporary file, deleted afterwards."""

    def __init__(self, ctx: Context, item: Asset, sleep: Callable[[float], None]):
        self.ctx, self.item, self.sleep = ctx, item, sleep
        self.path = ctx.paths.cache_dir / "downloads" / f"{item.tool}-{item.version}-{item.os}-{item.arch}.part"

    def __enter__(self) -> Path:
        import httpx

        self.path.parent.mkdir(parents=True, exist_ok=True)
        url = source_of(self.ctx, self.item.url)
        self.ctx.ui.progress_note(f"downloading {self.item.label}")
        try:
            with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0)) as client:
                actual = self._retrying(lambda: _fetch(self.ctx, client, url, self.path, self.item.label))
                expected = self._expected(client)
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        if expected is None:
            self.ctx.ui.warn(f"{self.item.label}: the project publishes no checksum for it; trusting TLS only")
        elif actual != expected:
            self.path.unlink(missing_ok=True)
            raise StepError(
                f"checksum mismatch for {self.item.label}: the file was deleted",
                details=[f"from: {url}", f"expected sha256 {expected}", f"got      sha256 {actual}"],
                hint="the download was corrupted or altered on the way; try again, and if it repeats, "
                "do not trust that mirror or download_base",
            )
        return self.path

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)

    def _expected(self, client: httpx.Client) -> str | None:
        """The pinned sha256 when known, else the one the project publishes beside the file."""
        if self.item.pinned_sha256:
            return self.item.pinned_sha256
        if not self.item.checksum_url:
            return None
        url = source_of(self.ctx, self.item.checksum_url)
        text = self._retrying(lambda: _fetch_text(client, url, self.item.label))
        found = releases.checksum_from(text, self.item.checksum_entry)
        if not found:
            raise StepError(
                f"cannot verify {self.item.label}: {url} does not list {self.item.checksum_entry or 'a sha256'}",
                hint="the checksum file does not match this release; check the version and the download server",
            )
        return found

    def _retrying(self, call):
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

        retrying = Retrying(stop=stop_after_attempt(ATTEMPTS), wait=wait_exponential(multiplier=1, max=10),
                            retry=retry_if_exception_type(_Transient), sleep=self.sleep, reraise=True)
        try:
            return retrying(call)
        except _Transient as exc:
            raise StepError(f"cannot download {self.item.label}: {exc}", hint=OFFLINE_HINT) from None


def _fetch(ctx: Context, client: httpx.Client, url: str, path: Path, label: str) -> str:
    """Stream `url` into `path` with a progress bar; returns the sha256 of what was written."""
    import httpx

    digest = hashlib.sha256()
    try:
        with client.stream("GET", url) as response:
            _check_status(response, url, label)
            total = int(response.headers.get("content-length") or 0) or None
            with path.open("wb") as out, ctx.ui.transfer(label, total) as advance:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    advance(len(chunk))
    except httpx.TransportError as exc:
        raise _Transient(f"{type(exc).__name__} from {url}: {exc}") from None
    return digest.hexdigest()


def _fetch_text(client: httpx.Client, url: str, label: str) -> str:
    import httpx

    try:
        response = client.get(url)
    except httpx.TransportError as exc:
        raise _Transient(f"{type(exc).__name__} from {url}: {exc}") from None
    _check_status(response, url, f"the checksum of {label}")
    return response.text


def _check_status(response: httpx.Response, url: str, what: str) -> None:
    if response.status_code >= 500:
        raise _Transient(f"HTTP {response.status_code} from {url}")
    if response.status_code >= 400:
        raise StepError(
            f"cannot download {what}: HTTP {response.status_code} from {url}",
            hint="check that this version exists for your platform; with a mirror or download_base, "
            "check that the server has the file at that path",
        )


def _members_under(archive: tarfile.TarFile, prefix: str) -> list[tarfile.TarInfo]:
    """Regular files and dirs at or under `prefix`, refusing names that would escape the target."""
    chosen = []
    for member in archive.getmembers():
        name = PurePosixPath(member.name.removeprefix("./"))
        if name.is_absolute() or ".." in name.parts:
            raise StepError(f"refusing to unpack {member.name!r}: it points outside the target directory")
        if (name.parts[: len(PurePosixPath(prefix).parts)] == PurePosixPath(prefix).parts
                and (member.isfile() or member.isdir())):
            chosen.append(member)
    return chosen


def _extract_file(archive_path: Path, member: str, destination: Path) -> None:
    with tarfile.open(archive_path, "r:*") as archive:
        found = [m for m in _members_under(archive, member) if m.isfile()]
        if not found:
            raise StepError(f"{archive_path.name} has no {member}", hint="the release layout changed; install it yourself")
        source = archive.extractfile(found[0])
        with destination.open("wb") as out:
            shutil.copyfileobj(source, out)


def _extract_tree(archive_path: Path, prefix: str, destination: Path) -> None:
    """Copy the tree under `prefix` in the archive to `destination`, keeping exec bits."""
    with tarfile.open(archive_path, "r:*") as archive:
        members = _members_under(archive, prefix)
        if not members:
            raise StepError(f"{archive_path.name} has no {prefix}/", hint="the release layout changed")
        for member in members:
            relative = PurePosixPath(member.name.removeprefix("./")).relative_to(prefix)
            path = destination.joinpath(*relative.parts)
            if member.isdir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                shutil.copyfileobj(archive.extractfile(member), out)
            path.chmod(0o755 if member.mode & 0o111 else 0o644)


def _script_download(ctx: Context, item: Asset, target: Path, *, tree: bool = False) -> None:
    """Dry-run: the shell lines a person would type for the same install."""
    if not ctx.runner.echo:
        return
    url = source_of(ctx, item.url)
    saved = Path(f"/tmp/{PurePosixPath(item.url).name}") if item.member else target
    quoted, place = shlex.quote(str(saved)), shlex.quote(str(target))
    lines = [f"mkdir -p {shlex.quote(str(target.parent))}", f"curl -fsSLo {quoted} {shlex.quote(url)}"]
    if item.pinned_sha256:
        lines.append(f"echo {shlex.quote(f'{item.pinned_sha256}  {saved}')} | sha256sum -c -")
    elif item.checksum_url:
        lines.append(f"# verify against {source_of(ctx, item.checksum_url)}")
    if tree:  # a whole directory (the helm-diff plugin)
        lines.append(f"tar -xzf {quoted} -C {shlex.quote(str(target.parent))}")
    elif item.member:
        lines.append(f"tar -xzOf {quoted} {item.member} > {place} && chmod +x {place}")
    else:
        lines.append(f"chmod +x {place}")
    for line in lines:
        ctx.runner.echo(line)
