"""Multiclass SVM (hinge) loss of one example or a small batch, and its score gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.families.common.classifier_scores import (
    batch_loss_parts,
    check_labels,
    labels_list,
    sample_scores,
)
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, real, real_matrix
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.losses import hinge


@register
class HingeLoss(Family):
    name = "hinge_loss"
    title = "Multiclass SVM (hinge) loss"
    summary = "Hinge loss Σ max(0, s_j − s_y + Δ) of a batch, optional L2 term, score gradient"
    topic = "losses"
    choice_part = "loss"
    givens = {
        "scores": Given(real_matrix, "class scores: a list, or one list per example"),
        "labels": Given(labels_list, "correct class index, or one per example"),
        "margin": Given(real(1e-6, 1e3), "the margin Δ (default 1)", 1),
        "reg": Given(real(0, 1e3), "L2 strength λ of λ‖W‖² (default 0)", 0),
        "weights": Given(real_matrix, "W, needed when reg > 0", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        # a level fixes the batch and the classes: every student computes as many margins
        rows = {"easy": 1, "medium": 2, "hard": 2}
        classes = 4 if difficulty == "hard" else 3
        while True:
            scores = sample_scores(rng, rows[difficulty], classes, 50)
            labels = [int(v) for v in rng.integers(0, classes, rows[difficulty])]
            margins = [
                round(s - row[y] + 1, 6)
                for row, y in zip(scores, labels, strict=True)
                for j, s in enumerate(row)
                if j != y
            ]
            # no margin at exactly 0, where the hinge has no derivative; some active, some not
            if 0 not in margins and any(m > 0 for m in margins) and any(m < 0 for m in margins):
                break
        params: dict[str, Any] = {"scores": scores, "labels": labels}
        if difficulty == "hard":
            params["reg"] = float(rng.choice([0.1, 0.05, 0.01]))
            params["weights"] = [[int(v) for v in rng.integers(-3, 4, 3)] for _ in range(2)]
        return params

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        check_labels(self, params["scores"], params["labels"])
        if params["reg"] and "weights" not in params:
            raise self.error("needed when reg > 0", "weights")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        scores, labels = params["scores"], params["labels"]
        rows = scores if isinstance(scores[0], list) else [scores]
        labels = labels if isinstance(labels, list) else [labels]
        margin = params["margin"]
        zero = any(
            all(s - row[y] + margin <= 0 for j, s in enumerate(row) if j != y)
            for row, y in zip(rows, labels, strict=True)
        )
        return {
            "regularized": "yes" if params["reg"] else "no",
            "an example with zero loss": "yes" if zero else "no",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        scores = np.array(params["scores"], dtype=float)
        labels = np.array(params["labels"])
        weights = np.array(params["weights"], dtype=float) if "weights" in params else None
        result = hinge(scores, labels, params["margin"], params["reg"], weights)
        delta = short_number(params["margin"])
        steps = [
            rf"$L_i = \sum_{{j \neq y_i}} \max(0, s_j - s_{{y_i}} + {delta})$:"
            " only positive margins count"
        ]
        for i, (row, y) in enumerate(zip(params["scores"], params["labels"], strict=True)):
            terms = [
                rf"\max(0, {short_number(s)} - {term(row[y])} + {delta})"
                for j, s in enumerate(row)
                if j != y
            ]
            values = [
                short_number(max(0.0, result.margins[i, j])) for j in range(len(row)) if j != y
            ]
            steps.append(
                f"Example {i + 1} (class {y}): $L_{{{i + 1}}} = {' + '.join(terms)} = "
                f"{' + '.join(values)} = {short_number(result.losses[i])}$"
            )
        n = len(labels)
        if n > 1:
            steps.append(
                f"Mean over the batch: $L = ({' + '.join(short_number(v) for v in result.losses)})"
                f" / {n} = {short_number(result.data_loss)}$"
            )
        if params["reg"]:
            squares = short_number(float(np.sum(weights**2)))
            steps.append(
                rf"Regularization: $\lambda \lVert W \rVert^2 = {short_number(params['reg'])}"
                rf" \times {squares} = {short_number(result.reg_loss)}$, so "
                f"$L = {short_number(result.data_loss)} + {short_number(result.reg_loss)} = "
                f"{short_number(result.loss)}$"
            )
        share = "1" if n == 1 else f"1/{n}"
        steps.append(
            rf"Gradient: $\partial L / \partial s_j = {share}$ for each $j \neq y$ with a"
            rf" positive margin, and $\partial L / \partial s_y = -{share}$ times the number of"
            " positive margins"
            + ("; the regularizer does not depend on the scores" if params["reg"] else "")
        )
        for i, row in enumerate(result.grad_scores):
            steps.append(rf"$\partial L / \partial s$ for example {i + 1}: ${vector_text(row)}$")
        answers: dict[str, Any] = {
            "losses": result.losses.tolist(),
            "loss": result.loss,
            "grad_scores": result.grad_scores.tolist(),
        }
        if params["reg"]:
            answers.update(data_loss=result.data_loss, reg_loss=result.reg_loss)
        return Solution(answers, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        n = len(params["labels"])
        margin = params["margin"]
        loss = solution.answers["loss"]
        found = [Mistake(loss + margin, "including the correct class in the sum (it adds Δ)")]
        if n > 1:
            found.append(Mistake(loss * n, "summing over the batch instead of averaging"))
        scores = np.array(params["scores"], dtype=float)
        flipped = 0.0
        for row, y in zip(scores, params["labels"], strict=True):
            flipped += sum(max(0.0, row[y] - s + margin) for j, s in enumerate(row) if j != y)
        found.append(Mistake(flipped / n, "subtracting the wrong way round"))
        return {"loss": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        return batch_loss_parts(params, solution.answers, "∂L/∂scores", grad_atol=1e-3)
