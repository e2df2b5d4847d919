"""A question bank: a folder of question files, drawn from per student.

A spec's ``bank = "questions/"`` with ``pick = 3`` asks three different files of the folder,
each student's three drawn from the seed. The bank is one family (``bank-FOLDER``) whose
instances are an item (a file's name) and that file's givens, so each question keeps its
item's id for statistics (``features``), and assembly's rule that one exam never asks an
instance twice makes the picks different items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import GivenError, quoted
from generator.family import Family, Given, Mistake, Part, Solution
from generator.question_files.loading import load
from generator.question_files.question_file import _NAME, QuestionFileError

MAX_BANK_FILES = 200


def question_paths(folder: Path) -> list[Path]:
    """The question files (*.toml) of ``folder``, in name order: at least one, and at most
    ``MAX_BANK_FILES``, so that no bank or check reads for hours."""
    source = str(folder)
    if not folder.is_dir():
        raise QuestionFileError(source, "no such folder")
    paths = sorted(p for p in folder.iterdir() if p.suffix == ".toml" and p.is_file())
    if not paths:
        raise QuestionFileError(source, "holds no question files (*.toml)")
    if len(paths) > MAX_BANK_FILES:
        raise QuestionFileError(source, f"holds more than {MAX_BANK_FILES} question files")
    return paths


class BankFamily(Family):
    """The question files of one folder, as a family whose givens name the item."""

    choice_part = None

    def __init__(self, folder: Path) -> None:
        self.source = str(folder)
        self.items: dict[str, Family] = {}
        for path in question_paths(folder):
            family = load(path)
            short = family.name.removeprefix("file-")
            if short in self.items:
                raise QuestionFileError(
                    str(path), f"another file of the bank is named {quoted(short)}", "name"
                )
            self.items[short] = family
        self.file_text = "".join(getattr(f, "file_text", "") for f in self.items.values())
        label = folder.resolve().name
        name = label if _NAME.fullmatch(label) else "questions"
        self.name = f"bank-{name}"
        self.title = f"Question bank {name}"
        self.topic = "question files"
        self.summary = f"{len(self.items)} question files of {folder}"
        self.givens = {
            "item": Given(self._read_item, "the bank item (a question file's name)"),
            "givens": Given(self._read_givens, "that item's givens", None),
        }

    def _read_item(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.items:
            raise ValueError(f"no item {quoted(value)} in the bank {self.source}")
        return value

    @staticmethod
    def _read_givens(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError("expected a table of the item's givens")
        return value

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        params["givens"] = self.items[params["item"]].read_givens(params.get("givens", {}))
        return params

    def _item(self, params: dict[str, Any]) -> Family:
        return self.items[params["item"]]

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return self.draw(rng, difficulty, {})

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        names = list(self.items)
        item = (
            fixed.get("item")
            if fixed.get("item") in self.items
            else names[int(rng.integers(len(names)))]
        )
        givens = fixed.get("givens") if isinstance(fixed.get("givens"), dict) else {}
        return {
            "item": item,
            "givens": {**self.items[item].draw(rng, difficulty, givens), **givens},
        }

    def identity(self, params: dict[str, Any]) -> str:
        return params["item"]

    def solve(self, params: dict[str, Any]) -> Solution:
        try:
            return self._item(params).solved(params["givens"])
        except GivenError as error:
            raise self.error(f"item {params['item']}: {error}") from None

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return self._item(params).parts(params["givens"], solution)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        return self._item(params).mistakes(params["givens"], solution)

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {**self._item(params).features(params["givens"]), "item": params["item"]}
