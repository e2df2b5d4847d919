"""Question texts and worked solutions as a terminal shows them: Markdown read as plain
text, with tables laid out in aligned columns, code spans without their backticks,
formulas in plain symbols (``plain_math``), and paragraphs and list items wrapped at the
terminal's width between words, never inside one."""

from __future__ import annotations

import re
import shutil
import textwrap

from generator.render.plain_math import MATRIX_CLOSE as _MATRIX_CLOSE
from generator.render.plain_math import MATRIX_OPEN as _MATRIX_OPEN
from generator.render.plain_math import matrix_cells, plain_formula

_FORMULA = re.compile(r"\$\$?([^$]+?)\$\$?")
_SIDE_LABEL = 24  # a label this short goes beside its matrix, a longer one above it
_MATRIX_ROWS = re.compile(r"\\begin\{bmatrix\}[^$]*\\\\")  # a bmatrix of two rows or more
_CODE = re.compile(r"`([^`]*)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_ITEM = re.compile(r"(\s*)((?:[-*]|\d+\.)\s+)")
_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*")


def terminal_width() -> int:
    """The terminal's columns, one kept free so a full line never wraps by itself."""
    return max(40, shutil.get_terminal_size((80, 24)).columns - 1)


def inline_text(markdown: str) -> str:
    """One line of Markdown as plain text: formulas in symbols, no code or bold marks."""
    text = _FORMULA.sub(lambda m: plain_formula(m[1]), markdown)
    text = text.replace("\\_", "_")  # a blank to fill in, \_\_\_\_ in Markdown
    return _BOLD.sub(r"\1", _CODE.sub(r"\1", text))


def terminal_text(markdown: str, width: int | None = None) -> str:
    """``markdown`` as plain text wrapped at ``width`` columns (the terminal's)."""
    width = width or terminal_width()
    out: list[str] = []
    lines = markdown.splitlines()
    n = 0
    while n < len(lines):
        if lines[n].lstrip().startswith("|"):
            table = []
            while n < len(lines) and lines[n].lstrip().startswith("|"):
                table.append(lines[n])
                n += 1
            out += _table(table, width)
            continue
        out += _with_grids(lines[n], width)
        n += 1
    return "\n".join(out)


def _with_grids(line: str, width: int) -> list[str]:
    """One line of Markdown, wrapped; a matrix of several rows in it is set as an aligned
    grid on lines of its own, as it would be written on paper, with the text around it
    before and after. In a list item, every line after the first is indented under it."""
    matrices = [m for m in _FORMULA.finditer(line) if _MATRIX_ROWS.search(m[1])]
    if not matrices:
        return _wrapped(inline_text(line), width)
    item = _ITEM.match(line)
    indent = " " * len(item[0]) if item else ""
    out: list[str] = []

    def add(lines: list[str]) -> None:
        out.extend(lines if not out else [indent + text for text in lines])

    start = 0
    for match in matrices:
        tex = match[1]
        opening = tex.index(_MATRIX_OPEN)
        closing = tex.index(_MATRIX_CLOSE) + len(_MATRIX_CLOSE)
        before = inline_text(line[start : match.start()])
        label = (before + plain_formula(tex[:opening])).rstrip(" ").lstrip(" ,;")
        grid = _grid(tex[opening + len(_MATRIX_OPEN) : closing - len(_MATRIX_CLOSE)])
        if label and len(label) <= _SIDE_LABEL:  # W = ⎡ 1  2 ⎤, the rows under the first
            pad = " " * (len(label) + 1)
            add([f"{label} {grid[0]}", *(pad + row for row in grid[1:])])
        else:
            if label:
                add(_wrapped(label, width))
            add(grid)
        after = plain_formula(tex[closing:]).strip()
        if after:
            add(_wrapped(after, width - len(indent)))
        start = match.end()
    rest = inline_text(line[start:]).strip(" ,;")
    if rest:
        add(_wrapped(rest, width - len(indent)))
    return out


def _grid(body: str) -> list[str]:
    """A bmatrix's body as rows of right-aligned columns between tall brackets."""
    rows = matrix_cells(body)
    widths = [max(len(row[c]) for row in rows if c < len(row)) for c in range(len(rows[0]))]
    lines = ["  ".join(v.rjust(w) for v, w in zip(row, widths, strict=False)) for row in rows]
    left, right = ["⎡", *["⎢"] * (len(rows) - 2), "⎣"], ["⎤", *["⎥"] * (len(rows) - 2), "⎦"]
    return [f"{a} {text} {b}" for a, text, b in zip(left, lines, right, strict=True)]


def _wrapped(line: str, width: int) -> list[str]:
    if not line.strip():
        return [""]
    item = _ITEM.match(line)
    indent = " " * len(item[0]) if item else " " * (len(line) - len(line.lstrip()))
    return textwrap.wrap(
        line,
        width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [line]


def _table(lines: list[str], width: int) -> list[str]:
    """A Markdown table as aligned columns, the header underlined; a table wider than
    ``width`` wraps the text of its widest columns inside them."""
    rows = [
        [inline_text(cell.strip()) for cell in _cells(line)]
        for line in lines
        if not _SEPARATOR.fullmatch(line.strip())
    ]
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [max(len(row[c]) for row in rows) for c in range(columns)]
    while sum(widths) + 2 * (columns - 1) > width and max(widths) > _NARROWEST:
        widths[widths.index(max(widths))] -= 1
    shown = []
    for n, row in enumerate(rows):
        cells = [
            textwrap.wrap(cell, w, break_long_words=False) or [""]
            for cell, w in zip(row, widths, strict=True)
        ]
        for k in range(max(map(len, cells))):
            parts = [
                (cell[k] if k < len(cell) else "").ljust(w)
                for cell, w in zip(cells, widths, strict=True)
            ]
            shown.append("  ".join(parts).rstrip())
        if n == 0 and len(rows) > 1:
            shown.append("  ".join("-" * w for w in widths))
    return shown


_NARROWEST = 8  # columns a table's column keeps when the table is squeezed to fit


def _cells(line: str) -> list[str]:
    """A table row's cells, split at pipes that Markdown does not escape."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]
