"""Answer types: each owns how a student's answer is parsed and compared with the key.

A malformed answer is data, not an exception: ``parse`` returns ``Invalid(message)`` and the
answer scores zero with that message. Types are stored in the manifest by ``kind`` so grading
never needs the family that wrote the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, ClassVar

from generator.answers.arithmetic import MAX_DIGITS, ArithmeticParseError, evaluate
from generator.formatting import matrix_text, shape_text, short_number, vector_text

Status = str  # "correct" | "partial" | "wrong" | "invalid" | "blank"


@dataclass(frozen=True)
class Invalid:
    message: str


@dataclass(frozen=True)
class Score:
    fraction: Fraction | int  # of the part's points: the int 0 or 1 when all or nothing
    status: Status
    feedback: str = ""


_ZERO = 0
BLANK = Score(_ZERO, "blank", "no answer")
CORRECT = Score(1, "correct")


# Parsed keys of one JSON string, int or bool, by answer type, JSON type (True == 1) and value
_ATOMS = (str, int, bool)
_KEYS_READ: dict[tuple[Any, type, Any], Any] = {}
_MISSING = object()


@lru_cache(maxsize=256)  # a handful of types and examples, asked for every part of a class
def _example_value(answer_type: AnswerType, example: str) -> Any:
    return answer_type.read_answer(example)


class AnswerType:
    kind: ClassVar[str]
    # How to write an answer, as sheets show it: the first text whose examples no key of
    # the question matches (``hint_avoiding``); each text with the examples it quotes.
    hints: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]]

    # Whether ``agrees`` runs here: an expression's is sympy in a guarded child process,
    # far too dear for choosing a hint.
    agrees_in_process: ClassVar[bool] = True

    def hint_avoiding(self, shown: set[str], keys: list[Any]) -> str:
        """The hint whose examples give away no key of the question: no example is one of
        the keys as pages write them (``shown``, spaces folded), nor, read as this type,
        agrees with one of ``keys``, the question's keys of this type. The last otherwise."""
        hints = self.hint_texts()
        for text, examples in hints:
            if not any(self._gives(example, shown, keys) for example in examples):
                return text
        return hints[-1][0]

    def hint_texts(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The hints to choose from (``hints``, unless an instance writes otherwise)."""
        return self.hints

    def _gives(self, example: str, shown: set[str], keys: list[Any]) -> bool:
        if " ".join(example.split()) in shown:
            return True
        if not (keys and self.agrees_in_process):
            return False
        value = _example_value(self, example)
        if isinstance(value, Score):
            return False
        return any(self.agrees(value, self.read_key(key)) for key in keys)

    def parse(self, raw: str) -> Any:
        raise NotImplementedError

    def compare(self, value: Any, key: Any) -> Score:
        if value == key:
            return CORRECT
        return Score(_ZERO, "wrong", f"expected {self.format(key)}")

    def format(self, value: Any) -> str:
        """A parsed value as a person reads it."""
        return str(value)

    def display(self, key: Any) -> str:
        """A key as stored in the manifest, as a person reads it."""
        return str(key)

    def within(self) -> str | None:
        """How near the key an answer must be (``tolerance_text``), as sheets, forms and
        feedback state it; None for exact answers."""
        return None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def json_problem(self, raw: Any) -> str | None:
        """Why a submitted JSON value can never be an answer of this type, or None."""
        if raw is None or (isinstance(raw, (str, int, float)) and not isinstance(raw, bool)):
            return None
        return f"expected a number or text, got a JSON {_json_name(raw)}"

    def read(self, raw: Any) -> Any:
        """Parse a JSON value that passed ``json_problem``."""
        return self.parse(raw if isinstance(raw, str) else repr(raw))

    def read_answer(self, raw: Any) -> Any:
        """A submitted JSON value, parsed; or, when it is blank or unreadable, its Score."""
        if (
            raw is None
            or (isinstance(raw, str) and not raw.strip())
            or (isinstance(raw, list) and not raw)
        ):
            return BLANK
        problem = self.json_problem(raw)
        if problem:
            return Score(_ZERO, "invalid", problem)
        value = self.read(raw)
        if isinstance(value, Invalid):
            return Score(_ZERO, "invalid", value.message)
        return value

    def read_key(self, key_raw: Any) -> Any:
        """A key's JSON value, parsed: one that does not parse is a bug in examgen. Keys
        that are one number or word (most of a class's) are parsed once per type."""
        if type(key_raw) in _ATOMS:
            memo = (self, type(key_raw), key_raw)
            key = _KEYS_READ.get(memo, _MISSING)
            if key is not _MISSING:
                return key
        else:
            memo = None
        key = self.read(key_raw)
        if isinstance(key, Invalid):
            raise ValueError(f"key {key_raw!r} is not a valid {self.kind}: {key.message}")
        if memo is not None:
            if len(_KEYS_READ) > 100_000:
                _KEYS_READ.clear()
            _KEYS_READ[memo] = key
        return key

    def agrees(self, value: Any, key: Any) -> bool:
        """Whether a parsed answer earns full marks against a parsed key; cheaper than
        ``compare`` because it writes no feedback."""
        return value == key

    def grade(self, raw: Any, key_raw: Any) -> Score:
        """Score a submitted JSON value against the key's JSON value."""
        value = self.read_answer(raw)
        if isinstance(value, Score):
            return value
        return self.compare(value, self.read_key(key_raw))


def _json_name(raw: Any) -> str:
    names = {bool: "true/false", list: "list", dict: "object", type(None): "null"}
    return names.get(type(raw), type(raw).__name__)


class Integer(AnswerType):
    """A whole number, or arithmetic that evaluates to one (``10x1x5x5 + 10``)."""

    kind = "integer"
    hints = (
        ("whole numbers, or arithmetic such as 10x3x5x5 + 10", ("10x3x5x5 + 10",)),
        ("whole numbers, or arithmetic such as 16x3x3x3 + 16", ("16x3x3x3 + 16",)),
    )

    def parse(self, raw: str) -> int | Invalid:
        digits = raw.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS:
            return int(digits)  # most answers: a plain count, no arithmetic to parse
        try:
            value = evaluate(raw)
        except ArithmeticParseError as error:
            return Invalid(f"not a number or arithmetic: {error}")
        if value.denominator != 1:
            return Invalid(f"{raw.strip()} is not a whole number")
        return int(value)

    def read(self, raw: Any) -> int | Invalid:
        if isinstance(raw, int):  # keys and most answers: no text to parse
            return raw
        return super().read(raw)


_SHAPE_SEPARATORS = re.compile(r"\s*(?:[xX×*,]|\s)\s*")
_DIM = re.compile(r"\d{1,9}")


_DECIMAL = re.compile(r"\d{1,9}\.\d+")


def _parse_dims(raw: str, expected: str) -> tuple[int, ...] | Invalid:
    """Whole dimensions; ``expected`` says what to write instead, in the exam's notation."""
    text = raw.strip()
    if len(text) > 100:
        return Invalid("longer than 100 characters")
    for left, right in ("()", "[]"):
        if text.startswith(left) and text.endswith(right):
            text = text[1:-1].strip()
            break
    if not text:
        return Invalid("empty shape")
    parts = _SHAPE_SEPARATORS.split(text)
    if not all(_DIM.fullmatch(part) for part in parts):
        if _DECIMAL.fullmatch(text):
            whole = text.rstrip("0").rstrip(".")
            if "." not in whole:
                return Invalid(f"'{text}': sizes are whole numbers, write {whole}")
            return Invalid(f"'{text}': sizes are whole numbers")
        return Invalid(f"'{text[:40]}' is not {expected}")
    dims = tuple(int(part) for part in parts)
    if 0 in dims:
        return Invalid("a dimension of 0 is not a shape")
    return dims


SHAPE_LAYOUTS = ("HxWxC", "CxHxW")  # volumes as the course's tables write them, or channels first


def fc_volume_shape(outputs: int, layout: str) -> tuple[int, int, int]:
    """An FC layer's N outputs as an activation volume: 1x1xN, or Nx1x1 channels first."""
    return (1, 1, outputs) if layout == "HxWxC" else (outputs, 1, 1)


class Shape(AnswerType):
    """An activation volume ``HxWxC`` (also ``32 x 32 x 10``, ``(32, 32, 10)``) or a size ``D``."""

    kind = "shape"
    # The question says which dimensions a shape has (an activation volume HxWxC, batch
    # norm's 1xCx1x1): the hint says only how to write one.
    hints = (
        ("shapes with x between the dimensions, such as 32x32x10", ("32x32x10",)),
        ("shapes with x between the dimensions, such as 7x7x512", ("7x7x512",)),
        ("shapes with x between the dimensions, such as 13x13x3", ("13x13x3",)),
    )

    channels_first_hints = (
        ("shapes with x between the dimensions, such as 10x32x32", ("10x32x32",)),
        ("shapes with x between the dimensions, such as 512x7x7", ("512x7x7",)),
        ("shapes with x between the dimensions, such as 3x13x13", ("3x13x13",)),
    )

    def __init__(self, fc_volume: bool = False, layout: str = "HxWxC") -> None:
        # An FC layer's output of N units is also an activation volume 1x1xN, as the
        # course's table and cs231n's VGG table write it (Nx1x1 channels first): such
        # parts accept both.
        self.fc_volume = bool(fc_volume)
        if layout not in SHAPE_LAYOUTS:
            raise ValueError(f"unknown shape layout {layout!r:.30}")
        self.layout = layout
        example = self.hint_texts()[0][1][0]
        self._expected = f"a shape: write whole numbers with x between them, such as {example}"

    def hint_texts(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return self.channels_first_hints if self.layout == "CxHxW" else self.hints

    def hint_avoiding(self, shown: set[str], keys: list[Any]) -> str:
        text = super().hint_avoiding(shown, keys)
        if not self.fc_volume:
            return text
        volume = "1x1xN" if self.layout == "HxWxC" else "Nx1x1"
        return f"{text}; N outputs of a layer as N or {volume}"

    def parse(self, raw: str) -> tuple[int, ...] | Invalid:
        return _parse_dims(raw, self._expected)

    def agrees(self, value: tuple[int, ...], key: tuple[int, ...]) -> bool:
        return value == key or self._as_volume(value, key)

    def _as_volume(self, value: tuple[int, ...], key: tuple[int, ...]) -> bool:
        if not (self.fc_volume and len(key) == 1):
            return False
        return value == fc_volume_shape(key[0], self.layout)

    def compare(self, value: tuple[int, ...], key: tuple[int, ...]) -> Score:
        if value == key:
            return CORRECT
        if self._as_volume(value, key):
            return Score(1, "correct", f"{shape_text(value)} is {key[0]} written as a volume")
        # a layer's N outputs may be written 1x1xN, so a volume is not the wrong rank there
        if len(value) != len(key) and not (self.fc_volume and len(key) == 1):
            rank = "1 dimension" if len(key) == 1 else f"{len(key)} dimensions"
            return Score(_ZERO, "wrong", f"expected {rank}, got {len(value)}")
        if len(key) == 3 and value == self._other_order(key) != key:
            other = "CxHxW" if self.layout == "HxWxC" else "HxWxC"
            return Score(
                _ZERO,
                "wrong",
                f"expected {self.format(key)}: the right sizes in {other} order, "
                f"where this exam writes {self.layout}",
            )
        return Score(_ZERO, "wrong", f"expected {self.format(key)}")

    def _other_order(self, key: tuple[int, ...]) -> tuple[int, ...]:
        if self.layout == "HxWxC":
            return (key[2], key[0], key[1])
        return (key[1], key[2], key[0])

    def format(self, value: tuple[int, ...]) -> str:
        return shape_text(value)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.fc_volume:
            data["fc_volume"] = True
        if self.layout != "HxWxC":
            data["layout"] = self.layout
        return data


class SpatialSize(AnswerType):
    """Height and width of a feature map: ``14`` for a square, ``14x10`` otherwise."""

    kind = "spatial_size"
    hints = (
        ("one number for a square size, else HxW such as 14x10", ("14x10",)),
        ("one number for a square size, else HxW such as 9x6", ("9x6",)),
    )

    def parse(self, raw: str) -> tuple[int, int] | Invalid:
        dims = _parse_dims(raw, "a size: write one number such as 14, or HxW such as 14x10")
        if isinstance(dims, Invalid):
            return dims
        if len(dims) == 1:
            return (dims[0], dims[0])
        if len(dims) == 2:
            return (dims[0], dims[1])
        return Invalid(f"expected one number or HxW, got {len(dims)} dimensions")

    def format(self, value: tuple[int, int]) -> str:
        return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


def _is_list(text: str) -> bool:
    """Whether a number's text is several: [1, 2], 0.5; 2, (1, 2), 1,2,3 or 1, 2. One
    comma alone is a decimal comma or a separator (1,5 and 1,000), and (1+2)/3 arithmetic."""
    if text.startswith("[") or ";" in text or (text.startswith("(") and "," in text):
        return True
    return not _THOUSANDS.fullmatch(text) and (text.count(",") > 1 or ", " in text)


_THOUSANDS = re.compile(r"\s*[-+−]?\d{1,3}(?:,\d{3})+(?:\.\d*)?\s*")
_DECIMAL_COMMA = re.compile(r"\s*([-+−]?\d+),(\d+)\s*")
_MAX_TEXT = 200


Number = int | float | Fraction
"""A parsed real. A float stands for the decimal its repr writes, as a JSON number does:
float-first parsing keeps every decimal of up to 15 significant digits exactly, so grading
stays exact while most answers skip fraction arithmetic."""


def exact(value: Number) -> Fraction:
    """The exact value a parsed real stands for."""
    return Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)


def number_value(raw: int | float) -> Number | Invalid:
    """A JSON number, standing for the decimal it was written as (see ``Number``)."""
    if isinstance(raw, float) and not math.isfinite(raw):
        return Invalid("not a finite number")
    return raw


# Digits with an optional point, matched one way only: with ``\d+\.?\d*`` a run of digits
# splits between its two ``\d``s in as many ways as it is long, and a list of such numbers
# that fails at its end took the regex engine forever (``[11111,11111,...;x]``).
_UNSIGNED = r"\d+(?:\.\d*)?|\.\d+"

# A decimal whose value a float holds exactly, by its repr: at most 15 significant digits
# (a double keeps 15), and an exponent well inside what the arithmetic parser accepts.
_PLAIN_DECIMAL = re.compile(rf"[-+]?({_UNSIGNED})(?:[eE][-+]?\d{{1,2}})?")
_PLAIN_DIGITS = 15
_PLAIN_EXPONENT = 20


def _plain_decimal(text: str) -> float | None:
    match = _PLAIN_DECIMAL.fullmatch(text)
    if match is None:
        return None
    digits = match[1].replace(".", "").lstrip("0")
    exponent = text[match.end(1) + 1 :]
    if len(digits) > _PLAIN_DIGITS or (exponent and abs(int(exponent)) > _PLAIN_EXPONENT):
        return None
    return float(text)


def parse_real(raw: str) -> Number | Invalid:
    """An exact number from what a student typed: ``0.27``, ``1/3``, ``2.5e-3``, ``−1``,
    ``1,5`` (a decimal comma), or arithmetic such as ``1 - 0.25``."""
    text = raw.strip()
    plain = _plain_decimal(text)
    if plain is not None:
        return plain
    if len(text) > _MAX_TEXT:
        return Invalid(f"longer than {_MAX_TEXT} characters")
    if _is_list(text):
        return Invalid(f"'{text[:40]}' is a list: write one number here")
    if "," in text:
        match = _DECIMAL_COMMA.fullmatch(text)
        if not match:
            return Invalid(f"'{text[:40]}': write decimals with '.' and no thousands separators")
        if len(match[2]) == 3:
            # 1,000 is a thousand in one convention and one in another: never guess
            return Invalid(f"'{text}' is ambiguous: write 1000 or 1.000")
        text = f"{match[1]}.{match[2]}"
    try:
        return evaluate(text)
    except ArithmeticParseError as error:
        return Invalid(f"not a number: {error}")


def tolerance_text(rtol: float, atol: float) -> str:
    """A tolerance as sheets, forms and feedback state it: ``within 1% or 0.0001``, the
    wider of the two bounds applying (``Tolerance``)."""
    mantissa, _, exponent = f"{atol:.3g}".partition("e")
    absolute = f"{mantissa}e{int(exponent)}" if exponent else mantissa
    return f"within {rtol * 100:.3g}% or {absolute}"


class Tolerance:
    """``|value - key| <= max(atol, rtol·|key|)``, exactly, so a bound is inclusive to the
    last digit: 1.05 against 1 at 5 %. Floats settle all but near ties, many times faster."""

    def __init__(self, rtol: float | str | Fraction, atol: float | str | Fraction) -> None:
        self.rtol, self.atol = Fraction(str(rtol)), Fraction(str(atol))
        self._rtol, self._atol = float(self.rtol), float(self.atol)
        # as sheets and feedback say it: written once, as every wrong answer of a class quotes it
        self.text = tolerance_text(self._rtol, self._atol)

    def __call__(self, value: Number, key: Number) -> bool:
        try:
            v, k = float(value), float(key)
        except OverflowError:
            v = k = math.nan
        gap, bound = abs(v - k), max(self._atol, self._rtol * abs(k))
        slack = 1e-12 * (abs(v) + abs(k) + bound)  # far above the floats' rounding errors
        if gap < bound - slack:
            return True
        if gap > bound + slack:
            return False
        value, key = exact(value), exact(key)
        return abs(value - key) <= max(self.atol, self.rtol * abs(key))


@lru_cache(maxsize=64, typed=True)  # typed: 0.1 == Fraction(0.1), yet they bound otherwise
def _tolerance(rtol: float | str | Fraction, atol: float | str | Fraction) -> Tolerance:
    """A Tolerance, built once for each bounds: a family makes a part's answer type for each
    variant, and a class's thousands of parts use a handful of tolerances."""
    return Tolerance(rtol, atol)


class Real(AnswerType):
    """A real number, correct within ``max(atol, rtol·|key|)`` of the key, bounds included."""

    kind = "real"
    hints = (
        (
            "numbers such as 0.27, -1.5, 1/3 or 2.5e-3",
            ("0.27", "-1.5", "1/3", "2.5e-3"),
        ),
        (
            "numbers such as 0.83, -2.25, 2/7 or 4.5e-3",
            ("0.83", "-2.25", "2/7", "4.5e-3"),
        ),
    )

    def __init__(self, rtol: float = 0.01, atol: float = 1e-4) -> None:
        self.rtol, self.atol = rtol, atol
        self._close = _tolerance(rtol, atol)

    def within(self) -> str:
        return self._close.text

    def parse(self, raw: str) -> Number | Invalid:
        return parse_real(raw)

    def read(self, raw: Any) -> Number | Invalid:
        # JSON numbers are numbers already: no need to write them out and parse them back
        return number_value(raw) if isinstance(raw, (int, float)) else parse_real(raw)

    def agrees(self, value: Number, key: Number) -> bool:
        return self._close(value, key)

    def compare(self, value: Number, key: Number) -> Score:
        if self._close(value, key):
            return CORRECT
        return Score(_ZERO, "wrong", f"expected {short_number(key)} ({self._close.text})")

    def format(self, value: Number) -> str:
        return short_number(value)

    def display(self, key: Any) -> str:
        return short_number(key)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rtol": self.rtol, "atol": self.atol}


_MAX_ENTRIES = 400


def _entries(raw: Any) -> Any:
    """A JSON list, or text as a JSON list or ``[1, 2; 3, 4]`` rows, as nested lists of
    numbers or strings; Invalid when it is neither."""
    if isinstance(raw, list):
        return raw
    text = raw.strip()
    if len(text) > 20 * _MAX_ENTRIES:
        return Invalid("too long")
    if not (text.startswith("[") and text.endswith("]")):
        return Invalid("write a list such as [1, 2] or rows such as [1, 2; 3, 4]")
    inner = text[1:-1]
    if ";" in inner:
        if "[" in inner or "]" in inner:
            return Invalid("use either [[1, 2], [3, 4]] or [1, 2; 3, 4], not both")
        return [re.split(r"\s*,\s*|\s+", row.strip()) for row in inner.split(";")]
    if "[" in inner:
        rows = re.findall(r"\[([^\[\]]*)\]", inner)
        if re.sub(r"\[[^\[\]]*\]", "", inner).replace(",", "").strip():
            return Invalid("write rows as [[1, 2], [3, 4]]")
        return [re.split(r"\s*,\s*", row.strip()) if row.strip() else [] for row in rows]
    return re.split(r"\s*,\s*", inner.strip()) if inner.strip() else []


_PLAIN_ITEM = rf"\s*[-+]?(?:{_UNSIGNED})\s*"
_PLAIN_VECTOR_TEXT = re.compile(rf"\[(?:{_PLAIN_ITEM}(?:,{_PLAIN_ITEM})*)?\]")


def _plain_vector(raw: Any) -> tuple[Number, ...] | None:
    """A row of plain numbers, the way keys are stored and most answers typed (``[0.5, 2]``),
    read without the general parser; None for anything else, which ``_entries`` reads."""
    if type(raw) is list:
        if len(raw) <= _MAX_ENTRIES and all(
            type(x) is int or (type(x) is float and math.isfinite(x)) for x in raw
        ):
            return tuple(raw)
        return None
    if type(raw) is not str or len(raw) > _MAX_TEXT:
        return None
    text = raw.strip()
    if not _PLAIN_VECTOR_TEXT.fullmatch(text):
        return None
    items = text[1:-1].split(",")
    if items == [""] or any(len(item.strip()) > _PLAIN_DIGITS for item in items):
        return None  # empty, or an entry that may have more digits than a float keeps
    return tuple(float(item) for item in items)


_PLAIN_ROW = rf"{_PLAIN_ITEM}(?:,{_PLAIN_ITEM})*"
_PLAIN_ROWS_TEXT = re.compile(rf"\[{_PLAIN_ROW}(?:;{_PLAIN_ROW})+\]")


def _plain_rows(raw: Any) -> list[tuple[float, ...]] | None:
    """Rows of plain numbers as keys are shown and most matrices typed (``[1, 2; 3, 4]``),
    read without the general parser; None for anything else, which ``_entries`` reads."""
    if type(raw) is not str or len(raw) > _MAX_TEXT:
        return None
    text = raw.strip()
    if not _PLAIN_ROWS_TEXT.fullmatch(text):
        return None
    rows = [row.split(",") for row in text[1:-1].split(";")]
    if any(len(item.strip()) > _PLAIN_DIGITS for row in rows for item in row):
        return None  # an entry that may have more digits than a float keeps
    return [tuple(float(item) for item in row) for row in rows]


def _entry(item: Any) -> Number | Invalid:
    """A matrix entry, parsed; Invalid, without saying where, when it is not a number."""
    kind = type(item)
    if kind is float or kind is int:
        return number_value(item)
    if kind is str:
        return parse_real(item)
    return Invalid(f"expected a number, got {_json_name(item)}")


_SHOWN_DIFFERENCES = 3  # a feedback cell names this many wrong entries, then counts the rest


class Matrix(AnswerType):
    """A matrix of reals (a vector when ``rows`` is None), compared entry by entry with
    partial credit for the share of entries within tolerance."""

    kind = "matrix"
    hints = (
        (
            "matrices as [[1, 2], [3, 4]] or [1, 2; 3, 4], vectors as [1, 2, 3]",
            ("[[1, 2], [3, 4]]", "[1, 2, 3]"),
        ),
        (
            "matrices as [[5, -1], [0, 2]] or [5, -1; 0, 2], vectors as [4, 0, -2]",
            ("[[5, -1], [0, 2]]", "[4, 0, -2]"),
        ),
    )

    def __init__(self, rows: int | None, cols: int, rtol: float = 0.01, atol: float = 1e-4) -> None:
        self.rows, self.cols, self.rtol, self.atol = rows, cols, rtol, atol
        self._close = _tolerance(rtol, atol)

    def within(self) -> str:
        return self._close.text

    def _shape_text(self) -> str:
        if self.rows is None:
            return f"a vector of {self.cols}"
        return f"a {self.rows}x{self.cols} matrix"

    def json_problem(self, raw: Any) -> str | None:
        if isinstance(raw, (str, list)):
            return None
        return f"expected {self._shape_text()} as a list, got a JSON {_json_name(raw)}"

    def read(self, raw: Any) -> tuple[Any, ...] | Invalid:
        flat = _plain_vector(raw)
        if flat is not None:
            return self._shaped([flat], nested=False)
        if type(raw) is list and raw and type(raw[0]) is list:
            rows = [vector for row in raw if (vector := _plain_vector(row)) is not None]
            if len(rows) == len(raw) and sum(map(len, rows)) <= _MAX_ENTRIES:
                return self._shaped(rows, nested=True)
        typed_rows = _plain_rows(raw)
        if typed_rows is not None:
            return self._shaped(typed_rows, nested=True)
        return self.read_general(raw)

    def read_general(self, raw: Any) -> tuple[Any, ...] | Invalid:
        """``read`` for any list or text, with the place of the first bad entry."""
        entries = _entries(raw)
        if isinstance(entries, Invalid):
            return entries
        nested = any(isinstance(item, list) for item in entries)
        if nested and not all(isinstance(item, list) for item in entries):
            return Invalid("mixes numbers and rows")
        rows = entries if nested else [entries]
        if sum(len(row) for row in rows) > _MAX_ENTRIES:
            return Invalid(f"more than {_MAX_ENTRIES} entries")
        if any(isinstance(item, list) for row in rows for item in row):
            return Invalid("nested deeper than rows of numbers")
        parsed = []
        for r, row in enumerate(rows, start=1):
            values: list[Number] = []
            for c, value in enumerate(map(_entry, row), start=1):
                if isinstance(value, Invalid):
                    where = f"entry ({r}, {c})" if nested else f"entry {c}"
                    return Invalid(f"{where}: {value.message}")
                values.append(value)
            parsed.append(tuple(values))
        return self._shaped(parsed, nested)

    def _shaped(
        self, parsed: Sequence[tuple[Number, ...]], nested: bool
    ) -> tuple[Any, ...] | Invalid:
        """Parsed rows as this type's value: a flat tuple for a vector, rows for a matrix."""
        if len({len(row) for row in parsed}) > 1:
            return Invalid("rows of different lengths")
        if self.rows is None:
            if len(parsed) == 1 or all(len(row) == 1 for row in parsed):
                return tuple(v for row in parsed for v in row)
            return Invalid(f"expected {self._shape_text()}, got rows")
        if len(parsed) == 1 and self.rows != 1 and self.cols == 1:
            parsed = [(v,) for v in parsed[0]]  # a flat list for a column
        return tuple(parsed)

    def parse(self, raw: str) -> Any:
        return self.read(raw)

    def _size(self, value: tuple[Any, ...]) -> str:
        if self.rows is None:
            return f"{len(value)} entries"
        return f"{len(value)}x{len(value[0]) if value else 0}"

    def _same_shape(self, value: tuple[Any, ...], key: tuple[Any, ...]) -> bool:
        return len(value) == len(key) and (
            self.rows is None or all(len(a) == len(b) for a, b in zip(value, key, strict=True))
        )

    def _flat(self, value: tuple[Any, ...]) -> Any:
        return value if self.rows is None else [v for row in value for v in row]

    def agrees(self, value: tuple[Any, ...], key: tuple[Any, ...]) -> bool:
        return self._same_shape(value, key) and all(
            self._close(v, k) for v, k in zip(self._flat(value), self._flat(key), strict=True)
        )

    def compare(self, value: tuple[Any, ...], key: tuple[Any, ...]) -> Score:
        flat_value, flat_key = self._flat(value), self._flat(key)
        if not self._same_shape(value, key):
            return Score(_ZERO, "wrong", f"expected {self._shape_text()}, got {self._size(value)}")
        close = [self._close(v, k) for v, k in zip(flat_value, flat_key, strict=True)]
        right = sum(close)
        if right == len(flat_key):
            return CORRECT
        fraction = Fraction(right, len(flat_key))
        status = "partial" if right else "wrong"
        return Score(
            fraction,
            status,
            f"{len(flat_key) - right} of {len(flat_key)} entries differ: "
            f"{self._differences(close, flat_key)} ({self._close.text})",
        )

    def _differences(self, close: list[bool], flat_key: Any) -> str:
        """Where a matrix answer is wrong, as a reader finds it: the first few entries by
        row and column, each with its key, never the whole key again."""
        width = len(flat_key) if self.rows is None else self.cols
        wrong = [n for n, ok in enumerate(close) if not ok]
        named = [
            f"entry {self._place(n, width)} should be {short_number(flat_key[n])}"
            for n in wrong[:_SHOWN_DIFFERENCES]
        ]
        more = len(wrong) - len(named)
        return ", ".join(named) + (f" and {more} more" if more else "")

    def _place(self, n: int, width: int) -> str:
        return str(n + 1) if self.rows is None else f"({n // width + 1}, {n % width + 1})"

    @staticmethod
    def _as_json(value: Any) -> Any:
        if isinstance(value, tuple):
            return [Matrix._as_json(v) for v in value]
        return float(value)

    def display(self, key: Any) -> str:
        return matrix_text(key) if key and isinstance(key[0], list) else vector_text(key)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "cols": self.cols,
            "rtol": self.rtol,
            "atol": self.atol,
        }


class Expression(AnswerType):
    """A symbolic expression in declared symbols, graded by equivalence with the key."""

    kind = "expression"
    agrees_in_process = False
    hints = (
        ("expressions such as 2*x*y + exp(-x) (^ for powers, 2x for 2*x)", ("2*x*y + exp(-x)",)),
        ("expressions such as 3*x^2 - log(x) (^ for powers, 2x for 2*x)", ("3*x^2 - log(x)",)),
    )

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = sorted(symbols)

    def parse(self, raw: str) -> Any:
        from generator.answers.expressions import ExpressionError, parse

        try:
            return parse(raw, set(self.symbols))
        except ExpressionError as error:
            return Invalid(f"not an expression: {error}")

    def compare(self, value: Any, key: Any) -> Score:
        from generator.answers.equivalence import equivalent
        from generator.answers.expressions import to_text
        from generator.answers.guard import Timeout, guarded

        try:
            verdict = guarded(equivalent, value, key, self.symbols)
        except Timeout as error:
            return Score(_ZERO, "invalid", f"could not be compared with the key: {error}")
        except RuntimeError as error:  # examgen's own bug: say so rather than crash the batch
            return Score(_ZERO, "invalid", f"could not be compared with the key ({error})")
        if verdict.equal:
            return CORRECT
        return Score(_ZERO, "wrong", f"expected {to_text(key)}; {verdict.reason}")

    def agrees(self, value: Any, key: Any) -> bool:
        return self.compare(value, key) is CORRECT

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "symbols": self.symbols}


def _rubric_fraction(value: Any) -> Fraction:
    return Fraction(value).limit_denominator(10**6)


class TrueFalse(AnswerType):
    """True or false, scored by the midterm's rubric: the full part for a right answer, a
    penalty for a wrong one (half by default: +2/−1 at 2 points), nothing for a blank."""

    kind = "truefalse"
    hints = (("true or false (T or F)", ()),)
    _WORDS: ClassVar[dict[str, bool]] = {"true": True, "t": True, "false": False, "f": False}

    def __init__(self, wrong: str = "-1/2") -> None:
        self.wrong = str(wrong)
        self._penalty = _rubric_fraction(self.wrong)

    def json_problem(self, raw: Any) -> str | None:
        if raw is None or isinstance(raw, (bool, str)):
            return None
        return f"expected true or false, got a JSON {_json_name(raw)}"

    def read(self, raw: Any) -> bool | Invalid:
        if isinstance(raw, bool):
            return raw
        word = raw.strip().lower().rstrip(".")
        if word not in self._WORDS:
            return Invalid(f"'{raw.strip()[:20]}' is not true or false")
        return self._WORDS[word]

    def parse(self, raw: str) -> bool | Invalid:
        return self.read(raw)

    def compare(self, value: bool, key: bool) -> Score:
        if value == key:
            return CORRECT
        return Score(self._penalty, "wrong", f"the statement is {str(key).lower()}")

    def display(self, key: Any) -> str:
        return "true" if key else "false"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "wrong": self.wrong}


_LETTERS = "ABCDEFGHIJ"


class MultiSelect(AnswerType):
    """Select every correct option: the midterm's rubric takes ``per_error`` of the part for
    each wrong selection and each missed correct option, down to ``floor`` (4 points, −2 per
    error, floor 0 by default: key A, answer AB scores 2)."""

    kind = "multiselect"
    hints = (
        ("the letters of every correct option, such as AC", ("AC",)),
        ("the letters of every correct option, such as BD", ("BD",)),
    )

    def __init__(self, options: int, per_error: str = "1/2", floor: str = "0") -> None:
        self.options, self.per_error, self.floor = options, str(per_error), str(floor)
        self._per_error, self._floor = _rubric_fraction(per_error), _rubric_fraction(floor)

    def json_problem(self, raw: Any) -> str | None:
        if raw is None or isinstance(raw, str):
            return None
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return None
        return f'expected option letters such as "AC", got a JSON {_json_name(raw)}'

    def read(self, raw: Any) -> frozenset[str] | Invalid:
        text = "".join(raw) if isinstance(raw, list) else raw
        if len(text) > 100:
            return Invalid("longer than 100 characters")
        letters = re.sub(r"[\s,;()\[\]]", "", text).upper()
        valid = _LETTERS[: self.options]
        # the quantity the options list, typed instead of the letters of its option
        if any(ch.isdigit() for ch in text) and not isinstance(parse_real(text), Invalid):
            return Invalid(
                f"'{text.strip()[:20]}' is a number: choose the letters of the correct "
                f"options, from {valid[0]} to {valid[-1]}"
            )
        if not letters or any(letter not in valid for letter in letters):
            return Invalid(f"'{text.strip()[:20]}': choose letters from {valid[0]} to {valid[-1]}")
        if len(set(letters)) != len(letters):
            return Invalid(f"'{text.strip()}' names an option twice")
        return frozenset(letters)

    def parse(self, raw: str) -> frozenset[str] | Invalid:
        return self.read(raw)

    def compare(self, value: frozenset[str], key: frozenset[str]) -> Score:
        errors = len(value - key) + len(key - value)
        if not errors:
            return CORRECT
        fraction = max(self._floor, 1 - errors * self._per_error)
        status = "partial" if fraction > 0 else "wrong"
        wrong = ", ".join(sorted(value - key)) or "none"
        missed = ", ".join(sorted(key - value)) or "none"
        return Score(
            fraction,
            status,
            f"key {''.join(sorted(key))}: wrong selections {wrong}; missed {missed}",
        )

    def display(self, key: Any) -> str:
        return "".join(sorted(key))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "options": self.options,
            "per_error": self.per_error,
            "floor": self.floor,
        }


ANSWER_TYPES: dict[str, type[AnswerType]] = {
    cls.kind: cls
    for cls in (Integer, Shape, SpatialSize, Real, Matrix, Expression, TrueFalse, MultiSelect)
}


_BUILT: dict[tuple[tuple[str, ...], tuple[Any, ...]], AnswerType] = {}


def answer_type_from_json(data: dict[str, Any]) -> AnswerType:
    """Rebuild an answer type stored in a manifest. Types hold no state once built, and a
    class's thousands of parts use a handful of them, so each is built once."""
    signature = (tuple(data), tuple(data.values()))
    try:
        return _BUILT[signature]
    except KeyError:
        pass
    except TypeError:  # a list option, such as an expression's symbols
        signature = (signature[0], tuple(_hashable(v) for v in signature[1]))
        if signature in _BUILT:
            return _BUILT[signature]
    built = _build_answer_type(data)
    if len(_BUILT) < 10_000:
        _BUILT[signature] = built
    return built


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    return value


def _build_answer_type(data: dict[str, Any]) -> AnswerType:
    cls = ANSWER_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise ValueError(f"unknown answer type {data.get('kind')!r}")
    options = {name: value for name, value in data.items() if name != "kind"}
    return cls(**options)
