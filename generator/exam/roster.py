"""Class rosters: a CSV file with a header row, an ``id`` column and optional ``name``,
``email`` and ``sid`` columns (who the student is on Gradescope: its autograder checks that
an upload's variant is the uploader's own; each unique in the roster).

Rosters are read as Canvas, Moodle, Gradescope and spreadsheets export them: comma-, ';'- or
tab-separated as the header says, with or without a byte-order mark, with ``Student ID`` or
``SIS User ID`` for ``id`` and first and last names joined (``files.tables``, ``_ALIASES``).
Each row is one line of the file. A quoted cell may not run across lines, and a row may not
hold more cells than the header names: either is a roster that would read as something
other than it looks (a stray quote swallowing every student after it into one name, or a
name's unquoted comma cutting it short), so it is refused, naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.errors import SpecError, quoted
from generator.exam.assemble import Student
from generator.exam.key_schema import CONTACT_RULE, is_contact
from generator.files.reading import read_text
from generator.files.tables import csv_table
from generator.ids import STUDENT_ID_RULE, is_student_id

MAX_STUDENTS = 100_000
MAX_ROSTER_BYTES = 20_000_000


def read_roster(path: Path) -> list[Student]:
    source = str(path)
    text = read_text(path, MAX_ROSTER_BYTES, SpecError)
    header, rows = csv_table(text, source, SpecError)
    return _students(_header(header, source), rows, source)


# A name is printed on sheets and pages; NUL marks the slots of feedback pages, and ESC
# starts a terminal sequence. C1 characters pass: U+0085 is cp1252's "…" misread.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A name is one line wherever it is printed (a heading, a box, a table row): the tabs and
# the separators a file's lines do not end at (U+2028, U+2029) are spaces.
_BREAKS = re.compile("[\t\u2028\u2029]+")
# The columns as Canvas, Moodle and Gradescope export rosters name them
_ALIASES = {
    "student id": "id",
    "student_id": "id",
    "sis user id": "id",
    "id number": "id",
    "student": "name",
    "student name": "name",
    "full name": "name",
    "email address": "email",
}


def _header(cells: list[str], source: str) -> list[str]:
    header = [" ".join(cell.split()).lower() for cell in cells]
    if "id" not in header:
        header = [_ALIASES.get(cell, cell) for cell in header]
    if "id" in header:
        twice = next((cell for cell in header if cell and header.count(cell) > 1), None)
        if twice:  # one of the two would be read and the other dropped without a word
            raise SpecError(source, f"the header names {quoted(twice)} twice", "line 1")
        return header
    raise SpecError(
        source,
        "the first row must be a header with an 'id' column ('Student ID' and 'SIS User ID' "
        "are read as one)",
        "line 1",
    )


def _students(
    header: list[str], rows: Iterator[tuple[int, list[str]]], source: str
) -> list[Student]:
    id_column = header.index("id")
    name_column = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: dict[str, str] = {}  # by casefold: ids name folders, which some disks fold
    seen_contacts: set[tuple[str, str]] = set()
    for number, row in rows:
        line = f"line {number}"
        if not any(cell.strip() for cell in row):
            continue
        if _non_empty(row[len(header) :]):
            raise SpecError(
                source,
                f"{len(row)} cells where the header names {len(header)} "
                "(a name holding a comma must be in quotes)",
                line,
            )
        student_id = row[id_column].strip() if id_column < len(row) else ""
        if student_id.lower() == "id":
            raise SpecError(source, "the header row again (two rosters pasted together?)", line)
        if not is_student_id(student_id):
            raise SpecError(
                source, f"student id {quoted(student_id)} must be {STUDENT_ID_RULE}", line
            )
        if student_id.casefold() in seen:
            first = seen[student_id.casefold()]
            also = (
                ""
                if first == student_id
                else f" (as {quoted(first)}: ids name folders, "
                + ("and macOS and Windows do not tell them apart by case)")
            )
            raise SpecError(source, f"student id {quoted(student_id)} appears twice{also}", line)
        seen[student_id.casefold()] = student_id
        name = _BREAKS.sub(" ", _name(row, header, name_column)).strip()
        if _CONTROL.search(name) or len(name) > 200:
            raise SpecError(
                source, "a name must be at most 200 characters, with no control characters", line
            )
        contacts = {
            column: _contact(row, header, column, source, line, seen_contacts)
            for column in ("email", "sid")
        }
        students.append(Student(student_id, name, **contacts))
        if len(students) > MAX_STUDENTS:
            raise SpecError(source, f"more than {MAX_STUDENTS} students")
    if not students:
        raise SpecError(source, "no students listed")
    return students


def _contact(
    row: list[str],
    header: list[str],
    column: str,
    source: str,
    line: str,
    seen: set[tuple[str, str]],
) -> str:
    """The student's ``email`` or ``sid`` cell, empty when the roster has no such column;
    two students with one email or sid could each hand in the other's variant."""
    at = header.index(column) if column in header else len(row)
    value = row[at].strip() if at < len(row) else ""
    if not value:
        return ""
    if not is_contact(value):
        raise SpecError(source, f"{column} {quoted(value)} must be {CONTACT_RULE}", line)
    # an email is one address whatever its case, as Gradescope compares them
    if (column, value.casefold()) in seen:
        raise SpecError(source, f"{column} {quoted(value)} appears twice", line)
    seen.add((column, value.casefold()))
    return value


def _name(row: list[str], header: list[str], column: int | None) -> str:
    """The row's name: its name column's, or first and last names joined, as Moodle and
    Gradescope export them."""
    if column is not None:
        return row[column] if column < len(row) else ""
    parts = [header.index(c) for c in ("first name", "last name") if c in header]
    return " ".join(row[at].strip() for at in parts if at < len(row))


def _non_empty(cells: Iterable[str]) -> bool:
    return any(cell.strip() for cell in cells)


def numbered_students(count: int) -> list[Student]:
    width = max(3, len(str(count)))
    return [Student(f"v{n:0{width}d}") for n in range(1, count + 1)]
