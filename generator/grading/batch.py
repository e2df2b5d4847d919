"""Grading a class: many submissions at once, in parallel, each worker reading, grading and
writing one submission's feedback end to end. One bad file is reported and skipped; it never
stops the batch.

The parent process only hands out file names and collects small results: for a class of
thousands, reading every submission or the whole key.json in one process would cost more
than grading them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import BrokenKeyError, ExamgenError, printable
from generator.exam.manifest import read_index, read_key
from generator.files.encoding import compact_json_bytes
from generator.grading.class_walk import collect as collect  # where grade finds the files
from generator.grading.class_walk import short_path
from generator.grading.feedback import feedback_pages
from generator.grading.scoring import grade
from generator.grading.submission import find_key, read_submission
from generator.grading.variant_key import key_for
from generator.processes import start_worker

CHUNK = 100  # submissions per task sent to a worker


@dataclass
class Outcome:
    source: str
    index: int  # the file's place among those graded: names its feedback until it is kept
    error: str | None = None  # why the file could not be graded
    report: dict[str, Any] | None = None  # the report's ids and totals (``_totals``)
    key_file: str | None = None
    # where the whole report (grade's, as compact JSON) was written: a file of the
    # worker's reports and the byte range of this one, so no report travels through a pipe
    text_at: tuple[str, int, int] | None = None
    named: bool = False  # its feedback has the student's name already (``feedback_stem``)
    fatal: bool = False  # the error is the key's, not the file's: the whole run stops
    folder: bool = False  # the source is a folder the class walk could not read
    claimed: tuple[str, str] | None = None  # exam and student a file now gone was graded as


FEEDBACK_SUFFIXES = (".md", ".html")


def feedback_stem(outcome: Outcome) -> str:
    """Where a worker wrote a graded file's feedback, in the feedback folder, without the
    suffix: under its student's id when no other submission had claimed it, else under the
    file's index until the batch knows which of a student's submissions counts."""
    return outcome.report["student_id"] if outcome.named else f".{outcome.index}"


def _write_feedback(folder: Path, index: int, student: str, pages: tuple[bytes, bytes]) -> bool:
    """Write a submission's feedback pages under its student's id, unless another
    submission of that id claimed it first; then under its index. Whether it got the id.
    Claiming by exclusive creation spares the batch a rename per file afterwards."""
    try:
        write_new(folder / f"{student}.md", pages[0])
    except FileExistsError:
        for suffix, page in zip(FEEDBACK_SUFFIXES, pages, strict=True):
            write_new(folder / f".{index}{suffix}", page)
        return False
    write_new(folder / f"{student}.html", pages[1])
    return True


def write_new(path: Path, data: bytes) -> None:
    """Create the file ``path`` holding ``data``; FileExistsError if it exists. Plain system
    calls: a class's feedback is tens of thousands of files, and Python's file objects cost
    a fifth as much again as writing one."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


# Per worker: whole key files already read, by path and version (a key the instructor
# corrects between two gradings is read again), and where each exam's key was found.
_KEYS: dict[tuple[str, int, int], dict[str, Any] | BrokenKeyError] = {}
_FOUND: dict[tuple[Path, str], Path] = {}


def _whole_key(key_file: Path) -> dict[str, Any]:
    stat = key_file.stat()
    version = (str(key_file), stat.st_mtime_ns, stat.st_size)
    if version not in _KEYS:
        _KEYS.clear()
        try:
            _KEYS[version] = read_key(key_file)
        except BrokenKeyError as error:  # once, not again for every file of the class
            _KEYS[version] = error
    key = _KEYS[version]
    if isinstance(key, BrokenKeyError):
        raise key
    return key


def _key_file(path: Path, exam_id: str, search: Path) -> Path:
    place = (search, exam_id)  # ``search`` is absolute (``grade_many``): a cwd may change
    if place not in _FOUND:
        _FOUND[place] = find_key(path, exam_id, search)
    return _FOUND[place]


def _totals(report: dict[str, Any]) -> dict[str, Any]:
    """The report's ids, total and each question's points, in the key's order: all the
    parent needs, and a tenth of the report to send it and hold for a class."""
    totals = {name: value for name, value in report.items() if name != "questions"}
    totals["question_points"] = [q["points"] for q in report["questions"]]
    return totals


def _grade_one(
    index: int, source: str, key: Path | None, search: Path, feedback: Path | None
) -> tuple[Outcome, bytes]:
    """The outcome of grading one file, and its full report as JSON (empty when the file
    could not be graded)."""
    path = Path(source)
    if not source.isascii() and not _is_utf8(source):
        # report.json and the gradebook are UTF-8: a name they cannot hold is named escaped
        message = f"{printable(source)}: the file's name is not UTF-8; rename it to grade it"
        return Outcome(printable(source), index, error=message), b""
    try:
        submission = read_submission(path)
        key_file = key or _key_file(path, submission["exam_id"], search)
        variant = key_for(key_file, submission, source, feedback is not None, _whole_key)
        report = grade(variant, submission, source)
        outcome = Outcome(source, index, None, _totals(report), str(key_file))
        if feedback is not None:
            pages = feedback_pages(variant, report)
            outcome.named = _write_feedback(feedback, index, report["student_id"], pages)
    except BrokenKeyError as error:
        return Outcome(source, index, error=str(error), fatal=True), b""
    except ExamgenError as error:
        return Outcome(source, index, error=_one_line(error, source)), b""
    except OSError:  # writing the feedback failed (a full disk): the run fails, all of it
        raise
    except Exception as error:  # examgen's own bug: one file, said so, never the class
        problem = printable(f"{type(error).__name__}: {error}")[:200]
        message = f"{printable(source)}: examgen failed on this file ({problem}); please report it"
        return Outcome(source, index, error=message), b""
    return outcome, compact_json_bytes(report)


def _one_line(error: ExamgenError, source: str) -> str:
    """The error's line, naming a long path shortened: an unzipped upload's path can run to
    thousands of characters, which would push the reason past the line's cut."""
    text = str(error.args[0]) if error.args else ""
    if len(source) > 120 and text.startswith(source):
        return str(ExamgenError(short_path(source) + text[len(source) :]))
    return str(error)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _grade_chunk(
    tasks: list[tuple[int, str]],
    key: Path | None,
    search: Path,
    feedback: Path | None,
    reports: Path | None,
) -> list[Outcome]:
    """Grade a worker's share; with ``reports``, write their full reports there as one file
    and say where each one is (``Outcome.text_at``)."""
    name = f"{tasks[0][0]}.json"  # by the first file's index: unique to this share
    outcomes, texts, start = [], [], 0
    for index, source in tasks:
        outcome, text = _grade_one(index, source, key, search, feedback)
        if text and reports is not None:
            outcome.text_at = (name, start, start + len(text))
            texts.append(text)
            start += len(text) + 1  # and a comma: report.json copies runs of reports whole
        outcomes.append(outcome)
    if reports is not None and texts:
        (reports / name).write_bytes(b",".join(texts))
    return outcomes


def grade_many(
    paths: list[Path],
    key: Path | None,
    search: Path,
    workers: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
    feedback: Path | None = None,
    reports: Path | None = None,
    notes: list[str] | None = None,
) -> tuple[list[Outcome], dict[str, dict[str, Any]]]:
    """Grade every submission, finding each one's key unless ``key`` is given, and write
    each one's feedback under ``feedback`` (as ``feedback_names``) and full report under
    ``reports`` (see ``Outcome.text_at``) when they are given.

    Returns the outcomes in the order of ``paths`` and, by exam id, the index (header and
    roster, see ``read_index``) of every key used, with a line in ``notes`` for an index.json
    passed over. A given ``key`` that cannot be read is one error for all, before any work."""
    indexes = {}
    search = search.absolute()
    if key is not None:
        index = read_index(key, notes)
        indexes[index["exam_id"]] = index
    tasks = list(enumerate(map(str, paths)))
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    workers = min(workers or os.cpu_count() or 1, len(chunks))
    outcomes: list[Outcome] = []
    if workers <= 1:
        for chunk in chunks:
            outcomes += _grade_chunk(chunk, key, search, feedback, reports)
            progress(len(chunk))
    else:
        with ProcessPoolExecutor(
            max_workers=workers, initializer=start_worker, initargs=(os.getpid(),)
        ) as pool:
            arguments = [
                [key] * len(chunks),
                [search] * len(chunks),
                [feedback] * len(chunks),
                [reports] * len(chunks),
            ]
            for done in pool.map(_grade_chunk, chunks, *arguments):
                outcomes += done
                progress(len(done))
    broken = next((o for o in outcomes if o.fatal), None)
    if broken is not None:
        raise ExamgenError(broken.error)
    for key_file in dict.fromkeys(o.key_file for o in outcomes if o.key_file):
        if key is None or key_file != str(key):  # a given key's index is read already
            index = read_index(Path(key_file), notes)
            indexes.setdefault(index["exam_id"], index)
    return outcomes, indexes
