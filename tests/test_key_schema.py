"""A hand-edited key.json is read against a schema: grade, regrade, export and stats refuse
a broken one on one line naming the field, and never start on it."""

import json

import pytest
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import main

V = ["variants", 0]
Q = [*V, "questions"]
PART = [*Q, 0, "parts", 0]  # q1's one part, a spatial size with known mistakes
ROW = [*Q, 3, "parts", 2]  # the network table's row2.shape, carried forward from row1
DELETE = object()

# (what the instructor did, where in key.json, the value written there, what the error names)
EDITS = [
    ("title deleted", ["title"], DELETE, "title: must be a string"),
    ("a traversing exam id", ["exam_id"], "../../x", "exam_id: must be"),
    ("questions not a list", ["questions"], "q1", "not an examgen key file"),
    ("no questions", ["questions"], [], "questions: must list"),
    ("points as a word", ["questions", 0, "points"], "two", "questions[0].points"),
    ("points NaN", ["questions", 0, "points"], float("nan"), "not valid JSON"),
    ("points negative", ["questions", 0, "points"], -3, "questions[0].points"),
    ("question id missing", ["questions", 0, "id"], DELETE, "questions[0].id"),
    ("unknown family", ["questions", 0, "family"], "nosuch", "questions[0].family"),
    ("title a number", ["questions", 1, "title"], 7, "questions[1].title"),
    ("dropped a string", ["dropped"], "q1", "dropped"),
    ("dropped unknown", ["dropped"], ["zz"], "dropped"),
    ("an empty variant", V, {}, "variants[0].variant_id"),
    ("a traversing student id", [*V, "student_id"], "../../../X", "variants[0].student_id"),
    ("variant id a number", [*V, "variant_id"], 7, "variants[0].variant_id"),
    ("name a number", [*V, "name"], 7, "variants[0].name"),
    ("questions missing", [*V, "questions"], DELETE, "variants[0].questions"),
    ("questions empty", [*V, "questions"], [], "variants[0].questions"),
    ("questions reordered", [*Q, 0, "id"], "q2", "variants[0].questions"),
    ("params missing", [*Q, 0, "params"], DELETE, "questions[0].params"),
    ("parts empty", [*Q, 0, "parts"], [], "questions[0].parts"),
    ("parts an object", [*Q, 0, "parts"], {}, "questions[0].parts"),
    ("part id missing", [*PART, "id"], DELETE, "parts[0].id"),
    ("type missing", [*PART, "type"], DELETE, "parts[0].type"),
    ("type a string", [*PART, "type"], "integer", "parts[0].type"),
    ("unknown kind", [*PART, "type"], {"kind": "nosuch"}, "parts[0].type"),
    ("an unknown option", [*PART, "type"], {"kind": "integer", "bogus": 1}, "parts[0].type"),
    ("a string tolerance", [*PART, "type"], {"kind": "real", "rtol": "big"}, "type.rtol"),
    ("a negative tolerance", [*PART, "type"], {"kind": "real", "atol": -1}, "type.atol"),
    ("key missing", [*PART, "key"], DELETE, "parts[0].key"),
    ("key a list", [*PART, "key"], [1, 2], "parts[0].key"),
    ("key unreadable", [*PART, "key"], "fifteen", "parts[0].key"),
    ("mistakes a string", [*PART, "mistakes"], "x", "parts[0].mistakes"),
    ("a mistake not an object", [*PART, "mistakes"], [5], "mistakes[0]"),
    (
        "a mistake's value unreadable",
        [*PART, "mistakes", 0, "value"],
        {"a": 1},
        "mistakes[0].value",
    ),
    ("a mistake's diagnosis a number", [*PART, "mistakes", 0, "diagnosis"], 3, "diagnosis"),
    ("follows not an object", [*ROW, "follows"], 3, "parts[2].follows"),
    ("follows an unknown part", [*ROW, "follows", "from"], "nosuch", "follows.from"),
    ("follows a bad layer", [*ROW, "follows", "layer"], "CONV", "follows.layer"),
    ("follows a bad index", [*ROW, "follows", "index"], "2", "follows.index"),
    ("follows a sum of nothing", [*Q, 3, "parts", 14, "follows"], {"sum_of": []}, "sum_of"),
]


def edited(key: dict, path: list, value) -> dict:
    key = json.loads(json.dumps(key))
    target = key
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return key


@pytest.fixture
def graded(run, exam, tmp_path):
    """The exam's three students handed in and were graded into ./grades."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("v001", "v002", "v003"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    assert run("grade", "subs", "--out", "grades").exit_code == 0
    return exam


@pytest.mark.parametrize("what, path, value, field", EDITS, ids=[e[0] for e in EDITS])
def test_a_broken_key_is_refused_on_one_line_naming_the_field(
    graded, tmp_path, what, path, value, field
):
    key_file = graded / "instructor" / "key.json"
    key_file.write_text(json.dumps(edited(json.loads(key_file.read_text()), path, value)))
    runner = CliRunner()
    commands = [
        ["grade", "subs/v001.json"],
        ["grade", "subs", "--out", "again"],
        ["grade", "subs", "--out", "again", "--key", str(key_file)],
        ["regrade", "grades"],
        ["export", str(graded), "--format", "html"],
    ]
    for command in commands:
        result = runner.invoke(main, command, catch_exceptions=False)
        assert result.exit_code == 2, (command, result.output)
        (line,) = result.output.splitlines()
        assert line.startswith("error: ") and "key.json" in line and field in line, line
    assert not (tmp_path / "again").exists()


def test_the_key_generate_writes_passes_the_schema(graded):
    from generator.exam.manifest import read_key

    read_key(graded / "instructor" / "key.json")  # no error


def test_stats_refuses_a_hand_edited_report_on_one_line(graded, tmp_path):
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    report["submissions"][0]["points"] = "lots"
    (tmp_path / "grades" / "report.json").write_text(json.dumps(report))
    result = CliRunner().invoke(main, ["stats", "grades"], catch_exceptions=False)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "submissions[0].points must be a number" in line
