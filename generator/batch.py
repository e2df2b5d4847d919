"""Grading a class: many submissions at once, in parallel, into a gradebook, feedback files
and a JSON report. One bad file is reported and skipped; it never stops the batch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import ExamgenError
from generator.grading import grade, report_json
from generator.manifest import read_key
from generator.submission import find_key, read_submission

CHUNK = 200  # submissions per task sent to a worker


@dataclass
class Outcome:
    source: str
    report: dict[str, Any] | None = None  # report_json of a graded submission
    error: str | None = None  # why the file could not be graded
    feedback: tuple[str, str] | None = None  # Markdown and HTML, rendered where it was graded


def collect(paths: Iterable[Path]) -> list[Path]:
    """Submission files: the files named, and every *.json below the folders named, except
    the instructor's own files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*.json") if "instructor" not in p.relative_to(path).parts
            )
        else:
            found.append(path)
    return found


# In each worker, key files already read, by path and by the version of the file: a key
# the instructor corrects between two gradings is read again.
_KEYS: dict[tuple[str, int, int], dict[str, Any]] = {}


def _manifest(key_file: str) -> dict[str, Any]:
    stat = Path(key_file).stat()
    version = (key_file, stat.st_mtime_ns, stat.st_size)
    if version not in _KEYS:
        _KEYS[version] = read_key(Path(key_file))
    return _KEYS[version]


def _grade_chunk(key_file: str, sources: list[str]) -> list[Outcome]:
    from generator.gradebook import render_feedback

    manifest = _manifest(key_file)
    outcomes = []
    for source in sources:
        try:
            submission = read_submission(Path(source))
            report = report_json(grade(manifest, submission, source))
        except ExamgenError as error:
            outcomes.append(Outcome(source, error=str(error)))
            continue
        outcomes.append(Outcome(source, report=report, feedback=render_feedback(manifest, report)))
    return outcomes


def grade_many(
    paths: list[Path],
    key: Path | None,
    search: Path,
    workers: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> tuple[list[Outcome], dict[str, dict[str, Any]]]:
    """Grade every submission, finding each one's key unless ``key`` is given. Returns the
    outcomes in the order of ``paths`` and the keys used, by exam id.

    Each key is read once, here, before the workers start: forked workers inherit it."""
    by_key: dict[str, list[str]] = {}
    outcomes: dict[str, Outcome] = {}
    for path in paths:
        source = str(path)
        try:
            if key is None:
                exam_id = read_submission(path)["exam_id"]
                key_file = find_key(path, exam_id, search)
            else:
                key_file = key
            by_key.setdefault(str(key_file), []).append(source)
        except ExamgenError as error:
            outcomes[source] = Outcome(source, error=str(error))
            progress(1)
    manifests = {}
    for key_file in by_key:  # a broken key is one error for all, before any work
        manifest = _manifest(key_file)
        manifests[manifest["exam_id"]] = manifest
    tasks = [
        (key_file, sources[i : i + CHUNK])
        for key_file, sources in by_key.items()
        for i in range(0, len(sources), CHUNK)
    ]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        results = (_grade_chunk(*task) for task in tasks)
        for chunk in results:
            _record(chunk, outcomes, progress)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
            for chunk in pool.map(_grade_chunk, *zip(*tasks, strict=True)):
                _record(chunk, outcomes, progress)
    return [outcomes[str(path)] for path in paths], manifests


def _record(chunk: list[Outcome], outcomes: dict[str, Outcome], progress: Callable) -> None:
    for outcome in chunk:
        outcomes[outcome.source] = outcome
    progress(len(chunk))
