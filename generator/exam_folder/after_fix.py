"""After the instructor adjusted key.json (``grading.adjustments``), the exam folder's files
that show a key are written again from it, so none contradicts the key grading uses: each
changed variant's readable keys (``instructor/keys/``; a practice set's solutions and
self-check page) and the LMS exports. What cannot be written again is named as stale, never
left silently: PDFs (``examgen export ... --format pdf --force`` compiles them again) and
the sheets students were given, which show the givens as handed out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.exam_folder.formats import EXAM_LAYOUT, PRACTICE_LAYOUT, exam_files
from generator.files.writing import write_file
from generator.render.assets import page_as_written

# the layouts that show keys, which are written again; a sheet is what students were given
_KEY_LAYOUTS = ("key", "key.html", "key.tex", "selfcheck.html")
_EXPORTS = {"moodle.xml": "moodle", "canvas-qti.zip": "qti"}  # under instructor/


def rewrite_after_fix(
    key_file: Path, manifest: dict[str, Any], changed: list[int], resolved: list[int]
) -> tuple[int, list[str]]:
    """Write again, each atomically, the files that show the keys of the ``changed``
    variants (indexes into ``manifest``'s), and the exports; the number written, and a line
    for each file left stale (the sheets of the ``resolved`` variants, solved again from a
    corrected given, among them)."""
    from generator.render.pages import render_layouts

    root = key_file.parent.parent
    practice = (root / "solutions.md").exists() or (root / "solutions.html").exists()
    layout = PRACTICE_LAYOUT if practice else EXAM_LAYOUT
    written, stale = 0, []
    for n in changed:
        variant = manifest["variants"][n]
        wanted = {
            name: root / path.format(stem=variant["student_id"])
            for pages in layout.pages.values()
            for name, path in pages.items()
            if name in _KEY_LAYOUTS and (root / path.format(stem=variant["student_id"])).is_file()
        }
        if wanted:
            context = {"students": layout.students}
            pages = render_layouts(manifest, variant, tuple(wanted), context)
            for name, target in wanted.items():
                write_file(target, page_as_written(target, pages[name]))
                written += 1
        for target in wanted.values():
            pdf = target.with_suffix(".pdf")
            if target.suffix == ".tex" and pdf.is_file():
                stale.append(
                    f"{_shown(pdf, root)} shows the old key: compile it again with "
                    f"examgen export {root} --format pdf --force"
                )
    for n in resolved:
        stem = manifest["variants"][n]["student_id"]
        for sheet in sorted((root / "students" / stem).glob("sheet.*")):
            stale.append(f"{_shown(sheet, root)} shows the givens as handed out, before the fix")
    exports = {name: path for path, name in _EXPORTS.items() if (key_file.parent / path).is_file()}
    if changed and exports:
        for path, data in exam_files(manifest, tuple(exports)):
            write_file(root / path, data)
            written += 1
    if exports and _beyond_keys(manifest):
        names = " and ".join(f"instructor/{path}" for path in exports.values())
        stale.append(
            f"{root.name}/{names} grade by the keys alone: the accepted answers, full "
            "credit and drops of adjustments.toml are not in them"
        )
    return written, stale


def _beyond_keys(manifest: dict[str, Any]) -> bool:
    """Whether an adjustment grades otherwise than a key can say, which no export carries."""
    return bool(manifest.get("dropped")) or any(
        question.get("full_credit")
        or question.get("dropped")
        or any("accept" in part for part in question["parts"])
        for variant in manifest["variants"]
        for question in variant["questions"]
    )


def _shown(path: Path, root: Path) -> str:
    return str(root.name / path.relative_to(root))
