"""Class rosters: a CSV file with a header row, an ``id`` column and optional ``name``,
``email`` and ``sid`` columns (who the student is on Gradescope: its autograder checks that
an upload's variant is the uploader's own; each unique in the roster).

Each row is one line of the file. A quoted cell may not run across lines, and a row may not
hold more cells than the header names: either is a roster that would read as something
other than it looks (a stray quote swallowing every student after it into one name, or a
name's unquoted comma cutting it short), so it is refused, naming its line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.errors import SpecError, quoted
from generator.exam.assemble import Student
from generator.exam.key_schema import CONTACT_RULE, is_contact
from generator.files.reading import read_text
from generator.ids import STUDENT_ID_RULE, is_student_id

MAX_STUDENTS = 100_000
MAX_ROSTER_BYTES = 20_000_000


def read_roster(path: Path) -> list[Student]:
    source = str(path)
    text = read_text(path, MAX_ROSTER_BYTES, SpecError)
    stray = _LONE_CR.search(text) if "\n" in text else None
    if stray:  # the csv module would end a row there, making a student of the rest
        line = text.count("\n", 0, stray.start()) + 1
        raise SpecError(source, "a carriage return in the middle of a line", f"line {line}")
    # Rows end where the csv module says, not at every character str.splitlines() breaks
    # at (U+0085, U+2028 and others), which would split a name into a phantom student.
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        return _students(_one_line_rows(rows, source), source)
    except csv.Error as error:
        raise SpecError(source, f"not a CSV file: {error}", f"line {rows.line_num}") from None


def _one_line_rows(rows: Any, source: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of a csv reader with the number of its line, refusing a row that is not
    on one line of the file."""
    line = 0
    for row in rows:
        first = line + 1
        line = rows.line_num
        # A quote left open at the end of the file ends its row on the same line, with the
        # line break inside the cell.
        if line > first or any("\n" in cell or "\r" in cell for cell in row):
            raise SpecError(
                source, 'a quoted field runs across lines (a stray " ?)', f"line {first}"
            )
        yield first, row


# A file whose lines end at "\n" (or "\r\n") holding a "\r" alone: a line break pasted into a
# name; a file whose lines all end at "\r" (classic Mac OS) holds no "\n".
_LONE_CR = re.compile("\r(?!\n)")
# A name is printed on sheets and pages; NUL marks the slots of feedback pages, and ESC
# starts a terminal sequence. C1 characters pass: U+0085 is cp1252's "…" misread.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A name is one line wherever it is printed (a heading, a box, a table row): the tabs and
# the separators a file's lines do not end at (U+2028, U+2029) are spaces.
_BREAKS = re.compile("[\t\u2028\u2029]+")
# What a spreadsheet saved as "CSV" may be separated by instead of commas.
_OTHER_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}


def _header(rows: Iterator[tuple[int, list[str]]], source: str) -> list[str]:
    _, cells = next(rows, (1, []))
    header = [cell.strip().lower() for cell in cells]
    if "id" in header:
        return header
    for separator, called in _OTHER_SEPARATORS.items():
        if any("id" in [part.strip().lower() for part in c.split(separator)] for c in cells):
            raise SpecError(
                source,
                f"the header is separated by {called}, not commas: save the roster as "
                "comma-separated CSV",
                "line 1",
            )
    raise SpecError(source, "the first row must be a header with an 'id' column", "line 1")


def _students(rows: Iterator[tuple[int, list[str]]], source: str) -> list[Student]:
    header = _header(rows, source)
    id_column = header.index("id")
    name_column = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: set[str] = set()
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
        if student_id in seen:
            raise SpecError(source, f"student id {quoted(student_id)} appears twice", line)
        seen.add(student_id)
        cell = row[name_column] if name_column is not None and name_column < len(row) else ""
        name = _BREAKS.sub(" ", cell).strip()
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


def _non_empty(cells: Iterable[str]) -> bool:
    return any(cell.strip() for cell in cells)


def numbered_students(count: int) -> list[Student]:
    width = max(3, len(str(count)))
    return [Student(f"v{n:0{width}d}") for n in range(1, count + 1)]
