"""Reading a CSV table as spreadsheets and course sites export it: a header row, then one row
a line; comma-, semicolon- or tab-separated (Excel writes ';' where the decimal separator is
a comma), with or without a byte-order mark (Excel's "CSV UTF-8", Canvas's exports).

The separator is the one the header row holds: a header is ids and words, never numbers, so
a header holding exactly one of ',', ';' and a tab says which the file uses. A header holding
several, outside quotes, is refused: the file would read as something other than it looks.
Each row is one line of the file; a quoted cell running across lines (a stray quote swallowing
every row after it) is refused, naming its first line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

SEPARATORS = {",": "commas", ";": "';'", "\t": "tabs"}
# A file whose lines end at "\n" (or "\r\n") holding a "\r" alone: a line break pasted into a
# cell; a file whose lines all end at "\r" (classic Mac OS) holds no "\n".
_LONE_CR = re.compile("\r(?!\n)")
_QUOTED = re.compile(r'"[^"]*"')


def table_separator(header_line: str) -> str | None:
    """The separator a header line holds, outside quoted names; None when it holds several."""
    bare = _QUOTED.sub("", header_line)
    found = [sep for sep in SEPARATORS if sep in bare]
    if len(found) > 1:
        return None
    return found[0] if found else ","


def csv_table(
    text: str, source: str, error: Callable[[str, str], Exception]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header's cells and the rows after it, each with the number of its line; ``error``
    (source, message) makes what is raised for a file that cannot be read as it looks."""
    text = text.removeprefix("\ufeff")
    stray = _LONE_CR.search(text) if "\n" in text else None
    if stray:  # the csv module would end a row there, making a row of the rest
        line = text.count("\n", 0, stray.start()) + 1
        raise error(source, f"line {line}: a carriage return in the middle of a line")
    first = next((line for line in re.split("\r\n|\n|\r", text) if line.strip()), "")
    separator = table_separator(first)
    if separator is None:
        held = " and ".join(SEPARATORS[s] for s in SEPARATORS if s in _QUOTED.sub("", first))
        raise error(source, f"line 1: the header holds {held}: separate it by one of them")
    # Rows end where the csv module says, not at every character str.splitlines() breaks at
    # (U+0085, U+2028 and others), which would split a cell into a phantom row.
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    numbered = _one_line_rows(rows, source, error)
    try:
        _, header = next(numbered, (1, []))
    except csv.Error as problem:
        raise error(source, f"line {rows.line_num}: not a CSV file: {problem}") from None
    return header, _checked(numbered, rows, source, error)


def _checked(
    numbered: Iterator[tuple[int, list[str]]],
    rows: Any,
    source: str,
    error: Callable[[str, str], Exception],
) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from numbered
    except csv.Error as problem:
        line = rows.line_num
        raise error(source, f"line {line}: not a CSV file: {problem}") from None


def _one_line_rows(
    rows: Any, source: str, error: Callable[[str, str], Exception]
) -> Iterator[tuple[int, list[str]]]:
    """Each row of a csv reader with the number of its line, refusing a row that is not
    on one line of the file."""
    line = 0
    for row in rows:
        first = line + 1
        line = rows.line_num
        # A quote left open at the end of the file ends its row on the same line, with the
        # line break inside the cell.
        if line > first or any("\n" in cell or "\r" in cell for cell in row):
            raise error(source, f'line {first}: a quoted field runs across lines (a stray " ?)')
        yield first, row
