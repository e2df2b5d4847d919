"""Symbolic derivatives of functions with kinks (relu, max, min, abs) are written in names
a student can type, agree with central finite differences, and grade their own key correct."""

import json
import random

import mpmath
import pytest
import sympy as sp

from generator import registry
from generator.answers.expressions import children, evaluate, parse, to_sympy
from generator.answers.types import Expression

mpmath.mp.dps = 40

KINKED = [
    ("relu(x*y + z)*w", "x"),
    ("relu(x*y + z)*w", "w"),
    ("max(x, y)*z", "y"),
    ("max(x*y, z)", "x"),
    ("min(x, y)*(x + z)", "x"),
    ("abs(x*y)*z", "x"),
    ("max(max(x, y), z)", "x"),
    ("sigmoid(max(x, y))*z", "y"),
    ("relu(relu(x*y) - z)", "y"),
]


def _finite_difference(expr: str, names: list[str], point: dict[str, float], wrt: str) -> float:
    """(f(p + h e) − f(p − h e)) / 2h in 40-digit arithmetic, f by way of sympy."""
    f = sp.lambdify(
        [sp.Symbol(n, real=True) for n in names], to_sympy(parse(expr, set(names))), "mpmath"
    )
    h = mpmath.mpf("1e-12")
    up = [mpmath.mpf(point[n]) + (h if n == wrt else 0) for n in names]
    down = [mpmath.mpf(point[n]) - (h if n == wrt else 0) for n in names]
    return float((f(*up) - f(*down)) / (2 * h))


def _near_a_kink(expr: str, names: list[str], point: dict[str, float]) -> bool:
    """Whether some relu or abs argument is near 0 at the point, or some max or min near a
    tie: there a finite difference straddles the kink."""
    pending = [parse(expr, set(names))]
    while pending:
        node = pending.pop()
        if node[0] == "call":
            args = [evaluate(arg, point) for arg in node[2]]
            if node[1] in ("relu", "abs") and abs(args[0]) < 0.05:
                return True
            if node[1] in ("max", "min") and abs(args[0] - args[1]) < 0.05:
                return True
        pending.extend(children(node))
    return False


@pytest.mark.parametrize(("expr", "wrt"), KINKED)
def test_a_kinked_functions_derivative_matches_finite_differences_and_grades_correct(expr, wrt):
    family = registry.get("chain_rule")
    names = sorted(set("wxyz") & set(expr))
    values = {n: v for n, v in zip(names, [1.5, 2.0, -0.7, 3.0], strict=False)}
    params = family.read_givens({"expr": expr, "values": values, "wrt": wrt})
    solution = family.solved(params)
    key = solution.answers["derivative"]["expression"]
    tree = parse(key, set(names))  # only names the answer parser knows
    rng = random.Random(7)
    checked = 0
    while checked < 12:
        point = {n: round(rng.uniform(-3, 3), 3) for n in names}
        if _near_a_kink(expr, names, point):
            continue
        numeric = _finite_difference(expr, names, point, wrt)
        assert evaluate(tree, point) == pytest.approx(numeric, rel=1e-7, abs=1e-7), (key, point)
        checked += 1
    assert solution.answers["gradient"][wrt] == pytest.approx(evaluate(tree, values))
    # the key as the sheet shows it, typed by a student, scores full marks
    (part,) = [p for p in family.parts(params, solution) if p.id == f"expr_d_{wrt}"]
    assert part.answer.grade(key, part.key).status == "correct"
    assert Expression(names).grade(key, key).status == "correct"


def test_solve_gives_the_derivative_of_relu_given_wrt(run):
    result = run(
        "solve",
        "chain_rule",
        "-g",
        "expr=relu(x*y + z)*w",
        "-g",
        'values={"x": 1, "y": 2, "z": 0.5, "w": 3}',
        "-g",
        "wrt=x",
        "--json",
    )
    assert result.exit_code == 0, result.output
    answers = json.loads(result.output)
    assert answers["derivative"]["expression"] == "w*y*relu(x*y + z)/(x*y + z)"


def test_generate_asks_for_the_derivative_of_max_given_wrt(run, tmp_path):
    (tmp_path / "quiz.toml").write_text(
        'title = "Kinks"\n[[questions]]\nfamily = "chain_rule"\npoints = 4\n'
        '[questions.givens]\nexpr = "max(x, y)*z"\nvalues = {x = 1, y = 2, z = 3}\nwrt = "y"\n'
    )
    result = run("generate", "quiz.toml", "--variants", "1", "--seed", "kinks", "--format", "md")
    assert result.exit_code == 0, result.output
    (key,) = tmp_path.glob("output/*/instructor/key.json")
    (question,) = json.loads(key.read_text())["variants"][0]["questions"]
    part = next(p for p in question["parts"] if p["id"] == "expr_d_y")
    assert part["key"] == "z*relu(-x + y)/(-x + y)"


@pytest.mark.parametrize("f", ["relu(x)", "abs(x)", "max(x, 1)", "min(x, 2)*x"])
def test_a_gradient_check_of_a_kinked_function_has_an_analytic_derivative(f):
    family = registry.get("numeric_gradient_check")
    answers = family.solved(family.read_givens({"f": f, "x": 1.5, "h": 0.01})).answers
    assert answers["analytic"] == pytest.approx(_finite_difference(f, ["x"], {"x": 1.5}, "x"))


def test_a_gradient_check_at_a_kink_is_refused_on_one_line(run):
    result = run("solve", "numeric_gradient_check", "-g", "f=relu(x)", "-g", "x=0")
    assert result.exit_code != 0
    assert "f has no derivative at x = 0" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("wrong", ["abs(y)*relu(x*y)/(x*y)", "relu(y)*relu(x*y)/(x*y)"])
def test_a_wrong_branch_of_a_piecewise_derivative_is_found_in_every_quadrant(wrong):
    # right wherever x or y is positive; wrong only where both are negative
    from generator.answers.types import Expression

    score = Expression(["x", "y"]).grade(wrong, "y*relu(x*y)/(x*y)")
    assert score.status != "correct", score
