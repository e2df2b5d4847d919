"""One step of gradient descent on a two-layer network: forward, backward, update."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.families.two_layer_network import TwoLayerNetwork
from generator.family import Given, Mistake, Part, Solution, real
from generator.formatting import short_number, tex_matrix, vector_text
from generator.registry import register
from solvers.mlp import sgd_step


@register
class TrainingStep(TwoLayerNetwork):
    name = "training_step"
    title = "A two-layer network: one training step"
    summary = "The loss, then W1, b1, W2, b2 after one step of gradient descent"
    topic = "optimization"
    choice_part = "loss"
    givens = {
        **TwoLayerNetwork.givens,
        "lr": Given(real(1e-6, 10), "the learning rate η (default 0.1)", 0.1),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return {**super().sample(rng, difficulty), "lr": float(rng.choice([0.1, 0.5, 1.0]))}

    def updated(self, params: dict[str, Any], sign: float = 1.0) -> dict[str, np.ndarray]:
        _, g = self.run(params)
        return sgd_step(self.arrays(params), g, sign * params["lr"])

    def solve(self, params: dict[str, Any]) -> Solution:
        f, g = self.run(params)
        new = sgd_step(self.arrays(params), g, params["lr"])
        eta = short_number(params["lr"])
        steps = [
            *self.forward_steps(params, f),
            *self.backward_steps(params, g),
            r"Update $\theta \leftarrow \theta - \eta \, \partial L / \partial \theta$ with "
            f"$\\eta = {eta}$: $W_1 = {tex_matrix(new['W1'])}$, $b_1 = {vector_text(new['b1'])}$, "
            f"$W_2 = {tex_matrix(new['W2'])}$, $b_2 = {vector_text(new['b2'])}$",
        ]
        answers = {"loss": f.loss, **{name: value.tolist() for name, value in new.items()}}
        return Solution(answers, steps)

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        a = solution.answers
        parts = [Part("loss", "the loss $L$ before the step", Real(0.01, 1e-3), a["loss"])]
        for name in ("W1", "b1", "W2", "b2"):
            value = np.array(a[name])
            rows = None if value.ndim == 1 else value.shape[0]
            shape = f"{value.shape[0]}x{value.shape[1]}" if value.ndim == 2 else f"{len(value)}"
            parts.append(
                Part(
                    name,
                    f"{name} after the step ({shape})",
                    Matrix(rows, value.shape[-1], 0.01, 1e-3),
                    a[name],
                )
            )
        return parts

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        from generator.families.mlp_forward import loss_mistakes

        uphill = self.updated(params, sign=-1.0)
        found = {
            name: [Mistake(uphill[name].tolist(), "adding the gradient instead of subtracting it")]
            for name in ("W1", "b1", "W2", "b2")
        }
        return {**found, "loss": loss_mistakes(self, params, solution.answers)}
