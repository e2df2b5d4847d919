"""Worked steps and part labels are Markdown with TeX formulas, so HTML, LaTeX and the
terminal can each typeset them; diagnoses are plain phrases, as every page prints them
as text. A ``^`` or ``_`` outside a formula is what a PDF printed as a circumflex accent
or an underscore before."""

import re

import numpy as np
import pytest

from generator import registry
from generator.family import DIFFICULTIES
from generator.render.markup import to_latex
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
