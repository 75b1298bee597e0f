"""The istio step: install Istio (istio-base, istiod) with the guide's helmfile.

The guide pins an Istio 1.28 alpha build that still serves the v1alpha2 InferencePool. The helmfile
is applied from llmd-sim's work copy (where a mirror profile points its oci:// charts at the
mirror), then istiod is awaited. Right after istio-base is installed, Istio's validating webhook
points at an istiod that is not up yet (istio #29785): such failures are retried with backoff.
"""

from __future__ import annotations

from llmd_sim import guide, llmd_source
from llmd_sim.errors import CommandError
from llmd_sim.probing import tolerant
from llmd_sim.retry import NETWORK_HICCUPS, WEBHOOK_NOT_READY, mentions, run_with_retries
from llmd_sim.steps.base import Step
from llmd_sim.tools import helm, helmfile, kubectl

ISTIOD = "deployment/istiod"
APPLY_HINT = ("read the output above; with gcr.io unreachable use --mirror-profile daocloud, "
              "and `llmd-sim step prereqs` installs helm-diff if helm has no `diff` command")


class Istio(Step):
    name = "istio"
    description = "install Istio (istio-base, istiod) with the guide's helmfile"

    def inputs(self, ctx) -> dict:
        return {
            "context": ctx.settings.context,
            "llm_d": llmd_source.identity(ctx.settings),
            "chart_mirrors": ctx.settings.registry_mirrors,
        }

    @tolerant
    def probe(self, ctx) -> str | None:
        listed = ctx.runner.run(helm.list_releases(ctx.kube_context, guide.ISTIO_NAMESPACE), check=False, reads=True)
        if not listed.ok:
            return "cannot list the istio releases"
        problems = helm.release_problems(listed.stdout, guide.ISTIO_RELEASES)
        if problems:
            return "istio releases: " + ", ".join(problems)
        found = ctx.runner.run(kubectl.get(ctx.kube_context, ISTIOD, namespace=guide.ISTIO_NAMESPACE),
                               check=False, reads=True)
        deployments = kubectl.items(found.stdout) if found.ok else []
        if not deployments or not kubectl.is_true(deployments[0], "Available"):
            return "istiod not available"
        return None

    def run(self, ctx) -> None:
        llmd_source.prepare(ctx)
        istio_helmfile = llmd_source.work_file(ctx, guide.ISTIO_HELMFILE)
        ctx.ui.progress_note("installing istio-base and istiod")
        try:
            run_with_retries(
                ctx,
                helmfile.apply(ctx.kube_context, str(istio_helmfile)),
                transient=mentions((*WEBHOOK_NOT_READY, *NETWORK_HICCUPS)),
                attempts=8,  # ~2 minutes of backoff: istiod's first start on a laptop
                sleep=self.sleep,
                cwd=istio_helmfile.parent,
                hint=APPLY_HINT,
            )
        except CommandError as err:
            err.hint = helmfile.failure_hint(err.stderr) or err.hint
            raise
        ctx.ui.progress_note("waiting for istiod to be available")
        timeout = ctx.settings.wait_timeout
        ctx.runner.run(
            kubectl.wait(ctx.kube_context, ISTIOD, condition="condition=Available", timeout=timeout,
                         namespace=guide.ISTIO_NAMESPACE),
            timeout=timeout + 30,
            hint="istiod did not start: `kubectl get pods -n istio-system` and "
            "`kubectl describe pod -n istio-system -l app=istiod` say why (often too little memory or CPU)",
        )


STEP = Istio()
