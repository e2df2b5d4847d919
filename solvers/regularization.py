"""L2 regularization (weight decay), inverted dropout and gradient clipping."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class L2Step:
    penalty: float  # λ/2 ‖w‖²
    loss: float  # L + λ/2 ‖w‖²
    gradient: np.ndarray  # ∇L + λw
    weights: np.ndarray  # w − η(∇L + λw) = (1 − ηλ)w − η∇L


def l2_step(
    w: np.ndarray, data_loss: float, data_grad: np.ndarray, lam: float, lr: float
) -> L2Step:
    penalty = 0.5 * lam * float(np.sum(w**2))
    gradient = data_grad + lam * w
    return L2Step(penalty, data_loss + penalty, gradient, w - lr * gradient)


def inverted_dropout(h: np.ndarray, keep_mask: np.ndarray, p: float) -> np.ndarray:
    """Training-time dropout with drop probability p: kept units are scaled by 1/(1 − p), so
    the expected output equals h and the network is used unchanged at test time."""
    if not 0 <= p < 1:
        raise ValueError("the drop probability must be in [0, 1)")
    return h * keep_mask / (1.0 - p)


@dataclass(frozen=True)
class Clipped:
    norm: float
    gradient: np.ndarray
    scaled: bool


def clip_by_norm(g: np.ndarray, threshold: float) -> Clipped:
    """Rescale g to norm ``threshold`` when its L2 norm exceeds it; its direction is kept."""
    norm = float(np.sqrt(np.sum(g**2)))
    if norm > threshold:
        return Clipped(norm, g * (threshold / norm), True)
    return Clipped(norm, g.copy(), False)
