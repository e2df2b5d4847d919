"""Variant difficulty (issue 33, part 2): stats finds a planted hard group of instances in a
simulated class and flags nothing else, false alarms stay at the stated rate, regrade curves a
group, and generate --calibrate at least halves the spread of predicted scores."""

import json
import math
import os
import shutil
import statistics
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from simulated_class import answer_class

from generator import registry
from generator.cli import main
from generator.errors import BrokenKeyError
from generator.exam.key_schema import check_key
from generator.grading.difficulty import (
    ALPHA,
    Answer,
    entropy,
    fit,
    holm,
    variant_difficulty,
)

# Five questions whose families each declare one feature, independent of the others, so a
# flag can only come from a planted shift; two shifts planted.
SPEC = """title = "Simulated class"
[[questions]]
id = "soft"
family = "softmax_loss"
points = 4
difficulty = "hard"
[[questions]]
id = "clip"
family = "gradient_clipping"
points = 4
[[questions]]
id = "act"
family = "activation_identities"
points = 4
[[questions]]
id = "l2"
family = "l2_regularization"
points = 4
[[questions]]
id = "dropout"
family = "dropout"
points = 4
"""
PLANTED = {("soft", "large scores", "yes"): 1.5, ("dropout", "p", "0.5"): 1.5}
STUDENTS = "200"


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A simulated class of 200 generated, answered, graded and analysed: its folder."""
    root = tmp_path_factory.mktemp("simulated")
    old = Path.cwd()
    os.chdir(root)
    try:
        (root / "sim.toml").write_text(SPEC)
        assert _cli("generate", "sim.toml", "-n", STUDENTS, "--seed", "sim").exit_code == 0
        (exam_dir,) = (root / "output").iterdir()
        answer_class(exam_dir, PLANTED)
        assert _cli("grade", str(exam_dir / "students"), "--out", "grades").exit_code == 0
        stats = _cli("stats", "grades")
        assert stats.exit_code == 0, stats.output
    finally:
        os.chdir(old)
    return root, stats.output


def test_stats_flags_the_planted_hard_groups_and_no_other(graded_class):
    root, output = graded_class
    result = json.loads((root / "grades" / "stats.json").read_text())["variants"]
    flagged = {
        (q["id"], f["feature"]) for q in result["questions"] for f in q["features"] if f["flagged"]
    }
    assert flagged == {("soft", "large scores"), ("dropout", "p")}
    soft = next(q for q in result["questions"] if q["id"] == "soft")
    groups = {g["value"]: g for g in soft["features"][0]["groups"]}
    assert groups["yes"]["mean"] < groups["no"]["mean"]
    assert groups["yes"]["high"] < groups["no"]["low"]  # the intervals part
    assert "! large scores: no: " in output
    # who drew a hard exam: the students with both planted groups expect the least
    students = result["students"]
    hardest = students[0]["student_id"]
    key = json.loads(next((root / "output").glob("*/instructor/key.json")).read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == hardest)
    drawn = {q["id"]: q["features"] for q in variant["questions"]}
    assert drawn["soft"]["large scores"] == "yes" and drawn["dropout"]["p"] == "0.5"
    assert students[0]["difference"] < -0.8
    page = (root / "grades" / "stats.html").read_text()
    section = page.split(">Variant difficulty</h2>")[1]
    assert section.split("</table>")[0].count('<tr class="flag">') == 2
    assert "Who drew a harder exam" in section


def _null_class(rng: np.random.Generator, students: int = 100) -> list[Answer]:
    """Answers whose scores do not depend on the features (ability and chance only)."""
    theta = rng.normal(size=students)
    answers = []
    for question in range(4):
        for s in range(students):
            features = {"a": str(rng.integers(2)), "b": str(rng.integers(3))}
            right = rng.random() < 1 / (1 + math.exp(-(theta[s] + 0.5)))
            answers.append(
                Answer(f"s{s}", f"q{question}", "f", "medium", 4.0 * right, 4.0, features)
            )
    return answers


def test_false_alarms_over_many_simulated_classes_stay_at_the_stated_rate():
    runs = 200
    alarms = 0
    for run in range(runs):
        result = variant_difficulty(_null_class(np.random.default_rng(run)), permutations=399)
        alarms += any(f["flagged"] for q in result["questions"] for f in q["features"])
    # Holm keeps the chance of any false flag in a class at most ALPHA; two standard errors
    # of slack for the runs' own chance
    assert alarms / runs <= ALPHA + 2 * math.sqrt(ALPHA * (1 - ALPHA) / runs)


def test_the_permutation_test_finds_a_planted_shift_in_most_classes():
    found = 0
    for run in range(20):
        rng = np.random.default_rng(1000 + run)
        answers = _null_class(rng, 150)
        shifted = [
            Answer(a.student, a.question, a.family, a.difficulty, 0.0, 4.0, a.features)
            if a.question == "q0" and a.features["a"] == "1" and rng.random() < 0.6
            else a
            for a in answers
        ]
        result = variant_difficulty(shifted, permutations=399)
        flags = {(q["id"], f["feature"]) for q in result["questions"] for f in q["features"]}
        flagged = {
            (q["id"], f["feature"])
            for q in result["questions"]
            for f in q["features"]
            if f["flagged"]
        }
        assert flagged <= flags
        found += ("q0", "a") in flagged
    assert found >= 18


def test_holm_adjusts_in_steps_and_never_above_one():
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm([0.6, 0.7]) == [1.0, 1.0]


def test_a_feature_fit_is_each_groups_mean_shrunk_toward_the_whole():
    answers = [Answer(f"s{n}", "q", "f", "easy", n % 2, 1, {"x": str(n % 2)}) for n in range(20)]
    model = fit(answers)
    assert model.mean == pytest.approx(0.5)
    # ten answers a group, shrunk by 10 / (10 + 5) from a distance of 0.5
    assert model.effects["x=1"] == pytest.approx(0.5 * 10 / 15, abs=1e-6)
    assert model.share({"x": "1"}) == pytest.approx(0.5 + 1 / 3, abs=1e-6)


def _spreads(key: dict) -> tuple[float, float]:
    before = [v["calibration"]["first_predicted"] for v in key["variants"]]
    after = [v["calibration"]["predicted"] for v in key["variants"]]
    return statistics.stdev(before), statistics.stdev(after)


def test_calibrate_halves_the_predicted_spread_and_keeps_each_questions_variety(graded_class):
    root, _ = graded_class
    old = Path.cwd()
    os.chdir(root)
    try:
        args = ["generate", "sim.toml", "-n", STUDENTS, "--seed", "next term", "--force"]
        calibrated = _cli(*args, "--calibrate", "grades")
        report = json.loads((root / "grades" / "report.json").read_text())
        keys = (root / "output").glob("*/instructor/key.json")
        (key_path,) = [k for k in keys if k.parts[-3] != report["exams"][0]["exam_id"]]
        first_bytes = key_path.read_bytes()
        assert _cli(*args, "--calibrate", "grades").exit_code == 0
        again_bytes = key_path.read_bytes()
        assert _cli(*args).exit_code == 0
        plain_key = json.loads(key_path.read_text())
    finally:
        os.chdir(old)
    assert calibrated.exit_code == 0, calibrated.output
    assert "standard deviation of the predicted score" in calibrated.output
    key = json.loads(first_bytes)
    before, after = _spreads(key)
    assert after <= before / 2
    low, high = key["calibration"]["band"]
    inside = [low <= v["calibration"]["predicted"] <= high for v in key["variants"]]
    assert sum(inside) >= 0.95 * len(inside)
    for question in key["questions"]:
        first = [v["calibration"]["first_instances"][question["id"]] for v in key["variants"]]
        kept = [
            json.dumps(next(q for q in v["questions"] if q["id"] == question["id"])["params"])
            for v in key["variants"]
        ]
        assert entropy(kept) >= 0.9 * entropy(first), question["id"]
    assert again_bytes == first_bytes  # the same seed and classes give the same exam
    # a variant inside the band at once is the variant generation draws without calibration
    assert "calibration" not in plain_key
    for variant, uncalibrated in zip(key["variants"], plain_key["variants"], strict=True):
        if variant["calibration"]["draws"] == 1:
            assert variant["questions"] == uncalibrated["questions"]


def test_calibrating_from_a_class_without_a_shared_family_is_refused_on_one_line(
    graded_class, tmp_path
):
    root, _ = graded_class
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(
            main, ["generate", "midterm-3-3", "--seed", "s", "--calibrate", "grades"]
        )
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    assert "no question of built-in exam 'midterm-3-3' asks a family" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_stats_without_the_key_still_writes_the_item_analysis_and_says_why(graded_class, tmp_path):
    root, _ = graded_class
    grades = tmp_path / "grades"
    shutil.copytree(root / "grades", grades)
    result = CliRunner().invoke(main, ["stats", str(grades), "--exams", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert "note: variant difficulty left out for exam" in result.output
    assert "variants" in json.loads((grades / "stats.json").read_text())
    assert json.loads((grades / "stats.json").read_text())["variants"]["questions"] == []


def test_every_question_of_a_generated_key_records_its_instances_features(exam):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    header = {q["id"]: q for q in key["questions"]}
    for variant in key["variants"]:
        for question in variant["questions"]:
            family = registry.get(header[question["id"]]["family"])
            expected = family.features(question["params"]) or {
                "difficulty": header[question["id"]]["difficulty"]
            }
            assert question["features"] == expected


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ([1, 2], "features: must be an object"),
        ({"op": 3}, "features: 'op' must name a string value"),
        ({"op": "x" * 81}, "features.op: must be at most 80"),
    ],
)
def test_a_key_whose_features_are_not_short_strings_is_refused_naming_the_field(exam, value, named):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    key["variants"][0]["questions"][0]["features"] = value
    with pytest.raises(BrokenKeyError, match=named.replace("[", r"\[")):
        check_key(key, "key.json")


@pytest.mark.parametrize("curve", [-1, 11, "2", float("inf")])
def test_a_key_whose_curve_is_not_a_factor_from_0_to_10_is_refused(exam, curve):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    key["variants"][0]["questions"][0]["curve"] = curve
    with pytest.raises(BrokenKeyError, match=r"questions\[0\]\.curve: must be a number"):
        check_key(key, "key.json")


def _first_part_only(exam_dir: Path, question_id: str) -> None:
    """Every student answers only the first part of ``question_id``, rightly."""
    key = json.loads((exam_dir / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        path = exam_dir / "students" / variant["student_id"] / "submission.json"
        submission = json.loads(path.read_text())
        question = next(q for q in variant["questions"] if q["id"] == question_id)
        part = question["parts"][0]
        submission["answers"][question_id][part["id"]] = part["key"]
        path.write_text(json.dumps(submission))


def test_regrade_curves_and_drops_a_question_for_one_group_of_instances(run, tmp_path):
    (tmp_path / "sim.toml").write_text(SPEC)
    assert run("generate", "sim.toml", "-n", "12", "--seed", "curve").exit_code == 0
    (exam_dir,) = (tmp_path / "output").iterdir()
    _first_part_only(exam_dir, "soft")
    assert run("grade", str(exam_dir / "students"), "--out", "grades").exit_code == 0
    key = json.loads((exam_dir / "instructor" / "key.json").read_text())
    group = {
        v["student_id"]
        for v in key["variants"]
        if v["questions"][0]["features"]["large scores"] == "yes"
    }
    assert 0 < len(group) < 12
    before = json.loads((tmp_path / "grades" / "report.json").read_text())
    points = {s["student_id"]: s["questions"][0]["points"] for s in before["submissions"]}

    curved = run("regrade", "grades", "--curve", "soft:large scores=yes:1.5")
    assert curved.exit_code == 0, curved.output
    changes = json.loads((tmp_path / "grades" / "changes.json").read_text())["changes"]
    assert {c["student_id"] for c in changes} == group
    for change in changes:
        old = points[change["student_id"]]
        assert change["questions"]["soft"] == pytest.approx(min(4, 1.5 * old) - old)
        assert f"{change['student_id']}: " in curved.output

    dropped = run("regrade", "grades", "--curve", "soft:large scores=yes:drop")
    assert dropped.exit_code == 0, dropped.output
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    for submission in report["submissions"]:
        soft = submission["questions"][0]
        if submission["student_id"] in group:
            assert (soft["points"], soft["max_points"], submission["max_points"]) == (0, 0, 16)
        else:
            assert (soft["points"], soft["max_points"]) == (points[submission["student_id"]], 4)

    undone = run("regrade", "grades", "--curve", "soft:large scores=yes:1")
    assert undone.exit_code == 0
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert {s["student_id"]: s["questions"][0]["points"] for s in report["submissions"]} == points


@pytest.mark.parametrize(
    ("curve", "says"),
    [
        ("soft:large scores=maybe:1.5", "matches no variant: its instances have large scores = "),
        ("nosuch:a=b:2", "no question 'nosuch' to curve"),
        ("soft:large scores=yes", "is not QID:FEATURE=VALUE:FACTOR"),
        ("soft:large scores=yes:lots", "is not a number or drop"),
        ("soft:large scores=yes:0", "is not above 0 and at most 10"),
    ],
)
def test_a_curve_that_names_nothing_or_no_factor_is_refused_on_one_line(run, tmp_path, curve, says):
    (tmp_path / "sim.toml").write_text(SPEC)
    assert run("generate", "sim.toml", "-n", "3", "--seed", "curve").exit_code == 0
    (exam_dir,) = (tmp_path / "output").iterdir()
    assert run("grade", str(exam_dir / "students"), "--out", "grades").exit_code == 0
    result = CliRunner().invoke(main, ["regrade", "grades", "--curve", curve])
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output
