"""Curving a question per group of instances after the exam (``regrade --curve``).

A curve names a question, a feature of its instances and a value, as ``stats`` shows them,
and a factor: ``table:extra layer=batch norm:1.25`` multiplies the points of every student
whose instance of ``table`` had a batch norm layer by 1.25, never past the question's points;
``drop`` for the factor drops the question for that group only (it counts 0 of 0 for them).
The factor is recorded on each matching variant's question in key.json (``curve``), so it
holds for every later regrade; a factor of 1 takes a curve back. A variant that several
curves match takes the last one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import KeyFileError, quoted
from generator.exam.key_text import key_text
from generator.files.writing import write_file

MAX_FACTOR = 10.0  # a curve that multiplies points by more is a typing slip


@dataclass(frozen=True)
class Curve:
    question: str
    feature: str
    value: str
    factor: float  # 0: the question is dropped for the group

    def text(self) -> str:
        factor = "drop" if self.factor == 0 else f"{self.factor:g}"
        return f"{self.question}:{self.feature}={self.value}:{factor}"


def parse_curve(text: str) -> Curve:
    """``QID:FEATURE=VALUE:FACTOR`` (FACTOR a number from 0 to 10, or ``drop``); raises
    ValueError saying what is wrong."""
    question, _, rest = text.partition(":")
    condition, _, factor_text = rest.rpartition(":")
    feature, equals, value = condition.partition("=")
    if not (question and equals and feature.strip() and value.strip() and factor_text):
        raise ValueError(f"{quoted(text)} is not QID:FEATURE=VALUE:FACTOR")
    if factor_text.strip().lower() == "drop":
        factor = 0.0
    else:
        try:
            factor = float(factor_text)
        except ValueError:
            raise ValueError(f"the factor {quoted(factor_text)} is not a number or drop") from None
        if not (math.isfinite(factor) and 0 < factor <= MAX_FACTOR):
            raise ValueError(f"the factor {factor_text} is not above 0 and at most {MAX_FACTOR:g}")
    return Curve(question.strip(), feature.strip(), value.strip(), factor)


def apply_curves(key_file: Path, manifest: dict[str, Any], curves: list[Curve]) -> dict[str, Any]:
    """Record ``curves`` on the matching variants' questions in the key file, written
    atomically, and return the manifest; a curve that matches no variant is refused on one
    line naming the key file and what its question's instances do have."""
    known = [q["id"] for q in manifest["questions"]]
    for curve in curves:
        if curve.question not in known:
            raise KeyFileError(
                str(key_file),
                f"no question {quoted(curve.question)} to curve (has {', '.join(known)})",
            )
        entries = [
            question
            for variant in manifest["variants"]
            for question in variant["questions"]
            if question["id"] == curve.question
        ]
        matched = [q for q in entries if q.get("features", {}).get(curve.feature) == curve.value]
        if not matched:
            raise KeyFileError(
                str(key_file), f"{quoted(curve.text())} matches no variant: {_has(entries)}"
            )
        for question in matched:
            if curve.factor == 1:
                question.pop("curve", None)
            else:
                question["curve"] = curve.factor
    write_file(key_file, key_text(manifest)[0])
    return manifest


def _has(entries: list[dict[str, Any]]) -> str:
    """The features and values a question's instances have, for a curve that named none."""
    values: dict[str, set[str]] = {}
    for entry in entries:
        for name, value in entry.get("features", {}).items():
            values.setdefault(name, set()).add(value)
    if not values:
        return "its variants record no features (a key made before examgen recorded them)"
    listed = "; ".join(f"{name} = {', '.join(sorted(v))}" for name, v in sorted(values.items()))
    return f"its instances have {listed}"
