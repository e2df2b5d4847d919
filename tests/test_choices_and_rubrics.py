"""True/false and multiple-choice scoring, the concept bank, and multiple-choice versions of
the numeric families with their diagnosed distractors."""

import json
import re
from fractions import Fraction

import numpy as np
import pytest
from conftest import filled_submission

from generator import registry
from generator.answers.types import MultiSelect, TrueFalse
from generator.exam.assemble import Student, assemble
from generator.exam.spec import parse
from generator.families.common import bank

# The midterm review's own examples, in points out of 4.
MULTI_SELECT_EXAMPLES = [
    ("A", "A", 4),
    ("A", "AB", 2),
    ("A", "ABC", 0),
    ("A", "ABCD", 0),
    ("AB", "AB", 4),
    ("AB", "A", 2),
    ("AB", "ABC", 2),
    ("AB", "AC", 0),
    ("AB", "CD", 0),
]


@pytest.mark.parametrize("key,answer,points", MULTI_SELECT_EXAMPLES)
def test_multi_select_scores_as_the_midterm_review_states(key, answer, points):
    assert MultiSelect(4).grade(answer, key).fraction * 4 == points


@pytest.mark.parametrize(
    "answer,points", [("T", 2), ("true", 2), (True, 2), ("F", -1), (False, -1), ("", 0), (None, 0)]
)
def test_true_false_scores_plus_two_minus_one_zero(answer, points):
    assert TrueFalse().grade(answer, True).fraction * 2 == points


@pytest.mark.parametrize("answer", ["maybe", "yes", "1", "TF"])
def test_true_false_refuses_anything_else(answer):
    assert TrueFalse().grade(answer, True).status == "invalid"


@pytest.mark.parametrize("answer", ["AE", "A A", "ZZ", "1", "<b>A</b>"])
def test_multi_select_refuses_letters_out_of_range_or_repeated(answer):
    assert MultiSelect(4).grade(answer, "A").status == "invalid"


def test_multi_select_accepts_separators_and_lists():
    for answer in ("a, b", "(A)(B)", "B A", ["A", "B"]):
        assert MultiSelect(4).grade(answer, "AB").status == "correct"


def test_the_bank_has_at_least_60_explained_items():
    items = bank.items()
    assert len(items) >= 60
    assert sum(1 for i in items.values() if i.kind == "tf") >= 10
    assert sum(1 for i in items.values() if i.kind == "choice") >= 10
    assert all(len(i.explanation) > 20 for i in items.values())
    assert len(bank.topics()) >= 8


def test_choice_options_are_shuffled_per_variant_and_the_key_follows():
    family = registry.get("concept_choice")
    orders, keys = set(), set()
    for seed in range(60):
        params = family.read_givens(
            family.draw(np.random.default_rng(seed), "medium", {"item": "flat-loss"})
        )
        answers = family.solve(params).answers
        item = bank.items()["flat-loss"]
        correct = {o.text for o in item.options if o.correct}
        assert {answers["options"][ord(c) - 65] for c in answers["answer"]} == correct
        orders.add(tuple(params["order"]))
        keys.add(answers["answer"])
    assert len(orders) > 10 and len(keys) > 3


def exam(text: str, students=("v001",), seed="s"):
    return assemble(parse(text, "t.toml"), seed, [Student(s) for s in students])


def test_an_exam_never_asks_the_same_concept_twice():
    manifest = exam(
        'title = "t"\n[[questions]]\nfamily = "concept_tf"\ncount = 40\n'
        '[[questions]]\nfamily = "concept_choice"\ncount = 10\n',
        students=["a", "b"],
    )
    for variant in manifest["variants"]:
        items = [q["params"]["item"] for q in variant["questions"]]
        assert len(items) == len(set(items)) == 50


def test_a_topic_can_be_fixed_in_the_spec():
    manifest = exam(
        'title = "t"\n[[questions]]\nfamily = "concept_tf"\ncount = 4\n'
        '[questions.givens]\ntopic = "backprop"\n'
    )
    for question in manifest["variants"][0]["questions"]:
        assert bank.items()[question["params"]["item"]].topic == "backprop"


NUMERIC = [name for name in registry.names() if not name.startswith("concept")]


@pytest.mark.parametrize("family", NUMERIC)
def test_every_numeric_family_can_be_asked_as_multiple_choice(family):
    text = f'title = "t"\n[[questions]]\nfamily = "{family}"\nformat = "choice"\ncount = 3\n'
    manifest = exam(text, students=[f"s{n}" for n in range(25)])
    for variant in manifest["variants"]:
        for question in variant["questions"]:
            choice = question["choice"]
            (part,) = question["parts"]
            options = choice["options"]
            assert 3 <= len(options) <= 4
            assert len(set(options)) == len(options)  # no two options read the same
            key_index = ord(part["key"]) - ord("A")
            assert 0 <= key_index < len(options)  # the key is among them
            diagnosed = {m["value"] for m in part["mistakes"]}
            assert diagnosed == {chr(65 + n) for n in range(len(options))} - {part["key"]}
            assert all(m["diagnosis"] for m in part["mistakes"])


@pytest.mark.parametrize("family", NUMERIC)
def test_distractors_never_grade_as_correct(family):
    from generator.answers.types import answer_type_from_json

    manifest = exam(
        f'title = "t"\n[[questions]]\nfamily = "{family}"\ncount = 3\n',
        students=[f"s{n}" for n in range(20)],
    )
    for variant in manifest["variants"]:
        for question in variant["questions"]:
            for part in question["parts"]:
                answer = answer_type_from_json(part["type"])
                values = [m["value"] for m in part.get("mistakes", [])]
                for n, value in enumerate(values):
                    assert answer.grade(value, part["key"]).status != "correct"
                    for other in values[n + 1 :]:
                        assert answer.grade(value, other).status != "correct"


def test_a_free_response_answer_that_matches_a_known_mistake_is_diagnosed(run, tmp_path):
    (tmp_path / "q.toml").write_text(
        'title = "t"\n[[questions]]\nfamily = "conv_params"\n[questions.givens]\n'
        "in_channels = 3\nout_channels = 10\nkernel = 5\n"
    )
    run("generate", "q.toml", "--seed", "x")
    (directory,) = (tmp_path / "output").iterdir()
    submission = filled_submission(directory)
    submission["answers"]["q1"]["params"] = "750"  # the weights alone
    (tmp_path / "s.json").write_text(json.dumps(submission))
    result = run("grade", "s.json")
    assert "(known mistake: forgetting the biases)" in result.output


def test_picking_a_distractor_names_its_mistake(run, tmp_path):
    (tmp_path / "q.toml").write_text(
        'title = "t"\n[[questions]]\nfamily = "softmax_loss"\nformat = "choice"\npoints = 4\n'
    )
    run("generate", "q.toml", "--seed", "x")
    (directory,) = (tmp_path / "output").iterdir()
    key = json.loads((directory / "instructor" / "key.json").read_text())
    part = key["variants"][0]["questions"][0]["parts"][0]
    log10 = next(m for m in part["mistakes"] if "log10" in m["diagnosis"])
    submission = filled_submission(directory)
    submission["answers"]["q1"]["answer"] = log10["value"]
    (tmp_path / "s.json").write_text(json.dumps(submission))
    report = json.loads(run("grade", "s.json", "--json").output)
    (graded,) = report["questions"][0]["parts"]
    assert graded["points"] == 0
    assert "log10 instead of the natural log" in graded["feedback"]


def test_rubrics_are_configurable_in_the_spec():
    manifest = exam(
        'title = "t"\n[[questions]]\nfamily = "concept_tf"\npoints = 3\n'
        "[questions.rubric]\nwrong = -3\n"
        '[[questions]]\nfamily = "concept_choice"\npoints = 6\n'
        "[questions.rubric]\nper_error = 1\nfloor = 1\n"
    )
    tf, choice = manifest["variants"][0]["questions"]
    assert Fraction(tf["parts"][0]["type"]["wrong"]) == -1
    assert Fraction(choice["parts"][0]["type"]["per_error"]) == Fraction(1, 6)
    assert Fraction(choice["parts"][0]["type"]["floor"]) == Fraction(1, 6)


@pytest.mark.parametrize(
    "text,message",
    [
        ("[questions.rubric]\nwrong = 1\n", "wrong is a penalty"),
        ("[questions.rubric]\nbonus = 1\n", "unknown rubric field"),
        ('format = "essay"\n', "must be free or choice"),
    ],
)
def test_bad_rubrics_and_formats_are_refused(run, tmp_path, text, message):
    (tmp_path / "q.toml").write_text(f'title = "t"\n[[questions]]\nfamily = "concept_tf"\n{text}')
    result = run("generate", "q.toml", "--seed", "x")
    assert result.exit_code == 2 and message in result.output


def test_concept_families_have_no_numeric_choice_version(run, tmp_path):
    (tmp_path / "q.toml").write_text(
        'title = "t"\n[[questions]]\nfamily = "concept_tf"\nformat = "choice"\n'
    )
    result = run("generate", "q.toml", "--seed", "x")
    assert result.exit_code == 2 and "has no multiple-choice version" in result.output


def test_tolerances_are_configurable_per_question():
    manifest = exam(
        'title = "t"\n[[questions]]\nfamily = "softmax_loss"\n'
        "[questions.tolerance]\nrtol = 0.05\natol = 0.02\n"
    )
    for part in manifest["variants"][0]["questions"][0]["parts"]:
        assert (part["type"]["rtol"], part["type"]["atol"]) == (0.05, 0.02)


def test_a_bad_tolerance_is_refused(run, tmp_path):
    (tmp_path / "q.toml").write_text(
        'title = "t"\n[[questions]]\nfamily = "softmax_loss"\n[questions.tolerance]\nrtol = -1\n'
    )
    result = run("generate", "q.toml", "--seed", "x")
    assert result.exit_code == 2 and "questions[1].tolerance" in result.output


def test_a_question_asked_as_multiple_choice_asks_for_its_one_part(run, tmp_path):
    families = [name for name in registry.names() if registry.get(name).choice_part]
    spec = 'title = "All as choice"\n' + "".join(
        f'\n[[questions]]\nid = "q{n}"\nfamily = "{name}"\npoints = 4\nformat = "choice"\n'
        for n, name in enumerate(families)
    )
    (tmp_path / "choice.toml").write_text(spec)
    result = run("generate", "choice.toml", "-n", "2", "--seed", "asks")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    sheet = (exam / "students" / "v001" / "sheet.md").read_text()
    for n, name in enumerate(families):
        text = sheet.split(f". (q{n}) ")[1].split("**Multiple choice**")[0]
        assert "which of the options below is " in text.lower(), (name, text)
        # the free-response asks are gone: no list of what to compute next to one choice
        assert not re.search(r"\b(Compute|Give|Fill in|Count the|How many)\b", text), (name, text)
