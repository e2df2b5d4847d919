"""Output size of a convolution, pooling or transposed-convolution layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import SpatialSize
from generator.families.common.worked import pair_steps
from generator.family import Family, Given, Mistake, Part, Solution, as_pair, choice, pair, whole
from generator.registry import register
from solvers.conv import (
    SizeError,
    output_size_working,
    transposed_output_size_working,
)


def _padding(value: Any) -> int | str:
    if isinstance(value, str) and value.strip().lower() == "same":
        return "same"
    return pair(0)(value)


FORMULAS = {
    "conv": "out = (in + 2p − k)/s + 1",
    "dilated": "out = (in + 2p − d(k − 1) − 1)/s + 1",
    "transposed": "out = (in − 1)·s − 2p + d(k − 1) + `output_padding` + 1",
}


@register
class ConvOutputSize(Family):
    name = "conv_output_size"
    title = "Convolution output size"
    summary = "Output size of a conv, pooling or transposed-conv layer (padding, stride, dilation)"
    topic = "convolution"
    choice_part = "output"
    givens = {
        "input": Given(pair(1), "input size: 32 or HxW such as 32x28"),
        "kernel": Given(pair(1), "kernel size: 5 or HxW such as 3x1"),
        "stride": Given(pair(1), "stride (default 1)", 1),
        "padding": Given(_padding, "padding on each side, or 'same' (default 0)", 0),
        "dilation": Given(pair(1), "dilation (default 1)", 1),
        "op": Given(choice("conv", "pool", "transposed"), "conv, pool or transposed", "conv"),
        "output_padding": Given(whole(0), "extra size of a transposed conv (default 0)", 0),
        "rounding": Given(choice("exact", "floor", "ceil"), "exact, floor or ceil", "exact"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            op = "conv"
        elif difficulty == "medium":
            op = str(rng.choice(["conv", "pool"]))
        else:
            op = str(rng.choice(["conv", "pool", "transposed"]))
        if op == "pool":
            k = int(rng.choice([2, 3]))
            s = 2 if k == 2 else int(rng.choice([1, 2]))
            p = int(rng.integers(0, k // 2 + 1))
            d = 1
        else:
            k = int(rng.choice([1, 3, 5, 7] if op == "conv" else [2, 3, 4]))
            s = int(rng.choice([1, 2] if difficulty == "easy" else [1, 2, 3]))
            p = int(rng.integers(0, (k + 1) // 2 + (difficulty != "easy")))
            d = 2 if difficulty == "hard" and op == "conv" and k > 1 and rng.random() < 0.4 else 1
        params: dict[str, Any] = {"kernel": k, "stride": s, "padding": p, "dilation": d, "op": op}
        if op == "transposed":
            params["input"] = int(rng.integers(3, 17))
            if s > 1 and rng.random() < 0.3:
                params["output_padding"] = 1
            return params
        k_eff = d * (k - 1) + 1
        outputs = [int(rng.integers(3, 33))]
        if difficulty == "hard":
            outputs.append(int(rng.integers(3, 33)))
        sizes = [(o - 1) * s + k_eff - 2 * p for o in outputs]
        if difficulty == "hard" and s > 1 and rng.random() < 0.35:
            # one extra input row that the stride cannot use, so rounding matters
            sizes = [size + 1 for size in sizes]
            # ceil mode is pooling's alone (PyTorch's ceil_mode): a convolution rounds down
            params["rounding"] = str(rng.choice(["floor", "ceil"])) if op == "pool" else "floor"
        if min(sizes) < max(k_eff, 4):
            sizes = [size + s * max(0, max(k_eff, 4) - min(sizes)) for size in sizes]
        params["input"] = sizes[0] if len(sizes) == 1 else f"{sizes[0]}x{sizes[1]}"
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        op, stride = params["op"], as_pair(params["stride"])
        floor = "no"
        if op != "transposed":
            sizes, kernels = as_pair(params["input"]), as_pair(params["kernel"])
            dilation = as_pair(params["dilation"])
            padding = (0, 0) if params["padding"] == "same" else as_pair(params["padding"])
            spans = [
                n + 2 * p - (d * (k - 1) + 1)
                for n, p, d, k in zip(sizes, padding, dilation, kernels, strict=True)
            ]
            floor = "yes" if any(span % s for span, s in zip(spans, stride, strict=True)) else "no"
        return {
            "op": op,
            "padded": "no" if params["padding"] in (0, "0") else "yes",
            "stride": "1" if max(stride) == 1 else "2+",
            "floor": floor,
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        op = params["op"]
        inputs = as_pair(params["input"])
        kernels = as_pair(params["kernel"])
        strides = as_pair(params["stride"])
        dilations = as_pair(params["dilation"])
        same = params["padding"] == "same"
        paddings = (None, None) if same else as_pair(params["padding"])
        if op != "transposed" and params["output_padding"]:
            raise self.error(
                "only a transposed convolution has an output padding", "output_padding"
            )
        if op != "conv" and same:
            raise self.error("'same' padding applies to convolutions only", "padding")
        if op == "pool" and dilations != (1, 1):
            raise self.error("pooling here has no dilation", "dilation")
        workings = []
        for axis in range(2):
            i, k, s, d = inputs[axis], kernels[axis], strides[axis], dilations[axis]
            p: int | str = "same" if same else paddings[axis]
            try:
                if op == "transposed":
                    working = transposed_output_size_working(
                        i, k, s, int(p), d, params["output_padding"]
                    )
                else:
                    if op == "pool" and 2 * int(p) > k:
                        raise SizeError(f"pooling padding {p} is more than half the kernel {k}")
                    working = output_size_working(i, k, s, p, d, params["rounding"])
            except SizeError as error:
                which = (
                    ""
                    if inputs[0] == inputs[1] and kernels[0] == kernels[1]
                    else (" (height)" if axis == 0 else " (width)")
                )
                raise self.error(f"{error}{which}") from None
            workings.append(working)
        height, width = workings
        square = inputs[0] == inputs[1] and kernels[0] == kernels[1]
        output: int | str = height.output if square else f"{height.output}x{width.output}"
        steps = self._steps(params, workings, same)
        steps.append(f"Output size: {output}" + ("" if square else " (height x width)"))
        return Solution({"output": output}, steps)

    def _steps(self, params: dict[str, Any], workings: list[Any], same: bool) -> list[str]:
        op = params["op"]
        dilated = params["dilation"] != 1
        key = "transposed" if op == "transposed" else ("dilated" if dilated else "conv")
        steps = [f"Formula: {FORMULAS[key]}"]
        if same:
            steps.append(
                "'Same' padding at stride 1 pads d(k − 1) in all, half before and any odd "
                "one after, so the size is kept."
            )
        if params["rounding"] == "ceil" and op != "transposed":
            mode = "Ceil mode (PyTorch's ceil_mode=True)" if op == "pool" else "Rounding up"
            steps.append(
                f"{mode} rounds up, but drops a last window that would start in the right padding."
            )
        return steps + pair_steps(*workings)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        inputs, kernels = as_pair(params["input"]), as_pair(params["kernel"])
        if params["op"] == "transposed":
            return {"output": self._transposed_mistakes(params, solution)}
        if params["padding"] == "same":
            return {"output": self._same_mistakes(params)}
        strides, paddings = as_pair(params["stride"]), as_pair(params["padding"])
        dilations = as_pair(params["dilation"])
        square = inputs[0] == inputs[1] and kernels[0] == kernels[1]

        def size(formula) -> Any:
            values = []
            for axis in range(2):
                i, k, s, p, d = (
                    inputs[axis],
                    kernels[axis],
                    strides[axis],
                    paddings[axis],
                    dilations[axis],
                )
                value = formula(i, k, s, p, d)
                if value is None or value != int(value) or value < 1:
                    return None
                values.append(int(value))
            return values[0] if square else f"{values[0]}x{values[1]}"

        candidates = [
            (
                lambda i, k, s, p, d: (i + p - (d * (k - 1) + 1)) / s + 1,
                "padding one side only: the padding is added on both sides, 2p",
            ),
            (
                lambda i, k, s, p, d: (i + 2 * p - (d * (k - 1) + 1)) / s,
                "forgetting the + 1 for the first window",
            ),
            (lambda i, k, s, p, d: (i - (d * (k - 1) + 1)) / s + 1, "forgetting the padding"),
            (
                lambda i, k, s, p, d: (i + 2 * p - k) / s + 1 if d > 1 else None,
                "forgetting the dilation: the kernel spans d(k − 1) + 1",
            ),
            (
                lambda i, k, s, p, d: (i + 2 * p - (d * (k - 1) + 1)) + 1 if s > 1 else None,
                "forgetting to divide by the stride",
            ),
        ]
        if params["rounding"] == "floor":
            candidates.append(
                (
                    lambda i, k, s, p, d: -(-(i + 2 * p - (d * (k - 1) + 1)) // s) + 1,
                    "rounding up where the layer rounds down",
                )
            )
        if params["rounding"] == "ceil":
            candidates.append(
                (
                    lambda i, k, s, p, d: (i + 2 * p - (d * (k - 1) + 1)) // s + 1,
                    "rounding down where the layer uses ceil mode",
                )
            )
        found = []
        for formula, diagnosis in candidates:
            value = size(formula)
            if value is not None:
                found.append(Mistake(value, diagnosis))
        return {"output": found}

    @staticmethod
    def _transposed_mistakes(params: dict[str, Any], solution: Solution) -> list[Mistake]:
        out = solution.answers["output"]
        if not isinstance(out, int):
            return []
        i, k, s, p = params["input"], params["kernel"], params["stride"], params["padding"]
        if not all(isinstance(v, int) for v in (i, k, s, p)):
            return []
        found = [Mistake(i * s, "multiplying the input by the stride, ignoring the kernel")]
        if p:
            found.append(Mistake(out + 2 * p, "forgetting the padding, which trims 2p"))
        if params["output_padding"]:
            found.append(Mistake(out - params["output_padding"], "forgetting the output padding"))
        if (i + 2 * p - k) % s == 0 and (i + 2 * p - k) // s + 1 >= 1:
            found.append(
                Mistake(
                    (i + 2 * p - k) // s + 1,
                    "using the convolution formula for a transposed convolution",
                )
            )
        found.append(Mistake(out - 1, "forgetting the + 1"))
        return found

    @staticmethod
    def _same_mistakes(params: dict[str, Any]) -> list[Mistake]:
        i, k, d = params["input"], params["kernel"], params["dilation"]
        if not all(isinstance(v, int) for v in (i, k, d)):
            return []
        k_eff = d * (k - 1) + 1
        found = []
        if i - k_eff + 1 >= 1:
            found.append(Mistake(i - k_eff + 1, "forgetting the padding"))
        found.append(Mistake(i + k_eff - 1, "adding the kernel instead of subtracting it"))
        found.append(Mistake(i + 1, "adding 1 although 'same' keeps the size"))
        return found

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [Part("output", "the output size", SpatialSize(), solution.answers["output"])]
