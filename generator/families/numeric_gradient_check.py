"""Gradient checking: one- and two-sided difference quotients against the analytic
derivative, and the relative error used to judge them."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np

from generator.answers.expressions import ExpressionError, evaluate, parse, to_text
from generator.answers.types import Real
from generator.families.common.derivative import differentiate
from generator.family import Family, Given, Mistake, Part, Solution, real
from generator.formatting import short_number
from generator.registry import register

FUNCTIONS = [
    "x^2",
    "x^3",
    "x^2 + 3x",
    "exp(x)",
    "sin(x)",
    "1/x",
    "sigmoid(x)",
    "log(x)",
    "x*exp(x)",
    "tanh(x)",
]


def read_function(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a function of x as text, got {value!r}")
    try:
        return to_text(parse(value, {"x"}))
    except ExpressionError as error:
        raise ValueError(str(error)) from None


# f'(x) of the functions exams draw from, so generating an exam never starts sympy (half a
# second per worker); a test checks each against sympy.
_DERIVATIVES = {
    "x^2": "2*x",
    "x^3": "3*x^2",
    "x^2 + 3x": "2*x + 3",
    "exp(x)": "exp(x)",
    "sin(x)": "cos(x)",
    "1/x": "-1/x^2",
    "sigmoid(x)": "exp(-x)/(1 + exp(-x))^2",
    "log(x)": "1/x",
    "x*exp(x)": "x*exp(x) + exp(x)",
    "tanh(x)": "1 - tanh(x)^2",
}
KNOWN_DERIVATIVES = {read_function(f): d for f, d in _DERIVATIVES.items()}


def derivative_text(f: str) -> str:
    """f'(x) in examgen's syntax: from the table, else by sympy."""
    return KNOWN_DERIVATIVES.get(f) or sympy_derivative_text(f)


@cache
def sympy_derivative_text(f: str) -> str:
    """f'(x) by sympy, for a function a TA gives by hand."""
    return differentiate(parse(f, {"x"}), "x").text


@register
class NumericGradientCheck(Family):
    name = "numeric_gradient_check"
    title = "Numeric gradient check"
    summary = "One- and two-sided difference quotients, their errors, the relative error"
    topic = "backprop"
    choice_part = "two_sided"
    givens = {
        "f": Given(read_function, "a function of x, such as x^3 or sigmoid(x)"),
        "x": Given(real(-100, 100), "the point"),
        "h": Given(real(1e-8, 1), "the step (default 0.01)", 0.01),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        f = str(rng.choice(FUNCTIONS[:4] if difficulty == "easy" else FUNCTIONS))
        x = float(rng.choice([0.5, 1, 1.5, 2, 3]))
        h = 0.1 if difficulty == "easy" else float(rng.choice([0.1, 0.01]))
        return {"f": f, "x": x, "h": h}

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        found = re.findall(r"[a-z]+(?=\()", params["f"])
        return {"function": found[0] if found else "polynomial", "h": f"{params['h']:g}"}

    def solve(self, params: dict[str, Any]) -> Solution:
        tree = parse(params["f"], {"x"})
        x, h = params["x"], params["h"]
        try:
            derivative = derivative_text(params["f"])
        except ExpressionError as error:
            raise self.error(f"f' cannot be written as an answer: {error}", "f") from None
        try:
            f_plus, f_minus, f_x = (evaluate(tree, {"x": v}) for v in (x + h, x - h, x))
        except (ArithmeticError, ValueError) as error:
            raise self.error(f"f is undefined near x = {short_number(x)}: {error}", "x") from None
        try:
            analytic = evaluate(parse(derivative, {"x"}), {"x": x})
        except (ArithmeticError, ValueError):
            # a kink: relu(x)/x, the derivative of relu, at x = 0
            raise self.error(f"f has no derivative at x = {short_number(x)}", "x") from None
        one = (f_plus - f_x) / h
        two = (f_plus - f_minus) / (2 * h)
        error_one, error_two = abs(one - analytic), abs(two - analytic)
        scale = max(abs(two), abs(analytic))
        relative = abs(two - analytic) / scale if scale else 0.0
        xt, ht = short_number(x), short_number(h)
        steps = [
            f"$f({xt} + {ht}) = {short_number(f_plus)}$, $f({xt}) = {short_number(f_x)}$, "
            f"$f({xt} - {ht}) = {short_number(f_minus)}$",
            f"One-sided: $(f(x + h) - f(x)) / h = {short_number(one)}$",
            f"Two-sided: $(f(x + h) - f(x - h)) / (2h) = {short_number(two)}$",
            f"Analytic: $f'(x) =$ `{derivative}`, at $x = {xt}$: {short_number(analytic)}",
            f"Errors: one-sided {short_number(error_one)}, two-sided {short_number(error_two)}: "
            "the two-sided error shrinks like $h^2$, the one-sided like $h$, which is why "
            "gradient checks use the two-sided quotient",
            r"Relative error $|f'_\text{num} - f'| / \max(|f'_\text{num}|, |f'|) = "
            f"{short_number(relative)}$",
        ]
        return Solution(
            {
                "one_sided": one,
                "two_sided": two,
                "analytic": analytic,
                "error_one_sided": error_one,
                "error_two_sided": error_two,
                "relative_error": relative,
            },
            steps,
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        two = solution.answers["two_sided"]
        return {
            "two_sided": [
                Mistake(2 * two, "dividing by h instead of 2h"),
                Mistake(solution.answers["one_sided"], "giving the one-sided quotient"),
                Mistake(-two, "subtracting the wrong way round"),
            ]
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        return [
            Part("one_sided", "the one-sided quotient", Real(0.001, 1e-6), answers["one_sided"]),
            Part("two_sided", "the two-sided quotient", Real(0.001, 1e-6), answers["two_sided"]),
            Part(
                "analytic", "the analytic derivative f'(x)", Real(0.001, 1e-6), answers["analytic"]
            ),
            Part(
                "error_two_sided",
                "the two-sided quotient's absolute error",
                Real(0.05, 1e-9),
                answers["error_two_sided"],
            ),
        ]
