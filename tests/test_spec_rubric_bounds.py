"""A spec's rubric numbers stay within its question's points, and every field meant as text
is text: each refusal is one line naming the spec and the field."""

import pytest

from generator.errors import SpecError
from generator.exam.spec import parse

TF = 'title = "t"\n[[questions]]\nfamily = "concept_tf"\npoints = {points}\n'
CHOICE = (
    'title = "t"\n[[questions]]\nfamily = "conv_params"\nformat = "choice"\npoints = {points}\n'
)


def refusal(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        parse(text, "exam.toml")
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "spec, rubric, field",
    [
        (TF.format(points=2), "wrong = -1000", "wrong"),  # -1000 / 2 for one wrong answer
        (TF.format(points=2), "wrong = -2.5", "wrong"),
        (TF.format(points=2), "wrong = 0.5", "wrong"),  # a wrong answer worth points
        (CHOICE.format(points=1), "floor = 1000", "floor"),  # 1000 / 1 for a wrong answer
        (CHOICE.format(points=4), "floor = 4", "floor"),  # every answer worth all 4
        (CHOICE.format(points=4), "floor = -1", "floor"),  # a wrong answer below zero
        (CHOICE.format(points=4), "per_error = 5", "per_error"),
        (CHOICE.format(points=4), "per_error = 0", "per_error"),  # no answer loses anything
        (CHOICE.format(points=4), "per_error = -2", "per_error"),
    ],
)
def test_a_rubric_number_outside_the_questions_points_is_refused_naming_the_field(
    spec, rubric, field
):
    message = refusal(f"{spec}rubric = {{ {rubric} }}\n")
    assert message.startswith(f"exam.toml: questions[1].rubric.{field}: "), message
    assert "as the question is worth" in message


@pytest.mark.parametrize(
    "spec, rubric",
    [
        (TF.format(points=2), "wrong = -2"),
        (TF.format(points=2), "wrong = 0"),
        (TF.format(points=2), "wrong = -0.5"),
        (CHOICE.format(points=4), "floor = 0"),
        (CHOICE.format(points=4), "floor = 3.5"),
        (CHOICE.format(points=4), "per_error = 4"),
        (CHOICE.format(points=4), "per_error = 0.5"),
    ],
)
def test_a_rubric_number_within_the_questions_points_is_kept(spec, rubric):
    (question,) = parse(f"{spec}rubric = {{ {rubric} }}\n", "exam.toml").questions
    name, value = rubric.split(" = ")
    assert question.rubric == {name: float(value)}


QUESTION = '[[questions]]\nfamily = "conv_params"\n'


@pytest.mark.parametrize(
    "text, field",
    [
        ('title = "t"\nname = { a = 1 }\n' + QUESTION, "name"),  # once the folder a-1
        ('title = "t"\nname = 5\n' + QUESTION, "name"),
        ('title = "t"\nname = ["quiz"]\n' + QUESTION, "name"),
        ('title = "t"\nname = true\n' + QUESTION, "name"),
        ("title = { a = 1 }\n" + QUESTION, "title"),
        ('title = "t"\ninstructions = ["a"]\n' + QUESTION, "instructions"),
        ('title = "t"\nseed = 1.5\n' + QUESTION, "seed"),
        ('title = "t"\n[[questions]]\nfamily = 1\n', "questions[1].family"),
        ('title = "t"\n' + QUESTION + "title = { a = 1 }\n", "questions[1].title"),
        ('title = "t"\n' + QUESTION + "id = 5\n", "questions[1].id"),
        ('title = "t"\n' + QUESTION + 'difficulty = ["easy"]\n', "questions[1].difficulty"),
        ('title = "t"\n' + QUESTION + 'format = { a = "free" }\n', "questions[1].format"),
        ('title = "t"\nnotation = { shapes = ["CxHxW"] }\n' + QUESTION, "notation.shapes"),
    ],
)
def test_a_field_meant_as_text_holding_a_table_list_or_number_is_refused(text, field):
    assert refusal(text).startswith(f"exam.toml: {field}: ")


def test_a_string_name_still_names_the_exams_folder():
    assert parse('title = "t"\nname = "Pooling quiz"\n' + QUESTION, "exam.toml").name == (
        "pooling-quiz"
    )


@pytest.mark.parametrize("points", ["1e-320", "0.001", "0"])
def test_points_below_a_hundredth_are_refused(run, tmp_path, points):
    (tmp_path / "tiny.toml").write_text(
        f'title = "Tiny"\n[[questions]]\nfamily = "concept_tf"\npoints = {points}\n'
        "[questions.rubric]\nwrong = -1e-320\n"
    )
    result = run("generate", "tiny.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 2
    assert "questions[1].points: must be a number from 0.01 to 1000" in result.output


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("title", '""', "title: must not be blank"),
        ("title", '"  "', "title: must not be blank"),
        ("title", '"a\\nb"', "title: must be one line"),
        ("name", '"a\\nb"', "name: must be one line"),
        ("name", '"a\\tb"', "name: must be one line"),
    ],
)
def test_a_title_or_name_is_one_line_and_a_title_not_blank(run, tmp_path, field, value, says):
    title = value if field == "title" else '"Quiz"'
    extra = f"name = {value}\n" if field == "name" else ""
    (tmp_path / "q.toml").write_text(
        f'title = {title}\n{extra}[[questions]]\nfamily = "concept_tf"\npoints = 2\n'
    )
    result = run("generate", "q.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 2
    assert f"q.toml: {says}" in result.output
