"""Grading: score a submission against the manifest, never re-solving a question."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from generator.answers import AnswerType, Score, answer_type_from_json
from generator.errors import SubmissionError
from generator.submission import check_answers


@dataclass
class PartResult:
    id: str
    label: str
    answer: Any
    key: Any
    status: str
    points: Fraction
    max_points: Fraction
    feedback: str


@dataclass
class QuestionResult:
    id: str
    family: str
    points: Fraction
    max_points: Fraction
    parts: list[PartResult] = field(default_factory=list)


@dataclass
class Report:
    source: str
    exam_id: str
    variant_id: str
    student_id: str
    questions: list[QuestionResult]

    @property
    def points(self) -> Fraction:
        return sum((q.points for q in self.questions), Fraction(0))

    @property
    def max_points(self) -> Fraction:
        return sum((q.max_points for q in self.questions), Fraction(0))


def find_variant(manifest: dict[str, Any], submission: dict[str, Any], source: str) -> dict:
    if submission["exam_id"] != manifest["exam_id"]:
        raise SubmissionError(
            source,
            f"exam_id '{submission['exam_id'][:60]}' is not this key's exam "
            f"'{manifest['exam_id']}'",
        )
    for variant in manifest["variants"]:
        if variant["variant_id"] == submission["variant_id"]:
            claimed = submission.get("student_id")
            if claimed is not None and claimed != variant["student_id"]:
                raise SubmissionError(
                    source,
                    f"variant '{variant['variant_id']}' belongs to student "
                    f"'{variant['student_id']}', not '{claimed[:60]}'",
                )
            return variant
    raise SubmissionError(source, f"variant_id '{submission['variant_id'][:60]}' is not in the key")


def grade(manifest: dict[str, Any], submission: dict[str, Any], source: str) -> Report:
    variant = find_variant(manifest, submission, source)
    answers = submission["answers"]
    check_answers(source, answers, variant)
    points_of = {q["id"]: Fraction(q["points"]) for q in manifest["questions"]}
    family_of = {q["id"]: q["family"] for q in manifest["questions"]}
    dropped = set(manifest.get("dropped", []))
    results = []
    for question in variant["questions"]:
        qid = question["id"]
        if qid in dropped:  # dropped by the instructor after the exam: it counts for no one
            results.append(QuestionResult(qid, family_of[qid], Fraction(0), Fraction(0)))
            continue
        given = answers.get(qid, {})
        points = points_of[qid]
        share = points / len(question["parts"])
        result = QuestionResult(qid, family_of[qid], Fraction(0), points)
        by_id = {p["id"]: p for p in question["parts"]}
        earned: Fraction | int = 0  # in shares: most parts score the int 0 or 1
        for part in question["parts"]:
            answer_type = answer_type_from_json(part["type"])
            raw = given.get(part["id"])
            score = score_part(answer_type, raw, part, given, by_id)
            fraction = score.fraction
            earned += fraction
            result.parts.append(
                PartResult(
                    part["id"],
                    part["label"],
                    raw,
                    part["key"],
                    score.status,
                    share if fraction == 1 else share * fraction if fraction else 0,
                    share,
                    score.feedback,
                )
            )
        result.points = share * earned
        results.append(result)
    return Report(
        source, manifest["exam_id"], variant["variant_id"], variant["student_id"], results
    )


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
    if score.status == "wrong" and "follows" in part:
        from generator.follow_through import follow_through

        score = follow_through(part, answer_type, value, given, parts) or score
    if score.status in ("wrong", "partial"):
        mistake = diagnose(answer_type, value, part)
        if mistake:
            feedback = f"{score.feedback}; this is the answer {mistake} gives"
            return Score(score.fraction, score.status, feedback)
    return score


def diagnose(answer_type: AnswerType, value: Any, part: dict[str, Any]) -> str | None:
    """The known mistake that gives this parsed answer, if one does."""
    for mistake in part.get("mistakes", ()):
        if answer_type.agrees(value, answer_type.read_key(mistake["value"])):
            return str(mistake["diagnosis"])
    return None


def _number(value: Fraction | int) -> int | float:
    return int(value) if value.denominator == 1 else round(float(value), 4)


def report_json(report: Report) -> dict[str, Any]:
    return {
        "submission": report.source,
        "exam_id": report.exam_id,
        "variant_id": report.variant_id,
        "student_id": report.student_id,
        "points": _number(report.points),
        "max_points": _number(report.max_points),
        "questions": [
            {
                "id": q.id,
                "family": q.family,
                "points": _number(q.points),
                "max_points": _number(q.max_points),
                "parts": _parts_json(q.parts),
            }
            for q in report.questions
        ],
    }


def _parts_json(parts: list[PartResult]) -> list[dict[str, Any]]:
    # a question's parts share its points equally, and most score all or nothing: each
    # distinct amount is written out once
    shown: dict[Fraction | int, int | float] = {0: 0}
    rows = []
    for p in parts:
        for amount in (p.points, p.max_points):
            if amount not in shown:
                shown[amount] = _number(amount)
        rows.append(
            {
                "id": p.id,
                "answer": p.answer,
                "key": p.key,
                "status": p.status,
                "points": shown[p.points],
                "max_points": shown[p.max_points],
                "feedback": p.feedback,
            }
        )
    return rows


def format_points(value: float | Fraction) -> str:
    """Points without noise: 4, 2.5, 3.33."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def report_text(report: Report) -> str:
    """The report a person reads in a terminal: per question and part, then the total."""
    lines = [
        f"Exam {report.exam_id} · variant {report.variant_id} · student {report.student_id}",
        "",
    ]
    for q in report.questions:
        if not q.parts:
            lines.append(f"{q.id}  {q.family}: dropped")
            continue
        lines.append(
            f"{q.id}  {q.family}: {format_points(q.points)} / {format_points(q.max_points)}"
        )
        for p in q.parts:
            shown = "(blank)" if p.status == "blank" else _shown(p.answer)
            verdict = p.status + (f": {p.feedback}" if p.feedback and p.status != "blank" else "")
            lines.append(f"    {p.id} = {shown}  [{verdict}]")
    percent = 100 * float(report.points / report.max_points) if report.max_points else 0.0
    lines += [
        "",
        f"Total: {format_points(report.points)} / {format_points(report.max_points)}"
        f" ({percent:.1f}%)",
    ]
    return "\n".join(lines)


def _shown(answer: Any) -> str:
    text = json.dumps(answer, ensure_ascii=False) if not isinstance(answer, str) else answer
    # A hostile answer must not rewrite the terminal: show control characters escaped.
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= 60 else text[:57] + "..."
