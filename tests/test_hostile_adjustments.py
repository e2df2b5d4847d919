"""Hostile regrades: adjustments deleted from the file, vector keys fixed, a maximum that
moves alone, a question file's given, and a colleague's odd CSV or a hand-edited file."""

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = """title = "V"
[[questions]]
id = "mv"
file = "mv.toml"
[[questions]]
id = "st"
file = "st.toml"
[[questions]]
id = "tf"
family = "concept_tf"
count = 2
"""


@pytest.fixture
def graded(run, tmp_path):
    """A graded class of two variants: a matrix question file, a computed one, two
    true/false slots. Returns the exam folder."""
    shutil.copy(ROOT / "templates/questions/matrix_vector.toml", tmp_path / "mv.toml")
    shutil.copy(ROOT / "templates/questions/stride.toml", tmp_path / "st.toml")
    (tmp_path / "v.toml").write_text(SPEC)
    assert run("generate", "v.toml", "--variants", "2", "--seed", "s").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    result = run("grade", str(exam / "students"), "--out", "g")
    assert result.exit_code == 0, result.output
    return exam


def _key(exam: Path) -> dict:
    return json.loads((exam / "instructor" / "key.json").read_text())


def _without_tables(exam: Path, kind: str) -> None:
    path = exam / "instructor" / "adjustments.toml"
    text = path.read_text()
    path.write_text(text[: text.index(f"[[{kind}]]")])


def test_deleting_a_key_fix_from_the_file_restores_the_generated_key(run, graded):
    generated = (graded / "instructor" / "key.json").read_bytes()
    item = _key(graded)["variants"][0]["questions"][2]["params"]["item"]
    was = _key(graded)["variants"][0]["questions"][2]["parts"][0]["key"]
    fixed = run("regrade", "g", "--key-fix", f"{item}={str(not was).lower()}")
    assert fixed.exit_code == 0, fixed.output
    assert _key(graded)["variants"][0]["questions"][2]["parts"][0]["key"] is (not was)
    _without_tables(graded, "key_fix")
    assert run("regrade", "g").exit_code == 0
    assert (graded / "instructor" / "key.json").read_bytes() == generated


def test_deleting_a_drop_from_the_file_counts_the_question_again(run, graded):
    generated = (graded / "instructor" / "key.json").read_bytes()
    most = json.loads(Path("g/report.json").read_text())["submissions"][0]["max_points"]
    assert run("regrade", "g", "--drop", "tfa").exit_code == 0
    assert _key(graded)["dropped"] == ["tfa"]
    _without_tables(graded, "drop")
    result = run("regrade", "g")
    assert result.exit_code == 0, result.output
    assert (graded / "instructor" / "key.json").read_bytes() == generated
    report = json.loads(Path("g/report.json").read_text())
    assert [s["max_points"] for s in report["submissions"]] == [most, most]


def test_accepting_a_vector_stores_it_as_the_keys_list(run, graded):
    result = run("regrade", "g", "--accept", "mv.y=[5, 3]")
    assert result.exit_code == 0, result.output
    assert all(
        v["questions"][0]["parts"][0]["accept"] == [[5, 3]] for v in _key(graded)["variants"]
    )
    assert (
        "Also accepted for y after the exam: [5, 3]."
        in result.output + (graded / "instructor" / "key.json").read_text()
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [("[5, x]", "is no matrix answer"), ("[5, 3, 3]", "is 3 entries, the key 2 entries")],
)
def test_an_unreadable_vector_is_refused_on_one_line_naming_option_and_part(
    run, graded, value, problem
):
    result = run("regrade", "g", "--accept", f"mv.y={value}")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: --accept mv.y={value}: mv.y: ") and problem in line


def test_a_matrix_key_fix_is_read_by_the_parts_own_parser():
    from generator.grading.adjustments import _key_value

    matrix = {"kind": "matrix", "rows": 2, "cols": 2, "rtol": 0.01, "atol": 0.0001}
    assert _key_value(matrix, "[1, 2; 3, 0.5]", "--key-fix", [[0, 0], [0, 0]]) == [[1, 2], [3, 0.5]]


def test_a_student_whose_maximum_alone_moves_is_in_the_changes(run, graded):
    """Blank sheets: a dropped question changes no one's points, only every maximum."""
    before = json.loads(Path("g/report.json").read_text())["submissions"][0]["max_points"]
    result = run("regrade", "g", "--drop", "tfa")
    assert result.exit_code == 0, result.output
    changes = json.loads(Path("g/changes.json").read_text())["changes"]
    assert sorted(c["student_id"] for c in changes) == ["v001", "v002"]
    assert [(c["max_before"], c["max_after"]) for c in changes] == [(before, before - 1)] * 2
    assert "no student's points changed" not in result.output
    assert f"v001: 0 / {before} → 0 / {before - 1}" in result.output


def test_a_question_files_given_is_refused_plainly(run, graded):
    result = run("regrade", "g", "--key-fix", "st.n=50")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: --key-fix st.n=50: 'n' is no part of st (parts: kept)")
    assert "is from a question file, whose givens cannot be corrected after the exam" in line
    assert "unknown family" not in line


def _one_error(result) -> str:
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_student_given_points_twice_in_a_manual_csv_is_refused_naming_both_lines(run, graded):
    Path("paper.csv").write_text(
        "student,question,points\nv001,st,1\nv002,st,1\nv001,st,0\n", encoding="utf-8"
    )
    line = _one_error(run("regrade", "g", "--manual", "paper.csv"))
    assert "paper.csv: lines 2 and 4 both give points to 'v001' for 'st'" in line
    assert not (graded / "instructor" / "adjustments.toml").exists()


def test_preferring_a_file_the_grading_never_saw_is_refused(run, graded):
    line = _one_error(run("regrade", "g", "--prefer", "/etc/passwd"))
    assert "--prefer '/etc/passwd': not among the files g/report.json graded" in line
    assert "preferred" not in Path("g/report.json").read_text()


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('[[drop]]\ntarget = "tfa"\nextra = 1\n', "drop[0]: unknown field 'extra' of [[drop]]"),
        ('[[accept]]\ntarget = "st.kept"\nvlaue = "7"\n', "accept[0]: unknown field 'vlaue'"),
        (
            '[[manual]]\nstudent = "v001"\nquestion = "st"\npoints = 1\nnote = "x"\n',
            "manual[0]: unknown field 'note'",
        ),
        (
            '[[manual]]\nstudent = "v001"\nquestion = "st"\npoints = 1\n' * 2,
            "manual[1]: a second entry of 'v001' for 'st'",
        ),
        (
            '[[key_fix]]\ntarget = "tfa"\nvalue = "true"\n' * 2,
            "key_fix[1]: a second key fix of 'tfa'",
        ),
    ],
)
def test_a_hand_edit_the_file_cannot_hold_is_refused_naming_the_entry(run, graded, entry, problem):
    (graded / "instructor" / "adjustments.toml").write_text(entry)
    assert problem in _one_error(run("regrade", "g"))


def test_deleting_a_given_fix_from_the_file_restores_the_question_as_generated(run, tmp_path):
    (tmp_path / "c.toml").write_text(
        'title = "C"\n[[questions]]\nid = "size"\nfamily = "conv_output_size"\n'
        "[questions.givens]\ninput = 32\nkernel = 5\nstride = 1\npadding = 0\n"
    )
    assert run("generate", "c.toml", "--variants", "2", "--seed", "s").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    assert run("grade", str(exam / "students"), "--out", "g").exit_code == 0
    generated = (exam / "instructor" / "key.json").read_bytes()
    assert run("regrade", "g", "--key-fix", "size.padding=2").exit_code == 0
    assert _key(exam)["variants"][0]["questions"][0]["params"]["padding"] == 2
    _without_tables(exam, "key_fix")
    assert run("regrade", "g").exit_code == 0
    assert (exam / "instructor" / "key.json").read_bytes() == generated


def test_a_broken_generated_copy_in_key_json_is_refused_on_one_line(run, graded):
    path = graded / "instructor" / "key.json"
    key = _key(graded)
    key["variants"][0]["questions"][0]["generated"] = ["not", "a", "question"]
    path.write_text(json.dumps(key))
    line = _one_error(run("regrade", "g", "--accept", "mv.y=[5, 3]"))
    assert "key.json: v001 mv: generated must hold params, answers, steps, parts only" in line


def test_grade_refuses_a_preferred_file_it_does_not_grade(run, tmp_path):
    result = run("generate", "convnet-shapes", "-n", "1", "--seed", "prefer")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    result = run("grade", str(exam / "students"), "--out", "grades", "--prefer", "/etc/passwd")
    assert result.exit_code == 2
    assert "--prefer '/etc/passwd': not among the files graded" in result.output
    assert not (tmp_path / "grades").exists()


def test_a_drop_an_earlier_examgen_wrote_into_key_json_is_kept(run, graded):
    # before adjustments.toml, regrade --drop wrote the drop into key.json alone
    assert run("regrade", "g", "--drop", "tfa").exit_code == 0
    dropped_max = json.loads(Path("g/report.json").read_text())["submissions"][0]["max_points"]
    (graded / "instructor" / "adjustments.toml").unlink()
    assert _key(graded)["dropped"] == ["tfa"]
    result = run("regrade", "g")
    assert result.exit_code == 0, result.output
    report = json.loads(Path("g/report.json").read_text())
    assert [s["max_points"] for s in report["submissions"]] == [dropped_max, dropped_max]
    assert 'target = "tfa"' in (graded / "instructor" / "adjustments.toml").read_text()
