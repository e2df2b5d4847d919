"""Sheets and keys in every format, made from the manifest alone: HTML with KaTeX, LaTeX and
PDF, Moodle XML and Canvas QTI, each parsed back and checked against the key."""

import io
import json
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction

import pytest
from conftest import assert_no_key_in
from hypothesis import given, settings
from hypothesis import strategies as st
from lms_rules import cloze_boxes

from generator.answers.types import answer_type_from_json
from generator.errors import FormatError
from generator.exam_folder.formats import parse_formats
from generator.render.markup import LatexError, escape_latex, to_html, to_latex

HOSTILE = '<b>Ann & "Bo"</b> 100%_x\\y #1 {z} ~ ^ $5'

SPEC = """
title = "Quiz <1> & 50% of_all \\\\ #"
instructions = "Read $\\\\sigma(x)$ carefully: 5 < 6 & 100% of_marks."

[[questions]]
family = "concept_tf"
points = 2
rubric = { wrong = 0 }

[[questions]]
family = "concept_tf"
points = 2

[[questions]]
family = "conv_params"
points = 4
format = "choice"

[[questions]]
family = "softmax_loss"
points = 4

[[questions]]
family = "conv_output_size"
points = 2

[[questions]]
family = "network_table"
points = 6

[[questions]]
family = "xavier_variance"
points = 3
"""


@pytest.fixture
def quiz(run, tmp_path):
    """A small exam of every answer kind, with hostile text in the title, instructions and a
    student's name, written in every format but pdf."""
    (tmp_path / "quiz.toml").write_text(SPEC)
    (tmp_path / "roster.csv").write_text(
        f'id,name\ns1,"{HOSTILE.replace(chr(34), 2 * chr(34))}"\ns2,\n'
    )
    result = run(
        "generate", "quiz.toml", "--roster", "roster.csv", "--seed", "fmt",
        "--format", "md,html,tex,moodle,qti",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    return exam, json.loads((exam / "instructor" / "key.json").read_text())


def test_formats_are_parsed_in_a_fixed_order_and_pdf_brings_its_latex():
    assert parse_formats("qti, MD,pdf") == ("md", "tex", "pdf", "qti")
    with pytest.raises(FormatError, match="unknown format 'docx'"):
        parse_formats("md,docx")


def test_generate_writes_each_format_where_the_layout_says(quiz):
    exam, _key = quiz
    for student in ("s1", "s2"):
        for suffix in ("md", "html", "tex"):
            assert (exam / "students" / student / f"sheet.{suffix}").is_file()
            assert (exam / "instructor" / "keys" / f"{student}.{suffix}").is_file()
    assert not (exam / "assets").exists()  # every page carries KaTeX inside it
    assert (exam / "instructor" / "moodle.xml").is_file()
    assert zipfile.is_zipfile(exam / "instructor" / "canvas-qti.zip")


def test_generate_refuses_an_unknown_format_before_any_work(run, tmp_path):
    result = run("generate", "--format", "md,docx")
    assert result.exit_code == 2 and "unknown format 'docx'" in result.output
    assert not (tmp_path / "output").exists()


def test_html_pages_link_the_shipped_katex_and_never_a_network(quiz):
    exam, _key = quiz
    for page in [*exam.glob("students/*/sheet.html"), *exam.glob("instructor/keys/*.html")]:
        html = page.read_text()
        # the answer form carries KaTeX inside it, whose MathML namespace is an http:// name
        # it never fetches (tests/test_answer_form.py watches every request the form makes)
        html = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
        assert "http://" not in html and "https://" not in html and "//cdn" not in html
        for link in re.findall(r'(?:href|src)="([^"]+)"', html):
            if link.startswith("#"):  # a key's answer table links its questions below
                assert f'id="{link[1:]}"' in html, link
            else:
                assert (page.parent / link).resolve().is_file(), link
        assert 'class="math inline"' in html


def test_special_characters_are_escaped_in_every_html_page(quiz):
    exam, _key = quiz
    sheet = (exam / "students" / "s1" / "sheet.html").read_text()
    assert "<b>Ann" not in sheet
    assert (
        "&lt;b&gt;Ann &amp; &#34;Bo&#34;&lt;/b&gt;" in sheet
        or "&lt;b&gt;Ann &amp; &quot;Bo&quot;" in sheet
    )
    assert "Quiz &lt;1&gt; &amp; 50% of_all" in sheet
    assert "5 &lt; 6 &amp; 100% of_marks" in sheet


def test_special_characters_are_escaped_in_latex(quiz):
    exam, _key = quiz
    tex = (exam / "students" / "s1" / "sheet.tex").read_text()
    assert r"\textless{}b\textgreater{}Ann \& " in tex
    assert r"100\%\_x\textbackslash{}y \#1 \{z\} \textasciitilde{} \textasciicircum{} \$5" in tex
    assert r"Quiz \textless{}1\textgreater{} \& 50\% of\_all \textbackslash{} \#" in tex
    assert r"Read $\sigma(x)$ carefully" in tex


def test_exam_sheets_in_every_format_carry_no_key(quiz):
    exam, key = quiz
    for variant in key["variants"]:
        folder = exam / "students" / variant["student_id"]
        text = "".join(p.read_text() for p in folder.glob("sheet.*"))
        assert "Worked solution" not in text
        assert_no_key_in(text, variant)


def test_markdown_becomes_latex_with_tables_lists_code_and_math():
    text = (
        "A *b* **c** `d_e` $x^2_{i}$ 5% & _\n\n| a | b |\n|---|---|\n| 1 | `2` |\n\n- one\n- two\n"
    )
    latex = to_latex(text)
    assert r"A \emph{b} \textbf{c} \texttt{d\_e} $x^2_{i}$ 5\% \& \_" in latex
    assert "\\begin{tabular}{|l|l|}" in latex and "1 & \\texttt{2} \\\\" in latex
    assert "\\begin{itemize}\n\\item one\n\\item two\n\\end{itemize}" in latex


def test_latex_refuses_a_character_it_cannot_typeset():
    assert escape_latex("∂L/∂x −1 ≤ 2") == "∂L/∂x −1 ≤ 2"
    with pytest.raises(LatexError, match="U\\+263A"):
        escape_latex("☺")


def test_latin_letters_with_diacritics_become_latex_accents():
    assert escape_latex("Gödel") == 'G\\"{o}del'
    assert escape_latex("Erdős Straße Łódź") == "Erd\\H{o}s Stra\\ss{}e \\L{}\\'{o}d\\'{z}"
    assert escape_latex("Nguyễn Jiří") == "Nguy\\~{\\^{e}}n Ji\\v{r}\\'{\\i}"
    # a name typed decomposed (o and U+0308), as a Mac may keep it, is the same name
    assert escape_latex("Go\u0308del") == escape_latex("Gödel")
    for other_script in ("Иван", "李", "Ἀθῆναι"):
        with pytest.raises(LatexError):
            escape_latex(other_script)


def test_a_name_latex_cannot_print_stops_a_pdf_run_naming_the_roster_row(run, tmp_path):
    (tmp_path / "roster.csv").write_text("id,name\ns1,Ada\ns2,Иван Петров\n", encoding="utf-8")
    result = run("generate", "--roster", "roster.csv", "-s", "x", "--format", "md,tex")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: roster.csv: student s2: name: 'Иван Петров' holds 'И' (U+0418), which pdflatex "
        "cannot print: write it in Latin letters, or leave tex and pdf out of --format"
    ]
    assert not (tmp_path / "output").exists()
    # the same roster in Markdown and HTML is fine
    result = run("generate", "--roster", "roster.csv", "-s", "x", "--format", "md,html")
    assert result.exit_code == 0, result.output


def test_a_title_latex_cannot_print_stops_generate_and_export_before_writing(run, tmp_path):
    (tmp_path / "quiz.toml").write_text(
        'title = "Quiz ☺"\n[[questions]]\nfamily = "conv_params"\npoints = 2\n',
        encoding="utf-8",
    )
    result = run("generate", "quiz.toml", "-n", "1", "-s", "x", "--format", "tex")
    assert result.exit_code == 2
    assert "quiz.toml: title: 'Quiz ☺' holds '☺' (U+263A)" in result.output
    assert not (tmp_path / "output").exists()
    result = run("generate", "quiz.toml", "-n", "1", "-s", "x", "--format", "md")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    result = run("export", str(exam), "--format", "tex")
    assert result.exit_code == 2
    assert "key.json: title: 'Quiz ☺' holds '☺'" in result.output
    assert not list(exam.rglob("*.tex"))


def test_raw_html_in_markdown_is_escaped_not_rendered():
    assert "<script>" not in to_html("<script>alert(1)</script> and $x<y$")
    assert '<span class="math inline">x&lt;y</span>' in to_html("$x<y$")


def test_every_family_renders_to_latex_with_declared_characters_only(run, tmp_path):
    from generator.registry import names

    families = names()
    lines = "".join(f'\n[[questions]]\nfamily = "{name}"\npoints = 1\n' for name in families)
    (tmp_path / "all.toml").write_text(f'title = "All"\n{lines}')
    result = run("generate", "all.toml", "-n", "4", "--seed", "tex", "--format", "tex")
    assert result.exit_code == 0, result.output


# --- Moodle XML -----------------------------------------------------------------------------


def moodle_questions(exam):
    root = ET.parse(exam / "instructor" / "moodle.xml").getroot()
    assert root.tag == "quiz"
    category, found = None, {}
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.find("category/text").text
            found[category] = []
            continue
        assert (
            question.find("name/text").text
            and question.find("questiontext").get("format") == "html"
        )
        found[category].append(question)
    return found


def test_moodle_has_a_category_per_question_with_its_variants(quiz):
    exam, key = quiz
    found = moodle_questions(exam)
    title = key["title"]
    assert list(found) == [
        f"$course$/top/{title}/{q['id']}. {q['title']}" for q in key["questions"]
    ]
    for (_, questions), info in zip(found.items(), key["questions"], strict=True):
        assert 1 <= len(questions) <= len(key["variants"])
        assert {q.find("defaultgrade").text for q in questions} == {str(info["points"])}


def test_moodle_types_and_fractions_follow_the_rubric(quiz):
    exam, _key = quiz
    found = list(moodle_questions(exam).values())
    lenient, strict, choice, softmax, size, table, xavier = found
    assert {q.get("type") for q in lenient} == {"truefalse"}
    for question in strict:  # a wrong answer costs half: Moodle's truefalse cannot
        assert question.get("type") == "multichoice" and question.find("single").text == "true"
        assert sorted(a.get("fraction") for a in question.findall("answer")) == ["-50", "100"]
    for question in choice:
        assert question.get("type") == "multichoice" and question.find("single").text == "false"
        fractions = [float(a.get("fraction")) for a in question.findall("answer")]
        assert math.isclose(sum(f for f in fractions if f > 0), 100, abs_tol=1e-3)
        assert all(f == -50 for f in fractions if f <= 0)
    assert {q.get("type") for q in size} == {"shortanswer"}
    assert {q.get("type") for q in softmax + table + xavier} == {"cloze"}


CLOZE = re.compile(r"\{(\d+):(NUMERICAL|SHORTANSWER|MULTICHOICE|MULTIRESPONSE):([^{}]*)\}")


def test_every_moodle_key_round_trips_with_examgens_tolerance(quiz):
    """Each variant's keys, read back from the cloze and short answers, equal the manifest's;
    each numerical tolerance covers examgen's bound and no more than a millionth beyond it."""
    exam, key = quiz
    found = list(moodle_questions(exam).values())
    for index in (3, 5, 6):  # softmax, network table, xavier: cloze questions
        texts = [q.find("questiontext/text").text for q in found[index]]
        info = key["questions"][index]
        for variant in key["variants"]:
            question = next(q for q in variant["questions"] if q["id"] == info["id"])
            expected = []
            for part in question["parts"]:
                answer_type = answer_type_from_json(part["type"])
                values = part["key"]
                if part["type"]["kind"] == "matrix" and answer_type.rows is not None:
                    values = [v for row in values for v in row]
                expected += [
                    (answer_type, v) for v in (values if isinstance(values, list) else [values])
                ]
            matches = [
                m for text in texts for m in [CLOZE.findall(text)] if len(m) == len(expected)
            ]
            assert matches, info["id"]
            ok = False
            for boxes in matches:
                ok = ok or all(
                    _cloze_agrees(box, t, v) for box, (t, v) in zip(boxes, expected, strict=True)
                )
            assert ok, (info["id"], variant["variant_id"])


def _cloze_agrees(box, answer_type, value):
    _weight, kind, body = box
    if kind == "NUMERICAL":
        number, tol = body.removeprefix("=").split(":")
        bound = (
            max(answer_type.atol, answer_type.rtol * abs(float(value)))
            if answer_type.kind != "integer"
            else 0
        )
        return float(number) == float(value) and bound <= float(tol) <= bound * (1 + 2e-6) + 1e-12
    return f"={value}" in body.split("~")


# --- Canvas QTI 1.2 ------------------------------------------------------------------------

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
TYPES = {
    "numerical_question",
    "true_false_question",
    "multiple_answers_question",
    "short_answer_question",
    "fill_in_multiple_blanks_question",
}


def qti(exam):
    archive = zipfile.ZipFile(exam / "instructor" / "canvas-qti.zip")
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    cp = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
    (resource,) = manifest.iter(f"{cp}resource")
    assert resource.get("type") == "imsqti_xmlv1p2"
    href = resource.find(f"{cp}file").get("href")
    return ET.fromstring(archive.read(href))


def test_qti_has_the_structure_qti_1_2_requires(quiz):
    exam, key = quiz
    root = qti(exam)
    assert root.tag == f"{QTI}questestinterop"
    (assessment,) = root.findall(f"{QTI}assessment")
    assert assessment.get("ident") and assessment.get("title") == key["title"]
    (top,) = assessment.findall(f"{QTI}section")
    groups = top.findall(f"{QTI}section")
    assert len(groups) == len(key["questions"])
    idents = set()
    for group, info in zip(groups, key["questions"], strict=True):
        selection = group.find(f"{QTI}selection_ordering/{QTI}selection")
        assert selection.find(f"{QTI}selection_number").text == "1"
        assert selection.find(f"{QTI}selection_extension/{QTI}points_per_item").text == str(
            info["points"]
        )
        for item in group.findall(f"{QTI}item"):
            assert item.get("ident") not in idents
            idents.add(item.get("ident"))
            fields = {
                f.find(f"{QTI}fieldlabel").text: f.find(f"{QTI}fieldentry").text
                for f in item.iter(f"{QTI}qtimetadatafield")
            }
            assert fields["question_type"] in TYPES
            presentation = item.find(f"{QTI}presentation")
            assert presentation.find(f"{QTI}material/{QTI}mattext").get("texttype") == "text/html"
            responses = [
                e for e in presentation if e.tag in (f"{QTI}response_lid", f"{QTI}response_str")
            ]
            assert responses and all(r.get("ident") for r in responses)
            processing = item.find(f"{QTI}resprocessing")
            assert processing.find(f"{QTI}outcomes/{QTI}decvar").get("varname") == "SCORE"
            for condition in processing.findall(f"{QTI}respcondition"):
                assert condition.find(f"{QTI}conditionvar") is not None
                assert condition.find(f"{QTI}setvar").get("varname") == "SCORE"


def test_qti_numerical_ranges_and_true_false_keys_match_the_manifest(quiz):
    exam, key = quiz
    groups = qti(exam).find(f"{QTI}assessment/{QTI}section").findall(f"{QTI}section")
    tf_items = groups[0].findall(f"{QTI}item")
    keys = {
        next(q for q in v["questions"] if q["id"] == "q1")["parts"][0]["key"]
        for v in key["variants"]
    }
    chosen = set()
    for item in tf_items:
        labels = {
            label.get("ident"): label.find(f"{QTI}material/{QTI}mattext").text
            for label in item.iter(f"{QTI}response_label")
        }
        right = item.find(
            f"{QTI}resprocessing/{QTI}respcondition/{QTI}conditionvar/{QTI}varequal"
        ).text
        chosen.add(labels[right] == "<p>True</p>" or labels[right] == "True")
    assert chosen == keys


def test_same_key_gives_byte_identical_moodle_and_qti(run, tmp_path, quiz):
    exam, _key = quiz
    again = run("export", str(exam), "--format", "moodle,qti", "--force")
    assert again.exit_code == 0, again.output
    before = {p: (exam / "instructor" / p).read_bytes() for p in ("moodle.xml", "canvas-qti.zip")}
    run("export", str(exam), "--format", "moodle,qti", "--force")
    assert before == {p: (exam / "instructor" / p).read_bytes() for p in before}


# --- export -----------------------------------------------------------------------------------


def test_export_adds_formats_to_an_exam_generated_earlier(run, exam):
    assert not (exam / "students" / "v001" / "sheet.html").exists()
    result = run("export", str(exam), "--format", "html,moodle")
    assert result.exit_code == 0, result.output
    assert (exam / "students" / "v001" / "sheet.html").is_file()
    assert (exam / "instructor" / "moodle.xml").is_file()
    assert not [p for p in exam.iterdir() if p.name.startswith(".export-")]


def test_export_never_overwrites_without_force(run, exam):
    run("export", str(exam), "--format", "html")
    result = run("export", str(exam), "--format", "html")
    assert (
        result.exit_code == 2 and "already exists" in result.output and "--force" in result.output
    )
    assert run("export", str(exam), "--format", "html", "--force").exit_code == 0


def test_export_of_a_folder_that_is_not_an_exam_says_so(run, tmp_path):
    result = run("export", str(tmp_path), "--format", "html")
    assert result.exit_code == 2 and "key.json" in result.output
    assert "Traceback" not in result.output


def test_moodle_cloze_answers_reach_moodle_as_examgen_wrote_them():
    """Moodle's cloze parser decodes HTML entities and unescapes only \\} and \\#
    (qtype_multianswer_extract_question), so those two take a backslash and the rest are
    entities: a backslash before ~, / or " would stay in the answer and never match."""
    from generator.exports.moodle import cloze_escape

    assert cloze_escape('a}b#c~d/e"f\\g&h') == 'a\\}b\\#c&#126;d/e"f&#92;g&amp;h'


def test_moodle_tolerance_never_narrows_examgens_bound():
    from generator.answers.types import Real
    from generator.exports.moodle import tolerance

    for key in (1, 0.3, 123.456, 1e-7, -2.5):
        bound = max(Fraction("1e-4"), Fraction("0.01") * abs(Fraction(repr(float(key)))))
        assert Fraction(tolerance(Real(), key)) >= bound * Fraction(1 - 1e-12)


def test_qti_zip_is_a_valid_zip_with_fixed_timestamps(quiz):
    exam, _key = quiz
    archive = zipfile.ZipFile(io.BytesIO((exam / "instructor" / "canvas-qti.zip").read_bytes()))
    assert archive.testzip() is None
    assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def test_pages_are_written_from_the_manifest_alone(run, exam, tmp_path):
    """An exam copied elsewhere without its templates' inputs (only key.json) still exports."""
    import shutil

    copy = tmp_path / "copy"
    (copy / "instructor").mkdir(parents=True)
    shutil.copy(exam / "instructor" / "key.json", copy / "instructor" / "key.json")
    result = run("export", str(copy), "--format", "md,html,tex")
    assert result.exit_code == 0, result.output
    assert (copy / "students" / "v001" / "sheet.md").read_text() == (
        exam / "students" / "v001" / "sheet.md"
    ).read_text()


# --- every key of the default exam, read back from Moodle and Canvas ------------------------


@pytest.fixture(scope="module")
def default_exam(tmp_path_factory):
    from click.testing import CliRunner

    from generator.cli import main

    out = tmp_path_factory.mktemp("default")
    result = CliRunner().invoke(
        main, ["generate", "-n", "4", "--seed", "rt", "--out", str(out), "--format", "moodle,qti"]
    )
    assert result.exit_code == 0, result.output
    (exam,) = out.iterdir()
    return exam, json.loads((exam / "instructor" / "key.json").read_text())


def expected_keys(question):
    """A variant question's keys as comparable tokens, from the manifest."""
    tokens = []
    for part in question["parts"]:
        answer_type = answer_type_from_json(part["type"])
        kind, key = answer_type.kind, part["key"]
        if kind in ("integer", "real"):
            tokens.append(float(key))
        elif kind == "matrix":
            rows = [key] if answer_type.rows is None else key
            tokens += [float(v) for row in rows for v in row]
        elif kind == "truefalse":
            tokens.append(bool(key))
        elif kind == "multiselect":
            tokens.append("".join(sorted(key)))
        else:
            tokens.append(answer_type.format(answer_type.read_key(key)))
    return tuple(tokens)


def moodle_keys(question):
    """The keys a Moodle question grades against, read from its XML alone."""
    kind = question.get("type")
    answers = question.findall("answer")
    if kind == "numerical":
        return (float(answers[0].find("text").text),)
    if kind == "truefalse":
        (right,) = [a for a in answers if a.get("fraction") == "100"]
        return (right.find("text").text == "true",)
    if kind == "multichoice" and question.find("single").text == "true":
        (right,) = [a for a in answers if a.get("fraction") == "100"]
        return (right.find("text").text == "True",)
    if kind == "multichoice":
        correct = [float(a.get("fraction")) > 0 for a in answers]
        return ("".join(L for L, right in zip("ABCDEFGHIJ", correct, strict=False) if right),)
    if kind == "shortanswer":
        return (answers[0].find("text").text.replace("\\*", "*"),)
    tokens = []
    for _weight, sub, alternatives in cloze_boxes(question):  # as Moodle's parser reads them
        first = alternatives[0][1]
        if sub == "NUMERICAL":
            tokens.append(float(first.split(":")[0]))
        elif sub == "MULTICHOICE":
            tokens.append(first == "True")
        else:
            tokens.append(first.replace("\\*", "*"))
    return tuple(tokens)


def test_every_moodle_key_of_the_default_exam_round_trips(default_exam):
    exam, key = default_exam
    found = list(moodle_questions(exam).values())
    for questions, info in zip(found, key["questions"], strict=True):
        expected = {
            expected_keys(next(q for q in v["questions"] if q["id"] == info["id"]))
            for v in key["variants"]
        }
        assert {moodle_keys(q) for q in questions} == expected, info["id"]


def qti_keys(item):
    fields = {
        f.find(f"{QTI}fieldlabel").text: f.find(f"{QTI}fieldentry").text
        for f in item.iter(f"{QTI}qtimetadatafield")
    }
    kind = fields["question_type"]
    labels = {
        label.get("ident"): label.find(f"{QTI}material/{QTI}mattext").text
        for label in item.iter(f"{QTI}response_label")
        if label.find(f"{QTI}material") is not None
    }
    conditions = item.find(f"{QTI}resprocessing").findall(f"{QTI}respcondition")
    first = conditions[0].find(f"{QTI}conditionvar")
    if kind == "numerical_question":
        return (float(first.find(f"{QTI}or/{QTI}varequal").text),)
    if kind == "true_false_question":
        return (labels[first.find(f"{QTI}varequal").text] == "True",)
    if kind == "multiple_answers_question":
        chosen = [labels[v.text] for v in first.find(f"{QTI}and").findall(f"{QTI}varequal")]
        # an option reads "(A) text", or just "A" when the options are in the question
        return ("".join(sorted(text.removeprefix("(")[0] for text in chosen)),)
    if kind == "short_answer_question":
        return (first.find(f"{QTI}varequal").text,)
    tokens, seen = [], set()
    for condition in conditions:  # the first accepted spelling of each blank, in order
        blank = condition.find(f"{QTI}conditionvar/{QTI}varequal").get("respident")
        if blank not in seen:
            seen.add(blank)
            tokens.append(labels[condition.find(f"{QTI}conditionvar/{QTI}varequal").text])
    return tuple(tokens)


def test_every_canvas_key_of_the_default_exam_round_trips(default_exam):
    from generator.formatting import short_number

    exam, key = default_exam
    groups = qti(exam).find(f"{QTI}assessment/{QTI}section").findall(f"{QTI}section")
    for group, info in zip(groups, key["questions"], strict=True):
        expected = set()
        for variant in key["variants"]:
            question = next(q for q in variant["questions"] if q["id"] == info["id"])
            tokens = expected_keys(question)
            if len(question["parts"]) > 1 or question["parts"][0]["type"]["kind"] == "matrix":
                # blanks are matched as text: numbers as the key writes them
                tokens = tuple(
                    short_number(t)
                    if isinstance(t, float)
                    else str(t).lower()
                    if isinstance(t, bool)
                    else t
                    for t in tokens
                )
            expected.add(tokens)
        assert {qti_keys(item) for item in group.findall(f"{QTI}item")} == expected, info["id"]


def test_html_steps_render_as_the_markdown_list_would(default_exam):
    """Keys render a solution's steps one line at a time: the same HTML as the list."""
    from generator.render.markup import to_inline_html
    from generator.render.pages import render_question

    _exam, key = default_exam
    families = {q["id"]: q["family"] for q in key["questions"]}
    for variant in key["variants"]:
        for question in variant["questions"]:
            if "texts" in question:  # a question file's solution is Markdown of its own
                continue
            rendered = render_question(families[question["id"]], question)
            assert rendered["steps"] is not None
            steps = "".join(f"<li>{to_inline_html(s)}</li>\n" for s in rendered["steps"])
            assert to_html(rendered["solution"]) == f"<ol>\n{steps}</ol>\n"


markdown_lines = st.text(
    alphabet=st.sampled_from(list("ab1 2_$\\*`&|#-+.)(<>\"'=é σ\xa0\t\n")), max_size=30
)


def agrees_with_markdown_it(fast_path, text):
    """The fast path gives up, or gives markdown-it's HTML, for KaTeX pages and for LMS."""
    from generator.render.markup import _delimiting_parser, _inline_formula, _lms_formula, _parser

    for formula, parser in ((_inline_formula, _parser()), (_lms_formula, _delimiting_parser())):
        fast = fast_path(text, formula)
        assert fast is None or fast == parser.render(text), repr(text)


@given(markdown_lines)
@settings(max_examples=3000, deadline=None)
def test_a_line_rendered_without_markdown_it_is_what_markdown_it_renders(text):
    from generator.render.markup import _simple_paragraph

    agrees_with_markdown_it(_simple_paragraph, text)


list_markers = ["- ", "+ ", "* ", "1. ", "3. ", "2) ", "01. ", "-  ", " - ", "  "]
markdown_blocks = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("abé 12_$.)-+<`#")), max_size=10),
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["- ", "+ ", "* ", "1. ", "3. ", "2) ", "01. ", "-  ", " - ", "  "]
                ),
                st.text(alphabet=st.sampled_from(list("abé 12_$.)-+<`#")), max_size=8),
            ).map("".join),
            min_size=1,
            max_size=3,
        ).map("\n".join),
    ),
    min_size=1,
    max_size=4,
)


@given(markdown_blocks, st.sampled_from(["\n\n", "\n", "\n\n\n"]))
@settings(max_examples=3000, deadline=None)
def test_paragraphs_and_lists_rendered_without_markdown_it_are_what_it_renders(blocks, gap):
    from generator.render.markup import _simple_markdown

    agrees_with_markdown_it(_simple_markdown, gap.join(blocks))


wrapped_lines = st.lists(
    st.text(alphabet=st.sampled_from(list("ab1 _$\\*`&|#-+.:=>[]()é")), max_size=12),
    min_size=2,
    max_size=4,
).map("\n".join)


@given(wrapped_lines, st.sampled_from(["", "Text.\n\n", "- item\n\n", "\n\nAfter."]))
@settings(max_examples=5000, deadline=None)
def test_wrapped_paragraphs_rendered_without_markdown_it_are_what_it_renders(lines, around):
    """A sentence wrapped over lines, as question files write them: whatever could end the
    paragraph, break a line or start a table or heading on the next line."""
    from generator.render.markup import _simple_markdown

    text = around + lines if around.endswith("\n") else lines + around
    agrees_with_markdown_it(_simple_markdown, text)


def test_a_paragraph_wrapped_over_lines_is_rendered_without_markdown_it():
    from generator.render.markup import _inline_formula, _parser, _simple_markdown

    text = "It classifies the query $q = (2, 0)$ by the\nmajority vote of its 3 nearest points."
    fast = _simple_markdown(text, _inline_formula)
    assert fast is not None and fast == _parser().render(text)


simple_cells = st.lists(
    st.sampled_from(["a", "b1", " ", "-", "<", "#", "x_y", "`c d`", "$x^2$", "é", "\\_\\_"]),
    max_size=4,
).map("".join)
table_cells = st.one_of(
    simple_cells,
    simple_cells,
    simple_cells,
    st.text(alphabet=st.sampled_from(list("ab1 _$`#|-\\*<")), max_size=6),
)


@st.composite
def markdown_tables(draw):
    """Tables as examgen writes them and, one time in two, a near miss: a row of another
    count, an aligned or broken rule, a space after a row, no body, a line run on."""
    width = draw(st.integers(1, 3))
    miss = draw(st.sampled_from(["count", "rule", "space", "body", "run-on"]))
    miss = miss if draw(st.booleans()) else None

    def row(n):
        count = width + (draw(st.sampled_from([-1, 1])) if miss == "count" and n == 1 else 0)
        cells = [draw(table_cells) for _ in range(count)]
        return "|" + "|".join(cells) + "|" + (" " if miss == "space" and n == 1 else "")

    dash = st.sampled_from([":--", "- -", "", "--:"]) if miss == "rule" else st.just("---")
    rule = "|" + "|".join(draw(dash) for _ in range(width)) + "|"
    body = 0 if miss == "body" else draw(st.integers(1, 3))
    lines = [row(0), rule, *(row(n) for n in range(1, body + 1))]
    before = draw(st.sampled_from(["", "Text.\n\n", "- item\n\n"]))
    after = "\nAfter." if miss == "run-on" else draw(st.sampled_from(["", "\n\nAfter."]))
    return before + "\n".join(lines) + after


@given(markdown_tables())
@settings(max_examples=3000, deadline=None)
def test_tables_rendered_without_markdown_it_are_what_it_renders(text):
    from generator.render.markup import _simple_markdown

    agrees_with_markdown_it(_simple_markdown, text)


def test_examgens_tables_are_rendered_without_markdown_it():
    from generator.render.markup import _inline_formula, _parser, _simple_markdown

    text = (
        "Consider:\n\n| # | Layer | Volume |\n|---|-------|--------|\n| 0 | INPUT | 32x32x3 |\n"
        "| 1 | `CONV5-8` | |\n\nFill it in."
    )
    fast = _simple_markdown(text, _inline_formula)
    assert fast is not None and fast == _parser().render(text)


def test_most_lines_of_an_exam_are_rendered_without_markdown_it(default_exam):
    """Every question, label, hint and step of the default exam: the fast path agrees with
    markdown-it wherever it answers, and it answers for most of them."""
    from generator.render.markup import _inline_formula, _parser, _simple_markdown
    from generator.render.pages import render_question

    _exam, key = default_exam
    families = {q["id"]: q["family"] for q in key["questions"]}
    lines = set()
    for variant in key["variants"]:
        for question in variant["questions"]:
            rendered = render_question(families[question["id"]], question)
            lines.update(rendered["steps"] or [])
            lines.update(p["label"] for p in rendered["parts"])
            lines.update(p["hint"] for p in rendered["parts"])
            lines.add(rendered["question"])
    fast = {line: _simple_markdown(line, _inline_formula) for line in lines}
    for line, html in fast.items():
        assert html is None or html == _parser().render(line), line
    assert sum(html is not None for html in fast.values()) > 0.6 * len(lines)


def test_keys_are_written_as_a_person_would_without_rounding_noise():
    from generator.answers.types import Matrix, Real
    from generator.formatting import short_number

    assert short_number(0.1 + 0.2 - 0.3) == "0"  # 5.55e-17
    assert short_number(-2.220446049250313e-16) == "0"
    assert short_number(1e-9) == "1e-09"  # a gradient check's error stays
    assert Real().display(2.220446049250313e-16) == "0"
    assert Matrix(None, 3).display([0.6000000000000001, -1e-17, 2.5]) == "[0.6, 0, 2.5]"
    assert Real().grade("0", 2.220446049250313e-16).status == "correct"


def test_a_quoted_word_prints_with_an_opening_quote_in_latex():
    """'same' printed as ’same’ (two closing quotes): TeX reads a straight ' as closing."""
    from generator.render.markup import to_latex

    latex = to_latex("stride 1, 'same' padding, the layer's output, ('valid')")
    assert "`same'" in latex and "layer's" in latex and "(`valid')" in latex


def test_a_negative_number_gets_a_minus_sign_and_a_words_hyphen_stays():
    from generator.formatting import typeset_minus

    assert typeset_minus("-1.79975") == "\u22121.79975"
    assert typeset_minus("[1, -2; -.5, 4]") == "[1, \u22122; \u2212.5, 4]"
    for kept in ("cross-entropy", "CONV5-10", "x-1", "a - 2", "$-1$"):
        assert typeset_minus(kept) == kept


def test_a_negative_option_reads_with_a_minus_sign_on_every_page_a_student_ticks(run, tmp_path):
    """A hyphen is half a minus sign's width: beside formulas that set their minus signs, an
    option set as text would look like another number. Markdown keeps what one would type."""
    result = run("generate", "-n", "4", "--seed", "rt", "--format", "md,html,tex,moodle,qti")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    moodle = (exam / "instructor" / "moodle.xml").read_text()
    with zipfile.ZipFile(exam / "instructor" / "canvas-qti.zip") as archive:
        qti = "".join(archive.read(name).decode() for name in archive.namelist())
    negative = 0
    for variant in key["variants"]:
        sheets = {
            kind: (exam / "students" / variant["student_id"] / f"sheet.{kind}").read_text()
            for kind in ("md", "html", "tex")
        }
        for question in variant["questions"]:
            options = (question.get("choice") or {}).get("options", [])
            for letter, option in zip("ABCD", options, strict=False):
                if not re.match(r"-\d", option):
                    continue
                negative += 1
                digits = option[1:]
                assert f"({letter}) {option}\n" in sheets["md"]
                assert f"<li>({letter}) \u2212{digits}</li>" in sheets["html"]
                # the LaTeX preamble declares U+2212 as a math minus
                assert f"({letter})~\u2212{digits}" in sheets["tex"]
                assert f"\u2212{digits}" in moodle and f"({letter}) \u2212{digits}" in qti
    assert negative, "the seed should ask for at least one negative option"
    assert not re.search(r"<li>\([A-D]\) -\d", "".join(sheets.values()))
