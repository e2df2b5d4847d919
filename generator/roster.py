"""Class rosters: a CSV file with a header row, an ``id`` column and an optional ``name``."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from generator.assemble import Student
from generator.errors import SpecError
from generator.input_files import read_text

# Student ids name folders and appear in file names, so they stay portable.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_STUDENTS = 100_000
MAX_ROSTER_BYTES = 20_000_000


def read_roster(path: Path) -> list[Student]:
    source = str(path)
    text = read_text(path, MAX_ROSTER_BYTES, SpecError).removeprefix("\ufeff")  # Excel's BOM
    rows = csv.reader(text.splitlines())
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "id" not in header:
        raise SpecError(source, "the first row must be a header with an 'id' column", "line 1")
    id_column = header.index("id")
    name_column = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        student_id = row[id_column].strip() if id_column < len(row) else ""
        if not _SAFE_ID.fullmatch(student_id):
            raise SpecError(
                source,
                f"student id '{student_id[:40]}' must be 1-64 letters, digits, '.', '_' or '-'",
                f"line {line}",
            )
        if student_id in seen:
            raise SpecError(source, f"student id '{student_id}' appears twice", f"line {line}")
        seen.add(student_id)
        name = (
            row[name_column].strip() if name_column is not None and name_column < len(row) else ""
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
