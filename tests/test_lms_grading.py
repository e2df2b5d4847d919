"""Moodle and Canvas grade examgen's exports as examgen does, replayed under each LMS's own
rules (``lms_rules``): hundreds of right, wrong, edge and blank answers, and the spellings
examgen accepts. Where an LMS cannot grade as examgen does, the exported question's name
(Moodle) or title (Canvas) says so, and the README's table lists it."""

import io
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
from generator.exports.moodle import (
    EXPRESSIONS_NOTE,
    NUMBERS_NOTE,
    SHAPES_NOTE,
    key_spellings,
    moodle_xml,
)
from generator.exports.qti import qti_zip
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
    if request.param == "every":
        key = with_one_number_questions(key)
        moodle_text, qti_bytes = moodle_xml(key), qti_zip(key)
    else:
        moodle_text = (exam / "instructor" / "moodle.xml").read_text()
        qti_bytes = (exam / "instructor" / "canvas-qti.zip").read_bytes()
    moodle = [q for q in ET.fromstring(moodle_text) if q.get("type") != "category"]
    with zipfile.ZipFile(io.BytesIO(qti_bytes)) as archive:
        (name,) = [n for n in archive.namelist() if n != "imsmanifest.xml"]
        assessment = ET.fromstring(archive.read(name))
    items = list(assessment.iter(f"{QTI}item"))
    return key, moodle, items


def with_one_number_questions(key):
    """The manifest with two questions more, each the first part alone of a question whose
    first part is a count or a real: no family asks a single number, and Moodle's
    ``numerical`` and Canvas's ``numerical_question`` are exported for exactly those."""
    key = json.loads(json.dumps(key))
    added = []
    for kind in ("integer", "real"):
        info = next(
            i
            for i in key["questions"]
            if all(
                next(q for q in v["questions"] if q["id"] == i["id"])["parts"][0]["type"]["kind"]
                == kind
                for v in key["variants"]
            )
        )
        one = {**info, "id": f"{info['id']}-one"}
        added.append(one)
        for variant in key["variants"]:
            question = next(q for q in variant["questions"] if q["id"] == info["id"])
            first = {**question["parts"][0]}
            first.pop("follows", None)
            variant["questions"].append({**question, "id": one["id"], "parts": [first]})
    key["questions"] += added
    return key


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
            # spellings examgen reads and an LMS may not: arithmetic, a fraction, a comma
            alternatives += [f"{short_number(value - 1)} + 1", f"{short_number(value)} apples"]
            exact = Fraction(str(value)).limit_denominator(100)
            if exact == Fraction(str(value)) and exact.denominator > 1:
                alternatives.append(f"{exact.numerator}/{exact.denominator}")
            if not value.is_integer():
                alternatives.append(short_number(value).replace(".", ","))
        elif kind in ("shape", "spatial_size"):
            dims = re.split("x", str(part["key"]))
            alternatives += [" x ".join(dims), "×".join(dims), f"({', '.join(dims)})", "3x3x3"]
            alternatives += [" ".join(dims), "x ".join(dims), "*".join(dims), " X".join(dims)]
            if len(dims) > 2:  # mixed separators and spacing: read by examgen alone
                mixed = [f"{dims[0]}x{'x '.join(dims[1:])}", f"{dims[0]}, {'x'.join(dims[1:])}"]
                alternatives += mixed
        elif kind == "expression":
            key = str(part["key"])
            alternatives += [key.replace(" ", ""), f"({key})", key.replace("*", "*1000*", 1)]
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


PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def spelled_as_listed(question, answers, named: str) -> bool:
    """Whether each part's answer is spelled as the LMS reads it, where ``named`` (the
    question's name or title) says it reads fewer spellings than examgen: numbers as plain
    decimals, shapes and expressions as listed. An answer examgen scores 0 must score 0 in
    the LMS too, however it is spelled."""
    for part in question["parts"]:
        raw, kind = answers[part["id"]], part["type"]["kind"]
        if raw == "" or isinstance(raw, (bool, list)):
            continue
        text = number_text(raw).strip()
        if kind in ("integer", "real"):
            if NUMBERS_NOTE in named and not PLAIN_NUMBER.fullmatch(text):
                return False
        elif (SHAPES_NOTE if kind != "expression" else EXPRESSIONS_NOTE) in named:
            answer_type = answer_type_from_json(part["type"])
            listed = {s.lower() for s in key_spellings(answer_type, part["key"])}
            by_id = {p["id"]: p for p in question["parts"]}
            right = score_part(answer_type, text, part, answers, by_id).fraction > 0
            if right and text.lower() not in listed:
                return False
    return True


def shape_of(matrix):
    return [len(row) for row in matrix] if matrix and isinstance(matrix[0], list) else len(matrix)


def entries(part, value):
    """A part's answer as the LMS boxes take it, one per box; None for a matrix of another
    shape than the key's (a transposed one), which no one can type into the boxes."""
    if part["type"]["kind"] == "matrix":
        if value != "" and shape_of(value) != shape_of(part["key"]):
            return None
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
        typed = entries(part, answers[part["id"]])
        if typed is None:
            return None
        boxes += typed
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
        typed = entries(part, answers[part["id"]])
        if typed is None:
            return None
        boxes += typed
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
        for answers in answer_sets(question):
            examgen = examgen_fraction(question, answers)
            typed = moodle_answers(mq, question, answers)
            if typed is None:
                continue
            lms = moodle_fraction(mq, typed)
            exact = "differs" not in name and spelled_as_listed(question, answers, name)
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
            if exact and spelled_as_listed(question, answers, title):
                assert lms == examgen, (title, answers, lms, examgen)
                compared += 1
            keys = {p["id"]: p["key"] for p in question["parts"]}
            if answers == keys:  # even matched as text, the keys earn full marks
                assert lms == 1, (title, answers)
    assert compared > 60  # most blanks are matched as text, named and left out


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
