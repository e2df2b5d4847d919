"""The output values of a small convolution: slide each filter over the zero-padded input,
multiply, add up, add the bias. Deep-learning layers compute cross-correlation; true
convolution flips the kernel first."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, choice, real, whole
from generator.formatting import counted, short_number, tex_matrix
from generator.registry import register
from solvers.conv_values import conv_forward

MODES = ("cross-correlation", "convolution")
# (size, kernel, stride, padding): a 3x3 output for one channel at easy and medium, 2x2 for
# two channels at hard; medium and hard vary the stride and padding
_GEOMETRIES = {
    "easy": [(4, 2, 1, 0), (5, 3, 1, 0)],
    "medium": [(4, 2, 1, 0), (5, 3, 1, 0), (3, 3, 1, 1), (5, 3, 2, 1), (6, 2, 2, 0)],
    "hard": [(3, 2, 1, 0), (4, 3, 1, 0), (4, 2, 2, 0), (5, 3, 2, 0), (3, 3, 2, 1)],
}


def _numbers(value: Any, depth: int, what: str) -> Any:
    """Nested lists of numbers, ``depth`` deep, rectangular."""
    array = np.array(value, dtype=object) if isinstance(value, list) else None
    if array is None or array.ndim != depth or array.size == 0 or array.size > 400:
        raise ValueError(f"expected {what}")
    number = real(-1000, 1000)
    return np.vectorize(number, otypes=[object])(array).tolist()


def read_input(value: Any) -> list:
    """H x W, or C x H x W with 1 or 2 channels, as nested lists."""
    depth = _depth(value)
    if depth not in (2, 3):
        raise ValueError("expected the input as rows (H x W) or channels of rows (C x H x W)")
    return _numbers(value, depth, "a rectangular H x W or C x H x W list of numbers")


def read_filters(value: Any) -> list:
    """k x k (one filter on a one-channel input) or F x C x k x k (F filters of C channels
    each), as nested lists. Three levels are ambiguous, F filters or one filter of C
    channels, so a one-channel input's F x k x k filters are written F x 1 x k x k and any
    other three-level list is refused."""
    depth = _depth(value)
    if depth not in (2, 3, 4):
        raise ValueError("expected filters as k x k or F x C x k x k lists")
    return _numbers(value, depth, "a rectangular list of square kernels")


def read_bias(value: Any) -> list:
    if not isinstance(value, list):
        value = [value]
    number = real(-1000, 1000)
    if not value or len(value) > 4:
        raise ValueError("expected one bias per filter")
    return [number(v) for v in value]


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    return depth


def arrays(params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The input (C, H, W), filters (F, C, k, k) and biases (F,) as the solver takes them."""
    image = np.array(params["input"], dtype=float)
    image = image[None] if image.ndim == 2 else image
    filters = np.array(params["filters"], dtype=float)
    if filters.ndim == 2:
        filters = filters[None, None]
    return image, filters, np.array(params["bias"], dtype=float)


@register
class ConvForward(Family):
    name = "conv_forward"
    title = "Convolution by hand"
    summary = "The output values of a small convolution or cross-correlation, stride, padding"
    topic = "convolution"
    choice_part = "output"
    givens = {
        "input": Given(read_input, "the input, H x W or C x H x W nested lists"),
        "filters": Given(
            read_filters, "k x k (one filter, one channel) or F x C x k x k nested lists"
        ),
        "bias": Given(read_bias, "one bias per filter (default 0)", [0]),
        "stride": Given(whole(1, 4), "the stride (default 1)", 1),
        "padding": Given(whole(0, 3), "zeros added on each side (default 0)", 0),
        "mode": Given(choice(*MODES), "cross-correlation (default) or convolution", MODES[0]),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        # (size, kernel, stride, padding) of one output size per level: every student of a
        # level computes as many outputs, by the same kind of windows
        shapes = _GEOMETRIES[difficulty]
        size, kernel, stride, padding = shapes[int(rng.integers(len(shapes)))]
        channels = 2 if difficulty == "hard" else 1
        image = rng.integers(-2, 4, (channels, size, size)).tolist()
        filters = rng.integers(-1, 2, (1, channels, kernel, kernel)).tolist()
        return {
            "input": image[0] if channels == 1 else image,
            "filters": filters[0][0] if channels == 1 else filters,
            "bias": rng.integers(-2, 3, 1).tolist(),
            "stride": stride,
            "padding": padding,
            "mode": MODES[1] if difficulty == "hard" and rng.random() < 0.5 else MODES[0],
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        image = np.array(params["input"], dtype=float)
        image = image[None] if image.ndim == 2 else image
        if image.shape[0] > 2:
            raise self.error("at most 2 input channels", "input")
        filters = np.array(params["filters"], dtype=float)
        if filters.shape[-1] != filters.shape[-2]:
            raise self.error("kernels must be square", "filters")
        if filters.ndim == 4 and filters.shape[1] != image.shape[0]:
            raise self.error(f"each filter needs {counted(image.shape[0], 'channel')}", "filters")
        if filters.ndim == 3:
            if image.shape[0] != 1:
                raise self.error(
                    "three levels are ambiguous (F filters, or one filter of C channels): "
                    f"write the filters F x C x k x k, with C = {image.shape[0]}",
                    "filters",
                )
            params["filters"] = [[kernel] for kernel in params["filters"]]  # F x 1 x k x k
        _, filters3, _ = arrays({**params, "bias": [0]})
        if filters3.shape[0] > 2:
            raise self.error("at most 2 filters", "filters")
        if len(params["bias"]) != filters3.shape[0]:
            if len(params["bias"]) != 1:
                raise self.error(f"expected {filters3.shape[0]} biases", "bias")
            params["bias"] = params["bias"] * filters3.shape[0]
        padded = image.shape[1] + 2 * params["padding"]
        if filters3.shape[2] > padded or filters3.shape[2] > image.shape[2] + 2 * params["padding"]:
            raise self.error("the kernel is larger than the padded input", "filters")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {
            "mode": params["mode"],
            "padded": "yes" if params["padding"] else "no",
            "stride": "1" if params["stride"] == 1 else "2+",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        image, filters, bias = arrays(params)
        flip = params["mode"] == "convolution"
        result = conv_forward(image, filters, bias, params["stride"], params["padding"], flip)
        out = result.output
        k, s, p = filters.shape[2], params["stride"], params["padding"]
        size = image.shape[1] + 2 * p
        steps = [
            f"Output size: (n + 2p − k)/s + 1 = ({image.shape[1]} + 2·{p} − {k})/{s} + 1 "
            f"= {out.shape[1]} (floor), so each output is {out.shape[1]}x{out.shape[2]}",
        ]
        if flip:
            steps.append(
                "Convolution flips each kernel (rows and columns) before sliding it: "
                f"${tex_matrix(result.kernels[0, 0])}$"
            )
        if p:
            steps.append(f"Pad the input with {counted(p, 'zero')} on each side: {size}x{size}")
        window = result.padded[:, :k, :k]
        products = " + ".join(
            f"{term(a)}·{term(w)}"
            for a, w in zip(window.ravel(), result.kernels[0].ravel(), strict=True)
        )
        steps.append(
            f"Cell (1, 1) of output 1: the top-left {k}x{k} window times the kernel, plus the "
            f"bias: {products} + {term(bias[0])} = {short_number(out[0, 0, 0])}"
        )
        steps.append(
            f"Slide the window by {s} to fill every cell"
            + "".join(f"; output {f + 1} $= {tex_matrix(out[f])}$" for f in range(out.shape[0]))
        )
        answers: dict[str, Any] = {"output": out[0].tolist() if out.shape[0] == 1 else out.tolist()}
        return Solution(answers, steps)

    def choice_part_for(self, params: dict[str, Any], solution: Solution) -> str | None:
        return "output" if np.array(solution.answers["output"]).ndim == 2 else "output_1"

    def _names(self, channels: int) -> list[str]:
        return ["output"] if channels == 1 else [f"output_{f + 1}" for f in range(channels)]

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        output = np.array(solution.answers["output"])
        maps = output[None] if output.ndim == 2 else output
        rows, cols = maps.shape[1:]
        return [
            Part(
                name,
                f"output {f + 1} ({rows}x{cols})"
                if maps.shape[0] > 1
                else f"the output ({rows}x{cols})",
                Matrix(rows, cols, 0.001, 1e-6),
                maps[f].tolist(),
            )
            for f, name in enumerate(self._names(maps.shape[0]))
        ]

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        image, filters, bias = arrays(params)
        flip = params["mode"] == "convolution"
        wrong = {
            "flipping the kernel or not: convolution and cross-correlation confused": (
                conv_forward(image, filters, bias, params["stride"], params["padding"], not flip)
            ),
            "forgetting the bias": conv_forward(
                image, filters, 0 * bias, params["stride"], params["padding"], flip
            ),
        }
        if params["padding"]:
            wrong["forgetting the zero padding"] = conv_forward(
                image, filters, bias, params["stride"], 0, flip
            )
        if params["stride"] > 1:
            wrong["sliding by 1 instead of the stride"] = conv_forward(
                image, filters, bias, 1, params["padding"], flip
            )
        right = conv_forward(image, filters, bias, params["stride"], params["padding"], flip)
        names = self._names(right.output.shape[0])
        return {
            name: [
                Mistake(result.output[f].tolist(), why)
                for why, result in wrong.items()
                if result.output[f].shape != right.output[f].shape
                or not np.allclose(result.output[f], right.output[f])
            ]
            for f, name in enumerate(names)
        }
