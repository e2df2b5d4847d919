"""A question says exactly what its key counts, in the words the key uses: a student who
follows the printed formula or convention gets the key."""

import numpy as np
import pytest

from generator import registry
from generator.render.pages import render_question


def _question(family: str, givens: dict) -> tuple[str, dict, dict]:
    """(question text and part labels as a sheet shows them, canonical givens, answers)."""
    problem = registry.get(family)
    params = problem.read_givens(givens)
    solution = problem.solve(params)
    parts = [
        {"id": part.id, "label": part.label, "type": part.answer.to_json(), "key": part.key}
        for part in problem.parts(params, solution)
    ]
    question = {
        "params": params,
        "answers": solution.answers,
        "steps": solution.steps,
        "parts": parts,
    }
    rendered = render_question(family, question)
    labels = " ".join(part["label"] for part in rendered["parts"])
    return rendered["question"] + "\n" + labels, params, solution.answers


def test_convolution_mode_prints_the_flipped_formula_it_grades():
    x = [[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [1, 0, 2, 3]]
    w = [[1, 2], [0, -1]]
    text, _, answers = _question(
        "conv_forward", {"mode": "convolution", "input": x, "filters": w, "stride": 1}
    )
    assert r"w_{c,\,k-1-i,\,k-1-j}" in text
    # the printed formula, computed by brute force: y[r,q] = sum x[r+i, q+j] w[k-1-i, k-1-j]
    xs, ws, k = np.array(x, float), np.array(w, float), 2
    printed = [
        [
            sum(xs[r + i, q + j] * ws[k - 1 - i, k - 1 - j] for i in range(k) for j in range(k))
            for q in range(3)
        ]
        for r in range(3)
    ]
    assert np.allclose(np.array(answers["output"], float).reshape(3, 3), printed)


def test_cross_correlation_prints_the_unflipped_formula():
    text, _, _ = _question(
        "conv_forward", {"mode": "cross-correlation", "input": [[1, 2], [3, 4]], "filters": [[1]]}
    )
    assert r"w_{c,i,j}" in text and "k-1-i" not in text


def test_convolutions_are_never_drawn_in_ceil_mode_and_pooling_pads_at_most_half():
    family = registry.get("conv_output_size")
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(1500):
            params = family.sample(np.random.default_rng(seed), difficulty)
            if params["op"] == "conv":
                assert params.get("rounding", "exact") != "ceil", (difficulty, seed)
            if params["op"] == "pool":
                assert 2 * int(params["padding"]) <= int(params["kernel"]), (difficulty, seed)


def test_a_convolution_rounded_up_by_the_spec_names_no_ceil_mode_it_lacks():
    text, _, _ = _question(
        "conv_output_size",
        {"op": "conv", "input": 10, "kernel": 3, "stride": 2, "padding": 2, "rounding": "ceil"},
    )
    assert "ceil_mode" not in text and "rounded up" in text
    pooled, _, _ = _question(
        "conv_output_size",
        {"op": "pool", "input": 10, "kernel": 3, "stride": 2, "padding": 1, "rounding": "ceil"},
    )
    assert "ceil_mode=True" in pooled


def test_a_table_with_batch_norm_says_it_counts_gamma_and_beta():
    text, _, answers = _question(
        "network_table", {"input": "8x8x3", "layers": "CONV3-4, bn, relu, FC-10"}
    )
    assert "2 per channel" in text
    assert answers["rows"][1]["params"] == 2 * 4


def test_hinge_loss_with_regularization_labels_the_loss_it_grades():
    scores, labels, weights, reg = (
        [[1.0, 2.0, 0.5], [0.2, -1.0, 0.3]],
        [0, 2],
        [[1, -2], [3, 0]],
        0.1,
    )
    text, _, answers = _question(
        "hinge_loss", {"scores": scores, "labels": labels, "reg": reg, "weights": weights}
    )
    assert r"\lambda \lVert W \rVert^2" in text and "no factor 1/2" in text
    assert "mean over the batch)" not in text
    data = np.mean(
        [
            sum(max(0.0, s[j] - s[y] + 1) for j in range(3) if j != y)
            for s, y in zip(scores, labels, strict=True)
        ]
    )
    assert answers["loss"] == pytest.approx(data + reg * float(np.sum(np.square(weights))))


@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_a_vanilla_rnn_is_not_said_to_have_gates(convention):
    text, _, answers = _question(
        "rnn_params", {"cell": "rnn", "hidden": 4, "inputs": 3, "convention": convention}
    )
    assert "gate" not in text
    assert answers["biases"] == (8 if convention == "pytorch" else 4)
