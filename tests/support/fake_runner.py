"""A Runner that records argv and answers from scripted rules instead of running anything
(ctlptl's FakeCmdRunner). For unit tests of steps; the fake toolchain is for end-to-end tests."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from llmd_sim.runner import Result, Runner


@dataclass
class Rule:
    tokens: tuple[str, ...]
    stdout: str = ""
    stderr: str = ""
    returncode: int = 0
    times: int | None = None  # answer this many times, then let later rules match
    effect: Callable[[list[str], str | None], Result | None] | None = None
    used: int = field(default=0)

    def matches(self, argv: list[str]) -> bool:
        """Every token of the rule appears in argv, in order (a subsequence match)."""
        if self.times is not None and self.used >= self.times:
            return False
        remaining = iter(argv)
        return all(any(token == arg for arg in remaining) for token in self.tokens)


class FakeRunner(Runner):
    """Unmatched commands succeed with empty output, like a dry run."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rules: list[Rule] = []
        self.inputs: list[str | None] = []

    def on(self, *tokens: str, stdout: str = "", stderr: str = "", returncode: int = 0,
           times: int | None = None, effect=None) -> Rule:
        """Script the answer for commands containing `tokens` in order. Later rules win over earlier."""
        rule = Rule(tokens, stdout, stderr, returncode, times, effect)
        self.rules.insert(0, rule)
        return rule

    def calls(self, *tokens: str) -> list[list[str]]:
        """Recorded commands containing `tokens` in order."""
        probe = Rule(tokens)
        return [argv for argv in self.history if probe.matches(argv)]

    def commands(self) -> list[str]:
        return [shlex.join(argv) for argv in self.history]

    def which(self, program: str) -> str:
        return program

    def for_step(self, step: str) -> FakeRunner:
        return self  # one recorder for the whole test

    def _execute(self, argv, *, timeout, input, cwd, env) -> Result:
        self.inputs.append(input)
        for rule in self.rules:
            if rule.matches(argv):
                rule.used += 1
                if rule.effect:
                    answer = rule.effect(argv, input)
                    if answer is not None:
                        return answer
                return Result(argv, rule.returncode, rule.stdout, rule.stderr, 0.0)
        return Result(argv, 0, "", "", 0.0)
