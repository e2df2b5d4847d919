"""No wrong method earns the marks: every generated instance tells each of its family's named
mistakes apart from the key under the part's own comparison (or the mistake gives the key
itself, and is recorded as not tested), and no nonzero key is so close to zero that the
absolute tolerance accepts 0, a sign flip or a tenth of it.

``tests/mistakes_audit.py`` runs the same check over 1,000 draws of every family."""

import json

import pytest

from generator import registry
from generator.answers.types import Real, answer_type_from_json
from generator.exam.assemble import Student, assemble, assemble_variant
from generator.exam.seeding import secret_key
from generator.exam.spec import ExamSpec, QuestionSpec, parse
from generator.family import Family, Mistake, Part, check_mistakes, scaled_to_key
from generator.formatting import ROUNDING_NOISE, short_number

DRAWS = 100  # per family, difficulty and format: about ten seconds in all
FAMILIES = sorted(registry.names())


def _has_choice(family: Family) -> bool:
    return bool(family.choice_part) or type(family).choice_part_for is not Family.choice_part_for


def _numbers(value):
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def _generated(name: str, difficulty: str, form: str, draws: int):
    """(entry, family parts by id, mistakes by part) of instances as ``generate`` makes them."""
    family = registry.get(name)
    question = QuestionSpec("q1", name, 4, difficulty, family.title, format=form)
    spec = ExamSpec("t.toml", "t", "T", "", None, (question,), f"{name} {difficulty} {form}")
    key = secret_key(f"never score {name}")
    for n in range(draws):
        (entry,) = assemble_variant(spec, key, "t", Student(f"s{n}"))["questions"]
        solution = family.solved(entry["params"])
        parts = {p.id: scaled_to_key(p) for p in family.parts(entry["params"], solution)}
        yield entry, parts, family.mistakes(entry["params"], solution)


@pytest.mark.parametrize("name", FAMILIES)
def test_no_named_mistake_scores_as_correct_in_any_generated_instance(name):
    forms = ["free", "choice"] if _has_choice(registry.get(name)) else ["free"]
    for difficulty in ("easy", "medium", "hard"):
        for form in forms:
            if (name, difficulty, form) == ("maxpool_grad", "easy", "choice"):
                continue  # an easy pooling has too few distinct mistakes for options
            for entry, parts, mistakes in _generated(name, difficulty, form, DRAWS):
                if form == "choice":
                    asked = {entry["choice"]["part"]: parts[entry["choice"]["part"]].answer}
                else:
                    asked = {p["id"]: answer_type_from_json(p["type"]) for p in entry["parts"]}
                for part_id, answer in asked.items():
                    check = check_mistakes(answer, parts[part_id].key, mistakes.get(part_id, []))
                    assert not check.scoring, (name, difficulty, form, entry["params"], part_id)


@pytest.mark.parametrize("name", FAMILIES)
def test_no_nonzero_key_lets_zero_a_sign_flip_or_a_tenth_score(name):
    for entry, _, _ in _generated(name, "medium", "free", DRAWS):
        for part in entry["parts"]:
            if "atol" not in part["type"]:
                continue
            answer = answer_type_from_json(part["type"])
            key = answer.read_key(part["key"])
            for value in _numbers(part["key"]):
                if abs(value) < ROUNDING_NOISE:
                    continue
                bound = max(part["type"]["atol"], part["type"]["rtol"] * abs(value))
                assert bound <= abs(value) / 10, (name, entry["params"], part["id"], value)
            # and the key as the sheet shows it still scores
            assert answer.agrees(answer.read(answer.display(part["key"])), key), part


def test_a_tiny_loss_gets_a_tolerance_that_refuses_zero_and_keeps_the_shown_key():
    part = scaled_to_key(Part("loss", "the loss", Real(0.01, 1e-4), 1.1e-07))
    answer = part.answer
    assert answer.atol == 1e-08
    assert not answer.agrees(0, 1.1e-07)
    assert not answer.agrees(4.9e-08, 1.1e-07)  # log10 for ln
    assert answer.agrees(answer.read(short_number(1.1e-07)), 1.1e-07)


def test_a_key_of_zero_and_rounding_noise_keep_the_familys_tolerance():
    assert scaled_to_key(Part("g", "g", Real(0.01, 1e-4), 0.0)).answer.atol == 1e-4
    noisy = scaled_to_key(Part("g", "g", Real(0.01, 1e-4), 2e-17)).answer
    assert noisy.atol == 1e-4 and noisy.agrees(0, 2e-17)


def test_a_mistake_equal_to_the_key_is_kept_apart_from_one_the_tolerance_accepts():
    check = check_mistakes(
        Real(0.01, 1e-4),
        2.034,
        [
            Mistake(2.034, "forgetting a padding of 0"),
            Mistake(2.035, "forgetting the regularization term λw"),
            Mistake(3.0, "a sign error"),
        ],
    )
    assert [m.diagnosis for m in check.same_as_key] == ["forgetting a padding of 0"]
    assert [m.diagnosis for m in check.scoring] == ["forgetting the regularization term λw"]
    assert [m.diagnosis for m in check.told_apart] == ["a sign error"]


def test_fixed_givens_that_cannot_tell_a_mistake_apart_are_refused_naming_it(run, tmp_path):
    (tmp_path / "quiz.toml").write_text(
        'title = "Decay"\n[[questions]]\nid = "decay"\nfamily = "l2_regularization"\n'
        "[questions.givens]\nw = [1, 2, 3]\ndata_loss = 1\ndata_grad = [0.5, 0.5, 0.5]\n"
        "lam = 0.01\nlr = 0.1\n"
    )
    result = run("generate", "quiz.toml", "--variants", "1", "--seed", "s", "--format", "md")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "decay" in line and "part weights" in line
    assert "forgetting the regularization term λw" in line
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


def test_each_part_records_which_mistakes_it_tells_apart_and_which_give_the_key():
    givens = (
        "input = 17\nkernel = 7\nstride = 1\npadding = 0\ndilation = 1\nop = 'conv'\n"
        "output_padding = 0\nrounding = 'exact'\n"
    )
    manifest = assemble(
        parse(
            f'title = "t"\n[[questions]]\nfamily = "conv_output_size"\n'
            f"[questions.givens]\n{givens}",
            "t.toml",
        ),
        "s",
        [Student("v001")],
    )
    (part,) = manifest["variants"][0]["questions"][0]["parts"]
    assert "forgetting the padding" in part["same_as_key"]
    assert "forgetting the padding" not in part.get("tells_apart", [])
    assert part["tells_apart"]  # the others are tested
    told = {m["diagnosis"] for m in part["mistakes"]}
    assert told <= set(part["tells_apart"])


def test_a_multiple_choice_part_tests_the_mistakes_its_options_show():
    manifest = assemble(
        parse('title = "t"\n[[questions]]\nfamily = "softmax_loss"\nformat = "choice"\n', "t"),
        "s",
        [Student("v001")],
    )
    question = manifest["variants"][0]["questions"][0]
    (part,) = question["parts"]
    shown = [m["diagnosis"] for m in part["mistakes"]]
    assert sorted(part["tells_apart"]) == sorted(shown)
    json.dumps(manifest)  # the manifest stays plain JSON


# --- what each part tested, in stats and on the feedback page -------------------------------

SIGMOID_QUIZ = 'title = "Sigmoid"\n[[questions]]\nid = "sig"\nfamily = "sigmoid_gradient"\n'


@pytest.fixture
def graded_quiz(run, tmp_path):
    """Two students of a one-question quiz, handed in blank and graded into ./grades."""
    (tmp_path / "quiz.toml").write_text(SIGMOID_QUIZ)
    assert run("generate", "quiz.toml", "-n", "2", "--seed", "s", "--format", "md").exit_code == 0
    assert run("grade", "output", "--out", "grades").exit_code == 0
    return tmp_path


def test_stats_shows_which_named_mistakes_each_part_told_apart(run, graded_quiz):
    result = run("stats", "grades")
    assert result.exit_code == 0, result.output
    assert "gradient tells apart: " in result.output
    assert "forgetting the factor σ(x) (2/2)" in result.output
    stats = json.loads((graded_quiz / "grades" / "stats.json").read_text())
    (row,) = stats["questions"]
    assert {"part": "gradient", "mistake": "forgetting the factor σ(x)", "students": 2} in row[
        "tested"
    ]
    page = (graded_quiz / "grades" / "stats.html").read_text()
    assert "forgetting the factor σ(x) (2/2)" in page


def test_the_feedback_page_says_which_mistakes_its_question_tells_apart(graded_quiz):
    for suffix in ("md", "html"):
        (page,) = (graded_quiz / "grades" / "feedback").glob(f"v001.{suffix}")
        text = page.read_text()
        assert "tells these known mistakes apart from the key" in text
        assert "forgetting the factor σ(x)" in text


def test_stats_refuses_a_report_whose_tells_apart_is_not_a_list_of_strings(run, graded_quiz):
    report_file = graded_quiz / "grades" / "report.json"
    report = json.loads(report_file.read_text())
    report["submissions"][0]["questions"][0]["parts"][1]["tells_apart"] = [5]
    report_file.write_text(json.dumps(report))
    result = run("stats", "grades")
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert "report.json" in line and "questions[0].parts[1].tells_apart" in line


def test_a_key_whose_tells_apart_is_not_a_list_of_strings_is_refused(graded_quiz):
    from generator.errors import ExamgenError
    from generator.exam.key_schema import check_key

    (key_file,) = (graded_quiz / "output").glob("*/instructor/key.json")
    key = json.loads(key_file.read_text())
    check_key(key, "key.json")  # as generated: no error
    key["variants"][0]["questions"][0]["parts"][1]["tells_apart"] = "forgetting"
    with pytest.raises(ExamgenError, match=r"parts\[1\]\.tells_apart: must be a list of strings"):
        check_key(key, "key.json")
