"""A local HTTP server standing in for the tools' release hosts (GitHub releases, dl.k8s.io,
get.helm.sh): `download_base` points at it, paths are the upstream ones."""

from __future__ import annotations

import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ReleaseServer:
    """Serves `files` (path -> bytes); a path in `flaky` answers 503 once; records request paths."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.flaky: set[str] = set()
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                if self.path in server.flaky:
                    server.flaky.discard(self.path)
                    self.send_response(503)
                    self.end_headers()
                    return
                body = server.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_kind(self, version: str, body: bytes, *, os_arch: str = "linux-amd64", published: str | None = None) -> str:
        """kind's layout: the binary and `<binary>.sha256sum` beside it. Returns the binary's path."""
        path = f"/kubernetes-sigs/kind/releases/download/{version}/kind-{os_arch}"
        self.files[path] = body
        self.files[path + ".sha256sum"] = f"{published or sha256(body)}  kind-{os_arch}\n".encode()
        return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tarball(files: dict[str, tuple[bytes, int]]) -> bytes:
    """A .tar.gz holding `files` (name -> (content, mode))."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
