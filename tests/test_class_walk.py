"""Walking a class folder: whatever an unzipped upload holds (a tree deeper than the path
limit, a folder that cannot be read or vanishes, a name that is not UTF-8), each problem is
one refused entry and every good submission is graded; and examgen never grades the folders
it wrote itself."""

import csv
import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import filled_submission

import generator.grading.class_walk as class_walk
from generator.cli import grade_main, main

STUDENTS = ("v001", "v002", "v003")


def grade(*args):
    return CliRunner().invoke(grade_main, [str(a) for a in args], catch_exceptions=False)


def a_class(exam: Path, folder: Path) -> Path:
    """The three students' right answers, each in a folder of their own."""
    for student in STUDENTS:
        (folder / student).mkdir(parents=True)
        data = json.dumps(filled_submission(exam, student))
        (folder / student / "submission.json").write_text(data)
    return folder


def graded_ids(out: Path) -> list[str]:
    with (out / "gradebook.csv").open(newline="") as stream:
        return [row["student_id"] for row in csv.DictReader(stream) if row["status"] == "graded"]


def error_lines(result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def deep_tree(top: Path, levels: int, name: str) -> None:
    """``levels`` nested folders called ``name`` below ``top``, with a submission-like file
    at the bottom: made relative to an open folder, as a path this long cannot be opened."""
    handle = os.open(top, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=handle)
            inner = os.open(name, os.O_RDONLY, dir_fd=handle)
            os.close(handle)
            handle = inner
        made = os.open("deep.json", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle)
        os.write(made, b"{}")
        os.close(made)
    finally:
        os.close(handle)


def remove_deep_tree(top: Path, levels: int, name: str) -> None:
    """Remove what ``deep_tree`` made, from the bottom up, one folder step at a time:
    shutil.rmtree recurses once per level, and pytest's clean-up of a tree this deep
    would fail for every later run."""
    back = os.getcwd()
    os.chdir(top)
    try:
        for _ in range(levels):
            os.chdir(name)
        for entry in os.listdir("."):
            os.unlink(entry)
        for _ in range(levels):
            os.chdir("..")
            os.rmdir(name)
    finally:
        os.chdir(back)


def test_a_folder_tree_deeper_than_the_path_limit_is_one_refused_entry(run, exam, tmp_path):
    subs = a_class(exam, tmp_path / "subs")
    deep_tree(subs / "v002", 25, "d" * 200)  # 5,000 bytes of path: past Linux's 4,096
    try:
        result = grade(subs, "--out", tmp_path / "grades")
        assert result.exit_code == 1, result.output
        (line,) = error_lines(result)
        assert "cannot read the folder" in line and "longer than the system's limit" in line
        assert len(line) < 400 and "…" in line  # the path is named, shortened
        assert graded_ids(tmp_path / "grades") == list(STUDENTS)
        report = json.loads((tmp_path / "grades" / "report.json").read_text())
        (error,) = report["errors"]
        assert error["folder"] is True and error["submission"].startswith(str(subs / "v002"))
    finally:
        remove_deep_tree(subs / "v002", 25, "d" * 200)


def test_a_tree_a_thousand_folders_deep_is_walked_and_its_file_graded(run, exam, tmp_path):
    """Deep but within the path limit: the walk keeps its own list of folders, so depth
    never runs into Python's recursion limit."""
    subs = a_class(exam, tmp_path / "subs")
    deep_tree(subs / "v003", 1200, "d")
    try:
        bottom = Path(subs / "v003", *["d"] * 1200, "deep.json")
        bottom.write_text(json.dumps(filled_submission(exam, "v003")))
        (subs / "v003" / "submission.json").unlink()
        result = grade(subs, "--out", tmp_path / "grades")
        assert result.exit_code == 0, result.output
        assert graded_ids(tmp_path / "grades") == list(STUDENTS)
    finally:
        remove_deep_tree(subs / "v003", 1200, "d")


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.EACCES, "permission denied"),
        (errno.ENOENT, "it vanished while the class was read"),
        (errno.ELOOP, "a loop of symbolic links"),
        (errno.ENAMETOOLONG, "the path is longer than the system's limit"),
        (errno.EIO, "Input/output error"),
    ],
)
def test_a_folder_that_cannot_be_listed_is_refused_and_the_class_goes_on(
    run, exam, tmp_path, monkeypatch, code, words
):
    subs = a_class(exam, tmp_path / "subs")
    (subs / "v002" / "more").mkdir()
    real = os.scandir

    def failing(path):
        if isinstance(path, str) and Path(path).name == "more":
            raise OSError(code, os.strerror(code), str(path))
        return real(path)

    monkeypatch.setattr(class_walk.os, "scandir", failing)
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result)
    assert f"{subs / 'v002' / 'more'}: cannot read the folder ({words}" in line
    assert graded_ids(tmp_path / "grades") == list(STUDENTS)


def test_a_folder_whose_name_is_not_utf8_is_one_refused_entry(run, exam, tmp_path):
    subs = a_class(exam, tmp_path / "subs")
    odd = subs / os.fsdecode(b"upload-\xff")
    odd.mkdir()
    for n in range(3):
        (odd / f"f{n}.json").write_text(json.dumps(filled_submission(exam, "v001")))
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result)
    assert "upload-\\udcff: the folder's name is not UTF-8" in line
    assert graded_ids(tmp_path / "grades") == list(STUDENTS)
    json.loads((tmp_path / "grades" / "report.json").read_text(encoding="utf-8"))


def test_regrade_walks_a_folder_it_could_not_read_again(run, exam, tmp_path, monkeypatch):
    subs = a_class(exam, tmp_path / "subs")
    (subs / "v002" / "submission.json").rename(subs / "v002" / "later.json")
    real = os.scandir

    def failing(path):
        if isinstance(path, str) and Path(path).name == "v002":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(class_walk.os, "scandir", failing)
    assert grade(subs, "--out", tmp_path / "grades").exit_code == 1
    assert graded_ids(tmp_path / "grades") == ["v001", "v003"]
    monkeypatch.setattr(class_walk.os, "scandir", real)  # the instructor fixed it
    result = CliRunner().invoke(main, ["regrade", str(tmp_path / "grades")])
    assert result.exit_code == 0, result.output
    assert graded_ids(tmp_path / "grades") == list(STUDENTS)


def test_grading_into_a_folder_inside_the_class_twice_never_grades_its_own_report(
    run, exam, tmp_path
):
    subs = a_class(exam, tmp_path / "subs")
    first = grade(subs, "--out", subs / "grades")
    assert first.exit_code == 0, first.output
    before = (subs / "grades" / "report.json").read_bytes()
    second = grade(subs, "--out", subs / "grades", "--force")
    assert second.exit_code == 0, second.output
    assert f"note: {subs / 'grades'}: a grades folder examgen wrote" in second.output
    assert error_lines(second) == []
    assert graded_ids(subs / "grades") == list(STUDENTS)
    assert (subs / "grades" / "report.json").read_bytes() == before


def test_a_staging_folder_a_killed_run_left_in_the_class_is_passed_over(run, exam, tmp_path):
    subs = a_class(exam, tmp_path / "subs")
    staging = subs / ".grades-k1ll3d"
    (staging / ".reports").mkdir(parents=True)
    (staging / ".examgen-run").touch()
    (staging / ".reports" / "0.json").write_text('{"submission":"x"},{"submission":"y"}')
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 0, result.output
    assert "a grading run's staging folder" in result.output
    assert graded_ids(tmp_path / "grades") == list(STUDENTS)


def test_a_students_file_named_report_json_is_still_graded(run, exam, tmp_path):
    """Only a report.json as grade writes it marks a grades folder: a student who names
    their submission report.json is graded as anyone else."""
    subs = a_class(exam, tmp_path / "subs")
    (subs / "v002" / "submission.json").rename(subs / "v002" / "report.json")
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 0, result.output
    assert graded_ids(tmp_path / "grades") == list(STUDENTS)


def test_an_error_in_a_file_deep_in_the_class_names_it_shortened_and_keeps_the_reason(
    run, exam, tmp_path
):
    subs = a_class(exam, tmp_path / "subs")
    deep_tree(subs / "v002", 15, "d" * 200)  # 3,000 bytes: can be read, too long to print
    try:
        result = grade(subs, "--out", tmp_path / "grades")
        assert result.exit_code == 1, result.output
        (line,) = error_lines(result)
        assert line.endswith("deep.json: missing the field 'exam_id'") and "…" in line
        assert len(line) < 300
    finally:
        remove_deep_tree(subs / "v002", 15, "d" * 200)


@pytest.mark.parametrize(
    "name", ["submission.JSON", "submission.json.txt", "submission.txt", "answers.Json"]
)
def test_a_misnamed_hand_in_is_named_in_a_note_not_passed_over_in_silence(run, exam, name):
    handed = exam.parent / "handed-in"
    (handed / "s1").mkdir(parents=True)
    (handed / "s2").mkdir()
    (handed / "s1" / "submission.json").write_text(json.dumps(filled_submission(exam, "v001")))
    (handed / "s2" / name).write_text(json.dumps(filled_submission(exam, "v002")))
    (handed / "s2" / "sheet.md").write_text("# the sheet, handed back")
    result = run("grade", str(handed), "--out", "grades")
    assert f"s2/{name}: not graded, as only files named *.json are read" in result.output
    assert "sheet.md" not in result.output
