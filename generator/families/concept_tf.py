"""True/false questions from the course's concept bank, scored +2/−1/0 as in the midterm."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import TrueFalse
from generator.families.common import bank
from generator.family import Family, Given, Part, Solution
from generator.registry import register


def read_item(kind: str):
    def read(value: Any) -> str:
        if not isinstance(value, str) or value not in bank.items():
            raise ValueError(f"no concept item {value!r} (see templates/bank)")
        if bank.items()[value].kind != kind:
            raise ValueError(f"item {value} is not a {kind} item")
        return value

    return read


def read_topic(value: Any) -> str:
    if value not in bank.topics():
        raise ValueError(f"expected one of {', '.join(bank.topics())}, got {value!r}")
    return value


@register
class ConceptTrueFalse(Family):
    name = "concept_tf"
    title = "True or false"
    summary = "True/false questions on the course's concepts, with explanations (+2/−1/0)"
    topic = "concepts"
    givens = {
        "item": Given(read_item("tf"), "a bank item id (default: drawn at random)"),
        "topic": Given(read_topic, "draw only from this topic", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return self.draw(rng, difficulty, {})

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        pool = bank.of_kind("tf", fixed.get("topic"))
        return {"item": pool[int(rng.integers(len(pool)))].id}

    def identity(self, params: dict[str, Any]) -> str:
        return params["item"]

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        item = bank.items()[params["item"]]
        return {"topic": item.topic, "statement": "true" if item.answer else "false"}

    def solve(self, params: dict[str, Any]) -> Solution:
        item = bank.items()[params["item"]]
        return Solution(
            {"answer": item.answer, "statement": item.prompt},
            [f"{'True' if item.answer else 'False'}. {item.explanation}"],
        )

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [Part("answer", "true or false", TrueFalse(), solution.answers["answer"])]
