"""Exit codes and the error types every layer raises; the CLI turns them into `error:` lines."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (httpie's style: small, documented, 130 for Ctrl-C)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


class LlmdSimError(Exception):
    """An error meant for a person: a short lowercase message, an optional hint and details."""

    exit_code = ExitCode.FAILED

    def __init__(self, message: str, *, hint: str | None = None, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []


class ConfigError(LlmdSimError):
    """Bad settings, bad names or bad usage: nothing was touched."""

    exit_code = ExitCode.USAGE


class StateError(LlmdSimError):
    """The state file is corrupt, or another run holds the lock."""


class StepError(LlmdSimError):
    """A step could not do its work; the message says what, the hint says what to do."""


class ToolMissing(LlmdSimError):
    """An external program is not installed (or not on PATH)."""


class CommandError(LlmdSimError):
    """An external command failed or timed out; carries what a person needs to reproduce it."""

    def __init__(
        self,
        message: str,
        *,
        command: str,
        returncode: int | None,
        stderr: str = "",
        log_path: str | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, hint=hint)
        self.command = command
        self.returncode = returncode
        self.stderr = stderr
        self.log_path = log_path

    def stderr_tail(self, lines: int = 10) -> list[str]:
        """The last non-empty lines of the command's stderr, which is where every tool puts its error."""
        return [line for line in self.stderr.splitlines() if line.strip()][-lines:]
