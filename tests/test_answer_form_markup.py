"""The answer form's markup for each kind of room a part gets on paper (render.answer_form):
what a student types into, labelled, and nothing from a question file unescaped. The form
working in a browser is tested in test_answer_form.py."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from generator.render.answer_form import answer_form


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def _part(space: dict, **more: object) -> dict:
    return {
        "id": "output",
        "label": "the output $y$",
        "type": {"kind": "real"},
        "space": space,
        "within": None,
        "hint": "numbers such as 0.25",
        **more,
    }


@pytest.mark.parametrize(
    ("space", "boxes"),
    [
        ({"kind": "truefalse"}, [("input", "radio")] * 2),
        ({"kind": "letters", "options": 3}, [("input", "checkbox")] * 3),
        ({"kind": "box"}, [("input", "text")]),
        ({"kind": "line"}, [("input", "text")]),
        ({"kind": "grid", "rows": 2, "cols": 3}, [("input", "text")] * 6),
        ({"kind": "lines", "rows": 4}, [("textarea", None)]),
        ({"kind": "in_question"}, [("input", "text")]),
    ],
)
def test_each_room_on_paper_becomes_the_boxes_a_student_types_into(space, boxes):
    elements = _elements(answer_form({"id": "q1"}, _part(space), None))
    typed = [(tag, attrs.get("type")) for tag, attrs in elements if tag in ("input", "textarea")]
    assert typed == boxes
    item = elements[0][1]
    assert elements[0][0] == "li" and item["data-form"] in (
        "truefalse",
        "letters",
        "grid",
        "lines",
        "text",
    )
    # the script finds the part, its type and where to say what it read
    assert (item["data-question"], item["data-part"]) == ("q1", "output")
    message = [attrs for tag, attrs in elements if attrs.get("id") == item["data-message"]]
    assert len(message) == 1
    if space["kind"] == "lines":
        assert elements[[t for t, _ in elements].index("textarea")][1]["rows"] == "4"


def test_a_boxs_label_points_at_its_first_box():
    elements = _elements(
        answer_form({"id": "q1"}, _part({"kind": "grid", "rows": 2, "cols": 2}), None)
    )
    (label,) = [attrs for tag, attrs in elements if tag == "label"]
    first = next(attrs for tag, attrs in elements if tag == "input")
    assert label["for"] == first["id"] == "a-q1-output"
    assert first["aria-label"] == "output, row 1, column 1"


def test_a_tolerance_other_than_the_sheets_is_shown_beside_the_label():
    part = _part({"kind": "box"}, within="within 1%")
    assert "(within 1%)" in answer_form({"id": "q1"}, part, "within 0.1%")
    assert "(within 1%)" not in answer_form({"id": "q1"}, part, "within 1%")


def test_ids_labels_and_hints_from_a_file_are_escaped_in_the_form():
    hostile = "\"'><script>alert(1)</script>"
    part = _part(
        {"kind": "in_question"},
        id=hostile,
        label=hostile,
        hint=hostile,
        type={"kind": "shape", "note": hostile},
    )
    html = answer_form({"id": hostile}, part, None)
    assert "<script" not in html
    tags = [tag for tag, _ in _elements(html)]
    assert tags == ["li", "label", "code", "span", "input", "span"]
    item = _elements(html)[0][1]
    assert item["data-question"] == item["data-part"] == hostile
    assert item["data-hint"] == hostile
