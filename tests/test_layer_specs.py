"""Layer specs and givens as TAs write them."""

import pytest

from generator.families.common.layerspec import LayerSpecError, describe, parse_layer, shorthand
from generator.family import dims, split_top_level, volume
from solvers.network import FC, BatchNorm, Conv, Flatten, Pool, ReLU


@pytest.mark.parametrize(
    "spec,layer",
    [
        ("CONV5-10", Conv(5, 10, p="same")),
        ("conv5-10", Conv(5, 10, p="same")),
        ("POOL2", Pool(2, 2)),
        ("FC-10", FC(10)),
        ("conv(k=5,n=10,s=1,p=2,d=1,g=1,bias=true)", Conv(5, 10, 1, 2, 1, 1, True)),
        ("conv( k = 3 , n = 8 , p = same )", Conv(3, 8, p="same")),
        ("conv(k=3,n=8,bias=false)", Conv(3, 8, bias=False)),
        ("maxpool(k=3,s=2,p=1)", Pool(3, 2, 1)),
        ("avgpool(k=2)", Pool(2, 2, mode="avg")),
        ("fc(n=10,bias=false)", FC(10, False)),
        ("bn", BatchNorm()),
        ("relu", ReLU()),
        ("relu()", ReLU()),
        ("flatten", Flatten()),
    ],
)
def test_layer_specs_parse(spec, layer):
    assert parse_layer(spec) == layer


@pytest.mark.parametrize(
    "spec,message",
    [
        ("conv(k=3)", "needs n"),
        ("conv(k=3,n=2,q=1)", "no argument 'q'"),
        ("conv(k=3,n=2,k=4)", "given twice"),
        ("conv(k=0,n=2)", "k must be a whole number >= 1"),
        ("conv(k=3,n=2,bias=maybe)", "true or false"),
        ("conv(k=3,n=2,s)", "not name=value"),
        ("dropout", "unknown layer"),
        ("__import__('os')", "unknown layer"),
        ("", "unknown layer"),
        (3, "must be a string"),
        ("conv(k=3,n=" + "9" * 300 + ")", "too long"),
    ],
)
def test_bad_layer_specs_are_refused_with_a_reason(spec, message):
    with pytest.raises(LayerSpecError, match=message):
        parse_layer(spec)


@pytest.mark.parametrize(
    "layer",
    [
        Conv(5, 10, p="same"),
        Conv(3, 4, s=2, p=1, d=2, g=2, bias=False),
        Pool(2, 2),
        Pool(3, 2, 1, "avg"),
        FC(10),
        FC(3, False),
        BatchNorm(),
        ReLU(),
        Flatten(),
    ],
)
def test_shorthand_parses_back_to_the_same_layer(layer):
    assert parse_layer(shorthand(layer)) == layer
    assert describe(layer)


def test_layer_lists_split_at_top_level_commas_only():
    assert split_top_level("CONV5-10, conv(k=3,n=4), POOL2") == [
        "CONV5-10",
        "conv(k=3,n=4)",
        "POOL2",
    ]


@pytest.mark.parametrize(
    "value,expected",
    [("32x32x1", "32x32x1"), ("32 x 32 x 1", "32x32x1"), (10, "10"), ([8, 8, 3], "8x8x3")],
)
def test_volumes_are_canonical(value, expected):
    assert volume(value) == expected


@pytest.mark.parametrize("value", ["32x32", "0x3x3", "abc", True, 2.5, [1, "a", 2], None])
def test_bad_volumes_are_refused(value):
    with pytest.raises(ValueError):
        volume(value)


def test_dims_rejects_huge_values():
    with pytest.raises(ValueError):
        dims(10**7, (1,))
