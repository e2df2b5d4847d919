"""Is a student's expression the key's? Symbolically when sympy's canonical form says so at
once, else numerically at fixed pseudo-random points.

Every step is bounded by the parser's limits on size and exponents: sympy's automatic
canonicalisation and ``expand`` run only on small trees whose powers are small, and the
numeric check evaluates each tree a fixed number of times with plain floats.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from generator.answers.expressions import Node, children, evaluate, to_sympy

POINTS = 32  # points tried
NEEDED = 6  # points where both sides must be defined and agree
RTOL, ATOL = 1e-8, 1e-10
MAX_SYMBOLIC_NODES = 60
MAX_EXPANDED_POWER = 8


@dataclass(frozen=True)
class Verdict:
    equal: bool
    reason: str = ""


def _size(tree: Node) -> tuple[int, float]:
    """(node count, largest constant exponent) of a tree."""
    count, largest = 1, 0.0
    if tree[0] == "pow" and tree[2][0] == "num":
        largest = abs(float(tree[2][1]))
    for child in children(tree):
        n, p = _size(child)
        count, largest = count + n, max(largest, p)
    return count, largest


def _symbolic(a: Node, b: Node) -> bool:
    for tree in (a, b):
        count, power = _size(tree)
        if count > MAX_SYMBOLIC_NODES or power > MAX_EXPANDED_POWER:
            return False
    import sympy as sp

    difference = to_sympy(a) - to_sympy(b)
    return difference == 0 or sp.expand(difference) == 0


def _value(tree: Node, point: dict[str, float]) -> float | None:
    try:
        value = evaluate(tree, point)
    except (ArithmeticError, ValueError, KeyError):
        return None
    return value if math.isfinite(value) else None


def _points(symbols: list[str]) -> list[dict[str, float]]:
    """Half the points positive only, so keys with log or sqrt have enough to compare; the
    other half walk through every pattern of signs (x < 0 and y < 0 together, too), where
    relu, abs and max change their branch: random signs could miss one, and a wrong
    piecewise answer pass."""
    rng = random.Random(20240512)  # fixed: the same answer always gets the same verdict
    patterns = 2 ** len(symbols)
    points = []
    for index in range(POINTS):
        magnitudes = [_away_from_zero(rng.uniform(0.2, 2.5)) for _ in symbols]
        if index % 2 == 0:
            signs = [1] * len(symbols)
        elif patterns <= POINTS // 2:
            pattern = (index // 2) % patterns
            signs = [-1 if pattern >> bit & 1 else 1 for bit in range(len(symbols))]
        else:
            signs = [rng.choice((-1, 1)) for _ in symbols]
        points.append({s: m * g for s, m, g in zip(symbols, magnitudes, signs, strict=True)})
    return points


def _away_from_zero(value: float) -> float:
    return value if abs(value) > 0.15 else math.copysign(0.15 + abs(value), value or 1.0)


def equivalent(student: Node, key: Node, symbols: list[str]) -> Verdict:
    try:
        if _symbolic(student, key):
            return Verdict(True)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        pass  # sympy could not decide: the numbers will
    compared = 0
    for point in _points(symbols):
        expected = _value(key, point)
        if expected is None:
            continue
        got = _value(student, point)
        at = ", ".join(f"{name}={value:.3g}" for name, value in point.items())
        if got is None:
            return Verdict(False, f"yours is undefined at {at}")
        if abs(got - expected) > max(ATOL, RTOL * abs(expected)):
            return Verdict(False, f"at {at} yours is {got:.6g}, the key {expected:.6g}")
        compared += 1
    if compared < NEEDED:
        return Verdict(False, "the key is undefined at too many test points to compare")
    return Verdict(True)


def warm_up() -> None:
    """Import sympy ahead of the first comparison (half a second), in a guard's child."""
    import sympy  # noqa: F401
