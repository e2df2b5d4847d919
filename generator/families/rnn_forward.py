"""One or two time steps of a vanilla RNN: h_t = tanh(W_xh x_t + W_hh h_{t−1} + b)."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.family import Family, Given, Mistake, Part, Solution, real_matrix, real_vector
from generator.formatting import vector_text
from generator.registry import register
from solvers.rnn import rnn_steps


def read_inputs(value: Any) -> list[list[int | float]]:
    """One or two input vectors x_1 (and x_2), as a list of rows."""
    rows = real_matrix(value)
    if len(rows) > 2:
        raise ValueError("one or two time steps, a row per input vector")
    return rows


@register
class RnnForward(Family):
    name = "rnn_forward"
    title = "A recurrent network, step by step"
    summary = "h_t = tanh(W_xh x_t + W_hh h_(t−1) + b) for one or two time steps"
    topic = "networks"
    choice_part = "h1"
    givens = {
        "W_xh": Given(lambda v: real_matrix(v, allow_vector=False), "input weights, h x n"),
        "W_hh": Given(lambda v: real_matrix(v, allow_vector=False), "recurrent weights, h x h"),
        "b": Given(real_vector, "the bias, h numbers"),
        "xs": Given(read_inputs, "the inputs x_1 (and x_2), a row each"),
        "h0": Given(real_vector, "the initial state (default zeros)", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        h, n = (2, 2) if difficulty != "hard" else (2, 3)
        steps = 1 if difficulty == "easy" else 2
        tenths = np.arange(-10, 11) / 10
        params = {
            "W_xh": rng.choice(tenths, (h, n)).tolist(),
            "W_hh": rng.choice(tenths, (h, h)).tolist(),
            "b": rng.choice(tenths, h).tolist(),
            "xs": rng.integers(-2, 3, (steps, n)).astype(float).tolist(),
        }
        if difficulty == "hard":
            params["h0"] = rng.choice(tenths, h).tolist()
        return params

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        h, n = len(params["W_xh"]), len(params["W_xh"][0])
        if len(params["W_hh"]) != h or len(params["W_hh"][0]) != h:
            raise self.error(f"W_xh has {h} rows, so W_hh must be {h}x{h}", "W_hh")
        if len(params["b"]) != h:
            raise self.error(f"b needs {h} entries", "b")
        if len(params["xs"][0]) != n:
            raise self.error(f"W_xh has {n} columns, so each input needs {n} entries", "xs")
        if "h0" in params and len(params["h0"]) != h:
            raise self.error(f"h0 needs {h} entries", "h0")
        if max(h, n) > 4:
            raise self.error("at most 4 units: this is a question done by hand", "W_xh")
        return params

    def _run(self, params: dict[str, Any], recurrent: bool = True) -> list:
        w_xh, w_hh, b = (np.array(params[k], float) for k in ("W_xh", "W_hh", "b"))
        h0 = np.array(params.get("h0", [0.0] * len(b)), float)
        xs = [np.array(x, float) for x in params["xs"]]
        return rnn_steps(w_xh, w_hh if recurrent else 0 * w_hh, b, h0, xs)

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {
            "time steps": str(len(params["xs"])),
            "initial state": "given" if "h0" in params else "zero",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        start = vector_text(params.get("h0", [0] * len(params["b"])))
        steps = [
            r"$h_t = \tanh(a_t)$ with $a_t = W_{xh} x_t + W_{hh} h_{t-1} + b$,"
            f" starting from $h_0 = {start}$"
        ]
        answers = {}
        for t, (a, h) in enumerate(self._run(params), start=1):
            steps.append(
                f"$t = {t}$: $a_{t} = {vector_text(a)}$, "
                rf"$h_{t} = \tanh(a_{t}) = {vector_text(h)}$"
            )
            answers[f"h{t}"] = h.tolist()
        return Solution(answers, steps)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return [
            Part(name, f"$h_{name[1]}$", Matrix(None, len(value), 0.01, 1e-3), value)
            for name, value in solution.answers.items()
        ]

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        found: dict[str, list[Mistake]] = {}
        no_bias = self._run({**params, "b": [0.0] * len(params["b"])})
        for t, (a, _) in enumerate(self._run(params), start=1):
            found[f"h{t}"] = [
                Mistake(a.tolist(), "forgetting the tanh"),
                Mistake(no_bias[t - 1][1].tolist(), "forgetting the bias"),
            ]
        if len(params["xs"]) == 2 or "h0" in params:
            for t, (_, h) in enumerate(self._run(params, recurrent=False), start=1):
                found[f"h{t}"].append(Mistake(h.tolist(), "leaving out the previous state's term"))
        return found
