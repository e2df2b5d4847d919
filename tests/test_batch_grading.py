"""Grading a class: gradebook, feedback, report, atomic outputs, and bad files in the batch."""

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_no_key_in, filled_submission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.grading.batch as batch
from generator.cli import grade_main, main
from generator.errors import OutputError
from generator.grading.batch import grade_many


@pytest.fixture
def classroom(run, tmp_path):
    """Twelve students of the default exam, ten of whom handed in."""
    run("generate", "-n", "12", "--seed", "class")
    (exam,) = (tmp_path / "output").iterdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    for n in range(1, 11):
        student = f"v{n:03d}"
        submission = filled_submission(exam, student)
        if n % 3 == 0:  # some wrong answers
            submission["answers"]["tfa"]["answer"] = "maybe"
        (subs / f"{student}.json").write_text(json.dumps(submission))
    return exam, subs


def gradebook_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "gradebook.csv").read_text().splitlines()))


def grade(*args):
    return CliRunner().invoke(grade_main, list(args), catch_exceptions=False)


def test_a_class_is_graded_into_a_gradebook_feedback_and_a_report(classroom, tmp_path):
    _exam, subs = classroom
    result = grade(str(subs), "--out", "grades")
    assert result.exit_code == 0, result.output
    rows = gradebook_rows(tmp_path / "grades")
    assert [r["student_id"] for r in rows] == [f"v{n:03d}" for n in range(1, 13)]
    assert [r["status"] for r in rows].count("graded") == 10
    assert [r["status"] for r in rows].count("missing") == 2
    assert rows[0]["total"] == "100" and rows[2]["total"] == "98"
    assert "tfa (2)" in rows[0] and "table (6)" in rows[0]
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert report["exams"][0]["missing"] == ["v011", "v012"]
    assert [s["student_id"] for s in report["submissions"]] == [f"v{n:03d}" for n in range(1, 11)]
    assert sorted(p.name for p in (tmp_path / "grades").iterdir()) == [
        "canvas.csv",
        "feedback",
        "gradebook.csv",
        "report.json",
    ]  # nothing the workers staged is left behind
    feedback = (tmp_path / "grades" / "feedback" / "v003.md").read_text()
    assert "**Worked solution**" in feedback and "invalid" in feedback
    page = (tmp_path / "grades" / "feedback" / "v003.html").read_text()
    # the page carries KaTeX inside it: sent alone, it still typesets (test_pages_alone)
    assert (
        page.startswith("<!DOCTYPE")
        and 'data-math="mathml"' in page
        and "<script defer src" not in page
    )


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start) :].split(end, 1)[0]


def test_feedback_shows_each_question_and_solution_as_the_answer_key_does(run, classroom, tmp_path):
    exam, subs = classroom
    assert run("export", str(exam), "--format", "html").exit_code == 0
    grade(str(subs), "--out", "grades")
    key_md = (exam / "instructor" / "keys" / "v001.md").read_text()
    key_html = (exam / "instructor" / "keys" / "v001.html").read_text()
    feedback_md = (tmp_path / "grades" / "feedback" / "v001.md").read_text()
    feedback_html = (tmp_path / "grades" / "feedback" / "v001.html").read_text()
    sections = {text.split(") ", 1)[0].split("(", 1)[1]: text for text in key_md.split("\n## ")[2:]}
    for q in json.loads((exam / "instructor" / "index.json").read_text())["questions"]:
        section = _between(key_html, f'<section class="question" id="{q["id"]}">', "</section>")
        shown = _between(section, "</h2>\n", "<h3>Answer</h3>")
        solution = _between(section, '<div class="solution">', "</div>\n")
        page = _between(feedback_html, f'<section class="question" id="{q["id"]}">', "</section>")
        # the network table's blanks hold the student's answers (test_feedback_pages)
        page = re.sub(r'<span class="cell-answer [^"]*">.*?</span></span>', "", page)
        shown = shown.replace('<span class="blank-box"></span>', "")
        assert page.split("</h2>\n", 1)[1].startswith(shown.rstrip() + "\n<h3>Your answers</h3>")
        assert f'<div class="solution">{solution}</div>' in page
        md = sections[q["id"]]
        text = _between(md, "\n\n", "\n\n**Answer**")
        if "\\_" in text:  # the network table: its blanks hold the student's answers
            text = text.split("\\_")[0]
        assert text in feedback_md
        assert _between(md, "**Worked solution**\n\n", "\n\n") in feedback_md
    assert feedback_html.count('<ul class="options">') == key_html.count('<ul class="options">') > 0
    page = re.sub(r"<script>.*?</script>", "", feedback_html, flags=re.S)  # KaTeX's own source
    assert 'class="math inline"' in page and "$" not in page


def test_no_feedback_writes_the_same_gradebook_and_report_without_feedback(classroom, tmp_path):
    _exam, subs = classroom
    grade(str(subs), "--out", "full")
    result = grade(str(subs), "--out", "lean", "--no-feedback")
    assert result.exit_code == 0 and "gradebook, report.json" in result.output
    assert not (tmp_path / "lean" / "feedback").exists()
    for name in ("gradebook.csv", "report.json"):
        assert (tmp_path / "lean" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_batch_totals_equal_grading_each_file_alone(classroom, tmp_path, run):
    _exam, subs = classroom
    grade(str(subs), "--out", "grades")
    rows = {r["student_id"]: r for r in gradebook_rows(tmp_path / "grades")}
    for path in sorted(subs.iterdir())[:4]:
        alone = json.loads(run("grade", str(path), "--json").output)
        assert rows[alone["student_id"]]["total"] == f"{alone['points']:g}"


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_report_json_holds_each_kept_report_once_in_order(
    classroom, tmp_path, run, monkeypatch, kernel_copy
):
    """Bad files and set-aside second submissions between good ones split the runs of
    reports that report.json copies; where the kernel cannot copy, the bytes go through memory."""
    _exam, subs = classroom
    (subs / "v002-again.json").write_text((subs / "v002.json").read_text())
    (subs / "v004-broken.json").write_text("{not json")
    if not kernel_copy:

        def cannot(*args):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", cannot, raising=False)

    monkeypatch.setattr(batch, "CHUNK", 4)  # runs that end inside and between workers' files
    grade(str(subs), "--out", "grades", "--workers", "2", "--prefer", str(subs / "v002.json"))
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert [s["student_id"] for s in report["submissions"]] == [f"v{n:03d}" for n in range(1, 11)]
    for submission in report["submissions"][:3]:
        alone = json.loads(run("grade", submission["submission"], "--json").output)
        assert submission == alone


def test_parallel_and_serial_grading_agree(classroom):
    _exam, subs = classroom
    files = sorted(subs.iterdir())
    serial, _ = grade_many(files, None, Path("output"), workers=1)

    chunk, batch.CHUNK = batch.CHUNK, 3  # several tasks, so the pool really runs
    try:
        parallel, _ = grade_many(files, None, Path("output"), workers=2)
    finally:
        batch.CHUNK = chunk
    assert [o.report for o in serial] == [o.report for o in parallel]


def test_one_bad_file_never_stops_the_batch(classroom, tmp_path):
    _exam, subs = classroom
    (subs / "broken.json").write_text("{not json")
    (subs / "alien.json").write_text('{"exam_id": "other", "variant_id": "x", "answers": {}}')
    (subs / "huge.json").write_text(" " * 1_000_001)
    result = grade(str(subs), "--out", "grades")
    assert result.exit_code == 1
    assert "broken.json: not valid JSON" in result.output
    assert "alien.json: no key for exam 'other'" in result.output
    assert "huge.json: larger than" in result.output
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert len(report["errors"]) == 3 and report["exams"][0]["graded"] == 10


def test_two_files_claiming_one_student_are_never_settled_by_file_order(classroom, tmp_path):
    """A blank copy of a classmate's submission that sorts first once took their grade."""
    exam, subs = classroom
    blank = (exam / "students" / "v001" / "submission.json").read_text()
    (subs / "a-copy.json").write_text(blank)  # sorts before v001.json
    result = grade(str(subs), "--out", "grades")
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if line.startswith("conflict:")]
    assert "student v001 is claimed by 2 files, none graded" in line
    assert "a-copy.json (0 / 100)" in line and "v001.json (100 / 100)" in line
    assert "--prefer FILE" in line
    rows = {r["student_id"]: r for r in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["status"] == "conflict" and rows["v001"]["total"] == ""
    assert rows["v002"]["status"] == "graded"
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    (conflict,) = report["conflicts"]
    assert [Path(f["submission"]).name for f in conflict["files"]] == ["a-copy.json", "v001.json"]
    assert [f["points"] for f in conflict["files"]] == [0, 100]
    assert "v001" not in {s["student_id"] for s in report["submissions"]}
    feedback = sorted(p.name for p in (tmp_path / "grades" / "feedback").iterdir() if p.is_file())
    assert feedback == sorted(f"v{n:03d}.{ext}" for n in range(2, 11) for ext in ("md", "html"))


def test_the_instructor_settles_a_conflict_with_prefer_and_regrade_keeps_it(classroom, tmp_path):
    exam, subs = classroom
    (subs / "a-copy.json").write_text((exam / "students" / "v001" / "submission.json").read_text())
    result = grade(str(subs), "--out", "grades", "--prefer", str(subs / "v001.json"))
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["status"] == "graded" and rows["v001"]["total"] == "100"
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert report["conflicts"] == [] and report["preferred"] == [str(subs / "v001.json")]
    result = CliRunner().invoke(main, ["regrade", "grades"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["total"] == "100"


def test_regrade_still_sees_both_files_of_a_conflict(classroom, tmp_path):
    exam, subs = classroom
    (subs / "a-copy.json").write_text((exam / "students" / "v001" / "submission.json").read_text())
    grade(str(subs), "--out", "grades")
    result = CliRunner().invoke(
        main, ["regrade", "grades", "--prefer", str(subs / "a-copy.json")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["status"] == "graded" and rows["v001"]["total"] == "0"


def test_an_existing_gradebook_is_never_silently_overwritten(classroom, tmp_path):
    _exam, subs = classroom
    grade(str(subs), "--out", "grades")
    book = tmp_path / "grades" / "gradebook.csv"
    book.write_text("the instructor's hand edits")
    result = grade(str(subs), "--out", "grades")
    assert result.exit_code == 2 and "already exists (use --force" in result.output
    assert book.read_text() == "the instructor's hand edits"
    assert grade(str(subs), "--out", "grades", "--force").exit_code == 0
    assert book.read_text().startswith("student_id,")


def test_regrading_is_idempotent(classroom, tmp_path):
    _exam, subs = classroom
    grade(str(subs), "--out", "first")
    grade(str(subs), "--out", "second")
    for path in (tmp_path / "first").rglob("*"):
        if path.is_file():
            assert (
                path.read_bytes()
                == (tmp_path / "second" / path.relative_to(tmp_path / "first")).read_bytes()
            )


def test_a_crash_halfway_leaves_no_half_written_output(classroom, tmp_path, monkeypatch):
    _exam, subs = classroom
    written = []

    def failing_on_the_fifth_file(original):
        def write(self, *args, **kwargs):
            written.append(self)
            if len(written) == 5:
                raise OSError(28, "No space left on device")
            return original(self, *args, **kwargs)

        return write

    for method in ("write_text", "write_bytes"):
        monkeypatch.setattr(Path, method, failing_on_the_fifth_file(getattr(Path, method)))
    monkeypatch.setattr(batch, "write_new", failing_on_the_fifth_file(batch.write_new))
    with pytest.raises(OutputError, match="No space left on device"):
        from generator.grading.batch import collect
        from generator.grading.gradebook import grade_class

        grade_class(collect([subs]), None, Path("output"), tmp_path / "grades", False, workers=1)
    assert not (tmp_path / "grades").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".grades")]


def test_hostile_answers_are_escaped_in_html_feedback(classroom, tmp_path):
    _exam, subs = classroom
    submission = json.loads((subs / "v001.json").read_text())
    submission["answers"]["hinge"]["loss"] = "<script>alert('x')</script>"
    submission["answers"]["graph"]["value"] = '<img src=x onerror="alert(1)">'
    (subs / "v001.json").write_text(json.dumps(submission))
    grade(str(subs), "--out", "grades")
    html = (tmp_path / "grades" / "feedback" / "v001.html").read_text()
    html = html.rsplit("<script>", 2)[0]  # but KaTeX and the script running it, examgen's own
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_nothing_a_student_sees_reveals_the_key(run, tmp_path):
    """Every key value that is not also a given must be absent from sheets and submissions,
    the HTML answer form's every byte included: its page, data attributes and scripts."""
    html = ("--format", "md,html")
    run("generate", "losses-and-gradients", "-n", "3", "--seed", "secret-check", *html)
    run("generate", "-n", "3", "--seed", "secret-check", "--out", "o2", *html)
    for root in (tmp_path / "output", tmp_path / "o2"):
        (exam,) = root.iterdir()
        key = json.loads((exam / "instructor" / "key.json").read_text())
        assert key["seed"] not in "".join(p.read_text() for p in (exam / "students").rglob("*.*"))
        for variant in key["variants"]:
            folder = exam / "students" / variant["student_id"]
            student_text = "".join(p.read_text() for p in folder.iterdir())
            assert_no_key_in(student_text, variant)


FIXTURES = [HealthCheck.function_scoped_fixture]  # the classroom is read, never changed

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(["exam_id", "variant_id", "student_id", "answers", "extra"]),
            json_values,
        ),
    )
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_submission_crashes_the_grader_or_changes_anothers_result(classroom, value):
    exam, subs = classroom
    fuzz_dir = subs.parent / "fuzz"
    fuzz_dir.mkdir(exist_ok=True)
    (fuzz_dir / "a.json").write_text((subs / "v001.json").read_text())
    (fuzz_dir / "b.json").write_text(json.dumps(value))
    outcomes, _ = grade_many(
        sorted(fuzz_dir.iterdir()), exam / "instructor" / "key.json", Path("output"), workers=1
    )
    assert outcomes[0].report["points"] == 100
    assert outcomes[1].report is not None or outcomes[1].error


@given(st.dictionaries(st.sampled_from(["answer", "loss", "x"]), json_values, max_size=3))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_answers_inside_a_valid_submission_never_crash(classroom, answers):
    exam, subs = classroom
    submission = json.loads((subs / "v002.json").read_text())
    submission["answers"]["hinge"] = answers
    path = subs.parent / "fuzzed.json"
    path.write_text(json.dumps(submission))
    (outcome,), _ = grade_many([path], exam / "instructor" / "key.json", Path("output"), workers=1)
    assert outcome.report is not None or outcome.error


def test_regrade_after_dropping_a_question_shows_each_students_change(classroom, tmp_path, run):
    exam, subs = classroom
    grade(str(subs), "--out", "grades")
    result = run("regrade", "grades", "--drop", "tfa")
    assert result.exit_code == 0, result.output
    assert "v001: 100 / 100 → 98 / 98 (tfa -2)" in result.output  # the maximum dropped too
    # v003 had tfa invalid: the points stay, the maximum drops
    assert "v003: 98 / 100 → 98 / 98\n" in result.output
    rows = gradebook_rows(tmp_path / "grades")
    assert "tfa (dropped)" in rows[0] and rows[0]["max_points"] == "98"
    key = json.loads((exam / "instructor" / "key.json").read_text())
    assert key["dropped"] == ["tfa"]
    found = json.loads((tmp_path / "grades" / "changes.json").read_text())["changes"]
    # every student's maximum drops; the seven who had tfa right lose its 2 points too
    assert len(found) == 10 and sum(bool(c["questions"]) for c in found) == 7
    # the shards written again lay out the pages as rendering from key.json does
    shutil.rmtree(exam / "instructor" / "variants")
    grade(str(subs), "--out", "from-key")
    for name in ("v001.md", "v001.html", "v003.md", "v003.html"):
        page = (tmp_path / "grades" / "feedback" / name).read_text()
        assert page == (tmp_path / "from-key" / "feedback" / name).read_text()
        assert "(tfa) True or false: dropped" in page


def test_regrade_after_correcting_a_key_regrades_against_the_fix(classroom, tmp_path, run):
    exam, subs = classroom
    grade(str(subs), "--out", "grades")
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == "v001")
    tf = variant["questions"][0]["parts"][0]
    tf["key"] = not tf["key"]  # the instructor's fix: the key was wrong
    key_file.write_text(json.dumps(key))
    result = run("regrade", "grades")
    assert result.exit_code == 0
    assert result.output.strip() == "v001: 100 / 100 → 97 / 100 (tfa -3)"  # +2 became −1
    assert run("regrade", "grades").output.strip() == "no student's points changed"


def test_regrade_refuses_an_unknown_question(classroom, run):
    _exam, subs = classroom
    grade(str(subs), "--out", "grades")
    result = run("regrade", "grades", "--drop", "q99")
    assert (
        result.exit_code == 2
        and "--drop q99: no question, bank item or family 'q99'" in result.output
    )


def test_the_preferred_submission_keeps_its_feedback_when_another_was_written_first(
    classroom, tmp_path, monkeypatch
):
    import generator.grading.gradebook as gradebook

    _exam, subs = classroom
    later = json.loads((subs / "v001.json").read_text())
    later["answers"]["tfa"]["answer"] = "maybe"
    (subs / "v001z.json").write_text(json.dumps(later))  # sorts after v001.json
    real = gradebook.grade_many

    def claimed_first(paths, key, search, workers, progress, feedback, reports, *notes):
        # as when another worker graded the later file first and took the student's name
        (feedback / "v001.md").write_text("the later submission's feedback")
        return real(paths, key, search, workers, progress, feedback, reports, *notes)

    monkeypatch.setattr(gradebook, "grade_many", claimed_first)
    grade(str(subs), "--out", "grades", "--workers", "1", "--prefer", str(subs / "v001.json"))
    folder = tmp_path / "grades" / "feedback"
    first = (folder / "v001.md").read_text()
    assert "feedback for v001" in first and "is not true or false" not in first
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        f"v{n:03d}.{ext}" for n in range(1, 11) for ext in ("md", "html")
    )


def test_two_exams_graded_together_get_a_gradebook_and_feedback_folder_each(
    run, classroom, tmp_path
):
    first, subs = classroom
    run("generate", "-n", "2", "--seed", "retake")
    (second,) = [p for p in (tmp_path / "output").iterdir() if p != first]
    (subs / "retake-v001.json").write_text(json.dumps(filled_submission(second, "v001")))
    result = grade(str(subs), "--out", "grades")
    assert result.exit_code == 0, result.output
    grades = tmp_path / "grades"
    assert (grades / f"gradebook-{first.name}.csv").is_file()
    assert (grades / f"gradebook-{second.name}.csv").is_file()
    folders = sorted(p.name for p in (grades / "feedback").iterdir())
    assert folders == sorted([first.name, second.name])
    assert len(list((grades / "feedback" / first.name).glob("*.md"))) == 10
    # each page carries KaTeX inside it: no assets folder beside the pages
    assert sorted(p.name for p in (grades / "feedback" / second.name).iterdir()) == [
        "v001.html",
        "v001.md",
    ]


def test_an_integer_answer_beyond_64_bits_is_graded_and_reported(classroom, tmp_path):
    _exam, subs = classroom
    submission = json.loads((subs / "v002.json").read_text())
    submission["answers"]["size"]["output"] = 10**30
    (subs / "v002.json").write_text(json.dumps(submission))
    assert grade(str(subs), "--out", "grades").exit_code == 0
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    (graded,) = [s for s in report["submissions"] if s["student_id"] == "v002"]
    (size,) = [q for q in graded["questions"] if q["id"] == "size"]
    assert size["parts"][0]["answer"] == 10**30, size["parts"][0]["feedback"]
    assert size["parts"][0]["status"] in ("wrong", "invalid")
