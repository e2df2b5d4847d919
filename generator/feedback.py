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
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.formats import asset_files, write_files
from generator.formatting import cell
from generator.frames import FORMATS, Frame, read_frame, slot
from generator.grading import format_score

# Where a feedback page finds KaTeX: beside it, in the folder that holds the class's pages
# (``write_assets``). A page sent on its own shows its formulas as TeX source.
ASSETS = "assets"


def write_assets(folder: Path) -> None:
    """KaTeX and the script that runs it, for the HTML feedback pages in ``folder``."""
    write_files(folder, asset_files())


def feedback_frames(key: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Frame]:
    """The feedback pages of ``key``'s variant, by format, with slots for the student's
    part; ``texts`` are each question's text and solution in Markdown (``text``,
    ``solution``) and HTML (``text_html``, ``solution_html``), as the key showed them."""
    from generator.render import environment, html_environment  # jinja2: not for grading

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
    frames = {
        name: read_frame(page.encode(), slots) for name, page in zip(FORMATS, pages, strict=True)
    }
    if None in frames.values():
        raise ValueError("a feedback page's slots are not in its layout")  # examgen's bug
    return frames


def _slot(number: int) -> Markup:
    return Markup(slot(number))


def feedback_pages(key: dict[str, Any], report: dict[str, Any]) -> tuple[bytes, bytes]:
    """The feedback on ``report``, graded against ``key``, as Markdown and as escaped HTML,
    in UTF-8: the key's ``feedback`` frames, filled."""
    total = format_score(report["points"], report["max_points"]).encode()
    markdown, html = [total], [total]  # points are digits: nothing to escape
    for graded, question in zip(report["questions"], key["questions"], strict=True):
        score = format_score(graded["points"], graded["max_points"]).encode()
        rows = ("", "") if question["dropped"] else _rows(graded["parts"], question["parts"])
        markdown += (score, rows[0].encode())
        html += (score, rows[1].encode())
    frames = key["feedback"]
    return _filled(frames["md"], markdown), _filled(frames["html"], html)


def _filled(frame: Frame, values: list[bytes]) -> bytes:
    return b"".join([piece if type(piece) is bytes else values[piece] for piece in frame])


def _rows(graded: list[dict[str, Any]], parts: list[dict[str, Any]]) -> tuple[str, str]:
    """A question's table rows, in Markdown and in HTML: per part its id, the answer, the
    key, the points and the status with its feedback. The id, points and status are
    examgen's own words and digits: only the answer, the key and the feedback (which may
    quote the answer) are escaped; the key was, at generation (``escaped_key``)."""
    markdown, html = [], []
    for part, keyed in zip(graded, parts, strict=True):
        part_id, key, status = part["id"], keyed["shown"], part["status"]
        feedback = part["feedback"]
        answer = _answer(part["answer"])
        points = format_score(part["points"], part["max_points"])
        key_md, key_html = keyed.get("shown_escaped") or (key, key)
        if answer == key:
            answer_md, answer_html = key_md, key_html
        else:
            answer_md, answer_html = cell(answer), escape(answer)
        if feedback and status != "blank":
            verdict = f"{status}: {feedback}"
            verdict_md, verdict_html = cell(verdict), escape(verdict)
        else:
            verdict_md = verdict_html = status
        markdown.append(f"| {part_id} | {answer_md} | {key_md} | {points} | {verdict_md} |")
        html.append(
            f'<tr class="{status}"><td>{part_id}</td><td>{answer_html}</td><td>{key_html}</td>'
            f"<td>{points}</td><td>{verdict_html}</td></tr>"
        )
    return "\n".join(markdown), "\n".join(html)


def escaped_key(shown: str) -> list[str] | None:
    """The key as the feedback tables write it, as a Markdown cell and in HTML, when either
    differs from ``shown``: the grading key keeps it (``shown_escaped``)."""
    escaped = [cell(shown), escape(shown)]
    return None if escaped == [shown, shown] else escaped


def _answer(raw: Any) -> str:
    if raw is None or raw == "":
        return "(blank)"
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
