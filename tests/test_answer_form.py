"""The answer form that ``generate --format html`` makes of each student's sheet: what it
saves is a submission ``grade`` reads, and the time it was saved reaches the gradebook."""

import csv
import json

import pytest
from conftest import filled_submission


def gradebook_rows(out):
    return list(csv.DictReader((out / "gradebook.csv").read_text().splitlines()))


def test_the_time_a_form_saved_a_file_is_shown_in_the_gradebook(run, exam, tmp_path):
    handed = tmp_path / "handed"
    handed.mkdir()
    late = {**filled_submission(exam, "v001"), "saved_at": "2026-05-14T09:30:00.125Z"}
    (handed / "v001.json").write_text(json.dumps(late))
    (handed / "v002.json").write_text(json.dumps(filled_submission(exam, "v002")))
    result = run("grade", str(handed), "--out", "grades")
    assert result.exit_code == 0, result.output
    rows = {row["student_id"]: row for row in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["saved_at"] == "2026-05-14T09:30:00.125Z"
    assert rows["v002"]["saved_at"] == "" and rows["v003"]["saved_at"] == ""
    assert rows["v001"]["total"] == rows["v001"]["max_points"]


@pytest.mark.parametrize(
    "saved_at",
    ["=HYPERLINK(1)", "yesterday", 17, ["2026-05-14T09:30:00Z"], "2026-05-14T09:30:00",
     "２０２６-05-14T09:30:00Z", "2026-05-14T09:30:00Z\n"],
)  # fmt: skip
def test_a_saved_at_that_is_not_a_utc_time_is_refused_on_one_line(run, exam, tmp_path, saved_at):
    path = tmp_path / "handed.json"
    path.write_text(json.dumps({**filled_submission(exam, "v001"), "saved_at": saved_at}))
    result = run("grade", str(path))
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert str(path) in line and "'saved_at'" in line and "is not a UTC time" in line
