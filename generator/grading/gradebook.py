"""What batch grading writes: a gradebook CSV, per-student feedback (Markdown and HTML) and a
JSON report, staged in a temporary folder and moved into place in one rename.

Gradebook columns: ``student_id``, ``name``, ``variant_id``, ``status`` (graded, missing or
conflict), ``flag`` (why the instructor should look: a file another student handed in,
see ``uploader``), ``saved_at`` (when the answer form saved the file, by the student's
clock; blank for a file written by hand), ``total``, ``max_points``, then one column per
question, headed ``ID (POINTS)`` (``ID (dropped)`` for a question the instructor dropped).
Canvas imports it by matching student_id to the SIS User ID; Gradescope by matching it to SID.

Two files that claim one student are never settled by file order: neither is graded into the
gradebook, the student's status is ``conflict``, and report.json lists every claiming file
with its points until the instructor keeps one (``--prefer FILE``) or removes the others.
"""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

from generator.errors import printable
from generator.files.encoding import to_json
from generator.files.writing import write_folder
from generator.formatting import format_points, format_score
from generator.grading.batch import FEEDBACK_SUFFIXES, Outcome, feedback_stem, grade_many
from generator.grading.class_walk import Refused, short_path
from generator.grading.uploader import HandIns

# A cell a spreadsheet would read as a formula (OWASP, "CSV Injection"): text from a roster
# is written with a leading apostrophe, which spreadsheets show as text and do not print.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: ``=HYPERLINK(...)`` becomes
    ``'=HYPERLINK(...)``. Only for text: examgen's own numbers (a total of -1) stay numbers."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _gradebook(
    index: dict[str, Any],
    reports: dict[str, dict],
    conflicts: set[str],
    flags: dict[str, str],
    refused: Collection[str] = (),
) -> str:
    questions = index["questions"]
    dropped = set(index.get("dropped", []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    headers = [
        spreadsheet_text(
            f"{q['id']} (dropped)"
            if q["id"] in dropped
            else f"{q['id']} ({format_points(q['points'])})"
        )
        for q in questions
    ]
    columns = [
        *("student_id", "name", "variant_id", "status", "flag", "saved_at", "total"),
        "max_points",
    ]
    writer.writerow([*columns, *headers])
    maximum = format_points(sum(q["points"] for q in questions if q["id"] not in dropped))
    for variant in index["variants"]:
        report = reports.get(variant["variant_id"])
        if variant["variant_id"] in conflicts:  # the instructor settles it: no points yet
            status, total, points = "conflict", "", [""] * len(questions)
        elif report is None and variant["student_id"] in refused:  # report.json says why
            status, total, points = "refused", "", [""] * len(questions)
        elif report is None:
            status, total, points = "missing", "0", [""] * len(questions)
        else:
            status = "graded"
            kept = [q["id"] not in dropped for q in questions]
            counted = [
                got for got, keep in zip(report["question_points"], kept, strict=True) if keep
            ]
            total, shown = shown_points(report["points"], counted)
            cells = iter(shown)
            points = [next(cells) if keep else "" for keep in kept]
        ids = (variant["student_id"], variant["name"], variant["variant_id"])
        flag = spreadsheet_text(flags.get(variant["student_id"], ""))
        saved_at = (report or {}).get("saved_at") or ""  # read_submission checked its form
        row = [*map(spreadsheet_text, ids), status, flag, saved_at, total]
        # a bank item dropped (regrade --drop ITEM) lowers only its students' maximum
        most = format_points(report["max_points"]) if report is not None else maximum
        writer.writerow([*row, most, *points])
    return buffer.getvalue()


def shown_points(total: float, cells: Sequence[float]) -> tuple[str, list[str]]:
    """The total and each question's points as the gradebook writes them, to hundredths,
    rounded once: the total as itself, and the cells so that they add up to it, the
    hundredths a rounding leaves over going to the cells nearest to rounding the other way
    (largest remainders). Cells already in hundredths are written as they are."""
    target = round(total * 100)
    exact = [c * 100 for c in cells]
    hundredths = [math.floor(x + 1e-9) for x in exact]
    over = target - sum(hundredths)
    # a cell's remainder, largest first; a whole number of hundredths is never moved
    order = sorted(
        (n for n, x in enumerate(exact) if abs(x - round(x)) > 1e-9),
        key=lambda n: (hundredths[n] - exact[n], n),
    )
    for n in order[: max(0, over)]:
        hundredths[n] += 1
    for n in reversed(order[len(order) + min(0, over) :] if over < 0 else []):
        hundredths[n] -= 1
    return _hundredths(target), [_hundredths(h) for h in hundredths]


def _hundredths(value: int) -> str:
    return format_points(Fraction(value, 100))


# The columns Canvas's gradebook import identifies a student by; any other column is an
# assignment (Canvas Guides, "How do I import grades in the Gradebook?"): the exam is one.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def canvas_gradebook(index: dict[str, Any], reports: dict[str, dict]) -> str:
    """The exam's totals as Canvas's gradebook import reads them without mapping a column:
    a student's name, their id as the SIS User ID, and one assignment column named for the
    exam, headed by its points possible; a student with no graded file is left blank."""
    dropped = set(index.get("dropped", []))
    most = format_points(sum(q["points"] for q in index["questions"] if q["id"] not in dropped))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, spreadsheet_text(f"{index['title']} ({index['exam_id']})")])
    writer.writerow(["Points Possible", "", "", "", "", most])
    for variant in index["variants"]:
        report = reports.get(variant["variant_id"])
        total = shown_points(report["points"], [])[0] if report else ""
        name = spreadsheet_text(variant["name"] or variant["student_id"])
        writer.writerow([name, "", spreadsheet_text(variant["student_id"]), "", "", total])
    return buffer.getvalue()


@dataclass
class Summary:
    """A graded class: per exam the students graded, missing and in conflict; the outcome
    kept for each student; every file that could not be graded, with the reason; and each
    student claimed by several files, with every file's points."""

    exams: list[dict[str, Any]]
    errors: list[dict[str, str]]
    kept: list[Outcome]
    question_ids: dict[str, list[str]]  # by exam id, in the order reports list questions
    conflicts: list[dict[str, Any]]
    preferred: list[str]  # the files the instructor chose (``--prefer``), as given
    handed_in: list[dict[str, Any]]  # who handed each graded file in (``uploader``)
    notes: list[str] = field(default_factory=list)  # an index.json passed over, and why

    @property
    def flags(self) -> list[dict[str, Any]]:
        """The graded files the instructor should look at: handed in by another student."""
        return [entry for entry in self.handed_in if "flag" in entry]

    def flag_texts(self, exam_id: str) -> dict[str, str]:
        """The gradebook's flag of each student of ``exam_id`` who has one: on the row of
        the student whose variant a file holds, who handed it in; on the row of who handed
        it in, whose variant it holds."""
        texts: dict[str, list[str]] = {}
        for entry in self.flags:
            if entry["exam_id"] != exam_id:
                continue
            student, where = entry["student_id"], short_path(entry["submission"])
            texts.setdefault(student, []).append(f"{where}: {entry['flag']}")
            for other in entry.get("handed_in_by", []):
                if other != student:
                    line = f"handed in {where}, which holds {student}'s variant"
                    texts.setdefault(other, []).append(line)
        return {student: "; ".join(dict.fromkeys(lines)) for student, lines in texts.items()}

    @property
    def submissions(self) -> list[dict[str, Any]]:
        """Each kept report's ids and points, per question too (``{"id", "points"}``)."""
        reports = []
        for outcome in self.kept:
            report = {name: v for name, v in outcome.report.items() if name != "question_points"}
            ids = self.question_ids[report["exam_id"]]
            points = outcome.report["question_points"]
            report["questions"] = [
                {"id": qid, "points": got} for qid, got in zip(ids, points, strict=True)
            ]
            reports.append(report)
        return reports

    def write_json(self, path: Path, reports: Path, base: str | None = None) -> None:
        """report.json: the exams, the errors and every kept report in full, copied from
        the files the workers wrote under ``reports``, not parsed and written again. A
        worker's reports are one comma-separated run, copied whole where all are kept.
        ``base``: the working folder the paths are relative to, as ``regrade`` finds them
        (``report_base``)."""
        header: dict[str, Any] = {
            "exams": self.exams,
            "errors": self.errors,
            "conflicts": self.conflicts,
        }
        if self.preferred:
            header["preferred"] = self.preferred
        if self.handed_in:
            header["handed_in"] = self.handed_in
        if base is not None:  # where the paths are relative to, from the grades folder
            header["base"] = base
        head = to_json(header, compact=True).rstrip()
        with path.open("wb", buffering=0) as out:
            out.write(f'{head[:-1]},"submissions":['.encode())
            for n, (name, start, end) in enumerate(self._runs()):
                if n:
                    out.write(b",")
                with (reports / name).open("rb", buffering=0) as source:
                    _copy_range(source, out, start, end)
            out.write(b"]}\n")

    def _runs(self) -> list[tuple[str, int, int]]:
        """The kept reports' bytes as runs: file, start, end; in order, and each as long
        as consecutive kept reports sit side by side in one file."""
        runs: list[tuple[str, int, int]] = []
        for outcome in self.kept:
            name, start, end = outcome.text_at
            if runs and runs[-1][0] == name and runs[-1][2] + 1 == start:  # after a comma
                runs[-1] = (name, runs[-1][1], end)
            else:
                runs.append((name, start, end))
        return runs


def _copy_range(source: BinaryIO, out: BinaryIO, start: int, end: int) -> None:
    """Append bytes ``start`` to ``end`` of ``source`` to ``out``: in the kernel where it
    can, as report.json for a large class runs to a hundred megabytes."""
    copy = getattr(os, "copy_file_range", None)
    while start < end and copy is not None:
        try:
            copied = copy(source.fileno(), out.fileno(), end - start, start)
        except OSError:  # a file system or kernel that cannot: copy through memory
            copied = 0
        if not copied:
            break
        start += copied
    if start < end:
        source.seek(start)
        out.write(source.read(end - start))


def summarize(
    outcomes: list[Outcome], indexes: dict[str, dict[str, Any]], prefer: Sequence[str] = ()
) -> Summary:
    """Sort the outcomes by student. A student claimed by one graded file is kept; one
    claimed by several is a conflict, kept only where one of them is in ``prefer``."""
    claims: dict[tuple[str, str], list[Outcome]] = {}
    errors, claimed = [], []
    for outcome in outcomes:
        if outcome.error:
            error = {"submission": outcome.source, "error": outcome.error}
            errors.append({**error, "folder": True} if outcome.folder else error)
            claimed.append(outcome.claimed)
            continue
        report = outcome.report
        claims.setdefault((report["exam_id"], report["variant_id"]), []).append(outcome)
    chosen = {os.path.realpath(path) for path in prefer}
    graded: dict[str, dict[str, Outcome]] = {exam_id: {} for exam_id in indexes}
    conflicts = []
    for (exam_id, variant_id), claiming in claims.items():
        if len(claiming) > 1:
            claiming = [o for o in claiming if os.path.realpath(o.source) in chosen] or claiming
        if len(claiming) == 1:
            graded[exam_id][variant_id] = claiming[0]
            continue
        first = claiming[0].report
        files = [
            {
                "submission": o.source,
                "points": o.report["points"],
                "max_points": o.report["max_points"],
            }
            for o in claiming
        ]
        conflicts.append(
            {
                "exam_id": exam_id,
                "variant_id": variant_id,
                "student_id": first["student_id"],
                "files": files,
            }
        )
    in_conflict = {
        exam_id: [c["variant_id"] for c in conflicts if c["exam_id"] == exam_id]
        for exam_id in indexes
    }
    hand_ins = HandIns(indexes)
    refused = _refused_students(errors, claimed, indexes, hand_ins, graded, in_conflict)
    exams = [
        {
            "exam_id": exam_id,
            "title": indexes[exam_id]["title"],
            "graded": len(kept),
            "missing": [
                v["student_id"]
                for v in indexes[exam_id]["variants"]
                if v["variant_id"] not in kept
                and v["variant_id"] not in in_conflict[exam_id]
                and v["student_id"] not in refused[exam_id]
            ],
            "conflicts": in_conflict[exam_id],
            "refused": sorted(refused[exam_id]),
        }
        for exam_id, kept in graded.items()
    ]
    kept = [o for kept in graded.values() for o in kept.values()]
    ids = {exam_id: [q["id"] for q in index["questions"]] for exam_id, index in indexes.items()}
    handed_in = [
        {"exam_id": o.report["exam_id"], **entry}
        for o in outcomes
        if o.report is not None
        for entry in hand_ins.check(o.source, o.report["exam_id"], o.report["student_id"])
    ]
    return Summary(exams, errors, kept, ids, conflicts, list(prefer), handed_in)


def _refused_students(
    errors: list[dict[str, Any]],
    claimed: list[tuple[str, str] | None],
    indexes: dict[str, dict[str, Any]],
    hand_ins: HandIns,
    graded: dict[str, dict[str, Outcome]],
    in_conflict: dict[str, list[str]],
) -> dict[str, set[str]]:
    """Per exam, the students none of whose files could be graded but whose refused file
    the hand-in path names as theirs (their folder, Gradescope's metadata, a Canvas file
    name): ``refused`` in the gradebook, not ``missing``. Each such error names its
    student (``student_id``) in report.json; a path naming no one, or several, names none.
    A graded file gone since (``claimed``) is its student's, whatever its path says."""
    found: dict[str, set[str]] = {exam_id: set() for exam_id in indexes}
    for error, owner in zip(errors, claimed, strict=True):
        if error.get("folder"):
            continue
        named = {
            (exam_id, student)
            for exam_id in indexes
            for entry in hand_ins.check(error["submission"], exam_id, "")
            for student in entry.get("handed_in_by", [])
        }
        if owner is not None:
            named = {owner}
        if len(named) != 1:
            continue
        ((exam_id, student),) = named
        variants = {
            v["student_id"]: v["variant_id"] for v in indexes.get(exam_id, {}).get("variants", [])
        }
        if student not in variants:  # no longer in the key's roster
            continue
        if variants[student] in graded[exam_id] or variants[student] in in_conflict[exam_id]:
            continue  # another of their files counts
        error["student_id"] = student
        found[exam_id].add(student)
    return found


def flag_line(entry: dict[str, Any]) -> str:
    """One line for the instructor: the file, who handed it in, and whose grade it is."""
    return (
        f"{short_path(entry['submission'])}: {entry['flag']}; "
        f"graded as {entry['student_id']}'s submission"
    )


def conflict_line(conflict: dict[str, Any]) -> str:
    """One line for the instructor: the student, every file claiming them, and its points."""
    files = ", ".join(
        f"{printable(f['submission'])} ({format_score(f['points'], f['max_points'])})"
        for f in conflict["files"]
    )
    return (
        f"student {conflict['student_id']} is claimed by {len(conflict['files'])} files, "
        f"none graded: {files}; keep one with --prefer FILE, or remove the others"
    )


def grade_class(
    paths: list[Path],
    key: Path | None,
    search: Path,
    out: Path,
    force: bool,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
    feedback: bool = True,
    extra: Callable[[Summary], dict[str, str]] = lambda summary: {},
    prefer: Sequence[str] = (),
    refused: Sequence[Refused] = (),
    bom: bool = False,
    gone: Sequence[tuple[str, str, str]] = (),
) -> Summary:
    """Grade ``paths`` into ``out``: gradebook CSV(s), feedback/ (unless not wanted),
    report.json and the ``extra`` files made from the summary; what the class walk
    ``refused`` is reported with the files that could not be graded, and so is each file
    ``gone`` since an earlier grading (path, exam id, student graded), as its student's;
    report.json records ``base`` (``report_base``). Everything is staged in a
    temporary folder, where the workers write feedback as they grade, and moved into place
    in one rename: a crash halfway leaves nothing."""
    done: list[Summary] = []
    base = report_base(out)

    def fill(staging: Path) -> None:
        folder = staging / "feedback"
        if feedback:
            folder.mkdir()
        reports = staging / ".reports"
        reports.mkdir()
        notes: list[str] = []
        outcomes, indexes = grade_many(
            paths, key, search, workers, progress, folder if feedback else None, reports, notes
        )
        walk = [Outcome(r.path, -1, error=r.error, folder=r.folder) for r in refused]
        walk += [
            Outcome(path, -1, error=f"{short_path(path)}: {_GONE}", claimed=(exam_id, student))
            for path, exam_id, student in gone
        ]
        summary = summarize(walk + outcomes, indexes, prefer)
        summary.notes = notes
        _write(staging, summary, indexes, reports, bom, base)
        shutil.rmtree(reports)
        if feedback:
            _name_feedback(folder, summary)
        for name, text in extra(summary).items():
            (staging / name).write_text(text, encoding="utf-8")
        done.append(summary)

    write_folder(out, fill, force, is_grading_folder, "a grading folder")
    return done[0]


def report_base(out: Path) -> str | None:
    """Where the paths a grading is given are relative to, as report.json records it
    (``base``): the working folder, relative to the grades folder ``out``, so a regrade run
    from another folder, or of a course folder moved whole, finds the same files. None
    when the working folder is gone."""
    try:
        return os.path.relpath(os.getcwd(), os.path.realpath(out))
    except (OSError, ValueError):
        return None


_GONE = "no longer there: graded before, it is a refused entry until it is put back"


def is_grading_folder(folder: Path) -> bool:
    return (folder / "report.json").is_file()


def _write(
    staging: Path,
    summary: Summary,
    indexes: dict[str, dict[str, Any]],
    report_files: Path,
    bom: bool = False,
    base: str | None = None,
) -> None:
    single = len(indexes) == 1
    for exam in summary.exams:
        reports = {
            o.report["variant_id"]: o.report
            for o in summary.kept
            if o.report["exam_id"] == exam["exam_id"]
        }
        name = "gradebook.csv" if single else f"gradebook-{exam['exam_id']}.csv"
        flags = summary.flag_texts(exam["exam_id"])
        encoding = "utf-8-sig" if bom else "utf-8"  # Excel reads UTF-8 only after a BOM
        (staging / name).write_text(
            _gradebook(
                indexes[exam["exam_id"]],
                reports,
                set(exam["conflicts"]),
                flags,
                set(exam["refused"]),
            ),
            encoding=encoding,
        )
        canvas = "canvas.csv" if single else f"canvas-{exam['exam_id']}.csv"
        (staging / canvas).write_text(
            canvas_gradebook(indexes[exam["exam_id"]], reports), encoding=encoding
        )
    summary.write_json(staging / "report.json", report_files, base)


def _name_feedback(folder: Path, summary: Summary) -> None:
    """Give each kept report's feedback its student's id, in a folder per exam when the
    batch held several; drop the rest (files that were a student's second submission).
    Each page carries KaTeX inside it: a page sent alone shows its formulas."""
    per_exam = len(summary.exams) > 1
    if per_exam:
        for exam in summary.exams:
            (folder / exam["exam_id"]).mkdir()
    kept = set()  # file names in ``folder``: strings, as a class has tens of thousands
    for outcome in summary.kept:
        target = f"{outcome.report['exam_id']}/" if per_exam else ""
        written = feedback_stem(outcome)
        for suffix in FEEDBACK_SUFFIXES:
            name = f"{target}{outcome.report['student_id']}{suffix}"
            if name != written + suffix:
                os.replace(folder / (written + suffix), folder / name)
            kept.add(name)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file() and entry.name not in kept:
                os.unlink(entry.path)
