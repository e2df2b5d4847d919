"""Multiclass SVM (hinge) and softmax cross-entropy losses with their score gradients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LossResult:
    losses: np.ndarray  # (N,) per example
    loss: float  # mean over the batch, plus any regularization
    grad_scores: np.ndarray  # (N, C): d loss / d scores
    margins: np.ndarray | None = None  # hinge: (N, C) s_j - s_y + margin, 0 at j = y
    probabilities: np.ndarray | None = None  # softmax: (N, C)
    data_loss: float = 0.0
    reg_loss: float = 0.0


def _check(scores: np.ndarray, labels: np.ndarray) -> None:
    if scores.ndim != 2 or scores.shape[0] != labels.shape[0]:
        raise ValueError("scores must be N x C with one label per row")
    if labels.min() < 0 or labels.max() >= scores.shape[1]:
        raise ValueError(f"labels must be class indices from 0 to {scores.shape[1] - 1}")


def hinge(
    scores: np.ndarray,
    labels: np.ndarray,
    margin: float = 1.0,
    reg: float = 0.0,
    weights: np.ndarray | None = None,
) -> LossResult:
    """L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ); L = mean L_i + λ‖W‖².

    The gradient is of the mean data loss; a margin of exactly 0 counts as inactive (the
    subgradient frameworks use).
    """
    _check(scores, labels)
    n = scores.shape[0]
    rows = np.arange(n)
    margins = scores - scores[rows, labels][:, None] + margin
    margins[rows, labels] = 0.0
    active = margins > 0
    losses = np.where(active, margins, 0.0).sum(axis=1)
    grad = active.astype(float)
    grad[rows, labels] = -active.sum(axis=1)
    data_loss = float(losses.mean())
    reg_loss = float(reg * np.sum(weights**2)) if weights is not None else 0.0
    return LossResult(
        losses,
        data_loss + reg_loss,
        grad / n,
        margins=margins,
        data_loss=data_loss,
        reg_loss=reg_loss,
    )


def softmax(scores: np.ndarray, labels: np.ndarray) -> LossResult:
    """p = softmax(s), L_i = −ln p_{y_i}, L = mean L_i, ∂L/∂s = (p − onehot(y))/N.

    Scores are shifted by their row maximum first, so large scores neither overflow nor
    lose the loss to rounding: L_i = ln Σ_j e^{s_j − m} − (s_{y_i} − m).
    """
    _check(scores, labels)
    n = scores.shape[0]
    rows = np.arange(n)
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    totals = exps.sum(axis=1)
    probabilities = exps / totals[:, None]
    losses = np.log(totals) - shifted[rows, labels]
    grad = probabilities.copy()
    grad[rows, labels] -= 1.0
    loss = float(losses.mean())
    return LossResult(losses, loss, grad / n, probabilities=probabilities, data_loss=loss)
