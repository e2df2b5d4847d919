"""Max pooling forward and the gradient it routes back, including overlapping windows and the
midterm's 1-D network with a ReLU before the pooling."""

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
    as_pair,
    boolean,
    pair,
    real_matrix,
)
from generator.formatting import short_number
from generator.registry import register
from solvers.pooling import maxpool


def _grid(value: Any) -> list[list[int | float]]:
    return real_matrix(value)


@register
class MaxpoolGrad(Family):
    name = "maxpool_grad"
    title = "Max pooling: forward pass and gradient routing"
    summary = "Max pooling forward and backward: the max routes the gradient, overlaps add"
    topic = "backprop"
    choice_part = "grad_input"
    givens = {
        "input": Given(_grid, "the input: rows of numbers, or one list for a 1-D signal"),
        "kernel": Given(pair(1), "window size: 2, or HxW such as 1x2 (a 1-D input: its width)"),
        "stride": Given(pair(1), "stride (default: the kernel, windows side by side)", None),
        "upstream": Given(_grid, "∂L/∂output, the shape of the output"),
        "relu": Given(boolean, "apply ReLU before pooling (default false)", False),
    }

    # A level fixes the matrices' sizes and the windows: easy, 4x4 in 2x2 windows that do
    # not overlap; medium, 4x4 in overlapping 2x2 windows of stride 1; hard, 5x5 in 3x3
    # windows of stride 2 after a ReLU. The midterm's 1-D network is asked through givens.
    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        size, kernel, stride = {"easy": (4, 2, 2), "medium": (4, 2, 1), "hard": (5, 3, 2)}[
            difficulty
        ]
        relu = difficulty == "hard"
        out = (size - kernel) // stride + 1
        while True:
            # distinct values: no ties anywhere, so no window has two maxima
            values = rng.permutation(np.arange(-9, 21))[: size * size].reshape(size, size)
            windows = [
                values[a * stride : a * stride + kernel, b * stride : b * stride + kernel]
                for a in range(out)
                for b in range(out)
            ]
            # after a ReLU a window of negatives would tie at 0: every window has a winner
            if not relu or all(window.max() > 0 for window in windows):
                break
        upstream = rng.integers(1, 6, (out, out)) * rng.choice([-1, 1], (out, out))
        return {
            "input": values.tolist(),
            "kernel": kernel,
            "stride": stride,
            "upstream": upstream.tolist(),
            **({"relu": True} if relu else {}),
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        one_d = len(params["input"]) == 1
        kernel = params["kernel"]
        if one_d and isinstance(kernel, int):
            params["kernel"] = f"1x{kernel}" if kernel != 1 else 1
        params.setdefault("stride", params["kernel"])
        if one_d and isinstance(params["stride"], int) and params["stride"] != 1:
            params["stride"] = f"1x{params['stride']}"
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        x = np.array(params["input"], dtype=float)
        kernel, stride = as_pair(params["kernel"]), as_pair(params["stride"])
        winners: list[tuple[int, int]] = []
        for a in range((x.shape[0] - kernel[0]) // stride[0] + 1):
            for b in range((x.shape[1] - kernel[1]) // stride[1] + 1):
                window = x[
                    a * stride[0] : a * stride[0] + kernel[0],
                    b * stride[1] : b * stride[1] + kernel[1],
                ]
                i, j = np.unravel_index(int(np.argmax(window)), window.shape)
                winners.append((a * stride[0] + int(i), b * stride[1] + int(j)))
        shared = len(set(winners)) < len(winners)
        return {
            "overlapping windows": "yes"
            if kernel[0] > stride[0] or kernel[1] > stride[1]
            else "no",
            "an input wins twice": "yes" if shared else "no",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        x = np.array(params["input"], dtype=float)
        upstream = np.array(params["upstream"], dtype=float)
        kernel, stride = as_pair(params["kernel"]), as_pair(params["stride"])
        try:
            result = maxpool(x, kernel, stride, upstream, params["relu"])
        except ValueError as error:
            given = "upstream" if "upstream" in str(error) else "kernel"
            raise self.error(str(error), given) from None
        one_d = x.shape[0] == 1
        where = (
            (lambda cell: f"z{cell[1] + 1}")
            if one_d
            else (lambda cell: f"({cell[0] + 1}, {cell[1] + 1})")
        )
        steps = []
        if params["relu"]:
            steps.append(
                f"ReLU first: [{', '.join(short_number(v) for v in result.relu_input.ravel())}]"
            )
        steps.append(
            f"Windows of {kernel[0]}x{kernel[1]} with stride {stride[0]}x{stride[1]}: "
            "each output is its window's maximum, and only that input gets the "
            "gradient (max routes it)"
        )
        counts: dict[tuple[int, int], list[str]] = {}
        for (a, b), cell in result.winners:
            g = upstream[a, b]
            passes = not params["relu"] or x[cell] > 0
            name = f"output {b + 1}" if one_d else f"output ({a + 1}, {b + 1})"
            note = "" if passes else f", but ReLU'({short_number(x[cell])}) = 0 blocks it"
            steps.append(
                f"{name} = {short_number(result.output[a, b])} from input {where(cell)}: "
                f"it receives {short_number(g)}{note}"
            )
            if passes:
                counts.setdefault(cell, []).append(term(g))
        for cell, amounts in counts.items():
            if len(amounts) > 1:
                steps.append(
                    f"Input {where(cell)} wins {len(amounts)} overlapping windows: "
                    f"its gradients add, {' + '.join(amounts)} = "
                    f"{short_number(result.grad_input[cell])}"
                )
        steps.append("Every other input gets 0")
        return Solution(
            {"output": result.output.tolist(), "grad_input": result.grad_input.tolist()}, steps
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        x = np.array(params["input"], dtype=float)
        upstream = np.array(params["upstream"], dtype=float)
        kernel, stride = as_pair(params["kernel"]), as_pair(params["stride"])
        result = maxpool(x, kernel, stride, upstream, params["relu"])
        overwrite = np.zeros_like(x)
        spread = np.zeros_like(x)
        for (a, b), cell in result.winners:
            if not params["relu"] or x[cell] > 0:
                overwrite[cell] = upstream[a, b]
            window = (
                slice(a * stride[0], a * stride[0] + kernel[0]),
                slice(b * stride[1], b * stride[1] + kernel[1]),
            )
            spread[window] += upstream[a, b] / (kernel[0] * kernel[1])
        one_d = x.shape[0] == 1

        def value(m: np.ndarray) -> Any:
            return m[0].tolist() if one_d else m.tolist()

        found = [
            Mistake(
                value(spread),
                "spreading the gradient over the window, as average "
                "pooling would, instead of routing it to the maximum",
            )
        ]
        if not np.array_equal(overwrite, result.grad_input):
            found.insert(
                0,
                Mistake(value(overwrite), "forgetting to add the gradients of overlapping windows"),
            )
        if params["relu"]:
            passed = np.zeros_like(x)
            for (a, b), cell in result.winners:
                passed[cell] += upstream[a, b]
            if not np.array_equal(passed, result.grad_input):
                found.append(
                    Mistake(
                        value(passed), "forgetting that ReLU blocks the gradient of negative inputs"
                    )
                )
        return {"grad_input": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        output, grad = solution.answers["output"], solution.answers["grad_input"]
        one_d = len(grad) == 1

        def shape(m: list[list[float]]) -> Matrix:
            return (
                Matrix(None, len(m[0]), 0.001, 1e-6)
                if one_d
                else Matrix(len(m), len(m[0]), 0.001, 1e-6)
            )

        def value(m: list[list[float]]) -> Any:
            return m[0] if one_d else m

        return [
            Part("output", "the pooled output", shape(output), value(output)),
            Part("grad_input", "∂L/∂input, the shape of the input", shape(grad), value(grad)),
        ]
