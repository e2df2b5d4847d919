"""Class rosters: a CSV file with a header row, an ``id`` column and an optional ``name``."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from generator.errors import SpecError, quoted
from generator.exam.assemble import Student
from generator.files.reading import read_text
from generator.ids import STUDENT_ID_RULE, is_student_id

MAX_STUDENTS = 100_000
MAX_ROSTER_BYTES = 20_000_000


def read_roster(path: Path) -> list[Student]:
    source = str(path)
    text = read_text(path, MAX_ROSTER_BYTES, SpecError)
    # Rows end where the csv module says, not at every character str.splitlines() breaks
    # at (U+0085, U+2028 and others), which would split a name into a phantom student.
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        return _students(rows, source)
    except csv.Error as error:
        raise SpecError(source, f"not a CSV file: {error}", f"line {rows.line_num}") from None


# A name is printed on sheets and pages; NUL marks the slots of feedback pages, and ESC
# starts a terminal sequence. C1 characters pass: U+0085 is cp1252's "…" misread.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A name is one line wherever it is printed (a heading, a box, a table row): a quoted cell's
# line breaks and tabs are spaces.
_BREAKS = re.compile("[\t\n\r\u2028\u2029]+")


def _students(rows: Any, source: str) -> list[Student]:
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "id" not in header:
        raise SpecError(source, "the first row must be a header with an 'id' column", "line 1")
    id_column = header.index("id")
    name_column = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: set[str] = set()
    for row in rows:
        line = f"line {rows.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        student_id = row[id_column].strip() if id_column < len(row) else ""
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
        students.append(Student(student_id, name))
        if len(students) > MAX_STUDENTS:
            raise SpecError(source, f"more than {MAX_STUDENTS} students")
    if not students:
        raise SpecError(source, "no students listed")
    return students


def numbered_students(count: int) -> list[Student]:
    width = max(3, len(str(count)))
    return [Student(f"v{n:0{width}d}") for n in range(1, count + 1)]
