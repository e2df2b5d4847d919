"""Every loss and gradient family against independent oracles: two-sided finite differences
(the notes' gradient check), direct high-precision evaluation, Monte Carlo for variances."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import sampled

from generator import registry
from generator.answers.expressions import parse, to_sympy
from generator.answers.types import Expression

DIFFICULTIES = ["easy", "medium", "hard"]
mpmath.mp.dps = 40


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h for every entry of x."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        up, down = x.astype(float).copy(), x.astype(float).copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


# --- hinge loss ----------------------------------------------------------------------------


def hinge_by_loops(scores, labels, margin):
    """The notes' definition, written out with loops."""
    total = 0.0
    for row, y in zip(scores, labels, strict=True):
        total += sum(max(0.0, s - row[y] + margin) for j, s in enumerate(row) if j != y)
    return total / len(labels)


def test_the_midterm_hinge_example_gives_2_9_0_and_12_9():
    family = registry.get("hinge_loss")
    params = family.read_givens(
        {"scores": [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], "labels": [0, 1, 2]}
    )
    answers = family.solve(params).answers
    assert answers["losses"] == pytest.approx([2.9, 0.0, 12.9])
    assert answers["loss"] == pytest.approx(15.8 / 3)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_hinge_gradients_match_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("hinge_loss"), difficulty, 100):
        scores = np.array(params["scores"], dtype=float)
        labels, margin = params["labels"], params["margin"]
        loss = hinge_by_loops(scores, labels, margin)
        if params["reg"]:
            loss += params["reg"] * sum(w * w for row in params["weights"] for w in row)
        assert answers["loss"] == pytest.approx(loss, abs=1e-12), seed
        numeric = central_difference(lambda s: hinge_by_loops(s, labels, margin), scores)
        np.testing.assert_allclose(answers["grad_scores"], numeric, atol=1e-6, err_msg=str(seed))


# --- softmax -------------------------------------------------------------------------------


def softmax_direct(row):
    """Softmax in 40-digit arithmetic, with no shift: the definition as written."""
    exps = [mpmath.exp(mpmath.mpf(repr(float(s)))) for s in row]
    total = mpmath.fsum(exps)
    return [e / total for e in exps]


def cross_entropy_direct(scores, labels):
    return float(
        mpmath.fsum(
            -mpmath.log(softmax_direct(row)[y]) for row, y in zip(scores, labels, strict=True)
        )
        / len(labels)
    )


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_softmax_matches_direct_evaluation_and_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("softmax_loss"), difficulty, 100):
        scores, labels = np.array(params["scores"], dtype=float), params["labels"]
        direct = [[float(p) for p in softmax_direct(row)] for row in params["scores"]]
        np.testing.assert_allclose(answers["probabilities"], direct, rtol=1e-12, atol=1e-15)
        assert answers["loss"] == pytest.approx(cross_entropy_direct(scores, labels), rel=1e-9)
        numeric = central_difference(lambda s: cross_entropy_direct(s, labels), scores)
        np.testing.assert_allclose(answers["grad_scores"], numeric, atol=1e-6, err_msg=str(seed))


def test_softmax_stays_finite_for_scores_in_the_thousands():
    family = registry.get("softmax_loss")
    answers = family.solve(family.read_givens({"scores": [1000, 1001, 1002], "labels": 2})).answers
    assert all(math.isfinite(p) for p in answers["probabilities"][0])
    assert answers["loss"] == pytest.approx(cross_entropy_direct([[1000, 1001, 1002]], [2]))


# --- chain rule ----------------------------------------------------------------------------


def mp_function(expr: str, names: list[str]):
    """The expression as an mpmath function, by way of sympy: shares nothing with the
    backprop solver."""
    symbols = [sp.Symbol(n, real=True) for n in names]
    tree = parse(expr, set(names))
    return sp.lambdify(symbols, to_sympy(tree), modules="mpmath")


def test_the_notes_example_f_of_x_y_z():
    family = registry.get("chain_rule")
    answers = family.solve(
        family.read_givens({"expr": "(x+y)*z", "values": {"x": -2, "y": 5, "z": -4}})
    ).answers
    assert answers["value"] == -12
    assert answers["gradient"] == {"x": -4, "y": -4, "z": 3}


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_chain_rule_gradients_match_finite_differences(difficulty):
    h = mpmath.mpf("1e-15")
    for seed, params, answers in sampled(registry.get("chain_rule"), difficulty, 100):
        names = sorted(params["values"])
        f = mp_function(params["expr"], names)
        point = [mpmath.mpf(repr(params["values"][n])) for n in names]
        assert answers["value"] == pytest.approx(float(f(*point)), rel=1e-12, abs=1e-12), seed
        for i, name in enumerate(names):
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            numeric = float((f(*up) - f(*down)) / (2 * h))
            assert answers["gradient"][name] == pytest.approx(numeric, rel=1e-9, abs=1e-9), (
                seed,
                params,
                name,
            )


def test_symbolic_derivatives_agree_with_the_numeric_gradient_and_grade_correct():
    family = registry.get("chain_rule")
    checked = 0
    for seed, params, answers in sampled(family, "hard", 150):
        if "derivative" not in answers:
            continue
        wrt = answers["derivative"]["wrt"]
        names = sorted(params["values"])
        derivative = mp_function(answers["derivative"]["expression"], names)
        value = float(derivative(*[mpmath.mpf(repr(params["values"][n])) for n in names]))
        assert value == pytest.approx(answers["gradient"][wrt], rel=1e-9, abs=1e-9), seed
        # and the key is what sympy differentiates, up to equivalence
        exact = sp.diff(to_sympy(parse(params["expr"], set(names))), sp.Symbol(wrt, real=True))
        assert (
            Expression(names).grade(sp.sstr(exact), answers["derivative"]["expression"]).status
            == "correct"
        )
        checked += 1
    assert checked >= 20


# --- max pooling ---------------------------------------------------------------------------


def pooled_loss(x, kernel, stride, upstream, relu):
    """L = Σ upstream · maxpool(relu(x)), with explicit windows."""
    a = np.maximum(x, 0) if relu else x
    kh, kw = kernel
    sh, sw = stride
    total = 0.0
    for i in range(upstream.shape[0]):
        for j in range(upstream.shape[1]):
            total += upstream[i, j] * a[i * sh : i * sh + kh, j * sw : j * sw + kw].max()
    return total


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_maxpool_gradients_match_finite_differences(difficulty):
    from generator.family import as_pair

    for seed, params, answers in sampled(registry.get("maxpool_grad"), difficulty, 100):
        x = np.array(params["input"], dtype=float)
        upstream = np.array(params["upstream"], dtype=float)
        kernel, stride = as_pair(params["kernel"]), as_pair(params["stride"])
        numeric = central_difference(
            lambda v: pooled_loss(v, kernel, stride, upstream, params["relu"]), x, h=1e-3
        )
        np.testing.assert_allclose(answers["grad_input"], numeric, atol=1e-9, err_msg=str(seed))


def test_overlapping_windows_add_their_gradients():
    family = registry.get("maxpool_grad")
    answers = family.solve(
        family.read_givens(
            {
                "input": [[1, 2, 3], [4, 9, 5], [6, 7, 8]],
                "kernel": 2,
                "stride": 1,
                "upstream": [[1, 2], [3, 4]],
            }
        )
    ).answers
    assert answers["output"] == [[9, 9], [9, 9]]
    assert answers["grad_input"][1][1] == 10


def test_the_midterm_relu_then_pool_network_routes_per_the_solution():
    # v1 = max(relu(z1), relu(z2)), v2 = max(relu(z2), relu(z3)): here z2 wins both windows
    family = registry.get("maxpool_grad")
    answers = family.solve(
        family.read_givens(
            {"input": [1, 3, -2], "kernel": 2, "stride": 1, "upstream": [5, 7], "relu": True}
        )
    ).answers
    assert answers["grad_input"] == [[0, 12, 0]]  # δ1 + δ2 at z2


# --- initialization, sigmoid, matrix product -----------------------------------------------


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_init_variances_match_monte_carlo_samples(difficulty):
    rng = np.random.default_rng(7)
    for seed, params, answers in sampled(registry.get("xavier_variance"), difficulty, 30):
        normal = rng.normal(0, answers["std"], 400_000)
        uniform = rng.uniform(-answers["bound"], answers["bound"], 400_000)
        assert normal.var() == pytest.approx(answers["variance"], rel=0.02), seed
        assert uniform.var() == pytest.approx(answers["variance"], rel=0.02), seed
        if "preactivation_variance" in answers:
            fan_in = answers.get("fan_in", params.get("fan_in"))
            w = rng.normal(0, answers["std"], (4000, fan_in))
            x = rng.normal(0, math.sqrt(params["input_variance"]), (4000, fan_in))
            h = (w * x).sum(axis=1)
            assert h.var() == pytest.approx(answers["preactivation_variance"], rel=0.08), seed


def test_xavier_satisfies_the_notes_condition():
    family = registry.get("xavier_variance")
    answers = family.solve(family.read_givens({"fan_in": 300, "fan_out": 100})).answers
    assert 0.5 * (300 + 100) * answers["variance"] == pytest.approx(1.0)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_sigmoid_gradients_match_finite_differences(difficulty):
    def sigma(v):
        return 1 / (1 + mpmath.exp(-v))

    h = mpmath.mpf("1e-15")
    for seed, params, answers in sampled(registry.get("sigmoid_gradient"), difficulty, 100):
        x = mpmath.mpf(repr(params["x"]))
        assert answers["sigmoid"] == pytest.approx(float(sigma(x)), rel=1e-12)
        numeric = float((sigma(x + h) - sigma(x - h)) / (2 * h))
        assert answers["gradient"] == pytest.approx(numeric, rel=1e-9, abs=1e-15), seed
        if params["layers"] > 1:

            def chain(v, layers=params["layers"]):
                for _ in range(layers):
                    v = sigma(v)
                return v

            numeric = float((chain(x + h) - chain(x - h)) / (2 * h))
            assert answers["chained_gradient"] == pytest.approx(numeric, rel=1e-9, abs=1e-18)
            assert answers["chained_gradient"] <= answers["bound"]


def test_the_sigmoid_gradient_peaks_at_a_quarter():
    grid = np.linspace(-10, 10, 20001)
    s = 1 / (1 + np.exp(-grid))
    assert (s * (1 - s)).max() == pytest.approx(0.25)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_matrix_gradients_match_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("matrix_gradient"), difficulty, 100):
        x, w, g = (np.array(params[k], dtype=float) for k in ("X", "W", "grad_D"))

        def loss(x_, w_):
            return float((g * (x_ @ w_)).sum())  # a loss whose ∂L/∂D is exactly g

        np.testing.assert_allclose(
            answers["grad_W"],
            central_difference(lambda v: loss(x, v), w),
            atol=1e-6,
            err_msg=str(seed),
        )
        np.testing.assert_allclose(
            answers["grad_X"],
            central_difference(lambda v: loss(v, w), x),
            atol=1e-6,
            err_msg=str(seed),
        )
        assert np.array(answers["grad_W"]).shape == w.shape
