"""Phrases of worked solutions that several families share, so they read the same everywhere."""

from __future__ import annotations

from generator.formatting import short_number
from solvers.conv import SizeWorking


def size_step(working: SizeWorking, what: str = "") -> str:
    """``(32 + 2·2 − 5)/1 + 1 = 32`` with any rounding said in words."""
    label = f"{what}: " if what else ""
    if working.note:
        value = working.exact
        exact = f"{value.numerator}/{value.denominator}"
        return f"{label}{working.formula} = {exact}, {working.note}"
    return f"{label}{working.formula} = {working.output}"


def pair_steps(height: SizeWorking, width: SizeWorking) -> list[str]:
    """One line when height and width are computed alike, else one line each."""
    if height.formula == width.formula:
        return [size_step(height, "height = width")]
    return [size_step(height, "height"), size_step(width, "width")]


def product_text(*factors: int) -> str:
    """The course's way of writing a count as a product: ``10x1x5x5``."""
    return "x".join(str(f) for f in factors)


def term(value: float | int) -> str:
    """A number as an operand: negatives in parentheses, so "2.2 − (−3.1)" reads right."""
    text = short_number(value)
    return f"({text})" if text.startswith("-") else text
