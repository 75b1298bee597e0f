"""git: argv builders for fetching the llm-d guide."""

from __future__ import annotations


def clone(url: str, ref: str, destination: str) -> list[str]:
    """A shallow clone of one tag or branch."""
    return ["git", "clone", "--depth", "1", "--branch", ref, "--single-branch", url, str(destination)]


def head(directory: str) -> list[str]:
    return ["git", "-C", str(directory), "rev-parse", "HEAD"]


def version() -> list[str]:
    return ["git", "version"]
