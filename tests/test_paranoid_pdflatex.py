"""pdflatex runs paranoid (``openin_any=p``, ``openout_any=p``, no shell escape) in a
temporary folder holding only the .tex it compiles: TeX that got past the formula subset
(tests/test_tex_safety.py) still reads no key beside a sheet and writes nothing anywhere."""

import tempfile

import pytest
from test_rendered_pages import pdf_text, tool

from generator.errors import FormatError
from generator.exam import spec
from generator.render import markup
from generator.render.pdf import compile_pdf

SECRET = "Xylophonesecret"  # one word: math mode spaces a hyphenated one apart

# Each file primitive as a spec's instructions would try it, reading a planted file by its
# absolute path (FILE) or another student's key beside the sheet, as the issue did.
# Those that test \ifeof first compile whether or not the file opened.
KEY = "../../instructor/keys/v002.tex"
GUARDED = r"$$\vbox{\newread\rr\openin\rr=FILE \ifeof\rr\else READ\fi}$$"
ATTACKS = {
    "input": r"$\input{FILE}$",
    "include": r"$\include{../../instructor/keys/v002}$",
    "as-the-issue-did": r"$$\vbox{\newread\rr\openin\rr=KEY \readline\rr to\x \x}$$",
    "openin-readline": GUARDED.replace("READ", r"\readline\rr to\x \x"),
    "openin-read": GUARDED.replace("READ", r"\read\rr to\x \x"),
    "openin-a-key": GUARDED.replace("READ", r"\readline\rr to\x \x").replace("FILE", "KEY"),
    "caret-escape": r"$^^5cinput{FILE}$",
    "verbatiminput": r"$\verbatiminput{FILE}$",
}


@pytest.fixture
def unchecked(monkeypatch):
    """The formula subset switched off, as if a command had slipped past it."""
    monkeypatch.setattr(spec, "refused_text", lambda text: None)
    monkeypatch.setattr(markup, "refused", lambda tex: None)
    markup.to_latex.cache_clear()
    yield
    markup.to_latex.cache_clear()


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_sheet_whose_spec_tries_a_file_primitive_prints_no_foreign_text(
    run, tmp_path, attack, unchecked
):
    tool("pdflatex")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    instructions = ATTACKS[attack].replace("FILE", str(secret)).replace("KEY", KEY)
    (tmp_path / "spec.toml").write_text(
        f"title = 'Attack'\ninstructions = '''{instructions}'''\n"
        '[[questions]]\nfamily = "conv_params"\npoints = 2\n'
    )
    result = run("generate", "spec.toml", "--variants", "2", "-s", "x", "--format", "pdf")
    # a primitive that cannot open its file either reads nothing or stops pdflatex
    pdfs = list(tmp_path.rglob("*.pdf"))
    assert result.exit_code == 0 or not pdfs, result.output
    for pdf in pdfs:
        text = pdf_text(pdf)
        assert SECRET not in "".join(text.split()), (attack, pdf)
        if "students" in pdf.parts or "print" in pdf.parts:  # print/sheets.pdf: every sheet
            assert "documentclass" not in text and "answer key" not in text, (attack, pdf)
    if attack.startswith("openin-"):
        assert result.exit_code == 0 and len(pdfs) == 5  # a file it cannot open is empty


@pytest.fixture
def lax_tex(monkeypatch):
    """A machine whose TeX lets pdflatex read and write anywhere: examgen must not rely on
    the distribution's defaults."""
    monkeypatch.setenv("openin_any", "a")
    monkeypatch.setenv("openout_any", "a")


def test_pdflatex_reads_nothing_outside_its_own_folder_and_leaves_nothing_beside(tmp_path, lax_tex):
    program = tool("pdflatex")
    sheet_folder = tmp_path / "students" / "v001"
    sheet_folder.mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("Outsidesecret\n")
    (sheet_folder / "beside.txt").write_text("Besidesecret\n")
    source = sheet_folder / "sheet.tex"
    reads = "".join(
        f"\\openin\\rr={path} \\ifeof\\rr closed\\else\\readline\\rr to\\x read \\x\\fi\\par\n"
        for path in (tmp_path / "outside.txt", "../../outside.txt", "beside.txt")
    )
    source.write_text(
        "\\documentclass{article}\\begin{document}\n\\newread\\rr\\newwrite\\ww\n"
        f"{reads}\\immediate\\openout\\ww=written.txt\\immediate\\write\\ww{{Written}}\n"
        "done\n\\end{document}\n"
    )
    text = "".join(pdf_text(compile_pdf(source, program)).split())
    assert "secret" not in text and text.count("closed") == 3 and "done" in text
    assert sorted(p.name for p in sheet_folder.iterdir()) == [
        "beside.txt",
        "sheet.pdf",
        "sheet.tex",
    ]


@pytest.mark.parametrize("where", ["absolute", "../../written.txt"])
def test_pdflatex_writing_outside_its_own_folder_stops_and_writes_nothing(tmp_path, where, lax_tex):
    program = tool("pdflatex")
    sheet_folder = tmp_path / "students" / "v001"
    sheet_folder.mkdir(parents=True)
    path = tmp_path / "written.txt" if where == "absolute" else where
    source = sheet_folder / "sheet.tex"
    source.write_text(
        "\\documentclass{article}\\begin{document}\\newwrite\\ww\n"
        f"\\immediate\\openout\\ww={path}\\immediate\\write\\ww{{Written}}\n"
        "done\\end{document}\n"
    )
    with pytest.raises(FormatError, match="pdflatex failed: I can't write on file"):
        compile_pdf(source, program)
    assert not list(tmp_path.rglob("written*"))
    assert [p.name for p in sheet_folder.iterdir()] == ["sheet.tex"]


def test_no_temporary_folder_to_compile_in_is_one_line_not_a_traceback(tmp_path, monkeypatch):
    program = tool("pdflatex")
    source = tmp_path / "sheet.tex"
    source.write_text("\\documentclass{article}\\begin{document}x\\end{document}\n")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    with pytest.raises(FormatError, match=r"sheet.tex: cannot compile it: No such file"):
        compile_pdf(source, program)
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.tex"]
