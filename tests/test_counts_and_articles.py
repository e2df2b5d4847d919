"""Counts and articles read as English on every page: '1 zero of padding', '2 filters of 1
channel', 'an 8x8x8 input', never 'zero(s)' or 'a 8x8x8'."""

import re

import numpy as np
import pytest

from generator import registry
from generator.formatting import with_article
from generator.render.pages import render_question


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("8x8x8", "an 8x8x8"),
        ("11x11", "an 11x11"),
        ("18", "an 18"),
        ("80x80x3", "an 80x80x3"),
        ("800", "an 800"),
        ("11000", "an 11000"),
        ("32x32x3", "a 32x32x3"),
        ("110", "a 110"),
        ("1", "a 1"),
        ("5x5", "a 5x5"),
    ],
)
def test_an_article_follows_how_the_number_is_read(text, read):
    assert with_article(text) == read


def _question_text(family: str, params: dict) -> str:
    problem = registry.get(family)
    solution = problem.solve(params)
    parts = [
        {"id": p.id, "label": p.label, "type": p.answer.to_json(), "key": p.key}
        for p in problem.parts(params, solution)
    ]
    question = {"params": params, "answers": solution.answers, "steps": solution.steps}
    rendered = render_question(family, {**question, "parts": parts})
    return rendered["question"] + " " + " ".join(p["label"] for p in rendered["parts"])


@pytest.mark.parametrize("family", registry.names())
def test_no_question_writes_a_plural_in_parentheses_or_a_before_a_vowel_sound(family):
    problem = registry.get(family)
    for seed in range(40):
        for difficulty in ("easy", "medium", "hard"):
            params = problem.read_givens(problem.sample(np.random.default_rng(seed), difficulty))
            text = _question_text(family, params)
            assert "(s)" not in text, (seed, difficulty, text)
            assert not re.search(r"\ba (8|11|18)(?!\d)", text), (seed, difficulty, text)
