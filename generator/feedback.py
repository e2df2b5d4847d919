"""A student's feedback, as Markdown and as HTML: per question the text the student saw,
each part's answer, key, points and feedback, and the worked solution.

Everything but the answers comes ready from the variant's grading key
(``generator.variant_key``): a class's feedback is written without rendering a question.
"""

from __future__ import annotations

import json
from typing import Any

from generator.grading import format_points


def feedback_pages(key: dict[str, Any], report: dict[str, Any]) -> tuple[str, str]:
    """The feedback on ``report``, graded against ``key``, as Markdown and as escaped HTML."""
    from generator.render import environment, html_environment

    context = {"key": key, "report": report, "questions": _questions(key, report)}
    return (
        environment().get_template("sheets/feedback.md.j2").render(context),
        html_environment().get_template("sheets/feedback.html.j2").render(context),
    )


def _questions(key: dict[str, Any], report: dict[str, Any]) -> list[dict[str, Any]]:
    questions = []
    for graded, question in zip(report["questions"], key["questions"], strict=True):
        shown = {part["id"]: part["shown"] for part in question["parts"]}
        parts = [
            {
                "id": part["id"],
                "answer": _answer(part["answer"]),
                "key": shown[part["id"]],
                "points": f"{format_points(part['points'])} / {format_points(part['max_points'])}",
                "status": part["status"],
                "feedback": "" if part["status"] == "blank" else part["feedback"],
            }
            for part in graded["parts"]
        ]
        questions.append(
            {
                "id": question["id"],
                "title": question["title"],
                "points": format_points(graded["points"]),
                "max_points": format_points(graded["max_points"]),
                "dropped": question["dropped"],
                "text": question["text"],
                "solution": question["solution"],
                "parts": parts,
            }
        )
    return questions


def _answer(raw: Any) -> str:
    if raw is None or raw == "":
        return "(blank)"
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
