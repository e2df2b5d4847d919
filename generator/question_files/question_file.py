"""A question file: an instructor's parameterized problem in TOML, read into a ``Family``
that assembly, every format, grading, the drill and the exports treat as a built-in one.

docs/question-files.md has the format. Everything in the file is checked when it is read,
on one line naming the file and the field: unknown fields, formulas (read by examgen's own
parser, never evaluated as Python), TeX outside the subset LaTeX is given, sizes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from generator.answers.expressions import ExpressionError, to_text
from generator.answers.expressions import parse as parse_expression
from generator.answers.types import (
    AnswerType,
    Expression,
    Integer,
    Matrix,
    MultiSelect,
    Real,
    Shape,
    TrueFalse,
)
from generator.errors import GivenError, SpecError, quoted
from generator.family import Family, Given, Mistake, Part, Solution
from generator.question_files.formulas import (
    FormulaError,
    Undefined,
    describe,
    evaluate,
    from_plain,
    names_in,
    parse,
    plain,
    steps_taken,
)
from generator.question_files.givens import GivenSpecError, Sampler, sampler
from generator.question_files.texts import CONTROL, Text, fill, placeholder, shown, text_problem
from generator.question_files.texts import read_text as read_slots

MAX_FILE_BYTES = 200_000
MAX_TRIES = 1000  # draws to meet the constraints before the file is at fault
# steps (``formulas.steps_taken``) of all the draws of one instance, and of solving it: a
# k-NN file takes a few hundred; a file past these would make generating a class run long
MAX_DRAW_STEPS = 200_000
MAX_INSTANCE_STEPS = 100_000
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_TOP = {
    "name", "title", "topic", "summary", "question", "solution", "choice",
    "givens", "constraints", "values", "answers", "features", "items", "plot",
}  # fmt: skip
_ANSWER_FIELDS = {"label", "type", "value", "rtol", "atol", "symbols", "options", "mistakes"}
_KINDS = ("integer", "real", "shape", "vector", "matrix", "expression", "truefalse", "choice")
_LIMITS = {"givens": 30, "constraints": 20, "values": 100, "answers": 20, "features": 8}
_RESERVED = {"true", "false", "and", "or", "not", "pi", "e"}


class QuestionFileError(SpecError):
    """A question file is malformed: the message names the file and the field."""


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    kind: str
    value: tuple[Any, ...] | Text | None  # a formula's tree; an expression's text
    answer_type: AnswerType
    options: tuple[tuple[Text, tuple[Any, ...]], ...] = ()  # choice: (text, correct formula)
    # (formula, diagnosis, when): the answer a mistake gives, in the instances where it can
    mistakes: tuple[tuple[tuple[Any, ...], str, tuple[Any, ...]], ...] = ()


@dataclass
class FileSolution(Solution):
    """A solution with the question's texts filled in for this instance: the manifest keeps
    them, so rendering and grading never read the question file again."""

    texts: dict[str, Any] = field(default_factory=dict)


class QuestionFileFamily(Family):
    """A family read from a question file: ``name`` is ``file-`` and the file's name."""

    file_text = ""  # the file as read, hashed into an exam's id

    def __init__(self, data: dict[str, Any], source: str, stem: str) -> None:
        self.source = source
        self._last: tuple[str, dict[str, Any]] | None = None
        self._fail_on_unknown(data, _TOP, "")
        self._header(data, stem)
        self.samplers: dict[str, Sampler] = {}
        raw_givens = self._table(data, "givens")
        for name, raw in raw_givens.items():
            self._new_name(name, f"givens.{name}")
            try:
                self.samplers[name] = sampler(raw)
            except GivenSpecError as error:
                where = f"givens.{name}" + (f".{error.field}" if error.field else "")
                raise self.file_error(str(error), where) from None
        self.givens = {
            name: Given(s.read, s.help or f"{s.kind} given") for name, s in self.samplers.items()
        }
        known = set(self.samplers)
        self.constraints = []
        raw_constraints = data.get("constraints", [])
        if not isinstance(raw_constraints, list) or len(raw_constraints) > _LIMITS["constraints"]:
            raise self.file_error(
                f"must be a list of at most {_LIMITS['constraints']} formulas", "constraints"
            )
        for n, text in enumerate(raw_constraints):
            self.constraints.append((text, self._formula(text, known, f"constraints[{n}]")))
        self.values: dict[str, tuple[Any, ...]] = {}
        for name, text in self._table(data, "values").items():
            self._new_name(name, f"values.{name}")
            self.values[name] = self._formula(text, known, f"values.{name}")
            known.add(name)
        self.answers: dict[str, Answer] = {}
        raw_answers = self._table(data, "answers")
        if not raw_answers:
            raise self.file_error("needs at least one [answers.NAME] table", "answers")
        for name, raw in raw_answers.items():
            self._new_name(name, f"answers.{name}")
            self.answers[name] = self._answer(name, raw, known)
            known.add(name)
        self.feature_formulas = {}
        for name, text in self._table(data, "features").items():
            if not _NAME.fullmatch(name):
                raise self.file_error(
                    "a feature's name is a letter then up to 30 letters, digits or _",
                    f"features.{name[:40]}",
                )
            self.feature_formulas[name] = self._formula(text, known, f"features.{name}")
        # what a student sees reads the givens and values, never an answer: a question that
        # printed {{ kept }} would hand every student its key
        shown = known - set(self.answers)
        question = data.get("question")
        for name in self.answers:
            if isinstance(question, str) and re.search(rf"{{{{[^}}]*\b{name}\b", question):
                raise self.file_error(
                    f"shows the answer {quoted(name)}: a question may show givens and values only",
                    "question",
                )
        self.plot = self._plot(data.get("plot"), shown)
        self.question_text = self._markdown(data, "question", shown, required=True)
        self.solution_text = self._markdown(data, "solution", known, required=True)
        self.choice_part = self._choice(data)

    # --- reading the file ------------------------------------------------------------

    def file_error(self, message: str, field: str | None = None) -> QuestionFileError:
        return QuestionFileError(self.source, message, field)

    def _header(self, data: dict[str, Any], stem: str) -> None:
        declared = data.get("name", stem)
        if not isinstance(declared, str) or not _NAME.fullmatch(declared):
            where = "name" if "name" in data else None
            raise self.file_error(
                "the name must be a letter then up to 30 letters, digits or _ "
                + ("" if where else "(give name = ... for this file name)"),
                where,
            )
        self.name = f"file-{declared}"
        self.title = self._plain(data, "title", declared.replace("_", " ").capitalize())
        self.topic = self._plain(data, "topic", "question files")
        self.summary = self._plain(
            data, "summary", f"{self.title} (question file {Path(self.source).name})"
        )

    def _plain(self, data: dict[str, Any], key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not 0 < len(value) <= 200 or "\n" in value:
            raise self.file_error("must be one line of text, at most 200 characters", key)
        self._safe_tex(value, key)
        return value

    def _fail_on_unknown(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.file_error(
                    f"unknown field (allowed: {', '.join(sorted(allowed))})", f"{where}{key}"
                )

    def _table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        table = data.get(key, {})
        if not isinstance(table, dict):
            raise self.file_error("must be a table", key)
        if len(table) > _LIMITS[key]:
            raise self.file_error(f"more than {_LIMITS[key]} entries", key)
        misplaced = sorted(set(table) & _TOP)
        if misplaced:
            raise self.file_error(
                "a top-level field under a table: in TOML, write question, solution and the "
                "other top-level fields before the first [table]",
                f"{key}.{misplaced[0]}",
            )
        return table

    def _new_name(self, name: str, where: str) -> None:
        taken = set(getattr(self, "samplers", {})) | set(getattr(self, "values", {}))
        taken |= set(getattr(self, "answers", {}))
        if not _NAME.fullmatch(name) or name in _RESERVED:
            raise self.file_error(
                "a name must be a letter then up to 30 letters, digits or _", where
            )
        if name in taken:
            raise self.file_error(f"{quoted(name)} is already a given, value or answer", where)

    def _formula(self, text: Any, known: set[str], where: str) -> tuple[Any, ...]:
        try:
            tree = parse(text, known)
            _fold_constants(tree)
        except FormulaError as error:
            raise self.file_error(
                f"{quoted(text) if isinstance(text, str) else 'this'}: {error}", where
            ) from None
        return tree

    def _safe_tex(self, text: str, where: str) -> None:
        """Refuse a text with TeX LaTeX is never given, or with markup beyond text and
        formulas (raw HTML, links, images), naming the file and the field."""
        if (problem := text_problem(text)) is not None:
            raise self.file_error(problem, where)

    def _markdown(
        self,
        data: dict[str, Any],
        key: str,
        known: set[str],
        required: bool = False,
        where: str = "",
    ) -> Text:
        value = data.get(key)
        where = where or key
        if value is None and not required:
            value = ""
        if not isinstance(value, str) or len(value) > 20_000 or (required and not value.strip()):
            raise self.file_error("must be Markdown text (at most 20,000 characters)", where)
        if CONTROL.search(value):
            raise self.file_error("holds a control character", where)
        try:
            text = read_slots(value, known)
        except FormulaError as error:
            raise self.file_error(str(error), where) from None
        self._safe_tex(placeholder(text), where)
        return text

    def _answer(self, name: str, raw: Any, known: set[str]) -> Answer:
        where = f"answers.{name}"
        if not isinstance(raw, dict):
            raise self.file_error("must be a table with type and value", where)
        self._fail_on_unknown(raw, _ANSWER_FIELDS, where + ".")
        kind = raw.get("type")
        if kind not in _KINDS:
            raise self.file_error(f"must be one of {', '.join(_KINDS)}", f"{where}.type")
        label = raw.get("label", name)
        if not isinstance(label, str) or not 0 < len(label) <= 200:
            raise self.file_error("must be text of at most 200 characters", f"{where}.label")
        if "{{" in label or "{%" in label:
            raise self.file_error(
                "is plain text: only question and solution fill in {{ }}", f"{where}.label"
            )
        self._safe_tex(label, f"{where}.label")
        answer_type = self._answer_type(kind, raw, where)
        options: list[tuple[Text, tuple[Any, ...]]] = []
        value: tuple[Any, ...] | Text | None = None
        if kind == "choice":
            raw_options = raw.get("options")
            if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 8:
                raise self.file_error("a choice answer needs 2 to 8 options", f"{where}.options")
            for n, option in enumerate(raw_options):
                here = f"{where}.options[{n}]"
                if not isinstance(option, dict) or set(option) != {"text", "correct"}:
                    raise self.file_error('must be { text = "...", correct = "formula" }', here)
                text = self._markdown(option, "text", known, required=True, where=f"{here}.text")
                correct = option["correct"]
                correct = "true" if correct is True else "false" if correct is False else correct
                options.append((text, self._formula(correct, known, f"{here}.correct")))
            answer_type = MultiSelect(len(options))
        elif kind == "expression":
            value = self._markdown(raw, "value", known, required=True, where=f"{where}.value")
        else:
            if "value" not in raw:
                raise self.file_error("is missing", f"{where}.value")
            value = self._formula(raw["value"], known, f"{where}.value")
        mistakes = []
        raw_mistakes = raw.get("mistakes", [])
        if not isinstance(raw_mistakes, list) or len(raw_mistakes) > 10:
            raise self.file_error("must be a list of at most 10 mistakes", f"{where}.mistakes")
        if raw_mistakes and kind in ("choice", "expression", "truefalse"):
            raise self.file_error(f"a {kind} answer has no mistakes to name", f"{where}.mistakes")
        # a mistake reads the givens, the values, this answer and those before it
        all_names = known | {name}
        for n, mistake in enumerate(raw_mistakes):
            here = f"{where}.mistakes[{n}]"
            if not isinstance(mistake, dict) or not {"value", "diagnosis"} <= set(mistake) <= {
                "value",
                "diagnosis",
                "when",
            }:
                raise self.file_error(
                    'must be { value = "formula", diagnosis = "...", when = "formula" (optional) }',
                    here,
                )
            diagnosis = mistake["diagnosis"]
            if not isinstance(diagnosis, str) or not 0 < len(diagnosis) <= 300:
                raise self.file_error("must be text of at most 300 characters", f"{here}.diagnosis")
            self._safe_tex(diagnosis, f"{here}.diagnosis")
            when = self._formula(mistake.get("when", "true"), all_names, f"{here}.when")
            wrong = self._formula(mistake["value"], all_names, f"{here}.value")
            mistakes.append((wrong, diagnosis, when))
        return Answer(name, label, kind, value, answer_type, tuple(options), tuple(mistakes))

    def _answer_type(self, kind: str, raw: dict[str, Any], where: str) -> AnswerType:
        tolerance = {}
        for name in ("rtol", "atol"):
            if name in raw:
                value = raw[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not 0 <= value <= 1e6
                ):
                    raise self.file_error("must be a number from 0 to 1e6", f"{where}.{name}")
                if kind not in ("real", "vector", "matrix"):
                    raise self.file_error(f"a {kind} answer has no tolerance", f"{where}.{name}")
                tolerance[name] = float(value)
        if kind == "expression":
            symbols = raw.get("symbols")
            if (
                not isinstance(symbols, list)
                or not 1 <= len(symbols) <= 10
                or not all(isinstance(s, str) and _NAME.fullmatch(s) for s in symbols)
            ):
                raise self.file_error(
                    'an expression answer needs symbols = ["x", ...]', f"{where}.symbols"
                )
            return Expression(symbols)
        if "symbols" in raw:
            raise self.file_error("only an expression answer has symbols", f"{where}.symbols")
        if kind == "real":
            return Real(**tolerance)
        if kind in ("vector", "matrix"):
            return Matrix(None, 1, **tolerance)  # the size comes from each instance's key
        if kind == "choice":
            return MultiSelect(2)  # its number of options is known once they are read
        return {"integer": Integer, "shape": Shape, "truefalse": TrueFalse}[kind]()

    def _plot(self, raw: Any, known: set[str]) -> dict[str, tuple[Any, ...]] | None:
        """``[plot]``: a scatter plot of ``points`` (an n x 2 matrix), optionally coloured
        by ``labels`` (a vector of n classes) with a ``query`` point."""
        if raw is None:
            return None
        if not isinstance(raw, dict) or "points" not in raw:
            raise self.file_error('must be a table such as { points = "X", labels = "y" }', "plot")
        self._fail_on_unknown(raw, {"points", "labels", "query"}, "plot.")
        return {name: self._formula(text, known, f"plot.{name}") for name, text in raw.items()}

    def _plotted(self, values: dict[str, Any]) -> dict[str, Any]:
        assert self.plot is not None
        drawn = {
            name: plain(self._evaluate(tree, values, f"plot.{name}"))
            for name, tree in self.plot.items()
        }
        points, labels, query = drawn["points"], drawn.get("labels"), drawn.get("query")
        if not (
            isinstance(points, list)
            and 1 <= len(points) <= 60
            and all(isinstance(p, list) and len(p) == 2 for p in points)
        ):
            raise self.file_error("must be a matrix of 1 to 60 rows (x, y)", "plot.points")
        if labels is not None and (not isinstance(labels, list) or len(labels) != len(points)):
            raise self.file_error("must be a vector of a class per point", "plot.labels")
        if query is not None and (not isinstance(query, list) or len(query) != 2):
            raise self.file_error("must be one point (x, y)", "plot.query")
        return {"points": points, "labels": labels, "query": query}

    def _choice(self, data: dict[str, Any]) -> str | None:
        declared = data.get("choice")
        if declared is None:
            return next((a.id for a in self.answers.values() if a.mistakes), None)
        answer = self.answers.get(declared) if isinstance(declared, str) else None
        if answer is None or answer.kind in ("choice", "truefalse", "expression"):
            raise self.file_error("must name a numeric, shape, vector or matrix answer", "choice")
        return declared

    # --- the family ------------------------------------------------------------------

    def error(self, message: str, given: str | None = None) -> GivenError:
        return GivenError(self.source, message, given)  # names the file, not file-NAME

    def read_givens(self, raw: dict[str, Any]) -> dict[str, Any]:
        try:
            return super().read_givens(raw)
        except GivenError as error:
            raise GivenError(self.source, str(error).removeprefix(f"{self.name}: ")) from None

    def sample(self, rng: np.random.Generator, difficulty: str) -> dict[str, Any]:
        return self.draw(rng, difficulty, {})

    def draw(self, rng: np.random.Generator, difficulty: str, fixed: dict[str, Any]) -> dict:
        """Givens that meet every constraint, the spec's ``fixed`` ones kept; after
        ``MAX_TRIES`` draws the file names the constraint that failed most."""
        failed: dict[int, int] = {}
        start = steps_taken()
        for _ in range(MAX_TRIES):
            if steps_taken() - start > MAX_DRAW_STEPS:
                raise self.file_error(
                    f"the constraints take more than {MAX_DRAW_STEPS:,} steps to meet",
                    "constraints",
                )
            raw = {name: s.draw(rng) for name, s in self.samplers.items()}
            try:
                params = self.read_givens({**raw, **fixed})
            except GivenError:
                return raw  # a fixed given the file cannot read: reading it names the problem
            broken = self._broken_constraint(params)
            if broken is None:
                return params
            failed[broken] = failed.get(broken, 0) + 1
        worst = max(failed, key=failed.__getitem__)
        raise self.file_error(
            f"no instance meets {quoted(self.constraints[worst][0])} in {MAX_TRIES:,} draws",
            f"constraints[{worst}]",
        )

    def _broken_constraint(self, params: dict[str, Any]) -> int | None:
        values = {name: from_plain(value) for name, value in params.items()}
        for n, (_, tree) in enumerate(self.constraints):
            try:
                holds = evaluate(tree, values)
            except Undefined:
                return n
            except FormulaError as error:
                raise self.file_error(str(error), f"constraints[{n}]") from None
            if holds is not True:
                if not isinstance(holds, bool):
                    raise self.file_error(
                        f"must be true or false, not {describe(holds)}", f"constraints[{n}]"
                    )
                return n
        return None

    def values_of(self, params: dict[str, Any]) -> dict[str, Any]:
        """Every name's value for these givens: givens, values and answers' formulas.
        GivenError where the givens break a constraint or a formula has no value. The last
        instance's are kept: solve, mistakes and features each ask for them."""
        identity = json.dumps(params, sort_keys=True)
        if self._last is not None and self._last[0] == identity:
            return dict(self._last[1])
        values = self._values_of(params)
        self._last = (identity, values)
        return dict(values)

    def _values_of(self, params: dict[str, Any]) -> dict[str, Any]:
        broken = self._broken_constraint(params)
        if broken is not None:
            raise self.error(f"breaks the constraint {quoted(self.constraints[broken][0])}")
        values = {name: from_plain(value) for name, value in params.items()}
        for name, tree in self.values.items():
            values[name] = self._evaluate(tree, values, f"values.{name}")
        for answer in self.answers.values():
            if isinstance(answer.value, tuple):
                values[answer.id] = self._evaluate(
                    answer.value, values, f"answers.{answer.id}.value"
                )
        return values

    def _evaluate(self, tree: tuple[Any, ...], values: dict[str, Any], where: str) -> Any:
        try:
            return evaluate(tree, values)
        except Undefined as error:
            raise self.error(f"{where} has no value here: {error}") from None
        except FormulaError as error:
            raise self.file_error(str(error), where) from None
        except (ArithmeticError, ValueError, TypeError) as error:
            raise self.error(f"{where} has no value here: {error}") from None

    def solve(self, params: dict[str, Any]) -> Solution:
        start = steps_taken()
        values = self.values_of(params)
        answers = {a.id: self._key(a, values) for a in self.answers.values()}
        filled = {
            "question": self._filled(self.question_text, values, "question"),
            "solution": self._filled(self.solution_text, values, "solution"),
        }
        for answer in self.answers.values():  # a choice answer's options follow the question
            if answer.kind == "choice":
                where = f"answers.{answer.id}.options"
                options = [
                    f"- ({'ABCDEFGH'[n]}) {self._filled(text, values, f'{where}[{n}].text')}"
                    for n, (text, _) in enumerate(answer.options)
                ]
                filled["question"] += f"\n\n`{answer.id}`: {answer.label}\n\n" + "\n".join(options)
        steps = [" ".join(p.split()) for p in filled["solution"].split("\n\n") if p.strip()]
        if steps_taken() - start > MAX_INSTANCE_STEPS:
            raise self.file_error(
                f"an instance takes more than {MAX_INSTANCE_STEPS:,} steps to solve", "values"
            )
        texts: dict[str, Any] = dict(filled)
        if self.plot is not None:
            texts["plot"] = self._plotted(values)
        return FileSolution(answers, steps, texts=texts)

    def _filled(self, text: Text, values: dict[str, Any], where: str) -> str:
        """A text with its slots filled; its TeX and markup checked again where a slot
        brought text (a word drawn from a list, a string in a slot's formula): a number,
        vector or matrix examgen writes brings none, and the text itself was checked when
        the file was read."""
        words: list[str] = []
        try:
            filled = fill(text, values, words)
        except Undefined as error:
            raise self.error(f"{where} has no value here: {error}") from None
        except FormulaError as error:
            raise self.file_error(str(error), where) from None
        if words:
            self._safe_tex(filled, where)
        return filled

    def _key(self, answer: Answer, values: dict[str, Any]) -> Any:
        where = f"answers.{answer.id}"
        if answer.kind == "choice":
            letters = ""
            for n, (_, tree) in enumerate(answer.options):
                correct = self._evaluate(tree, values, f"{where}.options[{n}].correct")
                if not isinstance(correct, bool):
                    raise self.file_error("must be true or false", f"{where}.options[{n}].correct")
                letters += "ABCDEFGH"[n] if correct else ""
            if not letters:
                raise self.error(f"{where}: no option is correct here")
            return letters
        if answer.kind == "expression":
            assert isinstance(answer.value, Text)
            text = fill(answer.value, values)
            try:
                tree = parse_expression(text, set(answer.answer_type.to_json()["symbols"]))
            except ExpressionError as error:
                raise self.error(f"{where}.value is no expression here ({error})") from None
            return to_text(tree)
        return self.key_form(answer, values[answer.id], where)

    def key_form(self, answer: Answer, value: Any, where: str) -> Any:
        """A formula's value in the form the answer type stores a key; GivenError when the
        value is not of that form (a size of 7/2, a vector for a number)."""
        kind = answer.kind
        scalar = not isinstance(value, (tuple, bool, str))
        if kind == "integer" and scalar and Fraction(value) == int(value):
            return int(value)
        if kind == "real" and scalar:
            return plain(value)
        if kind == "truefalse" and isinstance(value, bool):
            return value
        if (
            kind == "shape"
            and isinstance(value, tuple)
            and value
            and all(not isinstance(v, (tuple, bool, str)) and v == int(v) and v >= 1 for v in value)
        ):
            return "x".join(str(int(v)) for v in value)
        if (
            kind == "vector"
            and isinstance(value, tuple)
            and value
            and not isinstance(value[0], tuple)
        ):
            return plain(value)
        if kind == "matrix" and isinstance(value, tuple) and value and isinstance(value[0], tuple):
            return plain(value)
        raise self.error(f"{where} is {shown(value)[:40]}, which is no {kind} answer")

    def parts(self, params: dict[str, Any], solution: Solution) -> list[Part]:
        parts = []
        for answer in self.answers.values():
            key = solution.answers[answer.id]
            answer_type = answer.answer_type
            if answer.kind in ("vector", "matrix"):
                data = answer_type.to_json()
                rows = None if answer.kind == "vector" else len(key)
                cols = len(key) if answer.kind == "vector" else len(key[0])
                answer_type = Matrix(rows, cols, data["rtol"], data["atol"])
            parts.append(Part(answer.id, answer.label, answer_type, key))
        return parts

    def mistakes(self, params: dict[str, Any], solution: Solution) -> dict[str, list[Mistake]]:
        values = self.values_of(params)
        found: dict[str, list[Mistake]] = {}
        for answer in self.answers.values():
            for n, (tree, diagnosis, when) in enumerate(answer.mistakes):
                where = f"answers.{answer.id}.mistakes[{n}].value"
                applies = self._evaluate(when, values, f"answers.{answer.id}.mistakes[{n}].when")
                if applies is not True:
                    if not isinstance(applies, bool):
                        raise self.file_error(
                            "must be true or false", where.replace(".value", ".when")
                        )
                    continue
                try:
                    value = self.key_form(answer, self._evaluate(tree, values, where), where)
                except GivenError:
                    continue  # no answer of this form here (a fraction for a size): no mistake
                found.setdefault(answer.id, []).append(Mistake(value, diagnosis))
        return found

    def features(self, params: dict[str, Any]) -> dict[str, str]:
        values = self.values_of(params)
        return {  # short, as a manifest keeps features
            name: shown(self._evaluate(tree, values, f"features.{name}"))[:80]
            for name, tree in self.feature_formulas.items()
        }


def _fold_constants(tree: tuple[Any, ...]) -> None:
    """Evaluate each part of a formula that reads no name, so 10^10^10 or a bad call on
    constants is refused when the file is read, not at the first instance."""
    if tree[0] in ("num", "bool", "str", "name") or names_in(tree):
        for part in tree[1:]:
            if isinstance(part, tuple) and part and isinstance(part[0], tuple):
                for item in part:
                    _fold_constants(item)
            elif isinstance(part, tuple) and part and isinstance(part[0], str):
                _fold_constants(part)
        return
    try:
        evaluate(tree, {})
    except Undefined as error:
        raise FormulaError(str(error)) from None
