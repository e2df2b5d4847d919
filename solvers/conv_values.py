"""The output values of a small convolution layer: cross-correlation, as deep-learning
frameworks compute it, or true convolution with the kernel flipped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConvValues:
    output: np.ndarray  # (F, H', W')
    padded: np.ndarray  # (C, H + 2p, W + 2p): the input the windows slide over
    kernels: np.ndarray  # (F, C, k, k): the kernels as applied (flipped for convolution)


def conv_forward(
    image: np.ndarray,
    filters: np.ndarray,
    bias: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    flip: bool = False,
) -> ConvValues:
    """``image`` (C, H, W), ``filters`` (F, C, k, k), ``bias`` (F,): every output cell is
    Σ_c Σ_i Σ_j x[c, r·s + i, q·s + j] · w[f, c, i, j] + b[f] over the zero-padded input."""
    if image.ndim != 3 or filters.ndim != 4 or bias.shape != (filters.shape[0],):
        raise ValueError("expected an input C x H x W, filters F x C x k x k and F biases")
    if filters.shape[1] != image.shape[0]:
        raise ValueError("each filter needs as many channels as the input")
    kh, kw = filters.shape[2:]
    padded = np.pad(image, ((0, 0), (padding, padding), (padding, padding)))
    height = (padded.shape[1] - kh) // stride + 1
    width = (padded.shape[2] - kw) // stride + 1
    if height < 1 or width < 1:
        raise ValueError("the kernel is larger than the padded input")
    kernels = filters[:, :, ::-1, ::-1] if flip else filters
    output = np.zeros((filters.shape[0], height, width))
    for f in range(filters.shape[0]):
        for r in range(height):
            for q in range(width):
                window = padded[:, r * stride : r * stride + kh, q * stride : q * stride + kw]
                output[f, r, q] = float(np.sum(window * kernels[f])) + bias[f]
    return ConvValues(output, padded, kernels)
