"""How a course writes activation volumes: height, width and channels as ``HxWxC`` (the
midterm's and cs231n's tables) or channels first as ``CxHxW`` (PyTorch's tensors), and a
fully connected layer's N outputs as ``N``, as the volume ``1x1xN``, or either. Families
compute in HxWxC and convert at their edges: the givens they read and the keys they write.
An exam spec sets both for every question at once (``[notation]``, docs/exam-spec.md)."""

from __future__ import annotations

from typing import Any

from generator.answers.types import SHAPE_LAYOUTS as LAYOUTS

FC_OUTPUTS = ("N", "1x1xN", "either")


def _canonical(value: Any, options: tuple[str, ...]) -> str:
    for option in options:
        if isinstance(value, str) and value.strip().lower() == option.lower():
            return option
    raise ValueError(f"expected one of {', '.join(options)}, got {value!r:.30}")


def read_layout(value: Any) -> str:
    return _canonical(value, LAYOUTS)


def read_fc_outputs(value: Any) -> str:
    return _canonical(value, FC_OUTPUTS)


def to_layout(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """An HxWxC volume in ``layout``; a vector as it is."""
    if layout == "CxHxW" and len(shape) == 3:
        return (shape[2], shape[0], shape[1])
    return shape


def from_layout(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """A volume written in ``layout`` as HxWxC; a vector as it is."""
    if layout == "CxHxW" and len(shape) == 3:
        return (shape[1], shape[2], shape[0])
    return shape
