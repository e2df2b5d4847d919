"""Softmax cross-entropy: probabilities, loss (natural log) and score gradient."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.families.common.classifier_scores import (
    batch_loss_parts,
    check_labels,
    labels_list,
    sample_scores,
)
from generator.family import Family, Given, Mistake, Part, Solution, real_matrix
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.losses import softmax


@register
class SoftmaxLoss(Family):
    name = "softmax_loss"
    title = "Softmax cross-entropy loss"
    summary = "Softmax probabilities, cross-entropy loss −ln p_y and gradient p − onehot(y)"
    topic = "losses"
    choice_part = "loss"
    givens = {
        "scores": Given(real_matrix, "class scores: a list, or one list per example"),
        "labels": Given(labels_list, "correct class index, or one per example"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        # a level fixes the batch and the classes: every student computes as many numbers
        rows = {"easy": 1, "medium": 2, "hard": 2}
        classes = 4 if difficulty == "hard" else 3
        scores = sample_scores(rng, rows[difficulty], classes, 30)
        if difficulty == "hard" and rng.random() < 0.5:
            # scores in the hundreds: naive e^s overflows, shifting by the maximum does not
            offset = float(rng.choice([500, 800, 1000]))
            scores = [[round(s + offset, 1) for s in row] for row in scores]
        labels = [int(v) for v in rng.integers(0, classes, rows[difficulty])]
        return {"scores": scores, "labels": labels}

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        check_labels(self, params["scores"], params["labels"])
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        # scores in the hundreds overflow e^s unless shifted by the maximum first
        largest = max(
            abs(s) for row in params["scores"] for s in (row if isinstance(row, list) else [row])
        )
        return {"large scores": "yes" if largest > 100 else "no"}

    def solve(self, params: dict[str, Any]) -> Solution:
        scores = np.array(params["scores"], dtype=float)
        labels = np.array(params["labels"])
        result = softmax(scores, labels)
        n = len(labels)
        steps = [
            r"$p_k = e^{s_k} / \sum_j e^{s_j}$, computed as $e^{s_k - m} / \sum_j e^{s_j - m}$"
            " with $m$ the largest score, which changes nothing but keeps the exponentials"
            " from overflowing"
        ]
        for i, (row, y) in enumerate(zip(scores, labels, strict=True)):
            m = row.max()
            exps = np.exp(row - m)
            steps.append(
                f"Example {i + 1}: $s - m = {vector_text(row - m)}$, "
                f"$e^{{s - m}} = {vector_text(exps)}$ with sum {short_number(exps.sum())}, "
                f"so $p = {vector_text(result.probabilities[i])}$"
            )
            steps.append(
                f"$L_{{{i + 1}}} = -\\ln p_{{{int(y)}}} = "
                f"-\\ln {short_number(result.probabilities[i, y])} = "
                f"{short_number(result.losses[i])}$"
            )
        if n > 1:
            steps.append(
                f"Mean over the batch: $L = ({' + '.join(short_number(v) for v in result.losses)})"
                f" / {n} = {short_number(result.loss)}$"
            )
        steps.append(
            r"Gradient: $\partial L / \partial s = (p - \operatorname{onehot}(y))"
            + (f" / {n}" if n > 1 else "")
            + "$: subtract 1 at the correct class"
        )
        for i, row in enumerate(result.grad_scores):
            steps.append(f"$\\partial L / \\partial s$ for example {i + 1}: ${vector_text(row)}$")
        return Solution(
            {
                "probabilities": result.probabilities.tolist(),
                "losses": result.losses.tolist(),
                "loss": result.loss,
                "grad_scores": result.grad_scores.tolist(),
            },
            steps,
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        loss = solution.answers["loss"]
        probabilities = solution.answers["probabilities"]
        wrong_class = [
            max(row[j] for j in range(len(row)) if j != y)
            for row, y in zip(probabilities, params["labels"], strict=True)
        ]
        return {
            "loss": [
                Mistake(loss / math.log(10), "using log10 instead of the natural log"),
                Mistake(-loss, "forgetting the minus sign of −ln p"),
                Mistake(
                    float(np.mean([-math.log(p) for p in wrong_class])),
                    "taking the probability of the highest-scoring wrong class",
                ),
                Mistake(
                    float(
                        np.mean(
                            [
                                1 - row[y]
                                for row, y in zip(probabilities, params["labels"], strict=True)
                            ]
                        )
                    ),
                    "giving 1 − p instead of −ln p for the correct class",
                ),
            ]
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        n, classes = len(params["scores"]), len(params["scores"][0])
        probabilities = Part(
            "probabilities",
            f"softmax probabilities ({n}x{classes})",
            Matrix(n, classes, 0.01, 0.005),
            solution.answers["probabilities"],
        )
        return [probabilities, *batch_loss_parts(params, solution.answers, "∂L/∂scores", 0.005)]
