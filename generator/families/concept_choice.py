"""Multiple-choice questions from the concept bank: options shuffled per variant, every
correct option to be selected, scored 4 points minus 2 per wrong or missed option."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import MultiSelect
from generator.families.common import bank
from generator.families.concept_tf import read_item, read_topic
from generator.family import Family, Given, Part, Solution
from generator.registry import register

LETTERS = "ABCDEF"


def read_order(value: Any) -> list[int]:
    if not isinstance(value, list) or sorted(value) != list(range(len(value))):
        raise ValueError("expected a permutation of the options, such as [2, 0, 1, 3]")
    return value


@register
class ConceptChoice(Family):
    name = "concept_choice"
    title = "Multiple choice"
    summary = "Multiple-choice questions on the course's concepts; select every correct option"
    topic = "concepts"
    givens = {
        "item": Given(read_item("choice"), "a bank item id (default: drawn at random)"),
        "order": Given(
            read_order, "the order the options are shown in (default: as written)", None
        ),
        "topic": Given(read_topic, "draw only from this topic", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return self.draw(rng, difficulty, {})

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        pool = bank.of_kind("choice", fixed.get("topic"))
        item = (
            bank.items()[fixed["item"]] if "item" in fixed else pool[int(rng.integers(len(pool)))]
        )
        return {"item": item.id, "order": rng.permutation(len(item.options)).tolist()}

    def identity(self, params: dict[str, Any]) -> str:
        return params["item"]

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        options = bank.items()[params["item"]].options
        params.setdefault("order", list(range(len(options))))
        if len(params["order"]) != len(options):
            raise self.error(f"item {params['item']} has {len(options)} options", "order")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        item = bank.items()[params["item"]]
        correct = sum(option.correct for option in item.options)
        return {"topic": item.topic, "correct options": str(correct)}

    def solve(self, params: dict[str, Any]) -> Solution:
        item = bank.items()[params["item"]]
        shown = [item.options[i] for i in params["order"]]
        key = "".join(LETTERS[n] for n, option in enumerate(shown) if option.correct)
        steps = [
            f"{LETTERS[n]}: {'correct' if o.correct else 'not correct'} ({o.text})"
            for n, o in enumerate(shown)
        ]
        steps.append(item.explanation)
        return Solution(
            {"answer": key, "prompt": item.prompt, "options": [o.text for o in shown]}, steps
        )

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        options = len(solution.answers["options"])
        return [
            Part(
                "answer",
                "the letters of every correct option",
                MultiSelect(options),
                solution.answers["answer"],
            )
        ]
