"""Concept items in a question file: true/false and multiple-choice statements with their
explanations, in the format of examgen's own bank (``templates/bank/concepts.toml``), so an
instructor's bank sits beside the built-in one without editing the package.

```toml
[[items]]
id = "knn-k1"
kind = "tf"
prompt = "With k = 1, k-NN classifies every training point correctly."
answer = true
explanation = "Each training point is its own nearest neighbour (distance 0)."
```

Each instance asks one item; its options are shuffled per student.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import MultiSelect, TrueFalse
from generator.errors import quoted
from generator.family import Family, Given, Part, Solution
from generator.question_files.question_file import (
    _NAME,
    FileSolution,
    QuestionFileError,
)
from generator.question_files.texts import text_problem

MAX_ITEMS = 500
_ITEM_FIELDS = {"id", "kind", "topic", "prompt", "answer", "options", "explanation"}
_LETTERS = "ABCDEFGH"


class ConceptFileFamily(Family):
    """The concept items of one question file, as a family whose given is the item."""

    file_text = ""  # the file as read, hashed into an exam's id

    choice_part = None

    def __init__(self, data: dict[str, Any], source: str, stem: str) -> None:
        self.source = source
        unknown = sorted(set(data) - {"name", "title", "topic", "summary", "items"})
        if unknown:
            raise QuestionFileError(
                source,
                "a file of [[items]] holds only name, title, topic, summary and items",
                unknown[0],
            )
        declared = data.get("name", stem)
        if not isinstance(declared, str) or not _NAME.fullmatch(declared):
            raise QuestionFileError(
                source, "must be a letter then up to 30 letters, digits or _", "name"
            )
        self.name = f"file-{declared}"
        self.title = _line(data, "title", "Concepts", source)
        self.topic = _line(data, "topic", "concepts", source)
        self.summary = _line(data, "summary", f"{self.title} (concept items of {declared})", source)
        raw_items = data["items"]
        if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= MAX_ITEMS:
            raise QuestionFileError(source, f"must be 1 to {MAX_ITEMS} [[items]] tables", "items")
        self.items: dict[str, dict[str, Any]] = {}
        for n, raw in enumerate(raw_items):
            item = _item(raw, source, f"items[{n}]")
            if item["id"] in self.items:
                raise QuestionFileError(
                    source, f"id {quoted(item['id'])} is used twice", f"items[{n}].id"
                )
            self.items[item["id"]] = item
        self.givens = {
            "item": Given(self._read_item, "an item id (default: drawn at random)"),
            "order": Given(
                self._read_order, "the options' order, as a list of their numbers", None
            ),
        }

    def _read_item(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.items:
            raise ValueError(f"no item {quoted(value)} in {self.source}")
        return value

    @staticmethod
    def _read_order(value: Any) -> list[int]:
        if (
            not isinstance(value, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
            or sorted(value) != list(range(len(value)))
        ):
            raise ValueError("expected the option numbers 0, 1, ... in some order")
        return value

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return self.draw(rng, difficulty, {})

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        ids = list(self.items)
        item = (
            fixed.get("item")
            if fixed.get("item") in self.items
            else ids[int(rng.integers(len(ids)))]
        )
        options = self.items[item].get("options")
        if not options:
            return {"item": item}
        return {"item": item, "order": [int(n) for n in rng.permutation(len(options))]}

    def identity(self, params: dict[str, Any]) -> str:
        return params["item"]

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"concept": params["item"]}

    def solve(self, params: dict[str, Any]) -> Solution:
        item = self.items[params["item"]]
        if item["kind"] == "tf":
            verdict = "True" if item["answer"] else "False"
            texts = {
                "question": f"True or false? {item['prompt']}",
                "solution": f"{verdict}. {item['explanation']}",
            }
            return FileSolution({"answer": item["answer"]}, [texts["solution"]], texts=texts)
        order = params.get("order") or list(range(len(item["options"])))
        if len(order) != len(item["options"]):
            raise self.error(f"expected an order of {len(item['options'])} options", "order")
        shown = [item["options"][n] for n in order]
        letters = "".join(_LETTERS[n] for n, (_, correct) in enumerate(shown) if correct)
        lines = "\n".join(f"- ({_LETTERS[n]}) {text}" for n, (text, _) in enumerate(shown))
        solution = f"Correct: {', '.join(letters)}. {item['explanation']}"
        texts = {"question": f"{item['prompt']}\n\n{lines}", "solution": solution}
        return FileSolution({"answer": letters}, [solution], texts=texts)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        item = self.items[params["item"]]
        if item["kind"] == "tf":
            return [Part("answer", "true or false", TrueFalse(), solution.answers["answer"])]
        return [
            Part(
                "answer",
                "the letters of every correct option",
                MultiSelect(len(item["options"])),
                solution.answers["answer"],
            )
        ]


def _line(data: dict[str, Any], key: str, default: str, source: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not 0 < len(value) <= 200 or "\n" in value:
        raise QuestionFileError(source, "must be one line of text, at most 200 characters", key)
    _safe(value, source, key)
    return value


def _item(raw: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise QuestionFileError(source, "must be a table", where)
    unknown = sorted(set(raw) - _ITEM_FIELDS)
    if unknown:
        raise QuestionFileError(
            source,
            f"unknown field (allowed: {', '.join(sorted(_ITEM_FIELDS))})",
            f"{where}.{unknown[0]}",
        )
    for name in ("id", "kind", "prompt", "explanation"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 5000:
            raise QuestionFileError(
                source, "must be non-empty text (at most 5000 characters)", f"{where}.{name}"
            )
        _safe(value, source, f"{where}.{name}")
    if not _NAME.fullmatch(raw["id"].replace("-", "_")):
        raise QuestionFileError(
            source, "must be a letter then letters, digits, - or _", f"{where}.id"
        )
    if raw["kind"] == "tf":
        if not isinstance(raw.get("answer"), bool) or "options" in raw:
            raise QuestionFileError(
                source, "a tf item needs answer = true or false (and no options)", f"{where}.answer"
            )
        return dict(raw)
    if raw["kind"] != "choice":
        raise QuestionFileError(source, "must be tf or choice", f"{where}.kind")
    options = raw.get("options")
    if not isinstance(options, list) or not 3 <= len(options) <= 6 or "answer" in raw:
        raise QuestionFileError(
            source, "a choice item needs 3 to 6 options (and no answer)", f"{where}.options"
        )
    read = []
    for n, option in enumerate(options):
        here = f"{where}.options[{n}]"
        if (
            not isinstance(option, dict)
            or set(option) != {"text", "correct"}
            or not isinstance(option["text"], str)
            or not option["text"].strip()
            or len(option["text"]) > 1000
            or not isinstance(option["correct"], bool)
        ):
            raise QuestionFileError(
                source, 'must be { text = "...", correct = true or false }', here
            )
        _safe(option["text"], source, f"{here}.text")
        read.append((option["text"], option["correct"]))
    if not any(correct for _, correct in read) or len({t for t, _ in read}) < len(read):
        raise QuestionFileError(
            source, "options must differ, and one at least be correct", f"{where}.options"
        )
    return {**raw, "options": read}


def _safe(text: str, source: str, where: str) -> None:
    if (problem := text_problem(text)) is not None:
        raise QuestionFileError(source, problem, where)
