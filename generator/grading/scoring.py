"""Grading: score a submission against its variant's grading key (``variant_key``), never
re-solving a question. A report is JSON data: the ids, the points, and per part the
answer, the key, a status and the feedback; report.json holds one per student.

Points are exact: a question's points are shared equally by its parts, and a part earns its
share times its score's fraction.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from typing import Any

from generator.answers.guard import submission_budget
from generator.answers.types import AnswerType, Score, answer_type_from_json
from generator.errors import printable
from generator.formatting import format_score, known_mistake
from generator.grading.submission import check_answers, check_student

Points = int | Fraction


def grade(key: dict[str, Any], submission: dict[str, Any], source: str) -> dict[str, Any]:
    """The report of ``submission``, read from ``source``, graded against its variant's
    ``key``. Refuses, naming the file, a submission of another exam or student, or with
    answers to questions or parts the variant does not have. Its answers' comparisons
    share one time budget (``generator.answers.guard``)."""
    with submission_budget():
        return _grade(key, submission, source)


def _grade(key: dict[str, Any], submission: dict[str, Any], source: str) -> dict[str, Any]:
    check_student(key, submission, source)
    types = [answer_type_from_json(data) for data in key["types"]]
    answers = submission["answers"]
    check_answers(source, answers, key, types)
    total: Points = 0
    most: Points = 0
    questions = []
    for question in key["questions"]:
        result: dict[str, Any] = {"id": question["id"], "family": question["family"]}
        if "origin" in question:  # the bank item, for item analysis across slots
            result["origin"] = question["origin"]
        if question["dropped"]:  # dropped by the instructor after the exam: counts for no one
            questions.append({**result, "points": 0, "max_points": 0, "parts": []})
            continue
        parts = question["parts"]
        given = answers.get(question["id"], _NONE)
        points = _points(question["points"])
        share, shown = _share(points, len(parts))
        by_id = {p["id"]: p for p in parts}  # for error carried forward
        earned: Points = 0
        rows = []
        for part in parts:
            raw = given.get(part["id"])
            score = score_part(types[part["type"]], raw, part, given, by_id)
            if question.get("full_credit"):  # the instructor's, for everyone
                score = Score(1, score.status, _credited(score.feedback))
            earned += score.fraction
            row = {
                "id": part["id"],
                "answer": raw,
                "key": part["key"],
                "status": score.status,
                "points": _part_points(share, shown, score.fraction),
                "max_points": shown,
                "feedback": score.feedback,
            }
            if "tells_apart" in part:  # what the variant's part tested, for stats
                row["tells_apart"] = part["tells_apart"]
            rows.append(row)
        got = share * earned
        if question.get("curve") and got > 0:  # regrade --curve: never past the points
            got = min(points, got * Fraction(str(question["curve"])))
        if "manual" in question:  # points the instructor set (work on paper)
            got = _whole(Fraction(str(question["manual"]["points"])))
        total += got
        most += points
        questions.append(
            {**result, "points": _number(got), "max_points": _number(points), "parts": rows}
        )
    report = {
        "submission": source,
        "exam_id": key["exam_id"],
        "variant_id": key["variant_id"],
        "student_id": key["student_id"],
        "points": _number(total),
        "max_points": _number(most),
        "questions": questions,
    }
    if submission.get("saved_at") is not None:  # checked by read_submission
        report["saved_at"] = submission["saved_at"]
    return report


_NONE: dict[str, Any] = {}  # no answers to a question


@lru_cache(maxsize=256)  # an exam has a few kinds of question: points over parts
def _share(points: Points, parts: int) -> tuple[Points, int | float]:
    """A part's share of a question's points, exactly, and as reports write it."""
    if type(points) is int and points % parts == 0:
        share: Points = points // parts
    else:
        share = _whole(Fraction(points, parts))
    return share, _number(share)


def _part_points(share: Points, shown: int | float, fraction: Points) -> int | float:
    """A part's points as reports write them: its whole share, nothing, or a fraction of
    it (only the last needs exact arithmetic)."""
    if fraction == 1:
        return shown
    return _number(share * fraction) if fraction else 0


def _points(value: int | float) -> Points:
    return value if isinstance(value, int) else Fraction(value)


def _whole(value: Fraction) -> Points:
    return value.numerator if value.denominator == 1 else value


def score_part(
    answer_type: AnswerType,
    raw: Any,
    part: dict[str, Any],
    given: dict[str, Any],
    parts: dict[str, dict[str, Any]],
) -> Score:
    """The part's score: against the key, else by error carried forward, and naming the
    known mistake that gives a wrong answer. The answer is parsed once for all three."""
    value = answer_type.read_answer(raw)
    if isinstance(value, Score):  # blank or unreadable
        return value
    score = answer_type.compare(value, answer_type.read_key(part["key"]))
    for other in part.get("accept", ()) if score.fraction != 1 else ():
        accepted = answer_type.compare(value, answer_type.read_key(other))
        if accepted.fraction > score.fraction:
            score = Score(accepted.fraction, accepted.status, "accepted by the instructor")
    if score.status == "wrong" and "follows" in part:
        from generator.grading.follow_through import follow_through

        score = follow_through(part, answer_type, value, given, parts) or score
    if score.status in ("wrong", "partial"):
        mistake = diagnose(answer_type, value, part)
        if mistake:
            feedback = f"{score.feedback} ({known_mistake(mistake)})"
            return Score(score.fraction, score.status, feedback)
    return score


def _credited(feedback: str) -> str:
    return f"{feedback}; full credit for everyone" if feedback else "full credit for everyone"


def diagnose(answer_type: AnswerType, value: Any, part: dict[str, Any]) -> str | None:
    """The known mistake that gives this parsed answer, if one does."""
    for mistake in part.get("mistakes", ()):
        if answer_type.agrees(value, answer_type.read_key(mistake["value"])):
            return str(mistake["diagnosis"])
    return None


def _number(value: Points) -> int | float:
    """Points as report.json writes them: whole numbers exactly, others to 4 decimals."""
    if isinstance(value, int):
        return value
    return value.numerator if value.denominator == 1 else round(float(value), 4)


def report_text(report: dict[str, Any]) -> str:
    """The report a person reads in a terminal: per question and part, then the total."""
    lines = [
        f"Exam {report['exam_id']} · variant {report['variant_id']} · "
        f"student {report['student_id']}",
        "",
    ]
    for q in report["questions"]:
        if not q["parts"]:
            lines.append(f"{q['id']}  {q['family']}: dropped")
            continue
        lines.append(f"{q['id']}  {q['family']}: {format_score(q['points'], q['max_points'])}")
        for p in q["parts"]:
            blank = p["status"] == "blank"
            shown = "(blank)" if blank else _shown(p["answer"])
            verdict = p["status"] + (f": {p['feedback']}" if p["feedback"] and not blank else "")
            lines.append(f"    {p['id']} = {shown}  [{verdict}]")
    points, most = report["points"], report["max_points"]
    percent = 100 * points / most if most else 0.0
    lines += ["", f"Total: {format_score(points, most)} ({percent:.1f}%)"]
    # feedback may quote an answer: nothing a student wrote may rewrite the terminal
    return "\n".join(map(printable, lines))


def _shown(answer: Any) -> str:
    text = json.dumps(answer, ensure_ascii=False) if not isinstance(answer, str) else answer
    text = " ".join(text.split())  # one line; report_text escapes what a terminal acts on
    return text if len(text) <= 60 else text[:57] + "..."
