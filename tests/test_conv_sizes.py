"""Output sizes against convolutions and poolings actually run on arrays."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from oracle import conv2d, conv_transpose1d_length, pool2d

from solvers.conv import (
    SizeError,
    output_size,
    output_size_working,
    same_padding,
    transposed_output_size,
)

GRID = [
    (i, k, s, p, d)
    for i, k, s, p, d in itertools.product(range(1, 19), range(1, 6), range(1, 4), range(3), (1, 2))
    if i + 2 * p >= d * (k - 1) + 1
]


def conv_height(i, k, s, p, d):
    """Run a one-column convolution and read the output height."""
    x = np.random.default_rng(i).random((1, i, 1))
    weights = [np.ones((1, 1, k, 1))]
    return conv2d(x, weights, None, (s, 1), ((p, p), (0, 0)), (d, 1)).shape[1]


@pytest.mark.parametrize("i,k,s,p,d", GRID)
def test_floor_rounding_matches_a_real_convolution(i, k, s, p, d):
    assert output_size(i, k, s, p, d, rounding="floor") == conv_height(i, k, s, p, d)


@pytest.mark.parametrize("i,k,s,p,d", GRID)
def test_exact_rounding_refuses_exactly_when_windows_leave_rows_unused(i, k, s, p, d):
    height = conv_height(i, k, s, p, d)
    last_end = (height - 1) * s + d * (k - 1) + 1
    if last_end == i + 2 * p:
        assert output_size(i, k, s, p, d) == height
    else:
        with pytest.raises(SizeError, match="not a whole number"):
            output_size(i, k, s, p, d)


POOL_GRID = [
    (i, k, s, p)
    for i, k, s, p in itertools.product(range(1, 16), range(1, 5), range(1, 4), range(3))
    if 2 * p <= k and i + 2 * p >= k
]


@pytest.mark.parametrize("i,k,s,p", POOL_GRID)
def test_ceil_rounding_matches_pooling_with_partial_windows(i, k, s, p):
    x = np.random.default_rng(0).random((1, i, i))
    assert output_size(i, k, s, p, rounding="ceil") == pool2d(x, k, s, p, ceil=True).shape[1]


TORCH_TABLE = Path(__file__).parent / "data" / "torch_pool_ceil_sizes.json"


def test_ceil_rounding_matches_sizes_recorded_from_pytorch():
    # Recorded once from torch.nn.functional.max_pool1d(ceil_mode=True) by
    # tests/data/record_torch_sizes.py; torch itself is not a test dependency.
    rows = json.loads(TORCH_TABLE.read_text())
    assert len(rows) > 500
    for i, k, s, p, d, expected in rows:
        assert output_size(i, k, s, p, d, rounding="ceil") == expected, (i, k, s, p, d)


@pytest.mark.parametrize("k,d", [(1, 1), (2, 1), (3, 1), (4, 2), (5, 1), (3, 3)])
def test_same_padding_keeps_the_size_of_a_real_convolution(k, d):
    before, after = same_padding(k, d)
    for i in (5, 8, 13):
        x = np.random.default_rng(0).random((1, i, i))
        out = conv2d(x, [np.ones((1, 1, k, k))], None, (1, 1), ((before, after),) * 2, (d, d))
        assert out.shape[1:] == (i, i) == (output_size(i, k, 1, "same", d),) * 2


@pytest.mark.parametrize(
    "i,k,s,p,d,op",
    [
        (i, k, s, p, d, op)
        for i, k, s, p, d, op in itertools.product(
            range(1, 9), range(1, 5), range(1, 4), range(3), (1, 2), range(3)
        )
        if op < max(s, d)
    ],
)
def test_transposed_size_matches_a_scatter_of_the_kernel(i, k, s, p, d, op):
    expected = conv_transpose1d_length(i, k, s, p, d, op)
    if expected < 1:
        with pytest.raises(SizeError):
            transposed_output_size(i, k, s, p, d, op)
    else:
        assert transposed_output_size(i, k, s, p, d, op) == expected


def test_the_seeds_worked_example_is_32():
    working = output_size_working(32, 5, 1, 2)
    assert working.output == 32
    assert working.formula == "(32 + 2·2 − 5)/1 + 1"


def test_a_non_integer_size_names_the_formula():
    with pytest.raises(SizeError, match=r"\(7 \+ 2·0 − 2\)/2 \+ 1 = 3.5"):
        output_size(7, 2, 2)


@pytest.mark.parametrize(
    "args,message",
    [
        ((3, 5), "larger than the padded input"),
        ((8, 3, 2, "same"), "needs stride 1"),
        ((8, 0), "kernel must be at least 1"),
        ((8, 3, 1, -1), "padding must be"),
        ((8, 3, 1, 0, 1, "round"), "rounding must be"),
    ],
)
def test_invalid_layers_are_refused_with_a_reason(args, message):
    with pytest.raises(SizeError, match=message):
        output_size(*args)


def test_output_padding_must_be_smaller_than_stride_or_dilation():
    with pytest.raises(SizeError, match="output_padding"):
        transposed_output_size(4, 3, 1, 0, 1, 1)
