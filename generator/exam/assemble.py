"""Exam assembly: sample and solve every question of every variant into one manifest.

The manifest is the single source of truth: rendering reads only it, and grading reads only
it and the submissions.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from generator import registry
from generator.answers.types import AnswerType, Invalid, MultiSelect, answer_type_from_json
from generator.errors import GivenError, SpecError
from generator.exam.calibrated import (
    MAX_ATTEMPTS,
    CalibratedSpec,
    Calibration,
    attempt_id,
    instance_digest,
    instance_features,
)
from generator.exam.manifest import MANIFEST_FORMAT
from generator.exam.seeding import keyed_id, question_rng, secret_key
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.family import (
    Mistake,
    MistakeCheck,
    Part,
    Solution,
    check_mistakes,
    plain_json,
    scaled_to_key,
)

MAX_DRAWS = 200  # fixed givens can make most draws invalid; past this the spec is at fault


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    # who the student is on a hand-in platform (Gradescope), from the roster's optional
    # email and sid columns: an autograder checks an upload's variant against its uploader
    email: str = ""
    sid: str = ""


def exam_id(spec: ExamSpec, key: bytes) -> str:
    return f"{spec.name}-{keyed_id(key, 'exam', spec.text, length=8)}"


def assemble(spec: ExamSpec, seed: str, students: list[Student]) -> dict[str, Any]:
    """The whole manifest: the header and every student's variant."""
    header = exam_header(spec, seed)
    key = secret_key(seed)
    return {
        **header,
        "variants": [assemble_variant(spec, key, header["exam_id"], s) for s in students],
    }


def exam_header(spec: ExamSpec, seed: str) -> dict[str, Any]:
    """The manifest without its variants: the same for every student."""
    return {
        "format": MANIFEST_FORMAT,
        "exam_id": exam_id(spec, secret_key(seed)),
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
        # only when the spec has the table, so the keys of other specs stay byte for byte
        **({"gradescope": spec.gradescope} if spec.gradescope else {}),
        **_band(spec),
    }


def _band(spec: ExamSpec) -> dict[str, Any]:
    """The band a calibrated spec keeps predicted scores in, for the key; nothing else."""
    if not isinstance(spec, CalibratedSpec) or not spec.calibration.models:
        return {}
    calibration = spec.calibration
    return {
        "calibration": {
            "band": [round(calibration.low, 6), round(calibration.high, 6)],
            "center": round(calibration.center, 6),
            "spread": round(calibration.spread, 6),
            "calibrated": sorted(f"{f}/{d}" for f, d in calibration.models),
        }
    }


def assemble_variant(
    spec: ExamSpec, key: bytes, identifier: str, student: Student
) -> dict[str, Any]:
    """One student's variant. It depends only on the seed's key, the student and the
    questions, so variants can be assembled apart, in any order, in parallel. A calibrated
    spec draws the variant again until its predicted score lies in the band."""
    questions = _questions(spec, key, student.id, 0)
    drawn: dict[str, Any] = {}
    if isinstance(spec, CalibratedSpec) and spec.calibration.models:
        questions, drawn = _in_band(spec, spec.calibration, key, student.id, questions)
    return {
        "student_id": student.id,
        "name": student.name,
        # only when the roster has them, so the keys of other rosters stay byte for byte
        **{name: getattr(student, name) for name in ("email", "sid") if getattr(student, name)},
        "variant_id": keyed_id(key, "variant", identifier, student.id),
        "questions": questions,
        **drawn,
    }


def _in_band(
    spec: ExamSpec,
    calibration: Calibration,
    key: bytes,
    student_id: str,
    questions: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The student's questions drawn again until the predicted score lies in the band (the
    closest draw after ``MAX_ATTEMPTS``), and what the manifest records of it."""

    def gap(score: float) -> float:
        return max(calibration.low - score, score - calibration.high, 0.0)

    first = best_score = calibration.predicted(spec, questions)
    best, attempt = questions, 0
    while gap(best_score) > 0 and attempt < MAX_ATTEMPTS:
        attempt += 1
        again = _questions(spec, key, student_id, attempt, calibration)
        score = calibration.predicted(spec, again)
        if gap(score) < gap(best_score):
            best, best_score = again, score
    record = {"predicted": round(best_score, 6), "first_predicted": round(first, 6)}
    # which instances the first draw held, for the variety the band leaves (a digest each)
    firsts = {
        q.id: instance_digest(entry["params"])
        for q, entry in zip(spec.questions, questions, strict=True)
        if calibration.model(q)
    }
    return best, {"calibration": {**record, "draws": attempt + 1, "first_instances": firsts}}


def _questions(
    spec: ExamSpec,
    key: bytes,
    student_id: str,
    attempt: int,
    calibration: Calibration | None = None,
) -> list[dict[str, Any]]:
    """The questions of a variant; past the first ``attempt``, the calibrated questions
    come from streams of that attempt and the others are drawn as at first."""
    # family -> identities already in this variant, for the families asked more than once
    families = [q.family for q in spec.questions]
    asked: dict[str, set[str]] = {f: set() for f in families if families.count(f) > 1}
    for question in spec.questions:  # a fixed item is taken before any is drawn at random
        if question.family in asked and question.fixed:
            family = registry.get(question.family)
            with contextlib.suppress(GivenError):  # drawing it then names what is wrong
                asked[question.family].add(family.identity(family.read_givens(question.givens)))
    return [
        _question(
            spec,
            q,
            key,
            student_id,
            asked,
            attempt if calibration is not None and calibration.model(q) else 0,
        )
        for q in spec.questions
    ]


def _question(
    spec: ExamSpec,
    question: QuestionSpec,
    key: bytes,
    student_id: str,
    asked: dict[str, set[str]],
    attempt: int = 0,
) -> dict:
    family = registry.get(question.family)
    rng = question_rng(key, student_id, attempt_id(question.id, attempt))
    taken = asked.get(question.family)
    reason = "too few distinct instances for its count"
    for _ in range(MAX_DRAWS):
        raw = {**family.draw(rng, question.difficulty, question.givens), **question.givens}
        try:
            params = family.read_givens(raw)
            solution = family.solved(params)
        except GivenError as error:
            reason = str(error)
            continue
        identity = None if taken is None else family.identity(params)
        if taken and identity in taken and not question.fixed:
            continue  # the same question twice in one exam: draw another
        parts = [scaled_to_key(p) for p in family.parts(params, solution)]
        mistakes = family.mistakes(params, solution)
        choice_part = family.choice_part_for(params, solution)
        # the parts a student answers: all of them, or the one a multiple choice asks
        answered = [p for p in parts if question.format != "choice" or p.id == choice_part]
        checks = {
            p.id: check_mistakes(_graded(p, question), p.key, mistakes.get(p.id, []))
            for p in answered
        }
        flaw = next(((pid, c.scoring[0]) for pid, c in checks.items() if c.scoring), None)
        if flaw is not None:
            # a wrong method would earn the marks: this instance cannot tell it apart
            part_id, mistake = flaw
            reason = f"part {part_id}: the mistake '{mistake.diagnosis}' scores as correct"
            if question.fixed:
                raise SpecError(
                    spec.source,
                    f"{reason}; change the givens or the tolerance",
                    f"question {question.id}.givens",
                )
            continue
        known = {p.id: _distinct(p, checks[p.id].told_apart) for p in answered}
        entry = {
            "id": question.id,
            "params": params,
            # what groups the instance with its siblings, so stats never solves again
            "features": instance_features(family, params, question.difficulty),
            "answers": solution.answers,
        }
        texts = getattr(solution, "texts", None)  # a question file's, filled in: see render
        if texts:
            entry["texts"] = texts
        if question.format == "choice":
            choice = _as_choice(choice_part, parts, known, checks, solution, question, rng)
            if choice is None:
                reason = "too few distinct mistakes to make multiple-choice options"
                continue
            entry.update(choice)
        else:
            entry["parts"] = [_part(p, question, known[p.id], checks[p.id]) for p in parts]
            entry["steps"] = solution.steps
        if taken is not None:
            taken.add(identity)
        return entry
    raise SpecError(
        spec.source,
        f"no valid instance with these givens ({reason})",
        f"question {question.id}.givens",
    )


def _graded(part: Part, question: QuestionSpec) -> AnswerType:
    """The part's answer type as the grader will compare: the spec's tolerance applied."""
    if not question.tolerance:
        return part.answer
    return answer_type_from_json(_answer_type(part, question))


def _answer_type(part: Part, question: QuestionSpec) -> dict[str, Any]:
    answer_type = part.answer.to_json()
    if answer_type["kind"] in ("real", "matrix"):
        answer_type.update(question.tolerance)
    return answer_type


def _part(
    part: Part, question: QuestionSpec, known: list[Mistake], check: MistakeCheck
) -> dict[str, Any]:
    """A part as the manifest stores it, with the spec's rubric, its known mistakes and
    which of the family's named mistakes it tells apart from the key."""
    answer_type = _answer_type(part, question)
    rubric = question.rubric
    # the rubric's points as fractions of the part's: only true/false and multi-select have them
    scaled = {"truefalse": ("wrong",), "multiselect": ("per_error", "floor")}
    for name in scaled.get(answer_type["kind"], ()):
        if name in rubric:
            value = Fraction(rubric[name]).limit_denominator(10**6)
            answer_type[name] = str(value / Fraction(question.points).limit_denominator(10**6))
    entry = {"id": part.id, "label": part.label, "type": answer_type, "key": part.key}
    if part.follows:
        entry["follows"] = part.follows
    if known:
        entry["mistakes"] = [{"value": m.value, "diagnosis": m.diagnosis} for m in known]
    entry.update(_tested(check.told_apart, check.same_as_key))
    return entry


def _tested(told_apart: list[Mistake], same_as_key: list[Mistake]) -> dict[str, list[str]]:
    """The named mistakes a part tells apart from its key, and those that give the key
    itself in this instance, so cannot be tested by it; by diagnosis, each once."""
    lists = {"tells_apart": told_apart, "same_as_key": same_as_key}
    return {
        name: list(dict.fromkeys(m.diagnosis for m in mistakes))
        for name, mistakes in lists.items()
        if mistakes
    }


def _distinct(part: Part, mistakes: list[Mistake]) -> list[Mistake]:
    """Mistakes whose answers differ from the key and from each other, as the part's own
    comparison judges, so none could be graded correct."""
    answer = part.answer
    seen = [answer.read(part.key)]
    kept: list[Mistake] = []
    for mistake in mistakes:
        value = plain_json(mistake.value)
        parsed = answer.read(value)
        if isinstance(parsed, Invalid):
            continue
        if any(answer.agrees(parsed, other) for other in seen):
            continue
        kept.append(Mistake(value, mistake.diagnosis))
        seen.append(parsed)
    return kept


def _as_choice(
    part_id: str | None,
    parts: list[Part],
    known: dict[str, list[Mistake]],
    checks: dict[str, MistakeCheck],
    solution: Solution,
    question: QuestionSpec,
    rng: Any,
) -> dict[str, Any] | None:
    """The question as multiple choice: the key and up to three distractors from real
    mistakes, shuffled; None when the instance has fewer than two distinct mistakes."""
    part = next((p for p in parts if p.id == part_id), None)
    if part is None:  # the spec check lets only families with a choice part get here
        raise ValueError(f"{question.family} names no part {part_id!r} to ask as choice")
    distractors = known[part.id][:3]
    if len(distractors) < 2:
        return None
    options = [(part.key, "")] + [(m.value, m.diagnosis) for m in distractors]
    shown = [options[int(i)] for i in rng.permutation(len(options))]
    letters = "ABCD"
    key_letter = letters[next(n for n, (_, why) in enumerate(shown) if not why)]
    texts = [part.answer.display(value) for value, _ in shown]
    if len(set(texts)) < len(texts):
        return None  # two options that read the same
    # labelled as what the student does: the quantity's name invited its value (6500) instead
    choice_part = Part(
        "answer", "the letters of the options you choose", MultiSelect(len(shown)), key_letter
    )
    wrong = [Mistake(letters[n], why) for n, (_, why) in enumerate(shown) if why]
    lines = [
        f"({letters[n]}) {text}: " + (why or "correct")
        for n, (text, (_, why)) in enumerate(zip(texts, shown, strict=True))
    ]
    # the options test only the mistakes they show
    check = MistakeCheck(distractors, checks[part.id].same_as_key, [])
    return {
        "choice": {"part": part.id, "label": part.label, "options": texts},
        "parts": [_part(choice_part, question, wrong, check)],
        "steps": [*solution.steps, "The options: " + "; ".join(lines)],
    }
