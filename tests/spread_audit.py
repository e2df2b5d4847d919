"""Audit: how much work each instance of a family asks, per difficulty level.

Run from the checkout: ``python tests/spread_audit.py`` (``--draws 200``, ``--families a,b``,
``--markdown`` for the table in docs/families.md). Each instance is made as ``generate``
makes it for a one-question spec; its *blanks* are the numbers a student writes: one per
part, and one per entry of a matrix or vector part. Its *structure* is the list of parts
with their kinds and matrix shapes. The script prints, per
family and difficulty, the blanks' minimum and maximum and how many structures occur.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import registry
from generator.exam.assemble import Student, assemble_variant
from generator.exam.seeding import secret_key
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.family import DIFFICULTIES


def blanks(key: object) -> int:
    """The numbers a student writes for one part's key."""
    if isinstance(key, list):
        return sum(blanks(item) for item in key) if key else 1
    return 1


def shape(key: object) -> object:
    if isinstance(key, list):
        return (len(key), *([shape(key[0])] if key and isinstance(key[0], list) else []))
    return 1


def structure(entry: dict) -> tuple:
    """The parts asked, their kinds and matrix shapes."""
    parts = tuple(
        (p["type"]["kind"], shape(p["key"]) if p["type"]["kind"] == "matrix" else 1)
        for p in entry["parts"]
    )
    return parts


def spread(name: str, difficulty: str, draws: int) -> tuple[int, int, int]:
    """(fewest blanks, most blanks, distinct structures) over ``draws`` generated instances."""
    family = registry.get(name)
    question = QuestionSpec("q1", name, 4, difficulty, family.title)
    spec = ExamSpec("audit", "audit", "Audit", "", None, (question,), f"spread {name}")
    key = secret_key(f"spread {name} {difficulty}")
    counts, shapes = [], set()
    for n in range(draws):
        (entry,) = assemble_variant(spec, key, "audit", Student(f"s{n}"))["questions"]
        counts.append(sum(blanks(p["key"]) for p in entry["parts"]))
        shapes.add(structure(entry))
    return min(counts), max(counts), len(shapes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--families", default="")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    names = args.families.split(",") if args.families else registry.names()
    if args.markdown:
        print("| family | " + " | ".join(DIFFICULTIES) + " |")
        print("| --- |" + " --- |" * len(DIFFICULTIES))
    for name in names:
        cells = []
        for level in DIFFICULTIES:
            low, high, kinds = spread(name, level, args.draws)
            cells.append(f"{low}" if low == high else f"{low}–{high}")
            if not args.markdown:
                cells[-1] += f" ({kinds} structure{'s' * (kinds != 1)})"
        if args.markdown:
            print(f"| `{name}` | " + " | ".join(cells) + " |")
        else:
            print(f"{name:<24} " + "  ".join(f"{c:<22}" for c in cells))


if __name__ == "__main__":
    main()
