"""Output sizes and parameter counts of convolution, pooling and fully connected layers.

Sizes follow the course's formula ``out = (in + pad_total - k_eff)/s + 1`` with the dilated
kernel extent ``k_eff = d(k - 1) + 1``; with symmetric padding ``pad_total = 2p``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Rounding = Literal["exact", "floor", "ceil"]
ROUNDINGS: tuple[Rounding, ...] = ("exact", "floor", "ceil")


class SizeError(ValueError):
    """A layer configuration has no valid output size."""


@dataclass(frozen=True)
class SizeWorking:
    """One output-size computation, kept so a worked solution can show it."""

    formula: str  # the formula with the numbers substituted, e.g. "(32 + 2·2 − 5)/1 + 1"
    exact: Fraction  # its exact value before rounding
    output: int
    note: str = ""  # what rounding did, when it changed anything


def effective_kernel(k: int, d: int = 1) -> int:
    """Extent of a kernel of size k with dilation d."""
    return d * (k - 1) + 1


def same_padding(k: int, d: int = 1) -> tuple[int, int]:
    """Padding (before, after) that keeps the size at stride 1; the odd extra goes after."""
    total = d * (k - 1)
    return total // 2, total - total // 2


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise SizeError(f"{name} must be at least 1, got {value}")


def output_size_working(
    i: int,
    k: int,
    s: int = 1,
    p: int | str = 0,
    d: int = 1,
    rounding: Rounding = "exact",
) -> SizeWorking:
    """Output size of a convolution or pooling window sliding over ``i`` positions.

    ``p`` is the padding on each side, or ``"same"`` (stride 1 only, as in PyTorch).
    ``rounding="exact"`` refuses a window that does not tile the padded input exactly;
    ``"floor"`` drops the incomplete last window as frameworks do; ``"ceil"`` keeps it
    unless it would start in the right padding, which is PyTorch's ``ceil_mode=True``.
    """
    _check_positive(input=i, kernel=k, stride=s, dilation=d)
    if rounding not in ROUNDINGS:
        raise SizeError(f"rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if p == "same":
        if s != 1:
            raise SizeError("padding 'same' needs stride 1 (as in PyTorch)")
        before, after = same_padding(k, d)
    elif isinstance(p, int) and not isinstance(p, bool) and p >= 0:
        before = after = p
    else:
        raise SizeError(f"padding must be a whole number >= 0 or 'same', got {p!r}")
    k_eff = effective_kernel(k, d)
    pad_total = before + after
    # (i + pad − d(k−1) − 1)/s + 1 is the dilated form of the course's (i + pad − k)/s + 1
    kernel_text = f"{d}·({k} − 1) − 1" if d > 1 else f"{k}"
    pad_text = f"2·{before}" if before == after else f"{before} + {after}"
    formula = f"({i} + {pad_text} − {kernel_text})/{s} + 1"
    span = i + pad_total - k_eff
    if span < 0:
        raise SizeError(
            f"the kernel (extent {k_eff}) is larger than the padded input ({i + pad_total})"
        )
    exact = Fraction(span, s) + 1
    if exact.denominator == 1:
        return SizeWorking(formula, exact, int(exact))
    if rounding == "exact":
        raise SizeError(
            f"output size {formula} = {_decimal(exact)} is not a whole number "
            "(use rounding=floor or rounding=ceil)"
        )
    if rounding == "floor":
        out = span // s + 1
        return SizeWorking(formula, exact, out, f"rounded down to {out}")
    out = -(-span // s) + 1
    note = f"rounded up to {out}"
    # PyTorch: the last window must start inside the input or the left padding.
    if (out - 1) * s >= i + before:
        out -= 1
        note = f"rounded up, then {out} because the last window would start in the padding"
    return SizeWorking(formula, exact, out, note)


def output_size(
    i: int,
    k: int,
    s: int = 1,
    p: int | str = 0,
    d: int = 1,
    rounding: Rounding = "exact",
) -> int:
    """Output size of a convolution or pooling layer along one dimension."""
    return output_size_working(i, k, s, p, d, rounding).output


def transposed_output_size_working(
    i: int, k: int, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0
) -> SizeWorking:
    """Output size of a transposed convolution, as PyTorch's ConvTranspose computes it."""
    _check_positive(input=i, kernel=k, stride=s, dilation=d)
    if p < 0 or output_padding < 0:
        raise SizeError("padding and output_padding must be >= 0")
    if output_padding >= max(s, d):
        raise SizeError(
            f"output_padding ({output_padding}) must be smaller than the stride or the dilation"
        )
    out = (i - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
    formula = f"({i} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {output_padding} + 1"
    if out < 1:
        raise SizeError(f"transposed output size {formula} = {out} is not positive")
    return SizeWorking(formula, Fraction(out), out)


def transposed_output_size(
    i: int, k: int, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0
) -> int:
    """Output size of a transposed convolution along one dimension."""
    return transposed_output_size_working(i, k, s, p, d, output_padding).output


def conv_param_counts(
    in_channels: int,
    out_channels: int,
    kernel: tuple[int, int],
    groups: int = 1,
    bias: bool = True,
) -> tuple[int, int]:
    """(weights, biases) of a 2-D convolution: each filter sees in_channels/groups channels."""
    _check_positive(in_channels=in_channels, out_channels=out_channels, groups=groups)
    _check_positive(kernel_height=kernel[0], kernel_width=kernel[1])
    if in_channels % groups or out_channels % groups:
        raise SizeError(
            f"groups ({groups}) must divide in_channels ({in_channels}) "
            f"and out_channels ({out_channels})"
        )
    weights = out_channels * (in_channels // groups) * kernel[0] * kernel[1]
    return weights, out_channels if bias else 0


def fc_param_counts(in_features: int, out_features: int, bias: bool = True) -> tuple[int, int]:
    """(weights, biases) of a fully connected layer."""
    _check_positive(in_features=in_features, out_features=out_features)
    return in_features * out_features, out_features if bias else 0


def _decimal(value: Fraction) -> str:
    return f"{float(value):.4f}".rstrip("0").rstrip(".")
