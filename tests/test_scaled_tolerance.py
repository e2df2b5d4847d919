"""A part's absolute tolerance follows its key's scale, also where log10 rounds."""

from generator.answers.types import Matrix
from generator.family import Part, scaled_to_key


def test_a_key_just_under_a_power_of_ten_gets_an_absolute_tolerance_a_tenth_of_it():
    # 0.1 - 0.2 + 0.2 in floats: log10 of a tenth of it rounds to -2 exactly
    key = [0.09999999999999998, 6.8]
    part = scaled_to_key(Part("losses", "loss of each example", Matrix(None, 2, 0.01, 0.01), key))
    assert part.answer.to_json()["atol"] <= key[0] / 10
