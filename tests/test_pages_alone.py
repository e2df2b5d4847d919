"""Every HTML page a student gets works when it travels alone: the sheet (the answer form),
a key posted after the exam, a feedback page sent to one student, a practice set, its
solutions and its self-check page. Each is copied alone into an empty folder and opened in
headless Chromium: its formulas are typeset (no TeX source left on the page) and it names no
other file to load."""

import json
import re
import shutil
import subprocess

import pytest
from conftest import assert_carries_katex, at_phone_width

PAGES = [
    "sheet",
    "key",
    "feedback",
    "practice.html",
    "solutions.html",
    "self-check.html",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The pages, each as written: an exam with formulas, a graded submission's feedback and
    a practice set."""
    from click.testing import CliRunner

    from generator.cli import grade_main, main

    root = tmp_path_factory.mktemp("pages")
    runner = CliRunner()
    out = root / "exams"
    args = ["generate", "losses-and-gradients", "-n", "1", "-s", "alone", "--format", "html"]
    done = runner.invoke(main, [*args, "-o", str(out)])
    assert done.exit_code == 0, done.output
    (exam,) = out.iterdir()
    submission = json.loads((exam / "students" / "v001" / "submission.json").read_text())
    path = root / "submission.json"
    path.write_text(json.dumps(submission))
    key = exam / "instructor" / "key.json"
    done = runner.invoke(grade_main, [str(path), "--key", str(key), "--out", str(root / "grades")])
    assert done.exit_code == 0, done.output
    practice = root / "practice"
    args = ["practice", "--family", "softmax_loss", "--count", "2", "--format", "html"]
    done = runner.invoke(main, [*args, "-o", str(practice)])
    assert done.exit_code == 0, done.output
    (practice_set,) = practice.iterdir()
    pages = {
        "sheet": exam / "students" / "v001" / "sheet.html",
        "key": exam / "instructor" / "keys" / "v001.html",
        "feedback": root / "grades" / "feedback" / "v001.html",
    }
    pages.update({name: practice_set / name for name in PAGES[3:]})
    return pages


@pytest.mark.parametrize("name", PAGES)
def test_a_page_carries_katex_itself_where_it_was_rendered_with_its_mark(folder, name):
    assert_carries_katex(folder[name].read_text())


def _without_scripts(html: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)


@pytest.mark.parametrize("name", PAGES)
def test_a_page_copied_alone_names_no_other_file_to_load(folder, name):
    html = _without_scripts(folder[name].read_text())
    assert not re.search(r"<link\b", html)
    assert not re.search(r"\bsrc=", html)
    assert not re.search(r"<script\b[^>]*\bsrc=", folder[name].read_text())
    assert not re.search(r"url\(", html)  # no stylesheet font or picture either


@pytest.mark.parametrize("name", PAGES)
def test_a_page_copied_alone_typesets_every_formula_in_chromium(folder, name, tmp_path):
    program = shutil.which("chromium")
    if program is None:
        pytest.skip("chromium is not installed")
    alone = tmp_path / "alone"
    alone.mkdir()
    page = alone / "page.html"
    shutil.copy(folder[name], page)
    formulas = len(re.findall(r'class="math (?:inline|block)"', page.read_text()))
    if name != "self-check.html":  # its formulas are in the solutions, opened on request
        assert formulas >= 1, name
    done = subprocess.run(
        [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = _without_scripts(done.stdout)
    assert 'data-typeset="done"' in dom, done.stderr[-2000:]
    assert "katex-error" not in dom
    assert dom.count('class="katex"') == formulas  # each formula drawn, none left as TeX
    assert list(alone.iterdir()) == [page]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_on_a_390_pixel_phone(folder, name, tmp_path):
    """Long worked equations and wide tables scroll by themselves: MathML breaks no line, and
    a page a student has to pan across loses the end of every such line."""
    measured = at_phone_width(folder[name].read_text(), tmp_path)
    assert measured["width"] == 390 and measured["scroll_width"] <= 390, (name, measured)
    # a matrix key in a feedback row stays a matrix: its cells are not labelled as the row's
    assert measured["cell_labels"] == []
    if name == "feedback":
        assert measured["cells"] > 0  # the hinge loss's gradient key is such a matrix
