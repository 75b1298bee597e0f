"""The fake world's llm-d-inference-sim stand-in (tests/fakeworld/simserver.py) in its own process, so
the load client and the server never share an interpreter."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator

from benchmarks.measure import BenchmarkError
from benchmarks.sandbox import REPO

SIMSERVER = REPO / "tests" / "fakeworld" / "simserver.py"


@contextlib.contextmanager
def serving(*, latency_ms: float = 0.0) -> Iterator[str]:
    """A simulator answering every request after `latency_ms` (no token delays); yields its base URL."""
    argv = [sys.executable, str(SIMSERVER), "--port", "0", "--extra-latency-ms", str(latency_ms)]
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nothing can block the server
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            line = proc.stdout.readline()  # "listening on 127.0.0.1:PORT" once it accepts connections
            if not line.startswith("listening on "):
                proc.kill()
                proc.wait()
                errors.seek(0)
                raise BenchmarkError(f"simserver did not start: {line}{errors.read().decode()[-2000:]}")
            yield f"http://{line.split()[-1]}"
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()
