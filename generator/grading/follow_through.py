"""Error carried forward in the network table: a row that is wrong only because the student's
previous row was wrong, but follows correctly from it, earns its points.

Follow-through needs the one layer applied to the student's own earlier volume, which no
key can hold in advance, so this rule applies it with the pure solver. Trivial earlier
answers (a copy of the input, a copy of the row above, a volume of 1) earn nothing: they
would let a student collect every later row by writing anything consistent.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from generator.answers.types import AnswerType, Invalid, Score, Shape, fc_volume_shape
from generator.families.common.layerspec import LayerSpecError, parse_layer
from generator.families.common.notation import from_layout, to_layout
from generator.formatting import shape_text
from solvers.network import LayerError, apply_layer


def _volume(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split("x"))


def follow_through(
    part: dict[str, Any],
    answer_type: AnswerType,
    value: Any,
    answers: dict[str, Any],
    parts: dict[str, dict[str, Any]],
) -> Score | None:
    """Full credit, with the reason, when the parsed answer ``value`` follows from the
    student's own earlier (wrong, non-trivial) volume; None when the rule does not apply."""
    rule = part["follows"]
    if "sum_of" in rule:
        return _adds_up(part, answer_type, value, answers, rule["sum_of"])
    earlier = _student_value(Shape(), answers.get(rule["from"]))
    if earlier is None or earlier == Shape().read(parts[rule["from"]]["key"]):
        return None  # blank, unreadable, or right: then this row has no excuse
    if _trivial(earlier, rule, answers, parts):
        return None
    layout = rule.get("notation", "HxWxC")  # the student writes volumes as the exam does
    try:
        row = apply_layer(
            from_layout(earlier, layout),
            parse_layer(rule["layer"]),
            rule["index"],
            rule["rounding"],
        )
    except (LayerError, LayerSpecError, ValueError):
        return None  # the student's volume cannot go through this layer
    shape = row.shape
    if len(shape) == 1 and rule.get("fc_outputs") == "1x1xN":
        shape = fc_volume_shape(shape[0], layout)
    expected: Any = shape_text(to_layout(shape, layout)) if rule["gives"] == "shape" else row.params
    if not answer_type.agrees(value, answer_type.read_key(expected)):
        return None
    return Score(
        Fraction(1),
        "correct",
        f"follows from your {rule['from']} ({shape_text(earlier)}): error carried forward",
    )


def _student_value(answer_type: AnswerType, raw: Any) -> Any:
    """The student's answer to another part, parsed, or None when blank or unreadable."""
    if raw is None or answer_type.json_problem(raw):
        return None
    value = answer_type.read(raw)
    return None if isinstance(value, Invalid) else value


def _adds_up(
    part: dict[str, Any],
    answer_type: AnswerType,
    value: Any,
    answers: dict[str, Any],
    rows: list[str],
) -> Score | None:
    """A total that correctly adds up the student's own row counts."""
    values = []
    for row in rows:
        parsed = _student_value(answer_type, answers.get(row))
        if parsed is None:
            return None  # a blank or unreadable row: nothing to add up
        values.append(parsed)
    total = sum(values)
    if total == answer_type.read(part["key"]) or not any(values):
        return None
    if not answer_type.agrees(value, total):
        return None
    return Score(Fraction(1), "correct", "adds up your rows' parameters: error carried forward")


def _trivial(
    earlier: tuple[int, ...],
    rule: dict[str, Any],
    answers: dict[str, Any],
    parts: dict[str, dict[str, Any]],
) -> bool:
    if earlier == _volume(rule["input"]) or all(d == 1 for d in earlier):
        return True
    before = parts[rule["from"]].get("follows")
    # a copy of the row above it
    return before is not None and _student_value(Shape(), answers.get(before["from"])) == earlier
