"""Answer types: each owns how a student's answer is parsed and compared with the key.

A malformed answer is data, not an exception: ``parse`` returns ``Invalid(message)`` and the
answer scores zero with that message. Types are stored in the manifest by ``kind`` so grading
never needs the family that wrote the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from generator.arithmetic import ArithmeticParseError, evaluate

Status = str  # "correct" | "partial" | "wrong" | "invalid" | "blank"


@dataclass(frozen=True)
class Invalid:
    message: str


@dataclass(frozen=True)
class Score:
    fraction: Fraction  # of the part's points
    status: Status
    feedback: str = ""


BLANK = Score(Fraction(0), "blank", "no answer")


class AnswerType:
    kind: ClassVar[str]
    hint: ClassVar[str]  # how to write an answer, shown on sheets

    def parse(self, raw: str) -> Any:
        raise NotImplementedError

    def compare(self, value: Any, key: Any) -> Score:
        if value == key:
            return Score(Fraction(1), "correct")
        return Score(Fraction(0), "wrong", f"expected {self.format(key)}")

    def format(self, value: Any) -> str:
        return str(value)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def grade(self, raw: Any, key_raw: Any) -> Score:
        """Score a submitted JSON value against the key's JSON value."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return BLANK
        problem = json_type_problem(raw)
        if problem:
            return Score(Fraction(0), "invalid", problem)
        value = self.parse(_as_text(raw))
        if isinstance(value, Invalid):
            return Score(Fraction(0), "invalid", value.message)
        key = self.parse(_as_text(key_raw))
        if isinstance(key, Invalid):  # a key that does not parse is a bug in examgen
            raise ValueError(f"key {key_raw!r} is not a valid {self.kind}: {key.message}")
        return self.compare(value, key)


def _as_text(raw: str | int | float) -> str:
    return raw if isinstance(raw, str) else repr(raw)


def json_type_problem(raw: Any) -> str | None:
    """Why a submitted JSON value can never be an answer, or None when it can."""
    if raw is None or (isinstance(raw, (str, int, float)) and not isinstance(raw, bool)):
        return None
    names = {bool: "true/false", list: "list", dict: "object"}
    return f"expected a number or text, got a JSON {names.get(type(raw), type(raw).__name__)}"


class Integer(AnswerType):
    """A whole number, or arithmetic that evaluates to one (``10x1x5x5 + 10``)."""

    kind = "integer"
    hint = "whole numbers, or arithmetic such as 10x3x5x5 + 10"

    def parse(self, raw: str) -> int | Invalid:
        try:
            value = evaluate(raw)
        except ArithmeticParseError as error:
            return Invalid(f"not a number or arithmetic: {error}")
        if value.denominator != 1:
            return Invalid(f"{raw.strip()} is not a whole number")
        return int(value)


_SHAPE_SEPARATORS = re.compile(r"\s*(?:[xX×*,]|\s)\s*")
_DIM = re.compile(r"\d{1,9}")


def _parse_dims(raw: str) -> tuple[int, ...] | Invalid:
    text = raw.strip()
    if len(text) > 100:
        return Invalid("longer than 100 characters")
    for left, right in ("()", "[]"):
        if text.startswith(left) and text.endswith(right):
            text = text[1:-1].strip()
            break
    if not text:
        return Invalid("empty shape")
    parts = _SHAPE_SEPARATORS.split(text)
    if not all(_DIM.fullmatch(part) for part in parts):
        return Invalid(f"'{raw.strip()}' is not a shape like 32x32x10")
    dims = tuple(int(part) for part in parts)
    if 0 in dims:
        return Invalid("a dimension of 0 is not a shape")
    return dims


class Shape(AnswerType):
    """An activation volume ``HxWxC`` (also ``32 x 32 x 10``, ``(32, 32, 10)``) or a size ``D``."""

    kind = "shape"
    hint = "shapes as HxWxC such as 32x32x10, one number for a vector"

    def parse(self, raw: str) -> tuple[int, ...] | Invalid:
        return _parse_dims(raw)

    def compare(self, value: tuple[int, ...], key: tuple[int, ...]) -> Score:
        if value == key:
            return Score(Fraction(1), "correct")
        if len(value) != len(key):
            return Score(
                Fraction(0), "wrong", f"expected {len(key)} dimension(s), got {len(value)}"
            )
        return Score(Fraction(0), "wrong", f"expected {self.format(key)}")

    def format(self, value: tuple[int, ...]) -> str:
        return "x".join(map(str, value))


class SpatialSize(AnswerType):
    """Height and width of a feature map: ``14`` for a square, ``14x10`` otherwise."""

    kind = "spatial_size"
    hint = "one number for a square size, else HxW such as 14x10"

    def parse(self, raw: str) -> tuple[int, int] | Invalid:
        dims = _parse_dims(raw)
        if isinstance(dims, Invalid):
            return dims
        if len(dims) == 1:
            return (dims[0], dims[0])
        if len(dims) == 2:
            return (dims[0], dims[1])
        return Invalid(f"expected one number or HxW, got {len(dims)} dimensions")

    def format(self, value: tuple[int, int]) -> str:
        return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


ANSWER_TYPES: dict[str, type[AnswerType]] = {cls.kind: cls for cls in (Integer, Shape, SpatialSize)}


def answer_type_from_json(data: dict[str, Any]) -> AnswerType:
    """Rebuild an answer type stored in a manifest."""
    cls = ANSWER_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise ValueError(f"unknown answer type {data.get('kind')!r}")
    options = {name: value for name, value in data.items() if name != "kind"}
    return cls(**options)
