"""A two-layer network, x → z1 = W1 x + b1 → h = g(z1) → z2 = W2 h + b2 → output → loss,
its backpropagation by the notes' four equations, and one step of gradient descent.

Outputs: ``squared_error`` keeps z2 as the prediction, L = ½‖z2 − y‖² (a sum, halved: not
the mean squared error of ``solvers.regression``); ``cross_entropy`` takes
p = softmax(z2) and L = −ln p_y for a class index y.

BP1  δ2 = ∂L/∂z2                      (z2 − y, or p − onehot(y))
BP2  δ1 = (W2ᵀ δ2) ⊙ g'(z1)
BP3  ∂L/∂b_l = δ_l
BP4  ∂L/∂W_l = δ_l a_{l−1}ᵀ            (a_0 = x, a_1 = h)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ACTIVATIONS = ("relu", "sigmoid", "tanh")
LOSSES = ("squared_error", "cross_entropy")


def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    """g'(z); ReLU's derivative at exactly 0 is taken as 0, as frameworks do."""
    if name == "relu":
        return (z > 0).astype(float)
    if name == "sigmoid":
        s = activate("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    raise ValueError(f"unknown activation {name!r}")


@dataclass(frozen=True)
class Forward:
    z1: np.ndarray
    h: np.ndarray
    z2: np.ndarray
    output: np.ndarray  # z2 for squared_error, softmax(z2) for cross_entropy
    loss: float


@dataclass(frozen=True)
class Gradients:
    delta2: np.ndarray
    delta1: np.ndarray
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def forward(
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    x: np.ndarray,
    y: np.ndarray | int,
    activation: str,
    loss: str,
) -> Forward:
    z1 = W1 @ x + b1
    h = activate(activation, z1)
    z2 = W2 @ h + b2
    if loss == "squared_error":
        output = z2
        value = 0.5 * float(np.sum((z2 - np.asarray(y, float)) ** 2))
    elif loss == "cross_entropy":
        output = softmax(z2)
        value = float(-np.log(output[int(y)]))
    else:
        raise ValueError(f"unknown loss {loss!r}")
    return Forward(z1, h, z2, output, value)


def backward(
    W2: np.ndarray, x: np.ndarray, y: np.ndarray | int, activation: str, loss: str, f: Forward
) -> Gradients:
    if loss == "squared_error":
        delta2 = f.z2 - np.asarray(y, float)
    else:
        delta2 = f.output.copy()
        delta2[int(y)] -= 1.0
    delta1 = (W2.T @ delta2) * derivative(activation, f.z1)
    return Gradients(delta2, delta1, np.outer(delta1, x), delta1, np.outer(delta2, f.h), delta2)


def sgd_step(weights: dict[str, np.ndarray], grads: Gradients, lr: float) -> dict[str, np.ndarray]:
    """θ ← θ − η ∂L/∂θ for W1, b1, W2 and b2."""
    return {name: weights[name] - lr * getattr(grads, name) for name in ("W1", "b1", "W2", "b2")}
