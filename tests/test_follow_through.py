"""Error carried forward in the network table, and the guard against gaming it."""

import pytest

from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.grading.scoring import grade
from generator.grading.variant_key import variant_key


@pytest.fixture(scope="module")
def midterm():
    manifest = assemble(spec.load("midterm-3-3"), "ecf", [Student("s1")])
    return manifest, manifest["variants"][0]


def score(midterm, answers):
    manifest, variant = midterm
    submission = {
        "exam_id": manifest["exam_id"],
        "variant_id": variant["variant_id"],
        "answers": {"p3_3": answers},
    }
    report = grade(variant_key(manifest, variant), submission, "s.json")
    return {p["id"]: p for p in report["questions"][0]["parts"]}


def test_a_row_consistent_with_a_wrong_earlier_row_gets_its_points(midterm):
    parts = score(
        midterm,
        {
            "row1.shape": "32x32x10",
            "row2.shape": "15x15x10",
            "row3.shape": "15x15x10",
            "row3.params": "2510",
        },
    )
    assert parts["row2.shape"]["status"] == "wrong"
    assert parts["row3.shape"]["status"] == "correct"
    assert (
        "follows from your row2.shape (15x15x10): error carried forward"
        in (parts["row3.shape"]["feedback"])
    )


def test_parameters_follow_from_the_students_own_depth(midterm):
    # a student who kept depth 1 after the first conv: the second conv then has 10x1x5x5 + 10
    parts = score(
        midterm,
        {"row1.shape": "32x32x12", "row2.shape": "16x16x12", "row3.params": "10x12x5x5 + 10"},
    )
    assert parts["row3.params"]["status"] == "correct"


def test_an_inconsistent_row_earns_nothing(midterm):
    parts = score(midterm, {"row2.shape": "15x15x10", "row3.shape": "14x14x10"})
    assert parts["row3.shape"]["status"] == "wrong"


def test_a_right_earlier_row_gives_no_excuse(midterm):
    parts = score(midterm, {"row2.shape": "16x16x10", "row3.shape": "15x15x10"})
    assert parts["row3.shape"]["status"] == "wrong"


@pytest.mark.parametrize(
    "earlier",
    [
        {"row1.shape": "32x32x1", "row2.shape": "32x32x1"},  # a copy of the input
        {"row1.shape": "32x32x10", "row2.shape": "1x1x1"},  # a volume of 1
        {"row1.shape": "20x20x7", "row2.shape": "20x20x7"},  # a copy of the row above
    ],
)
def test_trivial_earlier_answers_earn_no_follow_through(midterm, earlier):
    from generator.families.common.layerspec import parse_layer
    from solvers.network import apply_layer

    shape = tuple(int(d) for d in earlier["row2.shape"].split("x"))
    row = apply_layer(shape, parse_layer("CONV5-10"), 3)  # what row 3 "follows" to
    parts = score(midterm, {**earlier, "row3.shape": "x".join(map(str, row.shape))})
    assert parts["row3.shape"]["status"] == "wrong"


def test_a_total_that_adds_up_the_students_rows_is_credited(midterm):
    rows = {
        "row1.params": "260",
        "row2.params": "0",
        "row3.params": "2510",
        "row4.params": "0",
        "row5.params": "5000",
    }
    parts = score(midterm, {**rows, "total_params": "7770"})
    assert parts["total_params"]["status"] == "correct"
    assert "adds up your rows" in parts["total_params"]["feedback"]
    parts = score(midterm, {**rows, "total_params": "7771"})
    assert parts["total_params"]["status"] == "wrong"


def test_an_fc_layers_output_written_as_a_volume_earns_full_marks_and_says_so():
    """The course's convention (and cs231n's VGG table) writes an FC layer's N outputs as the
    activation volume 1x1xN: the network table accepts it, and only for a one-number key."""
    from generator.answers.types import Shape, answer_type_from_json

    table = Shape(fc_volume=True)
    score = table.grade("1x1x10", "10")
    assert (score.status, score.fraction) == ("correct", 1)
    assert score.feedback == "1x1x10 is 10 written as a volume"
    assert table.grade("10", "10").status == "correct"
    assert table.grade("1x10", "10").status == "wrong"
    assert table.grade("1x1x10", "4x4x10").status == "wrong"
    assert Shape().grade("1x1x10", "10").status == "wrong"  # other shapes: as written
    assert answer_type_from_json(table.to_json()).fc_volume


def test_the_network_tables_fc_row_accepts_1x1xn(run, tmp_path):
    import json

    run("generate", "midterm-3-3", "--variants", "1", "--seed", "fc")
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    (table,) = [q for q in key["variants"][0]["questions"] if q["id"] == "p3_3"]
    fc = [p for p in table["parts"] if p["id"].endswith(".shape") and "x" not in str(p["key"])]
    assert fc, "the midterm's table ends in an FC layer"
    submission = json.loads((exam / "students" / "v001" / "submission.json").read_text())
    for part in table["parts"]:
        submission["answers"]["p3_3"][part["id"]] = str(part["key"])
    for part in fc:
        submission["answers"]["p3_3"][part["id"]] = f"1x1x{part['key']}"
    (tmp_path / "s.json").write_text(json.dumps(submission))
    report = json.loads(run("grade", "s.json", "--json").output)
    (graded,) = [q for q in report["questions"] if q["id"] == "p3_3"]
    assert graded["points"] == graded["max_points"]
