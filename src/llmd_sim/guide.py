"""The names and files of llm-d's simulated-accelerators guide (v0.3.1 layout, FACTS.md section 1).

One place for what the guide calls things, so steps, diagnostics and teardown agree.
"""

from __future__ import annotations

# Folders under `guides/` that llmd-sim copies into its work dir, keeping their relative layout
# (the sim helmfile's istio environment reads ../prereq/gateway-provider/common-configurations).
SIM_DIR = "simulated-accelerators"
PROVIDER_DIR = "prereq/gateway-provider"
COPIED_DIRS = (SIM_DIR, PROVIDER_DIR)

SIM_HELMFILE = f"{SIM_DIR}/helmfile.yaml.gotmpl"
GAIE_VALUES = f"{SIM_DIR}/gaie-sim/values.yaml"
MS_VALUES = f"{SIM_DIR}/ms-sim/values.yaml"
HTTPROUTE = f"{SIM_DIR}/httproute.yaml"
ISTIO_HELMFILE = f"{PROVIDER_DIR}/istio.helmfile.yaml"
ISTIO_CONFIGURATION = f"{PROVIDER_DIR}/common-configurations/istio.yaml"

# Every file the steps read, relative to `guides/`; a checkout missing one is the wrong ref.
REQUIRED_FILES = (SIM_HELMFILE, GAIE_VALUES, MS_VALUES, HTTPROUTE, ISTIO_HELMFILE, ISTIO_CONFIGURATION)
# Files with `chart: oci://<registry>/...` references, rewritten to a mirror when one is set.
HELMFILES = (ISTIO_HELMFILE, SIM_HELMFILE)

# The helmfile environment llmd-sim deploys with (the guide's default is an alias of it).
ENVIRONMENT = "istio"
ROUTE_NAME = "llm-d-sim"
ISTIO_NAMESPACE = "istio-system"
# Uninstall order is the reverse of the helmfile's `needs`.
ISTIO_RELEASES = ("istiod", "istio-base")


def sim_releases(postfix: str) -> tuple[str, ...]:
    """The guide's three releases, dependents first (the order to uninstall them)."""
    return (f"ms-{postfix}", f"gaie-{postfix}", f"infra-{postfix}")


def gateway_name(postfix: str) -> str:
    return f"infra-{postfix}-inference-gateway"


def pool_name(postfix: str) -> str:
    """The InferencePool the gaie release creates (named after the release)."""
    return f"gaie-{postfix}"
