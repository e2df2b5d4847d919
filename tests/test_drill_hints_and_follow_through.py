"""The drill's hints teach the method without giving the answer away, an answer shown to the
student is what later parts follow from, and any hint brings the worked solution."""

import pytest

from generator.answers.types import answer_type_from_json
from generator.exam.seeding import secret_key
from generator.practice import drill as drills
from generator.practice.progress import Session


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "drill.json"
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(path))
    return path


def first_question(family, seed, mastery=0.5):
    session = Session(seed, [family], 10, 0)
    return drills.instance(session, family, drills.difficulty(mastery), secret_key(seed))


def key_text(part):
    return answer_type_from_json(part["type"]).display(part["key"])


def test_a_count_s_hint_shows_the_shape_of_its_arithmetic_not_the_arithmetic():
    # "32x1x5x5 + 32" is graded right for 832: the hint that printed it gave the answer away
    assert drills._method_only("Parameters: 32x1x5x5 + 32 = ?", 832) == (
        "Parameters: ?x?x?x? + ? = ?"
    )
    assert drills._method_only("Total: 32768 + 64 = ?", 32832) == "Total: ? + ? = ?"
    # arithmetic that is not the key (an input's working) stays
    assert drills._method_only("height (32 − 5)/1 + 1 = ?", 27) == "height (32 − 5)/1 + 1 = ?"


def test_a_later_parts_short_result_is_hidden_in_a_hint():
    step = "POOL2: depth is kept, ?. Pooling has no parameters: 0"
    assert drills._masked(step, ("0",)).endswith("no parameters: ?")
    # a 0 that is an input stays
    assert drills._masked("a padding of 0 gives 16x16", ("0",)) == "a padding of 0 gives 16x16"


def test_after_a_shown_answer_later_rows_follow_the_key_not_the_missed_answer(run, progress_file):
    question = first_question("network_table", "d10")  # 64x64x1, CONV3-10, POOL2, ...
    first, params, pooled = question["parts"][:3]
    assert (first["id"], pooled["id"]) == ("row1.shape", "row2.shape")
    # row 1 missed twice as 8x8x10, so its key is shown; 4x4x10 follows from 8x8x10 through
    # POOL2, and error carried forward would have taken it though the key was on screen
    script = f"8x8x10\n8x8x10\n{key_text(params)}\n4x4x10\n\n"
    result = run("drill", "-f", "network_table", "-c", "1", "-s", "d10", input=script)
    assert result.exit_code == 0, result.output
    assert f"The answer: {key_text(first)}" in result.output
    row2 = result.output.split("[row2.shape]")[1].split("[row2.params]")[0]
    assert "✓ correct" not in row2 and "error carried forward" not in row2


def test_a_question_answered_after_a_hint_ends_with_its_worked_solution(run, progress_file):
    (part,) = first_question("conv_output_size", "d2")["parts"]
    result = run(
        "drill", "-f", "conv_output_size", "-c", "1", "-s", "d2", input=f"999\n{key_text(part)}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Hint: " in result.output and "✓ correct" in result.output
    assert "Worked solution:" in result.output
