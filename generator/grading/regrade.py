"""Regrading after a key fix: record dropped questions in the key, grade the same files
again, and say what changed for each student."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from generator.errors import SubmissionError
from generator.files.reading import read_json
from generator.formatting import format_points, format_score


def previous_report(grades: Path) -> dict[str, Any]:
    """The report.json that ``grade`` wrote in ``grades``, with every field regrade and
    stats read checked first: a hand-edited or foreign file is refused on one line naming
    the field, never met halfway through."""
    source = grades / "report.json"
    report = read_json(source, 2_000_000_000, SubmissionError)
    problem = _report_problem(report) or _settling_problem(report)
    if problem:
        raise SubmissionError(str(source), f"not a report written by grade: {problem}")
    return report


# What each object of a report holds that regrade and stats read: field -> kind of value
_NUMBER, _TEXT, _LIST = "a number", "a string", "a list"
_FIELDS: dict[str, dict[str, str]] = {
    "report": {"exams": _LIST, "errors": _LIST, "submissions": _LIST},
    "exams": {"exam_id": _TEXT},
    "errors": {"submission": _TEXT},
    "submissions": {
        "submission": _TEXT,
        "exam_id": _TEXT,
        "variant_id": _TEXT,
        "student_id": _TEXT,
        "points": _NUMBER,
        "max_points": _NUMBER,
        "questions": _LIST,
    },
    "questions": {
        "id": _TEXT,
        "family": _TEXT,
        "points": _NUMBER,
        "max_points": _NUMBER,
        "parts": _LIST,
    },
    "parts": {"id": _TEXT, "status": _TEXT},
}


def _report_problem(value: Any, kind: str = "report", where: str = "") -> str | None:
    """The first field of ``value``, a ``kind`` of object found at ``where`` in a report,
    that is missing or of the wrong kind, named by its path; None when all are right."""
    if not isinstance(value, dict):
        return f"{where.rstrip('.') or 'the file'} must be an object"
    fields = _FIELDS[kind]
    for name, wanted in fields.items():
        if not _is(value.get(name), wanted):
            return f"{where}{name} must be {wanted}"
    if kind == "parts" and not (value.get("feedback") is None or _is(value["feedback"], _TEXT)):
        return f"{where}feedback must be a string or null"
    for name in [name for name in fields if name in _FIELDS]:  # the lists of objects
        for n, item in enumerate(value[name]):
            problem = _report_problem(item, name, f"{where}{name}[{n}].")
            if problem:
                return problem
    return None


def _settling_problem(report: dict[str, Any]) -> str | None:
    """What is wrong with the conflicts and --prefer choices, which reports of examgen
    before them lack."""
    preferred = report.get("preferred", [])
    if not isinstance(preferred, list) or not all(isinstance(p, str) for p in preferred):
        return "preferred must be a list of file names"
    conflicts = report.get("conflicts", [])
    if not isinstance(conflicts, list):
        return "conflicts must be a list"
    for n, conflict in enumerate(conflicts):
        files = conflict.get("files") if isinstance(conflict, dict) else None
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("submission"), str) for f in files
        ):
            return f"conflicts[{n}].files must list objects with a submission"
    return None


def _is(value: Any, kind: str) -> bool:
    if kind == _NUMBER:
        # an int is finite, and math.isfinite overflows on one past a float's range
        return type(value) is int or (type(value) is float and math.isfinite(value))
    return isinstance(value, str if kind == _TEXT else list)


def sources_of(report: dict[str, Any]) -> list[Path]:
    """Every file the last grading was given, failed ones included: they may be fixed now.
    Not the folders it could not read (``folders_of``)."""
    names = [s["submission"] for s in report["submissions"]]
    names += [f["submission"] for c in report.get("conflicts", []) for f in c["files"]]
    names += [e["submission"] for e in report["errors"] if e.get("folder") is not True]
    return [Path(name) for name in dict.fromkeys(names)]


def folders_of(report: dict[str, Any]) -> list[Path]:
    """The folders the last grading's walk could not read: walked again, as whatever
    made them unreadable may be fixed now."""
    names = [e["submission"] for e in report["errors"] if e.get("folder") is True]
    return [Path(name) for name in dict.fromkeys(names)]


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
                    "max_before": None,
                    "max_after": report["max_points"],
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
                    "max_before": earlier["max_points"],
                    "max_after": report["max_points"],
                    "questions": moved,
                }
            )
    return found


def change_lines(found: list[dict[str, Any]]) -> list[str]:
    """One line per student: the total out of the maximum before and after, as a dropped
    question lowers both, and each question's change."""
    lines = []
    for change in found:
        after = format_score(change["after"], change["max_after"])
        if change["before"] is None:
            lines.append(f"{change['student_id']}: newly graded, {after}")
            continue
        detail = ", ".join(
            f"{qid} {'+' if delta > 0 else ''}{format_points(delta)}"
            for qid, delta in change["questions"].items()
        )
        before = format_score(change["before"], change["max_before"])
        lines.append(
            f"{change['student_id']}: {before} → {after}" + (f" ({detail})" if detail else "")
        )
    return lines
