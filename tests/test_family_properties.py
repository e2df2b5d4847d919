"""Properties every registered family keeps, over hundreds of seeds."""

import json

import numpy as np
import pytest

from generator import registry
from generator.answers.types import answer_type_from_json
from generator.family import DIFFICULTIES

SEEDS = range(100)  # per difficulty: 300 instances per family


def perturb(kind: str, key):
    """A different answer of the same kind: the key with one number changed."""
    if kind == "real":
        return key + 1 + abs(key)  # moves every value, negatives included
    if kind == "matrix":
        changed = json.loads(json.dumps(key))
        row = changed[0] if isinstance(changed[0], list) else changed
        row[0] = row[0] + 1 + abs(row[0])
        return changed
    if kind == "expression":
        return f"{key} + 1"
    if kind == "truefalse":
        return not key
    if kind == "multiselect":
        return "A" if key != "A" else "B"
    text = str(key)
    if kind == "integer":
        return str(int(text) + 1)
    dims = [int(d) for d in text.split("x")]
    dims[-1] += 1
    return "x".join(map(str, dims))


@pytest.fixture(params=registry.names())
def family(request):
    return registry.get(request.param)


def instances(family):
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            raw = family.sample(np.random.default_rng(seed), difficulty)
            yield difficulty, seed, raw


def test_samples_are_valid_canonical_and_solvable(family):
    for difficulty, seed, raw in instances(family):
        params = family.read_givens(raw)
        assert family.read_givens(params) == params, (difficulty, seed)
        solution = family.solve(params)
        assert json.loads(json.dumps(solution.answers)) == solution.answers
        assert solution.steps and all(isinstance(step, str) for step in solution.steps)


def test_keys_round_trip_through_json_and_score_full_marks(family):
    for difficulty, seed, raw in instances(family):
        params = family.read_givens(raw)
        solution = family.solve(params)
        for part in family.parts(params, solution):
            stored = json.loads(json.dumps({"type": part.answer.to_json(), "key": part.key}))
            answer = answer_type_from_json(stored["type"])
            score = answer.grade(stored["key"], stored["key"])
            assert score.status == "correct", (difficulty, seed, part.id)
            wrong = answer.grade(perturb(answer.kind, part.key), stored["key"])
            assert wrong.fraction < 1, (difficulty, seed, part.id)
            assert wrong.status in ("wrong", "partial"), (difficulty, seed, part.id)


def test_samples_vary_with_the_seed(family):
    for difficulty in DIFFICULTIES:
        seen = {
            json.dumps(family.sample(np.random.default_rng(seed), difficulty), sort_keys=True)
            for seed in range(40)
        }
        assert len(seen) >= 10, difficulty


def test_every_family_has_a_summary_and_documented_givens(family):
    assert family.summary and family.title
    assert all(given.help for given in family.givens.values())
