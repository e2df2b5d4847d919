"""L2 regularization: the loss L + λ/2‖w‖², its gradient ∇L + λw, and the SGD step with
weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.family import Family, Given, Mistake, Part, Solution, real, real_vector
from generator.formatting import short_number, vector_text
from generator.registry import register
from solvers.regularization import l2_step


@register
class L2Regularization(Family):
    name = "l2_regularization"
    title = "L2 regularization and weight decay"
    summary = "Regularized loss L + λ/2‖w‖², its gradient ∇L + λw, and the weight-decay update"
    topic = "regularization"
    choice_part = "weights"
    givens = {
        "w": Given(real_vector, "the weights"),
        "data_loss": Given(real(0, 1e6), "the data loss L(w)"),
        "data_grad": Given(real_vector, "its gradient ∇L(w)"),
        "lam": Given(real(0, 100), "the regularization constant λ"),
        "lr": Given(real(1e-9, 100), "the learning rate η"),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        n = 2 if difficulty == "easy" else 3
        return {
            "w": rng.integers(-4, 5, n).tolist(),
            "data_loss": float(rng.integers(5, 40)) / 10,
            "data_grad": (rng.integers(-10, 11, n) / 10).tolist(),
            # ηλ of a few percent at least: with λ = 0.01 and η = 0.1 the decay is 0.1 %,
            # and forgetting λw gives the same weights to within 1 %
            "lam": float(rng.choice([0.1, 0.2, 0.5])),
            "lr": float(rng.choice([0.1, 0.5, 1.0])),
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        if len(params["data_grad"]) != len(params["w"]):
            raise self.error("needs one entry per weight", "data_grad")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"lambda": f"{params['lam']:g}"}

    def solve(self, params: dict[str, Any]) -> Solution:
        w, g = np.array(params["w"], float), np.array(params["data_grad"], float)
        lam, lr = params["lam"], params["lr"]
        step = l2_step(w, params["data_loss"], g, lam, lr)
        lam_t, lr_t = short_number(lam), short_number(lr)
        squares = short_number(float(np.sum(w**2)))
        return Solution(
            {
                "penalty": step.penalty,
                "loss": step.loss,
                "gradient": step.gradient.tolist(),
                "weights": step.weights.tolist(),
            },
            [
                f"λ/2‖w‖² = {lam_t}/2 × {squares} = {short_number(step.penalty)}; "
                f"L + λ/2‖w‖² = {short_number(params['data_loss'])} + "
                f"{short_number(step.penalty)} = {short_number(step.loss)}",
                f"∇(λ/2‖w‖²) = λw, so the gradient is ∇L + λw = {vector_text(g)} + "
                f"{lam_t}×{vector_text(w)} = {vector_text(step.gradient)}",
                f"w ← w − η(∇L + λw) = (1 − ηλ)w − η∇L: each step first shrinks w by the factor "
                f"1 − {lr_t}×{lam_t} = {short_number(1 - lr * lam)} (weight decay): "
                f"{vector_text(step.weights)}",
            ],
        )

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        w, g = np.array(params["w"], float), np.array(params["data_grad"], float)
        lam, lr = params["lam"], params["lr"]
        return {
            "weights": [
                Mistake((w - lr * g).tolist(), "forgetting the regularization term λw"),
                Mistake(
                    (w - lr * (g + 2 * lam * w)).tolist(),
                    "using 2λw, the gradient of λ‖w‖², for the penalty λ/2‖w‖²",
                ),
                Mistake((w + lr * (g + lam * w)).tolist(), "stepping up the gradient"),
            ],
            "loss": [
                Mistake(params["data_loss"] + lam * float(w @ w), "dropping the ½ of λ/2‖w‖²")
            ],
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        n = len(params["w"])
        answers = solution.answers
        return [
            Part("loss", "the regularized loss", Real(0.01, 1e-3), answers["loss"]),
            Part("gradient", "its gradient", Matrix(None, n, 0.01, 1e-3), answers["gradient"]),
            Part(
                "weights", "w after one SGD step", Matrix(None, n, 0.01, 1e-3), answers["weights"]
            ),
        ]
