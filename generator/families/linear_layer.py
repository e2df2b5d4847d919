"""A linear layer z = Wx + b with small integer matrices, then an activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.families.common.worked import term
from generator.family import (
    Family,
    Given,
    Mistake,
    Part,
    Solution,
    choice,
    real_matrix,
    real_vector,
)
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.activations import sigmoid

ACTIVATIONS = {
    "none": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: np.array([sigmoid(float(v)) for v in z]),
    "tanh": np.tanh,
}


@register
class LinearLayer(Family):
    name = "linear_layer"
    title = "A linear layer"
    summary = "z = Wx + b for small integer matrices, then an activation (ReLU, sigmoid, tanh)"
    topic = "networks"
    choice_part = "z"
    givens = {
        "W": Given(lambda v: real_matrix(v, allow_vector=False), "the weights, a row per output"),
        "x": Given(real_vector, "the input vector"),
        "b": Given(real_vector, "the biases, one per output"),
        "activation": Given(choice(*ACTIVATIONS), "none, relu, sigmoid or tanh", "none"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        rows, cols = (2, 3) if difficulty == "easy" else (3, 4)  # as many sums at a level
        activation = {"easy": "none", "medium": "relu"}.get(
            difficulty, str(rng.choice(["relu", "sigmoid", "tanh"]))
        )
        low, high = (-3, 5) if activation in ("none", "relu") else (-1, 2)  # σ, tanh unsaturated
        return {
            "W": rng.integers(low, high, (rows, cols)).tolist(),
            "x": rng.integers(-2, 3, cols).tolist(),
            "b": rng.integers(low, high, rows).tolist(),
            "activation": activation,
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        rows, cols = len(params["W"]), len(params["W"][0])
        if len(params["x"]) != cols:
            raise self.error(f"W has {cols} columns, so x needs {cols} entries", "x")
        if len(params["b"]) != rows:
            raise self.error(f"W has {rows} rows, so b needs {rows} entries", "b")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        w, x, b = (np.array(params[k], dtype=float) for k in ("W", "x", "b"))
        negative = bool(np.any(w @ x + b < 0))
        return {"activation": params["activation"], "a negative z": "yes" if negative else "no"}

    def solve(self, params: dict[str, Any]) -> Solution:
        w, x, b = (np.array(params[k], dtype=float) for k in ("W", "x", "b"))
        z = w @ x + b
        steps = [r"$z_i = \sum_j W_{ij} x_j + b_i$, row by row:"]
        for i, row in enumerate(w):
            products = " + ".join(
                rf"{term(wij)} \times {term(xj)}" for wij, xj in zip(row, x, strict=True)
            )
            steps.append(f"$z_{{{i + 1}}} = {products} + {term(b[i])} = {short_number(z[i])}$")
        answers: dict[str, Any] = {"z": z.tolist()}
        activation = params["activation"]
        if activation != "none":
            a = ACTIVATIONS[activation](z)
            steps.append(f"{activation} elementwise: $a = {vector_text(a)}$")
            answers["a"] = a.tolist()
        return Solution(answers, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        w, x, b = (np.array(params[k], dtype=float) for k in ("W", "x", "b"))
        z = w @ x + b
        found = [
            Mistake((w @ x).tolist(), "forgetting the bias b"),
            Mistake((w @ x - b).tolist(), "subtracting the bias"),
        ]
        if w.shape[0] == w.shape[1]:
            found.append(Mistake((w.T @ x + b).tolist(), "multiplying by Wᵀ instead of W"))
        result = {"z": [m for m in found if m.value != z.tolist()]}
        if "a" in solution.answers:
            result["a"] = [Mistake(z.tolist(), "forgetting the activation")]
        return result

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        n = len(params["b"])
        parts = [Part("z", "z = Wx + b", Matrix(None, n, 0.001, 1e-6), solution.answers["z"])]
        if "a" in solution.answers:
            parts.append(
                Part(
                    "a",
                    f"a = {params['activation']}(z)",
                    Matrix(None, n, 0.01, 1e-3),
                    solution.answers["a"],
                )
            )
        return parts
