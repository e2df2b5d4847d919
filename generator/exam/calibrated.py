"""Calibrated generation: draw each student's instances again until the exam's predicted
score lies in a band, as Sud, West and Zilles (ASEE 2019) do for PrairieLearn's pools.

A graded class gives, per family and difficulty, the mean share of the points and how much
each feature of an instance moves it (``generator.grading.difficulty.estimate``). An
instance's predicted share is that mean plus the effects of its features; a variant's
predicted score is the sum over its questions of points times predicted share. The band is
the narrowest range holding two in five uncalibrated exams. Variants whose first draw
predicts a score outside it are drawn again, question by question
from streams keyed by the seed, the student, the question and the attempt, so the exam stays
reproducible; past ``MAX_ATTEMPTS`` the draw closest to the band is kept.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generator import registry
from generator.errors import GivenError
from generator.exam.seeding import question_rng, secret_key
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.family import Family

MAX_ATTEMPTS = 200  # draws of one variant; the band holds about two in five first draws
KEPT = 0.4  # the share of uncalibrated exams the band holds: about 2.5 draws a student
PROBES = 400  # draws per question to learn the spread of its predicted points
EXAMS = 4000  # uncalibrated exams put together from the probes to place the band


@dataclass(frozen=True)
class FeatureModel:
    """What a graded class says of one family at one difficulty."""

    mean: float  # the mean share of the points
    effects: dict[str, float]  # "name=value" -> how much that feature moves the share
    students: int  # the answers it was estimated from

    def share(self, features: dict[str, str]) -> float:
        moved = self.mean + sum(self.effects.get(f"{k}={v}", 0.0) for k, v in features.items())
        return min(1.0, max(0.0, moved))


@dataclass(frozen=True)
class Calibration:
    """Feature models by (family, difficulty), and the band of predicted scores."""

    models: dict[tuple[str, str], FeatureModel]
    low: float = -math.inf
    high: float = math.inf
    center: float = 0.0
    spread: float = 0.0  # the standard deviation of the uncalibrated predicted score

    def model(self, question: QuestionSpec) -> FeatureModel | None:
        return self.models.get((question.family, question.difficulty))

    def predicted(self, spec: ExamSpec, questions: list[dict[str, Any]]) -> float:
        """A variant's predicted score from its questions' recorded features."""
        total = 0.0
        for question, entry in zip(spec.questions, questions, strict=True):
            model = self.model(question)
            share = model.share(entry["features"]) if model else _UNKNOWN
            total += question.points * share
        return total


_UNKNOWN = 0.0  # a question no class calibrates adds the same to every variant


@dataclass(frozen=True)
class CalibratedSpec(ExamSpec):
    """An exam spec that generation draws with a calibration; the spec's text, and so the
    exam id, are the spec's own."""

    calibration: Calibration = field(default_factory=lambda: Calibration({}))


def instance_features(family: Family, params: dict[str, Any], difficulty: str) -> dict[str, str]:
    """The family's features of an instance; the difficulty where it declares none."""
    return dict(family.features(params)) or {"difficulty": difficulty}


def calibrated(spec: ExamSpec, models: dict[tuple[str, str], FeatureModel]) -> CalibratedSpec:
    """``spec`` with its band: the narrowest range of predicted scores that holds ``KEPT`` of
    uncalibrated exams. Each calibrated question's predicted points are probed ``PROBES``
    times and ``EXAMS`` exams put together from the probes, all from streams of their own."""
    key = secret_key(f"calibration probes {spec.text}")
    probes = []
    for question in spec.questions:
        model = models.get((question.family, question.difficulty))
        if model is None:
            continue
        family = registry.get(question.family)
        points = []
        for n in range(PROBES):
            rng = question_rng(key, f"probe{n}", question.id)
            try:
                raw = {**family.draw(rng, question.difficulty, question.givens), **question.givens}
                params = family.read_givens(raw)
            except GivenError:
                continue
            features = instance_features(family, params, question.difficulty)
            points.append(question.points * model.share(features))
        if points:
            probes.append(np.array(points))
    rng = question_rng(key, "exams", "band")
    totals = np.sort(sum((p[rng.integers(len(p), size=EXAMS)] for p in probes), np.zeros(EXAMS)))
    held = math.ceil(KEPT * EXAMS)
    widths = totals[held - 1 :] - totals[: EXAMS - held + 1]
    start = int(np.argmin(widths))  # the first of the narrowest: the same band on every run
    calibration = Calibration(
        models,
        float(totals[start]),
        float(totals[start + held - 1]),
        float(totals.mean()),
        float(totals.std(ddof=1)),
    )
    fields = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
    return CalibratedSpec(**fields, calibration=calibration)


def instance_digest(params: dict[str, Any]) -> str:
    """A short name for an instance: equal givens, equal names."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def attempt_id(question_id: str, attempt: int) -> str:
    """The stream name of a question's ``attempt``-th redraw; the first is the plain id, so
    a variant inside the band at once is the variant of uncalibrated generation."""
    return question_id if attempt == 0 else f"{question_id}\x00redraw {attempt}"
