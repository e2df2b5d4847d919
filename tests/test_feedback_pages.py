"""A student's feedback page as the student reads it: a summary of the points first, the
network table holding the student's own answers, points as the sheet states them, and every
column on a 390-pixel phone screen."""

import json
import re

import pytest
from conftest import at_phone_width, filled_submission

from generator.cli import grade_main

# row1.params forgets the biases, row4.shape is left blank; the rest is the key
WRONG = {"row1.params": "1600", "row4.shape": ""}


@pytest.fixture
def feedback(exam, tmp_path):
    """The Markdown and HTML feedback on the ConvNet exam's v001 with two table blanks wrong."""
    submission = filled_submission(exam)
    table = next(q for q, parts in submission["answers"].items() if "row1.params" in parts)
    submission["answers"][table].update(WRONG)
    path = tmp_path / "v001.json"
    path.write_text(json.dumps(submission))
    from click.testing import CliRunner

    result = CliRunner().invoke(
        grade_main, [str(path), "--key", str(exam / "instructor" / "key.json"), "--out", "grades"]
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "grades" / "feedback"
    return (folder / "v001.md").read_text(), folder / "v001.html", table


def test_feedback_opens_with_the_total_and_each_questions_points_before_any_question(feedback):
    markdown, html_path, _ = feedback
    head = markdown.split("\n## ", 1)[0]
    assert "total **" in head
    lines = [line for line in head.splitlines() if re.match(r"\| \d+\. ", line)]
    assert [line.split(".")[0] for line in lines] == ["| 1", "| 2", "| 3", "| 4", "| 5"]
    assert all(re.search(r"\| \d+(\.\d+)? / \d+ \|$", line) for line in lines)
    html = html_path.read_text()
    assert html.index('<table class="summary">') < html.index('<section class="question"')


def test_feedback_numbers_each_question_and_keeps_its_id(feedback):
    markdown, html_path, table = feedback
    assert re.search(rf"^## \d\. \({table}\) ", markdown, re.M)
    assert re.search(rf"<h2>\d\. \({table}\) ", html_path.read_text())


def test_the_network_table_holds_the_students_answers_with_each_cells_verdict(feedback):
    markdown, html_path, table = feedback
    section = markdown.split(f"({table}) ", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 1 |")]
    assert rows and rows[0].endswith("| 1600 ✗ |")
    assert "\\_\\_" not in section  # no empty blank left in the table
    html = html_path.read_text()
    assert '<span class="blank-box">' not in html
    assert '<span class="cell-answer wrong">1600 <span class="mark" title="wrong">✗</span>' in html
    assert '<span class="cell-answer blank">(blank) ' in html
    assert html.count('class="cell-answer correct"') >= 10


def test_a_table_of_equal_parts_states_each_parts_worth_once_not_on_every_row(feedback):
    markdown, _, table = feedback
    section = markdown.split(f"({table}) ", 1)[1].split("\n## ", 1)[0]
    heading = section.splitlines()[0]
    each = re.search(r"· (\S+) a part$", heading)
    assert each, heading
    row = next(line for line in section.splitlines() if line.startswith("| row1.params |"))
    assert row.split("|")[4].strip() == "0" and " / " not in row
    correct = next(line for line in section.splitlines() if line.startswith("| row1.shape |"))
    assert correct.split("|")[4].strip() == each.group(1)


def test_no_column_of_the_feedback_runs_off_a_390_pixel_phone_screen(feedback, tmp_path):
    _, html_path, _ = feedback
    measured = at_phone_width(html_path.read_text(), tmp_path)
    assert measured["width"] == 390 and measured["right"] <= 390
