"""Moodle XML: every question of the exam as a question category holding one Moodle question
per distinct variant, so a quiz slot "random question from this category" draws one per student.

Each part becomes the Moodle type that grades it the way examgen does:

- a number: ``numerical``, with the tolerance max(atol, rtol·|key|) around the key;
- true/false: ``truefalse``; when the rubric takes points for a wrong answer (the midterm's
  −1), ``multichoice`` with True and False, the wrong one at the penalty, because Moodle's
  true/false type cannot score below zero;
- select every correct option: ``multichoice`` with several answers, each correct option at
  100/k and each wrong one at the rubric's penalty; Moodle then scores exactly the rubric
  when one or two options are correct;
- a shape or size: ``shortanswer`` listing the spellings examgen reads that a text match can
  list (``shape_spellings``), ``*`` escaped as Moodle's short answers require;
- a question of several parts, or a matrix: ``cloze``, one embedded answer per part (per
  entry for a matrix), weighted so each part counts as much as in examgen (``_cloze``).

Where Moodle cannot grade as examgen does, the question's name says so (docs/exports.md).

Formulas are written ``\\(...\\)`` for Moodle's MathJax filter.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from html import escape
from typing import Any

from generator.answers.types import answer_type_from_json, fc_volume_shape
from generator.formatting import short_number, typeset_minus
from generator.render.markup import to_inline_lms_html, to_lms_html
from generator.render.pages import render_question


def moodle_xml(manifest: dict[str, Any]) -> str:
    quiz = ET.Element("quiz")
    meta = {q["id"]: q for q in manifest["questions"]}
    for info in manifest["questions"]:
        _category(quiz, f"$course$/top/{manifest['title']}/{info['id']}. {info['title']}")
        seen: set[str] = set()
        for variant in manifest["variants"]:
            question = next(q for q in variant["questions"] if q["id"] == info["id"])
            element, notes = _question(meta[info["id"]], question)
            signature = ET.tostring(element, encoding="unicode")
            if signature not in seen:  # a variant may repeat a question: Moodle draws once
                seen.add(signature)
                # the name is what a teacher sees in the question bank: where Moodle cannot
                # grade as examgen does, it says so there
                name = " · ".join([f"{info['id']} · variant {len(seen)}", *notes])
                element.find("name/text").text = name
                quiz.append(element)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"


def _text(parent: ET.Element, tag: str, text: str, html: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = text
    return element


def _category(quiz: ET.Element, path: str) -> None:
    question = ET.SubElement(quiz, "question", {"type": "category"})
    _text(question, "category", path)


def number(value: float | int | Fraction) -> str:
    """A number as Moodle reads it: plain decimal, no exponent noise for integers."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return repr(float(value))


def tolerance_bound(answer_type: Any, key: float) -> float:
    """examgen's bound max(atol, rtol·|key|) around a number key; 0 for a whole number."""
    if answer_type.kind == "integer":
        return 0.0
    return max(float(answer_type.atol), float(answer_type.rtol) * abs(float(key)))


def tolerance(answer_type: Any, key: float) -> str:
    """examgen's bound as Moodle's absolute (nominal) tolerance."""
    if answer_type.kind == "integer":
        return "0"
    bound = tolerance_bound(answer_type, key)
    # a millionth wider, never narrower: examgen's bound is inclusive, Moodle compares floats
    wider = bound * (1 + 1e-6)
    text = f"{wider:.9g}"
    return text if float(text) >= wider else repr(wider)


# How examgen's shape reader separates dimensions (answers.types._parse_dims), as text a
# match can list: x, ×, * and commas, each bare, spaced on both sides or on one, the same
# between every two dimensions, and a space alone. X is x to both LMSs, which ignore case.
# Mixed separators or spacing (32x32, 64) are endless: the exports name them instead.
_SEPARATORS = (
    *(spaced for mark in "x×*," for spaced in (mark, f" {mark} ", f"{mark} ", f" {mark}")),
    " ",
)


def shape_spellings(answer_type: Any, key: str) -> list[str]:
    """The spellings of a shape or size that examgen accepts and a text match can list:
    each separator used alike between the dimensions, bare or in parentheses or brackets
    (16x16, 16 x 16, 16x 16, 16×16, 16*16, 16 16, (16, 16), [16,16]), the key as examgen
    shows it first."""
    dims = answer_type.read_key(key)
    if answer_type.kind == "spatial_size" and dims[0] == dims[1]:
        forms = [[dims[0]], [dims[0], dims[1]]]  # a square: 16 or 16x16
    else:
        forms = [list(dims)]
    if getattr(answer_type, "fc_volume", False) and len(dims) == 1:  # 10 as 1x1x10 too
        forms.append(list(fc_volume_shape(dims[0], answer_type.layout)))
    spellings = [str(key)]
    for form in forms:
        numbers = [str(d) for d in form]
        joined = [numbers[0]] if len(numbers) == 1 else [sep.join(numbers) for sep in _SEPARATORS]
        for text in joined:
            spellings += [text, f"({text})", f"[{text}]"]
    return list(dict.fromkeys(spellings))


def _question(info: dict[str, Any], question: dict[str, Any]) -> tuple[ET.Element, list[str]]:
    """The Moodle question, and notes on where Moodle grades it unlike examgen."""
    rendered = render_question(info["family"], question)
    notes: list[str] = []
    parts = question["parts"]
    types = [answer_type_from_json(part["type"]) for part in parts]
    text = rendered["question"]
    kinds = {t.kind for t in types}
    single = len(parts) == 1 and "matrix" not in kinds
    if single and types[0].kind == "multiselect":
        element = _multiselect(text, rendered["choice"], types[0], parts[0])
        notes += _multiselect_notes(types[0], parts[0])
    elif single and types[0].kind == "truefalse":
        element = _truefalse(text, types[0], parts[0])
    elif single and types[0].kind in ("integer", "real"):
        element = ET.Element("question", {"type": "numerical"})
        _text(element, "name", "")
        _text(element, "questiontext", to_lms_html(f"{text}\n\n{parts[0]['label']}"), True)
        answer = ET.SubElement(element, "answer", {"fraction": "100"})
        ET.SubElement(answer, "text").text = number(parts[0]["key"])
        ET.SubElement(answer, "tolerance").text = tolerance(types[0], parts[0]["key"])
    elif single and types[0].kind in ("shape", "spatial_size", "expression"):
        element = ET.Element("question", {"type": "shortanswer"})
        _text(element, "name", "")
        _text(element, "questiontext", to_lms_html(f"{text}\n\n{parts[0]['label']}"), True)
        ET.SubElement(element, "usecase").text = "0"
        for spelling in key_spellings(types[0], parts[0]["key"]):
            answer = ET.SubElement(element, "answer", {"fraction": "100", "format": "plain_text"})
            ET.SubElement(answer, "text").text = wildcard_escape(spelling)
    else:
        element, worth = _cloze(text, parts, types, info["points"])
        if worth != _points(info["points"]):
            notes.append(
                f"worth {number(worth)} in Moodle: set its quiz mark to {number(info['points'])}"
            )
        notes += [
            n
            for t, p in zip(types, parts, strict=True)
            if t.kind == "multiselect"
            for n in _multiselect_notes(t, p)
        ]
    notes += spelling_notes(types)
    if any("follows" in part for part in parts):
        notes.append("error carried forward is examgen's alone")
    _text(element, "generalfeedback", to_lms_html(rendered["solution"]), True)
    ET.SubElement(element, "defaultgrade").text = number(info["points"])
    ET.SubElement(element, "penalty").text = "0"
    ET.SubElement(element, "hidden").text = "0"
    return element, notes


def _points(points: float | int) -> Fraction:
    return Fraction(str(points))


def _multiselect_notes(answer_type: Any, part: dict[str, Any]) -> list[str]:
    """Moodle adds the fractions of the options ticked: with 1/k per correct option and the
    rubric's deduction per wrong one, that is examgen's rubric (1 − e per error, floor 0)
    exactly when the rubric's zero lies at k errors, 1/e = k; with one right option, when a
    wrong tick without the right one costs all (e >= 1/2), as Moodle clamps at 0."""
    correct = len(set(part["key"]))
    per_error = Fraction(answer_type.per_error).limit_denominator(10**6)
    floor = Fraction(answer_type.floor).limit_denominator(10**6)
    if floor == 0 and (per_error * correct == 1 or (correct == 1 and per_error * 2 >= 1)):
        return []
    return [f"partial credit differs from examgen's ({correct} correct options)"]


# Where Moodle and Canvas read fewer spellings than examgen, a question's name or title says
# so with these words (docs/exports.md, "Spellings"): numbers only as a plain decimal (not
# 449 + 1, 23/10 or 1,5); shapes only as listed (shape_spellings); an expression only as
# the key's text, not as an equivalent one.
NUMBERS_NOTE = "numbers: plain decimals only"
SHAPES_NOTE = "shapes: the listed spellings only"
EXPRESSIONS_NOTE = "expressions: the key's text only"


def spelling_notes(types: list[Any], numbers: bool = True) -> list[str]:
    """The notes naming the spellings examgen reads and an LMS does not, for these parts;
    ``numbers`` False where another note already says numbers are matched as text."""
    kinds = {t.kind for t in types}
    notes = []
    if numbers and kinds & {"integer", "real", "matrix"}:
        notes.append(NUMBERS_NOTE)
    if kinds & {"shape", "spatial_size"}:
        notes.append(SHAPES_NOTE)
    if "expression" in kinds:
        notes.append(EXPRESSIONS_NOTE)
    return notes


def key_spellings(answer_type: Any, key: Any) -> list[str]:
    """The ways of writing a key that a text match should accept, the key as examgen shows
    it first: what shortanswer boxes, cloze and Canvas blanks compare against."""
    kind = answer_type.kind
    if kind == "expression":
        return list(dict.fromkeys([str(key), str(key).replace(" ", "")]))
    if kind in ("integer", "real"):
        return [short_number(key)]
    if kind == "truefalse":
        return ["true" if key else "false"]
    if kind == "multiselect":
        return ["".join(sorted(key))]
    return shape_spellings(answer_type, key)


def _percent(value: Fraction) -> str:
    """A grade fraction as Moodle's percentage, to the five decimals its grade list uses."""
    text = f"{float(value) * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _truefalse(text: str, answer_type: Any, part: dict[str, Any]) -> ET.Element:
    penalty = Fraction(answer_type.wrong).limit_denominator(10**6)
    key = bool(part["key"])
    if penalty == 0:
        element = ET.Element("question", {"type": "truefalse"})
        _text(element, "name", "")
        _text(element, "questiontext", to_lms_html(text), True)
        for value in (True, False):
            answer = ET.SubElement(element, "answer", {"fraction": "100" if value == key else "0"})
            ET.SubElement(answer, "text").text = "true" if value else "false"
        return element
    element = ET.Element("question", {"type": "multichoice"})
    _text(element, "name", "")
    _text(element, "questiontext", to_lms_html(text), True)
    ET.SubElement(element, "single").text = "true"
    ET.SubElement(element, "shuffleanswers").text = "0"
    ET.SubElement(element, "answernumbering").text = "none"
    for value in (True, False):
        fraction = "100" if value == key else _percent(penalty)
        answer = ET.SubElement(element, "answer", {"fraction": fraction, "format": "html"})
        ET.SubElement(answer, "text").text = "True" if value else "False"
    return element


def _multiselect(
    text: str, choice: dict[str, Any] | None, answer_type: Any, part: dict[str, Any]
) -> ET.Element:
    letters = "ABCDEFGHIJ"[: answer_type.options]
    options = choice["options"] if choice else list(letters)
    key = set(part["key"])
    per_error = Fraction(answer_type.per_error).limit_denominator(10**6)
    element = ET.Element("question", {"type": "multichoice"})
    _text(element, "name", "")
    label = "\n\nSelect every correct option." if choice else ""
    _text(element, "questiontext", to_lms_html(text + label), True)
    ET.SubElement(element, "single").text = "false"
    ET.SubElement(element, "shuffleanswers").text = "0"
    ET.SubElement(element, "answernumbering").text = "ABCD"
    for letter, option in zip(letters, options, strict=True):
        fraction = Fraction(1, len(key)) if letter in key else -per_error
        answer = ET.SubElement(
            element, "answer", {"fraction": _percent(max(fraction, Fraction(-1))), "format": "html"}
        )
        ET.SubElement(answer, "text").text = to_inline_lms_html(typeset_minus(option))
    return element


def wildcard_escape(text: str) -> str:
    """A short answer as Moodle matches it literally: its short answers read ``*`` as a
    wildcard unless written ``\\*`` (qtype_shortanswer_question::compare_string_with_wildcard)."""
    return text.replace("*", "\\*")


# Moodle's cloze parser (question/type/multianswer/questiontype.php,
# qtype_multianswer_extract_question) ends an answer at ~, # or } unless \ or & comes just
# before, then html_entity_decode()s it and unescapes \} and \# alone: a backslash before
# any other character stays in the answer. So } and # take a backslash, and ~, \ and the
# characters HTML reserves are written as entities, which the decoding turns back.
_CLOZE_SPECIAL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "~": "&#126;", "\\": "&#92;", "}": "\\}", "#": "\\#"}
)


def cloze_escape(text: str) -> str:
    """Text inside a cloze answer, written so that Moodle stores exactly ``text``."""
    return text.translate(_CLOZE_SPECIAL)


def _cloze(
    text: str, parts: list[dict[str, Any]], types: list[Any], points: float | int
) -> tuple[ET.Element, Fraction]:
    """One embedded answer per part, per entry of a matrix: an entry of an n-entry matrix
    weighs 1/n of its part, as examgen's partial credit for matrices does. Moodle takes a
    cloze question's mark from the sum of its boxes' whole-number weights, ignoring
    <defaultgrade>, so the weights sum to the question's points where whole numbers can
    keep the ratios, else to the smallest multiple of them that can; returns the question
    and that sum."""
    sizes = [_entries(t, p["key"]) for t, p in zip(types, parts, strict=True)]
    shares = [Fraction(1, len(parts) * (len(s) if s is not None else 1)) for s in sizes]
    total = _points(points)
    scale = math.lcm(*[(share * total).denominator for share in shares])
    lines = []
    for part, answer_type, entries, share in zip(parts, types, sizes, shares, strict=True):
        weight = int(share * total * scale)
        label = f"<code>{escape(part['id'])}</code>: {to_inline_lms_html(part['label'])} "
        if entries is not None:
            rows = _matrix_rows(answer_type, part["key"])
            boxes = "<br>".join(
                " ".join(_numerical(weight, value, answer_type) for value in row) for row in rows
            )
            lines.append(f"<p>{label}<br>{boxes}</p>")
        else:
            lines.append(f"<p>{label}{_embedded(weight, answer_type, part['key'])}</p>")
    element = ET.Element("question", {"type": "cloze"})
    _text(element, "name", "")
    _text(element, "questiontext", to_lms_html(text) + "\n" + "\n".join(lines), True)
    return element, total * scale


def _entries(answer_type: Any, key: Any) -> list[Any] | None:
    if answer_type.kind != "matrix":
        return None
    return [value for row in _matrix_rows(answer_type, key) for value in row]


def _matrix_rows(answer_type: Any, key: Any) -> list[list[Any]]:
    return [key] if answer_type.rows is None else key


def _numerical(weight: int, value: Any, answer_type: Any) -> str:
    return f"{{{weight}:NUMERICAL:={number(value)}:{tolerance(answer_type, value)}}}"


def _embedded(weight: int, answer_type: Any, key: Any) -> str:
    kind = answer_type.kind
    if kind in ("integer", "real"):
        return _numerical(weight, key, answer_type)
    if kind == "truefalse":
        right, wrong = ("True", "False") if key else ("False", "True")
        return f"{{{weight}:MULTICHOICE:={right}~{wrong}}}"
    if kind == "multiselect":
        letters = "ABCDEFGHIJ"[: answer_type.options]
        per_error = Fraction(answer_type.per_error).limit_denominator(10**6)
        options = "~".join(
            f"%{_percent(Fraction(1, len(key)) if letter in key else -per_error)}%{letter}"
            for letter in letters
        )
        return f"{{{weight}:MULTIRESPONSE:{options}}}"
    spellings = "~".join(
        f"={cloze_escape(wildcard_escape(s))}" for s in key_spellings(answer_type, key)
    )
    return f"{{{weight}:SHORTANSWER:{spellings}}}"
