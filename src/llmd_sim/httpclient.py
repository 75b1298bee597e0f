"""What `test` and `bench` share about talking HTTP to the gateway: client options and error wording."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def options(url: str, timeout: float) -> dict[str, Any]:
    """Keyword arguments for an httpx client talking to `url`."""
    import httpx

    _skip_missing_sniffio()
    trust_env = urlsplit(url).hostname not in LOOPBACK
    return {
        "base_url": url,
        # Streams may pause between tokens: no read deadline beyond the request timeout itself.
        "timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        # A port-forward is on loopback: an HTTP_PROXY from the environment must not capture it.
        "trust_env": trust_env,
        # One TLS context for every client that shares these options: loading the CA bundle takes ~15 ms.
        "verify": httpx.create_ssl_context(trust_env=trust_env),
    }


def describe(exc: httpx.RequestError, url: str) -> str:
    """One line a person can act on, for an error that got no HTTP answer."""
    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection to {url} within the timeout"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer within the timeout (raise --request-timeout if the server is slow)"
    if isinstance(exc, httpx.ConnectError):
        if refused(exc):
            return f"connection refused at {url}: nothing is listening there"
        return f"cannot connect to {url}: {exc or type(exc).__name__}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection closed before a complete answer: {exc or 'no detail'}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return f"the connection broke mid-request: {exc or type(exc).__name__}"
    return f"{type(exc).__name__}: {exc}"


def refused(exc: BaseException) -> bool:
    """Was the connection refused? The async stack wraps the OS error in a generic one, so look down the chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ConnectionRefusedError) or "connection refused" in str(exc).lower():
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def unreachable(exc: httpx.RequestError) -> bool:
    """True when the request never reached a server: a restarted port-forward may help."""
    import httpx

    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                            httpx.WriteError))


def _skip_missing_sniffio() -> None:
    # httpcore 1.0 tries `import sniffio` every time it sets up a lock (several times per request).
    # Newer anyio no longer installs sniffio, and each failed import searches all of sys.path
    # (~0.1 ms): about half the client's time per request. A None entry makes that import fail at once.
    if "sniffio" in sys.modules:
        return
    try:
        import sniffio  # noqa: F401
    except ImportError:
        sys.modules["sniffio"] = None
