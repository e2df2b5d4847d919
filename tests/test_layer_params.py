"""Parameter counts against the arrays of layers that really run."""

import itertools

import numpy as np
import pytest
from oracle import ConvLayer, FCLayer, conv2d

from solvers.conv import SizeError, conv_param_counts, fc_param_counts


@pytest.mark.parametrize(
    "c_in,c_out,k,g,bias",
    [
        (c_in, c_out, k, g, bias)
        for c_in, c_out, k, g, bias in itertools.product(
            (1, 2, 4, 6), (2, 4, 6), (1, 3), (1, 2), (True, False)
        )
        if c_in % g == 0 and c_out % g == 0
    ],
)
def test_conv_counts_equal_the_arrays_a_grouped_convolution_uses(c_in, c_out, k, g, bias):
    layer = ConvLayer(c_in, c_out, k, g=g, bias=bias)
    x = np.random.default_rng(1).random((c_in, 6, 6))
    assert layer.forward(x).shape == (c_out, 7 - k, 7 - k)
    weights, biases = conv_param_counts(c_in, c_out, (k, k), g, bias)
    assert weights == sum(w.size for w in layer.weights)
    assert biases == (layer.bias.size if bias else 0)


def test_grouped_convolution_oracle_equals_a_dense_block_diagonal_one():
    rng = np.random.default_rng(2)
    layer = ConvLayer(4, 6, 3, g=2, bias=False, rng=rng)
    dense = np.zeros((6, 4, 3, 3))
    dense[:3, :2] = layer.weights[0]
    dense[3:, 2:] = layer.weights[1]
    x = rng.random((4, 5, 5))
    np.testing.assert_allclose(layer.forward(x), conv2d(x, [dense], None))


def test_non_square_kernels_count_height_times_width():
    assert conv_param_counts(8, 4, (1, 7), 1, True) == (4 * 8 * 7, 4)


@pytest.mark.parametrize("n_in,n_out,bias", [(640, 10, True), (3, 7, False), (1, 1, True)])
def test_fc_counts_equal_the_arrays_of_a_real_layer(n_in, n_out, bias):
    layer = FCLayer(n_in, n_out, bias)
    assert layer.forward(np.ones(n_in)).shape == (n_out,)
    weights, biases = fc_param_counts(n_in, n_out, bias)
    assert weights + biases == sum(a.size for a in layer.arrays())


def test_groups_that_do_not_divide_the_channels_are_refused():
    with pytest.raises(SizeError, match="groups"):
        conv_param_counts(6, 4, (3, 3), 4)
