"""What the families about a classifier's scores share (hinge and softmax losses): reading
labels, sampling scores as the notes write them, and the parts a batch loss asks for."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.family import Family, Part
from generator.formatting import counted


def labels_list(value: Any) -> list[int]:
    """One class index, or a list of them (one per example)."""
    items = value if isinstance(value, list) else [value]
    if not items or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in items):
        raise ValueError(f"expected a class index such as 0, or a list of them, got {value!r}")
    return items


def check_labels(family: Family, scores: list[list[float]], labels: list[int]) -> None:
    if len(labels) != len(scores):
        raise family.error(
            f"{counted(len(labels), 'label')} for {counted(len(scores), 'row')} of scores", "labels"
        )
    classes = len(scores[0])
    for label in labels:
        if label >= classes:
            raise family.error(
                f"class {label} does not exist: there are {classes} classes (0 to {classes - 1})",
                "labels",
            )


def sample_scores(rng: np.random.Generator, rows: int, classes: int, spread: int) -> list:
    """Scores in tenths, as the notes write them (3.2, 5.1, -1.7)."""
    return [[int(v) / 10 for v in rng.integers(-spread, spread + 1, classes)] for _ in range(rows)]


def batch_loss_parts(
    params: dict[str, Any], answers: dict[str, Any], grad_label: str, grad_atol: float
) -> list[Part]:
    """Each example's loss (for a batch), the loss, and its gradient with respect to the
    scores, a row per example."""
    n, classes = len(params["scores"]), len(params["scores"][0])
    parts = []
    if n > 1:
        parts.append(
            Part("losses", "loss of each example", Matrix(None, n, 0.01, 0.01), answers["losses"])
        )
    mean = " (mean over the batch)" if n > 1 else ""
    if params.get("reg"):
        # the label says what the key adds up, as the question does: no ½ before λ
        mean = (
            r" (the mean data loss plus $\lambda \lVert W \rVert^2$)"
            if n > 1
            else r" (the data loss plus $\lambda \lVert W \rVert^2$)"
        )
    parts.append(Part("loss", f"the loss $L${mean}", Real(0.01, 0.01), answers["loss"]))
    parts.append(
        Part(
            "grad_scores",
            f"{grad_label} ({n}x{classes}, a row per example)",
            Matrix(n, classes, 0.01, grad_atol),
            answers["grad_scores"],
        )
    )
    return parts
