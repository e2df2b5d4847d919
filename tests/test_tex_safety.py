"""Only a subset of TeX reaches pdflatex: the commands KaTeX typesets, with no file, catcode,
register or definition primitive. A spec's formula outside it is refused when the spec is
read, on one line naming the file, the field and the command; Markdown turned into LaTeX
refuses it again, whatever its source; the families' own formulas all lie inside it."""

import json
import re
from importlib.resources import files

import pytest

from generator import registry
from generator.errors import ExamgenError, SpecError
from generator.exam.spec import parse
from generator.render import markup
from generator.render.markup import UnsafeTexError, to_latex
from generator.tex_subset import COMMANDS, ENVIRONMENTS, formulas, refused

ALLOWED = [
    r"\frac{\partial L}{\partial w_{ij}} = \delta_j x_i",
    r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    r"\left( \sum_{k=1}^{K} e^{z_k} \right)^{-1}",
    r"\mathbf{W} \in \mathbb{R}^{m \times n}",
    r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
    r"f(x) = \begin{cases} x & x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\sqrt[3]{x}\,\hat{y}\;\bar{x}\quad\vec{v}\ \tilde{w}",
    r"\operatorname{ReLU}(x) = \max(0, x) \le \lVert x \rVert_2",
    r"\text{50\% of } \{1, 2\} \to \mathcal{O}(n^2)",
    r"\begin{aligned} a &= b \\ c &= d \end{aligned}",
]


@pytest.mark.parametrize("tex", ALLOWED)
def test_formulas_as_katex_writes_them_are_allowed(tex):
    assert refused(tex) is None


PRIMITIVES = [
    (r"\input{/etc/passwd}", r"\input"),
    (r"\include{../../instructor/keys/v002}", r"\include"),
    (r"\openin\rr=secret \read\rr to\x", r"\openin"),
    (r"\read16 to\x", r"\read"),
    (r"\readline\rr to\x", r"\readline"),
    (r"\openout\ww=out.tex", r"\openout"),
    (r"\write18{rm -rf ~}", r"\write"),
    (r"\immediate\write16{x}", r"\immediate"),
    (r"\csname input\endcsname{x}", r"\csname"),
    (r"\catcode`\@=11", r"\catcode"),
    (r"\def\x{y}", r"\def"),
    (r"\let\x\input", r"\let"),
    (r"\newcommand{\x}{y}", r"\newcommand"),
    (r"\expandafter\x\y", r"\expandafter"),
    (r"\special{ps: x}", r"\special"),
    (r"\pdfliteral{x}", r"\pdfliteral"),
    (r"\pdffiledump length 10 {key.tex}", r"\pdffiledump"),
    (r"\endinput", r"\endinput"),
    (r"\jobname", r"\jobname"),
    (r"\verbatiminput{key.tex}", r"\verbatiminput"),
    (r"\usepackage{verbatim}", r"\usepackage"),
    (r"\string\input", r"\string"),
    (r"^^5cinput{/etc/passwd}", "^^"),
    (r"\^^69nput{/etc/passwd}", "^^"),  # TeX reads ^^69 as i inside a command's name too
    (r"x \begin{filecontents}{a.tex} y", r"\begin{filecontents}"),
    (r"\end{document}", r"\end{document}"),
    (r"\text{\@input}", r"\@"),
    (r"a % \end", "%"),
    (r"#1", "#"),
    (r"\frac{a}}{b", "a } that closes no {"),
]


@pytest.mark.parametrize("tex, what", PRIMITIVES)
def test_each_file_catcode_register_and_definition_primitive_is_refused(tex, what):
    assert refused(tex) == what or refused(tex).startswith(what)


def test_a_control_character_in_a_formula_is_refused():
    assert refused("x\x0b\x0b69") == "the control character U+000B"


def test_a_control_character_in_a_keys_title_is_refused_before_pdflatex_runs(exam, run):
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["title"] = "Quiz\x0b\x0b5cinput /etc/passwd "
    key_file.write_text(json.dumps(key))
    result = run("export", str(exam), "--format", "tex")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith(f"error: {key_file}: title: ")
    assert "U+000B" in result.output and not list(exam.rglob("*.tex"))


@pytest.mark.parametrize("tex, what", PRIMITIVES)
def test_a_specs_instructions_with_a_refused_command_are_one_line_naming_field_and_command(
    tex, what
):
    text = f"title = 't'\ninstructions = '''Read $${tex}$$ first.'''\n"
    text += '[[questions]]\nfamily = "conv_params"\n'
    with pytest.raises(SpecError) as caught:
        parse(text, "exam.toml")
    message = str(caught.value)
    assert message.startswith("exam.toml: instructions: the formula ")
    assert f"uses {what}" in message and "\n" not in message


def test_text_outside_formulas_may_hold_backslashes_and_percent_signs():
    text = 'title = "t"\ninstructions = "Write \\\\input as text, 50% of it, `\\\\openin`."\n'
    spec = parse(text + '[[questions]]\nfamily = "conv_params"\n', "exam.toml")
    assert "\\textbackslash{}input" in to_latex(spec.instructions)


def test_the_spec_finds_the_formulas_latex_would_be_given():
    text = "a $x$ b $$\\frac12$$\n\n$$\n\\input{k}\n$$\n\n- item $\\openin$\n\n"
    text += "| h |\n|---|\n| $\\read$ |"
    found = [tex.strip() for tex in formulas(text)]
    assert found == ["x", "\\frac12", "\\input{k}", "\\openin", "\\read"]


@pytest.mark.parametrize(
    "text",
    [
        "inline $\\input{x}$",
        "twice $$\\input{x}$$",
        "a block\n\n$$\n\\input{x}\n$$\n",
        "- in a list $\\openin\\r=x$",
        "| in |\n|---|\n| a table $\\read 1 to\\x$ |",
    ],
)
def test_markdown_turned_into_latex_refuses_a_formula_outside_the_subset(text):
    with pytest.raises(UnsafeTexError) as caught:
        to_latex(text)
    assert "which examgen never gives LaTeX" in str(caught.value)
    assert isinstance(caught.value, ExamgenError)


def test_export_refuses_a_key_whose_instructions_were_edited_to_read_files(exam, run):
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["instructions"] = "Read $\\input{/etc/passwd}$"
    key_file.write_text(json.dumps(key))
    result = run("export", str(exam), "--format", "tex")
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {key_file}: instructions: the formula ")
    assert "uses \\input" in result.output and result.output.count("\n") == 1
    assert not list(exam.rglob("*.tex"))


def every_family_every_way() -> str:
    """A spec asking every family at every difficulty, and as multiple choice where it can
    be: every template, every worked step and every option."""
    entries = []
    for name in registry.names():
        for difficulty in ("easy", "medium", "hard"):
            entries.append(f'family = "{name}"\ndifficulty = "{difficulty}"\n')
        choice = f'family = "{name}"\nformat = "choice"\n'
        try:
            parse(f'title = "t"\n[[questions]]\n{choice}', "probe.toml")
        except SpecError:
            continue
        entries.append(choice)
    return 'title = "Every family"\n' + "".join(f"[[questions]]\n{e}" for e in entries)


@pytest.fixture
def formulas_given_to_latex(monkeypatch):
    """Every formula Markdown hands to LaTeX while the test runs."""
    seen = []

    def record(tex):
        seen.append(tex)
        return None

    markup.to_latex.cache_clear()
    monkeypatch.setattr(markup, "refused", record)
    yield seen
    markup.to_latex.cache_clear()  # nothing converted unchecked stays cached


def test_every_formula_of_every_familys_latex_pages_is_in_the_subset(
    run, tmp_path, formulas_given_to_latex
):
    from generator.exam.manifest import read_key
    from generator.exam_folder.formats import variant_pages

    (tmp_path / "every.toml").write_text(every_family_every_way())
    result = run("generate", "every.toml", "--variants", "2", "-s", "tex", "--format", "md")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    manifest = read_key(exam / "instructor" / "key.json")
    for variant in manifest["variants"]:
        pages = variant_pages(manifest, variant, ("tex",))
        assert len(pages) == 2  # the sheet and the key
    assert len(formulas_given_to_latex) > 1000
    outside = {tex: refused(tex) for tex in formulas_given_to_latex if refused(tex)}
    assert outside == {}


KATEX = files("templates").joinpath("assets", "katex", "katex.min.js").read_text("utf-8")


def test_every_allowed_command_and_environment_is_one_katex_typesets():
    known = set(re.findall(r'"\\\\([A-Za-z]+)"', KATEX))
    assert sorted(COMMANDS - known) == []
    environments = set(
        re.findall(r'"([A-Za-z*]+)"', " ".join(re.findall(r"names:\[[^]]*]", KATEX)))
    )
    assert sorted(ENVIRONMENTS - environments) == []


def test_every_allowed_command_and_environment_is_defined_under_the_sheets_preamble(tmp_path):
    from test_rendered_pages import tool

    from generator.render.pdf import compile_pdf

    program = tool("pdflatex")
    page = files("templates").joinpath("sheets", "_page.tex.j2").read_text("utf-8")
    preamble = page[: page.index("\\begin{document}")].replace("<< unicode >>", "")
    checks = [f"\\ifdefined\\{name}\\else\\errmessage{{undefined {name}}}\\fi" for name in COMMANDS]
    checks += [
        f"\\ifcsname {name}\\endcsname\\else\\errmessage{{undefined {name}}}\\fi"
        for name in ENVIRONMENTS
    ]
    source = tmp_path / "defined.tex"
    source.write_text(
        preamble + "\\begin{document}\n" + "\n".join(checks) + "\nok\n\\end{document}\n"
    )
    assert compile_pdf(source, program).exists()


def test_the_preamble_check_above_can_fail(tmp_path):
    from test_rendered_pages import tool

    from generator.render.pdf import compile_pdf

    program = tool("pdflatex")
    source = tmp_path / "missing.tex"
    source.write_text(
        "\\documentclass{article}\\begin{document}"
        "\\ifdefined\\mathbb\\else\\errmessage{undefined mathbb}\\fi\\end{document}\n"
    )
    with pytest.raises(ExamgenError, match="undefined mathbb"):
        compile_pdf(source, program)


@pytest.mark.parametrize("tex, what", [*PRIMITIVES[:8], (r"^^5cinput{/etc/passwd}", "^^")])
def test_generate_refuses_such_a_spec_before_writing_anything(run, tmp_path, tex, what):
    (tmp_path / "spec.toml").write_text(
        f"title = 't'\ninstructions = '''Read ${tex}$.'''\n"
        '[[questions]]\nfamily = "conv_params"\n'
    )
    result = run("generate", "spec.toml", "--variants", "2", "-s", "x", "--format", "pdf")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert result.output.startswith("error: spec.toml: instructions: the formula ")
    assert f"uses {what}" in result.output
    assert not (tmp_path / "output").exists()
