"""Question texts and worked solutions as a terminal shows them: Markdown read as plain
text, with tables laid out in aligned columns, code spans without their backticks,
formulas in plain symbols (``plain_math``), and paragraphs and list items wrapped at the
terminal's width between words, never inside one."""

from __future__ import annotations

import re
import shutil
import textwrap

from generator.render.plain_math import plain_formula

_FORMULA = re.compile(r"\$\$?([^$]+?)\$\$?")
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
        out += _wrapped(inline_text(lines[n]), width)
        n += 1
    return "\n".join(out)


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
