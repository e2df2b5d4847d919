"""Sampled instances of the size and parameter families against the oracles.

The network table and receptive field families are checked in test_network.py.
"""

import numpy as np
import pytest
from conftest import sampled
from oracle import ConvLayer, FCLayer, conv2d, conv_transpose1d_length, pool2d

from generator.families.conv_output_size import ConvOutputSize
from generator.families.conv_params import ConvParams
from generator.family import as_pair
from solvers.conv import same_padding


def run_layer(params):
    """Run the described layer on a real input and read the output's height and width."""
    h, w = as_pair(params["input"])
    kh, kw = as_pair(params["kernel"])
    sh, sw = as_pair(params["stride"])
    dh, dw = as_pair(params["dilation"])
    if params["op"] == "transposed":
        ph, pw = as_pair(params["padding"])
        op = params["output_padding"]
        return (
            conv_transpose1d_length(h, kh, sh, ph, dh, op),
            conv_transpose1d_length(w, kw, sw, pw, dw, op),
        )
    if params["padding"] == "same":
        pad = (same_padding(kh, dh), same_padding(kw, dw))
    else:
        ph, pw = as_pair(params["padding"])
        pad = ((ph, ph), (pw, pw))
    x = np.random.default_rng(0).random((1, h, w))
    ceil = params["rounding"] == "ceil"
    if params["op"] == "pool":
        assert kh == kw and sh == sw and pad[0] == pad[1]
        out = pool2d(x, kh, sh, pad[0][0], ceil=ceil)
    else:
        out = conv2d(x, [np.ones((1, 1, kh, kw))], None, (sh, sw), pad, (dh, dw), ceil=ceil)
    return out.shape[1], out.shape[2]


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sampled_output_sizes_match_the_layer_run_on_an_array(difficulty):
    for seed, params, answers in sampled(ConvOutputSize(), difficulty, 100):
        assert as_pair(answers["output"]) == run_layer(params), (seed, params)


def test_hard_samples_include_rounding_transposed_dilated_and_non_square():
    family = ConvOutputSize()
    samples = [family.sample(np.random.default_rng(seed), "hard") for seed in range(100)]
    assert any(s.get("rounding") == "floor" for s in samples)
    assert any(s.get("rounding") == "ceil" for s in samples)
    assert any(s["op"] == "transposed" for s in samples)
    assert any(s["dilation"] == 2 for s in samples)
    assert any(isinstance(s["input"], str) for s in samples)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sampled_parameter_counts_equal_the_arrays_of_the_layer(difficulty):
    for seed, params, answers in sampled(ConvParams(), difficulty, 100):
        if params["layer"] == "fc":
            features = params["in_features"]
            n_in = (
                features
                if isinstance(features, int)
                else int(np.prod([int(d) for d in features.split("x")]))
            )
            layer = FCLayer(n_in, params["out_features"], params["bias"])
            weights = layer.w.size
        else:
            kh, kw = as_pair(params["kernel"])
            layer = ConvLayer(
                params["in_channels"],
                params["out_channels"],
                1,
                g=params["groups"],
                bias=params["bias"],
            )
            # the oracle's layers are square; give each group its real kh x kw array
            layer.weights = [np.zeros((*w.shape[:2], kh, kw)) for w in layer.weights]
            x = np.ones((params["in_channels"], kh + 2, kw + 2))
            assert layer.forward(x).shape[0] == params["out_channels"]
            weights = sum(w.size for w in layer.weights)
        total = sum(a.size for a in layer.arrays())
        assert (answers["weights"], answers["params"]) == (weights, total), (seed, params)
        assert answers["biases"] == total - weights
