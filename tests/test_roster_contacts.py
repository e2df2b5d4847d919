"""A roster's optional email and sid columns (who each student is on Gradescope) and a spec's
[gradescope] table reach key.json and index.json, where the autograder reads them; a bad one
is refused on one line naming its line or field, and exams without them are as before."""

import json

import pytest
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import grade_main

QUIZ = 'title = "Roster quiz"\n[[questions]]\nfamily = "conv_output_size"\npoints = 1\n'


def generate(run, tmp_path, roster: str, spec: str = QUIZ):
    (tmp_path / "quiz.toml").write_text(spec)
    (tmp_path / "roster.csv").write_text(roster, newline="")
    return run("generate", "quiz.toml", "--roster", "roster.csv", "--seed", "s")


def instructor_files(tmp_path) -> tuple[dict, dict]:
    (exam,) = (tmp_path / "output").iterdir()
    folder = exam / "instructor"
    return (
        json.loads((folder / "key.json").read_text()),
        json.loads((folder / "index.json").read_text()),
    )


def refused(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line == f"error: roster.csv: {message}"


def test_a_rosters_emails_and_sids_are_kept_in_the_key_and_the_index(run, tmp_path):
    roster = "id,name,email,sid\ns1,Ada,ada@uni.edu,9001\ns2,Bob,,\ns3,Cy,cy@uni.edu,\n"
    assert generate(run, tmp_path, roster).exit_code == 0
    key, index = instructor_files(tmp_path)
    contacts = [
        {name: v[name] for name in ("student_id", "email", "sid") if name in v}
        for v in index["variants"]
    ]
    assert contacts == [
        {"student_id": "s1", "email": "ada@uni.edu", "sid": "9001"},
        {"student_id": "s2"},
        {"student_id": "s3", "email": "cy@uni.edu"},
    ]
    assert key["variants"][0]["email"] == "ada@uni.edu" and key["variants"][0]["sid"] == "9001"


def test_a_roster_without_contacts_writes_the_key_it_always_wrote(run, tmp_path):
    assert generate(run, tmp_path, "id,name\ns1,Ada\n").exit_code == 0
    key, index = instructor_files(tmp_path)
    assert list(key["variants"][0]) == ["student_id", "name", "variant_id", "questions"]
    assert list(index["variants"][0]) == ["variant_id", "student_id", "name"]
    assert "gradescope" not in key and "gradescope" not in index


@pytest.mark.parametrize(
    "roster, message",
    [
        ("id,email\ns1,a@x.org\ns2,A@X.org\n", "line 3: email 'A@X.org' appears twice"),
        ("id,sid\ns1,77\ns2,77\n", "line 3: sid '77' appears twice"),
        (
            'id,email\ns1,"ada lovelace@x.org"\n',
            "line 2: email 'ada lovelace@x.org' must be one word of at most 254 characters, "
            "without control characters",
        ),
        (
            "id,sid\ns1," + "9" * 255 + "\n",
            "line 2: sid '" + "9" * 60 + "…' must be one word of at most 254 characters, "
            "without control characters",
        ),
    ],
)
def test_a_bad_or_shared_email_or_sid_is_refused_naming_its_line(run, tmp_path, roster, message):
    refused(generate(run, tmp_path, roster), message)


def test_the_gradescope_table_is_recorded_in_the_header_with_its_defaults(run, tmp_path):
    spec = QUIZ + '[gradescope]\nvisibility = "visible"\n'
    assert generate(run, tmp_path, "id\ns1\n", spec).exit_code == 0
    key, index = instructor_files(tmp_path)
    expected = {"visibility": "visible", "allow_groups": False}
    assert key["gradescope"] == expected and index["gradescope"] == expected


@pytest.mark.parametrize(
    "table, message",
    [
        ('visibility = "soon"', "gradescope.visibility: must be one of hidden, after_due_date, "
         "after_published, visible"),
        ("allow_groups = 1", "gradescope.allow_groups: must be true or false"),
        ("groups = true", "gradescope.groups: unknown field (allowed: visibility, allow_groups)"),
    ],
)  # fmt: skip
def test_a_bad_gradescope_table_is_refused_naming_the_field(run, tmp_path, table, message):
    result = generate(run, tmp_path, "id\ns1\n", QUIZ + f"[gradescope]\n{table}\n")
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: quiz.toml") and line.endswith(message), line


@pytest.mark.parametrize(
    "field, value, named",
    [
        ("email", 7, "variants[0].email: must be one word"),
        ("sid", "a b", "variants[0].sid: must be one word"),
        ("gradescope", {"visibility": "never"}, "gradescope.visibility: must be one of"),
        ("gradescope", {"visibility": "visible"}, "gradescope: must hold visibility and"),
    ],
)
def test_a_hand_edited_contact_or_table_in_the_key_is_refused(run, tmp_path, field, value, named):
    assert generate(run, tmp_path, "id,email\ns1,a@x.org\n").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    if field == "gradescope":
        key["gradescope"] = value
    else:
        key["variants"][0][field] = value
    key_file.write_text(json.dumps(key))
    result = run("export", str(exam), "--format", "md")
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert "key.json" in line and named in line, line


def test_grade_knows_a_gradescope_uploader_by_the_rosters_email(run, tmp_path):
    """A Gradescope download graded with grade: the uploader's email is the roster's, in
    another case, though Gradescope's name for them is not the roster's."""
    roster = "id,name,email\ns1,Ada Lovelace,ada@uni.edu\ns2,Alan Turing,alan@uni.edu\n"
    assert generate(run, tmp_path, roster).exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    for folder, student, email in [
        ("submission_1", "s1", "ALAN@uni.edu"),
        ("submission_2", "s2", "alan@uni.edu"),
    ]:
        (tmp_path / "export" / folder).mkdir(parents=True)
        (tmp_path / "export" / folder / "a.json").write_text(
            json.dumps(filled_submission(exam, student))
        )
        users = {"users": [{"name": "A. T.", "email": email, "id": 7}]}
        (tmp_path / "export" / folder / "submission_metadata.json").write_text(json.dumps(users))
    result = CliRunner().invoke(grade_main, ["export", "--out", "grades"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    flagged = {e["submission"]: e["flag"] for e in report["handed_in"] if "flag" in e}
    assert flagged == {
        "export/submission_1/a.json": "handed in on Gradescope by s2, but holds s1's variant"
    }
