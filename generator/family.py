"""What a problem family is: its givens, how it samples an instance, solves it, and which
parts of the answer a student fills in."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from generator.answers.types import AnswerType, Invalid, answer_type_from_json
from generator.errors import GivenError
from generator.formatting import ROUNDING_NOISE

DIFFICULTIES = ("easy", "medium", "hard")
REQUIRED = object()


@dataclass(frozen=True)
class Given:
    """One input of a family: how a value is read, its default, and what it means."""

    read: Callable[[Any], Any]  # returns the canonical JSON value or raises ValueError
    help: str
    default: Any = REQUIRED  # None: optional, and left out of the givens when not given


@dataclass(frozen=True)
class Part:
    """One blank a student fills in: ``key`` is the answer in a form ``grade`` accepts."""

    id: str
    label: str
    answer: AnswerType
    key: Any
    # error carried forward: how this part follows from a student's earlier answer, for the
    # grader's follow-through rule (see generator.grading.follow_through)
    follows: dict[str, Any] | None = None


@dataclass(frozen=True)
class Mistake:
    """What a student gets by a known mistake: ``value`` in the part's key form."""

    value: Any
    diagnosis: str


@dataclass(frozen=True)
class MistakeCheck:
    """A part's named mistakes sorted by what the part's comparison makes of them."""

    told_apart: list[Mistake]  # differ from the key: a student who makes one loses the marks
    same_as_key: list[Mistake]  # the key itself here (a padding of 0 forgotten): not tested
    scoring: list[Mistake]  # differ from the key, yet the comparison accepts them: a flaw


# Two values closer than this are one number written two ways (a mistake that gives the key
# by construction, up to float rounding), not a different answer the tolerance lets through.
_SAME_RTOL, _SAME_ATOL = 1e-9, 1e-12


def check_mistakes(answer: AnswerType, key: Any, mistakes: list[Mistake]) -> MistakeCheck:
    """Sort ``mistakes`` (values in the key's JSON form) by the part's own ``answer``
    comparison. A mistake no answer of this type can write is told apart: it never scores."""
    told_apart: list[Mistake] = []
    same_as_key: list[Mistake] = []
    scoring: list[Mistake] = []
    if not mistakes:
        return MistakeCheck(told_apart, same_as_key, scoring)
    parsed_key = answer.read_key(key)
    exact = _exact_twin(answer)
    for mistake in mistakes:
        value = answer.read(plain_json(mistake.value))
        if isinstance(value, Invalid) or not answer.agrees(value, parsed_key):
            told_apart.append(mistake)
        elif exact is None or exact.agrees(value, parsed_key):
            same_as_key.append(mistake)
        else:
            scoring.append(mistake)
    return MistakeCheck(told_apart, same_as_key, scoring)


def scaled_to_key(part: Part) -> Part:
    """The part, its absolute tolerance lowered where it must be to a power of ten at most
    a tenth of the smallest nonzero number in its key: the absolute tolerance is there for
    keys of 0, and must not accept 0, a sign flip or a tenth for a key of 1.1e-07. Numbers
    below rounding noise are zeros, as sheets show them."""
    data = part.answer.to_json()
    if "atol" not in data:
        return part
    sizes = [abs(v) for v in _numbers(part.key) if abs(v) >= ROUNDING_NOISE]
    if not sizes or data["atol"] <= min(sizes) / 10:
        return part
    atol = float(f"1e{math.floor(math.log10(min(sizes) / 10))}")
    if atol > min(sizes) / 10:  # log10 rounded up to a whole number: 0.0999… gives -2
        atol /= 10
    return replace(part, answer=answer_type_from_json({**data, "atol": atol}))


def _numbers(value: Any) -> list[float]:
    if isinstance(value, (list, tuple)):
        return [number for item in value for number in _numbers(item)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


def _exact_twin(answer: AnswerType) -> AnswerType | None:
    """The answer type with its tolerance shrunk to float rounding; None for the types
    whose comparison has no tolerance, where agreeing is being the same answer."""
    data = answer.to_json()
    if "rtol" not in data:
        return None
    return answer_type_from_json({**data, "rtol": _SAME_RTOL, "atol": _SAME_ATOL})


def plain_json(value: Any) -> Any:
    """A value as the manifest stores it, read back: lists for tuples, floats for numpy's
    floats; a dump and a load, without the text in between for the usual values."""
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [plain_json(item) for item in value]
    return json.loads(json.dumps(value))


@dataclass
class Solution:
    answers: dict[str, Any]  # the JSON object ``examgen solve --json`` prints
    steps: list[str] = field(default_factory=list)  # the worked solution, one step a line


class Family:
    """Base of every problem family; subclasses are registered with ``@register``."""

    name: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]  # one line for ``examgen families``
    topic: ClassVar[str]
    givens: ClassVar[dict[str, Given]]
    choice_part: ClassVar[str | None] = None  # the part asked when a spec wants multiple choice

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        """Givens of a random valid, non-degenerate instance."""
        raise NotImplementedError

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        """Givens of an instance for an exam whose spec fixes ``fixed``; families whose
        sampling depends on a fixed given (a bank topic, say) override this."""
        return self.sample(rng, difficulty)

    def identity(self, params: dict[str, Any]) -> str:
        """What makes two instances the same question, so one exam never asks it twice."""
        return json.dumps(params, sort_keys=True)

    def solve(self, params: dict[str, Any]) -> Solution:
        """The answers and worked steps for canonical givens (see ``read_givens``)."""
        raise NotImplementedError

    def solved(self, params: dict[str, Any]) -> Solution:
        """``solve``, refusing givens whose answers are not all finite: a NaN or an infinity
        is no key a student could match (Adam with ε = 0 on a zero gradient gives 0/0)."""
        solution = self.solve(params)
        where = _not_finite(solution.answers)
        if where is not None:
            raise self.error(f"these givens make {where} NaN or infinite, which no key can be")
        return solution

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        raise NotImplementedError

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        """What groups this instance with its siblings for the analysis of variant
        difficulty (``examgen stats``) and calibrated generation: a few short names and
        values, such as ``{"op": "pool", "padded": "no"}``, each taking few values across a
        difficulty level. Empty here: an exam then records the question's difficulty."""
        return {}

    def answered_in_question(self, part_id: str) -> bool:
        """Whether the question text holds the part's answer box (a cell of its table), so a
        printed sheet gives the part no room of its own."""
        return False

    def choice_part_for(self, params: dict[str, Any], solution: Solution) -> str | None:
        """The part a multiple-choice version asks for (``choice_part`` unless overridden)."""
        return self.choice_part

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        """Answers that real mistakes produce, by part: they diagnose wrong free-response
        answers and are the distractors of the multiple-choice version."""
        return {}

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Check raw givens and return them canonical, defaults filled in, in declared order."""
        unknown = [name for name in raw if name not in self.givens]
        if unknown:
            known = ", ".join(self.givens)
            raise GivenError(self.name, f"unknown given (known: {known})", unknown[0])
        params = {}
        for name, given in self.givens.items():
            if name not in raw:
                if given.default is REQUIRED:
                    raise GivenError(self.name, f"missing ({given.help})", name)
                if given.default is not None:
                    params[name] = given.default
                continue
            try:
                params[name] = given.read(raw[name])
            except ValueError as error:
                raise GivenError(self.name, str(error), name) from None
        return params

    def error(self, message: str, given: str | None = None) -> GivenError:
        return GivenError(self.name, message, given)


# Readers of given values. Each accepts what a TA types on the command line (JSON values,
# or plain strings where JSON does not parse) and returns one canonical JSON value.


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def whole(minimum: int, maximum: int = 10**6) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {_shown(value)}")
        if not minimum <= value <= maximum:
            raise ValueError(f"expected a whole number from {minimum} to {maximum}, got {value}")
        return value

    return read


def choice(*options: str) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {_shown(value)}")
        return value.lower()

    return read


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"expected true or false, got {_shown(value)}")


def dims(value: Any, count: tuple[int, ...], minimum: int = 1) -> tuple[int, ...]:
    """Dimensions written as a number, "AxB[xC]" or a JSON list, of one of ``count`` lengths."""
    if isinstance(value, int) and not isinstance(value, bool):
        parts: list[Any] = [value]
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}(\s*[xX×]\s*\d{1,9})*\s*", value):
        parts = [int(p) for p in re.split(r"\s*[xX×]\s*", value.strip())]
    elif isinstance(value, list):
        parts = value
    else:
        raise ValueError(f"expected a size such as 32 or 32x28, got {_shown(value)}")
    if len(parts) not in count or not all(
        isinstance(p, int) and not isinstance(p, bool) and minimum <= p <= 10**6 for p in parts
    ):
        lengths = " or ".join(str(c) for c in count)
        numbers = "whole number" if count == (1,) else "whole numbers"
        raise ValueError(f"expected {lengths} {numbers} >= {minimum}, got {_shown(value)}")
    return tuple(parts)


def pair(minimum: int) -> Callable[[Any], int | str]:
    """A height/width pair; canonical form is one int when square, else "HxW"."""

    def read(value: Any) -> int | str:
        parts = dims(value, (1, 2), minimum)
        if len(parts) == 1 or parts[0] == parts[1]:
            return parts[0]
        return f"{parts[0]}x{parts[1]}"

    return read


def as_pair(value: int | str) -> tuple[int, int]:
    """The (height, width) of a canonical pair value."""
    if isinstance(value, int):
        return value, value
    height, width = value.split("x")
    return int(height), int(width)


def volume(value: Any) -> str:
    """An input volume "HxWxC" or a vector size "D"; canonical form is that string."""
    return "x".join(str(d) for d in dims(value, (1, 3)))


def split_top_level(text: str) -> list[str]:
    """Split "CONV5-10, conv(k=3,n=4), POOL2" at commas outside parentheses."""
    items, depth = [], 0
    current: list[str] = []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items]


MAX_ENTRIES = 400  # numbers in one given list or matrix


def _not_finite(value: Any, where: str = "the answer") -> str | None:
    """Where in ``value`` (answers: numbers in nested lists and dicts) a number is not
    finite, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else where
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for name, item in items:
        found = _not_finite(item, f"{where}[{name}]" if isinstance(name, int) else f"'{name}'")
        if found is not None:
            return found
    return None


def real(minimum: float = -1e6, maximum: float = 1e6) -> Callable[[Any], int | float]:
    """A finite number; numeric text such as "0.5" is read too. Whole numbers stay ints."""

    def read(value: Any) -> int | float:
        if isinstance(value, str):
            try:
                value = float(value) if not re.fullmatch(r"\s*-?\d{1,9}\s*", value) else int(value)
            except ValueError:
                raise ValueError(f"expected a number, got {_shown(value)}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {_shown(value)}")
        if not math.isfinite(value) or not minimum <= value <= maximum:
            raise ValueError(f"expected a number from {minimum:g} to {maximum:g}, got {value}")
        return value

    return read


def real_matrix(value: Any, allow_vector: bool = True) -> list[list[int | float]]:
    """A rectangular list of lists of numbers; a flat list is one row when allowed."""
    if isinstance(value, list) and value and all(not isinstance(v, list) for v in value):
        if not allow_vector:
            raise ValueError("expected a matrix as a list of rows, such as [[1, 2], [3, 4]]")
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ValueError(f"expected a list of rows such as [[1, 2], [3, 4]], got {_shown(value)}")
    if len({len(row) for row in value}) != 1 or not value[0]:
        raise ValueError("rows must be non-empty and of equal length")
    if sum(len(row) for row in value) > MAX_ENTRIES:
        raise ValueError(f"more than {MAX_ENTRIES} numbers")
    number = real()
    return [[number(v) for v in row] for row in value]


def real_vector(value: Any) -> list[int | float]:
    if not isinstance(value, list) or not value or any(isinstance(v, list) for v in value):
        raise ValueError(f"expected a list of numbers such as [1, 2.5], got {_shown(value)}")
    if len(value) > MAX_ENTRIES:
        raise ValueError(f"more than {MAX_ENTRIES} numbers")
    number = real()
    return [number(v) for v in value]
