"""Inverted dropout h' = h/(1 − p) on kept units: the scaled activations for a mask, the
expected value, and what the layer does at test time."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.family import Family, Given, Mistake, Part, Solution, real, real_vector
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.regularization import inverted_dropout


def read_mask(value: Any) -> list[int]:
    if (
        not isinstance(value, list)
        or not value
        or any(v not in (0, 1) or isinstance(v, bool) for v in value)
    ):
        raise ValueError("expected a list of 0 (dropped) and 1 (kept), such as [1, 0, 1]")
    return value


@register
class Dropout(Family):
    name = "dropout"
    title = "Inverted dropout"
    summary = "Inverted dropout h/(1−p): scaled activations, unchanged expectation, test time"
    topic = "regularization"
    choice_part = "output"
    givens = {
        "h": Given(real_vector, "the activations"),
        "mask": Given(read_mask, "1 where a unit is kept, 0 where it is dropped"),
        "p": Given(real(0, 0.99), "the probability of dropping a unit"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 4 if difficulty == "easy" else 6
        p = float(rng.choice([0.5, 0.25, 0.2] if difficulty == "easy" else [0.2, 0.25, 0.4, 0.5]))
        mask = (rng.random(n) >= p).astype(int)
        if mask.all() or not mask.any():  # some kept and some dropped
            mask[int(rng.integers(n))] ^= 1
        return {"h": (rng.integers(-10, 21, n) / 10).tolist(), "mask": mask.tolist(), "p": p}

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        if len(params["mask"]) != len(params["h"]):
            raise self.error("needs one entry per activation", "mask")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"p": f"{params['p']:g}"}

    def solve(self, params: dict[str, Any]) -> Solution:
        h, mask, p = np.array(params["h"], float), np.array(params["mask"], float), params["p"]
        out = inverted_dropout(h, mask, p)
        scale = short_number(1 / (1 - p))
        return Solution(
            {"output": out.tolist(), "expected": h.tolist(), "test_output": h.tolist()},
            [
                f"Kept units are divided by $1 - p = {short_number(1 - p)}$, that is multiplied"
                f" by {scale}; dropped units become 0: $h' = {vector_text(out)}$",
                r"$\operatorname{E}[h'_i] = (1 - p) \cdot h_i / (1 - p) + p \cdot 0 = h_i$:"
                f" the expectation is unchanged, ${vector_text(h)}$",
                "At test time dropout is off and, because training already rescaled, nothing is "
                "scaled: the layer outputs h itself",
            ],
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        h, mask, p = np.array(params["h"], float), np.array(params["mask"], float), params["p"]
        return {
            "output": [
                Mistake((h * mask).tolist(), "forgetting to scale the kept units by 1/(1 − p)"),
                Mistake(
                    (h * mask * (1 - p)).tolist(), "multiplying by (1 − p) instead of dividing"
                ),
                Mistake((h * mask / p).tolist(), "dividing by p instead of 1 − p"),
            ],
            "test_output": [
                Mistake(
                    (h * (1 - p)).tolist(),
                    "scaling at test time, which inverted dropout does not do",
                )
            ],
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        n = len(params["h"])
        answers = solution.answers
        return [
            Part(
                "output",
                "$h'$ during training, for this mask",
                Matrix(None, n, 0.01, 1e-3),
                answers["output"],
            ),
            Part(
                "expected",
                "$\\operatorname{E}[h']$ over random masks",
                Matrix(None, n, 0.01, 1e-3),
                answers["expected"],
            ),
            Part(
                "test_output",
                "the layer's output at test time",
                Matrix(None, n, 0.01, 1e-3),
                answers["test_output"],
            ),
        ]
