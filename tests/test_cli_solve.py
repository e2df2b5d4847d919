"""examgen families and examgen solve, as a TA uses them."""

import json

import pytest


def test_families_lists_every_family_with_a_description(run):
    result = run("families")
    assert result.exit_code == 0
    for name in ("conv_output_size", "conv_params", "network_table", "receptive_field"):
        line = next(line for line in result.output.splitlines() if line.startswith(name))
        assert len(line.split(None, 1)[1]) > 20


@pytest.mark.parametrize(
    "args,answers",
    [
        (
            ["conv_output_size", "-g", "input=32", "-g", "kernel=5", "-g", "padding=2"],
            {"output": 32},
        ),
        (
            ["conv_output_size", "-g", "input=32x28", "-g", "kernel=3", "-g", "padding=1"],
            {"output": "32x28"},
        ),
        (
            [
                "conv_output_size",
                "-g",
                "input=7",
                "-g",
                "kernel=2",
                "-g",
                "stride=2",
                "-g",
                "op=pool",
                "-g",
                "rounding=ceil",
            ],
            {"output": 4},
        ),
        (
            [
                "conv_output_size",
                "-g",
                "input=7",
                "-g",
                "kernel=2",
                "-g",
                "stride=2",
                "-g",
                "rounding=floor",
            ],
            {"output": 3},
        ),
        (
            [
                "conv_output_size",
                "-g",
                "input=4",
                "-g",
                "kernel=3",
                "-g",
                "stride=2",
                "-g",
                "padding=1",
                "-g",
                "op=transposed",
                "-g",
                "output_padding=1",
            ],
            {"output": 8},
        ),
        (
            ["conv_params", "-g", "in_channels=1", "-g", "out_channels=10", "-g", "kernel=5"],
            {"weights": 250, "biases": 10, "params": 260},
        ),
        (
            [
                "conv_params",
                "-g",
                "in_channels=32",
                "-g",
                "out_channels=32",
                "-g",
                "kernel=3",
                "-g",
                "groups=32",
                "-g",
                "bias=false",
            ],
            {"weights": 288, "biases": 0, "params": 288},
        ),
        (
            ["conv_params", "-g", "layer=fc", "-g", "in_features=8x8x10", "-g", "out_features=10"],
            {"weights": 6400, "biases": 10, "params": 6410},
        ),
    ],
)
def test_solve_json_prints_only_the_answers(run, args, answers):
    result = run("solve", *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == answers


def test_solve_network_table_reproduces_the_midterm(run):
    layers = json.dumps(["CONV5-10", "POOL2", "CONV5-10", "POOL2", "FC-10"])
    result = run(
        "solve", "network_table", "-g", "input=32x32x1", "-g", f"layers={layers}", "--json"
    )
    answers = json.loads(result.output)
    assert answers["rows"][0] == {"layer": "CONV5-10", "shape": "32x32x10", "params": 260}
    assert [r["shape"] for r in answers["rows"]] == [
        "32x32x10",
        "16x16x10",
        "16x16x10",
        "8x8x10",
        "10",
    ]
    assert answers["total_params"] == 260 + 2510 + 6410


def test_solve_accepts_layers_as_one_comma_separated_string(run):
    result = run("solve", "receptive_field", "-g", "layers=conv(k=5,n=1), conv(k=3,n=1)", "--json")
    answers = json.loads(result.output)
    assert (answers["receptive_field"], answers["effective_stride"]) == (7, 1)
    assert [r["receptive_field"] for r in answers["rows"]] == [5, 7]


def test_solve_shows_worked_steps_by_default(run):
    result = run("solve", "network_table", "-g", "input=32x32x1", "-g", "layers=CONV5-10,FC-10")
    assert result.exit_code == 0
    assert "(32 + 2·2 − 5)/1 + 1 = 32" in result.output
    assert "10x1x5x5 + 10 = 260" in result.output
    assert "total_params = " in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["nosuch"], "unknown family 'nosuch'"),
        (
            ["conv_params", "-g", "in_channels=3", "-g", "out_channels=4"],
            "given 'kernel': missing for a conv layer",
        ),
        (["conv_output_size", "-g", "kernel=3"], "given 'input': missing"),
        (
            ["conv_output_size", "-g", "input=32", "-g", "kernel=3", "-g", "color=red"],
            "given 'color': unknown given",
        ),
        (["conv_output_size", "-g", "input=-3", "-g", "kernel=3"], "given 'input'"),
        (
            ["conv_output_size", "-g", "input=32", "-g", "kernel=3", "-g", "op=fold"],
            "expected one of conv, pool, transposed",
        ),
        (
            [
                "conv_output_size",
                "-g",
                "input=32",
                "-g",
                "kernel=2",
                "-g",
                "stride=2",
                "-g",
                "padding=1",
                "-g",
                "input=8",
            ],
            "given twice",
        ),
        (
            ["conv_output_size", "-g", "input=7", "-g", "kernel=2", "-g", "stride=2"],
            "is not a whole number (use rounding=floor or rounding=ceil)",
        ),
        (
            ["network_table", "-g", "input=32x32x1", "-g", 'layers=["CONV5-10", "POOL3"]'],
            "layer 2 'POOL3': output size (32 + 2·0 − 3)/3 + 1",
        ),
        (
            ["network_table", "-g", "input=32x32x1", "-g", 'layers=["CONV5-10", "dropout"]'],
            "layer 2: unknown layer 'dropout'",
        ),
        (["network_table", "-g", "input=10", "-g", 'layers=["CONV3-4"]'], "needs an HxWxC volume"),
        (
            [
                "conv_params",
                "-g",
                "in_channels=6",
                "-g",
                "out_channels=4",
                "-g",
                "kernel=3",
                "-g",
                "groups=4",
            ],
            "groups (4) must divide",
        ),
        (
            [
                "conv_params",
                "-g",
                "layer=fc",
                "-g",
                "in_features=10",
                "-g",
                "out_features=2",
                "-g",
                "kernel=3",
            ],
            "given 'kernel': does not apply to a fc layer",
        ),
        (["receptive_field", "-g", 'layers=["CONV3-4", "FC-10"]'], "conv, pool, relu and bn"),
        (["conv_output_size", "-g", "input=" + "[" * 5000, "-g", "kernel=3"], "given 'input'"),
    ],
)
def test_bad_givens_get_one_line_and_exit_code_2(run, args, message):
    result = run("solve", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_given_without_equals_is_a_usage_error(run):
    result = run("solve", "conv_params", "-g", "in_channels")
    assert result.exit_code == 2
    assert "is not name=value" in result.output
