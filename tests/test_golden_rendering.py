"""The midterm exam's sheet and key, rendered, against reviewed golden files.

After an intended change to templates, regenerate with
``EXAMGEN_UPDATE_GOLDEN=1 pytest tests/test_golden_rendering.py`` and review the diff.
"""

import os
from pathlib import Path

import pytest

from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.render.pages import render_variant

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def midterm():
    exam = spec.load("midterm-3-3")
    return assemble(exam, "golden-seed", [Student("s1", "Ada Lovelace")])


@pytest.mark.parametrize("layout", ["sheet", "key"])
def test_the_midterm_renders_as_reviewed(midterm, layout):
    text = render_variant(midterm, midterm["variants"][0], layout)
    golden = GOLDEN / f"midterm-3-3.{layout}.md"
    if os.environ.get("EXAMGEN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_default_exam_renders_the_same_bytes_on_every_run():
    exam = spec.load(None)
    first = assemble(exam, "s", [Student("v001")])
    second = assemble(exam, "s", [Student("v001")])
    assert render_variant(first, first["variants"][0], "key") == render_variant(
        second, second["variants"][0], "key"
    )


def test_no_answer_format_example_gives_away_a_key():
    """Every family at every level: no example the sheet quotes in its answer formats is a
    key of the question (the midterm's table once read 'shapes such as 32x32x10' above a
    row whose key was 32x32x10)."""
    import re

    from generator import registry
    from generator.answers.types import answer_type_from_json
    from generator.exam.assemble import assemble
    from generator.exam.roster import numbered_students
    from generator.family import DIFFICULTIES
    from generator.render.pages import render_question

    for name in registry.names():
        text = "".join(
            f'[[questions]]\nfamily = "{name}"\ndifficulty = "{level}"\nid = "q{n}"\n'
            for n, level in enumerate(DIFFICULTIES)
        )
        manifest = assemble(spec.parse(f'title = "t"\n{text}', "t"), "hints", numbered_students(8))
        for variant in manifest["variants"]:
            for question in variant["questions"]:
                family = manifest["questions"][0]["family"]
                rendered = render_question(family, question)
                shown = {
                    " ".join(str(answer_type_from_json(p["type"]).display(p["key"])).split())
                    for p in question["parts"]
                }
                for part in rendered["parts"]:
                    examples = re.findall(r"such as ([^;()]+?)(?:,| or |$| \()", part["hint"])
                    assert not shown & {e.strip() for e in examples}, (name, part["hint"], shown)


def test_a_key_opens_with_every_answer_at_a_glance():
    exam = spec.load("midterm-3-3")
    manifest = assemble(exam, "glance", [Student("v001")])
    (variant,) = manifest["variants"]
    from generator.render.pages import render_layouts

    pages = render_layouts(manifest, variant, ("key", "key.html"), {})
    for layout, marker in (("key", "## Answers at a glance"), ("key.html", "Answers at a glance")):
        page = pages[layout]
        glance, rest = page.split(marker, 1)[1].split("(p3_3) Problem 3.3", 1)
        for question in variant["questions"]:
            for part in question["parts"]:
                assert part["id"] in glance, (layout, part["id"])
        assert rest  # the worked solutions follow the table
