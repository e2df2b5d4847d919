"""Receptive field and effective stride of a stack of conv and pooling layers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from generator.answers.types import Integer
from generator.families.common.layerspec import parse_layer, shorthand
from generator.families.network_table import read_layers
from generator.family import Family, Given, Mistake, Part, Solution
from generator.registry import register
from solvers.network import (
    BatchNorm,
    Conv,
    LayerError,
    Pool,
    ReLU,
    backward_field,
    receptive_fields,
)


def _window_layers(value: Any) -> list[str]:
    """Layer specs whose windows a receptive field follows: a conv layer's filter count may
    be left out, as it changes no receptive field."""
    return read_layers(value, need_filters=False)


@register
class ReceptiveField(Family):
    name = "receptive_field"
    title = "Receptive field"
    summary = "Receptive field and effective stride of stacked conv/pool layers, n = k + s(m-1)"
    topic = "convolution"
    choice_part = "receptive_field"
    givens = {
        "layers": Given(
            _window_layers, "conv, pool, relu or bn layer specs, bottom first (conv's n optional)"
        ),
    }

    # A level fixes the stack: easy, two stride-1 convs; medium, three layers of which one
    # downsamples (a pool or a stride-2 conv); hard, four such, one conv maybe dilated.
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        count = {"easy": 2, "medium": 3, "hard": 4}[difficulty]
        kernels = [2, 3, 5, 7]
        layers: list[Any] = [Conv(k=int(rng.choice(kernels)), n=16, p=0) for _ in range(count)]
        if difficulty != "easy":
            where = int(rng.integers(count))
            layers[where] = Pool(k=2, s=2) if rng.random() < 0.5 else replace(layers[where], s=2)
        if difficulty == "hard" and rng.random() < 0.5:
            convs = [n for n, layer in enumerate(layers) if isinstance(layer, Conv)]
            where = convs[int(rng.integers(len(convs)))]
            layers[where] = replace(layers[where], d=2)
        # n is the receptive field's size in the worked steps: the specs leave the filters out
        return {"layers": [shorthand(layer, filters=False) for layer in layers]}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        layers = [parse_layer(spec, need_filters=False) for spec in params["layers"]]
        pooled = any(isinstance(layer, Pool) for layer in layers)
        strided = any(isinstance(layer, Conv) and layer.s > 1 for layer in layers)
        dilated = any(isinstance(layer, Conv) and layer.d > 1 for layer in layers)
        return {
            "downsampling": "pool" if pooled else "strided conv" if strided else "none",
            "dilated": "yes" if dilated else "no",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        layers = [parse_layer(spec, need_filters=False) for spec in params["layers"]]
        try:
            rows = receptive_fields(layers)
        except LayerError as error:
            spec = params["layers"][error.index - 1]
            raise self.error(f"layer {error.index} '{spec}': {error.message}", "layers") from None
        windows = []
        steps = [
            "Work down from one unit of the last layer (m = 1): a layer with kernel k and "
            "stride s sees n = k + s(m − 1) of its inputs for m adjacent outputs."
        ]
        for spec, layer in zip(params["layers"], layers, strict=True):
            if isinstance(layer, (Conv, Pool)):
                d = layer.d if isinstance(layer, Conv) else 1
                k_eff = d * (layer.k - 1) + 1
                windows.append((spec, k_eff, layer.s, d, layer.k))
        recursion = backward_field([(k, s) for _, k, s, _, _ in windows])
        for (spec, _, _, d, k_raw), (k, s, m, n) in zip(reversed(windows), recursion, strict=True):
            dilated = (
                f" (dilated kernel d(k − 1) + 1 = {d}·({k_raw} − 1) + 1 = {k})" if d > 1 else ""
            )
            steps.append(f"{spec}{dilated}: n = {k} + {s}·({m} − 1) = {n}")
        skipped = [
            spec
            for spec, layer in zip(params["layers"], layers, strict=True)
            if isinstance(layer, (ReLU, BatchNorm))
        ]
        if skipped:
            steps.append(f"{', '.join(skipped)} act elementwise and do not change the field")
        field, stride = rows[-1].receptive_field, rows[-1].effective_stride
        strides = "·".join(str(s) for _, _, s, _, _ in windows) or "1"
        steps.append(f"Receptive field: {field}x{field} input pixels")
        steps.append(f"Effective stride (product of the strides): {strides} = {stride}")
        answer_rows = [
            {
                "layer": spec,
                "receptive_field": row.receptive_field,
                "effective_stride": row.effective_stride,
            }
            for spec, row in zip(params["layers"], rows, strict=True)
        ]
        return Solution(
            {"receptive_field": field, "effective_stride": stride, "rows": answer_rows}, steps
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        windows = []
        for layer in (parse_layer(spec, need_filters=False) for spec in params["layers"]):
            if isinstance(layer, (Conv, Pool)):
                d = layer.d if isinstance(layer, Conv) else 1
                windows.append((layer.k, d * (layer.k - 1) + 1, layer.s))
        found = [
            Mistake(
                1 + sum(k_eff - 1 for _, k_eff, _ in windows),
                "ignoring the strides: each layer's growth is multiplied by the "
                "product of the strides below it",
            )
        ]
        if any(k != k_eff for k, k_eff, _ in windows):
            field, jump = 1, 1
            for k, _, s in windows:
                field, jump = field + (k - 1) * jump, jump * s
            found.append(Mistake(field, "forgetting the dilation"))
        product = 1
        for _, k_eff, _ in windows:
            product *= k_eff
        found.append(Mistake(product, "multiplying the kernel sizes"))
        found.append(Mistake(sum(k_eff for _, k_eff, _ in windows), "adding the kernel sizes"))
        return {"receptive_field": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [
            Part(
                "receptive_field",
                "receptive field (pixels along one side)",
                Integer(),
                solution.answers["receptive_field"],
            ),
            Part(
                "effective_stride",
                "effective stride (input pixels between adjacent outputs)",
                Integer(),
                solution.answers["effective_stride"],
            ),
        ]
