"""Rosters as Canvas, Moodle, Gradescope and a European Excel export them are read as they
come: ';' or tab separators (the header says which), a byte-order mark, their column names."""

import pytest
from test_roster_rows import generate, roster_of


@pytest.mark.parametrize(
    "roster",
    [
        "id;name\na1;Lovelace, Ada\na2;Gödel\n",  # Excel where the decimal comma rules
        "\ufeffid;name\r\na1;Lovelace, Ada\r\na2;Gödel\r\n",  # Excel's "CSV UTF-8", Windows
        "id\tname\na1\tLovelace, Ada\na2\tGödel\n",  # a spreadsheet's tab-separated text
        '\ufeffid,name\na1,"Lovelace, Ada"\na2,Gödel\n',  # comma-separated with a BOM
        'name;id\n"Lovelace, Ada";a1\nGödel;a2\n',
    ],
)
def test_a_roster_separated_by_semicolons_or_tabs_or_with_a_bom_is_read(run, tmp_path, roster):
    result = generate(run, tmp_path, roster)
    assert result.exit_code == 0, result.output
    assert roster_of(tmp_path) == [("a1", "Lovelace, Ada"), ("a2", "Gödel")]


@pytest.mark.parametrize(
    "roster",
    [
        "Student ID,Name\na1,Ada Lovelace\na2,Kurt Gödel\n",
        # Canvas's gradebook export: its own ID first, then the SIS User ID
        'Student,SIS User ID,Section\n"Ada Lovelace",a1,A\n"Kurt Gödel",a2,A\n',
        # Moodle's participants export, from Excel in Germany
        "\ufeffFirst name;Last name;ID number;Email address\nAda;Lovelace;a1;ada@x.org\n"
        "Kurt;Gödel;a2;kurt@x.org\n",
    ],
)
def test_rosters_as_course_sites_export_them_are_read(run, tmp_path, roster):
    result = generate(run, tmp_path, roster)
    assert result.exit_code == 0, result.output
    assert roster_of(tmp_path) == [("a1", "Ada Lovelace"), ("a2", "Kurt Gödel")]


def test_a_stray_quote_in_a_semicolon_roster_is_still_refused(run, tmp_path):
    result = generate(run, tmp_path, 'id;name\na1;"Ann\na2;Bob\n')
    assert result.exit_code == 2
    assert result.output.strip() == (
        'error: roster.csv: line 2: a quoted field runs across lines (a stray " ?)'
    )
