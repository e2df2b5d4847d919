"""The files of a generated exam, and adding formats to one already written (export).
``generator.exam_folder.build`` writes a whole exam, all or nothing, from these pieces.

```
OUT/EXAM_ID/
  students/STEM/sheet.md         hand these out: the question sheet
  students/STEM/submission.json  and the blank submission the student fills in
  instructor/key.json            the manifest: every variant's givens, keys and steps (secret)
  instructor/variants/ID.zst     each variant's grading key (generator.grading.variant_key)
  instructor/index.json          key.json without the questions: the roster, for gradebooks,
                                 and where each variant lies in key.json (exam.manifest)
  instructor/keys/STEM.md        readable answer key with worked solutions, per variant
```

and the files of the other formats asked for (``--format``; see ``generator.exam_folder.formats``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.errors import OutputError
from generator.exam.key_text import key_text
from generator.exam.manifest import (
    KeyLayout,
    digests,
    index_fields,
    read_key,
    roster_entry,
)
from generator.exam_folder.formats import (
    refuse_unprintable_latex,
    write_pages,
    write_pdfs,
    write_variant_pages,
)
from generator.files.encoding import to_json
from generator.files.writing import RUN_LOCK, staging_folder
from generator.formatting import counted
from generator.grading.variant_key import shard_bytes, variant_key
from generator.render.pdf import pdflatex


def shard(
    manifest: dict[str, Any],
    variant: dict[str, Any],
    source: str,
    rendered: list[dict[str, Any]] | None = None,
) -> tuple[str, bytes]:
    """A variant's grading key (``generator.grading.variant_key``), by path under instructor/, so
    grading a submission need not parse the whole class's key; ``source``, the digest of the
    bytes of key.json it is made from (``exam.manifest.variant_digest``). ``rendered``, the
    variant's questions when the caller has rendered them already, saves rendering them again."""
    from generator.render.pages import rendered_questions

    if rendered is None:
        rendered = rendered_questions(manifest, variant)
    return f"variants/{variant['variant_id']}.zst", shard_bytes(
        variant_key(manifest, variant, rendered), source
    )


def index_json(manifest: dict[str, Any], digest: str, layout: KeyLayout) -> str:
    """index.json: the header and roster, all a gradebook needs, and what it was made from:
    the SHA-256 of key.json's bytes, ``digest``, and where each variant lies in them."""
    roster = [roster_entry(v) for v in manifest["variants"]]
    return to_json({**manifest, "variants": roster, **index_fields(digest, layout)}, compact=True)


def key_shards(manifest: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """key.json and the files derived from it, by path under instructor/: key.json, every
    variant's shard, then index.json."""
    data, layout = key_text(manifest)
    yield "key.json", data
    for variant, source in zip(manifest["variants"], digests(data, layout), strict=True):
        yield shard(manifest, variant, source)
    yield "index.json", index_json(manifest, hashlib.sha256(data).hexdigest(), layout).encode()


def blank_submission(manifest: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "exam_id": manifest["exam_id"],
        "variant_id": variant["variant_id"],
        "student_id": variant["student_id"],
        "answers": {q["id"]: {part["id"]: "" for part in q["parts"]} for q in variant["questions"]},
    }


def stem(variant: dict[str, Any]) -> str:
    return variant["student_id"]


def write_variant_files(
    header: dict[str, Any],
    variant: dict[str, Any],
    root: Path,
    formats: tuple[str, ...],
    source: str,
) -> None:
    """A variant's files: the student's blank submission, its key shard, made from the
    bytes of key.json whose digest is ``source``, and its sheet and key in each per-variant
    format, all from one rendering of its questions."""
    from generator.render.pages import rendered_questions

    folder = root / "students" / stem(variant)
    folder.mkdir(parents=True)
    (folder / "submission.json").write_text(
        to_json(blank_submission(header, variant)), encoding="utf-8"
    )
    rendered = rendered_questions(header, variant)
    name, data = shard(header, variant, source, rendered)
    (root / "instructor" / name).write_bytes(data)
    write_variant_pages(header, variant, root, formats, questions=rendered)


def export_exam(exam_dir: Path, formats: tuple[str, ...], force: bool = False) -> list[str]:
    """Add ``formats`` to an exam generated earlier, from its key.json alone. The files are
    made in a staging folder and moved into place only when all are made; existing files
    are replaced only with ``force``. Returns the paths written, relative to the exam."""
    key_file = exam_dir / "instructor" / "key.json"
    manifest = read_key(key_file)
    if "pdf" in formats:
        pdflatex()
    if "tex" in formats:
        names = ((v["student_id"], v["name"]) for v in manifest["variants"])
        refuse_unprintable_latex(manifest, names, str(key_file), str(key_file))
    try:
        staging, lock = staging_folder(exam_dir, ".export-")
    except OSError as error:
        raise OutputError(f"cannot write to {exam_dir}: {error.strerror or error}") from None
    try:
        write_pages(manifest, staging, formats)
        if "pdf" in formats:
            write_pdfs(staging, [variant["student_id"] for variant in manifest["variants"]])
        made = sorted(
            str(path.relative_to(staging))
            for path in staging.rglob("*")
            if path.is_file() and path.name != RUN_LOCK
        )
        # name a sheet or key first: the shared assets say little
        existing = sorted(
            (name for name in made if (exam_dir / name).exists()),
            key=lambda name: (name.startswith("assets/"), name),
        )
        if existing and not force:
            raise OutputError(
                f"{exam_dir / existing[0]} already exists, with "
                f"{counted(len(existing) - 1, 'other file')} of these formats "
                "(use --force to replace them)"
            )
        for name in made:
            (exam_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, exam_dir / name)
    except OSError as error:
        raise OutputError(f"cannot write {exam_dir}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(lock)
    return made
