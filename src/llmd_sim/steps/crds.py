"""The crds step: install the Gateway API and Inference Extension CRDs and wait until Established.

As the guide's install-gateway-provider-dependencies.sh does (`kubectl apply -k <repo>/config/crd/?ref=V`),
but server-side (the CRDs outgrow client-side apply's annotation), with retries on network hiccups
instead of `|| true`, and waiting for `Established` so the next steps never race the API server
(kind #762). Without GitHub (a file mirror is set), the projects' release manifests are applied
through the mirror instead, since `-k` needs git access to GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmd_sim.probing import tolerant
from llmd_sim.retry import NETWORK_HICCUPS, mentions, run_with_retries
from llmd_sim.steps.base import Step
from llmd_sim.tools import kubectl

# kustomize fetching a remote base runs git; these are its network failures.
GIT_FETCH_HICCUPS = ("unable to access", "early eof", "the remote end hung up unexpectedly")


@dataclass(frozen=True)
class Bundle:
    """One project's CRDs: where they come from and the names the guide relies on."""

    title: str
    repo: str  # github.com/<repo>
    release_asset: str  # the CRD manifest attached to each release
    crds: tuple[str, ...]

    def kustomize_url(self, version: str) -> str:
        return f"https://github.com/{self.repo}/config/crd/?ref={version}"

    def release_url(self, version: str, mirror: str) -> str:
        # File mirrors keep the original host in the path: <mirror>/github.com/<path>.
        return f"{mirror.rstrip('/')}/github.com/{self.repo}/releases/download/{version}/{self.release_asset}"


# The standard channel of Gateway API v1.3 (FACTS.md section 1).
GATEWAY_API = Bundle(
    "Gateway API",
    "kubernetes-sigs/gateway-api",
    "standard-install.yaml",
    tuple(f"{kind}.gateway.networking.k8s.io"
          for kind in ("gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants")),
)
# GAIE v1.0: the v1alpha2 InferencePool the v0.3 guide uses, the v1 one, and InferenceObjective.
INFERENCE_EXTENSION = Bundle(
    "Gateway API Inference Extension",
    "kubernetes-sigs/gateway-api-inference-extension",
    "manifests.yaml",
    (
        "inferencepools.inference.networking.x-k8s.io",
        "inferencepools.inference.networking.k8s.io",
        "inferenceobjectives.inference.networking.x-k8s.io",
    ),
)
ALL_CRDS = (*GATEWAY_API.crds, *INFERENCE_EXTENSION.crds)


class Crds(Step):
    name = "crds"
    description = "install the Gateway API and Inference Extension CRDs and wait until Established"

    def inputs(self, ctx) -> dict:
        settings = ctx.settings
        return {
            "context": settings.context,
            "gateway_api_version": settings.gateway_api_version,
            "gaie_version": settings.gaie_version,
            "source": settings.download_mirror or "github kustomize",
        }

    @tolerant
    def probe(self, ctx) -> str | None:
        result = ctx.runner.run(kubectl.get(ctx.kube_context, "crd", *ALL_CRDS), check=False, reads=True)
        try:
            found = {item["metadata"]["name"]: item for item in kubectl.items(result.stdout)}
        except ValueError:
            found = {}
        missing = [name for name in ALL_CRDS if name not in found]
        if missing:
            return f"crds missing: {', '.join(missing)}"
        pending = [name for name, crd in found.items() if not kubectl.is_true(crd, "Established")]
        return f"crds not established: {', '.join(pending)}" if pending else None

    def run(self, ctx) -> None:
        settings = ctx.settings
        for bundle, version in ((GATEWAY_API, settings.gateway_api_version),
                                (INFERENCE_EXTENSION, settings.gaie_version)):
            ctx.ui.progress_note(f"applying the {bundle.title} CRDs {version}")
            run_with_retries(
                ctx,
                self._apply_argv(ctx, bundle, version),
                transient=mentions((*NETWORK_HICCUPS, *GIT_FETCH_HICCUPS)),
                sleep=self.sleep,
                hint=self._apply_hint(ctx, bundle, version),
            )
        ctx.ui.progress_note("waiting for the CRDs to be Established")
        ctx.runner.run(
            kubectl.wait(ctx.kube_context, "crd", *ALL_CRDS, condition="condition=Established",
                         timeout=settings.wait_timeout),
            timeout=settings.wait_timeout + 30,
            hint="a CRD is missing from the applied version or was not accepted: "
            "`kubectl get crd NAME -o yaml` shows its conditions",
        )

    @staticmethod
    def _apply_argv(ctx, bundle: Bundle, version: str) -> list[str]:
        mirror = ctx.settings.download_mirror
        if mirror:
            return kubectl.apply_file(ctx.kube_context, bundle.release_url(version, mirror), server_side=True)
        return kubectl.apply_kustomize(ctx.kube_context, bundle.kustomize_url(version))

    @staticmethod
    def _apply_hint(ctx, bundle: Bundle, version: str) -> str:
        if ctx.settings.download_mirror:
            return (f"is {ctx.settings.download_mirror} reachable and does {bundle.repo} release {version} "
                    f"have {bundle.release_asset}?")
        return (f"kubectl fetches {bundle.repo}@{version} from GitHub with git: check the network, "
                "or use --mirror-profile daocloud (release manifests through a file mirror)")


STEP = Crds()
