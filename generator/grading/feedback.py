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
from typing import Any

from markupsafe import Markup

from generator.formatting import cell, format_points, format_score, short_number, student_cell
from generator.grading.frames import (
    FORMATS,
    Frame,
    cells,
    points_slots,
    read_frame,
    slot,
    slot_count,
)
from generator.render.assets import with_katex


def feedback_frames(key: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Frame]:
    """The feedback pages of ``key``'s variant, by format, with slots for the student's
    part; ``texts`` are each question's text and solution in Markdown (``text``,
    ``solution``) and HTML (``text_html``, ``solution_html``), as the key showed them, and
    its rendered ``parts``.

    Slot 0 is the total, then the summary's points of each question not dropped; then each
    such question has a slot for its points, one per blank of its own table (the network
    table's: the student's answers go in its cells, and ``key``'s question lists those
    parts as ``cells``), then one per part (``points_slots``), for its row."""
    from generator.render.pages import environment, html_environment  # jinja2: not for grading

    questions = key["questions"]
    for question, text in zip(questions, texts, strict=True):
        listed = _cell_parts(question, text)
        if listed:
            question["cells"] = listed
        else:
            question.pop("cells", None)
    markdown, html, summary = [], [], []
    kept = 0
    for number, (score, question, text) in enumerate(
        zip(points_slots(questions), questions, texts, strict=True), start=1
    ):
        parts = question["parts"]
        listed = cells(question) if score is not None else []
        first_row = (score or 0) + 1 + len(listed)
        numbered = [] if score is None else list(enumerate(parts, start=first_row))
        common = {
            "number": number,
            "id": question["id"],
            "title": question["title"],
            "dropped": question["dropped"],
            "score": None if score is None else _slot(score),
            "rows": Markup("\n").join(_slot(n) for n, _ in numbered),
            # what the instructor adjusted after the exam (``adjustments``), from key.json
            "notes": [str(note) for note in question.get("adjusted", [])],
        }
        if score is not None:
            kept += 1
            summary.append({**common, "score": _slot(kept)})
        else:
            summary.append(common)
        cell_slots = [_slot(n) for n in range((score or 0) + 1, first_row)]
        text_md, text_html = text["text"], Markup(text["text_html"])
        if listed:
            text_md = _into_blanks(text_md, _BLANK_MD, cell_slots)
            text_html = Markup(_into_blanks(text_html, _BLANK_HTML, cell_slots))
        tested_md, tested_html = _tested(parts)
        markdown.append(
            {**common, "text": text_md, "solution": text["solution"], "tested": tested_md}
        )
        html.append(
            {
                **common,
                # examgen's own HTML, made at generation from its templates' Markdown
                "text": text_html,
                "solution": Markup(text["solution_html"]),
                "tested": tested_html,
            }
        )
    pages = (
        environment()
        .get_template("sheets/feedback.md.j2")
        .render(key=key, total=_slot(0), summary=summary, questions=markdown),
        html_environment()
        .get_template("sheets/feedback.html.j2")
        .render(key=key, total=_slot(0), summary=summary, questions=html),
    )
    frames = {
        name: read_frame(page.encode(), slot_count(questions))
        for name, page in zip(FORMATS, pages, strict=True)
    }
    if None in frames.values():
        raise ValueError("a feedback page's slots are not in its layout")  # examgen's bug
    return frames


# A blank of a question's own table, as its Markdown and its HTML draw it
_BLANK_MD = "\\_\\_\\_\\_\\_\\_"
_BLANK_HTML = '<span class="blank-box"></span>'


def _cell_parts(question: dict[str, Any], text: dict[str, Any]) -> list[str]:
    """The parts answered in the blanks of the question's own table, in order, when the
    blanks in both its Markdown and its HTML are as many as those parts (the answer form's
    rule too); else none, and the parts' rows alone show the answers."""
    if question["dropped"]:
        return []
    listed = [p["id"] for p in text.get("parts", []) if p["space"]["kind"] == "in_question"]
    if (
        listed
        and text["text"].count(_BLANK_MD) == len(listed)
        and text["text_html"].count(_BLANK_HTML) == len(listed)
    ):
        return listed
    return []


def _into_blanks(text: str, blank: str, slots: list[Markup]) -> str:
    pieces = text.split(blank)
    out = [pieces[0]]
    for filled, piece in zip(slots, pieces[1:], strict=True):
        out += (filled, piece)
    return "".join(out)


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
    slots = list(points_slots(questions))
    kept = 0
    for number, graded in zip(slots, report["questions"], strict=True):
        if number is not None:
            kept += 1
            line = (kept, format_score(graded["points"], graded["max_points"]).encode())
            markdown.append(line)
            html.append(line)
    for number, graded, question in zip(slots, report["questions"], questions, strict=True):
        if number is None:  # dropped
            continue
        worth = {part["max_points"] for part in graded["parts"]}
        each = worth.pop() if len(worth) == 1 else None  # every part worth the same
        heading = format_score(graded["points"], graded["max_points"])
        if each is not None and len(graded["parts"]) > 1:
            heading += f" · {format_points(each)} a part"
        markdown.append((number, heading.encode()))
        html.append((number, heading.encode()))
        by_id = {row["id"]: row for row in graded["parts"]}
        for cell_number, part_id in enumerate(cells(question), start=number + 1):
            cell_md, cell_html = _cell(by_id[part_id])
            markdown.append((cell_number, cell_md.encode()))
            html.append((cell_number, cell_html.encode()))
        first_row = number + 1 + len(cells(question))
        rows = zip(graded["parts"], question["parts"], strict=True)
        for row_number, (row, part) in enumerate(rows, start=first_row):
            row_md, row_html = _row(row, part, each is None)
            markdown.append((row_number, row_md.encode()))
            html.append((row_number, row_html.encode()))
    frames = key["feedback"]
    # KaTeX's mark comes after every slot: an answer, escaped, cannot make another one
    return frames["md"].filled(markdown), with_katex(frames["html"].filled(html))


# How a table's cell marks its verdict beside the student's answer
_MARKS = {"correct": "✓", "partial": "½", "wrong": "✗", "invalid": "✗", "blank": "✗"}


def _cell(graded: dict[str, Any]) -> tuple[str, str]:
    """A part's answer as the question's own table shows it, with its verdict's mark."""
    answer, status = _answer(graded["answer"]), graded["status"]
    mark = _MARKS.get(status, "?")
    return (
        f"{student_cell(answer)} {mark}",
        f'<span class="cell-answer {status}">{escape(answer)}'
        f' <span class="mark" title="{status}">{mark}</span></span>',
    )


def _row(graded: dict[str, Any], keyed: dict[str, Any], out_of: bool = True) -> tuple[str, str]:
    """A part's table row, in Markdown and in HTML: its id, the answer, the key, the
    points (out of the most, ``out_of``, unless the heading says what every part is worth)
    and the status with its feedback. The id, points and status are examgen's own
    words and digits: only the answer, the key and the feedback (which may quote the
    answer) are escaped; the key was, at generation (``escaped_key``)."""
    part_id, key, status = graded["id"], keyed["shown"], graded["status"]
    feedback = graded["feedback"]
    answer = _answer(graded["answer"])
    if out_of:
        points = format_score(graded["points"], graded["max_points"])
    else:
        points = format_points(graded["points"])
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
