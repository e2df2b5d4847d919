"""Gradients through a matrix product D = XW given the upstream gradient ∂L/∂D."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MatmulGradients:
    output: np.ndarray  # D = XW, (n, h)
    grad_w: np.ndarray  # ∂L/∂W = Xᵀ ∂L/∂D, (m, h): the shape of W
    grad_x: np.ndarray  # ∂L/∂X = ∂L/∂D Wᵀ, (n, m): the shape of X


def matmul_gradients(x: np.ndarray, w: np.ndarray, grad_d: np.ndarray) -> MatmulGradients:
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"X ({x.shape}) and W ({w.shape}) cannot be multiplied")
    if grad_d.shape != (x.shape[0], w.shape[1]):
        raise ValueError(
            f"dL/dD must have D's shape {x.shape[0]}x{w.shape[1]}, got "
            f"{'x'.join(map(str, grad_d.shape))}"
        )
    return MatmulGradients(x @ w, x.T @ grad_d, grad_d @ w.T)
