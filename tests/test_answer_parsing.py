"""What students may write, what is refused, and that nothing they write is executed."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.answers.arithmetic import ArithmeticParseError, evaluate
from generator.answers.types import Integer, Shape, SpatialSize, answer_type_from_json


@pytest.mark.parametrize(
    "text,value",
    [
        ("10x1x5x5 + 10", 260),
        ("10 × 10 × 5 × 5 + 10", 2510),
        ("8*8*10*10+10", 6410),
        ("8·8·10·10 + 10", 6410),
        ("(32 - 5 + 2*2)/1 + 1", 32),
        ("(32 − 5 + 2·2)/1 + 1", 32),
        ("2^10", 1024),
        ("2**10", 1024),
        ("-3", -3),
        ("--3", 3),
        ("1/3", Fraction(1, 3)),
        ("3e2", 300),
        (" 7 ", 7),
        ("0.5 * 4", 2),
        ("2^-1", Fraction(1, 2)),
        ("((((1))))", 1),
    ],
)
def test_arithmetic_the_course_writes_evaluates_exactly(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1/0", "division by zero"),
        ("0^-1", "division by zero"),
        ("10^10^10", "exponents are limited"),
        ("9^99", "exponents are limited"),
        ("99999999999^64", "too large"),
        ("2^0.5", "whole-number exponents"),
        ("1e400", "exponent"),
        ("1" * 60, "too many digits"),
        ("(" * 40 + "1" + ")" * 40, "nested too deeply"),
        ("-" * 40 + "1", "nested too deeply"),
        ("2 +", "ends too early"),
        ("(2", "never closed"),
        ("2)", r"unexpected '\)'"),
        ("2 3", "unexpected '3'"),
        ("__import__('os').system('id')", "unexpected"),
        ("().__class__", "unexpected"),
        ("lambda: 0", "unexpected"),
        ("os.system", "unexpected"),
        ("x", "unexpected"),
        ("1; 2", "unexpected"),
        ("nan", "unexpected"),
        ("inf", "unexpected"),
        ("1" + "+1" * 150, "longer than"),
    ],
)
def test_malformed_or_hostile_arithmetic_is_refused_with_a_reason(text, message):
    with pytest.raises(ArithmeticParseError, match=message):
        evaluate(text)


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_no_string_makes_the_arithmetic_parser_fail_unexpectedly(text):
    try:
        value = evaluate(text)
    except ArithmeticParseError:
        return
    assert isinstance(value, Fraction)


@given(st.text(alphabet="0123456789+-*/^()x. e", max_size=120))
@settings(max_examples=400, deadline=None)
def test_arithmetic_looking_strings_stay_bounded(text):
    try:
        value = evaluate(text)
    except ArithmeticParseError:
        return
    assert len(str(abs(value.numerator))) <= 40 and len(str(value.denominator)) <= 40  # digits


@pytest.mark.parametrize(
    "raw,key,status",
    [
        ("260", 260, "correct"),
        (260, 260, "correct"),
        (260.0, 260, "correct"),
        ("10x1x5x5 + 10", 260, "correct"),
        ("10x1x5x5", 260, "wrong"),
        ("1/2", 260, "invalid"),
        ("two hundred", 260, "invalid"),
        ("", 260, "blank"),
        ("   ", 260, "blank"),
        (None, 260, "blank"),
        (True, 260, "invalid"),
        ([260], 260, "invalid"),
        ({"a": 1}, 260, "invalid"),
    ],
)
def test_integer_answers(raw, key, status):
    assert Integer().grade(raw, key).status == status


@pytest.mark.parametrize(
    "raw,status",
    [
        ("32x32x10", "correct"),
        ("32 x 32 x 10", "correct"),
        ("(32, 32, 10)", "correct"),
        ("[32, 32, 10]", "correct"),
        ("32X32X10", "correct"),
        ("32×32×10", "correct"),
        ("32*32*10", "correct"),
        ("32x32", "wrong"),
        ("32x32x11", "wrong"),
        ("32xx32x10", "invalid"),
        ("32x0x10", "invalid"),
        ("32x32x10.5", "invalid"),
        ("-32x32x10", "invalid"),
        ("<script>alert(1)</script>", "invalid"),
    ],
)
def test_shapes_are_compared_however_they_are_written(raw, status):
    assert Shape().grade(raw, "32x32x10").status == status


def test_a_shape_of_the_wrong_rank_says_so():
    score = Shape().grade("32x32", "32x32x10")
    assert score.feedback == "expected 3 dimensions, got 2"
    assert Shape().grade("4x4x10", "160").feedback == "expected 1 dimension, got 3"


def test_a_wrong_volume_for_an_fc_layer_is_told_the_count_not_a_rank_it_may_write():
    # 1x1x10 would be right, so "expected 1 dimension" would mislead
    score = Shape(fc_volume=True).grade("12x12x3", "10")
    assert (score.status, score.feedback) == ("wrong", "expected 10")


@pytest.mark.parametrize(
    "raw,key,status",
    [
        ("14", 14, "correct"),
        ("14x14", 14, "correct"),
        ("14 x 10", "14x10", "correct"),
        ("14", "14x10", "wrong"),
        ("14x10x3", "14x10", "invalid"),
    ],
)
def test_spatial_sizes_accept_one_number_for_a_square(raw, key, status):
    assert SpatialSize().grade(raw, key).status == status


def test_answer_types_round_trip_through_the_manifest():
    for answer in (Integer(), Shape(), SpatialSize()):
        assert type(answer_type_from_json(answer.to_json())) is type(answer)
    with pytest.raises(ValueError):
        answer_type_from_json({"kind": "eval"})
