"""What batch grading writes: a gradebook CSV, per-student feedback (Markdown and HTML) and a
JSON report, staged in a temporary folder and moved into place in one rename.

Gradebook columns: ``student_id``, ``name``, ``variant_id``, ``status`` (graded, missing or
duplicate), ``total``, ``max_points``, then one column per question, headed ``ID (POINTS)``.
Canvas imports it by matching student_id to the SIS User ID; Gradescope by matching it to SID.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from generator.batch import Outcome
from generator.errors import OutputError
from generator.exam_files import to_json
from generator.grading import format_points


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


def _gradebook(manifest: dict[str, Any], reports: dict[str, dict], duplicates: set[str]) -> str:
    questions = manifest["questions"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "student_id",
            "name",
            "variant_id",
            "status",
            "total",
            "max_points",
            *(f"{q['id']} ({format_points(q['points'])})" for q in questions),
        ]
    )
    maximum = format_points(sum(q["points"] for q in questions))
    for variant in manifest["variants"]:
        report = reports.get(variant["variant_id"])
        status = (
            "missing"
            if report is None
            else ("duplicate" if variant["variant_id"] in duplicates else "graded")
        )
        points = (
            [format_points(q["points"]) for q in report["questions"]]
            if report
            else [""] * len(questions)
        )
        total = format_points(report["points"]) if report else "0"
        writer.writerow(
            [
                variant["student_id"],
                variant["name"],
                variant["variant_id"],
                status,
                total,
                maximum,
                *points,
            ]
        )
    return buffer.getvalue()


def write_outputs(
    outcomes: list[Outcome], manifests: dict[str, dict[str, Any]], out: Path, force: bool
) -> dict[str, Any]:
    """Write everything under ``out`` and return the summary that report.json holds."""
    from generator.render import environment, html_environment

    if out.exists() and not force:
        raise OutputError(f"{out} already exists (use --force to replace it)")
    by_exam: dict[str, dict[str, dict]] = {exam_id: {} for exam_id in manifests}
    duplicates: dict[str, set[str]] = {exam_id: set() for exam_id in manifests}
    errors = []
    for outcome in outcomes:
        if outcome.error:
            errors.append({"submission": outcome.source, "error": outcome.error})
            continue
        report = outcome.report
        graded = by_exam[report["exam_id"]]
        if report["variant_id"] in graded:
            duplicates[report["exam_id"]].add(report["variant_id"])
            errors.append(
                {
                    "submission": outcome.source,
                    "error": f"{outcome.source}: student {report['student_id']} also "
                    f"submitted {graded[report['variant_id']]['submission']}; "
                    "the first file is graded",
                }
            )
            continue
        graded[report["variant_id"]] = report
    summary = {
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
            }
            for exam_id, graded in by_exam.items()
        ],
        "errors": errors,
        "submissions": [r for graded in by_exam.values() for r in graded.values()],
    }
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as error:
        raise OutputError(f"cannot write to {out.parent}: {error.strerror or error}") from None
    try:
        (staging / "feedback").mkdir()
        single = len(manifests) == 1
        for exam_id, manifest in manifests.items():
            name = "gradebook.csv" if single else f"gradebook-{exam_id}.csv"
            (staging / name).write_text(
                _gradebook(manifest, by_exam[exam_id], duplicates[exam_id]), encoding="utf-8"
            )
            for report in by_exam[exam_id].values():
                context = {
                    "exam": manifest,
                    "report": report,
                    "questions": _feedback_questions(manifest, report),
                }
                stem = staging / "feedback" / report["student_id"]
                md = environment().get_template("sheets/feedback.md.j2").render(context)
                html = html_environment().get_template("sheets/feedback.html.j2").render(context)
                stem.with_suffix(".md").write_text(md, encoding="utf-8")
                stem.with_suffix(".html").write_text(html, encoding="utf-8")
        (staging / "report.json").write_text(to_json(summary), encoding="utf-8")
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            os.replace(out, retired / "out")
            os.replace(staging, out)
            shutil.rmtree(retired)
        else:
            os.replace(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary
