"""Regrading after a key fix: record dropped questions in the key, grade the same files
again, and say what changed for each student."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.atomic import write_file
from generator.errors import KeyFileError, SubmissionError
from generator.exam_files import to_json
from generator.grading import format_points
from generator.input_files import read_json


def previous_report(grades: Path) -> dict[str, Any]:
    report = read_json(grades / "report.json", 2_000_000_000, SubmissionError)
    if not isinstance(report, dict) or "submissions" not in report:
        raise SubmissionError(str(grades / "report.json"), "not a report written by grade")
    return report


def sources_of(report: dict[str, Any]) -> list[Path]:
    """Every file the last grading was given, failed ones included: they may be fixed now."""
    names = [s["submission"] for s in report["submissions"]]
    names += [e["submission"] for e in report["errors"]]
    return [Path(name) for name in dict.fromkeys(names)]


def drop_questions(key_file: Path, manifest: dict[str, Any], drop: list[str]) -> dict[str, Any]:
    """Record dropped questions in the key file, written atomically, and return the manifest."""
    known = [q["id"] for q in manifest["questions"]]
    for qid in drop:
        if qid not in known:
            raise KeyFileError(
                str(key_file), f"no question '{qid}' to drop (has {', '.join(known)})"
            )
    manifest["dropped"] = sorted(set(manifest.get("dropped", [])) | set(drop), key=known.index)
    write_file(key_file, to_json(manifest, compact=True).encode())
    return manifest


def changes(before: dict[str, Any], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per student whose points moved between the ``before`` report.json and the ``after``
    reports: the totals and each question's change."""
    old = {(s["exam_id"], s["variant_id"]): s for s in before["submissions"]}
    found = []
    for report in after:
        earlier = old.get((report["exam_id"], report["variant_id"]))
        if earlier is None:
            found.append(
                {
                    "student_id": report["student_id"],
                    "before": None,
                    "after": report["points"],
                    "questions": {},
                }
            )
            continue
        points = {q["id"]: q["points"] for q in earlier["questions"]}
        moved = {
            q["id"]: q["points"] - points.get(q["id"], 0)
            for q in report["questions"]
            if q["points"] != points.get(q["id"], 0)
        }
        if moved or report["points"] != earlier["points"]:
            found.append(
                {
                    "student_id": report["student_id"],
                    "before": earlier["points"],
                    "after": report["points"],
                    "questions": moved,
                }
            )
    return found


def change_lines(found: list[dict[str, Any]]) -> list[str]:
    lines = []
    for change in found:
        if change["before"] is None:
            lines.append(f"{change['student_id']}: newly graded, {format_points(change['after'])}")
            continue
        detail = ", ".join(
            f"{qid} {'+' if delta > 0 else ''}{format_points(delta)}"
            for qid, delta in change["questions"].items()
        )
        lines.append(
            f"{change['student_id']}: {format_points(change['before'])} → "
            f"{format_points(change['after'])}" + (f" ({detail})" if detail else "")
        )
    return lines
