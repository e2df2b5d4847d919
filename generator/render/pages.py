"""Rendering: turn a manifest into sheets and keys with the jinja2 templates.

Rendering reads only the manifest. Family templates have a ``question`` and a ``solution``
block; sheet layouts place the rendered blocks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import jinja2

from generator import registry
from generator.answers.expressions import FUNCTIONS, parse, to_tex
from generator.answers.types import answer_type_from_json
from generator.families.common.layerspec import describe, parse_layer
from generator.formatting import (
    cell,
    counted,
    format_points,
    short_number,
    student_cell,
    tex_matrix,
    typeset_minus,
    vector_text,
    with_article,
)
from generator.render.answer_space import answer_space
from generator.render.scatter import read_plot, scatter_latex, scatter_svg

BASE = "families/_base.md.j2"


def _size(value: int | str) -> str:
    """A size as it reads in a question: 5 -> 5x5, "3x1" stays."""
    return f"{value}x{value}" if isinstance(value, int) else value


@cache
def _describe_layer(spec: str) -> str:
    return describe(parse_layer(spec))


@cache
def _describe_window(spec: str) -> str:
    """A layer as a receptive field sees it: its window, not its filter count."""
    return describe(parse_layer(spec, need_filters=False), filters=False)


def _which_option(label: str) -> str:
    """What a question asked as multiple choice asks, in place of its free-response list."""
    return f"Which of the options below is {label}?"


def _expression_tex(text: str) -> str:
    """A given expression, as students type it (``(x*y + z)^2``), as TeX to typeset."""
    names = set(re.findall(r"[A-Za-z_]\w*", text)) - set(FUNCTIONS) - {"e", "pi"}
    return to_tex(parse(text, names))


def _reflow(text: str) -> str:
    """Join each paragraph's lines into one: templates wrap sentences over many lines."""
    paragraphs = (" ".join(chunk.split()) for chunk in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


class _Environment(jinja2.Environment):
    """Templates read manifest dicts with dots (``q.parts``): look the key up first, where
    jinja would try an attribute first, a sixth of the time spent rendering a sheet."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment(autoescape: bool, **syntax: str) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(files("templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=autoescape,
        # templates ship with examgen and never change while it runs: checking each one's
        # file date on every use cost 3 % of generating an exam
        auto_reload=False,
        **syntax,
    )
    env.filters["size"] = _size
    env.filters["points"] = format_points
    env.filters["reflow"] = _reflow
    env.filters["cell"] = cell
    env.filters["as_written"] = student_cell  # a name or answer Markdown must not read as markup
    env.filters["num"] = short_number
    env.filters["vector"] = vector_text
    env.filters["minus_signs"] = typeset_minus
    env.filters["tex_matrix"] = tex_matrix
    env.filters["expression_tex"] = _expression_tex
    env.filters["which_option"] = _which_option
    env.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
    env.filters["describe_layer"] = _describe_layer
    env.filters["describe_window"] = _describe_window
    env.filters["with_article"] = with_article  # a 32x32x3 input, an 8x8x8 input
    env.filters["counted"] = counted  # 1 zero, 2 zeros: never "zero(s)"
    return env


@cache
def environment() -> jinja2.Environment:
    """The environment for Markdown and plain text."""
    return _environment(autoescape=False)


@cache
def html_environment() -> jinja2.Environment:
    """The environment for HTML: everything interpolated is escaped, student answers above all."""
    from markupsafe import Markup

    from generator.render.answer_form import answer_form
    from generator.render.assets import inline_scripts
    from generator.render.markup import to_html, to_inline_html

    env = _environment(autoescape=True)
    env.globals["keys_json"] = practice_keys_json
    env.globals["answer_form"] = answer_form
    # every page carries KaTeX and its scripts inside itself: one copied alone still works
    env.globals["inline"] = inline_scripts()
    env.filters["markdown"] = lambda text: Markup(to_html(text))
    env.filters["inline_markdown"] = lambda text: Markup(to_inline_html(text))
    return env


@cache
def latex_environment() -> jinja2.Environment:
    """The environment for LaTeX: jinja's braces would clash with TeX's, so statements are
    ``<% %>`` and values ``<< >>``; ``tex`` escapes plain text (``tex_breakable`` a name or
    id a box must hold) and ``latex`` converts Markdown."""
    from generator.render.markup import (
        breakable_latex,
        escape_latex,
        to_inline_latex,
        to_latex,
        unicode_declarations,
    )

    env = _environment(
        autoescape=False,
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
    )
    env.globals["unicode"] = unicode_declarations()
    env.filters["tex"] = lambda text: escape_latex(str(text))
    env.filters["tex_breakable"] = lambda text: breakable_latex(str(text))
    env.filters["latex"] = to_latex
    env.filters["inline_latex"] = to_inline_latex
    return env


def practice_keys_json(variant: dict[str, Any]) -> str:
    """The keys a self-checking practice page carries, by question and part, as JSON safe
    inside a <script> element. Only practice layouts call this: exam sheets carry no key."""
    keys = {
        question["id"]: {
            part["id"]: {
                "type": part["type"],
                "key": part["key"],
                "shown": answer_type_from_json(part["type"]).display(part["key"]),
                "mistakes": part.get("mistakes", []),
            }
            for part in question["parts"]
        }
        for question in variant["questions"]
    }
    text = json.dumps(keys, ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" in a value must not end the element early
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page_environment(layout: str) -> tuple[jinja2.Environment, str]:
    """The environment and template of a layout: ``sheet`` and ``key`` are Markdown,
    ``sheet.html`` is HTML, ``key.tex`` is LaTeX."""
    if layout.endswith(".html"):
        return html_environment(), f"sheets/{layout}.j2"
    if layout.endswith(".tex"):
        return latex_environment(), f"sheets/{layout}.j2"
    return environment(), f"sheets/{layout}.md.j2"


def _block(template: jinja2.Template, name: str, context: jinja2.runtime.Context) -> str:
    render = template.blocks.get(name) or environment().get_template(BASE).blocks[name]
    return _tidy("".join(render(context))).removesuffix("\n")


def _filled_texts(question: dict[str, Any]) -> dict[str, str] | None:
    """A question file's texts as the manifest keeps them, filled in for this instance
    (``generator.question_files``): rendering never reads the question file again."""
    texts = question.get("texts")
    if (
        isinstance(texts, dict)
        and isinstance(texts.get("question"), str)
        and isinstance(texts.get("solution"), str)
    ):
        return texts
    return None


def _from_texts(texts: dict[str, str], question: dict[str, Any]) -> tuple[str, str]:
    """A question file's question and solution, asked as multiple choice where it is."""
    asked = (question.get("choice") or {}).get("label")
    text, solution = texts["question"].strip(), texts["solution"].strip()
    if asked:
        text += "\n\n" + _which_option(asked)
        steps = question.get("steps") or []
        if steps and isinstance(steps[-1], str):  # the options and what each is
            solution += "\n\n" + steps[-1]
    return text, solution


def render_question(family: str, question: dict[str, Any]) -> dict[str, Any]:
    """The question text, worked solution and parts of one question of a manifest."""
    texts = _filled_texts(question)
    if texts is not None:
        rendered = _rendered(question, *_from_texts(texts, question), None, lambda _: False)
        rendered["plot"] = read_plot(texts.get("plot"))  # a question file's scatter plot
        return rendered
    problem = registry.get(family)  # a question file's without its texts: no template
    template = environment().get_template(f"families/{family}.md.j2")
    context = template.new_context(
        {
            "params": question["params"],
            "answers": question["answers"],
            "steps": question["steps"],
            # asked as multiple choice: the text asks for this one part, not its whole list
            "asked": (question.get("choice") or {}).get("label"),
        }
    )
    return _rendered(
        question,
        _block(template, "question", context),
        _block(template, "solution", context),
        # the steps alone, when the solution is the base template's numbered list of them:
        # HTML then converts each step as one line, twice as fast as the whole list
        None if "solution" in template.blocks else question["steps"],
        problem.answered_in_question,
    )


def _rendered(
    question: dict[str, Any],
    text: str,
    solution: str,
    steps: list[str] | None,
    answered_in_question: Any,
) -> dict[str, Any]:
    answers = [answer_type_from_json(part["type"]) for part in question["parts"]]
    keys = [
        answer.display(part["key"]) for part, answer in zip(question["parts"], answers, strict=True)
    ]
    # a hint's examples must give away none of the question's keys (``hint_avoiding``)
    shown = {" ".join(str(key).split()) for key in keys}
    types = [json.dumps(part["type"], sort_keys=True) for part in question["parts"]]
    by_type: dict[str, list[Any]] = {}
    for part, signature in zip(question["parts"], types, strict=True):
        by_type.setdefault(signature, []).append(part["key"])
    # parts of one type (one signature) avoid the same keys, so share a hint: chosen once
    hints = {
        signature: answer.hint_avoiding(shown, by_type[signature])
        for signature, answer in dict(zip(types, answers, strict=True)).items()
    }
    parts = [
        {
            **part,
            "hint": hints[signature],
            "within": answer.within(),
            "key": key,
            "space": answer_space(part["type"], part["key"], answered_in_question(part["id"])),
        }
        for part, answer, signature, key in zip(
            question["parts"], answers, types, keys, strict=True
        )
    ]
    return {
        "question": text,
        "solution": solution,
        "steps": steps,
        "parts": parts,
        "choice": question.get("choice"),
        # the sheets' line under the parts: how to write each kind of answer, once each;
        # parts answered by ticking boxes alone need none on a printed or HTML sheet
        "answer_format": "; ".join(dict.fromkeys(part["hint"] for part in parts)),
        "ticked": all(part["space"]["kind"] in ("truefalse", "letters") for part in parts),
    }


def _with_texts(question: dict[str, Any]) -> dict[str, Any]:
    """A rendered question with its text (with the options of a multiple choice) and worked
    solution as every page shows them: ``text`` in Markdown, ``text_html`` and
    ``solution_html`` in HTML. Sheets, keys and a student's feedback all use these, so the
    HTML is made once per question and is the same everywhere."""
    choice, steps = question.get("choice"), question["steps"]
    question["text"], question["text_html"], question["solution_html"] = _texts(
        question["question"],
        tuple(choice["options"]) if choice else None,  # as the templates test it
        None if steps is None else tuple(steps),
        question["solution"],
    )
    if question.get("plot"):  # the plot of a question file: HTML, and LaTeX's picture
        from markupsafe import Markup

        from generator.render.markup import escape_latex

        # built from the manifest's numbers alone, every text in it escaped (render.scatter)
        question["text_html"] += Markup("\n" + scatter_svg(question["plot"]))
        question["plot_tex"] = scatter_latex(question["plot"], escape_latex)
    return question


# The concept questions' items come back in many variants of a class (in 200 variants of
# the default exam, over half of their 3,200 instances are repeats): each text is made once.
@lru_cache(maxsize=4096)
def _texts(
    text: str, options: tuple[str, ...] | None, steps: tuple[str, ...] | None, solution: str
) -> tuple[str, str, str]:
    """A question's text in Markdown and HTML, and its solution in HTML (``_with_texts``),
    from the templates' blocks (templates/sheets/_blocks.*.j2)."""
    question = {
        "question": text,
        "choice": None if options is None else {"options": options},
        "steps": steps,
        "solution": solution,
    }
    markdown = environment().get_template("sheets/_blocks.md.j2").module
    html = html_environment().get_template("sheets/_blocks.html.j2").module
    return (
        markdown.question(question).rstrip(),
        html.question(question).rstrip(),
        html.solution(question),
    )


def rendered_questions(manifest: dict[str, Any], variant: dict[str, Any]) -> list[dict[str, Any]]:
    """Each question of a variant, rendered (``render_question``), with its id, title and
    points, and its text and solution as the pages show them (``_with_texts``)."""
    meta = {q["id"]: q for q in manifest["questions"]}
    questions = []
    for question in variant["questions"]:
        info = meta[question["id"]]
        questions.append(_with_texts({**info, **render_question(info["family"], question)}))
    return questions


def render_layouts(
    manifest: dict[str, Any],
    variant: dict[str, Any],
    layouts: tuple[str, ...],
    context: dict[str, Any] | None = None,
    questions: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """Several layouts of one variant (``"sheet"``, ``"key"``, ``"sheet.html"``,
    ``"key.tex"``, ...), rendering each question once, or not at all when the caller has
    them (``rendered_questions``). ``context`` adds to what every layout sees (the path to
    the KaTeX files, for HTML)."""
    if questions is None:
        questions = rendered_questions(manifest, variant)
    context = {"sheet_tolerance": sheet_tolerance(questions), **(context or {})}
    rendered = {}
    for layout in layouts:
        env, name = _page_environment(layout)
        text = env.get_template(name).render(
            exam=manifest, variant=variant, questions=questions, **context
        )
        rendered[layout] = text if layout.endswith(".html") else _tidy(text)
    return rendered


def _tidy(text: str) -> str:
    """Markdown and LaTeX without the spaces templates leave at the ends of lines (two of
    them end a line in Markdown). HTML pages are left as rendered: such spaces change
    nothing there, and each page carries some 300 kB of scripts that tidying would copy
    three times over."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"


def sheet_tolerance(questions: list[dict[str, Any]]) -> str | None:
    """The tolerance a sheet states once, for every number it does not say otherwise of:
    the one most of its numeric parts are graded within (the first of equals); a part
    graded otherwise states its own beside its label. None when nothing is numeric."""
    counts = Counter(
        part["within"] for question in questions for part in question["parts"] if part["within"]
    )
    return max(counts, key=counts.__getitem__) if counts else None


def render_variant(manifest: dict[str, Any], variant: dict[str, Any], layout: str) -> str:
    """A whole sheet (``layout="sheet"``) or answer key (``"key"``) for one variant."""
    return render_layouts(manifest, variant, (layout,))[layout]
