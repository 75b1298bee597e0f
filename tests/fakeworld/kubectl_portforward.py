"""`kubectl port-forward`: listen locally and serve what is behind the target, until killed.

The target must have a running pod (a service: a Ready pod its selector picks). Forwarding to
the Istio gateway Service serves the simulated model servers (fakeworld.simserver) when the path
gateway -> accepted HTTPRoute -> InferencePool -> Ready pods holds; otherwise it answers like
Envoy with nothing routable (404, or 503 `no healthy upstream`). Any other target gets a plain
404 server. Output as kubectl's (FACTS.md section 5): `Forwarding from 127.0.0.1:L -> R` on stdout
(and the `[::1]` line when the address is `localhost`, though only 127.0.0.1 is served here); a
busy port (a kind cluster's host port mapping counts: docker holds it) prints `Unable to listen on
port L: ...` then `error: unable to listen on any of the requested ports: [{L R}]` on stderr, exit 1. Not modelled: the `Handling connection for L` lines.
"""

from __future__ import annotations

import os
import socket

from fakeworld import kube, status, workloads
from fakeworld.fake_kubectl import session
from fakeworld.toolmain import fail, out


def run(values: dict, args: list[str], namespace: str) -> int:
    if len(args) < 2:
        fail("error: TYPE/NAME and list of ports are required for port-forward")
    addresses = values.get("address") or ["localhost"]
    if any(address not in ("localhost", "127.0.0.1", "::1", "0.0.0.0") for address in addresses):
        fail(f"fakeworld: port-forward --address {','.join(addresses)} is not modelled")
    pairs = [_ports(text) for text in args[1:]]
    with session(values) as (state, cluster, knob, now):
        remote_ports, backend = _target(state, cluster, knob, now, args[0], [r for _, r in pairs], namespace)
        # Docker holds every kind cluster's extraPortMappings host ports on this machine.
        held = {port for other in state["clusters"].values() for port in other["ports"]}
    local, asked = pairs[0][0] or _free_port(), pairs[0][1]
    remote = remote_ports[0]

    def ready() -> None:
        for address in addresses:
            for host in (["127.0.0.1", "[::1]"] if address == "localhost" else [address]):
                out(f"Forwarding from {host}:{local} -> {remote}")

    try:
        if local in held:
            raise OSError(98, "address already in use")
        if isinstance(backend, dict):
            from fakeworld.simserver import SimConfig, serve

            serve("127.0.0.1", local, SimConfig.from_env(os.environ, **backend), ready=ready)
        else:
            _serve_plain(local, ready, backend)
    except OSError as error:
        fail(f"Unable to listen on port {local}: Listeners failed to create with the following errors: [unable to "
             f"create listener: Error listen tcp4 127.0.0.1:{local}: bind: {os.strerror(error.errno or 98).lower()}]",
             f"error: unable to listen on any of the requested ports: [{{{local} {asked}}}]")
    return 0


def _ports(text: str) -> tuple[int, int | str]:
    local, sep, remote = text.partition(":")
    try:
        return (int(local) if local else 0), (int(remote) if sep else int(local))
    except ValueError:
        fail(f"error: Error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _target(state, cluster, knob, now, target: str, ports: list[int], namespace: str) -> tuple[list[int], dict | int]:
    """(container ports to forward to, simulator settings or the HTTP status a plain server answers)."""
    kind, _, name = target.rpartition("/")
    kind = kind.lower() or "pod"
    if kind in ("svc", "service", "services"):
        service = kube.find(cluster, "", "Service", namespace, name)
        if service is None:
            fail(f'Error from server (NotFound): services "{name}" not found')
        pods = [p for p in kube.objects(cluster, "", "Pod", namespace)
                if _selects(service["spec"].get("selector", {}), p)]
        _running(state, cluster, knob, now, pods)
        remote = [_service_target(service, port) for port in ports]
        return remote, _backend(state, cluster, knob, now, service)
    if kind in ("pod", "pods", "po"):
        pod = kube.find(cluster, "", "Pod", namespace, name)
        if pod is None:
            fail(f'Error from server (NotFound): pods "{name}" not found')
        _running(state, cluster, knob, now, [pod])
        return ports, 404
    fail(f"fakeworld: port-forward to {kind} is not modelled")


def _selects(selector: dict, pod: dict) -> bool:
    labels = pod["metadata"].get("labels", {})
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _running(state, cluster, knob, now, pods: list[dict]) -> dict:
    shown = [status.pod_status(state, cluster, pod, knob, now) for pod in pods]
    for pod, current in zip(pods, shown):
        if current.get("phase") == "Running":
            return pod
    if not pods:
        fail("error: timed out waiting for the condition")
    fail(f"error: unable to forward port because pod is not running. Current status={shown[0].get('phase', 'Pending')}")


def _service_target(service: dict, port: int) -> int:
    entry = next((p for p in service["spec"]["ports"] if p["port"] == port), None)
    if entry is None:
        fail(f"error: Service {service['metadata']['name']} does not have a service port {port}")
    target = entry.get("targetPort", port)
    return target if isinstance(target, int) else port


def _backend(state, cluster, knob, now, service: dict) -> dict | int:
    """The simulator settings behind an Istio gateway Service, or the status Envoy answers by itself."""
    labels = service["metadata"].get("labels", {})
    gateway_name = labels.get("gateway.networking.k8s.io/gateway-name")
    if not gateway_name:
        return 404
    namespace = service["metadata"]["namespace"]
    for route in kube.objects(cluster, "gateway.networking.k8s.io", "HTTPRoute", namespace):
        shown = status.route_status(state, cluster, route, knob, now)
        parents = [p for p in shown["parents"] if p["parentRef"]["name"] == gateway_name]
        if not parents or not all(status.is_true(p, "Accepted") and status.is_true(p, "ResolvedRefs") for p in parents):
            continue
        for rule in route["spec"].get("rules", []):
            for ref in rule.get("backendRefs", []):
                pool = kube.find(cluster, ref.get("group", ""), ref.get("kind", "Service"), namespace, ref["name"])
                if pool is None or pool["kind"] != "InferencePool":
                    continue
                return _pool_backend(state, cluster, knob, now, pool)
    return 404  # no route attached: Envoy answers 404 itself


def _pool_backend(state, cluster, knob, now, pool: dict) -> dict | int:
    selector = pool["spec"].get("selector", {})
    selector = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
    namespace = pool["metadata"]["namespace"]
    pods = [p for p in kube.objects(cluster, "", "Pod", namespace) if _selects(selector, p)
            and status.pod_ready(state, cluster, p, knob, now)]
    if not pods:
        return 503  # Envoy: no healthy upstream
    decode = [p for p in pods if p["metadata"]["labels"].get("llm-d.ai/role") == "decode"] or pods
    owner = next((o for o in kube.objects(cluster, "apps", "Deployment", namespace)
                  if any(r.get("uid") == o["metadata"]["uid"] for r in decode[0]["metadata"].get("ownerReferences", []))),
                 None)
    model = (owner or {}).get("_fake", {}).get("model", "random")
    return {"model": model, "namespace": namespace, "pods": [p["metadata"]["name"] for p in decode],
            "pod_headers": "POD_NAME" in workloads.pod_env(decode[0])}


def _serve_plain(port: int, ready, code: int) -> None:
    """A listener that answers `code` to everything (Envoy's own 404 / 503), until SIGTERM/SIGINT."""
    import signal
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = b"no healthy upstream" if code == 503 else b""

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(code)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), NotFound)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready()
    stop.wait()
    server.shutdown()
