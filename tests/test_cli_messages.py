"""What the commands say: help that lists what can be chosen, suggestions instead of lists,
and reports of exactly what was written."""

import json
import pickle

import pytest
from conftest import filled_submission

from generator.errors import (
    GivenError,
    KeyFileError,
    SpecError,
    SubmissionError,
    UnknownFamilyError,
)
from generator.exam.spec import builtin_names
from generator.question_files import QuestionFileError


def test_generate_help_lists_every_built_in_exam(run):
    result = run("generate", "--help")
    for name in builtin_names():
        assert f"\n  {name} " in result.output, name


def test_an_unknown_family_gets_the_closest_names_not_all_of_them(run):
    result = run("solve", "conv_param")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: unknown family 'conv_param' "
        "(did you mean conv_params or rnn_params or conv_forward?)"
    )
    assert "see examgen families" in run("solve", "zzz").output


def test_practice_asks_each_family_named_and_names_its_files_plainly(run, tmp_path):
    families = ["-f", "dropout", "-f", "hinge_loss", "-f", "conv_params"]
    result = run("practice", *families, "-c", "2", "--format", "html", "-s", "p")
    assert result.exit_code == 2 and "--count 2 cannot ask each of the 3 families" in result.output
    result = run("practice", *families, "-c", "3", "--format", "html", "-s", "p")
    assert result.exit_code == 0, result.output
    assert "practice.html   the questions" in result.output and "{" not in result.output
    (folder,) = (tmp_path / "output").iterdir()
    key = json.loads((folder / "instructor" / "key.json").read_text())
    assert [q["family"] for q in key["questions"]] == ["dropout", "hinge_loss", "conv_params"]


def test_export_lists_the_files_it_wrote_and_no_others(run, exam):
    result = run("export", str(exam), "--format", "tex,moodle")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Wrote 7 files to {exam}"
    assert lines[1:] == [
        "  instructor/keys/<id>.tex  (3 files)",
        "  instructor/moodle.xml",
        "  students/<id>/sheet.tex  (3 files)",
    ]


def test_regrade_writes_the_item_analysis_again_when_there_was_one(run, exam, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("v001", "v002"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    assert run("grade", "subs", "--out", "grades").exit_code == 0
    assert run("stats", "grades").exit_code == 0
    result = run("regrade", "grades", "--drop", "q1")
    assert result.exit_code == 0, result.output
    assert "v001: 32 / 32 → 28 / 28 (q1 -4)" in result.output
    assert "stats.html, histogram.png and stats.json again" in result.output
    stats = json.loads((tmp_path / "grades" / "stats.json").read_text())
    assert stats["max_points"] == 28


def test_grade_names_only_the_files_it_wrote(run, tmp_path):
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "bad.json").write_bytes(b"\xff\xfe")
    result = run("grade", "up", "--out", "g")
    assert result.exit_code == 1
    assert "Graded 0 submissions into g/: report.json (1 could not be graded" in result.output
    assert not (tmp_path / "g" / "gradebook.csv").exists()


def test_counts_are_written_in_the_right_number(run):
    result = run("generate", "convnet-shapes", "-n", "1", "--seed", "one")
    assert result.output.startswith("Wrote 1 variant of 'ConvNet shapes and parameters' to ")
    result = run("generate", "convnet-shapes", "-n", "2", "--seed", "two")
    assert result.output.startswith("Wrote 2 variants of ")
    image, kernel = "[[1,2,3],[4,5,6],[7,8,9]]", "[[1,0],[0,1]]"
    for padding, words in (("1", "with 1 zero on"), ("2", "with 2 zeros on")):
        solved = run("solve", "conv_forward", "-g", f"input={image}", "-g", f"filters={kernel}",
                     "-g", f"padding={padding}")  # fmt: skip
        assert solved.exit_code == 0 and words in solved.output, solved.output


@pytest.mark.parametrize(
    "error",
    [
        SpecError("spec.toml", "no instance", "question q.givens"),
        QuestionFileError("bad.toml", "no instance meets 'a == b'", "constraints[0]"),
        GivenError("conv_params", "expected a whole number", "kernel"),
        UnknownFamilyError("conv_parms", ["conv_params", "rnn_params"]),
        KeyFileError("key.json", "not a key"),
        SubmissionError("s.json", "not JSON"),
    ],
)
def test_an_error_raised_in_a_worker_reaches_the_parent_whole(error):
    """Workers' errors come back pickled; each must come back as itself, not break the pool."""
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert again.__dict__ == error.__dict__
