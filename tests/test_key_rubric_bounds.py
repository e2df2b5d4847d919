"""A hand-edited key.json cannot give a rubric outside sense: a wrong answer that earns, or
costs more than its part, or a selection scoring above its part, is refused on one line
naming the field, as the spec's own rubric is."""

import json

import pytest


@pytest.fixture
def concept_exam(run, tmp_path):
    spec = tmp_path / "concepts.toml"
    spec.write_text(
        'title = "Concepts"\n'
        '[[questions]]\nfamily = "concept_choice"\npoints = 4\n'
        '[[questions]]\nfamily = "concept_tf"\npoints = 2\n'
    )
    result = run("generate", "concepts.toml", "-n", "1", "--seed", "rubric")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    return exam


@pytest.mark.parametrize(
    ("question", "name", "value"),
    [
        (0, "floor", "250"),
        (0, "floor", "1"),
        (0, "per_error", "-5"),
        (0, "per_error", "0"),
        (1, "wrong", "1/1"),
        (1, "wrong", "-500"),
    ],
)
def test_a_hand_edited_rubric_outside_its_part_is_refused(
    run, tmp_path, concept_exam, question, name, value
):
    key_file = concept_exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    part = key["variants"][0]["questions"][question]["parts"][0]
    part["type"][name] = value
    key_file.write_text(json.dumps(key))
    submission = json.loads((concept_exam / "students" / "v001" / "submission.json").read_text())
    (tmp_path / "handed-in.json").write_text(json.dumps(submission))
    result = run("grade", "handed-in.json")
    assert result.exit_code == 2, result.output
    assert f"type.{name}" in result.output and "must be" in result.output
    assert len(result.output.strip().splitlines()) == 1
