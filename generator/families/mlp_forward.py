"""The forward pass of a two-layer network: every layer's values and the loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix, Real
from generator.families.two_layer_network import TwoLayerNetwork
from generator.family import Mistake, Part, Solution
from generator.registry import register
from solvers.mlp import activate


@register
class MlpForward(TwoLayerNetwork):
    name = "mlp_forward"
    title = "A two-layer network: the forward pass"
    summary = "z1, h = g(z1), z2 (and softmax) and the loss of a two-layer network"
    choice_part = "loss"
    # cross-entropy asks for the softmax too
    sampled_losses = {
        "easy": ("squared_error",),
        "medium": ("squared_error",),
        "hard": ("cross_entropy",),
    }

    def solve(self, params: dict[str, Any]) -> Solution:
        f, _ = self.run(params)
        answers: dict[str, Any] = {"z1": f.z1.tolist(), "h": f.h.tolist(), "z2": f.z2.tolist()}
        if params["loss"] == "cross_entropy":
            answers["p"] = f.output.tolist()
        answers["loss"] = f.loss
        return Solution(answers, self.forward_steps(params, f))

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        labels = {
            "z1": "z1 = W1 x + b1",
            "h": f"h = {params['activation']}(z1)",
            "z2": "z2 = W2 h + b2",
            "p": "p = softmax(z2)",
        }
        parts = [
            Part(name, label, Matrix(None, len(answers[name]), 0.01, 1e-3), answers[name])
            for name, label in labels.items()
            if name in answers
        ]
        return [*parts, Part("loss", "the loss $L$", Real(0.01, 1e-3), answers["loss"])]

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        a = self.arrays(params)
        z1 = np.array(solution.answers["z1"])
        z2_raw = a["W2"] @ z1 + a["b2"]  # the activation skipped
        found: dict[str, list[Mistake]] = {
            "z2": [Mistake(z2_raw.tolist(), "skipping the hidden activation")],
            "h": [Mistake(z1.tolist(), "skipping the activation")],
        }
        if params["activation"] != "relu":
            other = "tanh" if params["activation"] == "sigmoid" else "sigmoid"
            found["h"].append(Mistake(activate(other, z1).tolist(), f"using {other} instead"))
        found["loss"] = loss_mistakes(self, params, solution.answers)
        return found


def loss_mistakes(
    family: TwoLayerNetwork, params: dict[str, Any], answers: dict[str, Any]
) -> list[Mistake]:
    """Wrong losses a student gets by a known mistake in the forward pass."""
    found = [Mistake(family.loss_without_activation(params), "skipping the hidden activation")]
    f, _ = family.run(params)
    if params["loss"] == "squared_error":
        full = float(np.sum((f.z2 - np.array(params["y"])) ** 2))
        found.append(Mistake(full, "forgetting the ½ in ½‖z2 − y‖²"))
    else:
        found.append(Mistake(float(-np.log10(f.output[params["y"]])), "using log10 for ln"))
    return found
