"""A roster is read one row to a line of the file: what would read as something other than
it looks is refused, naming its line, before anything is written."""

import json

import pytest

QUIZ = 'title = "Roster quiz"\n[[questions]]\nfamily = "conv_output_size"\npoints = 1\n'


def generate(run, tmp_path, roster: str):
    (tmp_path / "quiz.toml").write_text(QUIZ)
    (tmp_path / "roster.csv").write_text(roster, newline="")
    return run("generate", "quiz.toml", "--roster", "roster.csv", "--seed", "s")


def refused(result, tmp_path, message: str) -> None:
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line == f"error: roster.csv: {message}"
    assert not (tmp_path / "output").exists() or not list((tmp_path / "output").iterdir())


def roster_of(tmp_path) -> list[tuple[str, str]]:
    (exam,) = (tmp_path / "output").iterdir()
    index = json.loads((exam / "instructor" / "index.json").read_text())
    return [(v["student_id"], v["name"]) for v in index["variants"]]


@pytest.mark.parametrize(
    "roster",
    [
        'id,name\na1,"Ann\na2,Bob\na3,Cy\na4,Dee\n',  # every student after the quote, swallowed
        'id,name\na1,"Ann\na2,Bob"\na3,Cy\n',  # the quote closed two lines on
        'id,name\r\na1,"Ann\r\na2,Bob\r\n',  # Windows line ends
        'id,name\na1,"Ann\n',  # left open at the end of the file
        'id,name\na1,"Ann\nSmith"\n',  # a spreadsheet cell's own line break
    ],
)
def test_a_quoted_field_running_across_lines_is_refused_at_its_first_line(run, tmp_path, roster):
    result = generate(run, tmp_path, roster)
    refused(result, tmp_path, 'line 2: a quoted field runs across lines (a stray " ?)')


def test_a_stray_quote_is_named_at_its_own_line_after_blank_lines(run, tmp_path):
    result = generate(run, tmp_path, 'id,name\n\na1,Ann\n\na2,"Bob\na3,Cy\n')
    refused(result, tmp_path, 'line 5: a quoted field runs across lines (a stray " ?)')


def test_a_quoted_header_running_across_lines_is_refused(run, tmp_path):
    result = generate(run, tmp_path, 'id,"name\na1,Ann\n')
    refused(result, tmp_path, 'line 1: a quoted field runs across lines (a stray " ?)')


def test_a_row_with_more_cells_than_the_header_is_refused(run, tmp_path):
    result = generate(run, tmp_path, "id,name\na1,Ann\na2,Turing, Alan\n")
    refused(
        result,
        tmp_path,
        "line 3: 3 cells where the header names 2 (a name holding a comma must be in quotes)",
    )


def test_the_header_row_repeated_is_refused(run, tmp_path):
    result = generate(run, tmp_path, "id,name\na1,Ann\nID,Name\na2,Bob\n")
    refused(result, tmp_path, "line 3: the header row again (two rosters pasted together?)")


def test_a_header_holding_two_separators_is_refused_saying_so(run, tmp_path):
    result = generate(run, tmp_path, "id;name,email\na1;Ann,a@x\n")
    refused(result, tmp_path, "line 1: the header holds commas and ';': separate it by one of them")


def test_blank_lines_and_empty_trailing_cells_are_fine(run, tmp_path):
    roster = 'id,name\n\na1,Ann\n,\n\r\na2,"Smith, Bob",,\n   \na3\n\n'
    result = generate(run, tmp_path, roster)
    assert result.exit_code == 0, result.output
    assert roster_of(tmp_path) == [("a1", "Ann"), ("a2", "Smith, Bob"), ("a3", "")]


def test_a_quoted_name_on_one_line_keeps_its_commas_and_quotes(run, tmp_path):
    result = generate(run, tmp_path, 'id,name\na1,"Ann ""Nan"" O\'Neil, Jr"\na2,Bo "B" b\n')
    assert result.exit_code == 0, result.output
    assert roster_of(tmp_path) == [("a1", 'Ann "Nan" O\'Neil, Jr'), ("a2", 'Bo "B" b')]


def test_a_carriage_return_inside_a_line_is_refused_not_made_a_student(run, tmp_path):
    result = generate(run, tmp_path, "id,name\r\na1,Ann\r\na2,Bob\ra3\r\n")
    refused(result, tmp_path, "line 3: a carriage return in the middle of a line")


def test_a_file_whose_lines_end_at_carriage_returns_is_read_line_by_line(run, tmp_path):
    result = generate(run, tmp_path, "id,name\ra1,Ann\ra2,Bob\r")
    assert result.exit_code == 0, result.output
    assert roster_of(tmp_path) == [("a1", "Ann"), ("a2", "Bob")]


def test_ids_that_differ_only_in_case_are_one_student_twice(run, tmp_path):
    (tmp_path / "roster.csv").write_text("id,name\na1,Ann\nA1,Bob\n")
    result = run("generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "s")
    assert result.exit_code == 2
    assert "line 3: student id 'A1' appears twice (as 'a1'" in result.output
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(("header", "twice"), [("id,id", "id"), ("id,name,Name", "name")])
def test_a_header_naming_a_column_twice_is_refused(run, tmp_path, header, twice):
    (tmp_path / "roster.csv").write_text(f"{header}\na1,Ann,Lee\n")
    result = run("generate", "convnet-shapes", "--roster", "roster.csv", "--seed", "s")
    assert result.exit_code == 2
    assert f"line 1: the header names '{twice}' twice" in result.output
