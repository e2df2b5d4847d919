"""Activation functions at a point: tanh(x) = 2σ(2x) − 1, and the derivatives of ReLU,
leaky ReLU and tanh."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.answers.types import Real
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, real
from generator.formatting import short_number
from generator.registry import register
from solvers.activations import sigmoid


def _nonzero(value: Any) -> float:
    number = real(-50, 50)(value)
    if number == 0:
        raise ValueError("ReLU has no derivative at 0: choose x ≠ 0")
    return number


@register
class ActivationIdentities(Family):
    name = "activation_identities"
    title = "Activation functions and their derivatives"
    summary = "tanh(x) = 2σ(2x) − 1; derivatives of ReLU, leaky ReLU and tanh at a point"
    topic = "activations"
    choice_part = "tanh_grad"
    givens = {
        "x": Given(_nonzero, "the point (not 0)"),
        "alpha": Given(real(0, 1), "leaky ReLU's slope for x < 0: max(αx, x) (default 0.1)", 0.1),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        x = float(rng.choice([v for v in range(-30, 31) if v])) / 10
        alpha = 0.1 if difficulty != "hard" else float(rng.choice([0.01, 0.2, 0.25]))
        return {"x": x, "alpha": alpha}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        # below 0 the ReLU family's derivatives are the ones students mix up
        return {"x": "negative" if params["x"] < 0 else "positive"}

    def solve(self, params: dict[str, Any]) -> Solution:
        x, alpha = params["x"], params["alpha"]
        s2 = sigmoid(2 * x)
        tanh = 2 * s2 - 1
        relu_grad = 1.0 if x > 0 else 0.0
        leaky_grad = 1.0 if x > 0 else alpha
        tanh_grad = 1 - math.tanh(x) ** 2
        xt = short_number(x)
        return Solution(
            {
                "sigmoid_2x": s2,
                "tanh": tanh,
                "relu_grad": relu_grad,
                "leaky_grad": leaky_grad,
                "tanh_grad": tanh_grad,
            },
            [
                f"σ(2x) = σ({short_number(2 * x)}) = {short_number(s2)}; tanh(x) = 2σ(2x) − 1 = "
                f"{short_number(tanh)}",
                f"ReLU'(x) is 1 for x > 0 and 0 for x < 0: ReLU'({xt}) = {short_number(relu_grad)}",
                f"Leaky ReLU max({short_number(alpha)}x, x) has slope 1 for x > 0 and "
                f"{short_number(alpha)} for x < 0: {short_number(leaky_grad)}",
                f"tanh'(x) = 1 − tanh²(x) = 1 − {term(math.tanh(x))}² = {short_number(tanh_grad)}",
            ],
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        tanh = solution.answers["tanh"]
        return {
            "tanh_grad": [
                Mistake(1 - tanh, "forgetting to square: 1 − tanh²(x)"),
                Mistake(1 + tanh**2, "1 + tanh²(x): a sign error"),
                Mistake(tanh, "giving tanh(x) instead of its derivative"),
            ],
            "tanh": [
                Mistake(2 * solution.answers["sigmoid_2x"], "forgetting the − 1"),
                Mistake(2 * sigmoid(params["x"]) - 1, "using σ(x) instead of σ(2x)"),
            ],
            "relu_grad": [
                Mistake(
                    1 - solution.answers["relu_grad"], "ReLU's slope is 1 for x > 0 and 0 for x < 0"
                )
            ],
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        xt = short_number(params["x"])
        return [
            Part("tanh", f"tanh({xt}) through the identity", Real(0.01, 1e-3), answers["tanh"]),
            Part("relu_grad", f"ReLU'({xt})", Real(0.01, 1e-6), answers["relu_grad"]),
            Part("leaky_grad", f"leaky ReLU'({xt})", Real(0.01, 1e-6), answers["leaky_grad"]),
            Part("tanh_grad", f"tanh'({xt})", Real(0.01, 1e-4), answers["tanh_grad"]),
        ]
