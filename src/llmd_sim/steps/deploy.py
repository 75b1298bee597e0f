"""The deploy step: deploy the gateway, scheduler and simulated model servers, and the HTTPRoute.

The guide's own commands (`helmfile apply -e istio -n NS`, `kubectl apply -f httproute.yaml`), run
on llmd-sim's work copy of the guide, after writing the overrides of overrides.py into it.
"""

from __future__ import annotations

from llmd_sim import guide, llmd_source, overrides
from llmd_sim.errors import CommandError
from llmd_sim.probing import tolerant
from llmd_sim.retry import NETWORK_HICCUPS, WEBHOOK_NOT_READY, mentions, run_with_retries
from llmd_sim.steps.base import Step
from llmd_sim.tools import helm, helmfile, kubectl

APPLY_HINT = ("read the output above; `llmd-sim status --probe` shows which earlier step is missing, "
              "and `llmd-sim step deploy` tries again")


class Deploy(Step):
    name = "deploy"
    description = "deploy the gateway, scheduler and simulated model servers, and the HTTPRoute"

    def inputs(self, ctx) -> dict:
        # Settings only, never the cluster: `status` compares fingerprints without touching it. What
        # `monitoring: auto` decided is checked against the cluster by probe().
        settings = ctx.settings
        return {
            "context": settings.context,
            "namespace": settings.namespace,
            "release_postfix": settings.release_postfix,
            "llm_d": llmd_source.identity(settings),
            "chart_mirrors": settings.registry_mirrors,
            "monitoring": settings.monitoring,
            "values": overrides.as_inputs(overrides.plan(settings, monitoring=settings.monitoring == "on")),
        }

    @tolerant
    def probe(self, ctx) -> str | None:
        namespace = ctx.settings.namespace
        listed = ctx.runner.run(helm.list_releases(ctx.kube_context, namespace, all_=True), check=False, reads=True)
        if not listed.ok:
            return f"cannot list the releases in {namespace}"
        problems = helm.release_problems(listed.stdout, guide.sim_releases(ctx.settings.release_postfix))
        if problems:
            return "releases: " + ", ".join(problems)
        route = ctx.runner.run(kubectl.get(ctx.kube_context, "httproute", guide.ROUTE_NAME, namespace=namespace,
                                           output="name", ignore_not_found=True), check=False, reads=True)
        if not (route.ok and route.stdout.strip()):
            return f"httproute {guide.ROUTE_NAME} missing"
        return _monitoring_drift(ctx)

    def run(self, ctx) -> None:
        settings = ctx.settings
        llmd_source.prepare(ctx)
        monitoring = overrides.monitoring(ctx)
        if settings.monitoring == "auto":
            ctx.ui.info(_monitoring_note(ctx, monitoring))
        overrides.write(ctx, overrides.plan(settings, monitoring=monitoring))
        self._create_namespace(ctx)
        self._apply_releases(ctx)
        ctx.ui.progress_note(f"applying HTTPRoute {guide.ROUTE_NAME}")
        ctx.runner.run(
            kubectl.apply_file(ctx.kube_context, str(llmd_source.work_file(ctx, guide.HTTPROUTE)),
                               namespace=settings.namespace),
            hint="the Gateway API CRDs may be missing: `llmd-sim step crds`",
        )

    @staticmethod
    def _create_namespace(ctx) -> None:
        """Idempotent: render the namespace client-side and apply it (create fails when it exists)."""
        namespace = ctx.settings.namespace
        rendered = ctx.runner.run(kubectl.create_namespace_manifest(ctx.kube_context, namespace), reads=True)
        # A dry run renders nothing: print the manifest kubectl would have rendered.
        manifest = rendered.stdout or f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n"
        ctx.runner.run(kubectl.apply_stdin(ctx.kube_context), input=manifest)

    def _apply_releases(self, ctx) -> None:
        settings = ctx.settings
        sim_helmfile = llmd_source.work_file(ctx, guide.SIM_HELMFILE)
        ctx.ui.progress_note(f"helmfile apply: {', '.join(reversed(guide.sim_releases(settings.release_postfix)))}")
        try:
            run_with_retries(
                ctx,
                helmfile.apply(ctx.kube_context, str(sim_helmfile), environment=guide.ENVIRONMENT,
                               namespace=settings.namespace),
                # The gaie chart creates an Istio DestinationRule: Istio's webhook must answer.
                transient=mentions((*WEBHOOK_NOT_READY, *NETWORK_HICCUPS)),
                attempts=6,
                sleep=self.sleep,
                cwd=sim_helmfile.parent,
                hint=APPLY_HINT,
            )
        except CommandError as err:
            err.hint = helmfile.failure_hint(err.stderr) or err.hint
            raise


def _monitoring_drift(ctx) -> str | None:
    """With `monitoring: auto`, the Prometheus Operator may have come or gone since the deploy."""
    if ctx.settings.monitoring != "auto":
        return None
    wanted, deployed = overrides.monitoring(ctx), overrides.deployed_monitoring(ctx)
    if deployed is None or wanted == deployed:
        return None
    return f"the cluster {'now serves' if wanted else 'no longer serves'} {overrides.MONITORING_GROUP} monitors"


def _monitoring_note(ctx, monitoring: bool) -> str:
    if ctx.dry_run:
        return "monitoring off in this script: a dry run cannot ask the cluster for the Prometheus Operator API"
    served = "serves" if monitoring else "has no"
    return (f"monitoring {'on' if monitoring else 'off'}: the cluster {served} PodMonitor/ServiceMonitor "
            f"({overrides.MONITORING_GROUP}); --monitoring on|off decides instead")


STEP = Deploy()
