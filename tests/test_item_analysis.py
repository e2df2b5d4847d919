"""Item analysis: difficulty, discrimination, common wrong answers, histogram."""

import json
import re
import struct
import zlib

import numpy as np
import pytest
from conftest import filled_submission

from generator.grading.stats import item_analysis
from generator.render.png import bar_chart
from generator.render.svg import bar_chart_svg


def submission(student, total, q1, answer="7"):
    """A report with two questions: q1 (4 points) and q2 carrying the rest."""
    return {
        "student_id": student,
        "exam_id": "e",
        "variant_id": student,
        "points": total,
        "max_points": 10,
        "questions": [
            {
                "id": "q1",
                "family": "conv_params",
                "points": q1,
                "max_points": 4,
                "parts": [
                    {
                        "id": "params",
                        "answer": "4" if q1 == 4 else answer,
                        "status": "correct" if q1 == 4 else "wrong",
                        "feedback": ""
                        if q1 == 4
                        else "expected 4 (known mistake: forgetting the biases)",
                    }
                ],
            },
            {
                "id": "q2",
                "family": "hinge_loss",
                "points": total - q1,
                "max_points": 6,
                "parts": [{"id": "loss", "answer": "1", "status": "correct", "feedback": ""}],
            },
        ],
    }


def test_difficulty_and_discrimination_follow_their_definitions():
    # strong students get q1 right, weak ones wrong: a discriminating question
    report = {
        "submissions": [
            submission(f"s{n}", total, q1)
            for n, (total, q1) in enumerate([(10, 4), (9, 4), (8, 4), (4, 0), (3, 0), (2, 0)])
        ]
    }
    stats = item_analysis(report)
    q1 = next(row for row in stats["questions"] if row["id"] == "q1")
    assert q1["difficulty"] == pytest.approx(0.5)  # half the class got it
    assert q1["upper_lower"] == pytest.approx(1.0)  # top 27 % all right, bottom all wrong
    # point-biserial against the rest of the score (the item itself left out)
    scores, totals = [4, 4, 4, 0, 0, 0], [10, 9, 8, 4, 3, 2]
    rest = [t - s for t, s in zip(totals, scores, strict=True)]
    assert q1["point_biserial"] == pytest.approx(np.corrcoef(scores, rest)[0, 1])
    (wrong,) = q1["common_wrong"]
    assert wrong == {
        "part": "params",
        "answer": "7",
        "count": 3,
        "diagnosis": "forgetting the biases",
    }
    assert stats["histogram"]["counts"][2:5] == [1, 1, 1]
    assert stats["histogram"]["counts"][8:] == [1, 2]  # 8/10; 9/10 and 10/10 in 90-100 %


def test_a_question_everyone_gets_right_has_no_discrimination():
    report = {"submissions": [submission(f"s{n}", 4 + n, 4) for n in range(5)]}
    q1 = next(r for r in item_analysis(report)["questions"] if r["id"] == "q1")
    assert q1["difficulty"] == 1 and q1["point_biserial"] is None


def test_the_histogram_is_a_valid_png_of_the_requested_size():
    data = bar_chart([1, 5, 0, 3], ["0", "25", "50", "75"], width=320, height=160)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (320, 160)
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    assert len(raw) == height * (1 + 3 * width)


def test_stats_command_writes_a_report_a_picture_and_json(run, tmp_path):
    from click.testing import CliRunner

    from generator.cli import grade_main

    run("generate", "-n", "6", "--seed", "st")
    (exam,) = (tmp_path / "output").iterdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    for n in range(1, 7):
        data = filled_submission(exam, f"v{n:03d}")
        if n > 3:
            data["answers"]["hinge"]["loss"] = "<b>x</b>"
        (subs / f"v{n}.json").write_text(json.dumps(data))
    CliRunner().invoke(grade_main, [str(subs), "--out", "grades"])
    result = run("stats", "grades")
    assert result.exit_code == 0, result.output
    assert "6 students" in result.output and "hinge" in result.output
    html = (tmp_path / "grades" / "stats.html").read_text()
    assert "<b>x</b>" not in html and "&lt;b&gt;" in html
    chart = html[html.index('<svg class="chart"') : html.index("</svg>")]
    nonzero = sum(1 for count in stats_counts(tmp_path / "grades") if count)
    assert chart.count("<rect") == nonzero
    assert (tmp_path / "grades" / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    stats = json.loads((tmp_path / "grades" / "stats.json").read_text())
    assert stats["students"] == 6


def stats_counts(grades):
    return json.loads((grades / "stats.json").read_text())["histogram"]["counts"]


def test_the_page_chart_draws_bars_in_proportion_to_their_counts():
    svg = bar_chart_svg([0, 2, 4], ["0-49", "50-89", "90-100"])
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]
    assert len(heights) == 2 and heights[1] == pytest.approx(2 * heights[0])
    assert ">50–89<" in svg and 'aria-label="students by score (% of the maximum): 0-49: 0' in svg


def test_the_page_chart_escapes_its_labels_and_titles():
    svg = bar_chart_svg([1], ["<script>"], x_title='a "b" & c')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'a "b"' not in svg and "&amp; c" in svg


def test_stats_without_a_grading_is_a_one_line_error(run):
    result = run("stats", "nowhere")
    assert result.exit_code == 2 and "nowhere/report.json: no such file" in result.output


def test_a_damaged_report_is_refused_on_one_line_naming_the_field(run, tmp_path):
    good = {
        "exams": [{"exam_id": "e"}],
        "errors": [],
        "submissions": [{**submission("v1", 7, 4), "submission": "v1.json"}],
    }
    damages = {
        "the file must be an object": [good],
        "submissions must be a list": {**good, "submissions": 3},
        "errors must be a list": {key: v for key, v in good.items() if key != "errors"},
        "submissions[0].questions[1].points must be a number": json.loads(
            json.dumps(good).replace('"points": 3', '"points": "3"')
        ),
        "submissions[0].questions[0].parts[0] must be an object": json.loads(
            json.dumps(good).replace('"parts": [{"id": "params"', '"parts": [7, {"id": "params"')
        ),
        "submissions[0].questions[0].parts[0].feedback must be a string or null": json.loads(
            json.dumps(good).replace(
                '"status": "correct", "feedback": ""}]}', '"status": "correct", "feedback": 1}]}'
            )
        ),
    }
    for n, (problem, report) in enumerate(damages.items()):
        folder = tmp_path / f"grades{n}"
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(report))
        for command in (["stats", folder.name], ["regrade", folder.name, "--key", "k.json"]):
            result = run(*command)
            assert result.exit_code == 2, (command, result.output)
            assert "Traceback" not in result.output and len(result.output.splitlines()) == 1
            assert f"not a report written by grade: {problem}" in result.output, result.output
        assert not (folder / "stats.json").exists()
    (tmp_path / "grades0" / "report.json").write_text(json.dumps(good))
    assert run("stats", "grades0").exit_code == 0


def test_the_histogram_labels_say_which_tenth_holds_full_marks():
    report = {"submissions": [submission("a", 10, 10), submission("b", 9, 10)]}
    histogram = item_analysis(report)["histogram"]
    assert histogram["labels"][0] == "0-9" and histogram["labels"][-1] == "90-100"
    assert histogram["counts"][-1] == 2  # 100 % sits in the bar labelled 90-100, not 90


def test_the_histogram_png_has_axis_titles():
    """The picture holds more ink with its titles than without: they are drawn."""
    with_titles = bar_chart([1, 2], ["0-49", "50-100"], width=320, height=200)
    without = bar_chart([1, 2], ["0-49", "50-100"], width=320, height=200, x_title="", y_title="")
    assert with_titles != without
