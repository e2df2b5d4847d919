"""A whitelisting parser for arithmetic answers such as ``10x1x5x5 + 10`` or ``(32-5+4)/1+1``.

Students write counts the way the course does, as products and sums. The answer is parsed
token by token into exact fractions; nothing the student typed is ever handed to ``eval``,
``sympify`` or ``parse_expr``. Sizes are bounded so no input can make the parser slow.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_LENGTH = 200  # characters of one arithmetic answer
MAX_DIGITS = 40  # digits of any number, given or computed
MAX_EXPONENT = 64  # largest |exponent| allowed in a power
MAX_DEPTH = 30  # nesting of parentheses and unary signs

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<op>\*\*|[-+*/^()xX×·÷−–]))"
)
_CANONICAL = {"x": "*", "X": "*", "×": "*", "·": "*", "÷": "/", "−": "-", "–": "-", "^": "**"}


class ArithmeticParseError(ValueError):
    """The text is not a bounded arithmetic expression; the message says why."""


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            rest = text[position:].lstrip()
            word = re.match(r"[A-Za-z_]+", rest)
            shown = word.group() if word else rest[:1]
            column = len(text) - len(rest) + 1
            raise ArithmeticParseError(f"unexpected {shown!r} at position {column}")
        if match.group("number") is not None:
            tokens.append(("number", match.group("number")))
        else:
            op = match.group("op")
            tokens.append(("op", _CANONICAL.get(op, op)))
        position = match.end()
    return tokens


def _bounded(value: Fraction) -> Fraction:
    if len(str(abs(value.numerator))) > MAX_DIGITS:
        raise ArithmeticParseError("a number in the expression is too large")
    if len(str(value.denominator)) > MAX_DIGITS:  # 1e-40: exact, but past the digits kept
        raise ArithmeticParseError(
            f"a number in the expression is too small or too precise (over {MAX_DIGITS} digits)"
        )
    return value


def _number(text: str) -> Fraction:
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_DIGITS:
        raise ArithmeticParseError(f"the exponent in {text} is too large")
    if len(mantissa.replace(".", "").lstrip("0")) > MAX_DIGITS:
        raise ArithmeticParseError(f"{text[:12]}... has too many digits")
    return _bounded(Fraction(text))


class _Parser:
    """Recursive descent over: sum := product (('+'|'-') product)*;
    product := unary (('*'|'/') unary)*; unary := ('+'|'-') unary | power;
    power := atom ('**' unary)?; atom := number | '(' sum ')'."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def peek(self) -> str | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position][1]
        return None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Fraction:
        if not self.tokens:
            raise ArithmeticParseError("empty answer")
        value = self.sum()
        if self.position != len(self.tokens):
            raise ArithmeticParseError(f"unexpected '{self.peek()}'")
        return value

    def sum(self) -> Fraction:
        value = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.product()
            value = _bounded(value + right if op == "+" else value - right)
        return value

    def product(self) -> Fraction:
        value = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            right = self.unary()
            if op == "/" and right == 0:
                raise ArithmeticParseError("division by zero")
            value = _bounded(value * right if op == "*" else value / right)
        return value

    def unary(self) -> Fraction:
        if self.peek() in ("+", "-"):
            op = self.take()[1]
            self.enter()
            value = self.unary()
            self.depth -= 1
            return -value if op == "-" else value
        return self.power()

    def power(self) -> Fraction:
        base = self.atom()
        if self.peek() != "**":
            return base
        self.take()
        self.enter()
        exponent = self.unary()
        self.depth -= 1
        if exponent.denominator != 1:
            raise ArithmeticParseError("only whole-number exponents are allowed")
        if abs(exponent) > MAX_EXPONENT:
            raise ArithmeticParseError(f"exponents are limited to ±{MAX_EXPONENT}")
        if base == 0 and exponent < 0:
            raise ArithmeticParseError("division by zero")
        if (
            abs(base) > 1
            and abs(exponent) * max(len(str(abs(base.numerator))), len(str(base.denominator)))
            > MAX_DIGITS * 2
        ):
            raise ArithmeticParseError("a number in the expression is too large")
        return _bounded(base ** int(exponent))

    def atom(self) -> Fraction:
        if self.position >= len(self.tokens):
            raise ArithmeticParseError("the expression ends too early")
        kind, text = self.take()
        if kind == "number":
            return _number(text)
        if text == "(":
            self.enter()
            value = self.sum()
            self.depth -= 1
            if self.peek() != ")":
                raise ArithmeticParseError("a '(' is never closed")
            self.take()
            return value
        raise ArithmeticParseError(f"unexpected '{text}'")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ArithmeticParseError("the expression is nested too deeply")


def evaluate(text: str) -> Fraction:
    """The exact value of an arithmetic expression, or ArithmeticParseError saying why not.

    Multiplication may be written ``*``, ``x``, ``×`` or ``·``; powers ``^`` or ``**``.
    """
    if len(text) > MAX_LENGTH:
        raise ArithmeticParseError(f"longer than {MAX_LENGTH} characters")
    return _Parser(_tokenize(text)).parse()
