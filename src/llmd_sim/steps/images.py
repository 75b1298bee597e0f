"""The images step: put every image the stack runs (and the kind node image) on this machine, so
neither `kind create cluster` nor the pods have to reach a registry: skip what is already here,
pull the rest concurrently (through a registry mirror when one is set, then tag each image back to
its canonical name so the charts need no change), and retry pulls that fail transiently."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from llmd_sim import imageref, toolchain
from llmd_sim.errors import CommandError, LlmdSimError, StepError
from llmd_sim.retry import run_with_retries
from llmd_sim.steps.base import Step
from llmd_sim.tools import docker

ATTEMPTS = 3
# A registry answering these will answer the same again: retrying only delays the error.
PERMANENT = ("manifest unknown", "not found", "pull access denied", "unauthorized", "denied",
             "invalid reference format", "cannot connect to the docker daemon")


@dataclass(frozen=True)
class Pull:
    """One image to fetch: its canonical name, where it comes from, and the name it gets here."""

    image: str
    source: str
    local: str

    @property
    def registry(self) -> str:
        return imageref.parse(self.source).registry

    @property
    def mirrored(self) -> bool:
        return self.registry != imageref.parse(self.image).registry


class Images(Step):
    name = "images"
    description = "pull the images (through mirrors when set) in parallel"

    def inputs(self, ctx) -> dict:
        return {"images": ctx.settings.all_images, "mirrors": ctx.settings.registry_mirrors,
                "engine": toolchain.engine(ctx)}

    def probe(self, ctx) -> str | None:
        if not ctx.settings.uses_kind:
            return None
        try:
            missing = missing_on_host(ctx, toolchain.engine(ctx), ctx.settings.all_images)
        except LlmdSimError as err:  # a probe reports (engine down, docker missing); it never fails the plan
            return err.message
        if missing:
            return f"{len(missing)} image(s) not on this machine, e.g. {missing[0]}"
        return None

    def run(self, ctx) -> None:
        if not ctx.settings.uses_kind:
            ctx.ui.info(f"existing cluster ({ctx.kube_context}): its nodes pull their own images; nothing to pull here")
            return
        engine = toolchain.engine(ctx)
        images = ctx.settings.all_images
        missing = missing_on_host(ctx, engine, images)
        plan = [plan_pull(image, ctx.settings.registry_mirrors, engine) for image in missing]
        failures = self._pull_all(ctx, plan, engine)
        if failures:
            raise _pull_error(failures)
        rows = [(image, "", "present") for image in images if image not in missing]
        rows += [(p.image, p.source if p.mirrored else "", "pulled via mirror" if p.mirrored else "pulled")
                 for p in plan]
        ctx.ui.table("images", ("image", "pulled from", "result"), rows)

    def _pull_all(self, ctx, plan: list[Pull], engine: str) -> list[tuple[Pull, CommandError]]:
        """Pull concurrently; returns the pulls that failed for good. In dry-run one at a time, so
        the printed script keeps the order of the list."""
        if not plan:
            return []
        workers = 1 if ctx.dry_run else min(ctx.settings.pull_parallelism, len(plan))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pull")
        failures, unexpected = [], None
        try:
            futures: dict[Future, Pull] = {pool.submit(self._pull, ctx, pull, engine): pull for pull in plan}
            for done, future in enumerate(as_completed(futures), start=1):
                pull, error = futures[future], future.exception()
                if isinstance(error, CommandError):
                    failures.append((pull, error))
                elif error is not None:
                    unexpected = unexpected or error  # e.g. the engine's CLI vanished: raised once all ended
                ctx.ui.progress_note(f"pulled {done}/{len(plan)}: {pull.image}")
        except KeyboardInterrupt:
            ctx.runner.kill_all()  # the pulls in flight would otherwise hold the exit
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        if unexpected is not None:
            raise unexpected
        return failures

    def _pull(self, ctx, pull: Pull, engine: str) -> None:
        # A registry that answers "manifest unknown" or "denied" will answer it again: only the rest is retried.
        run_with_retries(ctx, docker.pull(pull.source, engine), transient=lambda output: not _permanent(output),
                         attempts=ATTEMPTS, sleep=self.sleep)
        if pull.source != pull.local:
            ctx.runner.run(docker.tag(pull.source, pull.local, engine))


def plan_pull(image: str, mirrors: dict[str, str], engine: str) -> Pull:
    """Where `image` is pulled from (its mirror, if its registry has one) and its local name."""
    return Pull(image, docker.local_name(imageref.mirrored(image, mirrors), engine), docker.local_name(image, engine))


def missing_on_host(ctx, engine: str, images: list[str]) -> list[str]:
    """The images not on this machine, from one `image inspect` of all of them."""
    local = [docker.local_name(image, engine) for image in images]
    result = ctx.runner.run(docker.image_ids(local, engine), check=False, reads=True)
    if not result.ok and not docker.named_missing(result.stderr):
        # It failed without naming a missing image: the engine itself did not answer.
        raise StepError(
            f"{engine} does not answer ({engine} image inspect exited {result.returncode})",
            details=[line for line in result.stderr.splitlines() if line.strip()][-2:],
            hint=f"is {engine} running? `llmd-sim step prereqs` checks it and says how to start it",
        )
    absent = set(docker.missing_images(local, result.stdout, result.stderr, result.returncode))
    return [image for image, name in zip(images, local) if name in absent]


def _permanent(output: str) -> bool:
    said = output.lower()
    return any(phrase in said for phrase in PERMANENT)


def _pull_error(failures: list[tuple[Pull, CommandError]]) -> StepError:
    first, error = failures[0]
    if len(failures) == 1:
        return StepError(f"cannot pull {first.image} from {first.registry}",
                         details=[f"command: {error.command}", *error.stderr_tail(3)], hint=_hint(first, error))
    return StepError(
        f"cannot pull {len(failures)} images",
        details=[f"{pull.image} from {pull.registry}: {(err.stderr_tail(1) or ['failed'])[0]}" for pull, err in failures],
        hint=_hint(first, error),
    )


def _hint(pull: Pull, error: CommandError) -> str:
    said = error.stderr.lower()
    if "manifest unknown" in said or "not found" in said:
        where = f"the mirror {pull.registry}" if pull.mirrored else pull.registry
        return f"{where} has no such image or tag: check the name, or whether the mirror has synced it yet"
    if pull.mirrored:
        return (f"the mirror {pull.registry} may be down or slow; try again later, or pull {pull.image} "
                f"yourself and tag it {pull.local}")
    return (f"check that {pull.registry} is reachable from here; behind a firewall use "
            f"--mirror-profile daocloud or --mirror {pull.registry}=<mirror host>")


STEP = Images()
