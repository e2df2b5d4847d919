"""A part as the HTML answer form asks it (students/ID/sheet.html): its label, and boxes to
type into shaped as ``render.answer_space`` lays out the room on paper.

Each ``<li>`` carries what the form's script (templates/assets/form.js) needs to read what is
typed by the grader's rules: the part's answer type in ``data-type``, never its key. Built
here rather than in a template: a sheet holds some 76 of these, and a jinja2 macro made the
form cost more than the rest of the page together; and built once for each distinct part,
as the sheets of a class ask the same parts again and again (docs/performance.md).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from generator.render.markup import to_inline_html

# How a part's room on paper is typed into: tick boxes, a grid, a text area, or one box
_FORMS = {"truefalse": "truefalse", "letters": "letters", "grid": "grid", "lines": "lines"}
_TYPING = ' autocomplete="off" spellcheck="false"'


def answer_form(question: dict[str, Any], part: dict[str, Any], sheet_tolerance: Any) -> Markup:
    """The ``<li>`` of one part of ``question`` (rendered: ``render.pages``); its tolerance
    is shown beside its label when it differs from the one the sheet states once."""
    answer_type = part["type"]
    return _item(
        question["id"],
        part["id"],
        part["label"],
        json.dumps(answer_type, sort_keys=True),
        part["hint"] if answer_type["kind"] == "shape" else None,
        part["within"] if part["within"] != sheet_tolerance else None,
        tuple(sorted(part["space"].items())),
    )


# A class's sheets ask the same parts over and over (470 distinct ones in the 15,200 parts of
# 200 variants of the default exam): each part's markup is built once.
@lru_cache(maxsize=4096)
def _item(
    question_id: str,
    part_id: str,
    label: str,
    type_json: str,
    hint: str | None,
    within: str | None,
    space_items: tuple[tuple[str, Any], ...],
) -> Markup:
    """A part's ``<li>``: ``hint`` for a shape (the form's script quotes it), ``within``
    when the part states its own tolerance."""
    space = dict(space_items)
    kind = space["kind"]
    form = _FORMS.get(kind, "text")
    box = escape(f"a-{question_id}-{part_id}")
    shown_id = escape(part_id)
    shown_label = Markup(to_inline_html(label))
    item = (
        f'<li class="answer{" in-question" if kind == "in_question" else ""}" data-part-answer'
        f' data-question="{escape(question_id)}" data-part="{shown_id}" data-form="{form}"'
        f" data-type='{_attribute_json(type_json)}'"
        + (f' data-hint="{escape(hint)}"' if hint is not None else "")
        + f' data-message="m-{box}">'
    )
    if form in ("truefalse", "letters"):
        body = (
            f'<fieldset aria-describedby="m-{box}"><legend class="label">'
            f"<code>{shown_id}</code>: {shown_label}</legend>{_ticks(form, box, space)}</fieldset>"
        )
    else:
        tolerance = (
            f' <span class="tolerance">({escape(within)})</span>' if within is not None else ""
        )
        below = kind == "lines" or (kind == "grid" and space["rows"] > 1)
        body = (
            f'<label class="label{" below" if below else ""}" for="{box}" id="l-{box}">'
            f"<code>{shown_id}</code>: {shown_label}{tolerance}</label>"
            + _boxes(form, box, shown_id, label, space)
        )
    message = (
        ""
        if kind == "in_question"
        else f'<span class="form-message" id="m-{box}" aria-live="polite"></span>'
    )
    return Markup(f"{item}{body}{message}</li>")


def _ticks(form: str, box: Markup, space: dict[str, Any]) -> str:
    """A true/false's two radio buttons and a way to clear them, or a multiple choice's
    letters to tick."""
    if form == "truefalse":
        return (
            '<span class="ticks">'
            f'<label><input type="radio" name="{box}" value="true"> true</label>'
            f'<label><input type="radio" name="{box}" value="false"> false</label>'
            '<button type="button" class="clear">Clear</button></span>'
        )
    letters = "".join(
        f'<label><input type="checkbox" value="{letter}"> ({letter})</label>'
        for letter in "ABCDEFGH"[: space["options"]]
    )
    return f'<span class="ticks">{letters}</span>'


def _boxes(form: str, box: Markup, part_id: Markup, label: str, space: dict[str, Any]) -> str:
    """What a part is typed into: a grid of boxes, a text area, or one box (in a table
    cell of the question text, carrying its message with it, for ``in_question``)."""
    if form == "grid":
        rows = []
        for row in range(space["rows"]):
            cells = []
            for col in range(space["cols"]):
                named = f'id="{box}" ' if row == col == 0 else ""  # the label's target
                where = f"{part_id}, row {row + 1}, column {col + 1}"
                cells.append(f'<td><input type="text" {named}aria-label="{where}"{_TYPING}></td>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (
            f'<table class="grid answer-grid" role="group" aria-labelledby="l-{box}">'
            f"{''.join(rows)}</table>"
        )
    if form == "lines":
        return (
            f'<textarea id="{box}" class="write-box" rows="{space["rows"]}"{_TYPING}'
            f' aria-describedby="m-{box}"></textarea>'
        )
    kind = space["kind"]
    size = "wide" if kind == "line" else "box-input"
    named = f' aria-label="{part_id}: {escape(label)}"' if kind == "in_question" else ""
    message = (
        f'<span class="form-message" id="m-{box}" aria-live="polite"></span>'
        if kind == "in_question"
        else ""
    )
    return (
        f'<span class="answer-cell"><input type="text" id="{box}" class="{size}"{_TYPING}'
        f' aria-describedby="m-{box}"{named}>{message}</span>'
    )


def _attribute_json(text: str) -> str:
    """JSON for a single-quoted attribute, as jinja2's ``tojson`` writes it: no character
    that could end the attribute or start markup."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )
