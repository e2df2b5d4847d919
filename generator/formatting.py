"""How numbers, vectors and matrices are written in questions, worked steps and feedback."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: 1 variant, 3 variants, 2 zeros."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


_SPOKEN_WITH_A_VOWEL = re.compile(r"(?:8|11|18)(?!\d)|8\d{1,2}(?!\d)")


def with_article(text: Any) -> str:
    """``text`` after "a" or "an" as it is read aloud: an 8x8x8 volume, an 11x11 kernel, an
    18, a 32x32x3 volume, a 110. A number reads from its leading group of up to three digits
    (11,000 is "eleven thousand")."""
    text = str(text)
    digits = re.match(r"\d+", text)
    if digits:
        lead = digits[0][: (len(digits[0]) - 1) % 3 + 1]
        vowel = bool(_SPOKEN_WITH_A_VOWEL.fullmatch(lead))
    else:
        vowel = text[:1].lower() in "aeio"
    return f"{'an' if vowel else 'a'} {text}"


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


# What Markdown would read as markup in a student's text: HTML, the punctuation of emphasis
# and code, and the "](" that makes a bracket a link or an image (CommonMark lets a
# backslash escape any of them). Brackets alone stay, as matrices are written with them.
_MARKUP = re.compile(r"[\\`*_~]|\](?=\()")
_ESCAPED = re.compile(r"[\\`*_~<>&]|\]\(")


def student_cell(text: str) -> str:
    """A student's text as a Markdown table cell that shows it as written: raw HTML and
    Markdown markup escaped, as the HTML pages escape it."""
    if _ESCAPED.search(text) is None:  # most answers: numbers, shapes and matrices
        return cell(text)
    return cell(_MARKUP.sub(lambda m: "\\" + m[0], html.escape(text, quote=False)))


# Below this a float is the rounding error of arithmetic on the exam's small numbers, never a
# value a question asks for (the smallest are gradient-check errors, around 1e-8).
ROUNDING_NOISE = 1e-12


def short_number(value: float | int | Fraction) -> str:
    """A number to six significant digits, as keys are shown on sheets and in feedback."""
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1):
        return str(int(value))
    number = float(value)
    if abs(number) < ROUNDING_NOISE:  # 0.1 + 0.2 − 0.3: a person writes 0
        return "0"
    text = f"{number:.6g}"
    return "0" if text == "-0" else text


def vector_text(values: Iterable[Any]) -> str:
    """[1, -0.5, 2]"""
    return "[" + ", ".join(short_number(v) for v in values) + "]"


def matrix_text(rows: Iterable[Iterable[Any]]) -> str:
    """[1, 2; 3, 4], a row between semicolons, as students may write it."""
    return "[" + "; ".join(", ".join(short_number(v) for v in row) for row in rows) + "]"


# A hyphen that starts a number, outside any $formula$: a word's hyphen (cross-entropy,
# CONV5-10) follows a letter or digit and stays.
_SIGN = re.compile(r"(?<![\w.])-(?=\.?\d)")


def typeset_minus(text: str) -> str:
    """``text`` with each negative number's hyphen set as a minus sign (U+2212), as the
    formulas beside it set theirs: for options a student reads and ticks, never types."""
    pieces = text.split("$")
    pieces[::2] = [_SIGN.sub("\u2212", piece) for piece in pieces[::2]]
    return "$".join(pieces)


def tex_matrix(rows: Iterable[Iterable[Any]]) -> str:
    """A matrix as TeX, for a formula: a ``bmatrix``, rows between ``\\\\``, that HTML
    typesets with KaTeX, LaTeX as itself and the terminal as ``[1, 2; 3, 4]``. A matrix of
    one row is written as a vector."""
    listed = [list(row) for row in rows]
    if len(listed) == 1:
        return vector_text(listed[0])
    body = r" \\ ".join(" & ".join(short_number(v) for v in row) for row in listed)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def shape_text(shape: Iterable[int]) -> str:
    """32x32x10: a shape as the course writes it."""
    return "x".join(map(str, shape))


@lru_cache(maxsize=4096)  # a class's reports and feedback show a few dozen amounts
def format_points(value: float | Fraction) -> str:
    """Points without noise: 4, 2.5, 3.33."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@lru_cache(maxsize=1024)  # likewise: a class's pages show a few dozen scores
def format_score(points: float | Fraction, most: float | Fraction) -> str:
    """Points out of the most there are: 2.5 / 4."""
    return f"{format_points(points)} / {format_points(most)}"


def known_mistake(diagnosis: str) -> str:
    """How feedback names the known mistake a wrong answer comes from. A diagnosis is a
    phrase ("forgetting the bias", "one μ per example, as layer norm computes"), so it
    follows a label and is never fitted into a sentence around it."""
    return f"known mistake: {diagnosis}"
