"""Pages as people see them: HTML in a real headless Chromium, LaTeX compiled to PDF and read
back with pdftotext. The tools come from Debian (chromium, texlive, poppler-utils); .ci/run
installs them and sets EXAMGEN_REQUIRE_TOOLS=1, so there a missing tool fails instead of
skipping."""

import json
import os
import re
import shutil
import subprocess
import unicodedata

import pytest

from generator.errors import FormatError

REQUIRED = os.environ.get("EXAMGEN_REQUIRE_TOOLS") == "1"

MATH_SPEC = """
title = "Losses & optimizers"

[[questions]]
family = "softmax_loss"
points = 4

[[questions]]
family = "hinge_loss"
points = 4

[[questions]]
family = "xavier_variance"
points = 3

[[questions]]
family = "l2_regularization"
points = 3

[[questions]]
family = "gradient_descent"
points = 3

[[questions]]
family = "network_table"
points = 6
"""


def every_family_spec() -> str:
    """An exam of one question of every family: every template and worked step typeset."""
    from generator import registry

    questions = "".join(
        f'\n[[questions]]\nfamily = "{name}"\npoints = 2\n' for name in registry.names()
    )
    return 'title = "Every family"\n' + questions


def tool(name):
    found = shutil.which(name)
    if found is None:
        if REQUIRED:
            pytest.fail(f"{name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return found


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(tmp_path, *args):
    program = tool("chromium")
    profile = tmp_path / "chromium-profile"
    command = [program, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def math_exam(run, tmp_path):
    (tmp_path / "math.toml").write_text(every_family_spec())
    result = run("generate", "math.toml", "-n", "1", "--seed", "pages", "--format", "html")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    return exam


def graded_feedback(run, math_exam, tmp_path):
    """The HTML feedback on the math exam's v001, answered with a known mistake's value
    where the key lists one and left blank elsewhere."""
    key = json.loads((math_exam / "instructor" / "key.json").read_text())
    (variant,) = key["variants"]
    answers = {
        q["id"]: {p["id"]: (p.get("mistakes") or [{"value": ""}])[0]["value"] for p in q["parts"]}
        for q in variant["questions"]
    }
    submission = json.loads((math_exam / "students/v001/submission.json").read_text())
    (tmp_path / "v001.json").write_text(json.dumps({**submission, "answers": answers}))
    out = tmp_path / "grades"
    key_file = str(math_exam / "instructor" / "key.json")
    result = run("grade", str(tmp_path / "v001.json"), "--key", key_file, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out / "feedback" / "v001.html"


@pytest.mark.parametrize(
    "page", ["students/v001/sheet.html", "instructor/keys/v001.html", "feedback"]
)
def test_every_formula_renders_in_chromium_without_a_katex_error(run, math_exam, tmp_path, page):
    path = graded_feedback(run, math_exam, tmp_path) if page == "feedback" else math_exam / page
    formulas = len(re.findall(r'class="math (?:inline|block)"', path.read_text()))
    assert formulas >= 10
    dom = chromium(tmp_path, "--dump-dom", path.as_uri())
    dom = re.sub(r"<script>.*?</script>", "", dom, flags=re.S)  # the answer form's KaTeX
    assert 'data-typeset="done"' in dom  # the page's script ran, KaTeX loaded from disk
    assert "katex-error" not in dom
    assert dom.count('class="katex"') == formulas
    shot = tmp_path / f"{path.stem}.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", path.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("EXAMGEN_SCREENSHOTS")
    if keep:  # for a person to look at
        shutil.copy(shot, os.path.join(keep, f"{path.parent.name}-{shot.name}"))


TABLE_LAYOUT_CHECK = """<script>
const wrong = [...document.querySelectorAll("tr, td, th")].filter((e) =>
  getComputedStyle(e).display !== (e.tagName === "TR" ? "table-row" : "table-cell"));
document.body.dataset.misplaced = wrong.map((e) => `${e.tagName}.${e.className}`).join(" ");
</script>"""


@pytest.mark.parametrize(
    "page", ["students/v001/sheet.html", "instructor/keys/v001.html", "feedback"]
)
def test_every_table_row_and_cell_lays_out_as_a_table(run, math_exam, tmp_path, page):
    """A class name shared by a page style and a table row (the sheet's answer box and the
    feedback's blank row were both `blank`) once pulled rows out of their table."""
    path = graded_feedback(run, math_exam, tmp_path) if page == "feedback" else math_exam / page
    checked = path.with_name("layout-check.html")
    checked.write_text(path.read_text().replace("</body>", TABLE_LAYOUT_CHECK + "</body>"))
    dom = chromium(tmp_path, "--dump-dom", checked.as_uri())
    assert 'data-misplaced=""' in dom, re.search(r'data-misplaced="[^"]*"', dom)


def test_a_katex_error_would_be_seen(tmp_path, math_exam):
    """The check above can fail: a formula KaTeX cannot parse leaves a katex-error."""
    page = math_exam / "students" / "v001" / "sheet.html"
    broken = page.with_name("broken.html")
    broken.write_text(
        page.read_text().replace('class="math inline">', 'class="math inline">\\frac{', 1)
    )
    assert "katex-error" in chromium(tmp_path, "--dump-dom", broken.as_uri())


def pdf_text(path):
    done = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_an_exam_and_its_key_compile_to_pdfs_with_the_right_text(run, tmp_path):
    tool("pdflatex")
    (tmp_path / "math.toml").write_text(MATH_SPEC)
    (tmp_path / "roster.csv").write_text('id,name\ns1,"Ada & Co 100% of_it"\n')
    result = run("generate", "math.toml", "--roster", "roster.csv", "--seed", "pdf", "--pdf")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    sheet = pdf_text(exam / "students" / "s1" / "sheet.pdf")
    key = pdf_text(exam / "instructor" / "keys" / "s1.pdf")
    assert "Losses & optimizers" in sheet and "Ada & Co 100% of_it" in sheet
    assert "Name:" in sheet and "Student id: s1" in sheet
    assert "(4 points)" in sheet and "Worked solution" not in sheet
    assert "answer key" in key and "Worked solution" in key
    assert not [p for p in exam.rglob("*") if p.suffix in (".aux", ".log")]
    # the same key gives the same PDF bytes
    again = run("generate", "math.toml", "--roster", "roster.csv", "--seed", "pdf", "--pdf",
                "--out", "again")  # fmt: skip
    assert again.exit_code == 0
    (copy,) = (tmp_path / "again").iterdir()
    assert (copy / "students" / "s1" / "sheet.pdf").read_bytes() == (
        exam / "students" / "s1" / "sheet.pdf"
    ).read_bytes()


NAMES = ["Kurt Gödel", "Łukasz Żółw", "Erdős Pál", "Søren Straße", "Jiří Íñiguez", "Nguyễn Thị"]


def test_names_with_diacritics_print_on_the_pdf_sheet_and_key(run, tmp_path):
    tool("pdflatex")
    rows = "".join(f"s{n},{name}\n" for n, name in enumerate(NAMES, 1))
    (tmp_path / "roster.csv").write_text("id,name\n" + rows, encoding="utf-8")
    (tmp_path / "quiz.toml").write_text(
        'title = "Prüfung: Übung für Anfänger"\n[[questions]]\nfamily = "conv_params"\n'
        "points = 2\n",
        encoding="utf-8",
    )
    result = run("generate", "quiz.toml", "--roster", "roster.csv", "-s", "é", "--pdf")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    assert exam.name.startswith("prufung-ubung-fur-anfanger-")
    # pdftotext reads an accent set on its letter back as the letter, a stacked one (ễ)
    # decomposed, and a dot below (ị) apart from its letter
    for n, name in enumerate(NAMES[:-1], 1):
        sheet = unicodedata.normalize("NFC", pdf_text(exam / "students" / f"s{n}" / "sheet.pdf"))
        assert f"Name: {name}" in sheet and "Prüfung: Übung für Anfänger" in sheet
        assert f"({name})" in pdf_text(exam / "instructor" / "keys" / f"s{n}.pdf")
    sheet = unicodedata.normalize("NFC", pdf_text(exam / "students" / "s6" / "sheet.pdf"))
    assert "Name: Nguyễn Th" in sheet


A4_TEXT_RIGHT = 595.28 - 18 / 25.4 * 72  # points: the page's width less its 18 mm margin


def test_a_long_name_and_id_stay_inside_their_boxes_on_pdf_and_html_pages(run, tmp_path):
    tool("pdflatex")
    long_id = "a" * 64  # the longest id a roster may hold, with nowhere to break
    (tmp_path / "roster.csv").write_text(f"id,name\ns1,{'A' * 200}\n{long_id},Bob\n")
    result = run("generate", "--roster", "roster.csv", "-s", "x", "--format", "html,pdf")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    pdfs = [exam / "students" / sid / "sheet.pdf" for sid in ("s1", long_id)]
    pdfs += [exam / "instructor" / "keys" / f"{sid}.pdf" for sid in ("s1", long_id)]
    for pdf in pdfs:
        done = subprocess.run(
            [tool("pdftotext"), "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', done.stdout))
        assert right <= A4_TEXT_RIGHT + 1, (pdf.name, right)
    from test_selfcheck_page import Browser  # here: that module imports this one

    browser = Browser(tmp_path)
    try:
        for sid in ("s1", long_id):
            browser.open((exam / "students" / sid / "sheet.html").as_uri())
            browser.wait_for("document.readyState === 'complete'")
            assert browser.evaluate(
                "[...document.querySelectorAll('.identity div')].every(box =>"
                " box.scrollWidth <= box.clientWidth"
                " && box.getBoundingClientRect().right <= document.body.clientWidth)"
            ), sid
    finally:
        browser.close()


def test_pdf_without_latex_says_what_to_install_and_writes_nothing(run, tmp_path, monkeypatch):
    import generator.render.pdf

    monkeypatch.setattr(generator.render.pdf.shutil, "which", lambda name: None)
    result = run("generate", "-n", "1", "--seed", "x", "--format", "pdf")
    assert result.exit_code == 2
    assert "needs pdflatex" in result.output and "apt install" in result.output
    assert not (tmp_path / "output").exists()


def test_a_latex_failure_names_the_file_and_the_error(tmp_path):
    from generator.render.pdf import compile_pdf

    program = tool("pdflatex")
    source = tmp_path / "broken.tex"
    source.write_text("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}\n")
    with pytest.raises(FormatError, match=r"broken.tex: pdflatex failed: Undefined control"):
        compile_pdf(source, program)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.tex"]


# What a formula left outside math mode prints in a PDF: a circumflex accent for ^, an
# underscore after a one-letter name for _ (s_j, n_in). Part ids (d_x, grad_W) are code
# and are taken out first.
STRAY_MARKS = re.compile(r"\u02c6|\^|(?<![\w.])[A-Za-z]_")


def test_no_pdf_prints_a_formula_as_text(run, tmp_path):
    tool("pdflatex")
    (tmp_path / "every.toml").write_text(every_family_spec())
    result = run("generate", "every.toml", "-n", "1", "--seed", "marks", "--format", "pdf")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    ids = {part["id"] for q in key["variants"][0]["questions"] for part in q["parts"]}
    code = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for pdf in (
        exam / "students" / "v001" / "sheet.pdf",
        exam / "instructor" / "keys" / "v001.pdf",
    ):
        text = pdf_text(pdf)
        assert "Worked solution" in text or "Name:" in text
        stray = [line for line in text.splitlines() if STRAY_MARKS.search(code.sub("", line))]
        assert not stray, (pdf.name, stray[:5])


def test_a_formula_printed_as_text_would_be_caught():
    assert STRAY_MARKS.search("p_k = e\u02c6(s_k)") and STRAY_MARKS.search("n_in inputs")
    assert not STRAY_MARKS.search("[grad_W]: [1, 2; 3, 4] and row1.shape")


def pdf_pages(path):
    done = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)[1])


def test_the_default_exam_prints_on_eight_pages_and_its_key_on_twelve(run, tmp_path):
    tool("pdflatex")
    result = run("generate", "-n", "4", "--seed", "paper", "--format", "pdf")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    for student in ("v001", "v002", "v003", "v004"):
        assert pdf_pages(exam / "students" / student / "sheet.pdf") <= 8, student
        assert pdf_pages(exam / "instructor" / "keys" / f"{student}.pdf") <= 12, student


@pytest.mark.parametrize("empty", [{}, False, [], "", 0, None])
def test_an_empty_choice_in_a_hand_edited_key_reads_as_no_choice(empty):
    """The templates show a multiple choice's options only where ``choice`` holds some, as
    they always did: a hand-edited key's empty one is no choice, not a traceback."""
    from generator.exam import spec
    from generator.exam.assemble import Student, assemble
    from generator.render.pages import rendered_questions

    key = assemble(spec.load("midterm-3-3"), "empty", [Student("v001")])
    variant = key["variants"][0]
    question = next(q for q in variant["questions"] if "choice" not in q)
    plain = rendered_questions(key, variant)
    question["choice"] = empty
    edited = rendered_questions(key, variant)
    assert [q["text_html"] for q in edited] == [q["text_html"] for q in plain]
