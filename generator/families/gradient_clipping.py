"""Clipping a gradient by its norm: g ← g · c/‖g‖ when ‖g‖ > c."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, real, real_vector
from generator.formatting import short_number
from generator.registry import register
from solvers.regularization import clip_by_norm


@register
class GradientClipping(Family):
    name = "gradient_clipping"
    title = "Gradient clipping"
    summary = "Clip a gradient by its L2 norm: g · c/‖g‖ when ‖g‖ exceeds the threshold c"
    topic = "optimization"
    choice_part = "clipped"
    givens = {
        "g": Given(real_vector, "the gradient"),
        "threshold": Given(real(1e-9, 1e9), "the largest norm allowed, c"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = {"easy": 2, "medium": 3, "hard": 4}[difficulty]  # as many entries at a level
        if difficulty == "easy":
            g = rng.choice([[3, 4], [6, 8], [5, 12], [-3, 4], [8, -6]])
            return {"g": [int(v) for v in g], "threshold": float(rng.choice([1, 2, 5]))}
        g = rng.integers(-6, 7, n)
        threshold = float(rng.choice([1, 2, 3, 5, 20]))
        return {"g": g.tolist(), "threshold": threshold}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        norm = float(np.linalg.norm(np.array(params["g"], float)))
        return {"clipped": "yes" if norm > params["threshold"] else "no"}

    def solve(self, params: dict[str, Any]) -> Solution:
        g = np.array(params["g"], float)
        c = params["threshold"]
        result = clip_by_norm(g, c)
        squares = " + ".join(f"{term(v)}²" for v in g)
        steps = [f"‖g‖ = √({squares}) = {short_number(result.norm)}"]
        if result.scaled:
            steps.append(
                f"‖g‖ > {short_number(c)}: scale by c/‖g‖ = {short_number(c / result.norm)}"
                f", keeping the direction: "
                f"[{', '.join(short_number(v) for v in result.gradient)}]"
            )
        else:
            steps.append(f"‖g‖ ≤ {short_number(c)}: the gradient is left as it is")
        steps.append(
            "The norm is the square root of the sum of squares; the review's snippet "
            "np.sum(grad * grad) is the squared norm, which clips at √c instead"
        )
        return Solution(
            {"norm": result.norm, "clipped": result.gradient.tolist(), "scaled": result.scaled},
            steps,
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        g = np.array(params["g"], float)
        c = params["threshold"]
        squared = float(np.sum(g**2))
        found = [Mistake(np.clip(g, -c, c).tolist(), "clipping each entry instead of the norm")]
        if squared > c:
            found.append(
                Mistake(
                    (g * c / squared).tolist(),
                    "using the squared norm, as np.sum(grad * grad) computes",
                )
            )
        if not solution.answers["scaled"] and squared > 0:
            found.append(
                Mistake(
                    (g * c / np.sqrt(squared)).tolist(),
                    "scaling although the norm is within the threshold",
                )
            )
        return {
            "clipped": [m for m in found if m.value != solution.answers["clipped"]],
            "norm": [Mistake(squared, "giving the squared norm")],
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [
            Part("norm", "‖g‖", Real(0.01, 1e-3), solution.answers["norm"]),
            Part(
                "clipped",
                "the clipped gradient",
                Matrix(None, len(params["g"]), 0.01, 1e-3),
                solution.answers["clipped"],
            ),
        ]
