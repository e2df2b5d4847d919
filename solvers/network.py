"""Activation volumes, parameter counts and receptive fields of a stack of layers."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from solvers.conv import (
    Rounding,
    SizeError,
    SizeWorking,
    conv_param_counts,
    effective_kernel,
    fc_param_counts,
    output_size_working,
)

Shape = tuple[int, ...]  # (H, W, C) for a volume, (D,) for a vector


@dataclass(frozen=True)
class Conv:
    k: int
    n: int
    s: int = 1
    p: int | str = 0
    d: int = 1
    g: int = 1
    bias: bool = True


@dataclass(frozen=True)
class Pool:
    k: int
    s: int
    p: int = 0
    mode: str = "max"  # "max" or "avg"


@dataclass(frozen=True)
class FC:
    n: int
    bias: bool = True


@dataclass(frozen=True)
class BatchNorm:
    pass


@dataclass(frozen=True)
class ReLU:
    pass


@dataclass(frozen=True)
class Flatten:
    pass


Layer = Conv | Pool | FC | BatchNorm | ReLU | Flatten


class LayerError(ValueError):
    """A layer cannot be applied; ``index`` is its 1-based position in the stack."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class TableRow:
    shape: Shape
    weights: int
    biases: int
    sizes: tuple[SizeWorking, ...] = ()  # height and width workings for conv and pool layers
    flattened_from: Shape | None = None  # an FC layer reading a volume flattens it first

    @property
    def params(self) -> int:
        return self.weights + self.biases


def _spatial(shape: Shape, index: int, what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise LayerError(index, f"{what} needs an HxWxC volume, got a vector of size {shape[0]}")
    return shape[0], shape[1], shape[2]


def apply_layer(shape: Shape, layer: Layer, index: int, rounding: Rounding = "exact") -> TableRow:
    """The output shape and parameters of ``layer`` applied to an input of ``shape``."""
    try:
        if isinstance(layer, Conv):
            h, w, c = _spatial(shape, index, "a convolution")
            hs = output_size_working(h, layer.k, layer.s, layer.p, layer.d, rounding)
            ws = output_size_working(w, layer.k, layer.s, layer.p, layer.d, rounding)
            weights, biases = conv_param_counts(c, layer.n, (layer.k, layer.k), layer.g, layer.bias)
            return TableRow((hs.output, ws.output, layer.n), weights, biases, (hs, ws))
        if isinstance(layer, Pool):
            h, w, c = _spatial(shape, index, "pooling")
            if layer.p * 2 > layer.k:
                raise SizeError(f"pooling padding {layer.p} exceeds half the kernel {layer.k}")
            hs = output_size_working(h, layer.k, layer.s, layer.p, 1, rounding)
            ws = output_size_working(w, layer.k, layer.s, layer.p, 1, rounding)
            return TableRow((hs.output, ws.output, c), 0, 0, (hs, ws))
        if isinstance(layer, FC):
            weights, biases = fc_param_counts(prod(shape), layer.n, layer.bias)
            flattened = shape if len(shape) > 1 else None
            return TableRow((layer.n,), weights, biases, flattened_from=flattened)
        if isinstance(layer, BatchNorm):
            channels = shape[-1]
            return TableRow(shape, channels, channels)  # a scale γ and a shift β per channel
        if isinstance(layer, ReLU):
            return TableRow(shape, 0, 0)
        if isinstance(layer, Flatten):
            return TableRow((prod(shape),), 0, 0)
    except SizeError as error:
        raise LayerError(index, str(error)) from None
    raise LayerError(index, f"unknown layer {layer!r}")


def table(input_shape: Shape, layers: list[Layer], rounding: Rounding = "exact") -> list[TableRow]:
    """One row per layer: the activation volume after it and its trainable parameters."""
    rows = []
    shape = input_shape
    for index, layer in enumerate(layers, start=1):
        row = apply_layer(shape, layer, index, rounding)
        rows.append(row)
        shape = row.shape
    return rows


@dataclass(frozen=True)
class FieldRow:
    receptive_field: int  # input pixels seen by one unit after this layer, along one side
    effective_stride: int  # input pixels between two adjacent units after this layer


def _window(layer: Layer, index: int) -> tuple[int, int] | None:
    """(kernel extent, stride) of a layer that has a window; None for pointwise layers."""
    if isinstance(layer, Conv):
        if layer.p == "same" and layer.s != 1:
            raise LayerError(index, "padding 'same' needs stride 1")
        return effective_kernel(layer.k, layer.d), layer.s
    if isinstance(layer, Pool):
        return layer.k, layer.s
    if isinstance(layer, (ReLU, BatchNorm)):
        return None
    raise LayerError(index, "receptive fields are defined for conv, pool, relu and bn layers only")


def receptive_fields(layers: list[Layer]) -> list[FieldRow]:
    """Receptive field and effective stride, with respect to the input, after each layer.

    The course computes the field backwards from one output unit with ``n = k + s(m - 1)``;
    going forwards, each layer widens the field by ``(k - 1)`` times the product of the
    strides below it, which gives the same numbers for every prefix of the stack at once.
    """
    rows = []
    field, jump = 1, 1
    for index, layer in enumerate(layers, start=1):
        window = _window(layer, index)
        if window is not None:
            k, s = window
            field += (k - 1) * jump
            jump *= s
        rows.append(FieldRow(field, jump))
    return rows


def backward_field(windows: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """The course's recursion from the top unit down: rows of (k, s, m, n) with n = k + s(m−1)."""
    steps = []
    m = 1
    for k, s in reversed(windows):
        n = k + s * (m - 1)
        steps.append((k, s, m, n))
        m = n
    return steps
