"""The verify step: wait until pods, releases, the Gateway and the HTTPRoute are ready.

Every wait is a blocking `kubectl wait` / `kubectl rollout status` on something that already exists
(kubectl wait fails at once on nothing), within one overall budget of settings.wait_timeout.
The HTTPRoute is checked for `Accepted` and `ResolvedRefs`: Gateway API routes have no
`Programmed` condition, the Gateway has (FACTS.md section 1). On failure, diagnose.py says why.
"""

from __future__ import annotations

import math
import time

from llmd_sim import diagnose, guide
from llmd_sim.errors import CommandError, StepError
from llmd_sim.probing import tolerant
from llmd_sim.steps.base import Step
from llmd_sim.tools import helm, kubectl

POOL_RESOURCE = "inferencepools.inference.networking.x-k8s.io"
ROUTE_CONDITIONS = ("Accepted", "ResolvedRefs")


class Verify(Step):
    name = "verify"
    description = "wait until pods, releases, the Gateway and the HTTPRoute are ready"

    def inputs(self, ctx) -> dict:
        settings = ctx.settings
        return {"context": settings.context, "namespace": settings.namespace, "release_postfix": settings.release_postfix}

    @tolerant
    def probe(self, ctx) -> str | None:
        listed = ctx.runner.run(kubectl.get(ctx.kube_context, "pods", namespace=ctx.settings.namespace),
                                check=False, reads=True)
        try:
            pods = kubectl.items(listed.stdout) if listed.ok else []
        except ValueError:
            pods = []
        if not pods:
            return f"no pods in {ctx.settings.namespace}"
        troubles = diagnose.pod_troubles(pods)
        return f"pods not ready: {troubles[0].headline()}" if troubles else None

    def run(self, ctx) -> None:
        budget = _Budget(ctx.settings.wait_timeout)
        self._releases(ctx)
        self._gateway(ctx, budget)
        self._rollouts(ctx, budget)
        self._pods(ctx, budget)
        self._route(ctx, budget)
        self._pool(ctx)

    # -- the checks, in the order things come up --------------------------------------------------

    @staticmethod
    def _releases(ctx) -> None:
        settings = ctx.settings
        listed = ctx.runner.run(helm.list_releases(ctx.kube_context, settings.namespace, all_=True), reads=True)
        problems = helm.release_problems(listed.stdout, guide.sim_releases(settings.release_postfix))
        if problems and not ctx.dry_run:
            raise StepError(f"helm releases not deployed: {', '.join(problems)}",
                            hint=f"`helm status RELEASE -n {settings.namespace}` says why; `llmd-sim step deploy` retries")

    def _gateway(self, ctx, budget: _Budget) -> None:
        settings = ctx.settings
        gateway = f"gateway/{guide.gateway_name(settings.release_postfix)}"
        ctx.ui.progress_note(f"waiting for {gateway} to be Programmed")
        try:
            self._wait(ctx, budget, gateway, "condition=Programmed")
        except CommandError as err:
            found = _object(ctx, gateway)
            conditions = (found or {}).get("status", {}).get("conditions") or []
            lines = diagnose.condition_lines(conditions, ("Accepted", "Programmed")) if found else [f"{gateway} not found"]
            raise self._not_ready(ctx, f"{gateway} not programmed", err, lines) from None

    def _rollouts(self, ctx, budget: _Budget) -> None:
        namespace = ctx.settings.namespace
        listed = ctx.runner.run(kubectl.get(ctx.kube_context, "deployments", namespace=namespace, output="name"),
                                reads=True)
        deployments = kubectl.names(listed.stdout)
        if ctx.dry_run:
            ctx.ui.out(f"# then, for each deployment: kubectl --context {ctx.kube_context} rollout status "
                       f"deployment/NAME -n {namespace}")
        elif not deployments:
            raise StepError(f"no deployments in namespace {namespace}", hint="run `llmd-sim step deploy`")
        for deployment in deployments:
            ctx.ui.progress_note(f"waiting for {deployment}")
            try:
                ctx.runner.run(kubectl.rollout_status(ctx.kube_context, namespace, deployment, timeout=budget.left()),
                               timeout=budget.left() + 30)
            except CommandError as err:
                raise self._not_ready(ctx, f"{deployment} not ready", err, []) from None

    def _pods(self, ctx, budget: _Budget) -> None:
        ctx.ui.progress_note("waiting for every pod to be Ready")
        try:
            self._wait(ctx, budget, "pod", "condition=Ready", all_=True)
        except CommandError as err:
            raise self._not_ready(ctx, "pods not ready", err, []) from None

    def _route(self, ctx, budget: _Budget) -> None:
        route = f"httproute/{guide.ROUTE_NAME}"
        for kind in ROUTE_CONDITIONS:
            ctx.ui.progress_note(f"waiting for {route} to be {kind}")
            # Filter expressions in `--for=jsonpath` need kubectl >= 1.28 (kubernetes #118748).
            condition = f'jsonpath={{.status.parents[0].conditions[?(@.type=="{kind}")].status}}=True'
            try:
                self._wait(ctx, budget, route, condition)
            except CommandError as err:
                found = _object(ctx, route)
                parents = (found or {}).get("status", {}).get("parents") or [{}]
                conditions = parents[0].get("conditions") or []
                lines = diagnose.condition_lines(conditions, ROUTE_CONDITIONS) if found else [f"{route} not found"]
                raise self._not_ready(ctx, f"{route} not {kind.lower()}", err, lines) from None

    @staticmethod
    def _pool(ctx) -> None:
        settings = ctx.settings
        pool = guide.pool_name(settings.release_postfix)
        found = ctx.runner.run(kubectl.get(ctx.kube_context, POOL_RESOURCE, pool, namespace=settings.namespace,
                                           output="name", ignore_not_found=True), reads=True)
        if not found.stdout.strip() and not ctx.dry_run:
            raise StepError(f"inferencepool {pool} missing in {settings.namespace}",
                            hint=f"the gaie-{settings.release_postfix} release should create it: `llmd-sim step deploy`")

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _wait(ctx, budget: _Budget, target: str, condition: str, *, all_: bool = False) -> None:
        argv = kubectl.wait(ctx.kube_context, target, condition=condition, timeout=budget.left(),
                            namespace=ctx.settings.namespace, all_=all_)
        ctx.runner.run(argv, timeout=budget.left() + 30)

    @staticmethod
    def _not_ready(ctx, what: str, err: CommandError, lines: list[str]) -> StepError:
        """A StepError naming the worst pod trouble, with the lines a person can act on."""
        troubles, pod_lines = diagnose.explain_pods(ctx, ctx.settings.namespace)
        message = what
        if troubles:
            message += ": " + "; ".join(trouble.headline() for trouble in troubles[:diagnose.SHOWN_PODS])
        tail = [f"kubectl said: {line}" for line in err.stderr_tail(2)]
        return StepError(message, hint=diagnose.hint_for(troubles), details=[*lines, *pod_lines, *tail])


class _Budget:
    """One deadline shared by every wait of the step, so the whole step honours wait_timeout."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(1.0, math.ceil(self.deadline - time.monotonic()))


def _object(ctx, target: str) -> dict | None:
    found = ctx.runner.run(kubectl.get(ctx.kube_context, target, namespace=ctx.settings.namespace),
                           check=False, reads=True)
    try:
        objects = kubectl.items(found.stdout) if found.ok else []
    except ValueError:
        return None
    return objects[0] if objects else None


STEP = Verify()
