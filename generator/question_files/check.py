"""``examgen check``: a family's stress test, for question files and built-in families alike.

It draws many instances, as generation would, and reports what an author needs to know:
each given's range as drawn, how many instances are distinct, each answer's range, and the
problems that make an instance unfit for an exam, each with the first instance that shows
it: an answer with no finite value, a key its own answer type does not accept when typed
as sheets show it, a named mistake that scores as correct, a key so near zero that its
tolerance accepts 0.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generator.answers.types import Invalid, Score
from generator.errors import GivenError
from generator.family import Family, check_mistakes, plain_json, scaled_to_key
from generator.formatting import counted, short_number

_EXPENSIVE_CHECKS = 10  # instances whose expression keys are compared (sympy, in a process)


BUDGET = 60.0  # seconds of drawing per family


@dataclass
class Report:
    family: str
    wanted: int = 0
    stopped: float | None = None  # the budget that stopped the draws early
    drawn: int = 0
    distinct: int = 0
    givens: dict[str, list[Any]] = field(default_factory=dict)
    answers: dict[str, list[Any]] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)  # what -> how many instances
    first: dict[str, dict[str, Any]] = field(default_factory=dict)  # what -> an instance

    def problem(self, what: str, instance: dict[str, Any]) -> None:
        self.problems[what] = self.problems.get(what, 0) + 1
        self.first.setdefault(what, instance)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"{self.family}: {counted(self.drawn, 'instance')} drawn, {self.distinct} distinct"]
        if self.stopped is not None:
            out.append(
                f"note: stopped after {self.stopped:g} s with {self.drawn} of {self.wanted} "
                "drawn: each instance is slow to draw or solve"
            )
        out.append("givens:")
        out += [f"  {name}: {_range(values)}" for name, values in self.givens.items()]
        out.append("answers:")
        out += [f"  {name}: {_range(values)}" for name, values in self.answers.items()]
        if self.ok:
            out.append("no problems found")
            return out
        for what, count in self.problems.items():
            out.append(f"PROBLEM in {counted(count, 'instance')}: {what}")
            out.append("  first: " + json.dumps(self.first[what], ensure_ascii=False)[:2000])
        return out


def _numbers(value: Any) -> list[float]:
    if isinstance(value, (bool, str)):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in _numbers(item)]
    return []


def _range(values: list[Any]) -> str:
    texts = {json.dumps(v, sort_keys=True) for v in values}
    numbers = [n for v in values for n in _numbers(v)]
    if numbers and all(not isinstance(v, (str, bool)) for v in values):
        span = f"{short_number(min(numbers))} to {short_number(max(numbers))}"
        return f"{span} ({len(texts)} distinct)"
    shown = sorted(texts)[:6]
    more = f", … ({len(texts)} distinct)" if len(texts) > len(shown) else ""
    return ", ".join(shown) + more


def check_family(
    family: Family, count: int = 1000, difficulty: str = "medium", budget: float = BUDGET
) -> Report:
    """Draw ``count`` instances of ``family`` and report (see the module's docstring), or
    as many as ``budget`` seconds allow: a file whose every draw is slow is reported so,
    rather than keeping its author waiting without a word."""
    report = Report(family.name, wanted=count)
    rng = np.random.default_rng(0)
    identities: set[str] = set()
    deadline = time.monotonic() + budget
    for n in range(count):
        if n and time.monotonic() > deadline:
            report.stopped = budget
            break
        raw = family.draw(rng, difficulty, {})
        report.drawn += 1
        try:
            params = family.read_givens(raw)
        except GivenError as error:
            report.problem(f"drawn givens are refused: {error}", {"givens": raw})
            continue
        for name, value in params.items():
            report.givens.setdefault(name, []).append(value)
        identities.add(family.identity(params))
        try:
            solution = family.solved(params)
        except GivenError as error:
            report.problem(f"an answer is undefined or not finite: {error}", {"givens": params})
            continue
        instance = {"givens": params, "answers": solution.answers}
        parts = [scaled_to_key(part) for part in family.parts(params, solution)]
        mistakes = family.mistakes(params, solution)
        for part in parts:
            report.answers.setdefault(part.id, []).append(part.key)
            _check_part(report, part, mistakes.get(part.id, []), instance, n)
    report.distinct = len(identities)
    return report


def _check_part(report: Report, part: Any, mistakes: list[Any], instance: dict, n: int) -> None:
    answer = part.answer
    if not answer.agrees_in_process and n >= _EXPENSIVE_CHECKS:
        return
    key = answer.read_key(plain_json(part.key))
    shown = answer.display(part.key)
    typed = answer.read_answer(shown)
    if isinstance(typed, (Score, Invalid)) or not answer.agrees(typed, key):
        report.problem(
            f"part {part.id}: the key typed as shown ({shown}) is not accepted", instance
        )
    checked = check_mistakes(answer, plain_json(part.key), mistakes)
    for mistake in checked.scoring:
        report.problem(
            f"part {part.id}: the mistake '{mistake.diagnosis}' scores as correct", instance
        )
    if "atol" in answer.to_json() and any(_numbers(part.key)):
        zero = answer.read_answer("0" if not isinstance(part.key, list) else _zeros(part.key))
        if not isinstance(zero, (Score, Invalid)) and answer.agrees(zero, key):
            report.problem(f"part {part.id}: the key is so near 0 that 0 is accepted", instance)


def _zeros(value: Any) -> Any:
    if isinstance(value, list):
        return [_zeros(item) for item in value]
    return 0
