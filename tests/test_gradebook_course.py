"""The gradebook as a course uses it: a refused file is 'refused' (why, in report.json), not
'missing, 0', and the summary counts each student once; the cells add up to the total shown;
a BOM on request, kept by regrade; canvas.csv as Canvas's gradebook import reads it."""

import csv
import io
import json
import shutil
from fractions import Fraction

import pytest

from generator.grading.gradebook import shown_points

# Three questions of one point, each of three parts: a third of a point per part
THIRDS = """title = "Thirds"
[[questions]]
family = "normalization_shapes"
points = 1
count = 3
"""


@pytest.fixture
def thirds(run, tmp_path):
    (tmp_path / "thirds.toml").write_text(THIRDS)
    (tmp_path / "roster.csv").write_text(
        "id,name\ns1,Kurt Gödel\ns2,Ada Lovelace\ns3,Alan Turing\n"
    )
    assert run("generate", "thirds.toml", "--roster", "roster.csv", "--seed", "t").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"][:2]:
        student = variant["student_id"]
        (tmp_path / "h" / student).mkdir(parents=True)
        submission = json.loads((exam / "students" / student / "submission.json").read_text())
        for question in variant["questions"]:  # one part of three right in each question
            part = question["parts"][0]
            submission["answers"][question["id"]][part["id"]] = part["key"]
        (tmp_path / "h" / student / "submission.json").write_text(json.dumps(submission))
    return exam


def rows(tmp_path, name="gradebook.csv"):
    return list(csv.DictReader(io.StringIO((tmp_path / "grades" / name).read_text("utf-8-sig"))))


def test_the_cells_shown_add_up_to_the_total_shown(run, tmp_path, thirds):
    assert run("grade", "h", "--out", "grades").exit_code == 0  # s3 is missing
    graded = [row for row in rows(tmp_path) if row["status"] == "graded"]
    assert len(graded) == 2
    for row in graded:
        cells = [Fraction(row[name]) for name in row if name.endswith("(1)")]
        assert row["total"] == "1" and sum(cells) == 1, row  # 0.33 + 0.33 + 0.34


@pytest.mark.parametrize(
    "total,cells",
    [(1.0, [1 / 3] * 3), (10, [3.3333, 3.3333, 3.3334]), (-0.6667, [-1, 0.3333]), (7.5, [2.5, 5])],
)
def test_rounding_once_keeps_whole_hundredths_and_the_sum(total, cells):
    shown_total, shown = shown_points(total, cells)
    assert sum(Fraction(cell) for cell in shown) == Fraction(shown_total)
    assert all(
        Fraction(s) == Fraction(str(c))
        for s, c in zip(shown, cells, strict=True)
        if c * 100 == int(c * 100)
    )


def test_a_refused_file_is_refused_in_the_gradebook_and_counted_once(run, tmp_path, thirds):
    (tmp_path / "h" / "s3").mkdir()
    (tmp_path / "h" / "s3" / "submission.json").write_text("{not json")
    result = run("grade", "h", "--out", "grades")
    assert result.exit_code == 1
    assert "(1 could not be graded, 0 missing)" in result.output
    by_id = {row["student_id"]: row for row in rows(tmp_path)}
    assert by_id["s3"]["status"] == "refused" and by_id["s3"]["total"] == ""
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    (error,) = report["errors"]
    assert error["student_id"] == "s3" and "not valid JSON" in error["error"]
    assert report["exams"][0]["refused"] == ["s3"] and report["exams"][0]["missing"] == []


def test_a_bom_is_written_on_request_and_kept_by_regrade(run, tmp_path, thirds):
    assert run("grade", "h", "--out", "grades", "--bom").exit_code == 0
    for name in ("gradebook.csv", "canvas.csv"):
        assert (tmp_path / "grades" / name).read_bytes().startswith("\ufeff".encode())
    run("regrade", "grades")
    data = (tmp_path / "grades" / "gradebook.csv").read_bytes()
    assert data.startswith("\ufeffstudent_id,".encode()) and "Gödel".encode() in data
    shutil.rmtree(tmp_path / "grades")
    assert run("grade", "h", "--out", "grades").exit_code == 0
    assert (tmp_path / "grades" / "gradebook.csv").read_bytes().startswith(b"student_id,")


def test_canvas_csv_holds_the_columns_canvas_identifies_students_by(run, tmp_path, thirds):
    run("grade", "h", "--out", "grades")
    lines = (tmp_path / "grades" / "canvas.csv").read_text().splitlines()
    assert lines[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,Thirds (thirds-")
    assert lines[1] == "Points Possible,,,,,3"
    assert lines[2:] == ["Kurt Gödel,,s1,,,1", "Ada Lovelace,,s2,,,1", "Alan Turing,,s3,,,"]


def test_manual_points_of_a_student_with_no_graded_file_are_named_not_lost(run, tmp_path, thirds):
    run("grade", "h", "--out", "grades")
    (tmp_path / "paper.csv").write_text("student,question,points\ns3,q1a,1\ns1,q1b,1\n")
    result = run("regrade", "grades", "--manual", "paper.csv")
    assert result.exit_code == 0, result.output
    assert "note: s3's manual points count once a file of theirs is graded" in result.output
    assert "s1: 1 / 3 → 1.67 / 3 (q1b +0.67)" in result.output
