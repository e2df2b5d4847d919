"""A course that writes volumes channels first (CxHxW), or an FC layer's outputs only as N
or only as 1x1xN, sets it once in the spec's [notation]; keys, sheets and grading follow."""

import pytest

from generator.errors import SpecError
from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.grading.scoring import grade
from generator.grading.variant_key import variant_key

TABLE = """
title = "Notation"
{notation}
[[questions]]
id = "t"
family = "network_table"
points = 6
[questions.givens]
input = "{input}"
layers = ["CONV5-10", "POOL2", "CONV5-10", "POOL2", "FC-10"]
"""


def exam(notation: str = "", input: str = "32x32x1"):
    parsed = spec.parse(TABLE.format(notation=notation, input=input), "notation.toml")
    manifest = assemble(parsed, "notation", [Student("s1")])
    return manifest, manifest["variants"][0]


def parts_of(graded_exam, answers):
    manifest, variant = graded_exam
    submission = {
        "exam_id": manifest["exam_id"],
        "variant_id": variant["variant_id"],
        "answers": {"t": answers},
    }
    report = grade(variant_key(manifest, variant), submission, "s.json")
    return {p["id"]: p for p in report["questions"][0]["parts"]}


def keys(graded_exam):
    (question,) = graded_exam[1]["questions"]
    return {part["id"]: part["key"] for part in question["parts"]}


CHANNELS_FIRST = '[notation]\nshapes = "CxHxW"\n'


def test_channels_first_keys_and_grading():
    channels_first = exam(CHANNELS_FIRST, "1x32x32")
    assert keys(channels_first)["row1.shape"] == "10x32x32"
    assert keys(channels_first)["row4.shape"] == "10x8x8"
    assert keys(channels_first)["total_params"] == keys(exam())["total_params"] == 9180
    parts = parts_of(channels_first, {"row1.shape": "10x32x32", "row2.shape": "16x16x10"})
    assert parts["row1.shape"]["status"] == "correct"
    assert parts["row2.shape"]["status"] == "wrong"  # HxWxC where the exam writes CxHxW


def test_error_carried_forward_in_channels_first():
    parts = parts_of(
        exam(CHANNELS_FIRST, "1x32x32"),
        {"row1.shape": "10x30x30", "row2.shape": "10x15x15", "row3.params": "2510"},
    )
    assert parts["row1.shape"]["status"] == "wrong"
    assert parts["row2.shape"]["status"] == "correct"
    assert "error carried forward" in parts["row2.shape"]["feedback"]


@pytest.mark.parametrize(
    ("notation", "volume", "key", "as_volume"),
    [
        ("", "1x1x10", "10", "correct"),  # either, the course's default
        ('[notation]\nfc_outputs = "N"\n', "1x1x10", "10", "wrong"),
        ('[notation]\nfc_outputs = "1x1xN"\n', "10", "1x1x10", "wrong"),
        ('[notation]\nshapes = "CxHxW"\n', "10x1x1", "10", "correct"),
    ],
)
def test_an_fc_layers_outputs_are_graded_as_the_notation_writes_them(
    notation, volume, key, as_volume
):
    table = exam(notation, "1x32x32" if "CxHxW" in notation else "32x32x1")
    assert keys(table)["row5.shape"] == key
    assert parts_of(table, {"row5.shape": volume})["row5.shape"]["status"] == as_volume


def test_the_sheet_says_how_volumes_are_written(run, tmp_path):
    (tmp_path / "n.toml").write_text(TABLE.format(notation=CHANNELS_FIRST, input="1x32x32"))
    assert run("generate", "n.toml", "-n", "1", "--seed", "n").exit_code == 0
    (folder,) = (tmp_path / "output").iterdir()
    sheet = (folder / "students" / "v001" / "sheet.md").read_text()
    assert "after each layer (CxHxW; a fully connected layer's N outputs as N or Nx1x1)" in sheet
    assert "applied to a 1x32x32 input" in sheet


@pytest.mark.parametrize(
    ("notation", "field"),
    [
        ('[notation]\nshapes = "HxCxW"\n', "notation.shapes"),
        ('[notation]\nfc = "N"\n', "notation"),
        ('notation = "CxHxW"\n', "notation"),
    ],
)
def test_an_unknown_notation_is_refused_on_one_line(notation, field):
    with pytest.raises(SpecError) as caught:
        spec.parse(TABLE.format(notation=notation, input="32x32x1"), "n.toml")
    assert field in str(caught.value) and "\n" not in str(caught.value)
