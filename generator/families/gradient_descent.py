"""One to three optimizer steps: gradient descent, SGD on a mini-batch, momentum, Adam."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Matrix
from generator.family import (
    Family,
    Given,
    Mistake,
    Part,
    Solution,
    choice,
    real,
    real_matrix,
    real_vector,
    whole,
)
from generator.formatting import counted, short_number, vector_text
from generator.registry import register
from solvers.optim import optimize, quadratic_gradient, regression_gradient


def positive_eps(value: Any) -> float:
    eps = real(0, 1)(value)
    if eps == 0:  # a zero gradient would step by 0/0
        raise ValueError("Adam's ε must be above 0: with ε = 0 a zero gradient divides 0 by 0")
    return eps


@register
class GradientDescent(Family):
    name = "gradient_descent"
    title = "Optimizer steps"
    summary = (
        "GD / mini-batch SGD / momentum (v ← βv + ∇L, θ ← θ − ηv) / Adam steps on a small loss"
    )
    topic = "optimization"
    choice_part = "theta"
    givens = {
        "loss": Given(
            choice("quadratic", "regression"),
            "quadratic: ½Σ a_i(θ_i − c_i)²; regression: mean squared error",
            "quadratic",
        ),
        "theta": Given(real_vector, "the starting parameters θ0"),
        "a": Given(real_vector, "quadratic: the curvatures a_i", None),
        "c": Given(real_vector, "quadratic: the minimum c", None),
        "X": Given(
            lambda v: real_matrix(v, allow_vector=False),
            "regression: the mini-batch inputs, a row per example",
            None,
        ),
        "y": Given(real_vector, "regression: the mini-batch targets", None),
        "method": Given(choice("gd", "momentum", "adam"), "gd, momentum or adam", "gd"),
        "lr": Given(real(1e-9, 100), "the learning rate η"),
        "steps": Given(whole(1, 10), "number of updates (default 1)", 1),
        "beta": Given(real(0, 0.9999), "momentum β, or Adam's β1 (default 0.9)", 0.9),
        "beta2": Given(real(0, 0.999999), "Adam's β2 (default 0.999)", 0.999),
        "eps": Given(positive_eps, "Adam's ε, above 0 (default 1e-8)", 1e-8),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        while True:
            params = self._sample_once(rng, difficulty)
            # Adam divides each coordinate by its own size: a gradient coordinate of exactly
            # 0 makes its step 0/ε, which nobody works out by hand
            if params["method"] != "adam":
                return params
            if 0 not in self.solve(self.read_givens(params)).answers["gradient"]:
                return params

    def _sample_once(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        # a level fixes the method: plain steps at easy, momentum's velocity at medium, Adam's
        # moments at hard
        method = {"easy": "gd", "medium": "momentum", "hard": "adam"}[difficulty]
        steps = 1 if difficulty == "easy" else 2  # as many updates for every student of a level
        if difficulty != "easy" and rng.random() < 0.4:
            m = int(rng.integers(2, 4))
            x = np.column_stack([rng.integers(-2, 4, m), np.ones(m, dtype=int)])
            return {
                "loss": "regression",
                "theta": rng.integers(-2, 3, 2).tolist(),
                "X": x.tolist(),
                "y": rng.integers(-3, 6, m).tolist(),
                "method": method,
                "lr": float(rng.choice([0.01, 0.05, 0.1])),
                "steps": steps,
            }
        return {
            "loss": "quadratic",
            "theta": rng.integers(-4, 5, 2).tolist(),
            "a": rng.choice([1, 2, 4], 2).tolist(),
            "c": rng.integers(-3, 4, 2).tolist(),
            "method": method,
            "lr": float(rng.choice([0.1, 0.2, 0.25, 0.5])),
            "steps": steps,
        }

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        n = len(params["theta"])
        needed = ("a", "c") if params["loss"] == "quadratic" else ("X", "y")
        for name in needed:
            if name not in params:
                raise self.error(f"needed for the {params['loss']} loss", name)
        if params["loss"] == "quadratic":
            for name in ("a", "c"):
                if len(params[name]) != n:
                    raise self.error(f"needs {n} entries, one per parameter", name)
        else:
            if len(params["X"][0]) != n:
                raise self.error(f"needs {n} columns, one per parameter", "X")
            if len(params["y"]) != len(params["X"]):
                raise self.error("needs one target per row of X", "y")
        return params

    def _gradient(self, params: dict[str, Any]):
        if params["loss"] == "quadratic":
            a, c = np.array(params["a"], float), np.array(params["c"], float)
            return lambda theta: quadratic_gradient(theta, a, c)
        x, y = np.array(params["X"], float), np.array(params["y"], float)
        return lambda theta: regression_gradient(theta, x, y)

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        return {"method": params["method"], "loss": params["loss"]}

    def solve(self, params: dict[str, Any]) -> Solution:
        method, lr = params["method"], params["lr"]
        trajectory = optimize(
            np.array(params["theta"], float),
            self._gradient(params),
            method,
            lr,
            params["steps"],
            params["beta"],
            params["beta2"],
            params["eps"],
        )
        if params["loss"] == "quadratic":
            steps = [r"$\nabla L(\theta) = a \odot (\theta - c)$, entry by entry"]
        else:
            steps = [
                r"$\nabla L(w) = \frac{2}{m} X^\top (Xw - y)$ over the mini-batch of "
                f"$m = {len(params['y'])}$"
            ]
        lr_text = short_number(lr)
        theta = np.array(params["theta"], float)
        for t, step in enumerate(trajectory.steps, start=1):
            line = (
                rf"Step {t}: $g = \nabla L({vector_text(theta)}) = {vector_text(step.gradient)}$; "
            )
            if method == "gd":
                line += rf"$\theta \leftarrow \theta - {lr_text} g = {vector_text(step.theta)}$"
            elif method == "momentum":
                line += (
                    rf"$v \leftarrow {short_number(params['beta'])} v + g = "
                    f"{vector_text(step.velocity)}$; "
                    rf"$\theta \leftarrow \theta - {lr_text} v = {vector_text(step.theta)}$"
                )
            else:
                line += (
                    f"$m = {vector_text(step.m)}$, $v = {vector_text(step.v)}$; bias-corrected "
                    rf"$\hat m = {vector_text(step.m_hat)}$, $\hat v = {vector_text(step.v_hat)}$; "
                    rf"$\theta \leftarrow \theta - {lr_text} \hat m / (\sqrt{{\hat v}} + "
                    rf"\epsilon) = {vector_text(step.theta)}$"
                )
            steps.append(line)
            theta = step.theta
        answers: dict[str, Any] = {
            "gradient": trajectory.steps[0].gradient.tolist(),
            "thetas": [step.theta.tolist() for step in trajectory.steps],
            "theta": trajectory.theta.tolist(),
        }
        if method == "momentum":
            answers["velocity"] = trajectory.steps[-1].velocity.tolist()
        return Solution(answers, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        theta0 = np.array(params["theta"], float)
        gradient = self._gradient(params)
        wrong = {
            "stepping up the gradient (θ + ηg) instead of down": dict(lr=-params["lr"]),
            "forgetting the learning rate": dict(lr=1.0),
        }
        found = []
        for diagnosis, change in wrong.items():
            settings = {"method": params["method"], "lr": params["lr"], **change}
            path = optimize(
                theta0,
                gradient,
                settings["method"],
                settings["lr"],
                params["steps"],
                params["beta"],
                params["beta2"],
                params["eps"],
            )
            found.append(Mistake(path.theta.tolist(), diagnosis))
        if params["method"] == "momentum":
            plain = optimize(theta0, gradient, "gd", params["lr"], params["steps"])
            found.append(Mistake(plain.theta.tolist(), "ignoring the velocity (plain GD)"))
        return {"theta": found}

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        n = len(params["theta"])
        answers = solution.answers
        parts = [
            Part(
                "gradient",
                "the first gradient ∇L(θ0)",
                Matrix(None, n, 0.01, 1e-3),
                answers["gradient"],
            )
        ]
        if "velocity" in answers:
            parts.append(
                Part(
                    "velocity",
                    "the velocity v after the last step",
                    Matrix(None, n, 0.01, 1e-3),
                    answers["velocity"],
                )
            )
        parts.append(
            Part(
                "theta",
                f"θ after {counted(params['steps'], 'step')}",
                Matrix(None, n, 0.01, 1e-3),
                answers["theta"],
            )
        )
        return parts
