"""Printed PDFs: every page names its exam, variant and student and says "page k of n"; a
class compiles in batches whose PDF is split into each student's file; print/sheets.pdf
holds every sheet in roster order, each padded to an even page count."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from test_rendered_pages import tool

from generator.cli import main
from generator.errors import FormatError
from generator.exam import spec
from generator.exam.assemble import Student
from generator.exam_folder.build import generate_exam
from generator.render import pdf

# ids in no sorted order, with the characters an id may hold that LaTeX must escape
ROSTER = "id,name\nzoe_1,Zoë & {Co} 100%\namy.b,Amy\nkim-2,\\input{x}\n"
IDS = ["zoe_1", "amy.b", "kim-2"]


def pages(path):
    """The text of each page of a PDF, as pdftotext reads it."""
    done = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A built-in exam for three students in pdf, and what generate said."""
    tool("pdflatex")
    folder = tmp_path_factory.mktemp("printed")
    (folder / "roster.csv").write_text(ROSTER)
    result = _generate(folder, "output")
    assert result.exit_code == 0, result.output
    (exam,) = (folder / "output").iterdir()
    return exam, result.output


def _generate(folder, out):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return CliRunner().invoke(
            main,
            # sheets of three pages: print/sheets.pdf pads each to an even count
            [
                *("generate", "losses-and-gradients", "--roster", "roster.csv", "-s", "print"),
                *("--pdf", "--out", out),
            ],
            catch_exceptions=False,
        )


def test_every_pdf_page_names_its_exam_variant_and_student_and_counts_its_pages(printed):
    exam, _ = printed
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        sid = variant["student_id"]
        for path in (
            exam / "students" / sid / "sheet.pdf",
            exam / "instructor" / "keys" / f"{sid}.pdf",
        ):
            texts = pages(path)
            assert len(texts) >= 2, path
            for k, text in enumerate(texts, 1):
                head = text.strip().splitlines()[0]
                assert key["exam_id"] in head and variant["variant_id"] in head, (path, k, head)
                assert f"student {sid}" in head and head.endswith(f"page {k} of {len(texts)}")
            assert ("Answer key" in texts[0]) == ("keys" in path.parts)


def test_a_split_sheet_holds_exactly_the_pages_its_student_compiles_to_alone(printed, tmp_path):
    exam, _ = printed
    program = pdf.pdflatex()
    for sid in ("zoe_1", "kim-2"):  # the first and the last of the sheets' batch
        for source in (
            exam / "students" / sid / "sheet.tex",
            exam / "instructor" / "keys" / f"{sid}.tex",
        ):
            alone = tmp_path / sid / source.name
            alone.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, alone)
            assert pages(pdf.compile_pdf(alone, program)) == pages(source.with_suffix(".pdf"))


def test_the_print_file_holds_every_sheet_in_roster_order_each_an_even_page_count(printed):
    exam, output = printed
    assert "print/sheets.pdf" in output
    expected = []
    for sid in IDS:
        sheet = pages(exam / "students" / sid / "sheet.pdf")
        expected += sheet + [""] * (len(sheet) % 2)
    assert any(not text.strip() for text in expected)  # this class has a sheet to pad
    printed_pages = pages(exam / "print" / "sheets.pdf")
    assert [text.strip() for text in printed_pages] == [text.strip() for text in expected]


def test_pdfs_are_the_same_bytes_on_every_run(printed):
    exam, _ = printed
    result = _generate(exam.parent.parent, "again")
    assert result.exit_code == 0, result.output
    again = exam.parent.parent / "again" / exam.name
    made = sorted(path.relative_to(exam) for path in exam.rglob("*.pdf"))
    assert len(made) == 2 * len(IDS) + 1
    assert made == sorted(path.relative_to(again) for path in again.rglob("*.pdf"))
    for path in made:
        assert (exam / path).read_bytes() == (again / path).read_bytes(), path


# what templates/sheets/_page.tex.j2 brackets each document's pages with, in short
PREAMBLE = r"""\documentclass{article}
\makeatletter\newcounter{pagesets}\newcommand{\pagecount}[1]{}
\newcommand{\closepages}{\clearpage\immediate\write\@auxout{%
\string\pagecount{\the\numexpr\value{page}-1\relax}}}
\makeatother
\pagestyle{empty}
\begin{document}
"""
BODY = "\\stepcounter{pagesets}\\setcounter{page}{1}\nText of NAME.\nEXTRA\n\\closepages\n"


def documents(folder, extras):
    sources = []
    for name, extra in extras:
        source = folder / f"{name}.tex"
        body = BODY.replace("NAME", name).replace("EXTRA", extra)
        source.write_text(PREAMBLE + body + "\\end{document}\n")
        sources.append(source)
    return sources


def test_a_batch_is_split_into_each_documents_own_pages(tmp_path):
    program = tool("pdflatex")
    extras = [("a", ""), ("b", "\\newpage more of b"), ("c", "")]
    batch = pdf.compile_batch(documents(tmp_path, extras), program)
    assert batch.pages == [1, 2, 1]
    assert [t.split() for t in pages(tmp_path / "b.pdf")] == [
        ["Text", "of", "b."],
        ["more", "of", "b"],
    ]
    assert [t.split() for t in pages(tmp_path / "c.pdf")] == [["Text", "of", "c."]]


def test_a_failure_in_a_batch_names_its_document_and_its_own_line(tmp_path):
    program = tool("pdflatex")
    sources = documents(tmp_path, [("a", ""), ("b", "fine\n\\nosuchmacro"), ("c", "")])
    with pytest.raises(FormatError) as raised:
        pdf.compile_batch(sources, program)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'b.tex'}: pdflatex failed: Undefined control sequence")
    assert "l.11 \\nosuchmacro" in message and "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tex", "b.tex", "c.tex"]


def test_a_sheet_that_fails_to_compile_is_one_line_naming_its_student(tmp_path, monkeypatch):
    tool("pdflatex")
    monkeypatch.setattr(spec, "refused_text", lambda text: None)  # as if it slipped past
    from generator.render import markup

    monkeypatch.setattr(markup, "refused", lambda tex: None)
    markup.to_latex.cache_clear()
    (tmp_path / "quiz.toml").write_text(
        "title = 'Quiz'\ninstructions = '$\\nosuchmacro$'\n"
        '[[questions]]\nfamily = "conv_params"\npoints = 2\n'
    )
    try:
        with pytest.raises(FormatError) as raised:
            generate_exam(
                spec.load(str(tmp_path / "quiz.toml")),
                "x",
                [Student("zoe_1"), Student("amy.b")],
                tmp_path / "out",
                formats=("tex", "pdf"),
            )
    finally:
        markup.to_latex.cache_clear()
    message = str(raised.value)
    assert "students/zoe_1/sheet.tex: pdflatex failed: Undefined control sequence" in message
    assert "\n" not in message and not list((tmp_path / "out").rglob("*.pdf"))


def test_compiling_reports_the_documents_done_after_each_batch(tmp_path, monkeypatch):
    tool("pdflatex")
    monkeypatch.setattr(pdf, "BATCH", 2)
    heard = []
    generate_exam(
        spec.load("convnet-shapes"),
        "x",
        [Student(f"s{n}") for n in range(3)],
        tmp_path,
        formats=("tex", "pdf"),
        compiling=lambda done, total: heard.append((done, total)),
    )
    # sheets in batches of 2 and 1, keys the same: four batches, whichever ends first
    assert heard[0] == (0, 6) and heard[-1] == (6, 6) and len(heard) == 5
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
