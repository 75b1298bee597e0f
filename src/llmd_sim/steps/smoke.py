"""The smoke step: the checks of `llmd-sim test`, through a port-forward, as the last step of `up`."""

from __future__ import annotations

import json

from llmd_sim import checks, portforward
from llmd_sim.errors import StepError
from llmd_sim.steps.base import Step


class Smoke(Step):
    name = "smoke"
    description = "send the guide's requests through the gateway"

    def inputs(self, ctx) -> dict:
        settings = ctx.settings
        return {"context": settings.context, "namespace": settings.namespace, "model": settings.model,
                "gateway_service": settings.gateway_service}

    def run(self, ctx) -> None:
        with portforward.PortForward(ctx) as forward:
            if ctx.dry_run:
                self._script(ctx, forward)
                return
            results = checks.run_checks(forward, ctx.settings.model,
                                        on_result=lambda r: ctx.ui.progress_note(f"{r.name}: {r.reason}"))
        failed = [result for result in results if not result.ok]
        if failed:
            raise StepError(
                "the gateway does not answer like the guide: "
                + "; ".join(f"{result.name}: {result.reason}" for result in failed),
                hint="`llmd-sim test` repeats these checks; `llmd-sim status --probe` shows what is missing",
            )
        ctx.ui.info(f"  the gateway answers: {len(results)} checks passed")
        url = f"http://127.0.0.1:{portforward.preferred_port(ctx.settings)}"
        ctx.ui.info(f"  talk to it yourself: `llmd-sim port-forward` keeps {url} open, then curl {url}/v1/models")

    @staticmethod
    def _script(ctx, forward: portforward.PortForward) -> None:
        """Dry run: the guide's own curl requests, for a person to paste after the port-forward above."""
        body = json.dumps({"model": ctx.settings.model, "prompt": checks.GUIDE_PROMPT, "max_tokens": 32})
        ctx.ui.out("sleep 3  # give the port-forward a moment to listen")
        ctx.ui.out(f"curl -s {forward.url}/v1/models")
        ctx.ui.out(f"curl -s {forward.url}/v1/completions -H 'Content-Type: application/json' -d '{body}'")
        ctx.ui.out("kill %1  # stop the port-forward")


STEP = Smoke()
