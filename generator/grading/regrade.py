"""Regrading after a key fix: record dropped questions in the key, grade the same files
again, and say what changed for each student."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import SubmissionError, quoted
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
    if not (report.get("base") is None or isinstance(report["base"], str)):
        return "base must be a string"
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


def _locate(report: dict[str, Any], grades: Path) -> Callable[[str], Path]:
    """How a path report.json names is found from the working folder now: through its
    ``base``; as it stands in a report of an examgen before ``base``, or an absolute one."""
    base = report.get("base")
    if base is None:
        return Path
    folder = os.path.join(os.path.realpath(grades), base)

    def locate(name: str) -> Path:
        if os.path.isabs(name):
            return Path(name)
        found = os.path.normpath(os.path.join(folder, name))
        try:  # as the instructor would type it from here: ../cls/a.json
            return Path(os.path.relpath(found))
        except (OSError, ValueError):
            return Path(found)

    return locate


@dataclass
class Sources:
    """What a regrade grades again: the files the last grading was given that are still
    there (failed ones included: they may be fixed now), the folders its walk could not
    read, the files it chose (``--prefer``), and the graded files that are gone: ``path``,
    ``exam_id`` and ``student_id`` each, a refused entry for that student, never a silent
    ``missing``."""

    files: list[Path]
    folders: list[Path]
    preferred: list[str]
    gone: list[tuple[str, str, str]]


def sources_of(report: dict[str, Any], grades: Path) -> Sources:
    """The files, folders and choices of the ``report`` in ``grades``, found from the
    working folder now. Refused (SubmissionError, nothing replaced) when none of the files
    it graded is there: run from the wrong folder, it would grade no one."""
    locate = _locate(report, grades)
    claims = [(s["submission"], s["exam_id"], s["student_id"]) for s in report["submissions"]]
    claims += [
        (f["submission"], c.get("exam_id"), c.get("student_id"))
        for c in report.get("conflicts", [])
        for f in c["files"]
    ]
    names = [name for name, _, _ in claims]
    names += [e["submission"] for e in report["errors"] if e.get("folder") is not True]
    files, gone = [], []
    claimed = {name: (exam_id, student) for name, exam_id, student in reversed(claims)}
    for name in dict.fromkeys(names):
        path = locate(name)
        exam_id, student = claimed.get(name, (None, None))
        if isinstance(exam_id, str) and isinstance(student, str) and not os.path.exists(path):
            gone.append((str(path), exam_id, student))
        else:
            files.append(path)
    if report["submissions"] and len(gone) == len(claimed):
        raise SubmissionError(
            str(grades / "report.json"),
            f"none of the {len(claimed)} files it graded is there now (such as "
            f"{quoted(gone[0][0])}); run regrade where grade ran, or grade again",
        )
    folders = [locate(e["submission"]) for e in report["errors"] if e.get("folder") is True]
    preferred = [str(locate(name)) for name in report.get("preferred", [])]
    return Sources(files, list(dict.fromkeys(folders)), preferred, gone)


def changes(before: dict[str, Any], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per student whose points or maximum moved between the ``before`` report.json and the
    ``after`` reports: the totals and each question's change; ``after`` None for a student graded
    before and not now (their file gone, refused or in conflict)."""
    old = {(s["exam_id"], s["variant_id"]): s for s in before["submissions"]}
    found = []
    graded = {(report["exam_id"], report["variant_id"]) for report in after}
    for place, earlier in old.items():
        if place not in graded:  # refused, in conflict or gone now: never a silent loss
            found.append(
                {
                    "student_id": earlier["student_id"],
                    "before": earlier["points"],
                    "after": None,
                    "max_before": earlier["max_points"],
                    "max_after": None,
                    "questions": {},
                }
            )
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
        # a dropped question lowers the maximum alone for a student who had no points on it
        if moved or (report["points"], report["max_points"]) != (
            earlier["points"],
            earlier["max_points"],
        ):
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
        if change["after"] is None:
            before = format_score(change["before"], change["max_before"])
            lines.append(f"{change['student_id']}: {before} → not graded (see the errors)")
            continue
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
