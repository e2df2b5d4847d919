"""Who handed a file in, where the hand-in path says so: a file is graded as the variant
inside it says, and one that another student handed in (from their folder, by Gradescope's
metadata, under their Canvas name) is flagged in report.json, the gradebook and on stderr,
never on the feedback page the student gets."""

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import grade_main
from generator.grading.gradescope import _export_entries

ROSTER = "id,name\ns1,Ada Lovelace\ns2,Alan Turing\ns3,Grace Hopper\n"


@pytest.fixture
def exam(run, tmp_path):
    """The ConvNet shapes exam for a roster of three named students."""
    (tmp_path / "roster.csv").write_text(ROSTER)
    result = run("generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "who")
    assert result.exit_code == 0, result.output
    (directory,) = (tmp_path / "output").iterdir()
    return directory


def grade(*args):
    return CliRunner().invoke(grade_main, [str(a) for a in args], catch_exceptions=False)


def put(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="") as stream:
        return {row["student_id"]: row for row in csv.DictReader(stream)}


def flags(out: Path) -> dict[str, str]:
    """Each flagged file's flag, by file name relative to nothing: as report.json names it."""
    report = json.loads((out / "report.json").read_text())
    return {e["submission"]: e["flag"] for e in report.get("handed_in", []) if "flag" in e}


def flag_lines(result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.startswith("flag:")]


def test_a_student_who_hands_in_a_friends_variant_is_graded_and_flagged(exam, tmp_path):
    """s2's folder holds s1's variant and s1 handed nothing in: s1 gets the points, and
    the instructor is told on every channel; s1's feedback page names no one else."""
    put(tmp_path / "handins" / "s2" / "submission.json", filled_submission(exam, "s1"))
    put(tmp_path / "handins" / "s3" / "submission.json", filled_submission(exam, "s3"))
    result = grade("handins", "--out", "grades")
    assert result.exit_code == 1, result.output
    (line,) = flag_lines(result)
    assert "handins/s2/submission.json: handed in from handins/s2, s2's folder" in line
    assert "holds s1's variant; graded as s1's submission" in line
    book = gradebook(tmp_path / "grades")
    assert book["s1"]["status"] == "graded" and book["s1"]["total"] == book["s1"]["max_points"]
    assert "s2's folder, but holds s1's variant" in book["s1"]["flag"]
    assert book["s2"]["status"] == "missing"
    assert book["s2"]["flag"] == "handed in handins/s2/submission.json, which holds s1's variant"
    assert book["s3"]["flag"] == ""  # handed in from their own folder
    assert list(flags(tmp_path / "grades")) == ["handins/s2/submission.json"]
    for page in (tmp_path / "grades" / "feedback").glob("s1.*"):
        text = re.sub(r"<script>.*?</script>", "", page.read_text(), flags=re.S)  # KaTeX's
        assert "s2" not in text and "Alan Turing" not in text and "handins" not in text


def test_a_folder_named_for_no_student_checks_nothing(exam, tmp_path):
    put(tmp_path / "handins" / "mallory" / "a.json", filled_submission(exam, "s1"))
    put(tmp_path / "handins" / "s2.json", filled_submission(exam, "s2"))
    result = grade("handins", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert flag_lines(result) == [] and flags(tmp_path / "grades") == {}


def gradescope_users(*users: dict) -> dict:
    """submission_metadata.json as Gradescope documents it, with ``users``."""
    return {"id": 123456, "created_at": "2026-12-01T10:00:00-08:00", "users": list(users)}


def test_gradescope_metadata_naming_another_student_flags_the_file(exam, tmp_path):
    export = tmp_path / "export"
    put(export / "submission_1" / "answers.json", filled_submission(exam, "s1"))
    put(
        export / "submission_1" / "submission_metadata.json",
        gradescope_users({"email": "ada@uni.edu", "id": 1, "name": "Ada Lovelace", "sid": "s1"}),
    )
    # by sid, as a number, and by name alone (a course without student ids)
    put(export / "submission_2" / "answers.json", filled_submission(exam, "s2"))
    put(
        export / "submission_2" / "submission_metadata.json",
        gradescope_users({"email": "grace@uni.edu", "id": 3, "name": "G. H.", "sid": "s3"}),
    )
    put(export / "submission_3" / "answers.json", filled_submission(exam, "s3"))
    put(
        export / "submission_3" / "submission_metadata.json",
        gradescope_users({"email": "alan@uni.edu", "id": 2, "name": "Alan Turing"}),
    )
    result = grade(export.name, "--out", "grades")
    assert result.exit_code == 1, result.output
    assert flags(tmp_path / "grades") == {
        "export/submission_2/answers.json": (
            "handed in on Gradescope by s3 (sid 's3'), but holds s2's variant"
        ),
        "export/submission_3/answers.json": "handed in on Gradescope by s2, but holds s3's variant",
    }
    assert len(flag_lines(result)) == 2
    assert "could not be graded" in result.output and "(0 could not be graded" in result.output
    book = gradebook(tmp_path / "grades")
    assert [book[s]["status"] for s in ("s1", "s2", "s3")] == ["graded"] * 3
    assert book["s1"]["flag"] == ""


def test_a_group_submission_is_its_members_and_a_planted_metadata_counts_for_nothing(
    exam, tmp_path
):
    export = tmp_path / "export"
    put(export / "submission_1" / "answers.json", filled_submission(exam, "s1"))
    put(
        export / "submission_1" / "submission_metadata.json",
        gradescope_users(
            {"email": "a@uni.edu", "id": 1, "name": "x", "sid": "s2"},
            {"email": "b@uni.edu", "id": 2, "name": "y", "sid": "s1"},
        ),
    )
    # s3's upload carries metadata of its own making, naming s2, whose variant it holds
    put(export / "submission_3" / "work" / "answers.json", filled_submission(exam, "s2"))
    put(
        export / "submission_3" / "submission_metadata.json",
        gradescope_users({"email": "g@uni.edu", "id": 3, "name": "Grace Hopper", "sid": "s3"}),
    )
    put(
        export / "submission_3" / "work" / "submission_metadata.json",
        gradescope_users({"email": "x@uni.edu", "id": 2, "name": "Alan Turing", "sid": "s2"}),
    )
    result = grade(export.name, "--out", "grades")
    assert result.exit_code == 1, result.output
    assert flags(tmp_path / "grades") == {
        "export/submission_3/work/answers.json": (
            "handed in on Gradescope by s3 (sid 's3'), but holds s2's variant"
        )
    }


@pytest.mark.parametrize(
    "metadata, problem",
    [
        ("{not json", "not valid JSON"),
        ('{"users": "s1"}', "'users' must be a list of objects"),
        ('{"users": [{"sid": ["s1"]}]}', "users[0].sid must be a string"),
    ],
)
def test_unreadable_gradescope_metadata_is_flagged_and_the_file_graded(
    exam, tmp_path, metadata, problem
):
    put(tmp_path / "export" / "submission_1" / "answers.json", filled_submission(exam, "s1"))
    put(tmp_path / "export" / "submission_1" / "submission_metadata.json", metadata)
    result = grade("export", "--out", "grades")
    assert result.exit_code == 1, result.output
    (flag,) = flags(tmp_path / "grades").values()
    assert flag.startswith("who handed it in cannot be told: ") and problem in flag
    assert gradebook(tmp_path / "grades")["s1"]["status"] == "graded"


EXPORT_YAML = """\
submission_100:
  :submitters:
  - :name: Ada Lovelace
    :sid: 's1'
    :email: ada@uni.edu
  :created_at: 2026-12-01 10:00:00.000000000 -08:00
  :score: 10.0
submission_200:
  :submitters:
  - :name: "Grace Hopper"
    :sid: s3
    :email: grace@uni.edu
  :created_at: 2026-12-01 10:05:00.000000000 -08:00
submission_300:
  :submitters:
  - :name: Alan Turing
    :sid: ''
    :email: alan@uni.edu
  - :name: O'Brien
    :sid: 's9'
    :email: ob@uni.edu
"""


def test_an_export_whose_metadata_yml_names_another_student_flags_the_file(exam, tmp_path):
    export = tmp_path / "assignment_42_export"
    put(export / "submission_metadata.yml", EXPORT_YAML)
    put(export / "submission_100" / "answers.json", filled_submission(exam, "s1"))
    put(export / "submission_200" / "answers.json", filled_submission(exam, "s2"))
    put(export / "submission_300" / "answers.json", filled_submission(exam, "s3"))
    result = grade(export.name, "--out", "grades")
    assert result.exit_code == 1, result.output
    # submission_300: O'Brien is no roster student, so who handed it in is not known
    assert flags(tmp_path / "grades") == {
        "assignment_42_export/submission_200/answers.json": (
            "handed in on Gradescope by s3 (sid 's3'), but holds s2's variant"
        )
    }


def test_the_export_metadata_reader_reads_each_submitter_of_each_folder():
    entries = _export_entries(EXPORT_YAML)
    assert entries["submission_100"] == [
        {"name": "Ada Lovelace", "sid": "s1", "email": "ada@uni.edu"}
    ]
    assert entries["submission_200"][0]["name"] == "Grace Hopper"
    assert [s["name"] for s in entries["submission_300"]] == ["Alan Turing", "O'Brien"]


def test_a_canvas_download_under_another_students_name_is_flagged(exam, tmp_path):
    canvas = tmp_path / "canvas"
    put(canvas / "lovelaceada_1101_9001_submission.json", filled_submission(exam, "s1"))
    # late, resubmitted, and under Grace Hopper's name while it holds Alan Turing's variant
    put(canvas / "hoppergrace_LATE_1103_9003_submission-1.json", filled_submission(exam, "s2"))
    put(canvas / "someoneelse_1104_9004_submission.json", filled_submission(exam, "s3"))
    result = grade("canvas", "--out", "grades")
    assert result.exit_code == 1, result.output
    (line,) = flag_lines(result)
    assert "handed in on Canvas as 'hoppergrace', s3's name, but holds s2's variant" in line
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    late = next(e for e in report["handed_in"] if e["canvas_name"] == "hoppergrace")
    assert late["late"] is True and late["canvas_user_id"] == "1103"
    unknown = next(e for e in report["handed_in"] if e["canvas_name"] == "someoneelse")
    assert unknown["handed_in_by"] == [] and "flag" not in unknown
    book = gradebook(tmp_path / "grades")
    assert book["s3"]["flag"].startswith("handed in canvas/hoppergrace_LATE_1103_9003")


def test_a_roster_without_names_checks_no_canvas_name(run, tmp_path):
    run("generate", "convnet-shapes", "-n", "2", "--seed", "who")
    (exam,) = (tmp_path / "output").iterdir()
    put(tmp_path / "canvas" / "v002_1_2_submission.json", filled_submission(exam, "v001"))
    result = grade("canvas", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert flags(tmp_path / "grades") == {}


@pytest.mark.parametrize(
    "line",
    [
        "  - :name: !!python/object/apply:os.system ['true']",
        "  - :name: &who Ada Lovelace",
        "  - :name: *who",
        "  - :name: |",
    ],
)
def test_a_metadata_yml_with_yaml_the_export_never_writes_is_flagged_unreadable(
    exam, tmp_path, line
):
    export = tmp_path / "assignment_42_export"
    put(export / "submission_metadata.yml", f"submission_100:\n  :submitters:\n{line}\n")
    put(export / "submission_100" / "answers.json", filled_submission(exam, "s1"))
    result = grade(export.name, "--out", "grades")
    assert result.exit_code == 1, result.output
    (flag,) = flags(tmp_path / "grades").values()
    assert flag.startswith("who handed it in cannot be told: ")
    assert "line 3: a YAML tag, anchor, alias or block" in flag
    assert gradebook(tmp_path / "grades")["s1"]["status"] == "graded"
