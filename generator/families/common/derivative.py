"""Symbolic derivatives written in the names a student's answer may use.

sympy differentiates relu, max and min into ``Heaviside`` and abs into ``sign``, and flattens
nested maxima into ``Max(x, y, z)``: none of these is a name examgen's answer parser reads,
so a key holding one could be neither shown nor graded. Each is rewritten first: the step
``H(u)`` as ``relu(u)/u`` and ``sign(u)`` as ``u/abs(u)`` (equal wherever the derivative
exists, that is away from the kink ``u = 0``), a many-argument max or min as nested pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any

from generator.answers.expressions import Node, parse, to_sympy, to_text


@dataclass(frozen=True)
class Derivative:
    text: str  # in examgen's expression syntax, parsed back by its parser
    note: str  # how a kink's derivative is written, for the worked step; "" when none


_STEP_NOTE = "relu(u)/u is the derivative of relu(u) = max(u, 0): 1 where u > 0, 0 where u < 0"
_SIGN_NOTE = "u/abs(u) is the derivative of abs(u): the sign of u, 1 or -1"


def differentiate(tree: Node, wrt: str) -> Derivative:
    """∂(tree)/∂wrt; raises ExpressionError if sympy's result has a name no answer can
    write, which the rewriting here leaves none of for the functions the parser knows."""
    import sympy as sp

    exact = sp.diff(to_sympy(tree), sp.Symbol(wrt, real=True))
    notes = []
    if exact.has(sp.Heaviside):
        notes.append(_STEP_NOTE)
    if exact.has(sp.sign):
        notes.append(_SIGN_NOTE)
    written = _in_known_names(exact)
    text = to_text(parse(sp.sstr(written), {str(s) for s in exact.free_symbols}))
    return Derivative(text, "; ".join(notes))


def _in_known_names(expression: Any) -> Any:
    import sympy as sp

    # undefined functions keep their names and stay as written: sympy would fold a Max
    # of a Max back into one Max of three arguments
    relu, most, least = sp.Function("relu"), sp.Function("max"), sp.Function("min")

    def step(u: Any, *_: Any) -> Any:  # Heaviside(u, H0): H0 is its value at the kink
        return relu(u) / u

    def pairs(function: Any) -> Any:
        def nested(*args: Any) -> Any:
            if len(args) == 2 and 0 in args and function is most:
                return relu(args[0] if args[1] == 0 else args[1])
            return reduce(lambda a, b: function(a, b), args)

        return nested

    expression = expression.replace(sp.Heaviside, step)
    expression = expression.replace(sp.sign, lambda u: u / sp.Abs(u))
    expression = expression.replace(sp.Max, pairs(most))
    return expression.replace(sp.Min, pairs(least))
