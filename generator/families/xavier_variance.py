"""Xavier/Glorot and He initialization: weight variance, normal std, uniform bound, and the
variance of a unit's pre-activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.answers.types import Real
from generator.family import (
    Family,
    Given,
    Mistake,
    Part,
    Solution,
    as_pair,
    choice,
    pair,
    real,
    whole,
)
from generator.formatting import short_number
from generator.registry import register
from solvers.init import fans_of_conv, init_scale, preactivation_variance


@register
class XavierVariance(Family):
    name = "xavier_variance"
    title = "Weight initialization scale"
    summary = "Xavier/He weight variance, std and uniform bound; pre-activation variance n σ² γ²"
    topic = "initialization"
    choice_part = "variance"
    givens = {
        "fan_in": Given(
            whole(1, 10**7), "inputs per unit n_in (or give a conv layer's shape)", None
        ),
        "fan_out": Given(whole(1, 10**7), "outputs per unit n_out", None),
        "in_channels": Given(whole(1), "conv: input channels", None),
        "out_channels": Given(whole(1), "conv: filters", None),
        "kernel": Given(pair(1), "conv: kernel size, 3 or HxW", None),
        "scheme": Given(choice("xavier", "he"), "xavier (Glorot) or he (Kaiming)", "xavier"),
        "gain": Given(real(1e-3, 100), "extra gain on the std (default 1)", 1),
        "input_variance": Given(real(1e-9, 1e6), "γ², the inputs' variance: also ask Var[h]", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        sizes = [64, 100, 128, 200, 256, 300, 400, 500, 512, 784, 1000, 1024]
        params: dict[str, Any] = {
            "scheme": "xavier" if difficulty == "easy" else str(rng.choice(["xavier", "he"]))
        }
        if difficulty == "hard" and rng.random() < 0.5:
            params.update(
                in_channels=int(rng.choice([3, 16, 32, 64])),
                out_channels=int(rng.choice([16, 32, 64, 128])),
                kernel=int(rng.choice([3, 5])),
            )
        else:
            params.update(fan_in=int(rng.choice(sizes)), fan_out=int(rng.choice(sizes)))
        if difficulty == "hard":  # the pre-activation variance is one more part, at hard only
            params["input_variance"] = float(rng.choice([0.25, 0.5, 1, 2, 4]))
        return params

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        conv = [name for name in ("in_channels", "out_channels", "kernel") if name in params]
        fans = [name for name in ("fan_in", "fan_out") if name in params]
        if conv and fans:
            raise self.error("give fan_in and fan_out, or a conv layer's shape, not both", conv[0])
        if conv and len(conv) < 3:
            missing = {"in_channels", "out_channels", "kernel"} - set(conv)
            raise self.error("missing for a conv layer", sorted(missing)[0])
        if not conv and len(fans) < 2:
            raise self.error(
                "missing (or give in_channels, out_channels and kernel)",
                "fan_out" if fans else "fan_in",
            )
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        layer = "conv" if "kernel" in params else "fc"
        return {"scheme": params["scheme"], "layer": layer}

    def solve(self, params: dict[str, Any]) -> Solution:
        steps = []
        if "kernel" in params:
            kh, kw = as_pair(params["kernel"])
            fan_in, fan_out = fans_of_conv(params["in_channels"], params["out_channels"], (kh, kw))
            area = rf"{kh} \times {kw}"
            steps.append(
                "A conv unit sees `in_channels` × kernel area inputs: "
                rf"$n_{{\text{{in}}}} = {params['in_channels']} \times {area} = {fan_in}$ and "
                rf"$n_{{\text{{out}}}} = {params['out_channels']} \times {area} = {fan_out}$"
            )
        else:
            fan_in, fan_out = params["fan_in"], params["fan_out"]
        gain = params["gain"]
        scale = init_scale(fan_in, fan_out, params["scheme"], gain)
        g2 = "" if gain == 1 else rf"{short_number(gain)}^2 \times "
        if params["scheme"] == "xavier":
            steps.append(
                r"Xavier: $\frac{1}{2}(n_{\text{in}} + n_{\text{out}}) \sigma^2 = 1$, so "
                rf"$\sigma^2 = {g2}2 / ({fan_in} + {fan_out}) = {short_number(scale.variance)}$"
            )
        else:
            steps.append(
                rf"He: $\sigma^2 = {g2}2 / n_{{\text{{in}}}} = {g2}2 / {fan_in} = "
                f"{short_number(scale.variance)}$ (the 2 makes up for ReLU zeroing half the inputs)"
            )
        steps.append(
            rf"Normal initializer: std $\sigma = \sqrt{{{short_number(scale.variance)}}} = "
            f"{short_number(scale.std)}$"
        )
        steps.append(
            r"Uniform $U(-r, r)$ has variance $r^2 / 3$, so "
            rf"$r = \sqrt{{3 \sigma^2}} = {short_number(scale.bound)}$"
        )
        answers: dict[str, Any] = {
            "variance": scale.variance,
            "std": scale.std,
            "bound": scale.bound,
        }
        if "kernel" in params:
            answers.update(fan_in=fan_in, fan_out=fan_out)
        if "input_variance" in params:
            gamma2 = params["input_variance"]
            var_h = preactivation_variance(fan_in, scale.variance, gamma2)
            steps.append(
                rf"$\operatorname{{Var}}[h] = n_{{\text{{in}}}} \sigma^2 \gamma^2 = "
                rf"{fan_in} \times "
                rf"{short_number(scale.variance)} \times {short_number(gamma2)} = "
                f"{short_number(var_h)}$"
            )
            answers["preactivation_variance"] = var_h
        return Solution(answers, steps)

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        answers = solution.answers
        fan_in = answers.get("fan_in", params.get("fan_in"))
        fan_out = answers.get("fan_out", params.get("fan_out"))
        gain2 = params["gain"] ** 2
        variance = answers["variance"]
        found = [
            Mistake(answers["std"], "giving the standard deviation for the variance"),
            Mistake(variance / 2, "forgetting the factor 2"),
        ]
        if params["scheme"] == "xavier":
            found.append(
                Mistake(gain2 / fan_in, "using the fan-in alone, as LeCun initialization does")
            )
        else:
            found.append(
                Mistake(
                    gain2 * 2 / (fan_in + fan_out),
                    "using Xavier's 2/(fan-in + fan-out) for a ReLU network",
                )
            )
        return {
            "variance": found,
            "bound": [
                Mistake(answers["std"], "giving the std as the uniform bound"),
                Mistake(variance * 3, "forgetting the square root: r = √(3σ²)"),
            ],
        }

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        parts = [
            Part("variance", "the weights' variance σ²", Real(0.01, 1e-9), answers["variance"]),
            Part("std", "the std of a normal initializer", Real(0.01, 1e-9), answers["std"]),
            Part(
                "bound",
                "the bound r of a uniform initializer U(−r, r)",
                Real(0.01, 1e-9),
                answers["bound"],
            ),
        ]
        if "preactivation_variance" in answers:
            parts.append(
                Part(
                    "preactivation_variance",
                    "Var[h] of a unit's pre-activation",
                    Real(0.01, 1e-9),
                    answers["preactivation_variance"],
                )
            )
        return parts
