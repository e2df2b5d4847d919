"""Rendering: turn a manifest into sheets and keys with the jinja2 templates.

Rendering reads only the manifest. Family templates have a ``question`` and a ``solution``
block; sheet layouts place the rendered blocks.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import jinja2

from generator.answers import answer_type_from_json
from generator.formatting import matrix_text, short_number, vector_text
from generator.grading import format_points
from generator.layerspec import describe, parse_layer

BASE = "families/_base.md.j2"


def _size(value: int | str) -> str:
    """A size as it reads in a question: 5 -> 5x5, "3x1" stays."""
    return f"{value}x{value}" if isinstance(value, int) else value


@cache
def _describe_layer(spec: str) -> str:
    return describe(parse_layer(spec))


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _reflow(text: str) -> str:
    """Join each paragraph's lines into one: templates wrap sentences over many lines."""
    paragraphs = (" ".join(chunk.split()) for chunk in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=autoescape,
    )
    env.filters["size"] = _size
    env.filters["points"] = format_points
    env.filters["reflow"] = _reflow
    env.filters["cell"] = _cell
    env.filters["num"] = short_number
    env.filters["vector"] = vector_text
    env.filters["matrix"] = matrix_text
    env.filters["describe_layer"] = _describe_layer
    return env


@cache
def environment() -> jinja2.Environment:
    """The environment for Markdown and plain text."""
    return _environment(autoescape=False)


@cache
def html_environment() -> jinja2.Environment:
    """The environment for HTML: everything interpolated is escaped, student answers above all."""
    return _environment(autoescape=True)


def _block(template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
    render = template.blocks.get(name) or environment().get_template(BASE).blocks[name]
    text = "".join(render(template.new_context(context)))
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def render_question(family: str, question: dict[str, Any]) -> dict[str, Any]:
    """The question text, worked solution and parts of one question of a manifest."""
    template = environment().get_template(f"families/{family}.md.j2")
    context = {
        "params": question["params"],
        "answers": question["answers"],
        "steps": question["steps"],
    }
    answers = [answer_type_from_json(part["type"]) for part in question["parts"]]
    parts = [
        {**part, "hint": answer.hint, "key": answer.display(part["key"])}
        for part, answer in zip(question["parts"], answers, strict=True)
    ]
    return {
        "question": _block(template, "question", context),
        "solution": _block(template, "solution", context),
        "parts": parts,
        "choice": question.get("choice"),
    }


def render_layouts(
    manifest: dict[str, Any], variant: dict[str, Any], layouts: tuple[str, ...]
) -> dict[str, str]:
    """Several layouts of one variant (``"sheet"``, ``"key"``), rendering each question once."""
    meta = {q["id"]: q for q in manifest["questions"]}
    questions = []
    for question in variant["questions"]:
        info = meta[question["id"]]
        questions.append({**info, **render_question(info["family"], question)})
    rendered = {}
    for layout in layouts:
        template = environment().get_template(f"sheets/{layout}.md.j2")
        text = template.render(exam=manifest, variant=variant, questions=questions)
        rendered[layout] = "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
    return rendered


def render_variant(manifest: dict[str, Any], variant: dict[str, Any], layout: str) -> str:
    """A whole sheet (``layout="sheet"``) or answer key (``"key"``) for one variant."""
    return render_layouts(manifest, variant, (layout,))[layout]
