"""Writing a generated exam to disk, all or nothing.

```
OUT/EXAM_ID/
  students/STEM/sheet.md         hand these out: the question sheet
  students/STEM/submission.json  and the blank submission the student fills in
  instructor/key.json            the manifest: every variant's givens, keys and steps (secret)
  instructor/keys/STEM.md        readable answer key with worked solutions, per variant
```
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.atomic import write_folder
from generator.render import render_layouts


def to_json(data: Any, compact: bool = False) -> str:
    """The JSON encodings examgen writes, so equal data gives equal bytes. Files people edit
    are indented; the manifest is compact, because indenting makes json use its slow
    pure-Python encoder and the manifest of a large class runs to many megabytes."""
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def blank_submission(manifest: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    return {
        "exam_id": manifest["exam_id"],
        "variant_id": variant["variant_id"],
        "student_id": variant["student_id"],
        "answers": {q["id"]: {part["id"]: "" for part in q["parts"]} for q in variant["questions"]},
    }


def stem(variant: dict[str, Any]) -> str:
    return variant["student_id"]


def write_exam(manifest: dict[str, Any], out: Path, force: bool = False) -> Path:
    """Write every file of the exam under ``out/EXAM_ID`` and return that directory.

    Files are written to a temporary directory first and moved into place in one rename, so
    an interrupted run leaves nothing half-written; an existing exam is replaced only with
    ``force``, and only once the new one is complete.
    """
    target = out / manifest["exam_id"]
    write_folder(target, lambda staging: _write_tree(manifest, staging), force)
    return target


def _write_tree(manifest: dict[str, Any], root: Path) -> None:
    (root / "instructor" / "keys").mkdir(parents=True)
    (root / "instructor" / "key.json").write_text(to_json(manifest, compact=True), "utf-8")
    # One small key per variant, written after key.json so it is newer: grading a single
    # submission reads its variant's shard instead of parsing the whole class's key.
    (root / "instructor" / "variants").mkdir()
    header = {name: value for name, value in manifest.items() if name != "variants"}
    for variant in manifest["variants"]:
        shard = to_json({**header, "variants": [variant]}, compact=True)
        (root / "instructor" / "variants" / f"{variant['variant_id']}.json").write_text(
            shard, encoding="utf-8"
        )
    for variant in manifest["variants"]:
        rendered = render_layouts(manifest, variant, ("sheet", "key"))
        folder = root / "students" / stem(variant)
        folder.mkdir(parents=True)
        (folder / "sheet.md").write_text(rendered["sheet"], encoding="utf-8")
        (folder / "submission.json").write_text(
            to_json(blank_submission(manifest, variant)), encoding="utf-8"
        )
        key = root / "instructor" / "keys" / f"{stem(variant)}.md"
        key.write_text(rendered["key"], encoding="utf-8")
