"""How a question file's givens are drawn and read: integers in a range, a choice from a
list, reals on a grid, and vectors or small matrices of such values.

```toml
[givens]
n = { int = [5, 32] }
k = { choice = [1, 3, 5] }
lr = { real = [0.1, 1.0], step = 0.1 }
q = { int = [0, 6], size = 2 }          # a vector of 2
X = { int = [0, 6], size = [5, 2] }     # a 5x2 matrix
```
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from generator.question_files.formulas import MAX_ENTRIES, plain

MAX_CHOICES = 100
MAX_WHOLE = 10**9
MAX_REAL = 1e6
MAX_GRID = 10**6  # points on a real grid
_FIELDS = {"int", "choice", "real", "step", "size", "help"}


# A number a spec or a fixed given writes: up to 30 digits, an exponent of at most two digits
_PLAIN_NUMBER = re.compile(
    r"[-+]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][-+]?\d{1,2})?(?:/\d{1,30})?"
)


class GivenSpecError(ValueError):
    """A given's table is malformed; ``field`` names the key within it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(frozen=True)
class Sampler:
    """One given: its values (``low``..``high`` on ``step``, or ``options``) and its shape
    (``()`` for one value, ``(n,)`` for a vector, ``(r, c)`` for a matrix). An int given's
    bounds are ints: a draw reads each entry of its givens against them, and ints compare
    many times faster than fractions."""

    kind: str  # "int", "real" or "choice"
    low: int | Fraction = 0
    high: int | Fraction = 0
    step: int | Fraction = 1
    options: tuple[Any, ...] = ()
    size: tuple[int, ...] = ()
    help: str = ""
    points: int = field(init=False)  # how many values low..high on step holds

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", int((self.high - self.low) / self.step) + 1)

    def draw(self, rng: np.random.Generator) -> Any:
        """A value, vector or matrix of the given's values. A vector's or matrix's entries
        are drawn in one call, which takes the same numbers from ``rng`` as a call for each
        entry would (tests pin it) many times faster."""
        count = len(self.options) if self.kind == "choice" else self.points
        if not self.size:
            return self._value(int(rng.integers(count)))
        picks = rng.integers(count, size=self.size).tolist()
        if len(self.size) == 1:
            return [self._value(k) for k in picks]
        return [[self._value(k) for k in row] for row in picks]

    def _value(self, k: int) -> Any:
        """The ``k``-th of the given's values."""
        if self.kind == "choice":
            return self.options[k]
        return plain(self.low + self.step * k)

    def read_one(self, value: Any) -> Any:
        if isinstance(value, str) and self.kind != "choice":
            # Fraction("1e999999999") would build a billion-digit number: plain decimals only
            if not _PLAIN_NUMBER.fullmatch(value.strip()):
                raise ValueError(f"expected a number such as 3, -2.5 or 1/4, got {value[:30]!r}")
            try:
                value = Fraction(value.strip())
            except (ValueError, ZeroDivisionError):
                raise ValueError(f"expected a number, got {value[:30]!r}") from None
        if self.kind == "choice":
            for option in self.options:
                if option == value or (isinstance(option, str) and option == str(value)):
                    return option
            shown = ", ".join(str(o) for o in self.options[:10])
            raise ValueError(f"expected one of {shown}, got {str(value)[:30]!r}")
        if not _number(value) and not isinstance(value, Fraction):
            raise ValueError(f"expected a number, got {str(value)[:30]!r}")
        exact = value if type(value) is int else Fraction(value)
        if self.kind == "int" and exact.denominator != 1:
            raise ValueError(f"expected a whole number, got {value}")
        if not self.low <= exact <= self.high:
            raise ValueError(f"expected a number from {plain(self.low)} to {plain(self.high)}")
        return plain(exact)

    def read(self, value: Any) -> Any:
        if not self.size:
            return self.read_one(value)
        if isinstance(value, str):
            value = _list_text(value)
        if len(self.size) == 1:
            if not isinstance(value, list) or len(value) != self.size[0]:
                raise ValueError(f"expected a list of {self.size[0]} values")
            return [self.read_one(item) for item in value]
        rows, cols = self.size
        if (
            not isinstance(value, list)
            or len(value) != rows
            or not all(isinstance(row, list) and len(row) == cols for row in value)
        ):
            raise ValueError(f"expected {rows} rows of {cols} values, such as [[1, 2], [3, 4]]")
        return [[self.read_one(item) for item in row] for row in value]


def _list_text(text: str) -> Any:
    """``[1, 2; 3, 4]`` or ``1, 2, 3`` as a TA types a vector or matrix on the command line."""
    inner = text.strip().removeprefix("[").removesuffix("]")
    rows = [row.split(",") for row in inner.split(";")]
    if len(rows) == 1:
        return [item.strip() for item in rows[0]]
    return [[item.strip() for item in row] for row in rows]


def sampler(raw: Any) -> Sampler:
    """The sampler a given's table describes; GivenSpecError naming the key otherwise."""
    if not isinstance(raw, dict):
        raise GivenSpecError("", "must be a table such as { int = [1, 9] }")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise GivenSpecError(unknown[0], f"unknown field (allowed: {', '.join(sorted(_FIELDS))})")
    kinds = [kind for kind in ("int", "choice", "real") if kind in raw]
    if len(kinds) != 1:
        raise GivenSpecError("", "needs exactly one of int = [low, high], choice = [...], real")
    kind = kinds[0]
    help_text = raw.get("help", "")
    if not isinstance(help_text, str) or len(help_text) > 200:
        raise GivenSpecError("help", "must be text of at most 200 characters")
    size = _size(raw.get("size"))
    if kind == "choice":
        options = raw["choice"]
        if not isinstance(options, list) or not 1 <= len(options) <= MAX_CHOICES:
            raise GivenSpecError("choice", f"must be a list of 1 to {MAX_CHOICES} values")
        for option in options:
            if isinstance(option, str):
                if not 0 < len(option) <= 100:
                    raise GivenSpecError("choice", "holds text longer than 100 characters")
            elif not (_number(option) and abs(option) <= MAX_REAL):
                raise GivenSpecError("choice", f"must hold numbers up to {MAX_REAL:g} or text")
        if len({repr(o) for o in options}) < len(options):
            raise GivenSpecError("choice", "lists a value twice")
        if "step" in raw:
            raise GivenSpecError("step", "is for real = [low, high] only")
        return Sampler("choice", options=tuple(options), size=size, help=help_text)
    bounds = raw[kind]
    most = MAX_WHOLE if kind == "int" else MAX_REAL
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or not all(_number(b) and abs(b) <= most for b in bounds)
        or (kind == "int" and not all(isinstance(b, int) for b in bounds))
        or bounds[0] > bounds[1]
    ):
        whole = "whole numbers" if kind == "int" else "numbers"
        raise GivenSpecError(kind, f"must be [low, high]: {whole} from -{most:g} to {most:g}")
    if kind == "int":
        if "step" in raw:
            raise GivenSpecError("step", "is for real = [low, high] only")
        return Sampler(kind, bounds[0], bounds[1], size=size, help=help_text)
    low, high = Fraction(str(bounds[0])), Fraction(str(bounds[1]))
    raw_step = raw.get("step")
    if not (_number(raw_step) and raw_step > 0):
        raise GivenSpecError("step", "a real given needs step = a number above 0 (its grid)")
    step = Fraction(str(raw_step))
    if (high - low) / step > MAX_GRID:
        raise GivenSpecError("step", f"makes more than {MAX_GRID:,} points on the grid")
    return Sampler(kind, low, high, step, size=size, help=help_text)


def _size(raw: Any) -> tuple[int, ...]:
    if raw is None:
        return ()
    sizes = raw if isinstance(raw, list) else [raw]
    if not 1 <= len(sizes) <= 2 or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in sizes
    ):
        raise GivenSpecError("size", "must be a length such as 3, or [rows, columns]")
    if math.prod(sizes) > MAX_ENTRIES:
        raise GivenSpecError("size", f"more than {MAX_ENTRIES} entries in one given")
    return tuple(sizes)
