"""A question file's texts: Markdown with TeX and ``{{ formula }}`` slots, filled in with an
instance's values as the built-in families write them.

Slots hold formulas (``generator.question_files.formulas``), never template code: a text
from another course can do no more than show numbers. ``{{ X | tex }}`` writes a matrix as
TeX for a formula (``\\begin{bmatrix}``); without ``| tex`` a value is written as sheets
write keys: ``0.25``, ``[1, -2]``, ``[1, 2; 3, 4]``, ``true``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator.formatting import matrix_text, short_number, tex_matrix, vector_text
from generator.markdown_subset import active_markup
from generator.question_files.formulas import FormulaError, evaluate, parse
from generator.tex_subset import refused_text

_SLOT = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FILTERS = ("tex",)
MAX_SLOTS = 200


@dataclass(frozen=True)
class Text:
    """A text as written, with each slot's formula parsed: (tree, filter) in order."""

    source: str
    slots: tuple[tuple[tuple[Any, ...], str], ...]


def read_text(text: str, names: set[str]) -> Text:
    """Parse every slot of ``text`` over ``names``; FormulaError names the slot."""
    slots = []
    found = _SLOT.findall(text)
    if len(found) > MAX_SLOTS:
        raise FormulaError(f"more than {MAX_SLOTS} {{{{ }}}} slots")
    for inside in found:
        formula, _, name = inside.partition("|")
        name = name.strip()
        if name and name not in _FILTERS:
            raise FormulaError(
                f"{{{{{inside.strip()}}}}}: unknown filter '{name[:20]}' (known: tex)"
            )
        try:
            slots.append((parse(formula.strip(), names), name))
        except FormulaError as error:
            raise FormulaError(f"{{{{ {formula.strip()[:40]} }}}}: {error}") from None
    if "{{" in _SLOT.sub("", text) or "}}" in _SLOT.sub("", text):
        raise FormulaError("a {{ is never closed, or a }} never opened")
    return Text(text, tuple(slots))


def placeholder(text: Text) -> str:
    """The text with every slot as 0, to check its TeX before any instance exists."""
    return _SLOT.sub("0", text.source)


def fill(text: Text, values: dict[str, Any], words: list[str] | None = None) -> str:
    """The text with each slot replaced by its value, formatted; each slot's value that is
    text (a word drawn from a list, a string in the formula) is added to ``words``."""
    slots = iter(text.slots)

    def replace(_: re.Match[str]) -> str:
        tree, name = next(slots)
        value = evaluate(tree, values)
        if isinstance(value, str) and words is not None:
            words.append(value)
        return shown(value, name == "tex")

    return _SLOT.sub(replace, text.source)


def shown(value: Any, tex: bool = False) -> str:
    """A value as a sheet writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return tex_matrix(value) if tex else matrix_text(value)
        return vector_text(value)
    if isinstance(value, Fraction) and value.denominator != 1:
        return short_number(float(value))
    return short_number(value)


# NUL marks the slots of feedback frames, ESC starts a terminal sequence: no text holds one
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(text: str) -> str | None:
    """Why a question file's text may not reach a sheet: a control character, markup beyond
    text and formulas (raw HTML, a link, an image), or TeX LaTeX is never given; None when
    it may."""
    if CONTROL.search(text):
        return "holds a control character"
    if (markup := active_markup(text)) is not None:
        return f"{markup}: texts are Markdown text and formulas only"
    return refused_text(text)
