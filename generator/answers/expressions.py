"""A whitelisting parser for symbolic expressions: ``2x + sigmoid(w0*x0)``, ``e^(-x)``.

Text becomes a small tree of tuples: declared symbols, known functions, numbers and operators
only, within bounds on length, nesting, size and exponents, so no input runs code or takes
long. Trees are evaluated with plain floats here, and turned into sympy objects by calling
sympy's constructors (``to_sympy``), never by handing text to sympify or parse_expr.

Tree nodes: ("num", Fraction), ("var", name), ("const", "e" | "pi"), ("neg", a),
("add" | "sub" | "mul" | "div" | "pow", a, b), ("call", name, (args...)).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from generator.formatting import counted

MAX_LENGTH = 500
MAX_NODES = 400
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 30
MAX_EXPONENT = 100  # |n| in x^n for a constant n

FUNCTIONS: dict[str, int] = {  # name -> number of arguments
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "sigmoid": 1,
    "tanh": 1,
    "relu": 1,
    "abs": 1,
    "sin": 1,
    "cos": 1,
    "max": 2,
    "min": 2,
}
_ALIASES = {"ln": "log", "σ": "sigmoid", "sigma": "sigmoid", "√": "sqrt"}
_CONSTANTS = {"e": "e", "E": "e", "pi": "pi", "π": "pi"}

Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+(?![A-Za-z_]))?|\.\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*|[σπ√])"
    r"|(?P<op>\*\*|[-+*/^(),·×−–]))"
)
_OPS = {"·": "*", "×": "*", "−": "-", "–": "-", "^": "**"}


class ExpressionError(ValueError):
    """The text is not an allowed expression; the message says why."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position, text = [], 0, text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            shown = text[position:].lstrip()[:1]
            column = len(text) - len(text[position:].lstrip()) + 1
            raise ExpressionError(f"unexpected character {shown!r} at position {column}")
        kind = match.lastgroup or "op"
        value = match.group(kind)
        tokens.append((kind, _OPS.get(value, value) if kind == "op" else value))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: sum := product (+|- product)*; product := unary ((*|/)? unary)*
    with juxtaposition as multiplication; unary := (+|-) unary | power;
    power := atom (^ unary)?, so -x^2 = -(x^2) and x^2^3 = x^(2^3)."""

    def __init__(self, tokens: list[tuple[str, str]], symbols: frozenset[str]) -> None:
        self.tokens, self.symbols = tokens, symbols
        self.position = self.depth = self.nodes = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.position += 1
        return token

    def node(self, *parts: Any) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError("the expression is too large")
        return parts

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply")

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("empty expression")
        tree = self.sum()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected '{self.take()[1]}'")
        return tree

    def sum(self) -> Node:
        tree = self.product()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = "add" if self.take()[1] == "+" else "sub"
            tree = self.node(op, tree, self.product())
        return tree

    def product(self) -> Node:
        tree = self.unary()
        while True:
            token = self.peek()
            if token in (("op", "*"), ("op", "/")):
                op = "mul" if self.take()[1] == "*" else "div"
                tree = self.node(op, tree, self.unary())
            elif token is not None and (token[0] in ("number", "name") or token == ("op", "(")):
                tree = self.node("mul", tree, self.power())  # 2x, 3(x + 1), x y
            else:
                return tree

    def unary(self) -> Node:
        if self.peek() in (("op", "+"), ("op", "-")):
            sign = self.take()[1]
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return operand if sign == "+" else self.node("neg", operand)
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.peek() != ("op", "**"):
            return base
        self.take()
        self.enter()
        exponent = self.unary()
        self.depth -= 1
        if not symbols_of(exponent):
            _check_constant_power(base, exponent)
        elif _has_symbolic_power(exponent):
            raise ExpressionError("towers of powers such as x^x^x are not allowed")
        return self.node("pow", base, exponent)

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            mantissa, _, exponent = text.lower().partition("e")
            if len(mantissa.replace(".", "").lstrip("0")) > MAX_NUMBER_DIGITS:
                raise ExpressionError(f"{text[:12]}... has too many digits")
            if exponent and abs(int(exponent)) > MAX_NUMBER_DIGITS:
                raise ExpressionError(f"the exponent in {text} is too large")
            return self.node("num", Fraction(text))
        if kind == "name":
            return self.name(text)
        if text == "(":
            self.enter()
            tree = self.sum()
            self.depth -= 1
            if self.peek() != ("op", ")"):
                raise ExpressionError("a '(' is never closed")
            self.take()
            return tree
        raise ExpressionError(f"unexpected '{text}'")

    def name(self, text: str) -> Node:
        if text in self.symbols:
            return self.node("var", text)
        function = _ALIASES.get(text, text.lower())
        if function in FUNCTIONS:
            if self.peek() != ("op", "("):
                raise ExpressionError(f"{text} needs parentheses: {text}(...)")
            self.take()
            self.enter()
            args = [self.sum()]
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.sum())
            self.depth -= 1
            if self.peek() != ("op", ")"):
                raise ExpressionError(f"{text}( is never closed")
            self.take()
            if len(args) != FUNCTIONS[function]:
                raise ExpressionError(
                    f"{function} takes {counted(FUNCTIONS[function], 'argument')}"
                )
            return self.node("call", function, tuple(args))
        if text in _CONSTANTS:
            return self.node("const", _CONSTANTS[text])
        known = ", ".join(sorted(self.symbols)) or "none"
        raise ExpressionError(f"unknown name '{text[:20]}' (symbols: {known})")


def children(node: Node) -> tuple[Node, ...]:
    if node[0] == "call":
        return node[2]
    return tuple(part for part in node[1:] if isinstance(part, tuple))


def symbols_of(tree: Node) -> set[str]:
    if tree[0] == "var":
        return {tree[1]}
    return set().union(*(symbols_of(child) for child in children(tree)))


def _has_symbolic_power(node: Node) -> bool:
    if node[0] == "pow" and symbols_of(node[2]):
        return True
    return any(_has_symbolic_power(child) for child in children(node))


def _check_constant_power(base: Node, exponent: Node) -> None:
    """Refuse x^1000, 10^10^10 and the like before anything evaluates them."""
    try:
        value = evaluate(exponent, {})
    except (ArithmeticError, ValueError):
        raise ExpressionError("the exponent cannot be evaluated") from None
    if not math.isfinite(value) or abs(value) > MAX_EXPONENT:
        raise ExpressionError(f"exponents are limited to ±{MAX_EXPONENT}")
    if not symbols_of(base):
        try:
            magnitude = abs(evaluate(base, {}))
        except (ArithmeticError, ValueError):
            raise ExpressionError("the base of a power cannot be evaluated") from None
        if magnitude > 1 and math.log10(magnitude) * abs(value) > 2 * MAX_NUMBER_DIGITS:
            raise ExpressionError("a number in the expression is too large")


def parse(text: str, symbols: frozenset[str] | set[str]) -> Node:
    """The tree of ``text`` over the declared ``symbols``, or ExpressionError saying why not."""
    if not isinstance(text, str):
        raise ExpressionError("expected an expression as text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    return _Parser(_tokens(text), frozenset(symbols)).parse()


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


_FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "relu": lambda x: max(x, 0.0),
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
    "max": max,
    "min": min,
}


# the same operators serve floats and sympy objects
_BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
}


def evaluate(tree: Node, values: dict[str, float]) -> float:
    """The value of the tree in plain floats; raises ValueError, ArithmeticError (division
    by zero, overflow) or KeyError (a symbol without a value) where it is undefined."""
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "var":
        return float(values[tree[1]])
    if kind == "const":
        return math.e if tree[1] == "e" else math.pi
    if kind == "neg":
        return -evaluate(tree[1], values)
    if kind == "call":
        return _FLOAT_FUNCTIONS[tree[1]](*(evaluate(arg, values) for arg in tree[2]))
    result = _BINARY[kind](evaluate(tree[1], values), evaluate(tree[2], values))
    if isinstance(result, complex):
        raise ValueError("a negative number to a fractional power")
    return result


def to_sympy(tree: Node) -> Any:
    """The sympy expression of a tree, built from sympy's constructors."""
    import sympy as sp

    kind = tree[0]
    if kind == "num":
        return sp.Rational(tree[1].numerator, tree[1].denominator)
    if kind == "var":
        return sp.Symbol(tree[1], real=True)
    if kind == "const":
        return sp.E if tree[1] == "e" else sp.pi
    if kind == "neg":
        return -to_sympy(tree[1])
    if kind == "call":
        args = [to_sympy(arg) for arg in tree[2]]
        if tree[1] == "sigmoid":
            return 1 / (1 + sp.exp(-args[0]))
        if tree[1] == "relu":
            return sp.Max(args[0], 0)
        functions = {
            "exp": sp.exp,
            "log": sp.log,
            "sqrt": sp.sqrt,
            "tanh": sp.tanh,
            "abs": sp.Abs,
            "sin": sp.sin,
            "cos": sp.cos,
            "max": sp.Max,
            "min": sp.Min,
        }
        return functions[tree[1]](*args)
    return _BINARY[kind](to_sympy(tree[1]), to_sympy(tree[2]))


_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_SYMBOL = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "^"}


def to_text(tree: Node, parent: int = 0) -> str:
    """Text that parses back to the same tree; parentheses only where needed."""
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        if value.denominator == 1:
            return str(value.numerator)
        text = f"{value.numerator}/{value.denominator}"
        return f"({text})" if parent >= _PRECEDENCE["mul"] else text
    if kind in ("var", "const"):
        return tree[1]
    if kind == "call":
        return f"{tree[1]}({', '.join(to_text(arg) for arg in tree[2])})"
    own = _PRECEDENCE[kind]
    if kind == "neg":
        text = f"-{to_text(tree[1], own)}"
    else:
        # left-associative + - * /: the right operand needs parentheses at equal precedence;
        # right-associative ^: the left one does
        left = to_text(tree[1], own + (kind == "pow"))
        right = to_text(tree[2], own + (kind in ("sub", "div")) if kind != "pow" else own)
        text = f"{left}{_SYMBOL[kind]}{right}"
    return f"({text})" if own < parent or (kind == "neg" and parent >= own) else text


_TEX_FUNCTIONS = {
    "exp": r"\exp",
    "log": r"\ln",
    "tanh": r"\tanh",
    "sin": r"\sin",
    "cos": r"\cos",
    "max": r"\max",
    "min": r"\min",
    "sigmoid": r"\sigma",
}


def to_tex(tree: Node, parent: int = 0) -> str:
    """The expression as TeX, for a question or a worked step to typeset: ``x^{2}``,
    ``\\exp(x \\cdot y)``, a fraction as ``a / b``; parentheses where ``to_text`` has them."""
    kind = tree[0]
    if kind == "num":
        return to_text(tree, parent)
    if kind == "var":
        return tree[1] if len(tree[1]) == 1 else rf"\mathit{{{tree[1]}}}"
    if kind == "const":
        return "e" if tree[1] == "e" else r"\pi"
    if kind == "call":
        args = [to_tex(arg) for arg in tree[2]]
        if tree[1] == "sqrt":
            return rf"\sqrt{{{args[0]}}}"
        if tree[1] == "abs":
            return f"|{args[0]}|"
        name = _TEX_FUNCTIONS.get(tree[1]) or rf"\operatorname{{{tree[1]}}}"
        return f"{name}({', '.join(args)})"
    own = _PRECEDENCE[kind]
    if kind == "neg":
        text = f"-{to_tex(tree[1], own)}"
    elif kind == "pow":
        text = f"{to_tex(tree[1], own + 1)}^{{{to_tex(tree[2])}}}"
    else:
        left = to_tex(tree[1], own)
        right = to_tex(tree[2], own + (kind in ("sub", "div")))
        operator = {"add": " + ", "sub": " - ", "mul": r" \cdot ", "div": " / "}[kind]
        text = f"{left}{operator}{right}"
    return f"({text})" if own < parent or (kind == "neg" and parent >= own) else text
