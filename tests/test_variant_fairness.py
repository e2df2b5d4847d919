"""Every variant of a question slot asks the same work, and says what groups it with its
siblings (issue 33, part 2: the same work for the same points)."""

import numpy as np
import pytest

from generator import registry
from generator.errors import GivenError
from generator.family import DIFFICULTIES


def _blanks(key) -> int:
    if isinstance(key, list):
        return sum(_blanks(item) for item in key) if key else 1
    return 1


def _work(parts) -> tuple:
    """The numbers a student writes, by answer kind."""
    counts: dict[str, int] = {}
    for part in parts:
        counts[part.answer.kind] = counts.get(part.answer.kind, 0) + _blanks(part.key)
    return tuple(sorted(counts.items()))


def _instances(family, difficulty: str, count: int):
    for seed in range(count):
        try:
            params = family.read_givens(family.draw(np.random.default_rng(seed), difficulty, {}))
            solution = family.solved(params)
        except GivenError:
            continue  # generation draws again
        yield params, family.parts(params, solution)


@pytest.mark.parametrize("name", registry.names())
def test_every_instance_of_a_level_asks_as_many_blanks_of_the_same_kinds(name):
    family = registry.get(name)
    for difficulty in DIFFICULTIES:
        work = {_work(parts) for _, parts in _instances(family, difficulty, 40)}
        assert len(work) == 1, f"{name} {difficulty}: {sorted(work)}"


def test_the_default_exam_network_table_and_pooling_ask_the_same_work_of_every_student():
    from generator.exam import spec
    from generator.exam.assemble import assemble
    from generator.exam.roster import numbered_students

    manifest = assemble(spec.load(None), "fairness", numbered_students(40))
    totals = set()
    for variant in manifest["variants"]:
        questions = {q["id"]: q for q in variant["questions"]}
        totals.add(sum(_blanks(p["key"]) for q in variant["questions"] for p in q["parts"]))
        assert len(questions["table"]["params"]["layers"]) == 7
        assert [len(p["key"]) for p in questions["pool"]["parts"]] == [2, 5]
    assert len(totals) == 1


@pytest.mark.parametrize("name", registry.names())
def test_every_family_declares_features_that_group_its_instances(name):
    family = registry.get(name)
    values = set()
    for difficulty in DIFFICULTIES:
        for params, _ in _instances(family, difficulty, 20):
            features = family.features(params)
            assert features, name
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in features.items())
            values.add(tuple(sorted(features.items())))
    assert len(values) >= 2, f"{name}: its features never tell two instances apart"
