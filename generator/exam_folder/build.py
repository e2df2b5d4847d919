"""Generating a class's exam: assembly, rendering and writing, in parallel across the cores.

Each variant depends only on the seed, the student and the questions, so workers take
students in chunks and do everything for them: assemble the variant, render its sheet and
key, write its files and its key shard. They return the variant as JSON text, which the
parent appends to key.json as the chunks come back, in order: nothing holds the whole
class's key in memory, and the files are the same bytes whatever the number of workers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from generator.exam.assemble import Student, assemble_variant, exam_header
from generator.exam.key_text import (
    KEY_CLOSING,
    KEY_LEAD,
    KEY_SEPARATOR,
    KEY_TRAIL,
    key_layout,
    key_opening,
    variant_text,
)
from generator.exam.manifest import (
    is_exam_folder,
    read_key,
    roster_entry,
    variant_digest,
)
from generator.exam.seeding import secret_key
from generator.exam.spec import ExamSpec
from generator.exam_folder.files import index_json, write_variant_files
from generator.exam_folder.formats import (
    DEFAULT_FORMATS,
    refuse_unprintable_latex,
    write_exam_wide,
    write_pdfs,
)
from generator.files.writing import write_folder
from generator.processes import start_worker
from generator.render.pdf import pdflatex

CHUNK = 10  # students per task: a smooth progress bar, and workers finish together
SERIAL_BELOW = 60  # fewer students than this: starting workers costs more than it saves

# What every worker needs, set once per worker process by _start.
_JOB: dict[str, Any] = {}


def _start_worker(
    parent: int, spec: ExamSpec, seed: str, root: Path, formats: tuple[str, ...]
) -> None:
    start_worker(parent)
    _start(spec, seed, root, formats)


def _start(spec: ExamSpec, seed: str, root: Path, formats: tuple[str, ...]) -> None:
    header = exam_header(spec, seed)
    opening = key_opening(header).encode()
    _JOB.update(
        spec=spec, key=secret_key(seed), header=header, opening=opening, root=root, formats=formats
    )


def _build(students: list[Student]) -> list[tuple[bytes, dict[str, Any]]]:
    """Assemble and write these students' variants; each one's JSON text, for key.json,
    and its roster entry, for index.json. A variant's shard records the digest of the bytes
    of key.json it is made from, known here: the header, and this text."""
    built = []
    for student in students:
        variant = assemble_variant(_JOB["spec"], _JOB["key"], _JOB["header"]["exam_id"], student)
        text = variant_text(variant)
        source = variant_digest(_JOB["opening"], KEY_CLOSING, text)
        write_variant_files(_JOB["header"], variant, _JOB["root"], _JOB["formats"], source)
        built.append((text, roster_entry(variant)))
    return built


def generate_exam(
    spec: ExamSpec,
    seed: str,
    students: list[Student],
    out: Path,
    force: bool = False,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    workers: int | None = None,
    progress: Callable[[int], None] = lambda n: None,
    roster: str = "the roster",
    compiling: Callable[[int, int], None] = lambda done, total: None,
) -> Path:
    """Write the exam for ``students`` under ``out/EXAM_ID`` and return that directory.

    Everything is written to a staging folder and moved into place in one rename: an
    interrupted run, or a sheet LaTeX cannot compile, leaves nothing; an existing exam is
    replaced only with ``force``; ``roster`` names the file the students' names came from.
    ``progress`` hears the variants written, ``compiling`` the PDFs compiled and their total."""
    if "pdf" in formats:
        pdflatex()  # no LaTeX: say so before any work
    header = exam_header(spec, seed)
    if "tex" in formats:
        names = ((student.id, student.name) for student in students)
        refuse_unprintable_latex(header, names, spec.source, roster)
    target = out / header["exam_id"]
    chunks = [students[i : i + CHUNK] for i in range(0, len(students), CHUNK)]
    workers = 1 if len(students) < SERIAL_BELOW else workers or os.cpu_count() or 1

    def fill(root: Path) -> None:
        (root / "instructor" / "keys").mkdir(parents=True)
        (root / "instructor" / "variants").mkdir()
        key_file = root / "instructor" / "key.json"
        opening = key_opening(header).encode()
        digest = hashlib.sha256()
        roster: list[dict[str, Any]] = []
        sizes: list[int] = []
        with key_file.open("wb") as stream:

            def write(piece: bytes) -> None:
                stream.write(piece)
                digest.update(piece)  # index.json records it: no second pass over the file

            write(opening + KEY_LEAD)
            for built in _chunks_built(spec, seed, root, formats, chunks, workers):
                texts = KEY_SEPARATOR.join(text for text, _ in built)
                write((KEY_SEPARATOR if roster else b"") + texts)
                roster += [entry for _, entry in built]
                sizes += [len(text) for text, _ in built]
                progress(len(built))
            write(KEY_TRAIL + KEY_CLOSING)
        layout = key_layout(len(opening), sizes)
        (root / "instructor" / "index.json").write_text(
            index_json({**header, "variants": roster}, digest.hexdigest(), layout),
            encoding="utf-8",
        )
        needs_whole = {"moodle", "qti"} & set(formats)
        write_exam_wide(read_key(key_file) if needs_whole else header, root, formats)
        if "pdf" in formats:
            write_pdfs(root, [student.id for student in students], progress=compiling)

    # the exam id comes from the spec and the seed alone, whoever the students are
    why = "the same spec and seed make the same exam; another --seed makes another"
    write_folder(target, fill, force, is_exam_folder, "an exam folder", why)
    return target


def _chunks_built(
    spec: ExamSpec,
    seed: str,
    root: Path,
    formats: tuple[str, ...],
    chunks: list[list[Student]],
    workers: int,
) -> Any:
    if workers <= 1:
        _start(spec, seed, root, formats)
        yield from map(_build, chunks)
        return
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        initializer=_start_worker,
        initargs=(os.getpid(), spec, seed, root, formats),
    ) as pool:
        yield from pool.map(_build, chunks)
