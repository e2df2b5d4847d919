"""examgen solve and grade for the loss and gradient families."""

import json

import numpy as np
import pytest
from conftest import filled_submission


def solve_json(run, *args):
    result = run("solve", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_solve_hinge_loss_for_the_midterm_example(run):
    answers = solve_json(run, "hinge_loss", "-g", "scores=[3.2, 5.1, -1.7]", "-g", "labels=0")
    assert answers["losses"] == pytest.approx([2.9])
    assert answers["loss"] == pytest.approx(2.9)
    assert answers["grad_scores"] == [[-1, 1, 0]]


def test_solve_hinge_loss_with_a_margin_and_regularization(run):
    answers = solve_json(
        run,
        "hinge_loss",
        "-g",
        "scores=[[1, 2, 3], [3, 2, 1]]",
        "-g",
        "labels=[2, 0]",
        "-g",
        "margin=2",
        "-g",
        "reg=0.5",
        "-g",
        "weights=[[1, 2], [0, -1]]",
    )
    assert answers["losses"] == [1, 1]
    assert answers["reg_loss"] == 3
    assert answers["loss"] == 4


def test_solve_softmax_loss(run):
    answers = solve_json(run, "softmax_loss", "-g", "scores=[1, 2, 3]", "-g", "labels=2")
    assert sum(answers["probabilities"][0]) == pytest.approx(1)
    assert answers["grad_scores"][0][2] == pytest.approx(answers["probabilities"][0][2] - 1)


def test_solve_chain_rule_for_the_notes_example(run):
    answers = solve_json(
        run, "chain_rule", "-g", "expr=(x+y)*z", "-g", 'values={"x": -2, "y": 5, "z": -4}'
    )
    assert answers["value"] == -12
    assert answers["gradient"] == {"x": -4, "y": -4, "z": 3}


def test_solve_chain_rule_for_a_sigmoid_neuron_with_a_symbolic_derivative(run):
    answers = solve_json(
        run,
        "chain_rule",
        "-g",
        "expr=1/(1+exp(-(w0*x0+w1*x1+w2)))",
        "-g",
        'values={"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}',
        "-g",
        "wrt=w2",
    )
    assert answers["value"] == pytest.approx(0.7311, abs=1e-4)
    assert answers["gradient"]["w0"] == pytest.approx(-0.1966, abs=1e-4)
    assert answers["gradient"]["x1"] == pytest.approx(-0.5898, abs=1e-4)
    assert "exp" in answers["derivative"]["expression"]


def test_solve_maxpool_grad(run):
    answers = solve_json(
        run,
        "maxpool_grad",
        "-g",
        "input=[[1, 3], [4, 2]]",
        "-g",
        "kernel=2",
        "-g",
        "upstream=[[5]]",
    )
    assert answers == {"output": [[4]], "grad_input": [[0, 0], [5, 0]]}


def test_solve_xavier_variance(run):
    answers = solve_json(
        run,
        "xavier_variance",
        "-g",
        "fan_in=100",
        "-g",
        "fan_out=300",
        "-g",
        "scheme=xavier",
        "-g",
        "gain=1",
    )
    assert answers["variance"] == pytest.approx(0.005)
    assert answers["bound"] == pytest.approx((6 / 400) ** 0.5)


def test_solve_sigmoid_and_matrix_gradients(run):
    answers = solve_json(run, "sigmoid_gradient", "-g", "x=0", "-g", "layers=3")
    assert answers["gradient"] == 0.25 and answers["bound"] == 0.25**3
    answers = solve_json(
        run, "matrix_gradient", "-g", "X=[[1, 2]]", "-g", "W=[[1], [1]]", "-g", "grad_D=[[3]]"
    )
    assert answers["grad_W"] == [[3], [6]] and answers["grad_X"] == [[3, 3]]


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["chain_rule", "-g", "expr=(x+y)*z", "-g", 'values={"x": 1, "y": 2}'],
            "given 'values': no value for z",
        ),
        (
            ["chain_rule", "-g", "expr=x*y", "-g", 'values={"x": 1, "y": 2, "q": 3}'],
            "q do(es) not appear",
        ),
        (
            ["chain_rule", "-g", "expr=__import__('os')", "-g", 'values={"x": 1}'],
            "given 'expr': unexpected character",
        ),
        (
            ["chain_rule", "-g", "expr=log(x)", "-g", 'values={"x": -1}'],
            "undefined at these values: log of -1",
        ),
        (
            ["chain_rule", "-g", "expr=max(x, y)", "-g", 'values={"x": 1, "y": 1}'],
            "max of two equal inputs has no derivative",
        ),
        (
            ["chain_rule", "-g", "expr=x*y", "-g", 'values={"x": 1, "y": 2}', "-g", "wrt=z"],
            "z is not a variable",
        ),
        (["hinge_loss", "-g", "scores=[1, 2]", "-g", "labels=2"], "class 2 does not exist"),
        (["hinge_loss", "-g", "scores=[[1, 2], [3]]", "-g", "labels=[0, 1]"], "equal length"),
        (["hinge_loss", "-g", "scores=[1, 2]", "-g", "labels=[0, 1]"], "2 labels for 1 row"),
        (
            ["hinge_loss", "-g", "scores=[1, 2]", "-g", "labels=0", "-g", "reg=0.1"],
            "given 'weights': needed when reg > 0",
        ),
        (["softmax_loss", "-g", "scores=[1, NaN]", "-g", "labels=0"], "given 'scores'"),
        (
            [
                "maxpool_grad",
                "-g",
                "input=[[1, 2], [3, 4]]",
                "-g",
                "kernel=2",
                "-g",
                "upstream=[[1, 2]]",
            ],
            "upstream must be 1x1",
        ),
        (
            ["matrix_gradient", "-g", "X=[[1, 2]]", "-g", "W=[[1, 2]]", "-g", "grad_D=[[1]]"],
            "cannot be multiplied",
        ),
        (["xavier_variance", "-g", "fan_in=10"], "given 'fan_out': missing"),
        (["xavier_variance", "-g", "fan_in=10", "-g", "fan_out=5", "-g", "kernel=3"], "not both"),
    ],
)
def test_bad_givens_are_one_line_errors(run, args, message):
    result = run("solve", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_whole_exam_of_losses_and_gradients_grades_full_marks_from_its_key(run, tmp_path):
    result = run("generate", "losses-and-gradients", "-n", "2", "--seed", "g")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    submission = filled_submission(exam)
    (tmp_path / "s.json").write_text(json.dumps(submission))
    report = json.loads(run("grade", "s.json", "--json").output)
    assert report["points"] == report["max_points"]
    # typed as a student would: rounded numbers, matrices as text
    for question in report["questions"]:
        for part in question["parts"]:
            key = part["key"]
            if isinstance(key, float):
                submission["answers"][question["id"]][part["id"]] = f"{key:.4g}"
            elif isinstance(key, list) and key and isinstance(key[0], list):
                rows = "; ".join(", ".join(f"{v:.4g}" for v in row) for row in key)
                submission["answers"][question["id"]][part["id"]] = f"[{rows}]"
    (tmp_path / "s.json").write_text(json.dumps(submission))
    report = json.loads(run("grade", "s.json", "--json").output)
    assert report["points"] == report["max_points"]
    submission["answers"]["q1"]["loss"] = "-3"
    (tmp_path / "s.json").write_text(json.dumps(submission))
    report = json.loads(run("grade", "s.json", "--json").output)
    assert report["points"] < report["max_points"]


def test_adam_with_eps_zero_is_refused_on_one_line(run):
    result = run(
        "solve", "gradient_descent", "-g", "loss=quadratic", "-g", "a=[1, 2]", "-g", "c=[0, 0]",
        "-g", "theta=[0, 1]", "-g", "method=adam", "-g", "lr=0.1", "-g", "eps=0",
    )  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "given 'eps': Adam's ε must be above 0" in line
    with pytest.raises(ValueError, match="above 0"):
        from solvers.optim import optimize

        optimize(np.zeros(2), lambda theta: np.zeros(2), "adam", 0.1, 1, eps=0.0)


def test_a_key_that_is_not_a_finite_number_is_refused_not_written():
    from generator.family import _not_finite

    assert _not_finite({"loss": 1.0, "thetas": [[0.5, float("nan")]]}) == "'thetas'[0][1]"
    assert _not_finite({"loss": float("inf")}) == "'loss'"
    assert _not_finite({"loss": 1, "rows": [{"shape": "1x2"}]}) is None
