"""Real, matrix and expression answers: what is accepted, what is refused and why, and that
no string makes the grader raise or run anything."""

import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.answers.expressions import ExpressionError, parse
from generator.answers.types import Expression, Matrix, Real

XYZ = Expression(["x", "y", "z"])

# (answer, key, expected status, a fragment of the feedback)
EXPRESSION_TABLE = [
    ("x*z + y*z", "(x + y)*z", "correct", ""),
    ("z(x+y)", "(x + y)*z", "correct", ""),
    ("(x+y)z", "(x + y)*z", "correct", ""),
    ("2x", "2*x", "correct", ""),
    ("x^2", "x**2", "correct", ""),
    ("x**2", "x^2", "correct", ""),
    ("x·y", "x*y", "correct", ""),
    ("σ(x)(1 − σ(x))", "exp(-x)/(1 + exp(-x))^2", "correct", ""),
    ("sigmoid(x)*(1-sigmoid(x))", "exp(-x)/(1+exp(-x))^2", "correct", ""),
    ("1 - tanh(x)^2", "1/cosh(x)^2".replace("1/cosh(x)^2", "4/(exp(x)+exp(-x))^2"), "correct", ""),
    ("2*sigmoid(2x) - 1", "tanh(x)", "correct", ""),
    ("ln(x)", "log(x)", "correct", ""),
    ("e^x", "exp(x)", "correct", ""),
    ("1/2*x", "x/2", "correct", ""),
    ("0.5x", "x/2", "correct", ""),
    ("(x+y)*z + 1", "(x + y)*z", "wrong", "yours is"),
    ("x*y", "x*z", "wrong", "yours is"),
    ("log(x)", "1/x", "wrong", ""),
    ("", "x", "blank", ""),
    ("   ", "x", "blank", ""),
    ("xy", "x*y", "invalid", "unknown name 'xy'"),
    ("a + b", "x", "invalid", "unknown name 'a'"),
    ("x +", "x", "invalid", "ends too early"),
    ("(x", "x", "invalid", "never closed"),
    ("x)", "x", "invalid", "unexpected ')'"),
    ("exp x", "x", "invalid", "needs parentheses"),
    ("max(x)", "x", "invalid", "takes 2 argument"),
    ("10^10^10", "x", "invalid", "exponents are limited"),
    ("x^99999", "x", "invalid", "exponents are limited"),
    ("x^x^x", "x", "invalid", "towers of powers"),
    ("9^9^9^9", "x", "invalid", "exponents are limited"),
    ("2^(1/0)", "x", "invalid", "cannot be evaluated"),
    ("1" * 40, "x", "invalid", "too many digits"),
    ("x" + "+x" * 300, "x", "invalid", "longer than"),
    ("(" * 60 + "x" + ")" * 60, "x", "invalid", "nested too deeply"),
    ("-" * 60 + "x", "x", "invalid", "nested too deeply"),
    ("x" + "*x" * 220, "x", "invalid", "too large"),
    ("__import__('os').system('id')", "x", "invalid", 'unexpected character "\'"'),
    ("().__class__", "x", "invalid", "unexpected"),
    ("lambda: 0", "x", "invalid", "unexpected character ':'"),
    ("x.real", "x", "invalid", "unexpected character '.'"),
    ("eval('1')", "x", "invalid", 'unexpected character "\'"'),
    ("exec", "x", "invalid", "unknown name 'exec'"),
    ("x; import os", "x", "invalid", "unexpected"),
    ("x[0]", "x", "invalid", "unexpected"),
    ("{x}", "x", "invalid", "unexpected"),
    ("x if y else z", "x", "invalid", "unknown name 'if'"),
    ("open('/etc/passwd')", "x", "invalid", 'unexpected character "\'"'),
    ("Symbol('x')", "x", "invalid", 'unexpected character "\'"'),
    ("x == y", "x", "invalid", "unexpected"),
    ("x @ y", "x", "invalid", "unexpected"),
    ("\x00", "x", "invalid", "unexpected"),
    ("<script>alert(1)</script>", "x", "invalid", "unexpected"),
]


@pytest.mark.parametrize("answer,key,status,feedback", EXPRESSION_TABLE)
def test_expression_answers(answer, key, status, feedback):
    score = XYZ.grade(answer, key)
    assert score.status == status
    assert feedback in score.feedback


def test_the_expression_table_has_at_least_40_malformed_or_hostile_inputs():
    assert sum(1 for row in EXPRESSION_TABLE if row[2] == "invalid") >= 30
    assert len(EXPRESSION_TABLE) + len(REAL_TABLE) + len(MATRIX_TABLE) >= 90


REAL_TABLE = [
    ("0.27", 0.27, "correct"),
    ("  0.27  ", 0.27, "correct"),
    ("1/3", 1 / 3, "correct"),
    ("2.5e-3", 0.0025, "correct"),
    ("2.5E-3", 0.0025, "correct"),
    ("−1.5", -1.5, "correct"),
    ("-1,5", -1.5, "correct"),
    ("1 - 0.25", 0.75, "correct"),
    ("1.05", 1.0, "correct"),  # exactly at the 5 % bound: inclusive
    ("0.95", 1.0, "correct"),
    ("1.0500001", 1.0, "wrong"),
    ("0.9499999", 1.0, "wrong"),
    ("1,000", 1.0, "invalid"),  # ambiguous: a thousand or one
    ("1,000", 1000, "invalid"),
    ("1.000,5", 1000.5, "invalid"),
    ("1 000", 1000, "invalid"),
    ("nan", 1.0, "invalid"),
    ("NaN", 1.0, "invalid"),
    ("inf", 1.0, "invalid"),
    ("-inf", 1.0, "invalid"),
    ("Infinity", 1.0, "invalid"),
    ("1e400", 1.0, "invalid"),
    ("1e-400", 1.0, "invalid"),
    ("1/0", 1.0, "invalid"),
    ("0x10", 16, "wrong"),  # x multiplies, as in counts like 10x3x5x5: 0 times 10
    ("1_000", 1000, "invalid"),
    ("½", 0.5, "invalid"),
    ("one", 1.0, "invalid"),
    ("9" * 50, 1.0, "invalid"),
    (True, 1.0, "invalid"),
    ([1], 1.0, "invalid"),
    ({"value": 1}, 1.0, "invalid"),
    (float("nan"), 1.0, "invalid"),
    (float("inf"), 1.0, "invalid"),
    (1, 1.0, "correct"),
    (0.99, 1.0, "correct"),
]


@pytest.mark.parametrize("answer,key,status", REAL_TABLE)
def test_real_answers_at_five_percent(answer, key, status):
    assert Real(rtol=0.05, atol=0).grade(answer, key).status == status


def test_a_decimal_comma_is_never_a_thousands_separator():
    real = Real(rtol=0, atol=0)
    assert real.grade("1,5", 1.5).status == "correct"
    assert real.grade("1,5", 15).status != "correct"


def test_absolute_tolerance_covers_keys_near_zero():
    assert Real(rtol=0.01, atol=1e-3).grade("0", 0.0004).status == "correct"
    assert Real(rtol=0.01, atol=1e-3).grade("0", 0.002).status == "wrong"


MATRIX_TABLE = [
    ("[1, 2; 3, 4]", "correct", ""),
    ("[[1, 2], [3, 4]]", "correct", ""),
    ([[1, 2], [3, 4]], "correct", ""),
    ([["1", "2"], ["3", "4.0"]], "correct", ""),
    ("[1 2; 3 4]", "correct", ""),
    ("[[1, 2], [3, 5]]", "partial", "1 of 4 entries differ"),
    ("[1, 2, 3, 4]", "wrong", "expected a 2x2 matrix, got 1x4"),
    ("[[1, 2, 3], [3, 4, 5]]", "wrong", "expected a 2x2 matrix, got 2x3"),
    ("[[1, 2], [3]]", "invalid", "rows of different lengths"),
    ("[[1, 2], [3, [4]]]", "invalid", ""),
    ("[1, 2; [3, 4]]", "invalid", "not both"),
    ("1, 2, 3, 4", "invalid", "write a list"),
    ("[[1, 2], [3, x]]", "invalid", "entry (2, 2)"),
    ([[1, True], [3, 4]], "invalid", "got true/false"),
    ([[1, None], [3, 4]], "invalid", "got null"),
    ([[1, 2], [3, float("nan")]], "invalid", "not a finite number"),
    ([[1, 2], 3], "invalid", "mixes numbers and rows"),
    ({"a": 1}, "invalid", "got a JSON object"),
    ("[" + ", ".join(["1"] * 500) + "]", "invalid", "more than 400 entries"),
]


@pytest.mark.parametrize("answer,status,feedback", MATRIX_TABLE)
def test_matrix_answers(answer, status, feedback):
    score = Matrix(2, 2).grade(answer, [[1, 2], [3, 4]])
    assert score.status == status
    assert feedback in score.feedback


def test_a_flat_list_answers_a_column_and_a_vector():
    assert Matrix(3, 1).grade("[1, 2, 3]", [[1], [2], [3]]).status == "correct"
    assert Matrix(None, 3).grade([[1], [2], [3]], [1, 2, 3]).status == "correct"


_NUMBER_TEXT = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(
        ["1.", ".5", "+3", "-0", "007", "1e3", "1/3", "x", "", " 2 ", "1.0000000000000001"]
    ),
)
_VECTOR_TEXT = st.lists(_NUMBER_TEXT, max_size=6).flatmap(
    lambda items: st.sampled_from([", ", ",", " , ", " "]).map(
        lambda sep: "[" + sep.join(items) + "]"
    )
)
_NUMBERS = st.one_of(st.integers(-(10**20), 10**20), st.floats(), st.booleans(), st.none())


@given(
    st.one_of(
        _VECTOR_TEXT,
        _VECTOR_TEXT.map(lambda text: f"[{text}, {text}]"),
        st.lists(_VECTOR_TEXT, min_size=1, max_size=4).flatmap(
            lambda rows: st.sampled_from(["; ", ";", " ; "]).map(
                lambda sep: "[" + sep.join(row[1:-1] for row in rows) + "]"
            )
        ),
        st.lists(_NUMBERS, max_size=6),
        st.lists(st.lists(_NUMBERS, min_size=2, max_size=2), max_size=3),
        st.text(alphabet="[]0123456789.,;- e+", max_size=40),
    ),
    st.sampled_from([(None, 2), (None, 3), (2, 2), (3, 1), (1, 3)]),
)
@settings(max_examples=3000, deadline=None)
def test_plain_rows_read_as_the_general_parser_reads_them(raw, shape):
    # lists of plain numbers skip the general parser: they must read exactly as it reads them
    matrix = Matrix(*shape)
    fast, general = matrix.read(raw), matrix.read_general(raw)
    assert fast == general and [type(v) for v in _flat(fast)] == [type(v) for v in _flat(general)]


def _flat(value):
    if not isinstance(value, tuple):
        return [value]
    return [x for item in value for x in _flat(item)]


@given(st.text(max_size=200))
@settings(max_examples=500, deadline=None)
def test_no_string_makes_expression_grading_raise(text):
    score = XYZ.grade(text, "x*y + exp(-z)")
    assert score.status in ("correct", "wrong", "invalid", "blank")


@given(st.text(alphabet="xyz0123456789+-*/^()., esigmodtanhlpx", max_size=80))
@settings(max_examples=500, deadline=None)
def test_expression_like_strings_are_graded_or_refused(text):
    score = XYZ.grade(text, "sigmoid(x)*y")
    assert score.status in ("correct", "wrong", "invalid", "blank")


@given(
    st.one_of(
        st.text(max_size=100),
        st.floats(),
        st.integers(),
        st.booleans(),
        st.none(),
        st.lists(st.floats(), max_size=5),
    )
)
@settings(max_examples=500, deadline=None)
def test_no_value_makes_real_or_matrix_grading_raise(value):
    assert Real().grade(value, 0.5).status in ("correct", "wrong", "invalid", "blank")
    assert Matrix(None, 2).grade(value, [1.0, 2.0]).status in (
        "correct",
        "partial",
        "wrong",
        "invalid",
        "blank",
    )


def test_parsing_never_calls_sympify_or_eval(monkeypatch):
    import builtins

    import sympy

    def forbidden(*args, **kwargs):
        raise AssertionError("raw text reached an evaluator")

    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sympy, "parse_expr", forbidden, raising=False)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for answer, key, *_ in EXPRESSION_TABLE:
        XYZ.grade(answer, key)


def test_the_parser_round_trips_what_it_prints():
    from generator.answers.expressions import to_text

    for text in [
        "(x + y)*z",
        "x - (y - z)",
        "-x^2",
        "(-x)^2",
        "x^(1/2)",
        "2^3^2",
        "x/(y*z)",
        "sigmoid(x)*(1 - sigmoid(x))",
        "max(x, y) - min(x, z)",
    ]:
        tree = parse(text, {"x", "y", "z"})
        assert parse(to_text(tree), {"x", "y", "z"}) == tree


def test_unknown_names_are_refused_before_any_evaluation():
    with pytest.raises(ExpressionError, match="unknown name"):
        parse("os", {"x"})


def _exactly_close(value, key, rtol, atol):
    return abs(value - key) <= max(atol, rtol * abs(key))


fractions = st.fractions(max_denominator=10**6, min_value=-(10**9), max_value=10**9)


@given(
    fractions,
    fractions,
    st.sampled_from(["0", "0.01", "0.05", "1/3"]),
    st.sampled_from(["0", "1e-4", "0.5"]),
)
@settings(max_examples=400, deadline=None)
def test_tolerance_check_agrees_with_exact_arithmetic(value, key, rtol, atol):
    from fractions import Fraction

    from generator.answers.types import Tolerance

    close = Tolerance(rtol, atol)
    rtol, atol = Fraction(rtol), Fraction(atol)
    assert close(value, key) == _exactly_close(value, key, rtol, atol)
    # the same at the very edge of the bound, where floats alone would guess
    edge = key + max(atol, rtol * abs(key))
    for nudge in (Fraction(0), Fraction(1, 10**15), -Fraction(1, 10**15)):
        assert close(edge + nudge, key) == _exactly_close(edge + nudge, key, rtol, atol)


def test_tolerance_check_survives_numbers_too_large_for_floats():
    from fractions import Fraction

    from generator.answers.types import Tolerance

    huge = Fraction(10) ** 400
    assert Tolerance(0, 0)(huge, huge)
    assert not Tolerance(0, 0)(huge, huge + 1)


decimal_texts = st.builds(
    lambda sign, digits, point, exponent: (
        f"{sign}{digits[:point]}.{digits[point:]}{exponent}"
        if point
        else f"{sign}{digits}{exponent}"
    ),
    st.sampled_from(["", "-", "+"]),
    st.text("0123456789", min_size=1, max_size=20),
    st.integers(0, 20),
    st.sampled_from(["", "e5", "E-7", "e+20", "e-21", "e40"]),
)


@given(decimal_texts)
@settings(max_examples=500, deadline=None)
def test_a_typed_decimal_keeps_its_exact_value_when_read_as_a_float(text):
    from generator.answers.arithmetic import ArithmeticParseError, evaluate
    from generator.answers.types import Invalid, exact, parse_real

    try:
        expected = evaluate(text)
    except ArithmeticParseError:
        assert isinstance(parse_real(text), Invalid)
        return
    assert exact(parse_real(text)) == expected


@given(fractions, st.sampled_from(["0.01", "0.05"]), st.sampled_from(["0", "1e-4"]))
@settings(max_examples=300, deadline=None)
def test_a_typed_answer_at_the_tolerance_edge_is_judged_exactly(key, rtol, atol):
    from fractions import Fraction

    from generator.answers.types import Real

    real = Real(float(rtol), float(atol))
    edge = key + max(Fraction(atol), Fraction(rtol) * abs(key))
    for text in (f"{float(edge):.15g}", f"{float(edge):.17g}", str(edge)):
        value = real.read(text)
        expected = abs(Fraction(text) - key) <= max(Fraction(atol), Fraction(rtol) * abs(key))
        assert real.agrees(value, real.read(str(key))) == expected, text


def test_long_lists_of_plain_numbers_that_fail_at_their_end_are_refused_at_once():
    # Such an answer once sent the plain-number regexes into exponential backtracking: a
    # 185-character answer hung the grader. Read in a child process, so that a return of
    # the bug fails this test (at a bound thousands of times the time it takes) instead of
    # hanging the suite.
    numbers = ",".join(["11111"] * 30)
    code = (
        "from generator.answers.types import Matrix\n"
        f"print(Matrix(2, 2).read('[{numbers};x]'))\n"
        f"print(Matrix(None, 30).read('[{numbers}x]'))\n"
    )
    read = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert read.stdout.count("Invalid(") == 2, read.stdout


def test_a_matrix_answer_names_its_wrong_entries_not_the_whole_key():
    matrix = Matrix(5, 5, 0.01, 1e-3)
    key = [[0.0] * 5 for _ in range(5)]
    key[2][2] = 8.0
    zeros = [[0.0] * 5 for _ in range(5)]
    score = matrix.compare(matrix.read(zeros), matrix.read(key))
    assert score.status == "partial" and score.fraction == Fraction(24, 25)
    assert score.feedback.startswith("1 of 25 entries differ: entry (3, 3) should be 8 (")
    many = matrix.compare(matrix.read([[1.0] * 5] * 5), matrix.read(key))
    assert "entry (1, 1) should be 0, entry (1, 2) should be 0, entry (1, 3) should be 0" in (
        many.feedback
    )
    assert "and 22 more" in many.feedback and "[" not in many.feedback


def test_a_matrix_key_is_a_grid_in_the_html_feedback():
    from generator.grading.feedback import escaped_key

    markdown, html = escaped_key("[1, 2; 3, 4]", [[1, 2], [3, 4]])
    assert markdown == "[1, 2; 3, 4]"
    assert html == (
        '<table class="cells"><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>'
    )
    assert escaped_key("[1, 2]", [1, 2]) is None  # a vector stays one line
