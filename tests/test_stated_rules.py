"""Sheets tell the truth about grading: the tolerance each part states is the grader's, the
examples follow the exam's notation, and a misread answer is told what was expected."""

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from generator import registry
from generator.answers.types import MultiSelect, Real, Shape, SpatialSize, answer_type_from_json

HEADER = re.compile(r"Numbers are right within ([\d.]+)% or ([\d.e-]+) of the key")
PART_LINE = re.compile(r"^- `(\w+)`: .*?(?: \(within ([\d.]+)% or ([\d.e-]+)\))?$")
# a part's label on the HTML sheet, which is the answer form (a label for its box)
HTML_PART = re.compile(r'^[^>]*>\s*<(?:span|label) class="label[^"]*"[^>]*><code>(\w+)</code>:')
HTML_TOLERANCE = re.compile(r'<span class="tolerance">\(within ([\d.]+)% or ([\d.e-]+)\)</span>')


def _stated(percent: str, absolute: str) -> tuple[Fraction, Fraction]:
    return Fraction(percent) / 100, Fraction(absolute)


def _graded(part_type: dict) -> tuple[Fraction, Fraction]:
    return Fraction(str(part_type["rtol"])), Fraction(str(part_type["atol"]))


@pytest.fixture(scope="module")
def every_family_exam(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from generator.cli import main

    folder = tmp_path_factory.mktemp("every-family")
    spec = folder / "every.toml"
    spec.write_text(
        'title = "Every family"\n'
        + "".join(f'[[questions]]\nfamily = "{name}"\npoints = 2\n' for name in registry.names())
    )
    out = folder / "output"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            str(spec),
            "-n",
            "3",
            "--seed",
            "stated",
            "--format",
            "md,html",
            "--out",
            str(out),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (exam,) = out.iterdir()
    return exam


def _numeric_parts(variant: dict) -> dict[str, dict]:
    return {
        f"{question['id']}.{part['id']}": part["type"]
        for question in variant["questions"]
        for part in question["parts"]
        if "rtol" in part["type"]
    }


def test_every_parts_stated_tolerance_is_the_graders_on_the_markdown_sheet(every_family_exam):
    key = json.loads((every_family_exam / "instructor" / "key.json").read_text())
    checked = 0
    for variant in key["variants"]:
        sheet = (every_family_exam / "students" / variant["student_id"] / "sheet.md").read_text()
        default = _stated(*HEADER.search(sheet).groups())
        stated = {}
        question = None
        for line in sheet.splitlines():
            heading = re.match(r"## \d+\. \((\w+)\) ", line)
            if heading:
                question = heading[1]
            match = PART_LINE.match(line)
            if match and question:
                own = match[2] and _stated(match[2], match[3])
                stated[f"{question}.{match[1]}"] = own or default
        for part, part_type in _numeric_parts(variant).items():
            assert stated[part] == _graded(part_type), part
            checked += 1
    assert checked > 100


def test_every_parts_stated_tolerance_is_the_graders_on_the_html_sheet(every_family_exam):
    key = json.loads((every_family_exam / "instructor" / "key.json").read_text())
    variant = key["variants"][0]
    sheet = (every_family_exam / "students" / variant["student_id"] / "sheet.html").read_text()
    default = _stated(*HEADER.search(sheet).groups())
    stated = {}
    for section in re.split(r'<section class="question" id="', sheet)[1:]:
        question = section.split('"', 1)[0]
        for item in re.split(r"<li\b", section)[1:]:
            match = HTML_PART.search(item)
            if match is None:
                continue
            own = HTML_TOLERANCE.search(item)
            stated[f"{question}.{match[1]}"] = _stated(*own.groups()) if own else default
    for part, part_type in _numeric_parts(variant).items():
        assert stated[part] == _graded(part_type), part


def test_a_wrong_number_is_told_the_tolerance_the_sheet_states():
    score = Real(0.001, 1e-6).grade("1.095", "1.1")
    assert score.status == "wrong"
    assert "within 0.1% or 1e-6" in score.feedback


def test_a_spec_tolerance_is_stated_on_the_sheet_and_graded(run, tmp_path):
    spec = tmp_path / "quiz.toml"
    spec.write_text(
        'title = "Quiz"\n[[questions]]\nfamily = "sigmoid_gradient"\npoints = 2\n'
        "[questions.givens]\nx = 1\n"
        '[[questions]]\nfamily = "xavier_variance"\npoints = 2\n'
    )
    result = run("generate", "quiz.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    sheet = (exam / "students" / "v001" / "sheet.md").read_text()
    for part, part_type in _numeric_parts(key["variants"][0]).items():
        answer = answer_type_from_json(part_type)
        stated = answer.within()
        assert stated in sheet, part


def test_the_self_check_page_states_each_parts_tolerance(run, tmp_path):
    result = run(
        "practice",
        "--family",
        "numeric_gradient_check",
        "--count",
        "1",
        "--format",
        "html",
        "--seed",
        "s",
        "--out",
        "practice",
    )
    assert result.exit_code == 0, result.output
    (page,) = (tmp_path / "practice").glob("*/self-check.html")
    text = page.read_text()
    assert "within 0.1% or 1e-6" in text
    assert "within 5% or 1e-9" in text


def test_channels_first_exams_show_channels_first_examples(run, tmp_path):
    spec = tmp_path / "cf.toml"
    spec.write_text(
        'title = "CF"\n[notation]\nshapes = "CxHxW"\n'
        '[[questions]]\nfamily = "network_table"\npoints = 6\n'
    )
    result = run("generate", "cf.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    sheet = (exam / "students" / "v001" / "sheet.md").read_text()
    assert "32x32x10" not in sheet and "7x7x512" not in sheet and "13x13x3" not in sheet
    assert re.search(r"such as (10x32x32|512x7x7|3x13x13)", sheet)


@pytest.mark.parametrize(
    ("layout", "key", "answer"),
    [("HxWxC", (32, 32, 10), (10, 32, 32)), ("CxHxW", (10, 32, 32), (32, 32, 10))],
)
def test_a_shape_in_the_other_order_is_told_so(layout, key, answer):
    score = Shape(layout=layout).compare(answer, key)
    assert score.status == "wrong"
    assert f"where this exam writes {layout}" in score.feedback


@pytest.mark.parametrize(
    ("answer_type", "typed", "says"),
    [
        (Shape(), "20.0", "sizes are whole numbers, write 20"),
        (Shape(), "20.5", "sizes are whole numbers"),
        (Shape(), "big", "not a shape: write whole numbers with x between them, such as 32x32x10"),
        (Shape(layout="CxHxW"), "big", "such as 10x32x32"),
        (SpatialSize(), "14.0", "write 14"),
        (SpatialSize(), "wide", "not a size: write one number such as 14, or HxW such as 14x10"),
        (Real(), "[1, 2]", "is a list: write one number here"),
        (Real(), "1, 2, 3", "is a list: write one number here"),
        (Real(), "0.5; 2", "is a list: write one number here"),
        (Real(), "1,000,000", "no thousands separators"),
        (Real(), "1,000", "ambiguous"),
        (MultiSelect(5), "6500", "is a number: choose the letters of the correct options"),
        (MultiSelect(4), "A9", "choose letters from A to D"),
    ],
)
def test_a_misread_answer_is_told_what_its_type_expected(answer_type, typed, says):
    score = answer_type.read_answer(typed)
    assert score.status == "invalid"
    assert says in score.feedback


def test_letters_and_decimal_commas_still_read():
    assert MultiSelect(5).read_answer("ac") == frozenset("AC")
    assert Real().read_answer("1,5") == Fraction(3, 2) or Real().read_answer("1,5") == 1.5


def test_a_multiple_choice_part_is_labelled_as_choosing_letters(run, tmp_path):
    spec = tmp_path / "choice.toml"
    spec.write_text(
        'title = "Choice"\n[[questions]]\nfamily = "conv_params"\npoints = 4\nformat = "choice"\n'
    )
    result = run("generate", "choice.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    sheet = (exam / "students" / "v001" / "sheet.md").read_text()
    assert "- `answer`: the letters of the options you choose" in sheet
    assert "- `answer`: the total number" not in sheet
