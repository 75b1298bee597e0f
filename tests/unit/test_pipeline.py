"""Which steps run and why; resume after failure or interruption; recorded transitions."""

from __future__ import annotations

import pytest

from llmd_sim.errors import StepError
from llmd_sim.pipeline import Pipeline, Selection, plan
from llmd_sim.state import DONE, FAILED, INTERRUPTED, StateStore
from llmd_sim.steps.base import Step

NAMES = ("prereqs", "images", "cluster", "crds", "istio", "deploy", "verify", "smoke")


class Recorder(Step):
    """A step that records its runs; its inputs, probe answer and failure are set by the test."""

    def __init__(self, name, log):
        self.name = name
        self.description = f"the {name} step"
        self.log = log
        self.setting = "a"
        self.missing = None
        self.fail_with = None

    def inputs(self, ctx):
        return {"setting": self.setting, "list": [1, 2]}

    def probe(self, ctx):
        return self.missing

    def run(self, ctx):
        self.log.append(self.name)
        if self.fail_with:
            raise self.fail_with


@pytest.fixture
def world(make_ctx):
    class World:
        log: list = []

        def __init__(self):
            self.ctx = make_ctx()
            self.log = []
            self.steps = [Recorder(name, self.log) for name in NAMES]
            self.store = StateStore(self.ctx.paths.state_file, "llmd-sim", "llm-d-sim")

        def step(self, name):
            return next(s for s in self.steps if s.name == name)

        def up(self, selection=Selection()):
            """One `llmd-sim up`: plan from the saved state, run, save. Returns the decisions."""
            self.log.clear()
            state = self.store.load()
            decisions = plan(self.ctx, self.steps, state, selection)
            Pipeline(self.ctx, self.store, state).execute(decisions)
            return decisions

        def reasons(self, selection=Selection()):
            return {d.step.name: d.reason for d in plan(self.ctx, self.steps, self.store.load(), selection) if d.run}

    return World()


def test_first_run_runs_everything_in_order(world):
    decisions = world.up()
    assert world.log == list(NAMES)
    assert decisions[0].reason == "never run"
    assert decisions[1].reason == "never run"
    assert all(world.store.load().record(n).status == DONE for n in NAMES)


def test_second_run_does_nothing_when_inputs_match_and_probes_pass(world):
    world.up()
    decisions = world.up()
    assert world.log == []
    assert all(not d.run and d.reason.startswith("done ") for d in decisions)


def test_changed_input_reruns_that_step_and_everything_after_it(world):
    world.up()
    world.step("istio").setting = "b"
    reasons = world.reasons()
    assert reasons == {
        "istio": "config changed: setting",
        "deploy": "runs after istio",
        "verify": "runs after istio",
        "smoke": "runs after istio",
    }
    world.up()
    assert world.log == ["istio", "deploy", "verify", "smoke"]


def test_failed_probe_reruns_with_the_probe_reason(world):
    world.up()
    world.step("cluster").missing = "cluster llmd-sim missing"
    assert world.reasons()["cluster"] == "cluster llmd-sim missing"
    world.up()
    assert world.log == ["cluster", "crds", "istio", "deploy", "verify", "smoke"]


@pytest.mark.parametrize("failing", NAMES)
def test_resume_after_a_failure_at_each_step(world, failing):
    world.step(failing).fail_with = StepError("it broke", hint="fix it")
    with pytest.raises(StepError):
        world.up()
    state = world.store.load()
    assert state.record(failing).status == FAILED
    assert state.record(failing).error == "it broke"
    index = NAMES.index(failing)
    assert world.log == list(NAMES[: index + 1])
    # Fixed: the next run resumes at the failed step, not from the start.
    world.step(failing).fail_with = None
    world.up()
    assert world.log == list(NAMES[index:])
    assert world.reasons() == {}


def test_interruption_is_recorded_and_resumed(world):
    world.step("deploy").fail_with = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        world.up()
    assert world.store.load().record("deploy").status == INTERRUPTED
    world.step("deploy").fail_with = None
    assert world.reasons()["deploy"] == "last run was interrupted"
    world.up()
    assert world.log == ["deploy", "verify", "smoke"]


def test_a_bug_in_a_step_still_leaves_a_valid_state(world):
    world.step("crds").fail_with = ZeroDivisionError("oops")
    with pytest.raises(ZeroDivisionError):
        world.up()
    record = world.store.load().record("crds")
    assert record.status == FAILED and "ZeroDivisionError" in record.error


def test_force_runs_every_selected_step(world):
    world.up()
    world.up(Selection(force=True))
    assert world.log == list(NAMES)


def test_from_forces_that_step_and_continues(world):
    world.up()
    decisions = world.up(Selection(start="deploy"))
    assert world.log == ["deploy", "verify", "smoke"]
    assert [d.step.name for d in decisions] == ["deploy", "verify", "smoke"]
    assert decisions[0].reason == "forced"


def test_only_and_skip(world):
    world.up(Selection(only=["images", "crds"]))
    assert world.log == ["images", "crds"]
    world.up(Selection(skip=["images", "cluster", "smoke"]))
    assert world.log == ["prereqs", "crds", "istio", "deploy", "verify"]


def test_a_step_run_alone_makes_later_steps_stale_next_time(world):
    world.up()
    world.up(Selection(only=["deploy"], force=True))
    assert world.reasons() == {"verify": "deploy ran after it", "smoke": "runs after verify"}


def test_inputs_compare_equal_after_a_reload(world):
    # Tuples become lists in JSON: a fresh process must not see that as a change.
    world.step("images").inputs = lambda ctx: {"images": ("a:1", "b:2")}
    world.up()
    assert world.reasons() == {}


def test_dry_run_saves_nothing(make_ctx):
    ctx = make_ctx(dry_run=True)
    log = []
    steps = [Recorder(name, log) for name in NAMES]
    store = StateStore(ctx.paths.state_file, "llmd-sim", "llm-d-sim")
    Pipeline(ctx, store, store.load()).execute(plan(ctx, steps, store.load(), Selection(), probe=False))
    assert log == list(NAMES)
    assert not ctx.paths.state_file.exists()
