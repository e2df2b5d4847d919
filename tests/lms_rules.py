"""How Moodle and Canvas grade the questions examgen exports, ported from their source, so
tests can replay a student's answer in each LMS and compare with examgen. Each Moodle rule
names the file and function of Moodle 5.1 it follows (paths under public/); the ports were
checked against Moodle 5.1's own question engine (docs/exports.md, "How this was checked").

Moodle: a cloze question's mark is the sum of its boxes' whole-number weights (``{w:TYPE:...}``,
1 when left out) and ignores <defaultgrade>; its fraction is the weighted mean of its boxes'.
A numerical answer reads the number a response starts with and is right within its absolute
tolerance; a short answer matches an answer's text ignoring case (usecase 0), ``*`` a
wildcard unless written ``\\*``; a multiple-answer choice adds the fractions of the options
ticked, clamped to [0, 1].

Canvas (QTIMigrationTool, and canvas-lms app/models/quizzes/quiz_question): a
fill-in-multiple-blanks item weighs every blank alike and matches a blank's text against its
accepted answers (case and surrounding spaces ignored); a blank's name keeps letters, digits,
_ and - and the rest becomes _, so a [marker] in the text shows a box only when it is the
rewritten name. A numerical item is right inside its range; a multiple-answers item scores
(right ticks - wrong ticks) / k for k correct options, floor 0; true/false never goes below 0.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from fractions import Fraction

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"

# ---- Moodle -------------------------------------------------------------------------------

_PHP_TRIM = " \t\n\r\0\x0b"


def moodle_number(response: str) -> float | None:
    """The value Moodle's numerical grading reads from a response, or None: the number it
    starts with, after dropping every space and, with English's separators, every comma
    (question/type/numerical/questiontype.php, qtype_numerical_answer_processor::apply_units;
    qtype_numerical_question::grade_response ignores the text after it when no units are set).
    """
    if response.strip(_PHP_TRIM) == "":
        return None
    text = response.replace(" ", "")
    text = re.sub(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)", r"e\1", text)
    # if a . is present or there are several commas they are thousands separators; else
    # the thousands separator (',' in English) goes first, so 1,5 reads 15
    text = text.replace(",", "")
    match = re.match(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?", text)
    return float(match[0]) if match else None


def moodle_within(value: float, answer: float, tolerance: float) -> bool:
    """qtype_numerical_answer::within_tolerance for a nominal (absolute) tolerance, with its
    epsilon of 10^-14 (PHP's precision)."""
    epsilon = 1e-14
    bound = tolerance + epsilon * max(abs(tolerance), abs(answer), epsilon)
    return answer - bound <= value <= answer + bound


def moodle_wildcard_match(response: str, pattern: str, ignorecase: bool = True) -> bool:
    """question/type/shortanswer/question.php,
    qtype_shortanswer_question::compare_string_with_wildcard: runs of * not after a
    backslash match anything, \\* is a literal *, every other character is itself."""
    pattern = unicodedata.normalize("NFC", pattern)
    response = unicodedata.normalize("NFC", response)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    flags = re.IGNORECASE if ignorecase else 0
    return re.fullmatch(regex, response.strip(_PHP_TRIM), flags) is not None


# question/type/multianswer/questiontype.php: the ANSWER_* regexes, as PHP writes them (a
# lookbehind of several widths becomes three lookbehinds here).
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_TYPES = (
    "(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
    "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
    "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
    "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)"
)
_BOX = re.compile(
    r"\{([0-9]*):(" + _TYPES + "):(" + _ALTERNATIVE + "(~" + _ALTERNATIVE + r")*)\}", re.S
)
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.S)
_KINDS = {3: "NUMERICAL", 7: "SHORTANSWER", 8: "SHORTANSWER_C", 12: "MULTIRESPONSE"}


def cloze_boxes(question: ET.Element) -> list[tuple[int, str, list[tuple[Fraction, str]]]]:
    """(weight, type, alternatives) of each box of a Moodle cloze question, each alternative
    (fraction, the answer as Moodle stores it; for NUMERICAL "answer:tolerance"), as
    qtype_multianswer_extract_question reads them: the first box left, again and again."""
    text = question.findtext("questiontext/text")
    boxes = []
    while match := _BOX.search(text):
        kind = next((name for group, name in _KINDS.items() if match[group]), "MULTICHOICE")
        kind = "SHORTANSWER" if kind == "SHORTANSWER_C" else kind
        alternatives, remaining = [], match[16]
        while alt := re.search("~?" + _ALTERNATIVE, remaining, re.S):
            if alt[1] == "=":
                fraction = Fraction(1)
            elif alt[2]:
                fraction = Fraction(alt[2].replace(",", ".")) / 100
            else:
                fraction = Fraction(0)
            answer = alt[3]
            if kind == "NUMERICAL" and (number := _NUMERICAL.match(answer)):
                answer = f"{number[1]}:{number[6] or 0}"
            elif kind == "NUMERICAL":
                raise AssertionError(f"Moodle refuses the import: {answer!r} is no number")
            else:
                answer = html.unescape(answer).replace("\\}", "}").replace("\\#", "#")
            alternatives.append((fraction, answer))
            remaining = remaining.split(alt[0], 1)[1]
        if kind == "MULTIRESPONSE":  # the right options' fractions are made to sum to 1
            total = sum((f for f, _ in alternatives if f > 0), Fraction(0))
            alternatives = [(f / total if f > 0 else f, a) for f, a in alternatives]
        boxes.append((int(match[1]) if match[1] else 1, kind, alternatives))
        text = text.replace(match[0], "{#}", 1)
    return boxes


def _box_fraction(kind: str, alternatives: list[tuple[Fraction, str]], answer: object) -> Fraction:
    if kind == "NUMERICAL":
        value = moodle_number(str(answer))
        for fraction, alternative in alternatives:
            key, _, tolerance = alternative.partition(":")
            if value is not None and moodle_within(value, float(key), float(tolerance or 0)):
                return fraction
        return Fraction(0)
    if kind == "SHORTANSWER":
        for fraction, alternative in alternatives:
            if moodle_wildcard_match(str(answer), alternative):
                return fraction
        return Fraction(0)
    if kind == "MULTIRESPONSE":
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
        value = moodle_number(str(answer))
        for option in options:
            key, tolerance = float(option.findtext("text")), float(option.findtext("tolerance"))
            if value is not None and moodle_within(value, key, tolerance):
                return Fraction(option.get("fraction")) / 100
        return Fraction(0)
    if kind == "shortanswer":  # qformat_xml::import_answer trims each answer's text
        for option in options:
            if moodle_wildcard_match(str(answer), option.findtext("text").strip(_PHP_TRIM)):
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
