"""Worked steps and part labels are Markdown with TeX formulas, so HTML, LaTeX and the
terminal can each typeset them; diagnoses are plain phrases, as every page prints them
as text. A ``^`` or ``_`` outside a formula is what a PDF printed as a circumflex accent
or an underscore before."""

import re

import numpy as np
import pytest

from generator import registry
from generator.exam.assemble import Student, assemble
from generator.exam.spec import parse
from generator.family import DIFFICULTIES
from generator.render.markup import to_latex
from generator.render.pages import render_question
from generator.render.plain_math import plain_formula
from generator.render.terminal import inline_text

SEEDS = range(8)
FORMULA = re.compile(r"\$[^$]+\$")
CODE = re.compile(r"`[^`]+`")
TEXTTT = re.compile(r"\\texttt\{[^}]*\}")


def outside_formulas(text: str) -> str:
    return CODE.sub("", FORMULA.sub("", text))


def instances(family):
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            params = family.read_givens(family.sample(np.random.default_rng(seed), difficulty))
            yield params, family.solved(params)


@pytest.fixture(params=registry.names())
def family(request):
    return registry.get(request.param)


def test_steps_and_labels_keep_sub_and_superscripts_inside_formulas(family):
    for params, solution in instances(family):
        texts = [*solution.steps, *(part.label for part in family.parts(params, solution))]
        for text in texts:
            assert text.count("$") % 2 == 0, text
            assert not re.search(r"[_^]", outside_formulas(text)), text
            assert "\\" not in outside_formulas(text), text  # a macro outside a formula


def test_diagnoses_are_plain_phrases(family):
    for params, solution in instances(family):
        for mistakes in family.mistakes(params, solution).values():
            for mistake in mistakes:
                assert not re.search(r"[_^$`\\]", mistake.diagnosis), mistake.diagnosis


def test_every_step_reads_as_latex_and_as_plain_text(family):
    for _, solution in list(instances(family))[:: len(SEEDS)]:
        for step in solution.steps:
            latex = TEXTTT.sub("", to_latex(step))  # code keeps its underscores
            assert "\\^{}" not in latex and "\\_" not in outside_formulas(latex), latex
            plain = inline_text(step)
            assert "$" not in plain and "\\" not in plain, plain


def test_a_matrix_in_a_formula_reads_as_the_students_type_it():
    tex = r"W = \begin{bmatrix} 1 & -2 \\ 0.5 & 3 \end{bmatrix}"
    assert plain_formula(tex) == "W = [1, -2; 0.5, 3]"


def test_a_caret_outside_a_formula_would_be_caught():
    assert re.search(r"[_^]", outside_formulas("e^(s_k) and $e^{s_k}$"))
    assert not re.search(r"[_^]", outside_formulas("$e^{s_k}$ and `grad_W`"))


def test_the_concept_bank_keeps_sub_and_superscripts_inside_formulas():
    from generator.families.common import bank

    for item in bank.items().values():
        texts = [item.prompt, item.explanation, *(option.text for option in item.options)]
        for text in texts:
            assert not re.search(r"[_^]", outside_formulas(text)), text


def question_texts(family):
    """The family's question text for a few students, as it is and, where the family has
    one, as multiple choice, whose text words the ask another way."""
    formats = ["", 'format = "choice"\n'] if family.choice_part else [""]
    for asked in formats:
        text = f'title = "t"\n[[questions]]\nid = "q"\nfamily = "{family.name}"\n{asked}'
        manifest = assemble(parse(text, "t.toml"), "texts", [Student(f"s{n}") for n in range(4)])
        for variant in manifest["variants"]:
            (question,) = variant["questions"]
            yield render_question(family.name, question)["question"]


def glued_to_a_formula(text: str) -> list[str]:
    """Where a word runs into a formula, as in ``loss$L_i$``: a template's block tag ate the
    line break that stood for the space."""
    dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", text)]
    opening, closing = dollars[0::2], dollars[1::2]
    glued = [i for i in opening if i > 0 and text[i - 1].isalnum()]
    glued += [i for i in closing if text[i + 1 : i + 2].isalnum()]
    return [text[max(0, i - 20) : i + 20] for i in glued]


def test_a_word_never_runs_into_a_formula_in_a_question(family):
    for text in question_texts(family):
        assert text.count("$") % 2 == 0, text
        assert not glued_to_a_formula(text), glued_to_a_formula(text)


def test_a_word_run_into_a_formula_would_be_caught():
    assert glued_to_a_formula("the multiclass SVM loss$L_i = 1$ of each")
    assert glued_to_a_formula("with $x$th power")
    assert not glued_to_a_formula("the loss $L_i = 1$, of each example ($x$)")
