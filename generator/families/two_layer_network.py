"""What the two-layer network families share: the givens W1, b1, W2, b2, x, y, the
activation and the loss, how they are sampled and checked, and the forward pass written out.
The families themselves (mlp_forward, mlp_backprop, training_step) ask for different parts.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from generator.family import Family, Given, choice, real_matrix, real_vector
from generator.formatting import counted, tex_matrix, vector_text
from solvers.mlp import ACTIVATIONS, LOSSES, Forward, Gradients, backward, forward


def read_target(value: Any) -> int | list[int | float]:
    """A class index (cross-entropy) or a vector of targets (squared error)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return real_vector(value if isinstance(value, list) else [value])


def read_loss(value: Any) -> str:
    if value == "mse":  # the regression families' mse is a mean, without the ½
        raise ValueError(
            "this network's loss is ½‖z2 − y‖², a halved sum, not a mean squared error: "
            "write squared_error"
        )
    return choice(*LOSSES)(value)


class TwoLayerNetwork(Family):
    # the losses drawn at a level (all of them where not named): a family whose blanks
    # depend on the loss names one per level, so every student of it writes as many numbers
    sampled_losses: ClassVar[dict[str, tuple[str, ...]]] = {"easy": ("squared_error",)}
    """Not registered: the base of the three two-layer network families."""

    topic = "networks"
    givens = {
        "W1": Given(lambda v: real_matrix(v, allow_vector=False), "first-layer weights, h x n"),
        "b1": Given(real_vector, "first-layer biases, h of them"),
        "W2": Given(lambda v: real_matrix(v, allow_vector=False), "second-layer weights, m x h"),
        "b2": Given(real_vector, "second-layer biases, m of them"),
        "x": Given(real_vector, "the input, n numbers"),
        "y": Given(
            read_target, "the target: m numbers (squared_error) or a class index (cross_entropy)"
        ),
        "activation": Given(choice(*ACTIVATIONS), "the hidden activation: relu, sigmoid, tanh"),
        "loss": Given(
            read_loss, "squared_error (½‖z2 − y‖²) or cross_entropy (softmax)", "squared_error"
        ),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        losses = self.sampled_losses.get(difficulty, LOSSES)
        loss = str(rng.choice(losses))
        activation = "relu" if difficulty == "easy" else str(rng.choice(ACTIVATIONS))
        # a level fixes the layers' sizes: every student of it fills in as many numbers
        n, h = (2, 2) if difficulty != "hard" else (3, 3)
        m = 1 if difficulty == "easy" else 2
        halves = np.arange(-4, 5) / 2  # -2 … 2 in halves: arithmetic a student can do
        for _ in range(100):
            params = {
                "W1": rng.choice(halves, (h, n)).tolist(),
                "b1": rng.choice(halves, h).tolist(),
                "W2": rng.choice(halves, (m, h)).tolist(),
                "b2": rng.choice(halves, m).tolist(),
                "x": rng.integers(-2, 3, n).astype(float).tolist(),
                "y": int(rng.integers(0, m))
                if loss == "cross_entropy"
                else rng.choice(halves, m).tolist(),
                "activation": activation,
                "loss": loss,
            }
            z1 = np.array(params["W1"]) @ np.array(params["x"]) + np.array(params["b1"])
            # ReLU has no derivative at 0; and a dead layer teaches nothing
            if np.all(np.abs(z1) > 0.25) and (activation != "relu" or np.any(z1 > 0)):
                return params
        raise RuntimeError("no well-posed network found")  # pragma: no cover

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"activation": params["activation"], "loss": params["loss"]}

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        h, n = len(params["W1"]), len(params["W1"][0])
        m = len(params["W2"])
        checks = [
            (len(params["x"]) == n, "x", f"W1 has {n} columns, so x needs {n} entries"),
            (len(params["b1"]) == h, "b1", f"W1 has {h} rows, so b1 needs {h} entries"),
            (len(params["W2"][0]) == h, "W2", f"W1 has {h} rows, so W2 needs {h} columns"),
            (len(params["b2"]) == m, "b2", f"W2 has {m} rows, so b2 needs {m} entries"),
        ]
        for ok, given, message in checks:
            if not ok:
                raise self.error(message, given)
        if max(h, n, m) > 4:
            raise self.error("at most 4 units per layer: this is a question done by hand", "W1")
        y = params["y"]
        if params["loss"] == "cross_entropy":
            if not isinstance(y, int) or not 0 <= y < m:
                raise self.error(f"cross_entropy needs a class index from 0 to {m - 1}", "y")
            if m < 2:
                raise self.error("cross_entropy needs at least 2 outputs", "W2")
        elif isinstance(y, int) or len(y) != m:
            raise self.error(f"squared_error needs {counted(m, 'target value')} as a list", "y")
        z1 = np.array(params["W1"]) @ np.array(params["x"]) + np.array(params["b1"])
        if params["activation"] == "relu" and np.any(z1 == 0):
            raise self.error("a hidden unit has z = 0 exactly, where ReLU has no derivative", "b1")
        return params

    def arrays(self, params: dict[str, Any]) -> dict[str, Any]:
        return {name: np.array(params[name], dtype=float) for name in ("W1", "b1", "W2", "b2", "x")}

    def run(self, params: dict[str, Any]) -> tuple[Forward, Gradients]:
        a = self.arrays(params)
        y = params["y"] if isinstance(params["y"], int) else np.array(params["y"], float)
        f = forward(
            a["W1"], a["b1"], a["W2"], a["b2"], a["x"], y, params["activation"], params["loss"]
        )
        return f, backward(a["W2"], a["x"], y, params["activation"], params["loss"], f)

    def loss_without_activation(self, params: dict[str, Any]) -> float:
        """The loss a student gets who skips the hidden activation (h = z1)."""
        a = self.arrays(params)
        z1 = a["W1"] @ a["x"] + a["b1"]
        z2 = a["W2"] @ z1 + a["b2"]
        if params["loss"] == "squared_error":
            return 0.5 * float(np.sum((z2 - np.array(params["y"], float)) ** 2))
        shifted = z2 - z2.max()
        return float(np.log(np.exp(shifted).sum()) - shifted[params["y"]])

    def forward_steps(self, params: dict[str, Any], f: Forward) -> list[str]:
        g = rf"\operatorname{{{params['activation']}}}"
        steps = [
            rf"$z_1 = W_1 x + b_1 = {vector_text(f.z1)}$",
            f"$h = {g}(z_1) = {vector_text(f.h)}$",
            rf"$z_2 = W_2 h + b_2 = {vector_text(f.z2)}$",
        ]
        if params["loss"] == "squared_error":
            steps.append(rf"$L = \frac{{1}}{{2}} \lVert z_2 - y \rVert^2 = {f.loss:.6g}$")
        else:
            steps.append(rf"$p = \operatorname{{softmax}}(z_2) = {vector_text(f.output)}$")
            steps.append(rf"$L = -\ln p_y = -\ln p_{{{params['y']}}} = {f.loss:.6g}$")
        return steps

    def backward_steps(self, params: dict[str, Any], grads: Gradients) -> list[str]:
        first = "z_2 - y" if params["loss"] == "squared_error" else r"p - \operatorname{onehot}(y)"
        g = rf"\operatorname{{{params['activation']}}}"
        return [
            rf"BP1: $\delta_2 = \partial L / \partial z_2 = {first} = {vector_text(grads.delta2)}$",
            rf"BP2: $\delta_1 = (W_2^\top \delta_2) \odot {g}'(z_1) = {vector_text(grads.delta1)}$",
            rf"BP3: $\partial L / \partial b_2 = \delta_2 = {vector_text(grads.b2)}$ and "
            rf"$\partial L / \partial b_1 = \delta_1 = {vector_text(grads.b1)}$",
            rf"BP4: $\partial L / \partial W_2 = \delta_2 h^\top = {tex_matrix(grads.W2)}$ and "
            rf"$\partial L / \partial W_1 = \delta_1 x^\top = {tex_matrix(grads.W1)}$",
        ]
