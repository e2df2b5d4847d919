"""Regression losses and their gradients: mean squared error, and binary cross-entropy on
logits through the logistic function σ(z) = 1/(1 + e^(−z))."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RegressionLoss:
    loss: float
    gradient: np.ndarray  # ∂L/∂(predictions or logits)
    probabilities: np.ndarray | None = None  # σ(z) for binary cross-entropy


def mse(predictions: np.ndarray, targets: np.ndarray) -> RegressionLoss:
    """L = (1/n) Σ (ŷ_i − y_i)², ∂L/∂ŷ_i = (2/n)(ŷ_i − y_i)."""
    n = len(targets)
    diff = predictions - targets
    return RegressionLoss(float(np.mean(diff**2)), 2 * diff / n)


def binary_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> RegressionLoss:
    """p = σ(z), L = −(1/n) Σ [y ln p + (1 − y) ln(1 − p)], ∂L/∂z_i = (p_i − y_i)/n."""
    n = len(targets)
    p = 1.0 / (1.0 + np.exp(-logits))
    loss = -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    return RegressionLoss(float(loss), (p - targets) / n, p)
