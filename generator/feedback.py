"""A student's feedback, as Markdown and as HTML: per question the text the student saw,
each part's answer, key, points and feedback, and the worked solution.

Everything but the answers comes ready from the variant's grading key
(``generator.variant_key``): a class's feedback is written without rendering a question. The
HTML shows the question and solution as the answer key did, formulas typeset by KaTeX.
The templates lay out the page; each part's table row is made here, in one string per row,
because a class's feedback has hundreds of thousands of rows and the templates spent most of
their time on them, escaping cell by cell.
"""

from __future__ import annotations

import json
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


def write_assets(folder: Path) -> None:
    """KaTeX and the script that runs it, for the HTML feedback pages in ``folder``."""
    write_files(folder, asset_files())


def feedback_pages(key: dict[str, Any], report: dict[str, Any]) -> tuple[str, str]:
    """The feedback on ``report``, graded against ``key``, as Markdown and as escaped HTML."""
    markdown, html = _questions(key, report)
    return (
        environment()
        .get_template("sheets/feedback.md.j2")
        .render(key=key, report=report, questions=markdown),
        html_environment()
        .get_template("sheets/feedback.html.j2")
        .render(key=key, report=report, questions=html, assets=ASSETS),
    )


def _questions(
    key: dict[str, Any], report: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each question's heading, text and solution, with its table rows in Markdown and in
    HTML."""
    markdown, html = [], []
    questions = zip(report["questions"], key["questions"], key["texts"], strict=True)
    for graded, question, texts in questions:
        rows = [] if question["dropped"] else _rows(graded["parts"], question["parts"])
        common = {
            "id": question["id"],
            "title": question["title"],
            "points": format_points(graded["points"]),
            "max_points": format_points(graded["max_points"]),
            "dropped": question["dropped"],
        }
        markdown.append(
            {
                **common,
                "text": texts["text"],
                "solution": texts["solution"],
                "rows": "\n".join(_markdown_row(*row) for row in rows),
            }
        )
        html.append(
            {
                **common,
                # examgen's own HTML, made at generation from its templates' Markdown
                "text": Markup(texts["text_html"]),
                "solution": Markup(texts["solution_html"]),
                "rows": Markup("\n".join(_html_row(*row) for row in rows)),
            }
        )
    return markdown, html


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
