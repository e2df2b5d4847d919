"""Practice sets: questions of chosen families written as a sheet and a separate solutions
sheet, in every format ``generate`` writes, with a blank submission that ``grade`` checks.

```
OUT/practice-NAME-ID/
  practice.md, practice.html, ...   the questions
  solutions.md, solutions.html, ... the answers and worked solutions
  submission.json                   fill in, then: grade submission.json
  instructor/key.json               the key grade reads
```
"""

from __future__ import annotations

from pathlib import Path

from generator import registry
from generator.exam.assemble import Student, assemble
from generator.exam.manifest import is_exam_folder
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.exam_folder.files import blank_submission, key_shards
from generator.exam_folder.formats import (
    PRACTICE_LAYOUT,
    write_exam_wide,
    write_pdfs,
    write_variant_pages,
)
from generator.files.encoding import to_json
from generator.files.writing import write_folder
from generator.render.pdf import pdflatex

MAX_PRACTICE = 200


def practice_spec(families: list[str], count: int, difficulty: str) -> ExamSpec:
    """``count`` questions, taking the families in turn."""
    questions = tuple(
        QuestionSpec(
            f"q{n + 1}",
            families[n % len(families)],
            1,
            difficulty,
            registry.get(families[n % len(families)]).title,
        )
        for n in range(count)
    )
    name = families[0] if len(families) == 1 else "mixed"
    title = f"Practice: {registry.get(families[0]).title}" if len(families) == 1 else "Practice set"
    text = f"practice {','.join(families)} {count} {difficulty}"
    return ExamSpec(
        "practice", f"practice-{name.replace('_', '-')}", title, "", None, questions, text
    )


def write_practice(
    spec: ExamSpec, seed: str, out: Path, formats: tuple[str, ...], force: bool = False
) -> Path:
    """Write the practice set under ``out/EXAM_ID``, all or nothing, and return the folder."""
    if "pdf" in formats:
        pdflatex()
    manifest = assemble(spec, seed, [Student("practice")])
    (variant,) = manifest["variants"]
    target = out / manifest["exam_id"]

    def fill(root: Path) -> None:
        (root / "instructor" / "variants").mkdir(parents=True)
        for name, data in key_shards(manifest):  # key.json first, then what derives from it
            (root / "instructor" / name).write_bytes(data)
        (root / "submission.json").write_text(
            to_json(blank_submission(manifest, variant)), encoding="utf-8"
        )
        write_variant_pages(manifest, variant, root, formats, PRACTICE_LAYOUT)
        write_exam_wide(manifest, root, formats)
        if "pdf" in formats:
            write_pdfs(root, [variant["student_id"]], PRACTICE_LAYOUT)

    write_folder(target, fill, force, is_exam_folder, "a practice folder")
    return target
