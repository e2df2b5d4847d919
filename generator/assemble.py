"""Exam assembly: sample and solve every question of every variant into one manifest.

The manifest is the single source of truth: rendering reads only it, and grading reads only
it and the submissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator import registry
from generator.errors import GivenError, SpecError
from generator.manifest import MANIFEST_FORMAT
from generator.seeding import keyed_id, question_rng, secret_key
from generator.spec import ExamSpec, QuestionSpec

MAX_DRAWS = 200  # fixed givens can make most draws invalid; past this the spec is at fault


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def exam_id(spec: ExamSpec, key: bytes) -> str:
    return f"{spec.name}-{keyed_id(key, 'exam', spec.text, length=8)}"


def assemble(spec: ExamSpec, seed: str, students: list[Student]) -> dict[str, Any]:
    key = secret_key(seed)
    identifier = exam_id(spec, key)
    variants = []
    for student in students:
        questions = [_question(spec, q, key, student.id) for q in spec.questions]
        variants.append(
            {
                "student_id": student.id,
                "name": student.name,
                "variant_id": keyed_id(key, "variant", identifier, student.id),
                "questions": questions,
            }
        )
    return {
        "format": MANIFEST_FORMAT,
        "exam_id": identifier,
        "title": spec.title,
        "instructions": spec.instructions,
        "seed": seed,
        "questions": [
            {
                "id": q.id,
                "family": q.family,
                "title": q.title,
                "points": q.points,
                "difficulty": q.difficulty,
            }
            for q in spec.questions
        ],
        "variants": variants,
    }


def _question(spec: ExamSpec, question: QuestionSpec, key: bytes, student_id: str) -> dict:
    family = registry.get(question.family)
    rng = question_rng(key, student_id, question.id)
    last_error: GivenError | None = None
    for _ in range(MAX_DRAWS):
        raw = {**family.sample(rng, question.difficulty), **question.givens}
        try:
            params = family.read_givens(raw)
            solution = family.solve(params)
        except GivenError as error:
            last_error = error
            continue
        parts = family.parts(params, solution)
        return {
            "id": question.id,
            "params": params,
            "answers": solution.answers,
            "parts": [
                {"id": p.id, "label": p.label, "type": p.answer.to_json(), "key": p.key}
                for p in parts
            ],
            "steps": solution.steps,
        }
    raise SpecError(
        spec.source,
        f"no valid instance with these givens ({last_error})",
        f"question {question.id}.givens",
    )
