"""A small llm-d checkout with the v0.3.1 guide layout and the values keys that matter (FACTS.md
section 1), for unit tests of the stack steps."""

from __future__ import annotations

from pathlib import Path

GAIE_VALUES = """\
inferenceExtension:
  replicas: 1
  image:
    name: llm-d-inference-scheduler
    hub: ghcr.io/llm-d
    tag: v0.3.2
    pullPolicy: Always
  extProcPort: 9002
  monitoring:
    interval: "10s"
    prometheus:
      enabled: true
inferencePool:
  apiVersion: inference.networking.x-k8s.io/v1alpha2
  targetPortNumber: 8000
  modelServers:
    matchLabels:
      llm-d.ai/inferenceServing: "true"
"""

MS_VALUES = """\
multinode: false
modelArtifacts:
  uri: "hf://random"
  name: random
  size: 5Mi
routing:
  servicePort: 8000
  proxy:
    image: ghcr.io/llm-d/llm-d-routing-sidecar:v0.3.0
    connector: nixlv2
    secure: false
decode:
  create: true
  replicas: 3
  monitoring:
    podmonitor:
      enabled: true
      portName: "metrics"
  containers:
  - name: "vllm"
    image: "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    modelCommand: imageDefault
    env:
    - name: KEEP_ME
      value: "1"
    - name: POD_NAME
      value: "stale"
    ports:
      - containerPort: 8200
        name: metrics
prefill:
  create: true
  replicas: 1
  monitoring:
    podmonitor:
      enabled: true
  containers:
  - name: "vllm"
    image: "ghcr.io/llm-d/llm-d-inference-sim:v0.6.1"
    modelCommand: imageDefault
"""

HTTPROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: llm-d-sim
  namespace: llm-d-sim
spec:
  parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: infra-sim-inference-gateway
  rules:
    - backendRefs:
      - group: inference.networking.x-k8s.io
        kind: InferencePool
        name: gaie-sim
        port: 8000
      matches:
      - path:
          type: PathPrefix
          value: /
"""

SIM_HELMFILE = """\
environments:
  istio:
    values:
      - ../prereq/gateway-provider/common-configurations/istio.yaml
---
releases:
  - name: {{ printf "gaie-%s" $rn | quote }}
    chart: oci://registry.k8s.io/gateway-api-inference-extension/charts/inferencepool
    version: v1.0.1
"""

ISTIO_HELMFILE = """\
releases:
  - name: istio-base
    chart: oci://gcr.io/istio-testing/charts/base
    version: 1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401
    namespace: istio-system
  - name: istiod
    chart: oci://gcr.io/istio-testing/charts/istiod
    version: 1.28-alpha.89f30b26ba71bf5e538083a4720d0bc2d8c06401
    namespace: istio-system
    values:
      - hub: gcr.io/istio-testing
"""

FILES = {
    "guides/simulated-accelerators/README.md": "# simulated accelerators\n",
    "guides/simulated-accelerators/helmfile.yaml.gotmpl": SIM_HELMFILE,
    "guides/simulated-accelerators/gaie-sim/values.yaml": GAIE_VALUES,
    "guides/simulated-accelerators/ms-sim/values.yaml": MS_VALUES,
    "guides/simulated-accelerators/httproute.yaml": HTTPROUTE,
    "guides/prereq/gateway-provider/istio.helmfile.yaml": ISTIO_HELMFILE,
    "guides/prereq/gateway-provider/common-configurations/istio.yaml": "provider:\n  name: istio\n",
}


def make_checkout(root: Path, *, without: tuple[str, ...] = ()) -> Path:
    """Write the fixture checkout under `root` (leaving out the paths in `without`); returns root."""
    for relative, text in FILES.items():
        if relative in without:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
