"""Batch norm (fully connected and spatial) and layer norm: shapes of μ, σ, γ, β and the
number of trainable parameters."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Integer, Shape
from generator.family import Family, Given, Mistake, Part, Solution, choice, dims
from generator.formatting import shape_text
from generator.registry import register
from solvers.normalization import norm_shapes


def read_input(value: Any) -> str:
    return shape_text(dims(value, (2, 4)))


@register
class NormalizationShapes(Family):
    name = "normalization_shapes"
    title = "Batch norm and layer norm shapes"
    summary = "Shapes of μ, σ, γ, β for batch norm (FC and spatial) and layer norm; parameters"
    topic = "normalization"
    choice_part = "params"
    givens = {
        "kind": Given(choice("batchnorm", "layernorm"), "batchnorm or layernorm"),
        "input": Given(read_input, "the input's shape: NxD, or NxCxHxW for spatial batch norm"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = int(rng.choice([8, 16, 32, 64]))
        kind = "batchnorm" if difficulty == "easy" else str(rng.choice(["batchnorm", "layernorm"]))
        if kind == "batchnorm" and difficulty != "easy" and rng.random() < 0.6:
            c, side = int(rng.choice([3, 16, 32, 64])), int(rng.choice([8, 16, 28, 32]))
            return {"kind": kind, "input": f"{n}x{c}x{side}x{side}"}
        return {"kind": kind, "input": f"{n}x{int(rng.choice([10, 64, 100, 128, 256]))}"}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        spatial = len(str(params["input"]).split("x")) > 2
        return {"kind": params["kind"], "input": "spatial" if spatial else "vector"}

    def solve(self, params: dict[str, Any]) -> Solution:
        shape = tuple(int(d) for d in params["input"].split("x"))
        try:
            result = norm_shapes(params["kind"], shape)
        except ValueError as error:
            raise self.error(str(error), "input") from None
        if params["kind"] == "layernorm":
            why = (
                "Layer norm normalizes each example over its D features: one μ and σ per "
                "example (N x 1), with γ and β per feature (1 x D); it works the same at "
                "train and test time"
            )
        elif len(shape) == 4:
            why = (
                "Spatial batch norm normalizes each channel over the batch and all positions "
                "(N, H, W): one μ, σ, γ, β per channel, 1 x C x 1 x 1"
            )
        else:
            why = (
                "Batch norm normalizes each feature over the batch: one μ, σ, γ, β per "
                "feature, 1 x D"
            )
        return Solution(
            {
                "mean_shape": shape_text(result.statistics),
                "gamma_shape": shape_text(result.parameters),
                "params": result.count,
            },
            [
                why,
                f"μ and σ: {shape_text(result.statistics)}; "
                f"γ and β: {shape_text(result.parameters)}",
                f"Trainable parameters: γ and β, 2 × {result.count // 2} = {result.count}",
            ],
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        shape = [int(d) for d in params["input"].split("x")]
        count = solution.answers["params"]
        found = [Mistake(count // 2, "counting γ but not β")]
        if len(shape) == 4:
            found.append(
                Mistake(
                    2 * shape[1] * shape[2] * shape[3],
                    "a γ and β per position and channel, as layer norm would have",
                )
            )
        found.append(Mistake(4 * (count // 2), "counting μ and σ as trainable parameters"))
        statistics = "x".join(map(str, [shape[0]] + [1] * (len(shape) - 1)))
        if statistics != solution.answers["mean_shape"]:
            mean = [Mistake(statistics, "one μ per example, as layer norm computes")]
        else:
            mean = [
                Mistake(
                    "1x" + "x".join(map(str, shape[1:])),
                    "one μ per feature, as batch norm computes",
                )
            ]
        return {"params": found, "mean_shape": mean}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        return [
            Part("mean_shape", "the shape of μ (and σ)", Shape(), answers["mean_shape"]),
            Part("gamma_shape", "the shape of γ (and β)", Shape(), answers["gamma_shape"]),
            Part("params", "the number of trainable parameters", Integer(), answers["params"]),
        ]
