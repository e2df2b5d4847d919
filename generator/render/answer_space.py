"""The room a question sheet gives each part, sized to its answer: a box on the part's own
line for a number or a shape, a grid of boxes for a matrix, tick boxes for true/false and
for the letters of a multiple choice, a full line for an expression. A part whose box the
question text itself holds (the network table's cells) gets none below it."""

from __future__ import annotations

from typing import Any

# Above this many entries a grid of boxes no longer fits the page's width or a reader's eye:
# the part gets lines to write the matrix on instead, one per row.
_MOST_GRID_COLUMNS = 8


def answer_space(answer_type: dict[str, Any], key: Any, in_question: bool) -> dict[str, Any]:
    """How a sheet lays out the room for one part's answer: ``kind`` is one of
    ``in_question``, ``truefalse``, ``letters`` (with ``options``), ``box``, ``line`` or
    ``grid`` (with ``rows`` and ``cols``). ``key`` gives a matrix's shape when the answer
    type leaves the number of rows open; the sheet shows the shape, never the values."""
    kind = answer_type["kind"]
    if in_question:
        return {"kind": "in_question"}
    if kind == "truefalse":
        return {"kind": "truefalse"}
    if kind == "multiselect":
        return {"kind": "letters", "options": answer_type["options"]}
    if kind == "matrix":
        nested = isinstance(key, list) and bool(key) and isinstance(key[0], list)
        rows = answer_type.get("rows") or (len(key) if nested else 1)
        cols = answer_type.get("cols") or (len(key[0]) if nested else len(key))
        if cols > _MOST_GRID_COLUMNS:
            return {"kind": "lines", "rows": rows}
        return {"kind": "grid", "rows": rows, "cols": cols}
    if kind == "expression":
        return {"kind": "line"}
    return {"kind": "box"}
