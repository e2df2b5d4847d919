"""examgen solve for the optimization, regularization and concept families."""

import json

import pytest


def solve_json(run, *args):
    result = run("solve", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_linear_layer_of_the_notes(run):
    answers = solve_json(
        run,
        "linear_layer",
        "-g",
        "W=[[1, 2, -1, -2], [3, 4, -3, 4]]",
        "-g",
        "x=[1, 2, 3, 4]",
        "-g",
        "b=[5, 6]",
        "-g",
        "activation=relu",
    )
    assert answers == {"z": [-1, 24], "a": [0, 24]}


def test_momentum_as_the_notes_write_it(run):
    answers = solve_json(
        run,
        "gradient_descent",
        "-g",
        "theta=[1]",
        "-g",
        "a=[2]",
        "-g",
        "c=[0]",
        "-g",
        "method=momentum",
        "-g",
        "lr=0.1",
        "-g",
        "steps=2",
        "-g",
        "beta=0.5",
    )
    # g = 2, v = 2, θ = 0.8; g = 1.6, v = 0.5·2 + 1.6 = 2.6, θ = 0.8 − 0.26 = 0.54
    assert answers["velocity"] == pytest.approx([2.6])
    assert answers["theta"] == pytest.approx([0.54])


def test_weight_decay_step(run):
    answers = solve_json(
        run,
        "l2_regularization",
        "-g",
        "w=[1, -2]",
        "-g",
        "data_loss=0.5",
        "-g",
        "data_grad=[0.1, 0.2]",
        "-g",
        "lam=0.1",
        "-g",
        "lr=1",
    )
    assert answers["loss"] == pytest.approx(0.75)
    assert answers["weights"] == pytest.approx([0.8, -2.0])


def test_dropout_scales_kept_units(run):
    answers = solve_json(run, "dropout", "-g", "h=[1, 2, 3]", "-g", "mask=[1, 0, 1]", "-g", "p=0.5")
    assert answers["output"] == [2, 0, 6] and answers["test_output"] == [1, 2, 3]


def test_clipping_normalization_activation_and_gradient_check(run):
    assert solve_json(run, "gradient_clipping", "-g", "g=[3, 4]", "-g", "threshold=1")[
        "clipped"
    ] == pytest.approx([0.6, 0.8])
    norm = solve_json(run, "normalization_shapes", "-g", "kind=batchnorm", "-g", "input=8x16x4x4")
    assert norm == {"mean_shape": "1x16x1x1", "gamma_shape": "1x16x1x1", "params": 32}
    act = solve_json(run, "activation_identities", "-g", "x=-1")
    assert act["relu_grad"] == 0 and act["leaky_grad"] == 0.1
    check = solve_json(run, "numeric_gradient_check", "-g", "f=x^2", "-g", "x=3", "-g", "h=0.1")
    assert check["two_sided"] == pytest.approx(6) and check["one_sided"] == pytest.approx(6.1)


def test_concept_items_solve_with_their_explanation(run):
    answers = solve_json(run, "concept_tf", "-g", "item=dropout-test")
    assert answers["answer"] is False
    result = run("solve", "concept_choice", "-g", "item=flat-loss", "-g", "order=[3, 2, 1, 0]")
    assert "Problem 2.1" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["linear_layer", "-g", "W=[[1, 2]]", "-g", "x=[1]", "-g", "b=[0]"], "x needs 2 entries"),
        (["dropout", "-g", "h=[1, 2]", "-g", "mask=[1, 2]", "-g", "p=0.5"], "0 (dropped)"),
        (["gradient_descent", "-g", "theta=[1]", "-g", "lr=0.1"], "given 'a': needed"),
        (["normalization_shapes", "-g", "kind=layernorm", "-g", "input=2x3x4x5"], "N x D"),
        (["activation_identities", "-g", "x=0"], "no derivative at 0"),
        (["concept_tf", "-g", "item=nope"], "no concept item 'nope'"),
        (["concept_choice", "-g", "item=flat-loss", "-g", "order=[0, 0, 1, 2]"], "permutation"),
        (["numeric_gradient_check", "-g", "f=log(x)", "-g", "x=-1"], "undefined"),
    ],
)
def test_bad_givens_are_one_line_errors(run, args, message):
    result = run("solve", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
