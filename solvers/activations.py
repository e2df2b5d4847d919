"""The sigmoid, its derivative σ'(x) = σ(x)(1 − σ(x)), and how it shrinks gradients."""

from __future__ import annotations

import math

MAX_SIGMOID_GRADIENT = 0.25  # at x = 0, where σ = 1/2


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def sigmoid_gradient(x: float) -> float:
    s = sigmoid(x)
    return s * (1.0 - s)


def vanishing_bound(layers: int) -> float:
    """Upper bound on the factor the sigmoids of ``layers`` layers contribute to a gradient."""
    return MAX_SIGMOID_GRADIENT**layers


def chained_sigmoid_gradient(x: float, layers: int) -> tuple[list[float], float]:
    """Inputs of each sigmoid in σ(σ(…σ(x))) and the derivative of the whole chain at x."""
    inputs, gradient, value = [], 1.0, x
    for _ in range(layers):
        inputs.append(value)
        gradient *= sigmoid_gradient(value)
        value = sigmoid(value)
    return inputs, gradient
