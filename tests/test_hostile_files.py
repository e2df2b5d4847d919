"""What a hostile file can do to grading: nothing but get itself refused on one line.

Each test pins one way a student's upload (or a careless hand edit) once crashed, stalled or
fooled grade; the class around it is always graded.
"""

import csv
import json
import os
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import grade_main
from generator.errors import ExamgenError, quoted
from generator.grading.gradebook import spreadsheet_text


def grade(*args):
    return CliRunner().invoke(grade_main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def submission(exam, tmp_path):
    """A student's submission, filled in with the key, as JSON text to corrupt."""
    return json.dumps(filled_submission(exam), indent=1)


def class_with(exam, tmp_path, bad: dict[str, str | bytes]) -> Path:
    """A class folder: the three students' right answers, and the ``bad`` files."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("v001", "v002", "v003"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    for name, data in bad.items():
        path = subs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return subs


def answer_text(exam, student: str, raw_json: str) -> str:
    """``student``'s right submission whose first answer is the JSON string ``raw_json``."""
    data = filled_submission(exam, student)
    data["answers"]["q1"]["output"] = "@@"
    return json.dumps(data).replace('"@@"', f'"{raw_json}"')


def graded_ids(out: Path) -> list[str]:
    with (out / "gradebook.csv").open(newline="") as stream:
        return [row["student_id"] for row in csv.DictReader(stream) if row["status"] == "graded"]


def one_line_error(result, *words: str) -> None:
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors, result.output
    assert all(word in errors[0] for word in words), errors[0]


HUGE_INTEGER = "1" + "0" * 5000


@pytest.mark.parametrize(
    "corrupt, words",
    [
        (
            lambda text: text.replace('"answers": {', f'"n": {HUGE_INTEGER}, "answers": {{', 1),
            ["more than 4,300 digits"],
        ),
        (lambda text: text.replace('"v001"', '"\\ud800"', 1), ["half a character"]),
        (lambda text: text.replace('"v001"', '"v\\u0000"', 1), ["NUL character"]),
        (lambda text: text.replace('"v001"', '"\\udc00x"', 1), ["half a character"]),
        (
            lambda text: text.replace('"answers": {', '"n": NaN, "answers": {', 1),
            ["NaN is not a JSON number"],
        ),
        (
            lambda text: text.replace('"answers": {', '"n": -Infinity, "answers": {', 1),
            ["-Infinity is not a JSON number"],
        ),
    ],
)
def test_json_python_would_choke_on_or_strict_parsers_refuse_is_one_line(
    run, exam, tmp_path, submission, corrupt, words
):
    (tmp_path / "bad.json").write_text(corrupt(submission))
    for args in ([], ["--json"]):
        result = grade(tmp_path / "bad.json", *args)
        assert result.exit_code == 2
        one_line_error(result, "bad.json", *words)


def test_a_lone_surrogate_or_huge_number_in_one_file_never_stops_the_class(
    run, exam, tmp_path, submission
):
    bad = {
        "huge.json": submission.replace('"answers": {', f'"n": {HUGE_INTEGER}, "answers": {{', 1),
        "surrogate.json": submission.replace('"v001"', '"\\ud800"', 1),
        "answer-surrogate.json": answer_text(exam, "v002", "\\udfff"),
    }
    subs = class_with(exam, tmp_path, bad)
    for feedback in ([], ["--no-feedback"]):
        out = tmp_path / f"grades{len(feedback)}"
        result = grade(subs, "--out", out, *feedback)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert graded_ids(out) == ["v001", "v002", "v003"]
        errors = json.loads((out / "report.json").read_text())["errors"]
        assert sorted(Path(e["submission"]).name for e in errors) == sorted(bad)


def test_a_nul_hand_edited_into_key_json_stops_grading_naming_the_key(run, exam, tmp_path):
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["title"] = "Quiz\u0000"  # the mark feedback pages' slots are made of
    key_file.write_text(json.dumps(key))
    (tmp_path / "s.json").write_text(json.dumps(filled_submission(exam, "v001")))
    result = grade(tmp_path / "s.json", "--out", tmp_path / "grades")
    assert result.exit_code == 2
    one_line_error(result, "key.json", "NUL character")
    assert "please report" not in result.output


def test_a_utf8_bom_as_windows_editors_write_it_is_accepted(run, exam, tmp_path, submission):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + submission.encode())
    result = grade(tmp_path / "bom.json")
    assert result.exit_code == 0, result.output
    assert "Total: 32 / 32" in result.output


def test_a_fifo_among_the_submissions_is_refused_not_waited_on(run, exam, tmp_path):
    subs = class_with(exam, tmp_path, {})
    os.mkfifo(subs / "pipe.json")
    result = grade(subs / "pipe.json")
    assert result.exit_code == 2
    one_line_error(result, "pipe.json", "not a regular file")
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 1
    one_line_error(result, "pipe.json", "not a regular file")
    assert graded_ids(tmp_path / "grades") == ["v001", "v002", "v003"]


def test_a_key_planted_in_an_upload_folder_is_never_used(run, exam, tmp_path):
    """A student's folder carrying EXAM_ID/instructor/key.json of their own making, whose
    roster gives their variant to another student id and sends feedback to ../../../X."""
    key = json.loads((exam / "instructor" / "key.json").read_text())
    forged = json.loads(json.dumps(key))
    for variant in forged["variants"]:
        for question in variant["questions"]:
            for part in question["parts"]:
                part["key"] = "1"  # what the student wrote everywhere
    forged["variants"][0]["student_id"] = "../../../X"
    uploads = tmp_path / "uploads"
    planted = uploads / "mallory" / exam.name / "instructor"
    planted.mkdir(parents=True)
    (planted / "key.json").write_text(json.dumps(forged))
    blank = json.loads((exam / "students" / "v001" / "submission.json").read_text())
    for answers in blank["answers"].values():
        for part in answers:
            answers[part] = "1"
    (planted.parent / "submission.json").write_text(json.dumps(blank))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)  # no ./output here: the key is found nowhere but where told
    result = grade(uploads, "--out", "grades")
    assert result.exit_code == 1, result.output
    one_line_error(result, "no key for exam", "--exams")
    result = grade(uploads, "--out", "grades2", "--exams", tmp_path / "output")
    report = json.loads((elsewhere / "grades2" / "report.json").read_text())
    (graded,) = report["submissions"]
    assert graded["student_id"] == "v001" and graded["points"] < graded["max_points"]
    assert not (tmp_path / "X").exists() and not Path("/X").exists()
    assert not list(tmp_path.parent.glob("X*"))


def test_an_exam_id_that_is_no_exam_id_never_names_a_path(run, exam, tmp_path, submission):
    data = json.loads(submission)
    for exam_id in ("x" * 300, "../output/" + exam.name, "/etc", ".hidden", ""):
        data["exam_id"] = exam_id
        (tmp_path / "bad.json").write_text(json.dumps(data))
        result = grade(tmp_path / "bad.json")
        assert result.exit_code == 2
        one_line_error(result, "bad.json", "is not an exam id")
    data["exam_id"] = "x" * 300
    subs = class_with(exam, tmp_path, {"long.json": json.dumps(data)})
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 1
    assert graded_ids(tmp_path / "grades") == ["v001", "v002", "v003"]


def test_error_lines_escape_control_characters_and_cut_long_ids(run, exam, tmp_path, submission):
    data = json.loads(submission)
    data["student_id"] = "\x1b[2J\x1b[31mowned" + "A" * 900_000
    (tmp_path / "bad.json").write_text(json.dumps(data))
    result = grade(tmp_path / "bad.json")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "\x1b" not in line and "\\x1b[2J" in line
    assert len(line) < 500


def test_quoted_escapes_what_a_terminal_acts_on():
    assert quoted("a\x1b[31mb\u202ec\ud800") == "'a\\x1b[31mb\\u202ec\\ud800'"
    assert quoted("x" * 100, most=5) == "'xxxxx…'"
    assert str(ExamgenError("one\nline\x07")) == "one line\\x07"
    assert len(str(ExamgenError("x" * 10_000))) <= 1001


def test_a_gradebook_never_holds_a_formula_a_spreadsheet_would_run(run, tmp_path):
    names = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    rows = ["id,name"] + [
        f's{n},"{name.replace(chr(34), chr(34) * 2)}"' for n, name in enumerate(names)
    ]
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(
        __import__("generator.cli").cli.main,
        ["generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "s"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s0.json").write_text(json.dumps(filled_submission(exam, "s0")))
    assert grade(subs, "--out", "grades").exit_code == 0
    with (tmp_path / "grades" / "gradebook.csv").open(newline="") as stream:
        cells = [row["name"] for row in csv.DictReader(stream)]
    assert cells == ["'" + name for name in names]


def test_spreadsheet_text_neutralises_every_formula_start_owasp_lists():
    for start in "=+-@\t\r":
        assert spreadsheet_text(f"{start}1") == f"'{start}1"
    assert spreadsheet_text("Ann O'Neil") == "Ann O'Neil"


def test_a_roster_name_with_a_line_break_is_one_student_on_one_line(run, tmp_path):
    (tmp_path / "roster.csv").write_text(
        'id,name\na1,Ann\u2028Smith\na2,Bo\u0085b\na3,"Cy\u2029# Heading\tJones"\n', newline=""
    )
    result = run("generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "s")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    index = json.loads((exam / "instructor" / "index.json").read_text())
    assert [(v["student_id"], v["name"]) for v in index["variants"]] == [
        ("a1", "Ann Smith"),
        ("a2", "Bo\u0085b"),  # cp1252's "…" misread: a character, not a break
        ("a3", "Cy # Heading Jones"),
    ]


def test_a_feedback_page_names_its_student_as_the_roster_writes_them(run, tmp_path):
    (tmp_path / "roster.csv").write_text('id,name\ns1,"<b>Ann</b> *O_Neil*"\ns2,\n')
    result = run("generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "s")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("s1", "s2"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    assert grade(subs, "--out", tmp_path / "grades").exit_code == 0
    feedback = tmp_path / "grades" / "feedback"
    heading = (feedback / "s1.md").read_text().splitlines()[0]
    assert heading.endswith(": feedback for s1 (&lt;b&gt;Ann&lt;/b&gt; \\*O\\_Neil\\*)")
    page = (feedback / "s1.html").read_text()
    assert ": feedback for s1 (&lt;b&gt;Ann&lt;/b&gt; *O_Neil*)</h1>" in page
    assert (feedback / "s2.md").read_text().splitlines()[0].endswith(": feedback for s2")


def test_markdown_feedback_shows_a_students_html_and_markup_as_text(run, exam, tmp_path):
    subs = class_with(exam, tmp_path, {})
    data = filled_submission(exam, "v001")
    data["answers"]["q1"]["output"] = "<img src=x onerror=alert(1)> [link](javascript:x) *b*"
    (subs / "v001.json").write_text(json.dumps(data))
    assert grade(subs, "--out", tmp_path / "grades").exit_code == 0
    page = (tmp_path / "grades" / "feedback" / "v001.md").read_text()
    assert "<img" not in page and "[link](" not in page and "*b*" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; [link\\](javascript:x) \\*b\\*" in page


def test_a_feedback_line_on_the_terminal_escapes_what_the_answer_carried(run, exam, tmp_path):
    data = filled_submission(exam, "v001")
    data["answers"]["q3"]["weights"] = "\x1b]0;owned\x07"  # quoted back by the feedback
    (tmp_path / "s.json").write_text(json.dumps(data))
    result = grade(tmp_path / "s.json")
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07" in result.output


def test_a_tiny_number_is_called_too_small_not_too_large():
    from generator.answers.types import parse_real

    assert "too small or too precise" in parse_real("1e-40").message
    assert "too large" in parse_real("1e40 * 1e40").message


def test_a_file_name_that_is_not_utf8_is_named_escaped_and_the_class_goes_on(run, exam, tmp_path):
    subs = class_with(exam, tmp_path, {})
    name = os.fsdecode(b"bad-\xff.json")
    (subs / name).write_text(json.dumps(filled_submission(exam, "v002")))
    result = grade(subs, "--out", tmp_path / "grades")
    assert result.exit_code == 1
    one_line_error(result, "bad-\\udcff.json", "not UTF-8")
    assert graded_ids(tmp_path / "grades") == ["v001", "v002", "v003"]
    json.loads((tmp_path / "grades" / "report.json").read_text())  # UTF-8 throughout


def test_stats_shows_a_students_answer_escaped_on_the_terminal_and_page(run, exam, tmp_path):
    data = filled_submission(exam, "v001")
    data["answers"]["q1"]["output"] = "\x1b[2J\x1b[31mowned"
    (tmp_path / "s.json").write_text(json.dumps(data))
    assert grade(tmp_path / "s.json", "--out", tmp_path / "grades").exit_code == 0
    result = CliRunner().invoke(
        __import__("generator.cli").cli.main, ["stats", str(tmp_path / "grades")]
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\\x1b[2J\\x1b[31mowned" in result.output
    assert "\x1b" not in (tmp_path / "grades" / "stats.html").read_text()


def test_a_hand_edited_shard_naming_a_path_is_refused(run, exam, tmp_path):
    data = filled_submission(exam, "v001")
    shard = exam / "instructor" / "variants" / f"{data['variant_id']}.zst"
    unpacked = zstandard.ZstdDecompressor().decompress(shard.read_bytes())
    head, _, pages = unpacked.partition(b"\n")
    layout = json.loads(head)
    layout["student_id"] = "../../../X"
    relaid = json.dumps(layout).encode() + b"\n" + pages
    shard.write_bytes(zstandard.ZstdCompressor().compress(relaid))
    (tmp_path / "s.json").write_text(json.dumps({**data, "student_id": "../../../X"}))
    result = grade(tmp_path / "s.json", "--out", tmp_path / "grades")
    assert result.exit_code == 1  # the shard passed over, key.json says whose the variant is
    one_line_error(result, "s.json", "belongs to student 'v001', not '../../../X'")
    assert not list(tmp_path.parent.glob("X*")) and not (tmp_path / "X").exists()
