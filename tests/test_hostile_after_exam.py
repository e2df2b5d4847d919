"""What a hostile tester did to a class after the exam: regrade run from another folder,
a hand-edited index.json, hand-edited params in key.json, a damaged grading key."""

import csv
import io
import json

import pytest
from conftest import filled_submission

from generator.grading.variant_key import shard_origin


def _rows(path):
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(path.read_text()))}


@pytest.fixture
def graded_class(run, exam, tmp_path):
    """Every student's filled submission in cls/, graded into g/ from tmp_path."""
    (tmp_path / "cls").mkdir()
    (tmp_path / "sub").mkdir()
    for student in ("v001", "v002", "v003"):
        data = filled_submission(exam, student)
        (tmp_path / "cls" / f"{student}.json").write_text(json.dumps(data))
    result = run("grade", "cls", "--out", "g")
    assert result.exit_code == 0, result.output
    return exam


def test_regrade_run_from_another_folder_grades_the_same_files(
    run, graded_class, tmp_path, monkeypatch
):
    before = (tmp_path / "g" / "gradebook.csv").read_text()
    monkeypatch.chdir(tmp_path / "sub")
    result = run("regrade", "../g", "--exams", "../output")
    assert result.exit_code == 0, result.output
    assert "no student's points changed" in result.output
    assert (tmp_path / "g" / "gradebook.csv").read_text() == before
    monkeypatch.chdir(tmp_path)  # and back: the paths it recorded from sub/ still lead there
    assert run("regrade", "g").exit_code == 0
    assert (tmp_path / "g" / "gradebook.csv").read_text() == before


def test_regrade_finding_none_of_its_files_replaces_nothing(
    run, graded_class, tmp_path, monkeypatch
):
    """A report of an examgen before ``base``, regraded from another folder: no path
    leads anywhere, and the good gradebook stays."""
    report = json.loads((tmp_path / "g" / "report.json").read_text())
    del report["base"]
    (tmp_path / "g" / "report.json").write_text(json.dumps(report))
    before = (tmp_path / "g" / "gradebook.csv").read_text()
    monkeypatch.chdir(tmp_path / "sub")
    result = run("regrade", "../g", "--exams", "../output")
    assert result.exit_code == 2
    assert "none of the 3 files it graded is there now" in result.output
    assert "changed" not in result.output and "Traceback" not in result.output
    assert (tmp_path / "g" / "gradebook.csv").read_text() == before


def test_a_graded_file_gone_since_is_its_students_refused_entry(run, graded_class, tmp_path):
    (tmp_path / "cls" / "v002.json").unlink()
    result = run("regrade", "g")
    assert result.exit_code == 1
    assert "cls/v002.json: no longer there" in result.output
    lines = result.output.splitlines()
    assert any(
        line.startswith("v002: ") and line.endswith("→ not graded (see the errors)")
        for line in lines
    )
    assert "no student's points changed" not in result.output
    rows = _rows(tmp_path / "g" / "gradebook.csv")
    assert rows["v002"]["status"] == "refused"
    assert rows["v001"]["status"] == rows["v003"]["status"] == "graded"
    report = json.loads((tmp_path / "g" / "report.json").read_text())
    assert [e.get("student_id") for e in report["errors"]] == ["v002"]


def test_a_preferred_file_stays_preferred_from_another_folder(
    run, graded_class, tmp_path, monkeypatch
):
    (tmp_path / "cls" / "again.json").write_text((tmp_path / "cls" / "v001.json").read_text())
    assert run("grade", "cls", "--out", "g", "--force", "--prefer", "cls/v001.json").exit_code == 0
    monkeypatch.chdir(tmp_path / "sub")
    result = run("regrade", "../g", "--exams", "../output")
    assert result.exit_code == 0, result.output
    assert _rows(tmp_path / "g" / "gradebook.csv")["v001"]["status"] == "graded"


def _edit_index(exam, change):
    path = exam / "instructor" / "index.json"
    index = json.loads(path.read_text())
    change(index)
    path.write_text(json.dumps(index))


def _swap_first_two(index):
    first, second = index["variants"][:2]
    first["student_id"], second["student_id"] = second["student_id"], first["student_id"]


@pytest.mark.parametrize(
    "change",
    [_swap_first_two, lambda index: index["variants"].pop()],
    ids=["students-swapped", "last-removed"],
)
def test_an_index_whose_roster_is_not_the_keys_is_passed_over(run, exam, tmp_path, change):
    (tmp_path / "cls").mkdir()
    data = filled_submission(exam, "v001")
    (tmp_path / "cls" / "v001.json").write_text(json.dumps(data))
    _edit_index(exam, change)
    result = run("grade", "cls", "--out", "g")
    assert result.exit_code == 0, result.output
    assert (
        "index.json: variants[0]" in result.output or "index.json: its key_layout" in result.output
    )
    assert "the roster is read from key.json instead" in result.output
    rows = _rows(tmp_path / "g" / "gradebook.csv")
    assert sorted(rows) == ["v001", "v002", "v003"]
    assert (
        rows["v001"]["status"] == "graded" and rows["v001"]["total"] == rows["v001"]["max_points"]
    )
    assert rows["v002"]["status"] == "missing"
    # regrade writes index.json again from key.json: the next grading needs no note
    assert run("regrade", "g").exit_code == 0
    assert "roster is read from key.json" not in run("grade", "cls", "--out", "g2").output


def _edit_params(exam, question, given, value):
    path = exam / "instructor" / "key.json"
    key = json.loads(path.read_text())
    params = key["variants"][0]["questions"][question]["params"]
    if value is None:
        del params[given]
    else:
        params[given] = value
    path.write_text(json.dumps(key, indent=2))


def _one_key_line(result, field):
    assert "Traceback" not in result.output and "please report" not in result.output
    (line,) = [line for line in result.output.splitlines() if "key.json" in line]
    assert f"variants[0].{field}" in line, result.output


def test_params_the_family_cannot_read_are_one_line_naming_the_given(run, exam, tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(filled_submission(exam, "v001")))
    assert run("grade", "s.json", "--out", "g").exit_code == 0
    key = json.loads((exam / "instructor" / "key.json").read_text())
    layers = list(key["variants"][0]["questions"][3]["params"]["layers"])
    _edit_params(exam, 3, "layers", ["CONV5-10x", *layers[1:]])
    for command in (
        ("export", str(exam), "--format", "md", "--force"),
        ("regrade", "g"),
        ("grade", "s.json", "--out", "g2"),
    ):
        result = run(*command)
        assert result.exit_code == 2, result.output
        _one_key_line(result, "questions[3].params.layers")
    assert "not a usable key" in result.output
    assert (tmp_path / "g" / "gradebook.csv").is_file()


@pytest.mark.parametrize(
    ("given", "value"),
    [("expr", "x+"), ("expr", 5), ("values", [1]), ("expr", None)],
    ids=["cut-short", "a-number", "values-a-list", "expr-deleted"],
)
def test_a_chain_rule_key_with_unreadable_givens_is_one_line(run, tmp_path, given, value):
    assert run("generate", "losses-and-gradients", "-n", "1", "--seed", "p").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    question = next(n for n, q in enumerate(key["questions"]) if q["family"] == "chain_rule")
    _edit_params(exam, question, given, value)
    result = run("export", str(exam), "--format", "md", "--force")
    assert result.exit_code == 2
    _one_key_line(result, f"questions[{question}].params.{given}")


@pytest.mark.parametrize(
    "damage", [lambda data: b"", lambda data: data[: len(data) // 2]], ids=["empty", "cut"]
)
def test_a_damaged_grading_key_falls_back_to_key_json_and_is_written_again(
    run, exam, tmp_path, damage
):
    data = filled_submission(exam, "v001")
    (tmp_path / "s.json").write_text(json.dumps(data))
    shard = exam / "instructor" / "variants" / f"{data['variant_id']}.zst"
    good = shard.read_bytes()
    shard.write_bytes(damage(good))
    result = run("grade", "s.json", "--out", "g")
    assert result.exit_code == 0, result.output
    row = _rows(tmp_path / "g" / "gradebook.csv")["v001"]
    assert row["status"] == "graded" and row["total"] == row["max_points"]
    assert run("regrade", "g").exit_code == 0
    assert shard_origin(shard)[0] == data["variant_id"]
