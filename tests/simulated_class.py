"""A simulated class: students of known ability answer their variants under an item-response
model whose difficulty is set per feature of the instance they drew.

A student of ability θ (standard normal, seeded by their id) answers a question whose
instance has difficulty b correctly with probability σ(θ − b), and then writes every part's
key; otherwise they leave it blank. b is ``BASE`` plus the shift planted for each of the
instance's ``(question, feature, value)``.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np

BASE = -0.5  # most students answer a question without a planted shift


def ability(student_id: str, seed: int) -> float:
    return float(np.random.default_rng([seed, zlib.crc32(student_id.encode())]).normal())


def answer_class(
    exam_dir: Path, planted: dict[tuple[str, str, str], float], seed: int = 0
) -> dict[str, float]:
    """Fill in every student's submission.json of ``exam_dir``; the abilities, by student."""
    key = json.loads((exam_dir / "instructor" / "key.json").read_text())
    abilities = {}
    for variant in key["variants"]:
        student = variant["student_id"]
        theta = abilities[student] = ability(student, seed)
        rng = np.random.default_rng([seed, zlib.crc32(student.encode()), 1])
        path = exam_dir / "students" / student / "submission.json"
        submission = json.loads(path.read_text())
        for question in variant["questions"]:
            b = BASE + sum(
                planted.get((question["id"], name, value), 0.0)
                for name, value in question["features"].items()
            )
            if rng.random() < 1 / (1 + np.exp(-(theta - b))):
                for part in question["parts"]:
                    submission["answers"][question["id"]][part["id"]] = part["key"]
        path.write_text(json.dumps(submission))
    return abilities
