"""Shapes of the statistics and parameters of batch norm and layer norm, as in the notes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NormShapes:
    statistics: tuple[int, ...]  # shape of μ and σ
    parameters: tuple[int, ...]  # shape of γ and β
    count: int  # trainable parameters: γ and β


def norm_shapes(kind: str, input_shape: tuple[int, ...]) -> NormShapes:
    """kind: "batchnorm" over N x D or N x C x H x W, or "layernorm" over N x D."""
    if kind == "batchnorm" and len(input_shape) == 2:
        _, d = input_shape
        return NormShapes((1, d), (1, d), 2 * d)
    if kind == "batchnorm" and len(input_shape) == 4:
        _, c, _, _ = input_shape
        return NormShapes((1, c, 1, 1), (1, c, 1, 1), 2 * c)
    if kind == "layernorm" and len(input_shape) == 2:
        n, d = input_shape
        return NormShapes((n, 1), (1, d), 2 * d)
    raise ValueError(
        f"{kind} takes an N x D input" + (" or N x C x H x W" if kind == "batchnorm" else "")
    )
