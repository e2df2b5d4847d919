"""Backpropagation on a computation graph: forward values, the backward pass gate by gate,
and the gradient of the output with respect to every input; optionally ∂f/∂x symbolically."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from generator.answers.expressions import (
    ExpressionError,
    children,
    parse,
    symbols_of,
    to_text,
)
from generator.answers.types import Expression, Real
from generator.families.common.derivative import differentiate
from generator.families.common.worked import term
from generator.family import Family, Given, Mistake, Part, Solution, real
from generator.formatting import short_number
from generator.registry import register
from solvers.backprop import RULES, Backprop, GraphError, run

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}")
_TEX_SYMBOL = {"add": "+", "sub": "-", "mul": r"\times", "div": "/"}
_TEX_FUNCTION = {
    "exp": r"\exp",
    "log": r"\ln",
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "sin": r"\sin",
    "cos": r"\cos",
    "max": r"\max",
    "min": r"\min",
}
_SMOOTH = {"add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "sigmoid", "tanh"}

# Graphs of the notes and the exercises built on them, by difficulty; values are drawn per
# instance and checked to keep every gate differentiable and the numbers hand-sized. Every
# graph has three inputs, so every student of a level finds as many gradients; a hard graph
# is smooth, so its symbolic derivative is always asked too.
TEMPLATES = {
    "easy": [
        "(x + y)*z",
        "x*y + z",
        "(x + y)*(y + z)",
        "max(x, y)*z",
        "x*y*z",
        "(x - y)*z + x",
        "max(x*y, z)",
        "(x + y)*(x - z)",
    ],
    "medium": [
        "sigmoid(w0*x0 + w1)",
        "(x*y + z)^2",
        "exp(x*y) + z",
        "x/(y + z)",
        "tanh(x*y) + z",
        "relu(x*y + z)",
        "log(x^2 + y)*z",
        "min(x, y)*(x + z)",
        "sigmoid(x*y)*z",
        "(x + y)^2*z",
    ],
}
_LEAVES = ["x", "y", "z", "w"]
_INPUTS = 3
_BINARY = ["add", "mul", "mul", "sub", "div", "max"]
_UNARY = ["sigmoid", "tanh", "exp", "relu", "pow2"]


def read_expr(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an expression as text, got {value!r}")
    try:
        tree = parse(value, _names_in(value))
    except ExpressionError as error:
        raise ValueError(str(error)) from None
    return to_text(tree)


def _names_in(text: str) -> set[str]:
    """Every name in the text that is not a function or constant is a variable."""
    from generator.answers.expressions import FUNCTIONS

    reserved = set(FUNCTIONS) | {"ln", "sigma", "e", "E", "pi"}
    return {
        name
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
        if name not in reserved and name.lower() not in reserved
    }


def read_values(value: Any) -> dict[str, int | float]:
    if not isinstance(value, dict) or not value:
        raise ValueError('expected an object of values such as {"x": -2, "y": 5}')
    if len(value) > 20:
        raise ValueError("more than 20 variables")
    number = real(-1e4, 1e4)
    result = {}
    for name, v in value.items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"'{name[:20]}' is not a variable name")
        result[name] = number(v)
    return result


def read_wrt(value: Any) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(f"expected a variable name, got {value!r}")
    return value


def _random_tree(rng: np.random.Generator, depth: int) -> tuple[Any, ...]:
    if depth == 0 or (depth < 3 and rng.random() < 0.25):
        return ("var", str(rng.choice(_LEAVES)))
    if rng.random() < 0.3:
        op = str(rng.choice(_UNARY))
        child = _random_tree(rng, depth - 1)
        if op == "pow2":
            return ("pow", child, ("num", 2))
        return ("call", op, (child,))
    op = str(rng.choice(_BINARY))
    left, right = _random_tree(rng, depth - 1), _random_tree(rng, depth - 1)
    if op == "max":
        return ("call", "max", (left, right))
    return (op, left, right)


def _well_posed(backprop: Backprop) -> bool:
    """Every gate away from its kinks and poles, every number hand-sized."""
    nodes = backprop.nodes
    for node in nodes:
        args = [nodes[i].value for i in node.inputs]
        if abs(node.value) > 200 or abs(node.grad) > 200:
            return False
        if node.op in ("max", "min") and abs(args[0] - args[1]) < 0.5:
            return False
        if node.op in ("relu", "abs") and abs(args[0]) < 0.3:
            return False
        if node.op == "div" and abs(args[1]) < 0.5:
            return False
        if node.op in ("log", "sqrt") and args[0] < 0.3:
            return False
    return True


@register
class ChainRule(Family):
    name = "chain_rule"
    title = "Backpropagation on a computation graph"
    summary = "Forward and backward pass of a computation graph; gradients of every input"
    topic = "backprop"
    givens = {
        "expr": Given(read_expr, "the function, such as (x+y)*z or 1/(1+exp(-(w0*x0+w1)))"),
        "values": Given(read_values, 'a value per variable, such as {"x": -2, "y": 5, "z": -4}'),
        "wrt": Given(read_wrt, "also ask for ∂f/∂(this variable) as an expression", None),
    }

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        for _ in range(500):
            if difficulty == "hard":
                tree = _random_tree(rng, int(rng.integers(3, 5)))
            else:
                text = str(rng.choice(TEMPLATES[difficulty]))
                tree = parse(text, set(_LEAVES) | {"w0", "w1", "w2", "x0", "x1"})
            names = sorted(symbols_of(tree))
            if len(names) != _INPUTS:
                continue
            if difficulty == "hard" and not (
                5 <= _gates(tree) <= 7 and _sensible(tree) and _smooth(tree)
            ):
                continue
            if difficulty == "easy":
                values = {n: int(rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])) for n in names}
            else:
                values = {n: int(rng.integers(-30, 31)) / 10 for n in names}
            try:
                backprop = run(tree, values)
            except (GraphError, OverflowError, ZeroDivisionError):
                continue
            if not _well_posed(backprop):
                continue
            params: dict[str, Any] = {"expr": to_text(tree), "values": values}
            if difficulty == "hard":
                params["wrt"] = str(rng.choice(names))
            return params
        raise RuntimeError("no well-posed graph found")  # pragma: no cover - 500 tries

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        params = super().read_givens(raw)
        names = symbols_of(parse(params["expr"], _names_in(params["expr"])))
        missing = sorted(names - set(params["values"]))
        if missing:
            raise self.error(f"no value for {', '.join(missing)}", "values")
        unused = sorted(set(params["values"]) - names)
        if unused:
            raise self.error(f"{', '.join(unused)} do(es) not appear in the expression", "values")
        if "wrt" in params and params["wrt"] not in names:
            raise self.error(f"{params['wrt']} is not a variable of the expression", "wrt")
        return params

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        expr = params["expr"]
        return {
            "kink": "yes" if re.search(r"\b(max|min|relu|abs)\(", expr) else "no",
            "division": "yes" if "/" in expr else "no",
        }

    def solve(self, params: dict[str, Any]) -> Solution:
        names = set(params["values"])
        tree = parse(params["expr"], names)
        try:
            backprop = run(tree, params["values"])
        except (GraphError, OverflowError) as error:
            raise self.error(f"undefined at these values: {error}", "values") from None
        steps = self._steps(backprop)
        answers: dict[str, Any] = {
            "value": backprop.value,
            "gradient": dict(sorted(backprop.gradient().items())),
            "nodes": [
                {"node": node.name, "op": node.op, "value": node.value, "grad": node.grad}
                for node in backprop.nodes
                if node.op not in ("var", "num", "const")
            ],
        }
        if "wrt" in params:
            wrt = params["wrt"]
            try:
                symbolic = differentiate(tree, wrt)
            except ExpressionError as error:
                raise self.error(
                    f"∂f/∂{wrt} cannot be written as an answer: {error}", "wrt"
                ) from None
            answers["derivative"] = {"wrt": wrt, "expression": symbolic.text}
            note = f" ({symbolic.note})" if symbolic.note else ""
            steps.append(rf"Symbolically, $\partial f / \partial {wrt} =$ `{symbolic.text}`{note}")
        return Solution(answers, steps)

    def _steps(self, backprop: Backprop) -> list[str]:
        nodes = backprop.nodes
        labels = [node.name or short_number(node.value) for node in nodes]

        def gate(op: str, ins: list[str]) -> str:
            if op in _TEX_SYMBOL:
                return f"{ins[0]} {_TEX_SYMBOL[op]} {ins[1]}"
            if op == "pow":
                return f"{ins[0]}^{{{ins[1]}}}"
            if op == "neg":
                return f"-{ins[0]}"
            if op == "sqrt":
                return rf"\sqrt{{{ins[0]}}}"
            if op == "abs":
                return f"|{ins[0]}|"
            name = _TEX_FUNCTION.get(op) or r"\operatorname{" + op + "}"
            return f"{name}({', '.join(ins)})"

        def formula(index: int) -> str:
            return gate(nodes[index].op, [labels[i] for i in nodes[index].inputs])

        def numbers(index: int) -> str:
            node = nodes[index]
            first = nodes[node.inputs[0]].value
            ins = [term(first) if node.op == "pow" else short_number(first)]
            ins += [term(nodes[i].value) for i in node.inputs[1:]]
            return gate(node.op, ins)

        def grad(name: str) -> str:
            return rf"\partial f / \partial {name}"

        leaves = ", ".join(f"${n.name} = {short_number(n.value)}$" for n in nodes if n.op == "var")
        steps = [f"Forward pass in topological order, from {leaves}:"]
        for index, node in enumerate(nodes):
            if node.inputs:
                steps.append(
                    f"${node.name} = {formula(index)} = {numbers(index)} = "
                    f"{short_number(node.value)}$"
                )
        output = nodes[-1].name
        steps.append(f"$f = {output} = {short_number(nodes[-1].value)}$")
        steps.append(f"Backward pass in reverse order, starting from ${grad(output)} = 1$:")
        received: dict[int, list[float]] = {}
        for c in backprop.contributions:
            parent, child = nodes[c.parent], nodes[c.child]
            received.setdefault(c.child, []).append(c.amount)
            local = short_number(c.local)
            if parent.op == "mul":  # the swap: name the other input
                other = [i for i in parent.inputs if i != c.child] or [c.child]
                local = labels[other[0]]
            steps.append(
                f"${parent.name} = {formula(c.parent)}$ ({RULES[parent.op]}): "
                rf"${grad(child.name)} \mathrel{{+}}= {grad(parent.name)} \times {local} = "
                rf"{term(parent.grad)} \times {term(c.local)} = {short_number(c.amount)}$"
            )
        for index, amounts in received.items():
            if len(amounts) > 1:
                node = nodes[index]
                kind = "variable" if node.op == "var" else "node"
                steps.append(
                    f"${node.name}$ feeds {len(amounts)} gates, a copy: its gradients add, "
                    f"${grad(node.name)} = {' + '.join(term(a) for a in amounts)} = "
                    f"{short_number(node.grad)}$ ({kind})"
                )
        gradient = ", ".join(
            f"${grad(n)} = {short_number(g)}$" for n, g in backprop.gradient().items()
        )
        steps.append(f"Gradient: {gradient}")
        return steps

    def choice_part_for(self, params: dict[str, Any], solution: Solution) -> str | None:
        return f"d_{min(solution.answers['gradient'])}"

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        gradient, value = solution.answers["gradient"], solution.answers["value"]
        found: dict[str, list[Mistake]] = {}
        for name, grad in gradient.items():
            own = [Mistake(-grad, "a sign error in the backward pass")]
            own += [
                Mistake(
                    other,
                    f"giving ∂f/∂{other_name}: mixing up which input gets which gradient (× swaps)",
                )
                for other_name, other in gradient.items()
                if other_name != name
            ]
            own.append(Mistake(value, "giving the forward value f instead of a gradient"))
            own.append(Mistake(params["values"][name], f"giving the value of {name} itself"))
            found[f"d_{name}"] = own
        found["value"] = [Mistake(-value, "a sign error in the forward pass")]
        return found

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        answers = solution.answers
        parts = [Part("value", "the value f", Real(0.01, 1e-3), answers["value"])]
        for name, value in answers["gradient"].items():
            parts.append(Part(f"d_{name}", f"∂f/∂{name}", Real(0.01, 1e-3), value))
        if "derivative" in answers:
            wrt = answers["derivative"]["wrt"]
            parts.append(
                Part(
                    f"expr_d_{wrt}",
                    f"∂f/∂{wrt} as an expression in {', '.join(sorted(params['values']))}",
                    Expression(sorted(params["values"])),
                    answers["derivative"]["expression"],
                )
            )
        return parts


def _sensible(tree: tuple[Any, ...]) -> bool:
    """No gate a person would simplify away first: x − x, x/x, ReLU of a positive output."""
    if tree[0] in ("var", "num", "const"):
        return True
    if tree[0] in ("sub", "div") and tree[1] == tree[2]:
        return False
    if (
        tree[0] == "call"
        and tree[1] == "relu"
        and tree[2][0][0] == "call"
        and tree[2][0][1] in ("sigmoid", "exp", "relu")
    ):
        return False
    return all(_sensible(child) for child in children(tree))


def _gates(tree: tuple[Any, ...]) -> int:
    if tree[0] in ("var", "num", "const"):
        return 0
    return 1 + sum(_gates(child) for child in children(tree))


def _smooth(tree: tuple[Any, ...]) -> bool:
    op = tree[1] if tree[0] == "call" else tree[0]
    if tree[0] not in ("var", "num", "const") and op not in _SMOOTH:
        return False
    return all(_smooth(child) for child in children(tree))
