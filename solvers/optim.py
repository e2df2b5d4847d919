"""Optimizer steps from the notes: gradient descent, SGD on a mini-batch, momentum
(v ← βv + ∇L, θ ← θ − ηv) and Adam, on a diagonal quadratic or a linear regression."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def quadratic_gradient(theta: np.ndarray, a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """∇ of L(θ) = ½ Σ a_i (θ_i − c_i)²."""
    return a * (theta - c)


def regression_gradient(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇ of the mini-batch mean squared error L(w) = (1/m) Σ (x_i·w − y_i)²."""
    residual = x @ w - y
    return 2.0 * x.T @ residual / len(y)


@dataclass
class Step:
    gradient: np.ndarray
    theta: np.ndarray  # after the step
    velocity: np.ndarray | None = None  # momentum
    m: np.ndarray | None = None  # Adam's first moment (biased)
    v: np.ndarray | None = None  # Adam's second moment (biased)
    m_hat: np.ndarray | None = None
    v_hat: np.ndarray | None = None


@dataclass
class Trajectory:
    steps: list[Step] = field(default_factory=list)

    @property
    def theta(self) -> np.ndarray:
        return self.steps[-1].theta


def optimize(
    theta0: np.ndarray,
    gradient,
    method: str,
    lr: float,
    steps: int,
    beta: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> Trajectory:
    """``steps`` updates from ``theta0`` with ``gradient(θ)``; Adam with bias correction."""
    if method == "adam" and not eps > 0:
        raise ValueError("Adam's eps must be above 0: a zero gradient would step by 0/0")
    theta = np.asarray(theta0, dtype=float)
    trajectory = Trajectory()
    velocity = np.zeros_like(theta)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = gradient(theta)
        if method == "gd":
            theta = theta - lr * g
            trajectory.steps.append(Step(g, theta))
        elif method == "momentum":
            velocity = beta * velocity + g
            theta = theta - lr * velocity
            trajectory.steps.append(Step(g, theta, velocity=velocity))
        elif method == "adam":
            m = beta * m + (1 - beta) * g
            v = beta2 * v + (1 - beta2) * g**2
            m_hat = m / (1 - beta**t)
            v_hat = v / (1 - beta2**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
            trajectory.steps.append(Step(g, theta, m=m, v=v, m_hat=m_hat, v_hat=v_hat))
        else:
            raise ValueError(f"method must be gd, momentum or adam, got {method!r}")
    return trajectory
