"""Parameter counts of recurrent layers: vanilla RNN, GRU and LSTM, in PyTorch's convention
(two bias vectors per gate) or Keras's (one, but two for a GRU with reset_after=True, its
default)."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Integer
from generator.family import Family, Given, Mistake, Part, Solution, boolean, choice, whole
from generator.registry import register
from solvers.rnn import BIASES, GATES, bias_vectors, rnn_param_counts

NAMES = {"rnn": "vanilla RNN", "gru": "GRU", "lstm": "LSTM"}


@register
class RnnParams(Family):
    name = "rnn_params"
    title = "Parameters of a recurrent layer"
    summary = "Weights and biases of an RNN, GRU or LSTM layer, PyTorch's or Keras's way"
    topic = "networks"
    choice_part = "total"
    givens = {
        "cell": Given(choice(*GATES), "rnn, gru or lstm"),
        "inputs": Given(whole(1, 10_000), "the size of each input vector"),
        "hidden": Given(whole(1, 10_000), "the number of hidden units"),
        "convention": Given(choice(*BIASES), "pytorch (b_ih and b_hh) or keras (one bias)"),
        "reset_after": Given(
            boolean, "a Keras GRU's reset_after (default true, as in Keras: two biases)", None
        ),
    }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        if "reset_after" in params and (params["cell"], params["convention"]) != ("gru", "keras"):
            raise self.error("only a Keras GRU has reset_after", "reset_after")
        return params

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        cells = {"easy": ["rnn"], "medium": ["rnn", "gru", "lstm"], "hard": ["gru", "lstm"]}
        sizes = [4, 8, 10, 16, 20, 32, 50, 64, 100, 128, 256]
        return {
            "cell": str(rng.choice(cells[difficulty])),
            "inputs": int(rng.choice(sizes)),
            "hidden": int(rng.choice(sizes)),
            "convention": str(rng.choice(list(BIASES))),
        }

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"cell": params["cell"], "convention": params["convention"]}

    def solve(self, params: dict[str, Any]) -> Solution:
        cell, n, h = params["cell"], params["inputs"], params["hidden"]
        reset_after = params.get("reset_after", True)
        counts = rnn_param_counts(cell, n, h, params["convention"], reset_after)
        gates, biases = GATES[cell], bias_vectors(cell, params["convention"], reset_after)
        per_gate = "" if gates == 1 else f" for each of its {gates} gates"
        if params["convention"] == "keras" and cell == "gru":
            bias_text = (
                "two bias vectors (input and recurrent, as `reset_after=True` keeps)"
                if reset_after
                else "one bias vector (`reset_after=False`)"
            )
        else:
            bias_text = (
                "two bias vectors (`bias_ih` and `bias_hh`)" if biases == 2 else "one bias vector"
            )
        article = "An" if cell == "lstm" else "A"
        steps = [
            f"{article} {NAMES[cell]} layer has{per_gate} an input matrix ({h}x{n}), "
            f"a recurrent matrix ({h}x{h}) and {bias_text} of {h}",
            f"Input weights: {gates}·{h}·{n} = {counts['input_weights']}",
            f"Recurrent weights: {gates}·{h}·{h} = {counts['recurrent_weights']}",
            f"Biases: {biases}·{gates}·{h} = {counts['biases']}",
            f"Total: {counts['input_weights']} + {counts['recurrent_weights']} + "
            f"{counts['biases']} = {counts['total']}",
        ]
        return Solution(counts, steps)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        a = solution.answers
        labels = {
            "input_weights": "input-to-hidden weights",
            "recurrent_weights": "hidden-to-hidden (recurrent) weights",
            "biases": "biases",
            "total": "the total number of parameters",
        }
        return [Part(name, label, Integer(), a[name]) for name, label in labels.items()]

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        cell, n, h = params["cell"], params["inputs"], params["hidden"]
        reset_after = params.get("reset_after", True)
        gates = GATES[cell]
        one_gate = rnn_param_counts("rnn", n, h, params["convention"])
        a = solution.answers
        if params["convention"] == "keras" and cell == "gru":
            swapped = rnn_param_counts(cell, n, h, "keras", not reset_after)
            other = "as one bias vector" if reset_after else "as two bias vectors"
        else:
            other = "keras" if params["convention"] == "pytorch" else "pytorch"
            swapped = rnn_param_counts(cell, n, h, other)
            other = f"the {other} way"
        return {
            "biases": [Mistake(swapped["biases"], f"counting biases {other}")],
            "total": [
                Mistake(swapped["total"], f"counting biases {other}"),
                Mistake(one_gate["total"], f"counting one gate instead of {gates}"),
                Mistake(a["total"] - a["recurrent_weights"], "forgetting the recurrent weights"),
            ],
            "recurrent_weights": [
                Mistake(gates * h * n, "using the input size for the recurrent matrix")
            ],
        }
