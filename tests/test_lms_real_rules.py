"""The rules Moodle and Canvas really grade by (``lms_rules``, ported from their source and
checked against Moodle's own question engine), pinned one finding at a time: what a cloze
answer stores, ``*`` in a short answer, the spellings each reads, and one-number questions."""

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_rules import (
    QTI,
    canvas_fraction,
    canvas_type,
    cloze_boxes,
    moodle_fraction,
    moodle_number,
    moodle_wildcard_match,
)
from test_lms_grading import with_one_number_questions

from generator.answers.types import Expression, Shape, SpatialSize
from generator.cli import main
from generator.exports.moodle import (
    EXPRESSIONS_NOTE,
    NUMBERS_NOTE,
    SHAPES_NOTE,
    _cloze,
    cloze_escape,
    key_spellings,
    moodle_xml,
    wildcard_escape,
)
from generator.exports.qti import qti_zip

ROOT = Path(__file__).resolve().parent.parent
CHAIN_RULE_KEY = "x0*exp(-w0*x0 - w1)/(exp(-w0*x0 - w1) + 1)^2"


def cloze_of(answer_type, key):
    """A Moodle cloze question of one part with this key, as examgen exports it."""
    part = {"id": "d", "label": "the derivative", "key": key, "type": answer_type.to_json()}
    element, _ = _cloze("Find it.", [part], [answer_type], 5)
    return element


def test_a_cloze_expression_key_typed_as_shown_earns_full_marks_in_moodle():
    question = cloze_of(Expression(["w0", "w1", "x0"]), CHAIN_RULE_KEY)
    assert moodle_fraction(question, [CHAIN_RULE_KEY]) == 1
    assert moodle_fraction(question, [CHAIN_RULE_KEY.replace(" ", "")]) == 1
    assert moodle_fraction(question, ["x0"]) == 0


def test_a_star_in_a_moodle_key_is_a_star_not_a_wildcard():
    question = cloze_of(Expression(["y", "z"]), "y*z")
    assert moodle_fraction(question, ["y*z"]) == 1
    assert moodle_fraction(question, ["y*1000*z"]) == 0
    assert moodle_fraction(question, ["yz"]) == 0


RESERVED = [
    "a}b",
    "a#b",
    "a~b",
    "a/b",
    'a"b',
    "a\\b",
    "a&b",
    "a<b>c",
    "a\\}",
    "x\\#",
    "&amp;",
    "a*",
]


@pytest.mark.parametrize("text", RESERVED)
def test_a_cloze_answer_stores_exactly_the_text_examgen_wrote(text):
    """Moodle's cloze parser unescapes only \\} and \\# after decoding HTML entities
    (qtype_multianswer_extract_question): every other character must reach it so."""
    question = ET.Element("question", {"type": "cloze"})
    box = "{1:SHORTANSWER:=" + cloze_escape(wildcard_escape(text)) + "}"
    ET.SubElement(ET.SubElement(question, "questiontext"), "text").text = f"<p>{box} and {box}</p>"
    boxes = cloze_boxes(question)
    assert [alternatives for _, _, alternatives in boxes] == [[(1, wildcard_escape(text))]] * 2
    assert moodle_fraction(question, [text, text]) == 1
    assert moodle_fraction(question, [text + "z", text]) == pytest.approx(0.5)


def test_moodle_short_answers_read_star_as_a_wildcard_unless_escaped():
    """qtype_shortanswer_question::compare_string_with_wildcard, as Moodle's engine ran it."""
    assert moodle_wildcard_match("y*1000*z", "y*z")
    assert not moodle_wildcard_match("y*1000*z", "y\\*z")
    assert moodle_wildcard_match("Y*Z", "y\\*z")
    assert moodle_wildcard_match("  16x16 ", "16x16")
    assert not moodle_wildcard_match("16 x16", "16x16")


@pytest.mark.parametrize(
    ("typed", "read"),
    [("450", 450), ("449 + 1", 449), ("23/10", 23), ("1,5", 15), ("450 apples", 450),
     ("4.5x10^2", 450), ("4 50", 450), ("−1", None), ("", None), ("x", None)],
)  # fmt: skip
def test_moodle_reads_the_number_a_response_starts_with(typed, read):
    """qtype_numerical_answer_processor::apply_units with English separators; these are the
    values Moodle's question engine graded (docs/exports.md)."""
    assert moodle_number(typed) == read


@pytest.mark.parametrize(
    ("answer_type", "key", "spellings"),
    [
        (Shape(), "32x32x64", ["32 32 64", "32x 32x 64", "32 x32 x64", "32*32*64", "32 * 32 * 64"]),
        (SpatialSize(), 16, ["16 16", "16x 16", "16*16", "(16, 16)", "16 X 16", "16"]),
    ],
)
def test_shapes_with_spaces_or_stars_earn_full_marks_in_moodle_and_canvas(
    answer_type, key, spellings
):
    question = cloze_of(answer_type, key)
    listed = {s.lower() for s in key_spellings(answer_type, key)}
    for spelling in spellings:
        assert moodle_fraction(question, [spelling]) == 1, spelling
        assert spelling.lower() in listed, spelling  # what Canvas's blanks and items accept
    assert moodle_fraction(question, ["32*1*32*64" if len(str(key)) > 2 else "16*1*16"]) == 0


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An exam of shapes, counts, reals, vectors and matrices, with one-number questions."""
    out = tmp_path_factory.mktemp("real")
    families = ["network_table", "conv_output_size", "receptive_field", "xavier_variance",
                "linear_layer", "dropout", "matrix_gradient"]  # fmt: skip
    spec = 'title = "Real rules"\n' + "".join(
        f'[[questions]]\nfamily = "{name}"\npoints = 3\n' for name in families
    )
    (out / "spec.toml").write_text(spec)
    result = CliRunner().invoke(
        main, ["generate", str(out / "spec.toml"), "-n", "3", "--seed", "real", "--out",
               str(out / "x"), "--format", "md"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (exam,) = (out / "x").iterdir()
    key = with_one_number_questions(json.loads((exam / "instructor" / "key.json").read_text()))
    moodle = [q for q in ET.fromstring(moodle_xml(key)) if q.get("type") != "category"]
    with zipfile.ZipFile(io.BytesIO(qti_zip(key))) as archive:
        (name,) = [n for n in archive.namelist() if n != "imsmanifest.xml"]
        items = list(ET.fromstring(archive.read(name)).iter(f"{QTI}item"))
    return key, moodle, items


def test_canvas_names_text_matching_in_questions_of_vectors_and_matrices(exported):
    _, _, items = exported
    blanks = [i for i in items if canvas_type(i) == "fill_in_multiple_blanks_question"]
    matrices = [i for i in blanks if i.get("title").startswith(("q5 ·", "q6 ·", "q7 ·"))]
    assert len(matrices) >= 3
    for item in blanks:  # every exported blank here holds numbers
        assert "Canvas matches numbers in blanks as text" in item.get("title"), item.get("title")


def test_one_number_questions_are_moodle_numerical_and_canvas_numerical_questions(exported):
    _, moodle, items = exported
    numerical = [q for q in moodle if q.get("type") == "numerical"]
    canvas = [i for i in items if canvas_type(i) == "numerical_question"]
    assert len(numerical) >= 2 and len(canvas) >= 2
    for question in numerical:
        assert NUMBERS_NOTE in question.findtext("name/text")
        right = question.find("answer/text").text
        tolerance = float(question.find("answer/tolerance").text)
        assert moodle_fraction(question, [right]) == 1
        assert moodle_fraction(question, [str(float(right) + tolerance / 2)]) == 1
        assert moodle_fraction(question, [str(float(right) + 3 * tolerance + 1)]) == 0
        assert moodle_fraction(question, [f"{float(right) - 1:g} + 1"]) == 0  # named
    for item in canvas:
        assert NUMBERS_NOTE in item.get("title")
        low = float(next(item.iter(f"{QTI}vargte")).text)
        high = float(next(item.iter(f"{QTI}varlte")).text)
        assert canvas_fraction(item, [str((low + high) / 2)]) == 1
        assert canvas_fraction(item, [str(high + (high - low) + 1)]) == 0


def test_every_question_reading_fewer_spellings_says_so(exported):
    key, moodle, items = exported
    names = [q.findtext("name/text") for q in moodle]
    titles = [i.get("title") for i in items]
    for kind, note in (("shape", SHAPES_NOTE), ("spatial_size", SHAPES_NOTE)):
        ids = {
            q["id"]
            for v in key["variants"]
            for q in v["questions"]
            if any(p["type"]["kind"] == kind for p in q["parts"])
        }
        for qid in ids:
            assert all(note in n for n in names if n.startswith(f"{qid} ·")), qid
            assert all(note in t for t in titles if t.startswith(f"{qid} ·")), qid
    assert all(NUMBERS_NOTE in n for n in names if n.startswith(("q3 ·", "q4 ·", "q5 ·")))


def test_the_docs_and_readme_name_every_spelling_note():
    exports = (ROOT / "docs" / "exports.md").read_text()
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| "))
    for note in (NUMBERS_NOTE, SHAPES_NOTE, EXPRESSIONS_NOTE):
        assert f"“{note}”" in exports or f'"{note}"' in exports, note
    for example in ("449 + 1", "23/10", "32x 32, 64"):
        assert example in table and example in exports, example
    assert re.search(r"\| several parts, a matrix \|.*numbers match as text", table)
