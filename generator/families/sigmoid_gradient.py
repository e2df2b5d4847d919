"""The sigmoid's gradient σ(x)(1 − σ(x)), its maximum 1/4, and vanishing gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Real
from generator.family import Family, Given, Mistake, Part, Solution, real, whole
from generator.formatting import short_number
from generator.registry import register
from solvers.activations import (
    MAX_SIGMOID_GRADIENT,
    chained_sigmoid_gradient,
    sigmoid,
    sigmoid_gradient,
    vanishing_bound,
)


@register
class SigmoidGradient(Family):
    name = "sigmoid_gradient"
    title = "The sigmoid's gradient"
    summary = "σ'(x) = σ(x)(1 − σ(x)), its maximum 0.25, and the bound after d sigmoid layers"
    topic = "backprop"
    choice_part = "gradient"
    givens = {
        "x": Given(real(-50, 50), "the sigmoid's input"),
        "layers": Given(whole(1, 100), "sigmoid layers stacked (default 1)", 1),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        # |x| <= 4: from 5 on, σ(x) or 1 − σ(x) is within 1 % of σ'(x), so the answer
        # could not tell the derivative from either mistake
        x = float(rng.choice([-4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4]))
        if difficulty == "easy":
            return {"x": x}
        return {"x": x, "layers": int(rng.integers(2, 11))}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        size = abs(params["x"])
        return {"x": "0" if size == 0 else "within ±1" if size <= 1 else "beyond ±1"}

    def solve(self, params: dict[str, Any]) -> Solution:
        x, layers = params["x"], params["layers"]
        s, g = sigmoid(x), sigmoid_gradient(x)
        steps = [
            rf"$\sigma({short_number(x)}) = 1 / (1 + e^{{{short_number(-x)}}}) = "
            f"{short_number(s)}$",
            r"$\sigma'(x) = \sigma(x)(1 - \sigma(x)) = "
            rf"{short_number(s)} \times {short_number(1 - s)} = {short_number(g)}$",
            r"$\sigma'$ is largest at $x = 0$, where $\sigma = 1/2$: "
            r"$\sigma'(0) = \frac{1}{2} \times \frac{1}{2} = 0.25$. For large $|x|$ it "
            "vanishes, and the chain rule multiplies everything below by it",
        ]
        answers: dict[str, Any] = {
            "sigmoid": s,
            "gradient": g,
            "max_gradient": MAX_SIGMOID_GRADIENT,
        }
        if layers > 1:
            bound = vanishing_bound(layers)
            _, chained = chained_sigmoid_gradient(x, layers)
            steps.append(
                f"Through {layers} sigmoid layers the chain rule multiplies {layers} "
                f"factors of at most 0.25 (weights aside): at most $0.25^{{{layers}}} = "
                f"{short_number(bound)}$"
            )
            steps.append(
                rf"For $\sigma(\sigma(\ldots \sigma(x)))$ with {layers} sigmoids at "
                f"$x = {short_number(x)}$ the product is {short_number(chained)}"
            )
            answers.update(bound=bound, chained_gradient=chained)
        return Solution(answers, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        s = solution.answers["sigmoid"]
        found = [
            Mistake(s, "giving σ(x) instead of its derivative"),
            Mistake(s * (1 + s), "σ(x)(1 + σ(x)): a sign error in σ(1 − σ)"),
            Mistake(1 - s, "forgetting the factor σ(x)"),
        ]
        return {"gradient": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        parts = [
            Part(
                "sigmoid", f"σ({short_number(params['x'])})", Real(0.01, 1e-4), answers["sigmoid"]
            ),
            Part(
                "gradient",
                f"σ'({short_number(params['x'])})",
                Real(0.01, 1e-5),
                answers["gradient"],
            ),
        ]
        if "bound" in answers:
            parts.append(
                Part(
                    "bound",
                    f"the largest factor {params['layers']} sigmoid layers can pass on",
                    Real(0.01, 1e-12),
                    answers["bound"],
                )
            )
        return parts
