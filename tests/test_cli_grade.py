"""grade: scores from the key, and bad submissions refused one line at a time."""

import json

import pytest
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import grade_main


def write(tmp_path, data, name="submission.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_submission_built_from_the_key_scores_full_marks(run, exam, tmp_path):
    write(tmp_path, filled_submission(exam))
    result = run("grade", "submission.json", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["points"] == report["max_points"] == 32
    assert all(p["status"] == "correct" for q in report["questions"] for p in q["parts"])


def test_the_key_is_found_inside_the_exam_directory_too(run, exam):
    path = exam / "students" / "v002" / "submission.json"
    path.write_text(json.dumps(filled_submission(exam, "v002")))
    result = run("grade", str(path))
    assert result.exit_code == 0, result.output
    assert "Total: 32 / 32 (100.0%)" in result.output


def test_a_perturbed_submission_scores_less_and_says_why(run, exam, tmp_path):
    submission = filled_submission(exam)
    table = submission["answers"]["q4"]
    table["row1.params"] = str(int(table["row1.params"]) + 1)
    table["row1.shape"] = "1x2"
    submission["answers"]["q1"]["output"] = "abc"
    submission["answers"]["q5"]["receptive_field"] = ""
    write(tmp_path, submission)
    result = run("grade", "submission.json")
    assert result.exit_code == 0
    assert "[wrong: expected " in result.output
    assert "[invalid: 'abc' is not a size" in result.output
    assert "receptive_field = (blank)  [blank]" in result.output
    report = json.loads(run("grade", "submission.json", "--json").output)
    assert report["points"] < report["max_points"]


def test_arithmetic_and_shape_spellings_earn_full_marks(run, tmp_path):
    run("generate", "midterm-3-3", "--seed", "m")
    (exam,) = (tmp_path / "output").iterdir()
    submission = filled_submission(exam)
    submission["answers"]["p3_3"].update(
        {
            "row1.shape": "32 x 32 x 10",
            "row1.params": "10x1x5x5 + 10",
            "row3.shape": "(16, 16, 10)",
            "row3.params": "10x10x5x5 + 10",
            "row5.params": "8x8x10x10 + 10",
        }
    )
    write(tmp_path, submission)
    report = json.loads(run("grade", "submission.json", "--json").output)
    assert report["points"] == report["max_points"]


def test_the_standalone_grade_script_matches_examgen_grade(run, exam, tmp_path):
    write(tmp_path, filled_submission(exam))
    result = CliRunner().invoke(grade_main, ["submission.json"])
    assert result.exit_code == 0
    assert result.output == run("grade", "submission.json").output


def mutate(exam, change):
    submission = filled_submission(exam)
    change(submission)
    return submission


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda exam: "{not json", "not valid JSON"),
        (lambda exam: b"\xff\xfe{}", "not UTF-8"),
        (lambda exam: "[]", "expected a JSON object"),
        (
            lambda exam: '{"exam_id": "a", "exam_id": "b", "variant_id": "x", "answers": {}}',
            "the key 'exam_id' appears twice",
        ),
        (lambda exam: "[" * 100000 + "]" * 100000, "nested too deeply"),
        (lambda exam: " " * 1_000_001, "larger than the 1,000,000-byte limit"),
        (lambda exam: mutate(exam, lambda s: s.pop("answers")), "missing the field 'answers'"),
        (
            lambda exam: mutate(exam, lambda s: s.update(exam_id="other-exam")),
            "no key for exam 'other-exam'",
        ),
        (
            lambda exam: mutate(exam, lambda s: s.update(variant_id="0000000000")),
            "variant_id '0000000000' is not in the key",
        ),
        (
            lambda exam: mutate(exam, lambda s: s.update(student_id="v002")),
            "belongs to student 'v001', not 'v002'",
        ),
        (
            lambda exam: mutate(exam, lambda s: s["answers"].update(q9={"x": "1"})),
            "unknown question id 'q9'",
        ),
        (
            lambda exam: mutate(exam, lambda s: s["answers"]["q1"].update(width="1")),
            "question q1: unknown part 'width'",
        ),
        (
            lambda exam: mutate(exam, lambda s: s["answers"].update(q1="32")),
            "question q1: expected an object",
        ),
        (
            lambda exam: mutate(exam, lambda s: s["answers"]["q1"].update(output=[32])),
            "question q1, part output: expected a number or text, got a JSON list",
        ),
        (
            lambda exam: mutate(exam, lambda s: s["answers"]["q1"].update(output=True)),
            "got a JSON true/false",
        ),
        (lambda exam: mutate(exam, lambda s: s.update(answers=[])), "'answers' must be an object"),
        (lambda exam: mutate(exam, lambda s: s.update(exam_id=7)), "'exam_id' must be a string"),
        (lambda exam: mutate(exam, lambda s: s.update(extra=1)), "unknown field 'extra'"),
    ],
)
def test_bad_submissions_get_one_line_naming_the_file(run, exam, tmp_path, make, message):
    data = make(exam)
    path = tmp_path / "submission.json"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data))
    result = run("grade", "submission.json")
    assert result.exit_code == 2
    assert result.output.startswith("error: submission.json: ")
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def text_submission(exam, change):
    """A submission whose every answer is text, as a class's are, changed by ``change``."""
    submission = filled_submission(exam)
    for given in submission["answers"].values():
        given.update({part: json.dumps(value) for part, value in given.items()})
    change(submission)
    return submission


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda s: s["answers"].update(q9={"x": "1"}), "unknown question id 'q9'"),
        (lambda s: s["answers"].update(q9={}), "unknown question id 'q9'"),
        (lambda s: s["answers"]["q1"].update(width="1"), "question q1: unknown part 'width'"),
        (lambda s: s["answers"]["q1"].update(output=[32]), "got a JSON list"),
    ],
)
def test_answers_the_variant_lacks_are_refused_when_all_answers_are_text(
    run, exam, tmp_path, change, message
):
    write(tmp_path, text_submission(exam, change))
    result = run("grade", "submission.json")
    assert result.exit_code == 2
    assert result.output.startswith("error: submission.json: ") and message in result.output


def test_answers_to_a_dropped_question_are_still_checked(run, exam, tmp_path):
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["dropped"] = ["q1"]
    key_file.write_text(json.dumps(key))
    write(tmp_path, text_submission(exam, lambda s: s["answers"]["q1"].update(width="1")))
    result = run("grade", "submission.json")
    assert result.exit_code == 2 and "question q1: unknown part 'width'" in result.output
    write(tmp_path, text_submission(exam, lambda s: None))
    assert "q1  conv_output_size: dropped" in run("grade", "submission.json").output


def test_a_missing_submission_or_a_bad_key_is_named(run, exam, tmp_path):
    result = run("grade", "nothere.json")
    assert result.exit_code == 2 and "nothere.json: no such file" in result.output
    write(tmp_path, filled_submission(exam))
    write(tmp_path, '{"format": 99}', "key.json")
    result = run("grade", "submission.json", "--key", "key.json")
    assert result.exit_code == 2 and "key.json: not an examgen key file" in result.output
    result = run("grade", "submission.json", "--key", str(exam))
    assert result.exit_code == 2 and "is a directory" in result.output


def test_control_characters_in_answers_are_shown_escaped(run, exam, tmp_path):
    submission = filled_submission(exam)
    submission["answers"]["q1"]["output"] = "\x1b[2J32"
    write(tmp_path, submission)
    result = run("grade", "submission.json")
    assert "\x1b" not in result.output and "\\x1b[2J32" in result.output
