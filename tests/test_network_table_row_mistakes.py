"""A table row's parameter count names the mistakes conv_params names: a forgotten bias, a
forgotten input depth, in feedback and in the drill alike."""

from generator import registry
from generator.answers.types import Integer
from generator.grading.scoring import diagnose


def _row_mistakes(layers: str, shape: str = "32x32x3") -> dict:
    family = registry.get("network_table")
    params = family.read_givens({"input": shape, "layers": layers})
    return family.mistakes(params, family.solve(params))


def test_a_conv_rows_forgotten_bias_and_depth_are_named():
    found = _row_mistakes("CONV5-10, POOL2, FC-10")
    row1 = {m.diagnosis: m.value for m in found["row1.params"]}
    assert row1 == {
        "forgetting the biases": 10 * 3 * 5 * 5,
        "forgetting the input depth of each filter": 10 * 5 * 5 + 10,
    }
    row3 = {m.diagnosis: m.value for m in found["row3.params"]}
    assert row3 == {"forgetting the biases": 16 * 16 * 10 * 10}
    assert "row2.params" not in found  # a pooling layer has no parameters to miscount


def test_a_single_channel_conv_row_names_no_depth_mistake_equal_to_its_key():
    found = _row_mistakes("CONV3-4, FC-2", "8x8x1")
    assert [m.diagnosis for m in found["row1.params"]] == ["forgetting the biases"]


def test_grading_a_row_without_its_bias_names_the_mistake():
    found = _row_mistakes("CONV5-10, POOL2, FC-10")
    known = [{"value": m.value, "diagnosis": m.diagnosis} for m in found["row1.params"]]
    assert diagnose(Integer(), 750, {"mistakes": known}) == "forgetting the biases"
