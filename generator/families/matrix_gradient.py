"""Gradients of a matrix product: for D = XW, ∂L/∂W = Xᵀ ∂L/∂D and ∂L/∂X = ∂L/∂D Wᵀ."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, real_matrix
from generator.formatting import shape_text, short_number, tex_matrix
from generator.registry import register
from solvers.matrix import matmul_gradients


def _matrix(value: Any) -> list[list[int | float]]:
    return real_matrix(value, allow_vector=False)


@register
class MatrixGradient(Family):
    name = "matrix_gradient"
    title = "Gradients of a matrix product"
    summary = "For D = XW: ∂L/∂W = Xᵀ ∂L/∂D and ∂L/∂X = ∂L/∂D Wᵀ, with shapes"
    topic = "backprop"
    choice_part = "grad_W"
    givens = {
        "X": Given(_matrix, "X, n x m: a row per example"),
        "W": Given(_matrix, "W, m x h"),
        "grad_D": Given(_matrix, "∂L/∂D, n x h"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        if difficulty == "easy":
            n, m, h = 2, 2, 2
        # the inner size m and n + h fixed: the gradients have as many entries at a level
        elif difficulty == "medium":
            n, m, h = (2, 2, 3) if rng.random() < 0.5 else (3, 2, 2)
        else:  # all different, so a transposed answer is caught by its shape
            n, m, h = (2, 3, 4) if rng.random() < 0.5 else (4, 3, 2)

        def ints(rows: int, cols: int) -> list[list[int]]:
            return rng.integers(-3, 4, (rows, cols)).tolist()

        upstream = rng.choice([-3, -2, -1, 1, 2, 3], (n, h)).tolist()  # no zero: no dead column
        return {"X": ints(n, m), "W": ints(m, h), "grad_D": upstream}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        rows, cols = len(params["X"]), len(params["W"][0])
        return {
            "X rows vs W columns": "more" if rows > cols else "fewer" if rows < cols else "as many"
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        x, w, g = (np.array(params[k], dtype=float) for k in ("X", "W", "grad_D"))
        try:
            result = matmul_gradients(x, w, g)
        except ValueError as error:
            raise self.error(str(error), "grad_D" if "dL/dD" in str(error) else "W") from None
        arrays = {"X": x, "W": w, "D": g, "grad_W": result.grad_w, "grad_X": result.grad_x}
        shapes = {name: shape_text(array.shape) for name, array in arrays.items()}
        dw, dd, dx = (rf"\partial L / \partial {name}" for name in ("W", "D", "X"))
        steps = [
            f"Shapes: $X$ is {shapes['X']}, $W$ is {shapes['W']}, so $D = XW$ and ${dd}$ are "
            f"{shapes['D']}; each gradient has the shape of what it differentiates",
            rf"$\partial L / \partial W_{{uv}} = \sum_i \partial L / \partial D_{{iv}} \cdot "
            rf"X_{{iu}}$, that is ${dw} = X^\top {dd}$ "
            f"({shape_text(x.T.shape)} times {shapes['D']} = {shapes['grad_W']})",
        ]
        first = " + ".join(rf"{term(x[i, 0])} \times {term(g[i, 0])}" for i in range(x.shape[0]))
        steps.append(
            rf"For example $\partial L / \partial W_{{11}} = {first} = "
            f"{short_number(result.grad_w[0, 0])}$"
        )
        steps.append(f"${dw} = {tex_matrix(result.grad_w)}$")
        steps.append(
            rf"Likewise ${dx} = {dd} \, W^\top$ ({shapes['D']} times {shape_text(w.T.shape)}"
            f" = {shapes['grad_X']}): ${dx} = {tex_matrix(result.grad_x)}$"
        )
        return Solution(
            {
                "D": result.output.tolist(),
                "grad_W": result.grad_w.tolist(),
                "grad_X": result.grad_x.tolist(),
                "shapes": shapes,
            },
            steps,
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        x, w, g = (np.array(params[k], dtype=float) for k in ("X", "W", "grad_D"))
        grad_w, grad_x = np.array(solution.answers["grad_W"]), np.array(solution.answers["grad_X"])
        found_w = [Mistake((-grad_w).tolist(), "a sign error")]
        if g.T.shape[1] == x.shape[0]:
            found_w.append(Mistake((g.T @ x).tolist(), "computing (∂L/∂D)ᵀ X, the transpose"))
        found_x = [Mistake((-grad_x).tolist(), "a sign error")]
        if g.shape[1] == w.shape[0] and w.shape[1] == x.shape[1]:
            found_x.append(Mistake((g @ w).tolist(), "forgetting to transpose W"))
        return {"grad_W": found_w, "grad_X": found_x}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        grad_w, grad_x = solution.answers["grad_W"], solution.answers["grad_X"]
        return [
            Part(
                "grad_W",
                f"∂L/∂W ({len(grad_w)}x{len(grad_w[0])})",
                Matrix(len(grad_w), len(grad_w[0]), 0.001, 1e-6),
                grad_w,
            ),
            Part(
                "grad_X",
                f"∂L/∂X ({len(grad_x)}x{len(grad_x[0])})",
                Matrix(len(grad_x), len(grad_x[0]), 0.001, 1e-6),
                grad_x,
            ),
        ]
