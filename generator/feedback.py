"""A student's feedback, as Markdown and as HTML: per question the text the student saw,
each part's answer, key, points and feedback, and the worked solution.

Everything but the student's points and answers is the same for every submission of a
variant, so generation lays both pages out once, with numbered slots where those go, and
keeps them in the variant's grading key (``feedback_frames``; see ``generator.variant_key``).
Grading fills the slots (``feedback_pages``): a class's feedback is written without running
a template. The HTML shows the question and solution as the answer key did, formulas
typeset by KaTeX. Each part's table row is made here, in one string per row, because a
class's feedback has hundreds of thousands of rows.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.formats import asset_files, write_files
from generator.grading import format_points
from generator.render import cell, environment, html_environment

# Where a feedback page finds KaTeX: beside it, in the folder that holds the class's pages
# (``write_assets``). A page sent on its own shows its formulas as TeX source.
ASSETS = "assets"

Frame = list[str | int]
"""A page laid out without the student's part: text, then the number of a slot, then text,
alternately. Slot 0 is the total; question ``n``'s points are slot ``2n + 1`` and its table
rows slot ``2n + 2``."""

# examgen's own texts never hold a NUL, so it can mark the slots in a rendered page
_SLOT = re.compile("\x00([0-9]+)\x00")
FORMATS = ("md", "html")


def write_assets(folder: Path) -> None:
    """KaTeX and the script that runs it, for the HTML feedback pages in ``folder``."""
    write_files(folder, asset_files())


def feedback_frames(key: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Frame]:
    """The feedback pages of ``key``'s variant, by format, with slots for the student's
    part; ``texts`` are each question's text and solution in Markdown (``text``,
    ``solution``) and HTML (``text_html``, ``solution_html``), as the key showed them."""
    markdown, html = [], []
    for n, (question, text) in enumerate(zip(key["questions"], texts, strict=True)):
        common = {
            "id": question["id"],
            "title": question["title"],
            "dropped": question["dropped"],
            "score": _slot(2 * n + 1),
        }
        markdown.append(
            {
                **common,
                "text": text["text"],
                "solution": text["solution"],
                "rows": _slot(2 * n + 2),
            }
        )
        html.append(
            {
                **common,
                # examgen's own HTML, made at generation from its templates' Markdown
                "text": Markup(text["text_html"]),
                "solution": Markup(text["solution_html"]),
                "rows": _slot(2 * n + 2),
            }
        )
    pages = (
        environment()
        .get_template("sheets/feedback.md.j2")
        .render(key=key, total=_slot(0), questions=markdown),
        html_environment()
        .get_template("sheets/feedback.html.j2")
        .render(key=key, total=_slot(0), questions=html, assets=ASSETS),
    )
    slots = 1 + 2 * len(key["questions"])
    return {name: _frame(page, slots) for name, page in zip(FORMATS, pages, strict=True)}


def _slot(number: int) -> Markup:
    return Markup(f"\x00{number}\x00")


def _frame(page: str, slots: int) -> Frame:
    pieces: Frame = _SLOT.split(page)
    pieces[1::2] = [int(number) for number in pieces[1::2]]
    if not is_frame(pieces, slots):
        raise ValueError("a feedback page's slots are not in its layout")  # examgen's bug
    return pieces


def is_frame(frame: Any, slots: int) -> bool:
    """Whether ``frame`` (read from a file) is a page with slots below ``slots``."""
    return (
        type(frame) is list
        and len(frame) % 2 == 1
        and all(type(text) is str for text in frame[::2])
        and all(type(number) is int and 0 <= number < slots for number in frame[1::2])
    )


def feedback_pages(key: dict[str, Any], report: dict[str, Any]) -> tuple[str, str]:
    """The feedback on ``report``, graded against ``key``, as Markdown and as escaped HTML:
    the key's ``feedback`` frames, filled."""
    total = f"{format_points(report['points'])} / {format_points(report['max_points'])}"
    markdown, html = [total], [total]  # points are digits: nothing to escape
    for graded, question in zip(report["questions"], key["questions"], strict=True):
        score = f"{format_points(graded['points'])} / {format_points(graded['max_points'])}"
        rows = [] if question["dropped"] else _rows(graded["parts"], question["parts"])
        markdown += (score, "\n".join([_markdown_row(*row) for row in rows]))
        html += (score, "\n".join([_html_row(*row) for row in rows]))
    frames = key["feedback"]
    return _filled(frames["md"], markdown), _filled(frames["html"], html)


def _filled(frame: Frame, values: list[str]) -> str:
    return "".join([piece if type(piece) is str else values[piece] for piece in frame])


def _rows(graded: list[dict[str, Any]], parts: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Per part: id, answer, key, points, status, and the status with its feedback."""
    return [
        (
            part["id"],
            _answer(part["answer"]),
            keyed["shown"],
            f"{format_points(part['points'])} / {format_points(part['max_points'])}",
            part["status"],
            f"{part['status']}: {part['feedback']}"
            if part["feedback"] and part["status"] != "blank"
            else part["status"],
        )
        for part, keyed in zip(graded, parts, strict=True)
    ]


def _markdown_row(id: str, answer: str, key: str, points: str, status: str, verdict: str) -> str:
    return f"| {id} | {cell(answer)} | {cell(key)} | {points} | {cell(verdict)} |"


def _html_row(id: str, answer: str, key: str, points: str, status: str, verdict: str) -> str:
    return (
        f'<tr class="{escape(status)}"><td>{escape(id)}</td><td>{escape(answer)}</td>'
        f"<td>{escape(key)}</td><td>{escape(points)}</td><td>{escape(verdict)}</td></tr>"
    )


def _answer(raw: Any) -> str:
    if raw is None or raw == "":
        return "(blank)"
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
