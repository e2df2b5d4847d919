"""Mean squared error and binary cross-entropy through the logistic function, with their
gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.family import Family, Given, Mistake, Part, Solution, choice, real_vector
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.regression import binary_cross_entropy, mse

LOSSES = ("mse", "bce")


@register
class RegressionLosses(Family):
    name = "regression_losses"
    title = "Regression losses and their gradients"
    summary = "Mean squared error, or binary cross-entropy on logits σ(z), and ∂L/∂(input)"
    topic = "losses"
    choice_part = "loss"
    givens = {
        "loss": Given(choice(*LOSSES), "mse (predictions ŷ) or bce (logits z, labels 0/1)"),
        "inputs": Given(real_vector, "the predictions ŷ (mse) or the logits z (bce)"),
        "targets": Given(real_vector, "the targets y (for bce, each 0 or 1)"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        loss = "mse" if difficulty == "easy" else str(rng.choice(LOSSES))
        # cross-entropy asks a probability and a gradient per example, squared error only a
        # gradient: half as many examples, so both write as many numbers at a level
        n = {"easy": 1, "medium": 2, "hard": 3}[difficulty] * (2 if loss == "mse" else 1)
        tenths = np.arange(-20, 21) / 10
        if loss == "mse":
            return {
                "loss": loss,
                "inputs": rng.choice(tenths, n).tolist(),
                "targets": rng.choice(tenths, n).tolist(),
            }
        return {
            "loss": loss,
            "inputs": rng.choice(tenths, n).tolist(),
            "targets": rng.integers(0, 2, n).tolist(),
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        if len(params["inputs"]) != len(params["targets"]):
            raise self.error("one target per input", "targets")
        if len(params["inputs"]) > 8:
            raise self.error("at most 8 values: this is done by hand", "inputs")
        if params["loss"] == "bce" and any(y not in (0, 1) for y in params["targets"]):
            raise self.error("bce needs labels 0 or 1", "targets")
        if params["loss"] == "bce" and any(abs(z) > 30 for z in params["inputs"]):
            raise self.error("logits beyond ±30 make σ(z) round to 0 or 1", "inputs")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"loss": params["loss"]}

    def solve(self, params: dict[str, Any]) -> Solution:
        x, y = np.array(params["inputs"], float), np.array(params["targets"], float)
        n = len(y)
        if params["loss"] == "mse":
            result = mse(x, y)
            steps = [
                rf"$\hat y - y = {vector_text(x - y)}$",
                rf"$L = \frac{{1}}{{n}} \sum_i (\hat y_i - y_i)^2$ with $n = {n}$: "
                f"${short_number(result.loss)}$",
                rf"$\partial L / \partial \hat y_i = \frac{{2}}{{n}} (\hat y_i - y_i)$, so "
                rf"$\partial L / \partial \hat y = {vector_text(result.gradient)}$",
            ]
            return Solution({"loss": result.loss, "gradient": result.gradient.tolist()}, steps)
        result = binary_cross_entropy(x, y)
        steps = [
            rf"$p = \sigma(z) = 1 / (1 + e^{{-z}}) = {vector_text(result.probabilities)}$",
            rf"$L = -\frac{{1}}{{n}} \sum_i [y_i \ln p_i + (1 - y_i) \ln(1 - p_i)]$ with"
            f" $n = {n}$: ${short_number(result.loss)}$ (computed from the logits as"
            r" $\ln \sigma(z) = -\operatorname{softplus}(-z)$, which stays exact for large"
            " $|z|$)",
            rf"$\partial L / \partial z_i = (p_i - y_i) / n$, so "
            rf"$\partial L / \partial z = {vector_text(result.gradient)}$",
        ]
        answers = {
            "p": result.probabilities.tolist(),
            "loss": result.loss,
            "gradient": result.gradient.tolist(),
        }
        return Solution(answers, steps)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        a = solution.answers
        n = len(params["targets"])
        wrt = r"\hat y" if params["loss"] == "mse" else "z"
        parts = []
        if "p" in a:
            parts.append(Part("p", r"$p = \sigma(z)$", Matrix(None, n, 0.01, 1e-3), a["p"]))
        parts.append(Part("loss", "the loss $L$", Real(0.01, 1e-3), a["loss"]))
        parts.append(
            Part(
                "gradient",
                rf"$\partial L / \partial {wrt}$",
                Matrix(None, n, 0.01, 1e-3),
                a["gradient"],
            )
        )
        return parts

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        x, y = np.array(params["inputs"], float), np.array(params["targets"], float)
        n = len(y)
        if params["loss"] == "mse":
            return {
                "loss": [
                    Mistake(float(np.sum((x - y) ** 2)), "summing instead of averaging"),
                    Mistake(float(np.mean(np.abs(x - y))), "taking |ŷ − y| instead of the square"),
                ],
                "gradient": [
                    Mistake(((x - y) / n).tolist(), "forgetting the 2 from the square"),
                    Mistake((2 * (x - y)).tolist(), "forgetting the 1/n"),
                ],
            }
        p = np.array(solution.answers["p"])
        return {
            "loss": [
                # log10 t = ln t / ln 10, term by term: the same loss, scaled
                Mistake(
                    float(solution.answers["loss"]) / math.log(10), "using log10 instead of ln"
                ),
                Mistake(-float(solution.answers["loss"]), "dropping the minus sign"),
            ],
            "gradient": [Mistake((p - y).tolist(), "forgetting the 1/n")],
        }
