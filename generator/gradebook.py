"""What batch grading writes: a gradebook CSV, per-student feedback (Markdown and HTML) and a
JSON report, staged in a temporary folder and moved into place in one rename.

Gradebook columns: ``student_id``, ``name``, ``variant_id``, ``status`` (graded, missing or
duplicate), ``total``, ``max_points``, then one column per question, headed ``ID (POINTS)``
(``ID (dropped)`` for a question the instructor dropped).
Canvas imports it by matching student_id to the SIS User ID; Gradescope by matching it to SID.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from generator.atomic import write_folder
from generator.batch import Outcome
from generator.exam_files import to_json
from generator.grading import format_points


def render_feedback(manifest: dict[str, Any], report: dict[str, Any]) -> tuple[str, str]:
    """A student's feedback, as Markdown and as escaped HTML."""
    from generator.render import environment, html_environment

    context = {
        "exam": manifest,
        "report": report,
        "questions": _feedback_questions(manifest, report),
    }
    return (
        environment().get_template("sheets/feedback.md.j2").render(context),
        html_environment().get_template("sheets/feedback.html.j2").render(context),
    )


def _feedback_questions(manifest: dict[str, Any], report: dict[str, Any]) -> list[dict]:
    """Each question's parts with the answer, key, points and feedback, and its solution."""
    from generator.answers import answer_type_from_json
    from generator.render import render_question

    variant = next(v for v in manifest["variants"] if v["variant_id"] == report["variant_id"])
    families = {q["id"]: q for q in manifest["questions"]}
    questions = []
    for graded, question in zip(report["questions"], variant["questions"], strict=True):
        rendered = render_question(families[question["id"]]["family"], question)
        types = {p["id"]: answer_type_from_json(p["type"]) for p in question["parts"]}
        parts = [
            {
                **part,
                "key": types[part["id"]].display(part["key"]),
                "answer": "" if part["answer"] is None else str(part["answer"]),
            }
            for part in graded["parts"]
        ]
        questions.append(
            {
                **graded,
                "title": families[question["id"]]["title"],
                "text": rendered["question"],
                "solution": rendered["solution"],
                "parts": parts,
            }
        )
    return questions


def _gradebook(manifest: dict[str, Any], reports: dict[str, dict], duplicates: list[str]) -> str:
    questions = manifest["questions"]
    dropped = set(manifest.get("dropped", []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    headers = [
        f"{q['id']} (dropped)"
        if q["id"] in dropped
        else f"{q['id']} ({format_points(q['points'])})"
        for q in questions
    ]
    writer.writerow(["student_id", "name", "variant_id", "status", "total", "max_points", *headers])
    maximum = format_points(sum(q["points"] for q in questions if q["id"] not in dropped))
    for variant in manifest["variants"]:
        report = reports.get(variant["variant_id"])
        if report is None:
            status, total, points = "missing", "0", [""] * len(questions)
        else:
            status = "duplicate" if variant["variant_id"] in duplicates else "graded"
            total = format_points(report["points"])
            points = [
                "" if q["id"] in dropped else format_points(q["points"])
                for q in report["questions"]
            ]
        row = [variant["student_id"], variant["name"], variant["variant_id"], status, total]
        writer.writerow([*row, maximum, *points])
    return buffer.getvalue()


def summarize(outcomes: list[Outcome], manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What report.json holds: per exam the students graded, missing and submitting twice;
    every report; every file that could not be graded, with the reason."""
    by_exam: dict[str, dict[str, dict]] = {exam_id: {} for exam_id in manifests}
    duplicates: dict[str, list[str]] = {exam_id: [] for exam_id in manifests}
    errors = []
    for outcome in outcomes:
        if outcome.error:
            errors.append({"submission": outcome.source, "error": outcome.error})
            continue
        report = outcome.report
        graded = by_exam[report["exam_id"]]
        first = graded.get(report["variant_id"])
        if first is not None:
            duplicates[report["exam_id"]].append(report["variant_id"])
            errors.append(
                {
                    "submission": outcome.source,
                    "error": f"{outcome.source}: student {report['student_id']} also submitted "
                    f"{first['submission']}; the first file is graded",
                }
            )
            continue
        graded[report["variant_id"]] = report
    return {
        "exams": [
            {
                "exam_id": exam_id,
                "title": manifests[exam_id]["title"],
                "graded": len(graded),
                "missing": [
                    v["student_id"]
                    for v in manifests[exam_id]["variants"]
                    if v["variant_id"] not in graded
                ],
                "duplicates": duplicates[exam_id],
            }
            for exam_id, graded in by_exam.items()
        ],
        "errors": errors,
        "submissions": [r for graded in by_exam.values() for r in graded.values()],
    }


def write_outputs(
    summary: dict[str, Any],
    manifests: dict[str, dict[str, Any]],
    out: Path,
    force: bool,
    feedback: dict[str, tuple[str, str]] | None = None,
    extra: dict[str, str] | None = None,
) -> None:
    """Write the gradebook, feedback, report.json and any ``extra`` files under ``out``;
    ``feedback`` holds what the grading workers already rendered, by submission file."""

    single = len(manifests) == 1

    def fill(staging: Path) -> None:
        (staging / "feedback").mkdir()
        for exam in summary["exams"]:
            manifest = manifests[exam["exam_id"]]
            reports = {
                r["variant_id"]: r
                for r in summary["submissions"]
                if r["exam_id"] == exam["exam_id"]
            }
            name = "gradebook.csv" if single else f"gradebook-{exam['exam_id']}.csv"
            (staging / name).write_text(
                _gradebook(manifest, reports, exam["duplicates"]), encoding="utf-8"
            )
            for report in reports.values():
                md, html = (feedback or {}).get(report["submission"]) or render_feedback(
                    manifest, report
                )
                stem = staging / "feedback" / report["student_id"]
                stem.with_suffix(".md").write_text(md, encoding="utf-8")
                stem.with_suffix(".html").write_text(html, encoding="utf-8")
        # compact: indenting forces json's pure-Python encoder, seconds for a large class
        (staging / "report.json").write_text(to_json(summary, compact=True), encoding="utf-8")
        for name, text in (extra or {}).items():
            (staging / name).write_text(text, encoding="utf-8")

    write_folder(out, fill, force)
