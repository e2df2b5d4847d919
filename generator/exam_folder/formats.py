"""The formats an exam is written in, and the files each one adds to an exam directory.

```
md      students/ID/sheet.md        instructor/keys/ID.md
html    students/ID/sheet.html      instructor/keys/ID.html
        (sheet.html is the answer form; every page carries its scripts and KaTeX inside
        it, so it works alone)
tex     students/ID/sheet.tex       instructor/keys/ID.tex
pdf     students/ID/sheet.pdf       instructor/keys/ID.pdf    (the tex files compiled)
        print/sheets.pdf            every sheet in roster order, each an even page count
moodle  instructor/moodle.xml       one question category per question, a variant in each
qti     instructor/canvas-qti.zip   QTI 1.2 for a Canvas classic quiz, a group per question
gradescope  instructor/gradescope-autograder.zip   (export only) an autograder of uploads
```

Every file is made from the manifest alone, so ``examgen export`` can add a format to an
exam generated earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import FormatError, SpecError, quoted
from generator.render.assets import inline_scripts, page_as_written, write_files

FORMATS = ("md", "html", "tex", "pdf", "moodle", "qti")
# Made by export alone: the autograder holds the finished class's grading keys and roster.
EXPORT_FORMATS = (*FORMATS, "gradescope")
DEFAULT_FORMATS = ("md",)


@dataclass(frozen=True)
class Layout:
    """Where the sheet and key of each per-variant format go."""

    pages: dict[str, dict[str, str]]  # format -> template layout -> path ({stem}: student)
    students: bool = True  # pages name their student (a practice set has none)
    print_sheets: str | None = None  # pdf: every sheet in one file, for the print shop


EXAM_LAYOUT = Layout(
    {
        "md": {"sheet": "students/{stem}/sheet.md", "key": "instructor/keys/{stem}.md"},
        "html": {
            "sheet.html": "students/{stem}/sheet.html",
            "key.html": "instructor/keys/{stem}.html",
        },
        "tex": {
            "sheet.tex": "students/{stem}/sheet.tex",
            "key.tex": "instructor/keys/{stem}.tex",
        },
    },
    print_sheets="print/sheets.pdf",
)
# A practice set: one variant, its sheet and solutions side by side at the top.
PRACTICE_LAYOUT = Layout(
    {
        "md": {"sheet": "practice.md", "key": "solutions.md"},
        "html": {
            "sheet.html": "practice.html",
            "key.html": "solutions.html",
            "selfcheck.html": "self-check.html",
        },
        "tex": {"sheet.tex": "practice.tex", "key.tex": "solutions.tex"},
    },
    students=False,
)


def parse_formats(text: str, known: tuple[str, ...] = FORMATS) -> tuple[str, ...]:
    """``md,html,pdf`` as a tuple in a fixed order; pdf brings tex, which it is made from.
    ``known``: the formats the command makes (export's are ``EXPORT_FORMATS``)."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise FormatError(
            f"--format: unknown format '{unknown[0] if unknown else text}' "
            f"(choose from {', '.join(known)}, comma-separated)"
        )
    if "pdf" in names:
        names.append("tex")
    return tuple(name for name in known if name in names)


def refuse_unprintable_latex(
    header: dict[str, Any],
    names: Iterable[tuple[str, str]],
    titles_from: str,
    names_from: str,
) -> None:
    """Before a tex or pdf run writes anything: stop at the first title or student's name
    (``names``: id and name) with a character pdflatex cannot print, naming where to mend
    it, rather than failing on that student's page with the class half written."""
    from generator.exam.spec import refuse_unsafe_tex
    from generator.render.markup import latex_unprintable

    texts = [("title", header["title"]), ("instructions", header["instructions"])]
    texts += [(f"question {q['id']}: title", q["title"]) for q in header["questions"]]
    places = [(titles_from, field, text) for field, text in texts]
    places += [(names_from, f"student {sid}: name", name) for sid, name in names]
    for source, field, text in places:
        if (ch := latex_unprintable(text)) is not None:
            raise SpecError(
                source,
                f"{quoted(text)} holds {ch!r} (U+{ord(ch):04X}), which pdflatex cannot print: "
                "write it in Latin letters, or leave tex and pdf out of --format",
                field,
            )
    refuse_unsafe_tex(header["instructions"], titles_from, "instructions")


def variant_pages(
    manifest: dict[str, Any],
    variant: dict[str, Any],
    formats: tuple[str, ...],
    layout: Layout = EXAM_LAYOUT,
    questions: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """The sheet and key of one variant in each per-variant format, by path in the exam;
    ``questions``, when given, are the variant's questions rendered already. HTML pages
    hold KaTeX's mark: ``page_as_written`` makes them whole as they are written."""
    from generator.render.pages import render_layouts

    wanted = {
        name: path.format(stem=variant["student_id"])
        for format_name in formats
        for name, path in layout.pages.get(format_name, {}).items()
    }
    if not wanted:
        return {}
    context: dict[str, Any] = {"students": layout.students}
    if "sheet.html" in wanted:  # the answer form carries its scripts: it works alone
        context["inline"] = inline_scripts()
    rendered = render_layouts(manifest, variant, tuple(wanted), context, questions)
    return {path: rendered[name] for name, path in wanted.items()}


def exam_files(manifest: dict[str, Any], formats: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    """The files of the whole exam that are not per variant: Moodle XML, QTI zip,
    Gradescope's autograder (HTML pages carry KaTeX inside them)."""
    if "moodle" in formats:
        from generator.exports.moodle import moodle_xml

        yield "instructor/moodle.xml", moodle_xml(manifest).encode()
    if "qti" in formats:
        from generator.exports.qti import qti_zip

        yield "instructor/canvas-qti.zip", qti_zip(manifest)
    if "gradescope" in formats:
        from generator.exports.gradescope import AUTOGRADER_ZIP, autograder_zip
        from generator.grading.variant_key import variant_key

        keys = (variant_key(manifest, variant) for variant in manifest["variants"])
        yield AUTOGRADER_ZIP, autograder_zip(manifest, keys)


def write_variant_pages(
    manifest: dict[str, Any],
    variant: dict[str, Any],
    root: Path,
    formats: tuple[str, ...],
    layout: Layout = EXAM_LAYOUT,
    questions: list[dict[str, Any]] | None = None,
) -> None:
    """Write one variant's sheet and key in each per-variant format under ``root``."""
    for path, text in variant_pages(manifest, variant, formats, layout, questions).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page_as_written(target, text))


def write_exam_wide(manifest: dict[str, Any], root: Path, formats: tuple[str, ...]) -> None:
    """Write the files of ``formats`` that are not per variant under ``root``."""
    write_files(root, exam_files(manifest, formats))


def write_pages(manifest: dict[str, Any], root: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write every file of ``formats`` under ``root``, a staging folder; returns the LaTeX
    sources written, for pdf to compile."""
    for variant in manifest["variants"]:
        write_variant_pages(manifest, variant, root, formats)
    write_exam_wide(manifest, root, formats)
    return latex_sources(root)


def latex_sources(root: Path) -> list[Path]:
    """The LaTeX sheets and keys written under ``root``, for pdf to compile."""
    return sorted(root.rglob("*.tex"))


def write_pdfs(
    root: Path,
    student_ids: list[str],
    layout: Layout = EXAM_LAYOUT,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> None:
    """Compile the LaTeX sheets and keys written under ``root`` for these students, and
    write the layout's print file of every sheet in their order. Sheets and keys compile
    apart: no pdflatex job holds both (``compile_groups``)."""
    from generator.render.pdf import compile_groups, print_file

    groups = [
        [root / path.format(stem=sid) for sid in student_ids]
        for path in layout.pages["tex"].values()
    ]
    sheets, *_ = compile_groups(groups, progress=progress)
    if layout.print_sheets is not None:
        target = root / layout.print_sheets
        target.parent.mkdir(parents=True, exist_ok=True)
        print_file(sheets, target)
