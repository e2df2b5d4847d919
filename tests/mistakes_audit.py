"""Audit: how often a family's named mistake scores as correct, as ``generate`` draws.

Run from the checkout: ``python tests/mistakes_audit.py`` (``--draws 1000``, ``--difficulty
medium``, ``--families a,b``). For every registered family it draws instances two ways:

- *raw*: ``family.draw`` and ``solve`` alone, as generation drew before it checked
  mistakes, and counts the instances where some named mistake differs from the key yet
  agrees with it under the part's own comparison (the grader's);
- *generated*: each instance as ``assemble`` makes it for a one-question spec, read back
  from the manifest entry, and checked the same way with the manifest's stored answer types.

It prints both counts per family and the totals. A script, not a test: 1,000 draws of every
family take minutes; the suite's ``test_mistakes_never_score.py`` draws fewer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import registry
from generator.answers.types import answer_type_from_json
from generator.errors import ExamgenError, SpecError
from generator.exam.assemble import Student, assemble_variant
from generator.exam.seeding import secret_key
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.family import Family, check_mistakes, scaled_to_key


def raw_flaws(name: str, difficulty: str, draws: int) -> tuple[int, int]:
    """(instances drawn, instances where a mistake scores) without generation's check."""
    family = registry.get(name)
    drawn = flawed = 0
    for seed in range(draws):
        rng = np.random.default_rng(seed)
        try:
            params = family.read_givens(family.draw(rng, difficulty, {}))
            solution = family.solved(params)
        except ExamgenError:
            continue
        drawn += 1
        mistakes = family.mistakes(params, solution)
        for part in family.parts(params, solution):
            if check_mistakes(part.answer, part.key, mistakes.get(part.id, [])).scoring:
                flawed += 1
                break
    return drawn, flawed


def generated_flaws(name: str, difficulty: str, draws: int, form: str) -> tuple[int, int]:
    """(instances generated, instances where a mistake scores) as ``generate`` makes them."""
    family = registry.get(name)
    question = QuestionSpec("q1", name, 4, difficulty, family.title, format=form)
    spec = ExamSpec("audit", "audit", "Audit", "", None, (question,), f"audit {name} {form}")
    key = secret_key(f"audit {name}")
    flawed = 0
    for n in range(draws):
        (entry,) = assemble_variant(spec, key, "audit", Student(f"s{n}"))["questions"]
        params = entry["params"]
        solution = family.solved(params)
        mistakes = family.mistakes(params, solution)
        asked = {entry["choice"]["part"]} if "choice" in entry else None
        stored = {p["id"]: p for p in entry["parts"]}
        for part in family.parts(params, solution):
            if asked is not None and part.id not in asked:
                continue
            if asked is None:
                typed = answer_type_from_json(stored[part.id]["type"])
            else:  # multiple choice: the part's comparison, its tolerance set by its key
                typed = scaled_to_key(part).answer
            if check_mistakes(typed, part.key, mistakes.get(part.id, [])).scoring:
                flawed += 1
                break
    return draws, flawed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--difficulty", default="medium")
    parser.add_argument("--families", default="")
    parser.add_argument("--raw-only", action="store_true")
    args = parser.parse_args()
    names = args.families.split(",") if args.families else sorted(registry.names())
    totals = [0, 0, 0, 0]
    print(f"{'family':24} {'raw flawed':>14} {'generated flawed':>18}")
    for name in names:
        drawn, raw = raw_flaws(name, args.difficulty, args.draws)
        made = after = 0
        if not args.raw_only:
            family = registry.get(name)
            multiple_choice = family.choice_part or (
                type(family).choice_part_for is not Family.choice_part_for
            )
            forms = ["free"] + (["choice"] if multiple_choice else [])
            for form in forms:
                try:
                    m, a = generated_flaws(name, args.difficulty, args.draws, form)
                except SpecError:  # no multiple-choice version at this difficulty
                    continue
                made, after = made + m, after + a
        totals = [totals[0] + drawn, totals[1] + raw, totals[2] + made, totals[3] + after]
        print(f"{name:24} {raw:6} / {drawn:5} {after:8} / {made:6}", flush=True)
    share = 100 * totals[1] / max(totals[0], 1)
    print(f"{'total':24} {totals[1]:6} / {totals[0]:5} ({share:.1f} %)", end=" ")
    print(f"{totals[3]:8} / {totals[2]:6}")


if __name__ == "__main__":
    main()
