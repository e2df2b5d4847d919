"""How Moodle and Canvas grade the questions examgen exports, written from their documentation
and source, so tests can replay a student's answer in each LMS and compare with examgen.

Moodle (question/format/xml/format.php, question/type/multianswer/questiontype.php): a cloze
question's mark is the sum of its boxes' whole-number weights (``{w:TYPE:...}``, 1 when left
out) and ignores <defaultgrade>; its fraction is the weighted mean of its boxes'. A numerical
answer is right within its absolute tolerance; a short answer matches an answer's text
ignoring case (usecase 0), ``*`` a wildcard; a multiple-answer choice adds the fractions of
the options ticked, clamped to [0, 1].

Canvas (QTIMigrationTool, quiz_question_builder): a fill-in-multiple-blanks item weighs every
blank alike and matches a blank's text against its accepted answers (case and surrounding
spaces ignored); a blank's name keeps letters, digits, _ and - and the rest becomes _, so a
[marker] in the text shows a box only when it is the rewritten name. A numerical item is
right inside its range; a multiple-answers item scores (right ticks - wrong ticks) / k for
k correct options, floor 0; true/false never goes below 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"

# ---- Moodle -------------------------------------------------------------------------------

_CLOZE_BOX = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}")


def _moodle_number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _wildcard(pattern: str, text: str) -> bool:
    bits = [re.escape(bit) for bit in re.split(r"(?<!\\)\*+", pattern)]
    regex = ".*".join(bits).replace(re.escape("\\*"), r"\*")
    return re.fullmatch(regex, text.strip(), re.IGNORECASE | re.DOTALL) is not None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _alternatives(body: str) -> list[tuple[Fraction, str]]:
    out = []
    for alternative in re.split(r"(?<!\\)~", body):
        if alternative.startswith("="):
            out.append((Fraction(1), alternative[1:]))
        elif match := re.match(r"%(-?[\d.]+)%(.*)", alternative, re.S):
            out.append((Fraction(match[1]) / 100, match[2]))
        else:
            out.append((Fraction(0), alternative))
    return out


def cloze_boxes(question: ET.Element) -> list[tuple[int, str, list[tuple[Fraction, str]]]]:
    """(weight, type, alternatives) of each box of a Moodle cloze question."""
    text = question.findtext("questiontext/text")
    return [
        (int(weight) if weight else 1, kind, _alternatives(body))
        for weight, kind, body in _CLOZE_BOX.findall(text)
    ]


def _box_fraction(kind: str, alternatives: list[tuple[Fraction, str]], answer: object) -> Fraction:
    if kind in ("NUMERICAL", "NM"):
        value = _moodle_number(str(answer))
        for fraction, alternative in alternatives:
            key, _, tolerance = alternative.partition(":")
            if value is not None and abs(value - float(key)) <= float(tolerance or 0):
                return fraction
        return Fraction(0)
    if kind in ("SHORTANSWER", "SA", "MW"):
        for fraction, alternative in alternatives:
            if _wildcard(_unescape(alternative.split("#")[0]), str(answer)):
                return fraction
        return Fraction(0)
    if kind in ("MULTIRESPONSE", "MR"):
        ticked = set(str(answer))
        total = sum((f for f, option in alternatives if option in ticked), Fraction(0))
        return min(max(total, Fraction(0)), Fraction(1))
    for fraction, option in alternatives:  # MULTICHOICE: one option
        if option == str(answer):
            return fraction
    return Fraction(0)


def moodle_mark(question: ET.Element) -> Fraction:
    """What the question is worth in a quiz that adds it as Moodle imported it."""
    if question.get("type") == "cloze":
        return Fraction(sum(weight for weight, _, _ in cloze_boxes(question)))
    return Fraction(question.findtext("defaultgrade"))


def moodle_fraction(question: ET.Element, answers: list[object]) -> Fraction:
    """The fraction of its mark Moodle gives ``answers``: one per box of a cloze question
    (entries of a matrix in reading order), else one."""
    kind = question.get("type")
    if kind == "cloze":
        boxes = cloze_boxes(question)
        assert len(boxes) == len(answers)
        earned = sum(
            (w * _box_fraction(k, alts, a) for (w, k, alts), a in zip(boxes, answers, strict=True)),
            Fraction(0),
        )
        return earned / sum(w for w, _, _ in boxes)
    (answer,) = answers
    options = question.findall("answer")
    if kind == "numerical":
        value = _moodle_number(str(answer))
        for option in options:
            key, tolerance = float(option.findtext("text")), float(option.findtext("tolerance"))
            if value is not None and abs(value - key) <= tolerance:
                return Fraction(option.get("fraction")) / 100
        return Fraction(0)
    if kind == "shortanswer":
        for option in options:
            if _wildcard(option.findtext("text"), str(answer)):
                return Fraction(option.get("fraction")) / 100
        return Fraction(0)
    if kind == "truefalse":
        for option in options:
            if option.findtext("text") == str(answer).lower():
                return Fraction(option.get("fraction")) / 100
        return Fraction(0)
    # multichoice: the letters ticked, A for the first option
    ticked = {ord(letter) - ord("A") for letter in str(answer)}
    total = sum(
        (Fraction(o.get("fraction")) / 100 for n, o in enumerate(options) if n in ticked),
        Fraction(0),
    )
    if question.findtext("single") == "true":
        return total  # one option; Moodle lets a wrong one be negative
    return min(max(total, Fraction(0)), Fraction(1))


# ---- Canvas -------------------------------------------------------------------------------


def canvas_type(item: ET.Element) -> str:
    for field in item.iter(f"{QTI}qtimetadatafield"):
        if field.findtext(f"{QTI}fieldlabel") == "question_type":
            return field.findtext(f"{QTI}fieldentry")
    raise AssertionError("no question_type")


def canvas_blanks(item: ET.Element) -> list[tuple[str, list[str]]]:
    """(Canvas's name, accepted texts) of each blank of a fill-in-multiple-blanks item."""
    blanks = []
    for response in item.iter(f"{QTI}response_lid"):
        name = response.get("ident").removeprefix("response_")
        accepted = [
            label.findtext(f"{QTI}material/{QTI}mattext")
            for label in response.iter(f"{QTI}response_label")
        ]
        blanks.append((re.sub(r"[^A-Za-z0-9_-]", "_", name), accepted))
    return blanks


def canvas_text(item: ET.Element) -> str:
    return item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text


def canvas_fraction(item: ET.Element, answers: list[object]) -> Fraction:
    """The fraction of its points Canvas gives ``answers`` (one per blank, else one)."""
    kind = canvas_type(item)
    if kind == "fill_in_multiple_blanks_question":
        blanks = canvas_blanks(item)
        text = canvas_text(item)
        right = sum(
            1
            for (name, accepted), answer in zip(blanks, answers, strict=True)
            if f"[{name}]" in text  # a blank whose marker was rewritten away has no box
            and str(answer).strip().lower() in {a.strip().lower() for a in accepted}
        )
        return Fraction(right, len(blanks))
    (answer,) = answers
    first = item.find(f"{QTI}resprocessing/{QTI}respcondition/{QTI}conditionvar")
    if kind == "numerical_question":
        try:
            value = float(str(answer))
        except ValueError:
            return Fraction(0)
        low = float(first.find(f"{QTI}or/{QTI}and/{QTI}vargte").text)
        high = float(first.find(f"{QTI}or/{QTI}and/{QTI}varlte").text)
        return Fraction(int(low <= value <= high))
    if kind == "short_answer_question":
        accepted = {v.text.strip().lower() for v in first.findall(f"{QTI}varequal")}
        return Fraction(int(str(answer).strip().lower() in accepted))
    labels = [
        label.get("ident")
        for label in item.find(f"{QTI}presentation/{QTI}response_lid").iter(f"{QTI}response_label")
    ]
    if kind == "true_false_question":
        right = first.find(f"{QTI}varequal").text
        return Fraction(int(labels[0 if answer else 1] == right))
    # multiple answers: letters ticked
    keyed = {v.text for v in first.find(f"{QTI}and").findall(f"{QTI}varequal")}
    ticked = {labels[ord(letter) - ord("A")] for letter in str(answer)}
    score = Fraction(len(ticked & keyed) - len(ticked - keyed), len(keyed))
    return max(score, Fraction(0))
