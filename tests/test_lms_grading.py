"""Moodle and Canvas grade examgen's exports as examgen does, replayed under each LMS's own
rules (``lms_rules``): hundreds of right, wrong, edge and blank answers, and the spellings
examgen accepts. Where an LMS cannot grade as examgen does, the exported question's name
(Moodle) or title (Canvas) says so, and the README's table lists it."""

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import pytest
from click.testing import CliRunner
from lms_rules import (
    QTI,
    canvas_blanks,
    canvas_fraction,
    canvas_text,
    canvas_type,
    cloze_boxes,
    moodle_fraction,
    moodle_mark,
)

from generator import registry
from generator.answers.types import answer_type_from_json
from generator.cli import main
from generator.formatting import short_number
from generator.grading.scoring import score_part


def every_family_spec() -> str:
    questions = "".join(
        f'\n[[questions]]\nfamily = "{name}"\npoints = {2 + n % 5}\n'
        for n, name in enumerate(registry.names())
    )
    return 'title = "Every family"\n' + questions


@pytest.fixture(scope="module", params=["default", "every"])
def exported(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    spec = "default"
    if request.param == "every":
        spec = str(out / "every.toml")
        (out / "every.toml").write_text(every_family_spec())
    result = CliRunner().invoke(
        main, ["generate", spec, "-n", "3", "--seed", "lms", "--out", str(out / "x"),
               "--format", "moodle,qti"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (exam,) = (out / "x").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    moodle = [
        q
        for q in ET.parse(exam / "instructor" / "moodle.xml").getroot()
        if q.get("type") != "category"
    ]
    with zipfile.ZipFile(exam / "instructor" / "canvas-qti.zip") as archive:
        (name,) = [n for n in archive.namelist() if n != "imsmanifest.xml"]
        assessment = ET.fromstring(archive.read(name))
    items = list(assessment.iter(f"{QTI}item"))
    return key, moodle, items


def variants_of(key, moodle, items):
    """Each variant's question with the Moodle question and the Canvas item exported for it,
    found by their question texts (the exports list each distinct variant once)."""
    from generator.exports.moodle import _question
    from generator.exports.qti import _item

    meta = {info["id"]: info for info in key["questions"]}
    by_text = {(q.findtext("questiontext/text"), q.get("type")): q for q in moodle}
    by_item = {canvas_text(i): i for i in items}
    for variant in key["variants"]:
        for question in variant["questions"]:
            info = meta[question["id"]]
            element = _question(info, question)[0]
            item = by_item[_item(info, question)[0].find("presentation/material/mattext").text]
            mq = by_text[(element.findtext("questiontext/text"), element.get("type"))]
            yield info, question, mq, item


def number_text(value) -> str:
    return short_number(value) if isinstance(value, float) else str(value)


def answer_sets(question):
    """Answers to replay: the key, and per part a mistake, an in- and an out-of-tolerance
    number, another spelling of a shape, a blank, other option letters."""
    parts = question["parts"]
    keys = {p["id"]: p["key"] for p in parts}
    yield dict(keys)
    for part in parts:
        kind = part["type"]["kind"]
        alternatives = [*[m["value"] for m in part.get("mistakes", [])][:2], ""]
        if kind in ("integer", "real"):
            value = float(part["key"])
            bound = max(part["type"].get("atol", 0), part["type"].get("rtol", 0) * abs(value))
            alternatives += [value + bound / 2, value + 3 * bound + 1e-9, value + 1]
        elif kind in ("shape", "spatial_size"):
            dims = re.split("x", str(part["key"]))
            alternatives += [" x ".join(dims), "×".join(dims), f"({', '.join(dims)})", "3x3x3"]
        elif kind == "multiselect":
            letters = "ABCDEFGH"[: part["type"]["options"]]
            alternatives += ["A", "AB", letters, letters[1:3], letters[-1]]
        elif kind == "truefalse":
            alternatives += [not part["key"]]
        elif kind == "matrix":
            changed = json.loads(json.dumps(part["key"]))
            row = changed[0] if isinstance(changed[0], list) else changed
            row[0] = row[0] + 1 + abs(row[0])
            alternatives.append(changed)
        for alternative in alternatives:
            yield {**keys, part["id"]: alternative}


def examgen_fraction(question, answers) -> Fraction:
    parts = question["parts"]
    total = Fraction(0)
    for part in parts:
        raw = answers[part["id"]]
        typed = raw if isinstance(raw, (list, bool)) else number_text(raw) if raw != "" else ""
        by_id = {p["id"]: p for p in parts}
        score = score_part(answer_type_from_json(part["type"]), typed, part, answers, by_id)
        total += Fraction(score.fraction)
    return total / len(parts)


def entries(part, value):
    """A part's answer as the LMS boxes take it, one per box."""
    if part["type"]["kind"] == "matrix":
        if value == "":
            count = (
                len(part["key"])
                if part["type"]["rows"] is None
                else sum(len(r) for r in part["key"])
            )
            return [""] * count
        rows = [value] if part["type"]["rows"] is None else value
        return [number_text(v) for row in rows for v in row]
    if part["type"]["kind"] == "truefalse":
        return ["" if value == "" else ("true" if value else "false")]
    return [number_text(value)]


def moodle_answers(mq, question, answers):
    kind = mq.get("type")
    boxes = []
    for part in question["parts"]:
        boxes += entries(part, answers[part["id"]])
    if kind == "cloze":
        kinds = [k for _, k, _ in cloze_boxes(mq)]
        if len(kinds) != len(boxes):
            return None  # a matrix of another shape: no way to type it into the boxes
        return [
            ("True" if b == "true" else "False" if b == "false" else b) if k == "MULTICHOICE" else b
            for b, k in zip(boxes, kinds, strict=True)
        ]
    if kind == "multichoice" and [a.findtext("text") for a in mq.findall("answer")] == [
        "True",
        "False",
    ]:
        return [{"true": "A", "false": "B", "": ""}[boxes[0]]]
    return boxes


def canvas_answers(item, question, answers):
    boxes = []
    for part in question["parts"]:
        boxes += entries(part, answers[part["id"]])
    if canvas_type(item) == "fill_in_multiple_blanks_question" and len(boxes) != len(
        canvas_blanks(item)
    ):
        return None  # a matrix of another shape: no way to type it into the blanks
    if canvas_type(item) == "true_false_question":
        return [True if boxes[0] == "true" else False if boxes[0] == "false" else None]
    return boxes


def test_moodle_grades_every_answer_as_examgen_does_or_says_it_cannot(exported):
    key, moodle, items = exported
    compared = 0
    for info, question, mq, _ in variants_of(key, moodle, items):
        name = mq.findtext("name/text")
        worth = re.search(r"worth (\S+) in Moodle", name)
        points = Fraction(str(info["points"]))
        # the mark Moodle gives the question: its points, or what the name says
        assert moodle_mark(mq) == (Fraction(worth[1]) if worth else points), name
        exact = "differs" not in name
        for answers in answer_sets(question):
            examgen = examgen_fraction(question, answers)
            typed = moodle_answers(mq, question, answers)
            if typed is None:
                continue
            lms = moodle_fraction(mq, typed)
            if exact:  # Moodle keeps percentages to five decimals: 33.33333 % for a third
                assert abs(lms - examgen) < Fraction(1, 10**6), (name, answers, lms, examgen)
                compared += 1
    assert compared > 300


def test_canvas_grades_every_answer_as_examgen_does_or_says_it_cannot(exported):
    key, moodle, items = exported
    compared = 0
    for _info, question, _, item in variants_of(key, moodle, items):
        title = item.get("title")
        exact = "differs" not in title and "alike" not in title and "as text" not in title
        exact = exact and "Canvas gives 0" not in title
        for answers in answer_sets(question):
            examgen = max(examgen_fraction(question, answers), Fraction(0))
            typed = canvas_answers(item, question, answers)
            if typed is None:
                continue
            lms = canvas_fraction(item, typed)
            if exact:
                assert lms == examgen, (title, answers, lms, examgen)
                compared += 1
            keys = {p["id"]: p["key"] for p in question["parts"]}
            if answers == keys:  # even matched as text, the keys earn full marks
                assert lms == 1, (title, answers)
    assert compared > 100


def test_canvas_shows_a_box_for_every_blank(exported):
    _, _, items = exported
    blanks = 0
    for item in items:
        if canvas_type(item) != "fill_in_multiple_blanks_question":
            continue
        text = canvas_text(item)
        for name, _ in canvas_blanks(item):
            assert re.fullmatch(r"[A-Za-z0-9_-]+", name)
            assert f"[{name}]" in text, (item.get("title"), name)
            blanks += 1
    assert blanks > 50


def test_every_spelling_examgen_accepts_is_accepted_by_both(exported):
    key, moodle, items = exported
    checked = 0
    for _info, question, mq, item in variants_of(key, moodle, items):
        parts = question["parts"]
        if len(parts) != 1 or parts[0]["type"]["kind"] not in ("shape", "spatial_size"):
            continue
        dims = str(parts[0]["key"]).split("x")
        for spelling in (" x ".join(dims), "×".join(dims), f"({', '.join(dims)})",
                         ",".join(dims), f"[{', '.join(dims)}]", " X ".join(dims)):  # fmt: skip
            part = parts[0]
            assert (
                score_part(answer_type_from_json(part["type"]), spelling, part, {}, {}).fraction
                == 1
            )
            assert moodle_fraction(mq, [spelling]) == 1, spelling
            assert canvas_fraction(item, [spelling]) == 1, spelling
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("per_error", ["1/2", "1/4", "1/3", "1"])
def test_a_select_all_question_is_noted_exactly_when_moodle_scores_it_otherwise(per_error):
    from itertools import combinations

    from generator.answers.types import MultiSelect
    from generator.exports.moodle import _multiselect, _multiselect_notes

    answer_type = MultiSelect(4, per_error)
    subsets = ["".join(c) for n in range(1, 5) for c in combinations("ABCD", n)]
    for key in subsets:
        part = {"id": "answer", "key": key, "type": answer_type.to_json()}
        question = _multiselect("Pick.", None, answer_type, part)
        # Moodle stores a percentage to five decimals: 33.33333 % for a third
        agree = all(
            abs(
                moodle_fraction(question, [ticked])
                - Fraction(score_part(answer_type, ticked, part, {}, {}).fraction)
            )
            < Fraction(1, 10**6)
            for ticked in subsets
        )
        assert agree == (not _multiselect_notes(answer_type, part)), (per_error, key)
