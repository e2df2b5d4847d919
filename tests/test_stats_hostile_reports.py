"""`stats` on a report.json whose points a hand edit made extreme: one line naming the file
and the field, never an overflow's traceback; extreme but harmless numbers are analysed."""

import json

import pytest


def report(total=7, most=10, q_points=4, q_most=4):
    question = {
        "id": "q1",
        "family": "conv_params",
        "points": q_points,
        "max_points": q_most,
        "parts": [{"id": "a", "answer": "4", "status": "correct", "feedback": ""}],
    }
    other = {**question, "id": "q2", "points": 3, "max_points": 6}
    submissions = [
        {
            "submission": f"s{n}.json",
            "exam_id": "e",
            "variant_id": f"v{n}",
            "student_id": f"s{n}",
            "points": total,
            "max_points": most,
            "questions": [question, other],
        }
        for n in range(3)
    ]
    return {"exams": [{"exam_id": "e"}], "errors": [], "submissions": submissions}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"most": 5e-324}, "submissions[0].max_points"),
        ({"most": 1e308}, "submissions[0].max_points"),
        ({"most": -10}, "submissions[0].max_points"),
        ({"most": 2.2250738585072014e-308}, "submissions[0].max_points"),
        ({"total": 1e308}, "submissions[0].points"),
        ({"total": -1e308}, "submissions[0].points"),
        ({"q_most": 5e-324}, "submissions[0].questions[0].max_points"),
        ({"q_most": -4}, "submissions[0].questions[0].max_points"),
        ({"q_points": 1.7976931348623157e308}, "submissions[0].questions[0].points"),
        ({"most": 10**400}, "submissions[0].max_points"),
    ],
)
def test_extreme_points_are_refused_naming_the_file_and_field(run, tmp_path, change, field):
    (tmp_path / "grades").mkdir()
    (tmp_path / "grades" / "report.json").write_text(json.dumps(report(**change)))
    result = run("stats", "grades")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.splitlines()) == 1
    assert "report.json" in result.output and f"{field} must be" in result.output
    assert len(result.output) < 300
    assert not (tmp_path / "grades" / "stats.json").exists()


@pytest.mark.parametrize(
    "change", [{"q_points": 5e-324}, {"total": -7}, {"most": 0, "total": 0}, {"q_most": 0}]
)
def test_tiny_negative_or_zero_points_within_bounds_are_analysed(run, tmp_path, change):
    (tmp_path / "grades").mkdir()
    (tmp_path / "grades" / "report.json").write_text(json.dumps(report(**change)))
    result = run("stats", "grades")
    assert result.exit_code == 0, result.output
    stats = json.loads((tmp_path / "grades" / "stats.json").read_text())
    assert sum(stats["histogram"]["counts"]) == 3
