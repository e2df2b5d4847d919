"""Max pooling forward, and its backward pass that routes each upstream gradient to the
input that won its window (gradients add where windows overlap)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PoolResult:
    output: np.ndarray
    grad_input: np.ndarray
    winners: list[tuple[tuple[int, int], tuple[int, int]]]  # (output cell, input cell)
    relu_input: np.ndarray | None = None  # the input after ReLU, when ReLU comes first


def maxpool(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    upstream: np.ndarray,
    relu: bool = False,
) -> PoolResult:
    """Max pooling without padding over a 2-D array, optionally after a ReLU.

    A tie inside a window goes to the first maximum in row-major order, as PyTorch does.
    With ReLU first, an input whose ReLU output won the window passes the gradient only if
    it was positive (ReLU's derivative is 0 at and below 0).
    """
    kh, kw = kernel
    sh, sw = stride
    h, w = x.shape
    if kh > h or kw > w:
        raise ValueError(f"the window {kh}x{kw} is larger than the input {h}x{w}")
    rows = (h - kh) // sh + 1
    cols = (w - kw) // sw + 1
    if upstream.shape != (rows, cols):
        raise ValueError(f"upstream must be {rows}x{cols}, the output's shape")
    activated = np.maximum(x, 0.0) if relu else x
    output = np.zeros((rows, cols))
    grad = np.zeros_like(x, dtype=float)
    winners = []
    for a in range(rows):
        for b in range(cols):
            window = activated[a * sh : a * sh + kh, b * sw : b * sw + kw]
            i, j = np.unravel_index(int(np.argmax(window)), window.shape)
            cell = (a * sh + int(i), b * sw + int(j))
            output[a, b] = window[i, j]
            winners.append(((a, b), cell))
            if not relu or x[cell] > 0:
                grad[cell] += upstream[a, b]
    return PoolResult(output, grad, winners, activated if relu else None)
