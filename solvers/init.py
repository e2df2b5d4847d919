"""Weight initialization scales: Xavier/Glorot and He (Kaiming) variances, and the variance
of a unit's pre-activation h = Σ_j W_ij x_j."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class InitScale:
    variance: float  # of each weight
    std: float  # of a normal initializer
    bound: float  # r of a uniform initializer U(−r, r) with the same variance


def fans_of_conv(in_channels: int, out_channels: int, kernel: tuple[int, int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a conv layer, as PyTorch counts them: channels × kernel area."""
    area = kernel[0] * kernel[1]
    return in_channels * area, out_channels * area


def init_scale(fan_in: int, fan_out: int, scheme: str = "xavier", gain: float = 1.0) -> InitScale:
    """Xavier: ½(n_in + n_out)σ² = 1, so σ² = gain²·2/(n_in + n_out).
    He: σ² = gain²·2/n_in, the factor 2 making up for ReLU zeroing half the inputs."""
    if fan_in < 1 or fan_out < 1:
        raise ValueError("fan_in and fan_out must be at least 1")
    if scheme == "xavier":
        variance = gain**2 * 2.0 / (fan_in + fan_out)
    elif scheme == "he":
        variance = gain**2 * 2.0 / fan_in
    else:
        raise ValueError(f"scheme must be xavier or he, got {scheme!r}")
    # U(−r, r) has variance r²/3
    return InitScale(variance, math.sqrt(variance), math.sqrt(3.0 * variance))


def preactivation_variance(fan_in: int, weight_variance: float, input_variance: float) -> float:
    """Var[h] = n_in σ² γ² for zero-mean, independent weights (σ²) and inputs (γ²)."""
    return fan_in * weight_variance * input_variance
