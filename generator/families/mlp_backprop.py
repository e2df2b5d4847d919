"""Backpropagation through a two-layer network by the four equations BP1–BP4."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.families.two_layer_network import TwoLayerNetwork
from generator.family import Mistake, Part, Solution
from generator.registry import register


@register
class MlpBackprop(TwoLayerNetwork):
    name = "mlp_backprop"
    title = "A two-layer network: backpropagation"
    summary = "δ2, δ1 and the gradients of W1, b1, W2, b2 by the equations BP1–BP4"
    topic = "backprop"
    choice_part = "dW2"

    def solve(self, params: dict[str, Any]) -> Solution:
        f, g = self.run(params)
        answers = {
            "delta2": g.delta2.tolist(),
            "delta1": g.delta1.tolist(),
            "dW2": g.W2.tolist(),
            "db2": g.b2.tolist(),
            "dW1": g.W1.tolist(),
            "db1": g.b1.tolist(),
        }
        return Solution(answers, self.forward_steps(params, f) + self.backward_steps(params, g))

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        a = solution.answers
        vectors = {"delta2": "δ2 = ∂L/∂z2 (BP1)", "delta1": "δ1 = ∂L/∂z1 (BP2)"}
        parts = [
            Part(name, label, Matrix(None, len(a[name]), 0.01, 1e-3), a[name])
            for name, label in vectors.items()
        ]
        for layer in ("2", "1"):
            w = np.array(a[f"dW{layer}"])
            parts.append(
                Part(
                    f"dW{layer}",
                    f"∂L/∂W{layer} ({w.shape[0]}x{w.shape[1]}, BP4)",
                    Matrix(w.shape[0], w.shape[1], 0.01, 1e-3),
                    a[f"dW{layer}"],
                )
            )
            parts.append(
                Part(
                    f"db{layer}",
                    f"∂L/∂b{layer} (BP3)",
                    Matrix(None, len(a[f"db{layer}"]), 0.01, 1e-3),
                    a[f"db{layer}"],
                )
            )
        return parts

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        arrays = self.arrays(params)
        delta2 = np.array(solution.answers["delta2"])
        no_derivative = arrays["W2"].T @ delta2
        z1 = arrays["W1"] @ arrays["x"] + arrays["b1"]
        return {
            "dW2": [
                Mistake(np.outer(delta2, z1).tolist(), "using z1 instead of h = g(z1) in BP4"),
                Mistake((-np.array(solution.answers["dW2"])).tolist(), "taking δ2 = y − z2"),
            ],
            "delta1": [Mistake(no_derivative.tolist(), "forgetting g'(z1) in BP2")],
            "dW1": [
                Mistake(np.outer(no_derivative, arrays["x"]).tolist(), "forgetting g'(z1) in BP2")
            ],
            "db1": [Mistake(no_derivative.tolist(), "forgetting g'(z1) in BP2")],
        }
