"""A person's text (a roster's name and id, a spec's titles) reads as typed on every
Markdown page examgen writes, sheets, keys and feedback alike, never as markup; the HTML
pages show it as typed too."""

import json

from click.testing import CliRunner
from conftest import filled_submission
from markdown_it import MarkdownIt
from markupsafe import escape

from generator.cli import grade_main

NAME = "# Eve <img src=x onerror=alert(1)> **x** [a](javascript:x) `tick` a|b ~~s~~ &amp; _u_ \\*"
STUDENT = "a._b_"  # a valid id that Markdown would read as "a." and an emphasised "b"
TITLE = "<b>T</b> **bold** [x](javascript:y) `c` _i_ a|b"
QUESTION = "<i>q</i> *em* [l](javascript:z)"
SPEC = f"""title = {json.dumps(TITLE)}
[[questions]]
family = "conv_output_size"
title = {json.dumps(QUESTION)}
points = 1
"""


def rendered_text(text: str) -> str:
    """``text`` as a CommonMark renderer (with GitHub's tables and strikethrough) writes
    plain text: what a page shows when nothing in it was read as markup."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def shows_as_typed(markdown: str, *texts: str) -> None:
    page = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    for text in texts:
        assert rendered_text(text) in page, (text, page)
    for markup in ("<img", "<b>", "<i>", "<a ", "javascript:", "<em>u", "<s>s"):
        assert markup not in page.replace(rendered_text(NAME), "").replace(
            rendered_text(TITLE), ""
        ).replace(rendered_text(QUESTION), "")


def test_a_persons_text_reads_as_typed_on_every_markdown_page(run, tmp_path):
    (tmp_path / "quiz.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text(f'id,name\n{STUDENT},"{NAME}"\n')
    result = run(
        "generate", "quiz.toml", "--roster", "roster.csv", "-s", "m", "--format", "md,html"
    )
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.json").write_text(json.dumps(filled_submission(exam, STUDENT)))
    graded = CliRunner().invoke(grade_main, [str(subs), "--out", str(tmp_path / "grades")])
    assert graded.exit_code == 0, graded.output

    pages = sorted(exam.rglob("*.md")) + sorted((tmp_path / "grades").rglob("*.md"))
    assert sorted(p.name for p in pages) == [f"{STUDENT}.md", f"{STUDENT}.md", "sheet.md"]
    for page in pages:
        shows_as_typed(page.read_text(), NAME, STUDENT, TITLE, QUESTION)

    for page in (
        exam / "students" / STUDENT / "sheet.html",
        exam / "instructor" / "keys" / f"{STUDENT}.html",
        tmp_path / "grades" / "feedback" / f"{STUDENT}.html",
    ):
        html = page.read_text()
        for text in (NAME, TITLE, QUESTION):
            assert str(escape(text)) in html, (page, text)
        assert "<img src=x" not in html and "<b>T</b>" not in html
