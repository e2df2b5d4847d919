"""Forward and backward passes over a computation graph, gate by gate.

A graph is given as an expression tree of plain tuples (see ``generator.expressions``):
("num", value), ("var", name), ("const", "e"|"pi"), ("neg", a), ("add"|"sub"|"mul"|"div"|
"pow", a, b), ("call", function, (args...)). Each variable is one node however often it is
used, so a variable used twice is a copy gate whose gradients add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# how the course names each gate's effect on the gradient
RULES = {
    "add": "+ distributes the gradient",
    "sub": "− distributes it, negated on the right",
    "mul": "× swaps: each input gets the gradient times the other input",
    "div": "÷: ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²",
    "neg": "negation flips the sign",
    "pow": "power rule",
    "exp": "∂exp(a)/∂a = exp(a)",
    "log": "∂ln a/∂a = 1/a",
    "sqrt": "∂√a/∂a = 1/(2√a)",
    "sigmoid": "∂σ(a)/∂a = σ(a)(1 − σ(a))",
    "tanh": "∂tanh a/∂a = 1 − tanh² a",
    "relu": "ReLU passes the gradient where its input is positive",
    "abs": "∂|a|/∂a = sign(a)",
    "sin": "∂sin a/∂a = cos a",
    "cos": "∂cos a/∂a = −sin a",
    "max": "max routes the gradient to the larger input",
    "min": "min routes the gradient to the smaller input",
}


class GraphError(ValueError):
    """The graph has no value or no derivative at the given point."""


@dataclass
class Node:
    op: str  # "var", "num", "const", or an operator / function name
    inputs: tuple[int, ...]
    value: float
    name: str = ""  # the variable's name, or q1, q2, ... for intermediate nodes
    grad: float = 0.0


@dataclass
class Contribution:
    """One term of the backward pass: ``child`` receives ``amount`` from ``parent``."""

    parent: int
    child: int
    local: float  # ∂parent/∂child
    amount: float  # upstream gradient × local


@dataclass
class Backprop:
    nodes: list[Node]  # in topological order; the last is the output
    contributions: list[Contribution] = field(default_factory=list)  # in backward order

    @property
    def value(self) -> float:
        return self.nodes[-1].value

    def gradient(self) -> dict[str, float]:
        return {n.name: n.grad for n in self.nodes if n.op == "var"}


def _forward(op: str, args: list[float]) -> float:
    a = args[0]
    b = args[1] if len(args) > 1 else 0.0
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        if b == 0:
            raise GraphError("division by zero")
        return a / b
    if op == "neg":
        return -a
    if op == "pow":
        if a < 0 and b != int(b):
            raise GraphError("a negative number to a fractional power")
        if a == 0 and b < 0:
            raise GraphError("zero to a negative power")
        return a**b
    if op == "exp":
        return math.exp(a)
    if op == "log":
        if a <= 0:
            raise GraphError(f"log of {a:g}")
        return math.log(a)
    if op == "sqrt":
        if a < 0:
            raise GraphError(f"square root of {a:g}")
        return math.sqrt(a)
    if op == "sigmoid":
        return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
    if op == "tanh":
        return math.tanh(a)
    if op == "relu":
        return max(a, 0.0)
    if op == "abs":
        return abs(a)
    if op == "sin":
        return math.sin(a)
    if op == "cos":
        return math.cos(a)
    if op == "max":
        return max(a, b)
    if op == "min":
        return min(a, b)
    raise GraphError(f"unknown operation {op!r}")


def _locals(op: str, args: list[float], out: float) -> list[float]:
    """∂out/∂input for each input of a gate."""
    a = args[0]
    b = args[1] if len(args) > 1 else 0.0
    if op == "add":
        return [1.0, 1.0]
    if op == "sub":
        return [1.0, -1.0]
    if op == "mul":
        return [b, a]
    if op == "div":
        return [1.0 / b, -a / b**2]
    if op == "neg":
        return [-1.0]
    if op == "pow":
        exponent_side = out * math.log(a) if a > 0 else 0.0
        return [b * a ** (b - 1) if b != 0 else 0.0, exponent_side]
    if op == "exp":
        return [out]
    if op == "log":
        return [1.0 / a]
    if op == "sqrt":
        if a == 0:
            raise GraphError("the square root has no derivative at 0")
        return [0.5 / out]
    if op == "sigmoid":
        return [out * (1.0 - out)]
    if op == "tanh":
        return [1.0 - out**2]
    if op in ("relu", "abs"):
        if a == 0:
            raise GraphError(f"{op} has no derivative at 0")
        return [float(a > 0)] if op == "relu" else [1.0 if a > 0 else -1.0]
    if op == "sin":
        return [math.cos(a)]
    if op == "cos":
        return [-math.sin(a)]
    if op in ("max", "min"):
        if a == b:
            raise GraphError(f"{op} of two equal inputs has no derivative")
        first = (a > b) if op == "max" else (a < b)
        return [float(first), float(not first)]
    raise GraphError(f"unknown operation {op!r}")


def run(tree: tuple[Any, ...], values: dict[str, float]) -> Backprop:
    """Forward values of every node, then gradients of the output by reverse topological
    order; ``contributions`` records each term in the order it is added."""
    nodes: list[Node] = []
    variables: dict[str, int] = {}

    def build(subtree: tuple[Any, ...]) -> int:
        kind = subtree[0]
        if kind == "var":
            name = subtree[1]
            if name not in variables:
                if name not in values:
                    raise GraphError(f"no value for {name}")
                nodes.append(Node("var", (), float(values[name]), name))
                variables[name] = len(nodes) - 1
            return variables[name]
        if kind == "num":
            nodes.append(Node("num", (), float(subtree[1])))
            return len(nodes) - 1
        if kind == "const":
            nodes.append(Node("const", (), math.e if subtree[1] == "e" else math.pi, subtree[1]))
            return len(nodes) - 1
        if kind == "call":
            op, children = subtree[1], subtree[2]
        else:
            op, children = kind, subtree[1:]
        inputs = tuple(build(child) for child in children)
        value = _forward(op, [nodes[i].value for i in inputs])
        if not math.isfinite(value):
            raise GraphError(f"{op} overflows")
        nodes.append(Node(op, inputs, value))
        return len(nodes) - 1

    build(tree)
    count = 0
    for node in nodes:
        if node.op not in ("var", "num", "const"):
            count += 1
            node.name = f"q{count}"
    result = Backprop(nodes)
    nodes[-1].grad = 1.0
    for index in range(len(nodes) - 1, -1, -1):
        node = nodes[index]
        if not node.inputs:
            continue
        args = [nodes[i].value for i in node.inputs]
        for child, local in zip(node.inputs, _locals(node.op, args, node.value), strict=True):
            if nodes[child].op in ("num", "const"):
                continue
            amount = node.grad * local
            nodes[child].grad += amount
            result.contributions.append(Contribution(index, child, local, amount))
    return result
