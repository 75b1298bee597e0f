#!/bin/bash
# Install (or, with `delete`, remove) the Gateway API and Inference Extension CRDs.
set -e
MODE=${1:-apply}
if [[ "$MODE" != "apply" && "$MODE" != "delete" ]]; then
  echo "mode must be apply or delete, not $MODE" >&2
  exit 1
fi
GATEWAY_API_CRD_REVISION=${GATEWAY_API_CRD_REVISION:-"v1.3.0"}
GATEWAY_API_INFERENCE_EXTENSION_CRD_REVISION=${GATEWAY_API_INFERENCE_EXTENSION_CRD_REVISION:-"v1.0.1"}
kubectl $MODE -k "https://github.com/kubernetes-sigs/gateway-api/config/crd/?ref=${GATEWAY_API_CRD_REVISION}" || true
kubectl $MODE -k "https://github.com/kubernetes-sigs/gateway-api-inference-extension/config/crd/?ref=${GATEWAY_API_INFERENCE_EXTENSION_CRD_REVISION}" || true
