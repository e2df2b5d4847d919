"""Oracles for the forward-pass and training families: each key is recomputed by code that
shares nothing with the solver (explicit loops in plain Python, central finite differences
for every gradient, arrays of the real shapes for parameter counts)."""

import math

import numpy as np
import pytest
from conftest import sampled

from generator import registry
from generator.family import DIFFICULTIES

SEEDS = 100  # per difficulty


def as_list3(value):
    """H x W -> 1 x H x W; C x H x W unchanged."""
    return [value] if not isinstance(value[0][0], list) else value


def correlate_by_hand(image, kernel, bias, stride, padding):
    """One output map by the definition, in plain Python: Σ x[c][r·s+i][q·s+j]·w[c][i][j] + b."""
    channels, height, width = len(image), len(image[0]), len(image[0][0])
    k = len(kernel[0])

    def pixel(c, r, q):
        r, q = r - padding, q - padding
        return image[c][r][q] if 0 <= r < height and 0 <= q < width else 0.0

    out_h = (height + 2 * padding - k) // stride + 1
    out_w = (width + 2 * padding - k) // stride + 1
    return [
        [
            sum(
                pixel(c, r * stride + i, q * stride + j) * kernel[c][i][j]
                for c in range(channels)
                for i in range(k)
                for j in range(k)
            )
            + bias
            for q in range(out_w)
        ]
        for r in range(out_h)
    ]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_conv_forward_matches_the_definition_computed_by_hand(difficulty):
    for seed, params, answers in sampled(registry.get("conv_forward"), difficulty, SEEDS):
        image = as_list3(params["input"])
        filters = params["filters"]
        if not isinstance(filters[0][0], list):  # k x k
            filters = [[filters]]
        elif not isinstance(filters[0][0][0], list):  # F x k x k, one channel
            filters = [[f] for f in filters]
        outputs = []
        for f, kernel in enumerate(filters):
            if params["mode"] == "convolution":  # true convolution: rotate by 180 degrees
                kernel = [[row[::-1] for row in channel[::-1]] for channel in kernel]
            outputs.append(
                correlate_by_hand(
                    image, kernel, params["bias"][f], params["stride"], params["padding"]
                )
            )
        expected = outputs[0] if len(outputs) == 1 else outputs
        np.testing.assert_allclose(answers["output"], expected, err_msg=str(seed))


def test_conv_forward_filters_are_f_x_c_x_k_x_k_and_three_levels_are_never_guessed():
    """Three levels of filters read as F filters on a one-channel input, where they are
    written F x 1 x k x k; on a two-channel input they could be two filters or one of two
    channels, and are refused rather than read as one of them."""
    from generator.errors import GivenError

    family = registry.get("conv_forward")
    kernels = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    one = family.read_givens({"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "filters": kernels})
    assert one["filters"] == [[kernel] for kernel in kernels]
    by_hand = [
        correlate_by_hand([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [k], 0, 1, 0) for k in kernels
    ]
    np.testing.assert_allclose(family.solve(one).answers["output"], by_hand)
    two_channels = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    with pytest.raises(GivenError, match="ambiguous"):
        family.read_givens({"input": two_channels, "filters": kernels})
    explicit = family.read_givens({"input": two_channels, "filters": [kernels]})
    assert family.solve(explicit).answers["output"] == [[18.0]]  # 1+4 + 6+7


def test_conv_forward_agrees_with_a_sliding_window_view():
    """A second oracle: numpy's strided windows and einsum, no loops."""
    from numpy.lib.stride_tricks import sliding_window_view

    for seed, params, answers in sampled(registry.get("conv_forward"), "hard", SEEDS):
        image = np.array(as_list3(params["input"]), float)
        p, s = params["padding"], params["stride"]
        padded = np.pad(image, ((0, 0), (p, p), (p, p)))
        filters = np.array(params["filters"], float)
        filters = filters.reshape((-1, image.shape[0], *filters.shape[-2:]))
        if params["mode"] == "convolution":
            filters = np.flip(filters, axis=(2, 3))
        k = filters.shape[-1]
        windows = sliding_window_view(padded, (k, k), axis=(1, 2))[:, ::s, ::s]
        out = (
            np.einsum("chwij,fcij->fhw", windows, filters) + np.array(params["bias"])[:, None, None]
        )
        expected = out[0] if out.shape[0] == 1 else out
        np.testing.assert_allclose(answers["output"], expected, err_msg=str(seed))


# --- two-layer networks -------------------------------------------------------------------


def network_loss(params, weights):
    """The loss in plain Python, for finite differences."""
    g = {
        "relu": lambda v: max(v, 0.0),
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
        "tanh": math.tanh,
    }[params["activation"]]
    W1, b1, W2, b2 = (weights[n] for n in ("W1", "b1", "W2", "b2"))
    x = params["x"]
    h = [
        g(sum(w * xi for w, xi in zip(row, x, strict=True)) + b)
        for row, b in zip(W1, b1, strict=True)
    ]
    z2 = [
        sum(w * hi for w, hi in zip(row, h, strict=True)) + b for row, b in zip(W2, b2, strict=True)
    ]
    if params["loss"] == "squared_error":
        return 0.5 * sum((z - y) ** 2 for z, y in zip(z2, params["y"], strict=True)), h, z2
    top = max(z2)
    log_sum = top + math.log(sum(math.exp(z - top) for z in z2))
    return log_sum - z2[params["y"]], h, z2


def weights_of(params):
    return {n: np.array(params[n], float) for n in ("W1", "b1", "W2", "b2")}


def numeric_gradient(params, name, eps=1e-6):
    weights = weights_of(params)
    grad = np.zeros_like(weights[name])
    for index in np.ndindex(grad.shape):
        plus = {k: v.copy() for k, v in weights.items()}
        minus = {k: v.copy() for k, v in weights.items()}
        plus[name][index] += eps
        minus[name][index] -= eps
        grad[index] = (network_loss(params, plus)[0] - network_loss(params, minus)[0]) / (2 * eps)
    return grad


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_mlp_forward_values_match_plain_python(difficulty):
    for seed, params, answers in sampled(registry.get("mlp_forward"), difficulty, SEEDS):
        loss, h, z2 = network_loss(params, weights_of(params))
        assert answers["loss"] == pytest.approx(loss, rel=1e-9, abs=1e-12), seed
        np.testing.assert_allclose(answers["h"], h, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(answers["z2"], z2, rtol=1e-9, atol=1e-12)
        if params["loss"] == "cross_entropy":
            assert sum(answers["p"]) == pytest.approx(1.0)
            assert -math.log(answers["p"][params["y"]]) == pytest.approx(loss)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_mlp_backprop_gradients_match_central_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("mlp_backprop"), difficulty, SEEDS):
        for name in ("W1", "b1", "W2", "b2"):
            np.testing.assert_allclose(
                answers[f"d{name}"], numeric_gradient(params, name), rtol=1e-5, atol=1e-7,
                err_msg=f"{seed} {name}",
            )  # fmt: skip


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_a_training_step_moves_each_weight_against_its_numeric_gradient(difficulty):
    for seed, params, answers in sampled(registry.get("training_step"), difficulty, SEEDS):
        assert answers["loss"] == pytest.approx(network_loss(params, weights_of(params))[0])
        for name in ("W1", "b1", "W2", "b2"):
            expected = np.array(params[name]) - params["lr"] * numeric_gradient(params, name)
            np.testing.assert_allclose(
                answers[name], expected, rtol=1e-5, atol=1e-7, err_msg=str(seed)
            )


def test_a_small_enough_training_step_lowers_the_loss():
    family = registry.get("training_step")
    for seed, params, answers in sampled(family, "medium", SEEDS):
        small = family.read_givens({**params, "lr": 1e-3})
        after = family.solve(small).answers
        new = {n: np.array(after[n]) for n in ("W1", "b1", "W2", "b2")}
        assert network_loss(params, new)[0] <= answers["loss"] + 1e-12, seed


# --- recurrent layers ---------------------------------------------------------------------


def rnn_arrays(cell, inputs, hidden, convention, reset_after=True):
    """The parameter arrays of a real layer, as PyTorch (weight_ih, weight_hh, bias_ih,
    bias_hh, gates stacked) or Keras (kernel, recurrent_kernel, bias; a GRU's bias is
    2 x 3·units with reset_after=True, its default) stores them."""
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    if convention == "keras" and cell == "gru" and reset_after:
        return [
            np.zeros((inputs, gates * hidden)),
            np.zeros((hidden, gates * hidden)),
            np.zeros((2, gates * hidden)),
        ]
    if convention == "pytorch":
        return [
            np.zeros((gates * hidden, inputs)),
            np.zeros((gates * hidden, hidden)),
            np.zeros(gates * hidden),
            np.zeros(gates * hidden),
        ]
    return [
        np.zeros((inputs, gates * hidden)),
        np.zeros((hidden, gates * hidden)),
        np.zeros(gates * hidden),
    ]


def step_with(arrays, cell, convention, x, h):
    """One step through the arrays, so their shapes are the ones a forward pass uses."""
    if convention == "pytorch":
        w_ih, w_hh, b_ih, b_hh = arrays
        pre = w_ih @ x + b_ih + w_hh @ h + b_hh
    elif arrays[2].ndim == 2:  # Keras's GRU, reset_after=True: input and recurrent biases
        kernel, recurrent, (input_bias, recurrent_bias) = arrays
        pre = x @ kernel + input_bias + h @ recurrent + recurrent_bias
    else:
        kernel, recurrent, bias = arrays
        pre = x @ kernel + h @ recurrent + bias
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    return np.tanh(pre.reshape(gates, -1)[-1])


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_rnn_parameter_counts_are_the_sizes_of_real_arrays(difficulty):
    for seed, params, answers in sampled(registry.get("rnn_params"), difficulty, SEEDS):
        cell, n, h, convention = (
            params["cell"],
            params["inputs"],
            params["hidden"],
            params["convention"],
        )
        arrays = rnn_arrays(cell, n, h, convention, params.get("reset_after", True))
        state = step_with(arrays, cell, convention, np.ones(n), np.zeros(h))
        assert state.shape == (h,)
        assert answers["total"] == sum(a.size for a in arrays), seed
        assert answers["biases"] == sum(a.size for a in arrays[2:])


def test_rnn_parameter_counts_match_the_frameworks_documented_examples():
    from solvers.rnn import rnn_param_counts

    # an LSTM of 128 units on 100 inputs: Keras reports 117,248; torch.nn.LSTM(100, 128) has 117,760
    assert rnn_param_counts("lstm", 100, 128, "keras")["total"] == 117_248
    assert rnn_param_counts("lstm", 100, 128, "pytorch")["total"] == 117_760
    assert rnn_param_counts("rnn", 10, 20, "keras")["total"] == 20 * 10 + 20 * 20 + 20
    # keras.layers.GRU(20) on 10 inputs: 1,920 with its default reset_after=True, else 1,860
    assert rnn_param_counts("gru", 10, 20, "keras")["total"] == 1_920
    assert rnn_param_counts("gru", 10, 20, "keras", reset_after=False)["total"] == 1_860


def test_a_keras_gru_counts_by_reset_after_and_only_it_takes_the_given():
    from generator.errors import GivenError

    family = registry.get("rnn_params")
    for reset_after, biases in ((True, 120), (False, 60)):
        params = family.read_givens(
            {"cell": "gru", "convention": "keras", "inputs": 10, "hidden": 20,
             "reset_after": reset_after}
        )  # fmt: skip
        arrays = rnn_arrays("gru", 10, 20, "keras", reset_after)
        assert family.solve(params).answers["biases"] == biases == sum(a.size for a in arrays[2:])
    with pytest.raises(GivenError, match="only a Keras GRU"):
        family.read_givens(
            {"cell": "lstm", "convention": "keras", "inputs": 1, "hidden": 1, "reset_after": False}
        )


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_rnn_steps_match_the_recurrence_in_plain_python(difficulty):
    for seed, params, answers in sampled(registry.get("rnn_forward"), difficulty, SEEDS):
        h = params.get("h0", [0.0] * len(params["b"]))
        for t, x in enumerate(params["xs"], start=1):
            h = [
                math.tanh(
                    sum(w * xi for w, xi in zip(wx, x, strict=True))
                    + sum(w * hi for w, hi in zip(wh, h, strict=True))
                    + b
                )
                for wx, wh, b in zip(params["W_xh"], params["W_hh"], params["b"], strict=True)
            ]
            np.testing.assert_allclose(answers[f"h{t}"], h, rtol=1e-12, err_msg=str(seed))


# --- attention and regression losses --------------------------------------------------------


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_attention_matches_a_loop_over_queries(difficulty):
    for seed, params, answers in sampled(registry.get("attention_forward"), difficulty, SEEDS):
        Q, K, V = params["Q"], params["K"], params["V"]
        d = len(Q[0])
        for i, q in enumerate(Q):
            scores = [sum(a * b for a, b in zip(q, k, strict=True)) / math.sqrt(d) for k in K]
            exps = [math.exp(s) for s in scores]
            weights = [e / sum(exps) for e in exps]
            output = [
                sum(w * v[j] for w, v in zip(weights, V, strict=True)) for j in range(len(V[0]))
            ]
            np.testing.assert_allclose(answers["scores"][i], scores, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(answers["weights"][i], weights, rtol=1e-9, err_msg=str(seed))
            np.testing.assert_allclose(answers["output"][i], output, rtol=1e-9, atol=1e-12)


def regression_loss(loss, inputs, targets):
    n = len(targets)
    if loss == "mse":
        return sum((a - y) ** 2 for a, y in zip(inputs, targets, strict=True)) / n
    return (
        -sum(
            y * math.log(1 / (1 + math.exp(-z))) + (1 - y) * math.log(1 - 1 / (1 + math.exp(-z)))
            for z, y in zip(inputs, targets, strict=True)
        )
        / n
    )


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_regression_losses_and_their_gradients_by_finite_differences(difficulty):
    for seed, params, answers in sampled(registry.get("regression_losses"), difficulty, SEEDS):
        loss, x, y = params["loss"], params["inputs"], params["targets"]
        assert answers["loss"] == pytest.approx(regression_loss(loss, x, y), rel=1e-9), seed
        eps = 1e-6
        numeric = [
            (
                regression_loss(loss, [v + eps * (j == i) for j, v in enumerate(x)], y)
                - regression_loss(loss, [v - eps * (j == i) for j, v in enumerate(x)], y)
            )
            / (2 * eps)
            for i in range(len(x))
        ]
        np.testing.assert_allclose(
            answers["gradient"], numeric, rtol=1e-5, atol=1e-8, err_msg=str(seed)
        )


@pytest.mark.parametrize("z", [-40.0, -30.0, -5.0, -0.1, 0.0, 0.3, 5.0, 30.0, 40.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_binary_cross_entropy_on_logits_keeps_its_digits_for_large_logits(z, y):
    """The loss in 50-digit arithmetic is the oracle: taking ln(1 − σ(z)) in floats, as the
    solver once did, is off by 2.5e-4 at z = 30."""
    import mpmath

    from solvers.regression import binary_cross_entropy

    with mpmath.workdps(50):
        p = 1 / (1 + mpmath.exp(-mpmath.mpf(z)))
        exact = -(y * mpmath.log(p) + (1 - y) * mpmath.log(1 - p))
        result = binary_cross_entropy(np.array([z]), np.array([y]))
        assert result.loss == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
        assert result.probabilities[0] == pytest.approx(float(p), rel=1e-12)
        # σ(z) − y as frameworks take it: exact to the float spacing near 1
        assert result.gradient[0] == pytest.approx(float(p - y), rel=1e-9, abs=1e-15)
