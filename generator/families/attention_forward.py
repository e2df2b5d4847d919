"""Scaled dot-product attention on tiny matrices: softmax(QKᵀ/√d) V."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.family import Family, Given, Mistake, Part, Solution, real_matrix
from generator.formatting import short_number, tex_matrix
from generator.registry import register
from solvers.attention import attention


def _matrix(value: Any) -> list[list[int | float]]:
    return real_matrix(value, allow_vector=False)


@register
class AttentionForward(Family):
    name = "attention_forward"
    title = "Scaled dot-product attention"
    summary = "The scores QKᵀ/√d, the attention weights and the output softmax(QKᵀ/√d) V"
    topic = "networks"
    choice_part = "output"
    givens = {
        "Q": Given(_matrix, "the queries, a row each (n_q x d)"),
        "K": Given(_matrix, "the keys, a row each (n_k x d)"),
        "V": Given(_matrix, "the values, a row per key (n_k x d_v)"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        d = {"easy": 1, "medium": 2, "hard": 4}[difficulty]
        queries, keys = (1, 2) if difficulty == "easy" else (2, 3)  # as many weights at a level
        return {
            "Q": rng.integers(-1, 3, (queries, d)).astype(float).tolist(),
            "K": rng.integers(-1, 3, (keys, d)).astype(float).tolist(),
            "V": rng.integers(-2, 4, (keys, 2)).astype(float).tolist(),
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        if len(params["Q"][0]) != len(params["K"][0]):
            raise self.error("Q and K need the same width d", "K")
        if len(params["K"]) != len(params["V"]):
            raise self.error("V needs a row per key", "V")
        if max(len(params["Q"]), len(params["K"]), len(params["Q"][0])) > 4:
            raise self.error("at most 4 rows and columns: this is done by hand", "Q")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        q, k = np.array(params["Q"], float), np.array(params["K"], float)
        scores = q @ k.T
        tied = any(len(set(row)) < len(row) for row in scores.round(9).tolist())
        return {"tied scores": "yes" if tied else "no"}

    def solve(self, params: dict[str, Any]) -> Solution:
        q, k, v = (np.array(params[name], float) for name in "QKV")
        result = attention(q, k, v)
        d = q.shape[1]
        steps = [
            rf"Scores: $S = Q K^\top / \sqrt{{d}}$ with $d = {d}$, "
            rf"$\sqrt{{d}} = {short_number(np.sqrt(d))}$: $S = {tex_matrix(result.scores)}$",
            "Weights: softmax of each row (each query's weights over the keys sum to 1): "
            f"$A = {tex_matrix(result.weights)}$",
            "Output: $AV$, a weighted average of $V$'s rows per query: "
            f"$AV = {tex_matrix(result.output)}$",
        ]
        answers = {
            "scores": result.scores.tolist(),
            "weights": result.weights.tolist(),
            "output": result.output.tolist(),
        }
        return Solution(answers, steps)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        labels = {
            "scores": "the scores QKᵀ/√d",
            "weights": "the attention weights",
            "output": "the output",
        }
        parts = []
        for name, label in labels.items():
            value = np.array(solution.answers[name])
            shape = f"{value.shape[0]}x{value.shape[1]}"
            parts.append(
                Part(name, f"{label} ({shape})", Matrix(*value.shape, 0.01, 1e-3), value.tolist())
            )
        return parts

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        q, k, v = (np.array(params[name], float) for name in "QKV")
        unscaled = attention(q * np.sqrt(q.shape[1]), k, v)  # QKᵀ without the 1/√d
        scores = q @ k.T / np.sqrt(q.shape[1])
        shifted = np.exp(scores - scores.max(axis=0))
        columns = shifted / shifted.sum(axis=0)
        why_unscaled = "forgetting to divide by √d"
        return {
            "scores": [Mistake(unscaled.scores.tolist(), why_unscaled)],
            "weights": [
                Mistake(unscaled.weights.tolist(), why_unscaled),
                Mistake(columns.tolist(), "taking the softmax down each column"),
            ],
            "output": [
                Mistake(unscaled.output.tolist(), why_unscaled),
                Mistake((columns @ v).tolist(), "taking the softmax down each column"),
                Mistake((scores @ v).tolist(), "forgetting the softmax"),
            ],
        }
