"""The network table and receptive fields against real forward passes."""

import numpy as np
import pytest
from conftest import sampled
from oracle import (
    BatchNormLayer,
    ConvLayer,
    FCLayer,
    FlattenLayer,
    Net,
    PoolLayer,
    ReLULayer,
    conv2d,
    pool2d,
    receptive_field_1d,
)

from generator.answers.arithmetic import evaluate
from generator.families.common.layerspec import parse_layer
from generator.families.network_table import NetworkTable
from generator.families.receptive_field import ReceptiveField
from solvers.conv import same_padding
from solvers.network import (
    FC,
    BatchNorm,
    Conv,
    Flatten,
    LayerError,
    Pool,
    ReLU,
    receptive_fields,
    table,
)

SEED_LAYERS = ["CONV5-10", "POOL2", "CONV5-10", "POOL2", "FC-10"]
# The midterm review's solution table, as the notes write it.
SEED_TABLE = [
    ("32x32x10", "10x1x5x5 + 10"),
    ("16x16x10", "0"),
    ("16x16x10", "10x10x5x5 + 10"),
    ("8x8x10", "0"),
    ("10", "8x8x10x10 + 10"),
]

VGG16 = (
    ["CONV3-64"] * 2
    + ["POOL2"]
    + ["CONV3-128"] * 2
    + ["POOL2"]
    + ["CONV3-256"] * 3
    + ["POOL2"]
    + ["CONV3-512"] * 3
    + ["POOL2"]
    + ["CONV3-512"] * 3
    + ["POOL2", "FC-4096", "FC-4096", "FC-1000"]
)


def test_the_midterm_table_solves_to_the_seeds_shapes_and_counts():
    rows = table((32, 32, 1), [parse_layer(spec) for spec in SEED_LAYERS])
    for row, (shape, count) in zip(rows, SEED_TABLE, strict=True):
        assert "x".join(map(str, row.shape)) == shape
        assert row.params == evaluate(count)


def test_vgg16_has_138357544_parameters():
    rows = table((224, 224, 3), [parse_layer(spec) for spec in VGG16])
    assert sum(row.params for row in rows) == 138_357_544
    assert rows[-4].shape == (7, 7, 512)  # the last POOL2


def oracle_net(input_shape, layers, rng):
    """Build the oracle's network with real arrays for the solver's layer list."""
    built, shape = [], input_shape
    for layer in layers:
        if isinstance(layer, Conv):
            pad = same_padding(layer.k, layer.d) if layer.p == "same" else (layer.p, layer.p)
            built.append(
                ConvLayer(
                    shape[0],
                    layer.n,
                    layer.k,
                    layer.s,
                    (pad, pad),
                    layer.d,
                    layer.g,
                    layer.bias,
                    rng,
                )
            )
        elif isinstance(layer, Pool):
            built.append(PoolLayer(layer.k, layer.s, layer.p, layer.mode))
        elif isinstance(layer, FC):
            built.append(FCLayer(int(np.prod(shape)), layer.n, layer.bias, rng))
        elif isinstance(layer, BatchNorm):
            built.append(BatchNormLayer(shape[0]))
        elif isinstance(layer, ReLU):
            built.append(ReLULayer())
        elif isinstance(layer, Flatten):
            built.append(FlattenLayer())
        x = np.zeros(shape)
        shape = built[-1].forward(x).shape
    return Net(built)


def run_oracle(input_text, specs, seed=0):
    h, w, c = (int(d) for d in input_text.split("x"))
    layers = [parse_layer(spec) for spec in specs]
    rng = np.random.default_rng(seed)
    net = oracle_net((c, h, w), layers, rng)
    _, shapes = net.forward(rng.standard_normal((c, h, w)))
    # the oracle computes channels first; the course writes HxWxC
    return [s[1:] + s[:1] if len(s) == 3 else s for s in shapes], net.param_counts()


def test_the_oracle_reproduces_the_seed_table():
    shapes, counts = run_oracle("32x32x1", SEED_LAYERS)
    assert shapes == [(32, 32, 10), (16, 16, 10), (16, 16, 10), (8, 8, 10), (10,)]
    assert counts == [260, 0, 2510, 0, 6410]


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sampled_networks_match_a_forward_pass_with_real_arrays(difficulty):
    for seed, params, answers in sampled(NetworkTable(), difficulty, 70):
        shapes, counts = run_oracle(params["input"], params["layers"], seed)
        assert [row["shape"] for row in answers["rows"]] == ["x".join(map(str, s)) for s in shapes]
        assert [row["params"] for row in answers["rows"]] == counts
        assert answers["total_params"] == sum(counts)


@pytest.mark.parametrize("rounding", ["floor", "ceil"])
def test_rounded_networks_match_a_forward_pass(rounding):
    layers = [Conv(3, 4, s=2), Pool(3, 2, mode="avg"), ReLU(), Conv(2, 2, s=3)]
    rows = table((15, 17, 2), layers, rounding)
    x = np.random.default_rng(0).random((2, 15, 17))
    ceil = rounding == "ceil"
    conv = ConvLayer(2, 4, 3, 2)
    y = conv.forward(x)
    y = pool2d(y, 3, 2, 0, ceil=ceil, mode="avg")
    y = np.maximum(y, 0)
    y = conv2d(y, [np.ones((2, 4, 2, 2))], None, (3, 3), ceil=ceil)
    assert rows[-1].shape == (y.shape[1], y.shape[2], y.shape[0])


def test_a_layer_that_cannot_apply_is_named_by_position():
    with pytest.raises(LayerError) as error:
        table((10,), [FC(4), Conv(3, 2)])
    assert error.value.index == 2
    assert "HxWxC volume" in error.value.message


def test_batch_norm_has_two_parameters_per_channel():
    rows = table((8, 8, 16), [BatchNorm()])
    assert rows[0].params == 32


def windows_of(specs):
    result = []
    for spec in specs:
        layer = parse_layer(spec, need_filters=False)  # a receptive field's specs leave n out
        if isinstance(layer, Conv):
            result.append(("conv", layer.k, layer.s, layer.d))
        elif isinstance(layer, Pool):
            result.append(("maxpool", layer.k, layer.s, 1))
    return result


def test_the_seeds_receptive_field_example_is_7():
    rows = receptive_fields([Conv(5, 1), Conv(3, 1)])
    assert (rows[-1].receptive_field, rows[-1].effective_stride) == (7, 1)
    assert receptive_field_1d([("conv", 5, 1, 1), ("conv", 3, 1, 1)]) == (7, 1)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sampled_receptive_fields_match_a_propagated_perturbation(difficulty):
    for _, params, answers in sampled(ReceptiveField(), difficulty, 100):
        measured = receptive_field_1d(windows_of(params["layers"]))
        assert (answers["receptive_field"], answers["effective_stride"]) == measured


def test_every_prefix_of_the_stack_has_its_own_field():
    specs = ["conv(k=3,n=1,s=2)", "POOL2", "conv(k=5,n=1,d=2)"]
    rows = receptive_fields([parse_layer(s) for s in specs])
    for end, row in enumerate(rows, start=1):
        expected = receptive_field_1d(windows_of(specs[:end]))
        assert (row.receptive_field, row.effective_stride) == expected


def test_fully_connected_layers_have_no_receptive_field():
    with pytest.raises(LayerError, match="conv, pool, relu and bn"):
        receptive_fields([Conv(3, 1), FC(10)])
