"""The optimization, regularization and activation families against independent oracles."""

import math

import mpmath
import numpy as np
import pytest
from conftest import sampled
from test_gradient_oracles import central_difference, mp_function

from generator import registry

DIFFICULTIES = ["easy", "medium", "hard"]


def test_the_notes_linear_layer_example():
    family = registry.get("linear_layer")
    answers = family.solve(
        family.read_givens({"W": [[1, 2, -1, -2], [3, 4, -3, 4]], "x": [1, 2, 3, 4], "b": [5, 6]})
    ).answers
    assert answers["z"] == [-1, 24]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_linear_layers_match_explicit_sums(difficulty):
    acts = {
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh,
    }
    for seed, params, answers in sampled(registry.get("linear_layer"), difficulty, 100):
        z = [
            sum(w * x for w, x in zip(row, params["x"], strict=True)) + b
            for row, b in zip(params["W"], params["b"], strict=True)
        ]
        assert answers["z"] == pytest.approx(z), seed
        if params["activation"] != "none":
            assert answers["a"] == pytest.approx([acts[params["activation"]](v) for v in z])


def loss_function(params):
    if params["loss"] == "quadratic":
        a, c = np.array(params["a"], float), np.array(params["c"], float)
        return lambda t: 0.5 * float(np.sum(a * (t - c) ** 2))
    x, y = np.array(params["X"], float), np.array(params["y"], float)
    return lambda t: float(
        np.mean([(row @ t - target) ** 2 for row, target in zip(x, y, strict=True)])
    )


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_optimizer_steps_follow_the_update_rules_on_finite_difference_gradients(difficulty):
    for seed, params, answers in sampled(registry.get("gradient_descent"), difficulty, 100):
        loss = loss_function(params)
        theta = np.array(params["theta"], float)
        velocity, m, v = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
        b1, b2, eps, lr = params["beta"], params["beta2"], params["eps"], params["lr"]
        for t in range(1, params["steps"] + 1):
            g = central_difference(loss, theta, h=1e-5)
            if t == 1:
                np.testing.assert_allclose(answers["gradient"], g, rtol=1e-6, atol=1e-6)
            if params["method"] == "gd":
                theta = theta - lr * g
            elif params["method"] == "momentum":
                velocity = b1 * velocity + g
                theta = theta - lr * velocity
            else:  # Kingma & Ba, Algorithm 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(answers["theta"], theta, rtol=1e-5, atol=1e-6, err_msg=str(seed))
        if params["method"] == "momentum":
            np.testing.assert_allclose(answers["velocity"], velocity, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_l2_regularization_matches_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("l2_regularization"), difficulty, 100):
        w, g = np.array(params["w"], float), np.array(params["data_grad"], float)

        def total(v):  # a data loss with the given value and gradient at w, plus λ/2‖v‖²
            return params["data_loss"] + g @ (v - w) + params["lam"] / 2 * float(v @ v)

        assert answers["loss"] == pytest.approx(total(w)), seed
        numeric = central_difference(total, w)
        np.testing.assert_allclose(answers["gradient"], numeric, atol=1e-6)
        np.testing.assert_allclose(answers["weights"], w - params["lr"] * numeric, atol=1e-6)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_dropout_keeps_the_expectation_in_monte_carlo(difficulty):
    rng = np.random.default_rng(3)
    for seed, params, answers in sampled(registry.get("dropout"), difficulty, 30):
        h, p = np.array(params["h"], float), params["p"]
        masks = rng.random((200_000, len(h))) >= p
        mean = (masks * h / (1 - p)).mean(axis=0)
        np.testing.assert_allclose(answers["expected"], mean, atol=0.02, err_msg=str(seed))
        kept = np.array(params["mask"], bool)
        np.testing.assert_allclose(answers["output"], np.where(kept, h / (1 - p), 0))
        assert answers["test_output"] == params["h"]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_gradient_checks_match_a_high_precision_derivative(difficulty):
    for seed, params, answers in sampled(registry.get("numeric_gradient_check"), difficulty, 100):
        f = mp_function(params["f"], ["x"])
        x, h = params["x"], params["h"]
        exact = float(mpmath.diff(f, mpmath.mpf(repr(float(x)))))
        assert answers["analytic"] == pytest.approx(exact, rel=1e-10), seed
        two = float((f(mpmath.mpf(x + h)) - f(mpmath.mpf(x - h))) / (2 * h))
        one = float((f(mpmath.mpf(x + h)) - f(mpmath.mpf(x))) / h)
        assert answers["two_sided"] == pytest.approx(two, rel=1e-9)
        assert answers["one_sided"] == pytest.approx(one, rel=1e-9)
        # the notes' point: the two-sided error is the smaller one
        assert answers["error_two_sided"] < answers["error_one_sided"]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_clipped_gradients_keep_their_direction_and_respect_the_threshold(difficulty):
    for seed, params, answers in sampled(registry.get("gradient_clipping"), difficulty, 100):
        g, c = np.array(params["g"], float), params["threshold"]
        assert answers["norm"] == pytest.approx(math.hypot(*g)), seed
        clipped = np.array(answers["clipped"])
        assert math.hypot(*clipped) == pytest.approx(min(math.hypot(*g), c))
        assert np.allclose(clipped * math.hypot(*g), g * math.hypot(*clipped))  # parallel


def test_the_pythagorean_example_clips_to_the_threshold():
    family = registry.get("gradient_clipping")
    answers = family.solve(family.read_givens({"g": [3, 4], "threshold": 1})).answers
    assert answers["norm"] == 5 and answers["clipped"] == pytest.approx([0.6, 0.8])


def test_a_zero_gradient_is_left_alone_and_its_distractors_are_finite():
    family = registry.get("gradient_clipping")
    params = family.read_givens({"g": [0, 0, 0], "threshold": 1})
    solution = family.solve(params)
    assert solution.answers["clipped"] == [0, 0, 0] and not solution.answers["scaled"]
    for mistakes in family.mistakes(params, solution).values():
        for mistake in mistakes:
            assert np.all(np.isfinite(mistake.value)), mistake.diagnosis


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_normalization_shapes_match_a_real_normalization(difficulty):
    rng = np.random.default_rng(0)
    for seed, params, answers in sampled(registry.get("normalization_shapes"), difficulty, 40):
        shape = tuple(int(d) for d in params["input"].split("x"))
        x = rng.standard_normal(shape)
        if params["kind"] == "layernorm":
            axes = (1,)
            gamma = np.ones((1, shape[1]))
        else:
            axes = (0,) if len(shape) == 2 else (0, 2, 3)
            gamma = np.ones((1, shape[1]) + (1,) * (len(shape) - 2))
        mean = x.mean(axis=axes, keepdims=True)
        y = gamma * (x - mean) / (x.std(axis=axes, keepdims=True) + 1e-5) + np.zeros_like(gamma)
        assert y.shape == x.shape
        assert answers["mean_shape"] == "x".join(map(str, mean.shape)), seed
        assert answers["gamma_shape"] == "x".join(map(str, gamma.shape)), seed
        assert answers["params"] == 2 * gamma.size


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_activation_identities_match_numpy_and_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("activation_identities"), difficulty, 100):
        x, alpha = params["x"], params["alpha"]
        assert answers["tanh"] == pytest.approx(math.tanh(x)), seed
        h = 1e-6
        for key, f in (
            ("relu_grad", lambda v: max(v, 0.0)),
            ("leaky_grad", lambda v: max(alpha * v, v)),
            ("tanh_grad", math.tanh),
        ):
            assert answers[key] == pytest.approx((f(x + h) - f(x - h)) / (2 * h), abs=1e-6), key


def test_the_table_of_derivatives_covers_every_drawn_function_and_agrees_with_sympy():
    from generator.families.numeric_gradient_check import (
        FUNCTIONS,
        KNOWN_DERIVATIVES,
        read_function,
        sympy_derivative_text,
    )

    assert set(KNOWN_DERIVATIVES) == {read_function(f) for f in FUNCTIONS}
    for f, derivative in KNOWN_DERIVATIVES.items():
        assert derivative == sympy_derivative_text(f), f
