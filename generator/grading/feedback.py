"""A student's feedback, as Markdown and as HTML: per question the text the student saw,
each part's answer, key, points and feedback, and the worked solution.

Everything but the student's points and answers is the same for every submission of a
variant, so generation lays both pages out once, with numbered slots where those go, and
keeps them in the variant's grading key (``feedback_frames``; see ``variant_key``).
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

from generator.formatting import cell, format_score, short_number, student_cell
from generator.grading.frames import FORMATS, Frame, points_slots, read_frame, slot, slot_count
from generator.render.assets import asset_files, write_files

# Where a feedback page finds KaTeX: beside it, in the folder that holds the class's pages
# (``write_assets``). A page sent on its own shows its formulas as TeX source.
ASSETS = "assets"


def write_assets(folder: Path) -> None:
    """KaTeX and the script that runs it, for the HTML feedback pages in ``folder``."""
    write_files(folder, asset_files())


def feedback_frames(key: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Frame]:
    """The feedback pages of ``key``'s variant, by format, with slots for the student's
    part; ``texts`` are each question's text and solution in Markdown (``text``,
    ``solution``) and HTML (``text_html``, ``solution_html``), as the key showed them.

    Slot 0 is the total; each question not dropped has a slot for its points, then one
    per part (``points_slots``), for its row."""
    from generator.render.pages import environment, html_environment  # jinja2: not for grading

    markdown, html = [], []
    questions = key["questions"]
    for score, question, text in zip(points_slots(questions), questions, texts, strict=True):
        parts = question["parts"]
        numbered = [] if score is None else list(enumerate(parts, start=score + 1))
        common = {
            "id": question["id"],
            "title": question["title"],
            "dropped": question["dropped"],
            "score": None if score is None else _slot(score),
            "rows": Markup("\n").join(_slot(number) for number, _ in numbered),
            # what the instructor adjusted after the exam (``adjustments``), from key.json
            "notes": [str(note) for note in question.get("adjusted", [])],
        }
        tested_md, tested_html = _tested(parts)
        markdown.append(
            {**common, "text": text["text"], "solution": text["solution"], "tested": tested_md}
        )
        html.append(
            {
                **common,
                # examgen's own HTML, made at generation from its templates' Markdown
                "text": Markup(text["text_html"]),
                "solution": Markup(text["solution_html"]),
                "tested": tested_html,
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
    frames = {
        name: read_frame(page.encode(), slot_count(questions))
        for name, page in zip(FORMATS, pages, strict=True)
    }
    if None in frames.values():
        raise ValueError("a feedback page's slots are not in its layout")  # examgen's bug
    return frames


def _tested(parts: list[dict[str, Any]]) -> tuple[str, Markup]:
    """The line under a worked solution that says which named mistakes each part told
    apart from its key, in Markdown and in HTML; empty when no part names any. A
    hand-edited key.json writes these words, so both are escaped."""
    listed = [(p["id"], p["tells_apart"]) for p in parts if p.get("tells_apart")]
    if not listed:
        return "", Markup("")
    lead = "This question tells these known mistakes apart from the key"
    md = "; ".join(
        f"{student_cell(pid)}: " + ", ".join(student_cell(d) for d in ds) for pid, ds in listed
    )
    html = "; ".join(
        f"<code>{escape(pid)}</code>: " + ", ".join(escape(d) for d in ds) for pid, ds in listed
    )
    return f"\n\n*{lead}:* {md}.", Markup(f'<p class="tested"><em>{lead}:</em> {html}.</p>')


def _slot(number: int) -> Markup:
    return Markup(slot(number))


def feedback_pages(key: dict[str, Any], report: dict[str, Any]) -> tuple[bytes, bytes]:
    """The feedback on ``report``, graded against ``key``, as Markdown and as escaped HTML,
    in UTF-8: the key's ``feedback`` frames, filled."""
    total = (0, format_score(report["points"], report["max_points"]).encode())
    markdown, html = [total], [total]  # points are digits: nothing to escape
    questions = key["questions"]
    slots = points_slots(questions)
    for number, graded, question in zip(slots, report["questions"], questions, strict=True):
        if number is None:  # dropped
            continue
        score = (number, format_score(graded["points"], graded["max_points"]).encode())
        markdown.append(score)
        html.append(score)
        rows = zip(graded["parts"], question["parts"], strict=True)
        for row_number, (row, part) in enumerate(rows, start=number + 1):
            row_md, row_html = _row(row, part)
            markdown.append((row_number, row_md.encode()))
            html.append((row_number, row_html.encode()))
    frames = key["feedback"]
    return frames["md"].filled(markdown), frames["html"].filled(html)


def _row(graded: dict[str, Any], keyed: dict[str, Any]) -> tuple[str, str]:
    """A part's table row, in Markdown and in HTML: its id, the answer, the key, the
    points and the status with its feedback. The id, points and status are examgen's own
    words and digits: only the answer, the key and the feedback (which may quote the
    answer) are escaped; the key was, at generation (``escaped_key``)."""
    part_id, key, status = graded["id"], keyed["shown"], graded["status"]
    feedback = graded["feedback"]
    answer = _answer(graded["answer"])
    points = format_score(graded["points"], graded["max_points"])
    key_md, key_html = keyed.get("shown_escaped") or (key, key)
    if answer == key:
        answer_md, answer_html = key_md, key_html
    else:
        answer_md, answer_html = student_cell(answer), escape(answer)
    if feedback and status != "blank":
        verdict = f"{status}: {feedback}"
        verdict_md, verdict_html = student_cell(verdict), escape(verdict)
    else:
        verdict_md = verdict_html = status
    return (
        f"| {part_id} | {answer_md} | {key_md} | {points} | {verdict_md} |",
        f'<tr class="{status}"><td>{part_id}</td><td>{answer_html}</td><td>{key_html}</td>'
        f"<td>{points}</td><td>{verdict_html}</td></tr>",
    )


def escaped_key(shown: str, key: Any = None) -> list[str] | None:
    """The key as the feedback tables write it, as a Markdown cell and in HTML, when either
    differs from ``shown``: the grading key keeps it (``shown_escaped``). A matrix ``key``
    is a grid in HTML, as the key page typesets it, rather than a line that wraps mid-row."""
    html = _grid(key) if _is_matrix(key) else escape(shown)
    escaped = [cell(shown), html]
    return None if escaped == [shown, shown] else escaped


def _is_matrix(key: Any) -> bool:
    return isinstance(key, list) and len(key) > 1 and all(isinstance(r, list) for r in key)


def _grid(rows: list[list[Any]]) -> str:
    body = "".join(
        "<tr>" + "".join(f"<td>{short_number(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return '<table class="cells">' + body + "</table>"


def _answer(raw: Any) -> str:
    if raw is None or raw == "":
        return "(blank)"
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
