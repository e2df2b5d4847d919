"""How a question's score depends on the variant a student drew.

Each question's answers are grouped by the features its family declares (recorded in
key.json when the exam was generated, so nothing is solved again). For each feature the
spread of the group means is tested against chance by permutation: the scores are shuffled
among the students who answered the question, which is exact when instances were drawn at
random, whoever drew them. The p-values are Holm-corrected over every (question, feature)
test, so the chance of any false flag in a class is at most ``ALPHA``.

A ridge fit of each question's share of points on its features then gives each student's
*expected* score: what the class would have scored on that student's variant. The same fit,
per family and difficulty, is the calibration ``generate --calibrate`` draws with.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import ExamgenError, printable, quoted
from generator.exam.calibrated import (
    CalibratedSpec,
    FeatureModel,
    calibrated,
    instance_digest,
)
from generator.exam.manifest import read_key
from generator.exam.spec import ExamSpec
from generator.grading.submission import find_key

ALPHA = 0.05  # the family-wise rate of false flags over a class's questions
PERMUTATIONS = 4999
SEED = 33  # the permutations' seed: stats of one report are the same on every run
SHRINK = 5.0  # ridge penalty: answers' worth of pull toward "this feature changes nothing"
SHOWN_STUDENTS = 8  # the hardest and the easiest exams a page lists


@dataclass(frozen=True)
class Answer:
    """One student's graded answer to one question, with its instance's features."""

    student: str
    question: str
    family: str
    difficulty: str
    points: float
    max_points: float
    features: dict[str, str]

    @property
    def share(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


def keys_of(report: dict[str, Any], exams: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The key of each exam the report covers, from ``exams/EXAM_ID/instructor/key.json``
    as grading finds it, and a note for each that cannot be read (its questions are then
    left out of the analysis of variants, never the whole item analysis)."""
    found, notes = {}, []
    for exam in report["exams"]:
        exam_id = exam["exam_id"]
        try:
            found[exam_id] = read_key(find_key(Path("report.json"), exam_id, exams))
        except ExamgenError as error:
            notes.append(f"variant difficulty left out for exam {quoted(exam_id)}: {error}")
    return found, notes


def answers_of(report: dict[str, Any], manifests: dict[str, dict[str, Any]]) -> list[Answer]:
    """Every graded answer of ``report`` whose variant is in ``manifests`` (by exam id) and
    records features; a question dropped, or from a key made before features, is left out."""
    variants = {
        (exam_id, variant["variant_id"]): (manifest, variant)
        for exam_id, manifest in manifests.items()
        for variant in manifest["variants"]
    }
    found = []
    for submission in report["submissions"]:
        match = variants.get((submission["exam_id"], submission["variant_id"]))
        if match is None:
            continue
        manifest, variant = match
        header = {q["id"]: q for q in manifest["questions"]}
        entries = {q["id"]: q for q in variant["questions"]}
        for question in submission["questions"]:
            entry = entries.get(question["id"])
            # dropped, from a key made before features, or a question the key does not hold
            if not question["parts"] or entry is None or "features" not in entry:
                continue
            found.append(
                Answer(
                    submission["student_id"],
                    question["id"],
                    question["family"],
                    str(header[question["id"]].get("difficulty", "")),  # a hand edit
                    question["points"],
                    question["max_points"],
                    entry["features"],
                )
            )
    return found


def fit(answers: list[Answer]) -> FeatureModel:
    """The mean share of points and each feature value's effect on it: ridge regression on
    one indicator per ``name=value``, which for one feature is each group's mean distance
    from the whole's, shrunk by its size n as n / (n + ``SHRINK``)."""
    shares = np.array([a.share for a in answers], float)
    names = sorted({f"{k}={v}" for a in answers for k, v in a.features.items()})
    column = {name: n for n, name in enumerate(names)}
    x = np.zeros((len(answers), len(names)))
    for row, answer in enumerate(answers):
        for k, v in answer.features.items():
            x[row, column[f"{k}={v}"]] = 1.0
    mean = float(shares.mean()) if len(shares) else 0.0
    if not names:
        return FeatureModel(mean, {}, len(answers))
    beta = np.linalg.solve(x.T @ x + SHRINK * np.eye(len(names)), x.T @ (shares - mean))
    effects = {name: round(float(b), 6) for name, b in zip(names, beta, strict=True)}
    return FeatureModel(round(mean, 6), effects, len(answers))


def estimate(answers: list[Answer]) -> dict[tuple[str, str], FeatureModel]:
    """A feature model per (family, difficulty), from every question asking it."""
    pooled: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        pooled[(answer.family, answer.difficulty)].append(answer)
    return {key: fit(items) for key, items in sorted(pooled.items())}


def _t_quantile(df: int) -> float:
    """Student's t at 0.975 with ``df`` degrees of freedom (Cornish-Fisher past 2)."""
    if df == 1:
        return 12.706
    if df == 2:
        return 4.303
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _between(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The spread of group means (sum of n·mean², up to a constant), per permutation row."""
    return (sums**2 / counts).sum(axis=-1)


def _permutation_ps(
    scores: np.ndarray, codings: list[np.ndarray], permutations: int, seed: list[int]
) -> list[float]:
    """The permutation p-value of each coding's spread of group means; every coding is
    tested on the same shuffles, drawn in chunks to bound the memory a large class takes."""
    onehots = []
    for codes in codings:
        onehot = np.zeros((len(codes), int(codes.max()) + 1))
        onehot[np.arange(len(codes)), codes] = 1.0
        onehots.append(onehot)
    counts = [onehot.sum(axis=0) for onehot in onehots]
    observed = [_between(scores @ o, c) for o, c in zip(onehots, counts, strict=True)]
    extreme = [0] * len(codings)
    rng = np.random.default_rng(seed)
    done = 0
    while done < permutations:
        chunk = min(_CHUNK, permutations - done)
        shuffled = scores[rng.permuted(np.tile(np.arange(len(scores)), (chunk, 1)), axis=1)]
        for n, (onehot, count) in enumerate(zip(onehots, counts, strict=True)):
            # ties by float noise count as at least as extreme
            floor = observed[n] - 1e-9 * max(1.0, abs(observed[n]))
            extreme[n] += int((_between(shuffled @ onehot, count) >= floor).sum())
        done += chunk
    return [(1 + e) / (1 + permutations) for e in extreme]


_CHUNK = 500


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: each p-value as the level at which it is rejected."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def variant_difficulty(
    answers: list[Answer], permutations: int = PERMUTATIONS, alpha: float = ALPHA
) -> dict[str, Any]:
    """Per question, the groups by feature (count, mean points, 95 % interval) and whether
    their spread is larger than chance; per student, the expected score of their variant."""
    by_question: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_question[answer.question].append(answer)
    questions, tests = [], []
    for index, (qid, items) in enumerate(by_question.items()):
        scores = np.array([a.points for a in items], float)
        features, codings = [], []
        for name in sorted({k for a in items for k in a.features}):
            values = [a.features.get(name, "–") for a in items]
            levels = sorted(set(values))
            groups = [_group(scores[[v == level for v in values]], level) for level in levels]
            feature = {"feature": name, "groups": groups, "p": None, "p_adjusted": None}
            features.append({**feature, "flagged": False})
            if len(levels) > 1:
                codings.append(np.array([levels.index(v) for v in values]))
        tested = [f for f in features if len(f["groups"]) > 1]
        for feature, p in zip(
            tested, _permutation_ps(scores, codings, permutations, [SEED, index]), strict=True
        ):
            feature["p"] = p
            tests.append(feature)
        questions.append(
            {
                "id": qid,
                "family": items[0].family,
                "students": len(items),
                "max_points": max(a.max_points for a in items),
                "features": features,
            }
        )
    for test, adjusted in zip(tests, holm([t["p"] for t in tests]), strict=True):
        test["p_adjusted"] = adjusted
        test["flagged"] = adjusted <= alpha
    return {
        "alpha": alpha,
        "permutations": permutations,
        "tests": len(tests),
        "questions": questions,
        "students": expected_scores(by_question),
    }


def _group(scores: np.ndarray, value: str) -> dict[str, Any]:
    n = len(scores)
    mean = float(scores.mean())
    half = None
    if n > 1:
        half = _t_quantile(n - 1) * float(scores.std(ddof=1)) / math.sqrt(n)
    return {
        "value": value,
        "count": n,
        "mean": mean,
        "low": None if half is None else mean - half,
        "high": None if half is None else mean + half,
    }


def expected_scores(by_question: dict[str, list[Answer]]) -> list[dict[str, Any]]:
    """Each student's expected score on their variant (the question fits' predictions,
    summed) and how far it lies from the class's mean expected score, hardest first."""
    expected: dict[str, float] = defaultdict(float)
    for items in by_question.values():
        model = fit(items)
        for answer in items:
            expected[answer.student] += answer.max_points * model.share(answer.features)
    if not expected:
        return []
    mean = sum(expected.values()) / len(expected)
    rows = [
        {"student_id": s, "expected": e, "class_mean": mean, "difference": e - mean}
        for s, e in expected.items()
    ]
    return sorted(rows, key=lambda r: (r["difference"], r["student_id"]))


def _interval(group: dict[str, Any]) -> str:
    if group["low"] is None:
        return "(one answer)"
    return f"[{group['low']:.2f}, {group['high']:.2f}]"


def difficulty_text(result: dict[str, Any]) -> list[str]:
    """The terminal's lines: flagged features first in each question, then who drew the
    hardest and the easiest exams."""
    lines = [
        f"Variant difficulty: mean points per group of instances, 95 % interval; a flag (!) "
        f"where the groups differ beyond chance (permutation test, Holm over "
        f"{result['tests']} tests, family-wise {result['alpha']:g})"
    ]
    for question in result["questions"]:
        lines.append(f"  {question['id']} ({question['family']}, {question['students']} students)")
        for feature in question["features"]:
            flag = "!" if feature["flagged"] else " "
            p = "" if feature["p_adjusted"] is None else f"  p = {feature['p_adjusted']:.3f}"
            groups = "; ".join(
                f"{g['value']}: {g['mean']:.2f} {_interval(g)} n={g['count']}"
                for g in feature["groups"]
            )
            lines.append(f"   {flag} {feature['feature']}: {groups}{p}")
    students = result["students"]
    if students:
        lines.append(
            f"Expected score of each student's variant: class mean {students[0]['class_mean']:.2f},"
            f" standard deviation {_sd([s['expected'] for s in students]):.2f}"
        )
        shown = students[:3] + [s for s in students[-3:] if s not in students[:3]]
        for row in shown:
            lines.append(f"    {row['student_id']:<16} {row['difference']:+.2f}")
    return [printable(line) for line in lines]


class CalibrationError(ExamgenError):
    """Graded classes that cannot calibrate an exam: no key found, no family in common."""


def calibration_for(spec: ExamSpec, classes: list[Path], exams: Path) -> CalibratedSpec:
    """``spec`` with feature models estimated from the graded ``classes`` (folders that
    ``grade --out`` wrote, their keys under ``exams``), for the questions they share."""
    from generator.grading.regrade import previous_report

    answers: list[Answer] = []
    for grades in classes:
        report = previous_report(grades)
        manifests, notes = keys_of(report, exams)
        if notes:
            raise CalibrationError(f"{grades}: {notes[0]}")
        answers += answers_of(report, manifests)
    asked = {(q.family, q.difficulty) for q in spec.questions}
    models = {key: model for key, model in estimate(answers).items() if key in asked}
    if not models:
        shown = ", ".join(str(grades) for grades in classes)
        raise CalibrationError(
            f"{shown}: no question of {spec.source} asks a family, at its difficulty, that "
            "these classes answered with features recorded"
        )
    return calibrated(spec, models)


def entropy(names: list[str]) -> float:
    """The Shannon entropy in bits of how ``names`` (one instance per student) are spread."""
    counts = Counter(names)
    total = len(names)
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


def calibration_lines(manifest: dict[str, Any]) -> list[str]:
    """What calibrated generation did: the spread of predicted scores before and after, and
    each calibrated question's variety (entropy of its instances, the most students sharing
    one) before and after."""
    variants = [v for v in manifest["variants"] if "calibration" in v]
    if not variants:
        return []
    first = [v["calibration"]["first_predicted"] for v in variants]
    kept = [v["calibration"]["predicted"] for v in variants]
    draws = sum(v["calibration"]["draws"] for v in variants)
    low, high = manifest["calibration"]["band"]
    before, after = _sd(first), _sd(kept)
    ratio = f" ({after / before:.0%} of it)" if before else ""
    lines = [
        f"Calibrated: predicted scores kept in [{low:.2f}, {high:.2f}] with {draws} draws for "
        f"{len(variants)} variants",
        f"  standard deviation of the predicted score: {before:.2f} before, {after:.2f} after"
        f"{ratio}; range {min(first):.2f}–{max(first):.2f} before, "
        f"{min(kept):.2f}–{max(kept):.2f} after",
        "  variety per question (entropy of its instances in bits; most students sharing one):",
    ]
    for qid in variants[0]["calibration"]["first_instances"]:
        old = [v["calibration"]["first_instances"][qid] for v in variants]
        new = [
            instance_digest(next(q for q in v["questions"] if q["id"] == qid)["params"])
            for v in variants
        ]
        lines.append(
            f"    {qid:<12} {entropy(old):.2f} → {entropy(new):.2f} bits; "
            f"{max(Counter(old).values())} → {max(Counter(new).values())} students"
        )
    return [printable(line) for line in lines]


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
