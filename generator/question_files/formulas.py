"""The formulas of a question file: ``(n + 2*p - k) / s + 1``, ``norm(X[i] - q, 1)``.

A whitelisting parser, as the answer parsers are (``generator.answers.expressions``): text
becomes a small tree of tuples holding only numbers, declared names, known functions and
operators, within bounds on length, nesting and size, so a question file taken from another
course cannot run code or take long. Nothing here calls ``eval``.

Values are exact where they can be: whole and decimal numbers are ``Fraction``s, and stay
so through + - * / and whole powers; ``sqrt`` of a perfect square is exact too, ``exp``,
``log`` and the like give floats. Besides numbers there are booleans, vectors (tuples of
numbers) and matrices (tuples of equal-length row tuples). Indices count from 0.

Tree nodes: ("num", Fraction), ("name", str), ("str", str), ("list", items), ("neg", a),
("not", a), (op, a, b) for + - * / ^ % @ == != < <= > >= and or, ("index", a, (indices)),
("call", name, (args)).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

MAX_LENGTH = 1000  # characters of one formula
MAX_NODES = 400
MAX_DEPTH = 40
MAX_DIGITS = 40  # of a number written in a formula, and of an exact result's parts
MAX_EXPONENT = 64  # |n| in a^n
MAX_ENTRIES = 400  # numbers in one vector or matrix
MAX_MAGNITUDE = 1e30  # no value a question asks about is larger

Value = Any  # Fraction | float | bool | str | tuple


class FormulaError(ValueError):
    """The formula is not allowed (a parse error) or has no value here (undefined)."""


class Undefined(FormulaError):
    """The formula is well formed but has no finite value for these values."""


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>\"[^\"\\]{0,100}\"|'[^'\\]{0,100}')"
    r"|(?P<op>\*\*|==|!=|<=|>=|&&|\|\||[-+*/^%@()\[\],;<>!]))"
)
_WORDS = {"and": "and", "or": "or", "not": "not", "true": True, "false": False}
_SYMBOLS = {"&&": "and", "||": "or", "!": "not", "**": "^"}
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position, text = 0, text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            shown = text[position:].lstrip()[:1]
            raise FormulaError(f"unexpected character {shown!r}")
        kind = match.lastgroup or "op"
        value: Any = match.group(kind)
        if kind == "name" and value in _WORDS:
            word = _WORDS[value]
            kind, value = ("bool", word) if isinstance(word, bool) else ("op", word)
        elif kind == "op":
            value = _SYMBOLS.get(value, value)
        elif kind == "string":
            value = value[1:-1]
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent, loosest first: or, and, not, comparison, sum, product (* / % @),
    unary minus, power (right-associative), postfix indexing, atoms."""

    def __init__(self, tokens: list[tuple[str, Any]], names: frozenset[str]) -> None:
        self.tokens, self.names = tokens, names
        self.position = self.depth = self.nodes = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in ops

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise FormulaError("the formula ends too early")
        self.position += 1
        return token

    def expect(self, op: str) -> None:
        if not self.at(op):
            found = self.peek()
            raise FormulaError(f"expected '{op}'" + (f", found '{found[1]}'" if found else ""))
        self.take()

    def node(self, *parts: Any) -> tuple[Any, ...]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaError("the formula is too large")
        return parts

    def nested(self, parse: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("the formula is nested too deeply")
        tree = parse()
        self.depth -= 1
        return tree

    def parse(self) -> tuple[Any, ...]:
        if not self.tokens:
            raise FormulaError("empty formula")
        tree = self.either()
        if self.peek() is not None:
            raise FormulaError(f"unexpected '{self.take()[1]}'")
        return tree

    def either(self) -> tuple[Any, ...]:
        tree = self.both()
        while self.at("or"):
            self.take()
            tree = self.node("or", tree, self.both())
        return tree

    def both(self) -> tuple[Any, ...]:
        tree = self.negation()
        while self.at("and"):
            self.take()
            tree = self.node("and", tree, self.negation())
        return tree

    def negation(self) -> tuple[Any, ...]:
        if self.at("not"):
            self.take()
            return self.node("not", self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> tuple[Any, ...]:
        tree = self.sum()
        if self.at(*_COMPARISONS):
            op = self.take()[1]
            tree = self.node(op, tree, self.sum())
            if self.at(*_COMPARISONS):
                raise FormulaError("chained comparisons such as a < b < c: write a < b and b < c")
        return tree

    def sum(self) -> tuple[Any, ...]:
        tree = self.product()
        while self.at("+", "-"):
            op = self.take()[1]
            tree = self.node(op, tree, self.product())
        return tree

    def product(self) -> tuple[Any, ...]:
        tree = self.unary()
        while self.at("*", "/", "%", "@"):
            op = self.take()[1]
            tree = self.node(op, tree, self.unary())
        return tree

    def unary(self) -> tuple[Any, ...]:
        if self.at("-", "+"):
            sign = self.take()[1]
            operand = self.nested(self.unary)
            return operand if sign == "+" else self.node("neg", operand)
        return self.power()

    def power(self) -> tuple[Any, ...]:
        base = self.postfix()
        if not self.at("^"):
            return base
        self.take()
        return self.node("^", base, self.nested(self.unary))

    def postfix(self) -> tuple[Any, ...]:
        tree = self.atom()
        while self.at("["):
            self.take()
            indices = [self.nested(self.either)]
            while self.at(","):
                self.take()
                indices.append(self.nested(self.either))
            self.expect("]")
            if len(indices) > 2:
                raise FormulaError("an index has at most two parts: M[i, j]")
            tree = self.node("index", tree, tuple(indices))
        return tree

    def atom(self) -> tuple[Any, ...]:
        kind, value = self.take()
        if kind == "number":
            mantissa = value.lower().partition("e")[0]
            if len(mantissa.replace(".", "").lstrip("0")) > MAX_DIGITS:
                raise FormulaError(f"{value[:12]}... has too many digits")
            if "e" in value.lower() and abs(int(value.lower().partition("e")[2])) > MAX_DIGITS:
                raise FormulaError(f"the exponent in {value} is too large")
            return self.node("num", _exact(Fraction(value)))
        if kind == "bool":
            return self.node("bool", value)
        if kind == "string":
            return self.node("str", value)
        if kind == "name":
            if self.at("("):
                return self.call(value)
            if value in self.names:
                return self.node("name", value)
            if value in _CONSTANTS:
                return self.node("num", _CONSTANTS[value])
            known = ", ".join(sorted(self.names)) or "none"
            raise FormulaError(f"unknown name '{value[:30]}' (names here: {known})")
        if value == "(":
            tree = self.nested(self.either)
            self.expect(")")
            return tree
        if value == "[":
            items = []
            if not self.at("]"):
                items.append(self.nested(self.either))
                while self.at(","):
                    self.take()
                    items.append(self.nested(self.either))
            self.expect("]")
            return self.node("list", tuple(items))
        raise FormulaError(f"unexpected '{value}'")

    def call(self, name: str) -> tuple[Any, ...]:
        if name not in FUNCTIONS:
            raise FormulaError(
                f"unknown function '{name[:30]}' (docs/question-files.md lists them)"
            )
        self.take()  # (
        args = []
        if not self.at(")"):
            args.append(self.nested(self.either))
            while self.at(","):
                self.take()
                args.append(self.nested(self.either))
        self.expect(")")
        least, most = FUNCTIONS[name][1]
        if not least <= len(args) <= most:
            count = str(least) if least == most else f"{least} to {most}"
            raise FormulaError(f"{name} takes {count} argument{'s' if most != 1 else ''}")
        return self.node("call", name, tuple(args))


_CONSTANTS = {"pi": math.pi, "e": math.e}


def parse(text: Any, names: set[str] | frozenset[str]) -> tuple[Any, ...]:
    """The tree of a formula over ``names``, or FormulaError saying why not."""
    if not isinstance(text, str):
        raise FormulaError("a formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"longer than {MAX_LENGTH} characters")
    return _Parser(_tokens(text), frozenset(names)).parse()


def names_in(tree: tuple[Any, ...]) -> set[str]:
    """The names a tree reads."""
    kind = tree[0]
    if kind == "name":
        return {tree[1]}
    found: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            items = part if part and isinstance(part[0], tuple) else (part,)
            for item in items:
                if isinstance(item, tuple) and item and isinstance(item[0], str):
                    found |= names_in(item)
    return found


# --- values -------------------------------------------------------------------------------


def _exact(value: Fraction) -> int | Fraction:
    """An exact number as an int when it is whole: ints are many times faster."""
    return value.numerator if value.denominator == 1 else value


def _scalar(value: Value, what: str = "a number") -> Fraction | float:
    # Fraction last: its class is an ABC, which makes checking against it many times slower
    # than against int, which most values are
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise FormulaError(f"expected {what}, got {describe(value)}")
    return value


# steps of one formula's evaluation (each node, each number computed): a formula that would
# take longer is refused, whatever its size, so no question file runs long
MAX_OPERATIONS = 20_000
_spent = [0]
_total = [0]


def _spend(steps: int) -> None:
    _spent[0] += steps
    if _spent[0] > MAX_OPERATIONS:
        raise FormulaError(f"takes more than {MAX_OPERATIONS:,} steps to evaluate")


def _checked(value: Fraction | float) -> Fraction | float:
    """A number within the bounds: an exact one whose parts grew too long becomes a float;
    a huge or non-finite one has no value a question could ask for."""
    _spend(1)
    if isinstance(value, int):
        if value.bit_length() > 133:
            raise Undefined("a value grows too large")
        return value
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return _checked(value.numerator)
        if value.numerator.bit_length() > 133 or value.denominator.bit_length() > 133:
            as_float = float(value)
            if abs(as_float) > MAX_MAGNITUDE:
                raise Undefined("a value grows too large")
            return as_float
        return value
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise Undefined("a value is not finite or grows too large")
    return value


def describe(value: Value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return f"a {len(value)}x{len(value[0])} matrix"
        return f"a vector of {len(value)}"
    return "a number"


def _is_matrix(value: Value) -> bool:
    return isinstance(value, tuple) and bool(value) and isinstance(value[0], tuple)


def _bounded_size(count: int) -> None:
    if count > MAX_ENTRIES:
        raise FormulaError(f"more than {MAX_ENTRIES} entries in one vector or matrix")


def _elementwise(op: Callable[[Any, Any], Any], a: Value, b: Value) -> Value:
    """``op`` on numbers, entry by entry on vectors and matrices of one shape, a number
    with every entry, and a matrix with a vector (``X - q``: the vector taken from every row,
    the matrix written first; a vector before a matrix is refused)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        if _is_matrix(a) and not _is_matrix(b) and len(a[0]) == len(b):
            return tuple(_elementwise(op, row, b) for row in a)
        if len(a) != len(b) or _is_matrix(a) != _is_matrix(b):
            raise FormulaError(f"{describe(a)} and {describe(b)} do not match")
        return tuple(_elementwise(op, x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, tuple):
        return tuple(_elementwise(op, x, b) for x in a)
    if isinstance(b, tuple):
        return tuple(_elementwise(op, a, y) for y in b)
    return _checked(op(_scalar(a), _scalar(b)))


def _divide(a: Fraction | float, b: Fraction | float) -> Fraction | float:
    if b == 0:
        raise Undefined("division by zero")
    if isinstance(a, int) and isinstance(b, int):
        whole, rest = divmod(a, b)
        return whole if rest == 0 else Fraction(a, b)
    return a / b


def _modulo(a: Fraction | float, b: Fraction | float) -> Fraction | float:
    if b == 0:
        raise Undefined("mod by zero")
    return a % b


def _power(a: Fraction | float, b: Fraction | float) -> Fraction | float:
    if abs(b) > MAX_EXPONENT:
        raise FormulaError(f"exponents are limited to ±{MAX_EXPONENT}")
    if a == 0 and b < 0:
        raise Undefined("0 to a negative power")
    if isinstance(a, (int, Fraction)) and isinstance(b, int):
        if a != 0 and abs(math.log10(abs(a))) * abs(b) > 2 * MAX_DIGITS:
            raise Undefined("a power grows too large")
        return _exact(Fraction(a) ** b)
    if a < 0:
        raise Undefined("a negative number to a fractional power")
    base = float(a)
    if base > 0 and abs(math.log10(base) * float(b)) > 2 * MAX_DIGITS:
        raise Undefined("a power grows too large")
    return base ** float(b)


def _float(function: Callable[[float], float]) -> Callable[[Value], Value]:
    def apply(value: Value) -> Value:
        if isinstance(value, tuple):
            return tuple(apply(item) for item in value)
        try:
            return _checked(function(float(_scalar(value))))
        except (ValueError, OverflowError, ZeroDivisionError):
            raise Undefined(f"{function.__name__} has no value here") from None

    return apply


def _sqrt(value: Value) -> Value:
    if isinstance(value, tuple):
        return tuple(_sqrt(item) for item in value)
    number = _scalar(value)
    if number < 0:
        raise Undefined("the square root of a negative number")
    if isinstance(number, int):
        root = math.isqrt(number)
        if root * root == number:
            return root
    elif isinstance(number, Fraction):
        top, bottom = math.isqrt(number.numerator), math.isqrt(number.denominator)
        if top * top == number.numerator and bottom * bottom == number.denominator:
            return _exact(Fraction(top, bottom))
    return math.sqrt(number)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _map_exact(function: Callable[[Any], Any]) -> Callable[[Value], Value]:
    def apply(value: Value) -> Value:
        if isinstance(value, tuple):
            return tuple(apply(item) for item in value)
        return function(_scalar(value))

    return apply


def _vector(value: Value, name: str) -> tuple[Any, ...]:
    if not isinstance(value, tuple) or _is_matrix(value):
        raise FormulaError(f"{name} needs a vector, got {describe(value)}")
    return value


def _matrix(value: Value, name: str) -> tuple[Any, ...]:
    if not _is_matrix(value):
        raise FormulaError(f"{name} needs a matrix, got {describe(value)}")
    return value


def _entries(value: Value) -> list[Any]:
    if _is_matrix(value):
        return [x for row in value for x in row]
    if isinstance(value, tuple):
        return list(value)
    return [value]


def _index(value: Value, size: int) -> int:
    number = _scalar(value, "a whole-number index")
    if number != int(number):
        raise FormulaError(f"an index must be a whole number, got {number}")
    index = int(number)
    if not -size <= index < size:
        raise Undefined(f"index {index} is outside 0 to {size - 1}")
    return index


def _sum(value: Value) -> Value:
    total: Fraction | float = 0
    for item in _entries(value):
        total = _checked(total + _scalar(item))
    return total


def _prod(value: Value) -> Value:
    total: Fraction | float = 1
    for item in _entries(value):
        total = _checked(total * _scalar(item))
    return total


def _mean(value: Value) -> Value:
    entries = _entries(value)
    return _checked(_sum(value) / len(entries)) if entries else _undefined("the mean of nothing")


def _undefined(message: str) -> Any:
    raise Undefined(message)


def _norm(value: Value, p: Value = 2) -> Value:
    entries = [_scalar(x) for x in _entries(value)]
    order = _scalar(p)
    if order == 1:
        return _sum(tuple(abs(x) for x in entries))
    if order == 2:
        return _sqrt(_sum(tuple(x * x for x in entries)))
    if isinstance(order, float) and math.isinf(order):
        return max(abs(x) for x in entries)
    raise FormulaError("norm takes p = 1 or 2")


def _rownorms(value: Value, p: Value = 2) -> Value:
    return tuple(_norm(row, p) for row in _matrix(value, "rownorms"))


def _matmul(a: Value, b: Value) -> Value:
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        raise FormulaError(
            f"@ multiplies matrices and vectors, not {describe(a)} and {describe(b)}"
        )
    left = a if _is_matrix(a) else (a,)
    right = b if _is_matrix(b) else tuple((x,) for x in b)
    if len(left[0]) != len(right):
        raise FormulaError(f"{describe(a)} @ {describe(b)}: the sizes do not match")
    _bounded_size(len(left) * len(right[0]))
    rows = tuple(
        tuple(
            _sum(tuple(_scalar(x) * _scalar(right[k][j]) for k, x in enumerate(row)))
            for j in range(len(right[0]))
        )
        for row in left
    )
    if not _is_matrix(b):
        rows = tuple(row[0] for row in rows)
    if not _is_matrix(a):
        rows = rows[0]
    return rows


def _transpose(value: Value) -> Value:
    if not _is_matrix(value):
        return tuple((x,) for x in _vector(value, "transpose"))
    return tuple(zip(*value, strict=True))


def _softmax(value: Value) -> Value:
    entries = [float(_scalar(x)) for x in _vector(value, "softmax")]
    top = max(entries)
    exps = [math.exp(x - top) for x in entries]
    total = sum(exps)
    return tuple(x / total for x in exps)


def _argsort(value: Value) -> Value:
    entries = [_scalar(x) for x in _vector(value, "argsort")]
    return tuple(sorted(range(len(entries)), key=lambda n: entries[n]))


def _sort(value: Value) -> Value:
    return tuple(sorted(_scalar(x) for x in _vector(value, "sort")))


def _take(value: Value, indices: Value) -> Value:
    items = value if isinstance(value, tuple) else _undefined("take needs a vector or matrix")
    picked = indices if isinstance(indices, tuple) else (indices,)
    return tuple(items[_index(i, len(items))] for i in _vector(picked, "take"))


def _head(value: Value, count: Value) -> Value:
    items = _vector(value, "head")
    return items[: _index(count, len(items) + 1)]


def _count(value: Value, item: Value) -> Value:
    return sum(1 for x in _entries(value) if x == item)


def _mode(value: Value) -> Value:
    """The most common entry; of several as common, the one that comes first."""
    entries = _entries(value)
    if not entries:
        raise Undefined("the mode of nothing")
    return max(entries, key=lambda x: (entries.count(x), -entries.index(x)))


def _ties(value: Value) -> Value:
    """Whether the entries are all different (no ties for an argsort to break)."""
    entries = _entries(value)
    return len(set(entries)) == len(entries)


def _range(start: Value, stop: Value | None = None) -> Value:
    low, high = (0, start) if stop is None else (start, stop)
    first, last = int(_scalar(low)), int(_scalar(high))
    _bounded_size(last - first)
    return tuple(range(first, last))


def _if(condition: Value, then: Value, otherwise: Value) -> Value:
    if not isinstance(condition, bool):
        raise FormulaError(f"if needs true/false first, got {describe(condition)}")
    return then if condition else otherwise


MAX_ROUND_PLACES = 20  # beyond, a number has no more digits a sheet would show


def _round(value: Value, digits: Value = 0) -> Value:
    places = int(_scalar(digits))
    if abs(places) > MAX_ROUND_PLACES:  # 10 ** 100000000 would never finish
        raise FormulaError(f"round takes at most {MAX_ROUND_PLACES} places, got {places}")
    if isinstance(value, tuple):
        return tuple(_round(item, digits) for item in value)
    number = _scalar(value)
    scale = Fraction(10) ** places
    return _exact(Fraction(math.floor(Fraction(number) * scale + Fraction(1, 2))) / scale)


def _min_max(pick: Callable[..., Any]) -> Callable[..., Value]:
    def apply(*args: Value) -> Value:
        entries = _entries(args[0]) if len(args) == 1 else [_scalar(a) for a in args]
        if not entries:
            raise Undefined("min or max of nothing")
        return pick(_scalar(x) for x in entries)

    return apply


def _argmin_max(pick: Callable[..., Any]) -> Callable[[Value], Value]:
    def apply(value: Value) -> Value:
        entries = [_scalar(x) for x in _vector(value, "argmin/argmax")]
        best = pick(entries)
        return entries.index(best)

    return apply


def _shape(value: Value) -> Value:
    if _is_matrix(value):
        return (len(value), len(value[0]))
    return (len(_vector(value, "shape")),)


def _length(value: Value) -> Value:
    return len(value) if isinstance(value, tuple) else _undefined("len of a number")


def _all(value: Value) -> Value:
    return all(x is True for x in _entries(value))


def _any(value: Value) -> Value:
    return any(x is True for x in _entries(value))


# name -> (function, (least, most) arguments)
FUNCTIONS: dict[str, tuple[Callable[..., Value], tuple[int, int]]] = {
    "floor": (_map_exact(lambda x: math.floor(x)), (1, 1)),
    "ceil": (_map_exact(lambda x: math.ceil(x)), (1, 1)),
    "round": (_round, (1, 2)),
    "abs": (_map_exact(abs), (1, 1)),
    "mod": (lambda a, b: _elementwise(_modulo, a, b), (2, 2)),
    "min": (_min_max(min), (1, 8)),
    "max": (_min_max(max), (1, 8)),
    "sqrt": (_sqrt, (1, 1)),
    "exp": (_float(math.exp), (1, 1)),
    "log": (_float(math.log), (1, 1)),
    "tanh": (_float(math.tanh), (1, 1)),
    "sigmoid": (_float(_sigmoid), (1, 1)),
    "relu": (_map_exact(lambda x: max(x, 0)), (1, 1)),
    "sum": (_sum, (1, 1)),
    "prod": (_prod, (1, 1)),
    "mean": (_mean, (1, 1)),
    "norm": (_norm, (1, 2)),
    "rownorms": (_rownorms, (1, 2)),
    "dot": (lambda a, b: _sum(_elementwise(lambda x, y: x * y, a, b)), (2, 2)),
    "matmul": (_matmul, (2, 2)),
    "transpose": (_transpose, (1, 1)),
    "softmax": (_softmax, (1, 1)),
    "len": (_length, (1, 1)),
    "shape": (_shape, (1, 1)),
    "sort": (_sort, (1, 1)),
    "argsort": (_argsort, (1, 1)),
    "argmin": (_argmin_max(min), (1, 1)),
    "argmax": (_argmin_max(max), (1, 1)),
    "take": (_take, (2, 2)),
    "head": (_head, (2, 2)),
    "count": (_count, (2, 2)),
    "mode": (_mode, (1, 1)),
    "distinct": (_ties, (1, 1)),
    "range": (_range, (1, 2)),
    "all": (_all, (1, 1)),
    "any": (_any, (1, 1)),
    "if": (_if, (3, 3)),
}

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": _modulo,
    "^": _power,
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def evaluate(tree: tuple[Any, ...], values: dict[str, Value]) -> Value:
    """The value of a tree; FormulaError where types do not fit or the formula takes more
    than ``MAX_OPERATIONS`` steps, Undefined where it has no finite value (a division by
    zero, an index past the end)."""
    _spent[0] = 0
    try:
        return _evaluate(tree, values)
    except FormulaError:
        raise
    except (ArithmeticError, ValueError, IndexError, TypeError) as error:
        # an operation on values it cannot take (softmax of nothing, argmax of []): the
        # formula has no value here, said as every other such case is, never a traceback
        raise Undefined(f"no value here ({error})") from None
    finally:
        _total[0] += _spent[0]


def steps_taken() -> int:
    """Steps of every evaluation so far in this process: callers bound a whole task (the
    draws meeting the constraints, an instance's values) by the difference."""
    return _total[0]


def _evaluate(tree: tuple[Any, ...], values: dict[str, Value]) -> Value:
    _spend(1)
    kind = tree[0]
    if kind in ("num", "bool", "str"):
        return tree[1]
    if kind == "name":
        return values[tree[1]]
    if kind == "list":
        items = tuple(_evaluate(item, values) for item in tree[1])
        if items and all(isinstance(item, tuple) for item in items):
            if len({len(item) for item in items}) != 1 or any(_is_matrix(i) for i in items):
                raise FormulaError("the rows of a matrix must be vectors of one length")
        elif any(isinstance(item, tuple) for item in items):
            raise FormulaError("a list mixes numbers and lists")
        _bounded_size(sum(len(i) if isinstance(i, tuple) else 1 for i in items))
        return items
    if kind == "neg":
        return _elementwise(lambda a, _: -a, _evaluate(tree[1], values), 0)
    if kind == "not":
        return not _truth(_evaluate(tree[1], values))
    if kind == "and":
        return _truth(_evaluate(tree[1], values)) and _truth(_evaluate(tree[2], values))
    if kind == "or":
        return _truth(_evaluate(tree[1], values)) or _truth(_evaluate(tree[2], values))
    if kind == "index":
        return _indexed(_evaluate(tree[1], values), [_evaluate(i, values) for i in tree[2]])
    if kind == "call":
        function = FUNCTIONS[tree[1]][0]
        result = function(*(_evaluate(arg, values) for arg in tree[2]))
        if isinstance(result, tuple):
            _bounded_size(len(_entries(result)))
        return result
    a, b = _evaluate(tree[1], values), _evaluate(tree[2], values)
    if kind == "@":
        return _matmul(a, b)
    if kind in _COMPARE:
        if kind in ("==", "!=") and (
            isinstance(a, (bool, str, tuple)) or isinstance(b, (bool, str, tuple))
        ):
            return _COMPARE[kind](a, b)
        return _COMPARE[kind](_scalar(a), _scalar(b))
    return _elementwise(_ARITHMETIC[kind], a, b)


def _truth(value: Value) -> bool:
    if not isinstance(value, bool):
        raise FormulaError(f"expected true/false, got {describe(value)}")
    return value


def _indexed(value: Value, indices: list[Value]) -> Value:
    if not isinstance(value, tuple):
        raise FormulaError(f"only a vector or matrix has entries, not {describe(value)}")
    row = value[_index(indices[0], len(value))]
    if len(indices) == 1:
        return row
    if not isinstance(row, tuple):
        raise FormulaError("M[i, j] needs a matrix")
    return row[_index(indices[1], len(row))]


def plain(value: Value) -> Any:
    """A value as JSON holds it: whole numbers as ints, other exact ones as floats, vectors
    and matrices as lists."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return float(value)


def from_plain(value: Any) -> Value:
    """A JSON value (a given as the manifest holds it) as a formula value."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value == round(value, 12):
            return _exact(Fraction(value).limit_denominator(10**12))
        return value
    if isinstance(value, list):
        return tuple(from_plain(item) for item in value)
    raise FormulaError(f"not a value a formula can use: {type(value).__name__}")
