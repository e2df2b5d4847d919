"""Weights, biases and total parameters of one convolution or fully connected layer."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from generator.answers.types import Integer
from generator.families.common.worked import product_text
from generator.family import (
    Family,
    Given,
    Mistake,
    Part,
    Solution,
    as_pair,
    boolean,
    choice,
    dims,
    pair,
    whole,
)
from generator.registry import register
from solvers.conv import SizeError, conv_param_counts, fc_param_counts


def _features(value: Any) -> int | str:
    """A feature count, or a volume "HxWxC" that an FC layer flattens."""
    parts = dims(value, (1, 3))
    return parts[0] if len(parts) == 1 else "x".join(map(str, parts))


@register
class ConvParams(Family):
    name = "conv_params"
    title = "Parameters of a layer"
    summary = "Weights, biases and total parameters of a conv layer (groups, bias) or an FC layer"
    topic = "convolution"
    choice_part = "params"
    givens = {
        "layer": Given(choice("conv", "fc"), "conv or fc (default conv)", "conv"),
        "in_channels": Given(whole(1), "conv: channels of the input", None),
        "out_channels": Given(whole(1), "conv: number of filters", None),
        "kernel": Given(pair(1), "conv: kernel size, 5 or HxW such as 3x1", None),
        "groups": Given(whole(1), "conv: groups (default 1)", None),
        "in_features": Given(_features, "fc: inputs, a number or a volume HxWxC", None),
        "out_features": Given(whole(1), "fc: number of output neurons", None),
        "bias": Given(boolean, "whether the layer has biases (default true)", True),
    }
    _required = {
        "conv": ("in_channels", "out_channels", "kernel"),
        "fc": ("in_features", "out_features"),
    }
    _conv_only = ("in_channels", "out_channels", "kernel", "groups")

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        bias = difficulty == "easy" or bool(rng.random() < 0.8)
        if difficulty != "easy" and rng.random() < 0.3:
            if rng.random() < 0.5:
                side = int(rng.choice([4, 5, 7, 8]))
                features: int | str = f"{side}x{side}x{int(rng.choice([8, 10, 16, 32]))}"
            else:
                features = int(rng.choice([64, 100, 128, 256, 512]))
            out = int(rng.choice([10, 32, 64, 100, 128]))
            return {"layer": "fc", "in_features": features, "out_features": out, "bias": bias}
        in_channels = int(rng.choice([1, 3, 8, 16, 32, 64]))
        out_channels = int(rng.choice([6, 8, 10, 16, 32, 64]))
        k: int | str = int(rng.choice([1, 3, 5, 7]))
        params: dict[str, Any] = {"layer": "conv", "bias": bias}
        if difficulty == "hard":
            roll = rng.random()
            if roll < 0.35 and in_channels > 1:  # depthwise
                out_channels = in_channels * int(rng.choice([1, 2]))
                params["groups"] = in_channels
            elif roll < 0.6:
                groups = int(rng.choice([2, 4]))
                in_channels = groups * int(rng.choice([2, 4, 8]))
                out_channels = groups * int(rng.choice([2, 4, 8]))
                params["groups"] = groups
            elif roll < 0.8:
                k = str(rng.choice(["1x3", "3x1", "1x7", "7x1"]))
        params.update(in_channels=in_channels, out_channels=out_channels, kernel=k)
        return params

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        layer = params["layer"]
        for name in self._required[layer]:
            if name not in params:
                raise self.error(f"missing for a {layer} layer", name)
        allowed = self._conv_only if layer == "conv" else self._required["fc"]
        for name in (*self._conv_only, *self._required["fc"]):
            if name in params and name not in allowed:
                raise self.error(f"does not apply to a {layer} layer", name)
        if layer == "conv":
            params.setdefault("groups", 1)
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        if params.get("layer") == "fc":
            return {"layer": "fc", "bias": "yes" if params["bias"] else "no"}
        grouped = params.get("groups", 1) != 1
        return {
            "layer": "grouped conv" if grouped else "conv",
            "bias": "yes" if params["bias"] else "no",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        if params["layer"] == "fc":
            return self._solve_fc(params)
        c_in, c_out, groups = params["in_channels"], params["out_channels"], params["groups"]
        kh, kw = as_pair(params["kernel"])
        try:
            weights, biases = conv_param_counts(c_in, c_out, (kh, kw), groups, params["bias"])
        except SizeError as error:
            raise self.error(str(error), "groups") from None
        per_filter = (c_in // groups) * kh * kw
        steps = []
        if groups == 1:
            steps.append(
                f"Each filter spans all {c_in} input channels: {product_text(c_in, kh, kw)} "
                f"= {per_filter} weights"
            )
        else:
            steps.append(
                f"With {groups} groups each filter sees {c_in}/{groups} = {c_in // groups} "
                f"channels: {product_text(c_in // groups, kh, kw)} = {per_filter} weights"
            )
        steps.append(f"{c_out} filters: {product_text(c_out, c_in // groups, kh, kw)} = {weights}")
        steps.append(f"One bias per filter: {biases}" if params["bias"] else "No biases: 0")
        steps.append(f"Total: {weights} + {biases} = {weights + biases}")
        return Solution({"weights": weights, "biases": biases, "params": weights + biases}, steps)

    def _solve_fc(self, params: dict[str, Any]) -> Solution:
        features = params["in_features"]
        n_in = features if isinstance(features, int) else prod(map(int, features.split("x")))
        n_out = params["out_features"]
        weights, biases = fc_param_counts(n_in, n_out, params["bias"])
        steps = []
        if not isinstance(features, int):
            steps.append(f"Flatten the {features} input: {n_in} inputs")
        steps.append(
            f"Every output neuron has a weight per input: {product_text(n_in, n_out)} = {weights}"
        )
        steps.append(f"One bias per output neuron: {biases}" if params["bias"] else "No biases: 0")
        steps.append(f"Total: {weights} + {biases} = {weights + biases}")
        return Solution({"weights": weights, "biases": biases, "params": weights + biases}, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        weights, biases = solution.answers["weights"], solution.answers["biases"]
        found = [Mistake(weights, "forgetting the biases")] if biases else []
        if params["layer"] == "conv":
            kh, kw = as_pair(params["kernel"])
            c_in, c_out, groups = params["in_channels"], params["out_channels"], params["groups"]
            if c_in // groups > 1:
                found.append(
                    Mistake(
                        c_out * kh * kw + biases,
                        "forgetting the input depth: each filter spans every input channel",
                    )
                )
            if groups > 1:
                found.append(
                    Mistake(
                        c_out * c_in * kh * kw + biases,
                        "ignoring the groups: each filter sees only its group's channels",
                    )
                )
            found.append(
                Mistake(
                    c_in * kh * kw + biases, "counting one filter's weights instead of all filters'"
                )
            )
        else:
            found.append(
                Mistake(
                    solution.answers["weights"] // params["out_features"] + biases,
                    "counting one neuron's weights instead of all neurons'",
                )
            )
        if biases:
            found.append(
                Mistake(
                    weights + weights // max(biases, 1),
                    "adding a bias per weight of a filter instead of one per filter",
                )
            )
        return {"params": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [
            Part(name, label, Integer(), solution.answers[name])
            for name, label in (
                ("weights", "number of weights"),
                ("biases", "number of biases"),
                ("params", "the total number of parameters"),
            )
        ]
