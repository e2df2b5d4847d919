"""Exam assembly: sample and solve every question of every variant into one manifest.

The manifest is the single source of truth: rendering reads only it, and grading reads only
it and the submissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator import registry
from generator.errors import GivenError, SpecError
from generator.family import Part
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
        asked: dict[str, set[str]] = {}  # family -> identities already in this variant
        questions = [_question(spec, q, key, student.id, asked) for q in spec.questions]
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


def _question(
    spec: ExamSpec, question: QuestionSpec, key: bytes, student_id: str, asked: dict[str, set[str]]
) -> dict:
    family = registry.get(question.family)
    rng = question_rng(key, student_id, question.id)
    taken = asked.setdefault(question.family, set())
    last_error: GivenError | None = None
    for _ in range(MAX_DRAWS):
        raw = {**family.draw(rng, question.difficulty, question.givens), **question.givens}
        try:
            params = family.read_givens(raw)
            solution = family.solve(params)
        except GivenError as error:
            last_error = error
            continue
        identity = family.identity(params)
        if identity in taken and not question.givens_fix_everything(family):
            continue  # the same question twice in one exam: draw another
        taken.add(identity)
        return {
            "id": question.id,
            "params": params,
            "answers": solution.answers,
            "parts": [_part(p, question) for p in family.parts(params, solution)],
            "steps": solution.steps,
        }
    reason = f"({last_error})" if last_error else "(too few distinct instances for its count)"
    raise SpecError(
        spec.source,
        f"no valid instance with these givens {reason}",
        f"question {question.id}.givens",
    )


def _part(part: Part, question: QuestionSpec) -> dict[str, Any]:
    answer_type = part.answer.to_json()
    rubric = question.rubric
    points = Fraction(question.points).limit_denominator(10**6)
    if answer_type["kind"] == "truefalse" and "wrong" in rubric:
        answer_type["wrong"] = str(Fraction(rubric["wrong"]).limit_denominator(10**6) / points)
    if answer_type["kind"] == "multiselect":
        for name in ("per_error", "floor"):
            if name in rubric:
                value = Fraction(rubric[name]).limit_denominator(10**6) / points
                answer_type[name] = str(value)
    return {"id": part.id, "label": part.label, "type": answer_type, "key": part.key}
