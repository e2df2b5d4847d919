"""Exam specs: a TOML file (or a built-in exam's name) saying which questions an exam asks.

```toml
title = "ConvNet shapes quiz"
instructions = "Show your work."        # optional
[[questions]]
family = "conv_output_size"
points = 4
count = 2                               # optional: two questions from this entry
difficulty = "medium"                   # optional: easy, medium (default) or hard
[questions.givens]                      # optional: fix some givens, sample the rest
op = "pool"
```
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from generator import registry
from generator.errors import ExamgenError, SpecError, quoted
from generator.exam.gradescope_settings import SettingError, read_settings
from generator.families.common.notation import read_fc_outputs, read_layout
from generator.family import DIFFICULTIES, Family
from generator.files.reading import read_text
from generator.formatting import format_points
from generator.markdown_subset import active_markup
from generator.tex_subset import refused_text

_TOP_FIELDS = {"title", "name", "instructions", "seed", "notation", "questions", "gradescope"}
# [notation]: how the course writes shapes, given to every family that has these givens
_NOTATION = {"shapes": ("notation", read_layout), "fc_outputs": ("fc_outputs", read_fc_outputs)}
_QUESTION_FIELDS = {
    "id",
    "family",
    "points",
    "count",
    "difficulty",
    "title",
    "givens",
    "rubric",
    "format",
    "tolerance",
    "file",  # a question file, in place of a family
    "bank",  # a folder of question files, with ``pick``
    "pick",
}
_RUBRIC_FIELDS = {"wrong", "per_error", "floor"}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,30}")
MAX_QUESTIONS = 200
MAX_SPEC_BYTES = 1_000_000


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    family: str
    points: int | float
    difficulty: str
    title: str
    givens: dict[str, Any] = field(default_factory=dict)
    rubric: dict[str, float] = field(default_factory=dict)
    format: str = "free"  # "free" response, or "choice": multiple choice on the main part
    tolerance: dict[str, float] = field(default_factory=dict)  # rtol/atol for real answers
    fixed: bool = False  # the givens fix the whole instance (``fixes_everything``)


_PROBES = 4  # draws that must all give one instance for the givens to fix it


def fixes_everything(givens: dict[str, Any], family: Family, difficulty: str) -> bool:
    """Whether ``givens`` leave ``family`` nothing to draw: every student then gets the same
    instance, which an exam asks once. Decided by drawing, as families choose themselves
    which givens they sample (some sample givens that have defaults)."""
    if not givens:
        return False
    instances = []
    for seed in range(_PROBES):
        try:
            raw = {**family.draw(np.random.default_rng(seed), difficulty, givens), **givens}
            instances.append(family.read_givens(raw))
        except ExamgenError:
            continue
    return bool(instances) and all(instance == instances[0] for instance in instances)


@dataclass(frozen=True)
class ExamSpec:
    source: str  # the file or built-in name, for messages
    name: str  # slug used in the exam id
    title: str
    instructions: str
    seed: str | None
    questions: tuple[QuestionSpec, ...]
    text: str  # the spec as written, hashed into the exam id
    # the [gradescope] table, defaults filled in (``exam.gradescope_settings``); empty
    # when the spec has none
    gradescope: dict[str, Any] = field(default_factory=dict)


def builtin_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in files("templates").joinpath("exams").iterdir()
        if entry.name.endswith(".toml")
    )


def load(spec: str | None) -> ExamSpec:
    """Read a spec file, or the built-in exam of that name; the default exam when None."""
    name = spec or "default"
    path = Path(name)
    if spec is not None and (path.suffix == ".toml" or path.exists()):
        return parse(read_text(path, MAX_SPEC_BYTES, SpecError), name, path.parent)
    if name not in builtin_names():
        raise SpecError(
            name, f"no such file or built-in exam (built-in: {', '.join(builtin_names())})"
        )
    text = files("templates").joinpath("exams", f"{name}.toml").read_text(encoding="utf-8")
    # a built-in exam names the question files shipped beside it (templates/questions/)
    return parse(text, f"built-in exam '{name}'", Path(str(files("templates").joinpath("exams"))))


def parse(text: str, source: str, folder: Path | None = None) -> ExamSpec:
    """The spec in ``text``; its question files' paths are relative to ``folder`` (the
    spec's own, or the working folder)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(source, f"not valid TOML: {error}") from None
    except ValueError:  # tomllib's only other: Python's limit on digits in one integer
        raise SpecError(
            source, "not valid TOML here: a number has more than 4,300 digits"
        ) from None
    except RecursionError:
        raise SpecError(source, "not valid TOML here: arrays or tables nested too deeply") from None
    _no_unknown(data, _TOP_FIELDS, source, "")
    title = _line(data, "title", source, "", required=True)
    slug = _slug(_line(data, "name", source, "") or title)
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))):
        raise SpecError(source, "must be a whole number or a string", "seed")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise SpecError(source, "needs at least one [[questions]] table", "questions")
    notation = _notation(data.get("notation", {}), source)
    questions: list[QuestionSpec] = []
    question_files = QuestionFiles(folder or Path("."))
    for index, raw in enumerate(raw_questions, start=1):
        questions += _questions(raw, index, source, notation, question_files)
        if len(questions) > MAX_QUESTIONS:
            raise SpecError(source, f"more than {MAX_QUESTIONS} questions", "questions")
    ids = [q.id for q in questions]
    duplicate = next((qid for qid in ids if ids.count(qid) > 1), None)
    if duplicate:
        raise SpecError(source, f"question id '{duplicate}' is used twice", "questions")
    _no_question_twice(questions, source)
    return ExamSpec(
        source=source,
        name=slug or "exam",
        title=title,
        instructions=_markdown(data, "instructions", source, ""),
        seed=None if seed is None else str(seed),
        questions=tuple(questions),
        # the question files' texts too: changing one is a different exam
        text=text + question_files.texts(),
        gradescope=_gradescope(data, source),
    )


def _gradescope(data: dict[str, Any], source: str) -> dict[str, Any]:
    if "gradescope" not in data:
        return {}
    try:
        return read_settings(data["gradescope"])
    except SettingError as error:
        raise SpecError(source, str(error), error.field) from None


def _notation(raw: Any, source: str) -> dict[str, str]:
    """The spec's ``[notation]`` as givens: {"notation": "CxHxW", "fc_outputs": "N"}."""
    if not isinstance(raw, dict):
        raise SpecError(source, 'must be a table such as { shapes = "CxHxW" }', "notation")
    givens = {}
    for name, value in raw.items():
        if name not in _NOTATION:
            raise SpecError(source, f"unknown field (allowed: {', '.join(_NOTATION)})", "notation")
        given, read = _NOTATION[name]
        try:
            givens[given] = read(value)
        except ValueError as error:
            raise SpecError(source, str(error), f"notation.{name}") from None
    return givens


class QuestionFiles:
    """The question files and banks one spec names, each read once
    (``generator.question_files``) and made a family for this run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.read: dict[tuple[str, Path], Family] = {}
        self.paths: dict[str, Path] = {}  # family name -> the file it was read from

    def family(self, key: str, value: str, source: str, where: str) -> str:
        from generator.question_files import load_bank, load_file

        what = "question file" if key == "file" else "folder of question files"
        if not value.strip():
            raise SpecError(source, f"must name a {what}", where)
        path = self.folder / value
        if Path(value).is_absolute() or not self._inside(path):
            # a colleague's spec reads what lies beside it, not any .toml on the machine
            raise SpecError(
                source, f"{quoted(value, 120)} is not in the spec's folder or below it", where
            )
        if not (path.is_file() if key == "file" else path.is_dir()):
            raise SpecError(source, f"no {what} {quoted(value, 120)} beside the spec", where)
        if (key, path) not in self.read:
            family = load_file(path) if key == "file" else load_bank(path)
            other = self.paths.get(family.name)
            if other is not None and other != path:
                raise SpecError(source, f"{other} and {value} are both named {family.name}", where)
            self.paths[family.name] = path
            self.read[key, path] = family
            registry.add_from_file(family)
        return self.read[key, path].name

    def _inside(self, path: Path) -> bool:
        """Whether ``path`` lies in the spec's folder, or among the question files examgen
        ships (a built-in exam's, or one an instructor names)."""
        shipped = Path(str(files("templates"))) / "questions"
        real = path.resolve()
        return any(real.is_relative_to(root.resolve()) for root in (self.folder, shipped))

    def texts(self) -> str:
        return "".join(getattr(family, "file_text", "") for family in self.read.values())


def _family_name(
    raw: dict[str, Any], source: str, where: str, question_files: QuestionFiles | None
) -> str:
    """The family an entry asks: a built-in's name, or a question file's or bank's."""
    named = [key for key in ("family", "file", "bank") if key in raw]
    if len(named) != 1:
        raise SpecError(source, "needs exactly one of family, file or bank", where)
    if "pick" in raw and named != ["bank"]:
        raise SpecError(source, "pick is for a bank: use count", f"{where}.pick")
    value = _text(raw, named[0], source, where + ".", required=True)
    if named == ["family"]:
        return value
    if question_files is None:
        raise SpecError(source, "names question files only in a spec file", f"{where}.{named[0]}")
    return question_files.family(named[0], value, source, f"{where}.{named[0]}")


def _questions(
    raw: Any,
    index: int,
    source: str,
    notation: dict[str, str] | None = None,
    question_files: QuestionFiles | None = None,
) -> list[QuestionSpec]:
    where = f"questions[{index}]"
    if not isinstance(raw, dict):
        raise SpecError(source, "must be a table", where)
    _no_unknown(raw, _QUESTION_FIELDS, source, where + ".")
    family_name = _family_name(raw, source, where, question_files)
    try:
        family = registry.get(family_name)
    except ExamgenError as error:
        raise SpecError(source, str(error), f"{where}.family") from None
    points = raw.get("points", 1)
    # a hundredth at least: points print with two decimals, and rubrics are shares of them
    if (
        isinstance(points, bool)
        or not isinstance(points, (int, float))
        or not 0.01 <= points <= 1000
    ):
        raise SpecError(source, "must be a number from 0.01 to 1000", f"{where}.points")
    if "pick" in raw:
        if "count" in raw:
            raise SpecError(source, "a bank's pick is its count: give one", f"{where}.count")
        items = len(getattr(family, "items", ()))
        pick = raw["pick"]
        if isinstance(pick, bool) or not isinstance(pick, int) or not 1 <= pick <= items:
            raise SpecError(
                source,
                f"must be a whole number from 1 to the bank's {items} items",
                f"{where}.pick",
            )
    count = raw.get("pick", raw.get("count", 1))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
        raise SpecError(source, "must be a whole number from 1 to 50", f"{where}.count")
    difficulty = raw.get("difficulty", "medium")
    if difficulty not in DIFFICULTIES:
        raise SpecError(source, f"must be one of {', '.join(DIFFICULTIES)}", f"{where}.difficulty")
    givens = raw.get("givens", {})
    if not isinstance(givens, dict):
        raise SpecError(source, "must be a table of given = value", f"{where}.givens")
    shared = {name: value for name, value in (notation or {}).items() if name in family.givens}
    givens = {**shared, **givens}  # a question's own givens win over the spec's notation
    for given, value in givens.items():
        if given not in family.givens:
            known = ", ".join(family.givens)
            raise SpecError(
                source, f"{family_name} has no given '{given}' (known: {known})", f"{where}.givens"
            )
        try:
            family.givens[given].read(value)
        except (ValueError, TypeError, ArithmeticError, KeyError, RecursionError) as error:
            raise SpecError(source, str(error), f"{where}.givens.{given}") from None
    rubric = raw.get("rubric", {})
    if not isinstance(rubric, dict):
        raise SpecError(source, "must be a table such as { wrong = -1 }", f"{where}.rubric")
    for name, value in rubric.items():
        if name not in _RUBRIC_FIELDS:
            allowed = ", ".join(sorted(_RUBRIC_FIELDS))
            raise SpecError(
                source, f"unknown rubric field (allowed: {allowed})", f"{where}.rubric.{name}"
            )
        if _not_a_number(value):
            raise SpecError(source, "must be a number of points", f"{where}.rubric.{name}")
        _rubric_in_bounds(name, value, points, source, f"{where}.rubric.{name}")
    tolerance = raw.get("tolerance", {})
    if (
        not isinstance(tolerance, dict)
        or set(tolerance) - {"rtol", "atol"}
        or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1e6
            for v in tolerance.values()
        )
    ):
        raise SpecError(
            source,
            "must be a table such as { rtol = 0.05, atol = 0.001 } with non-negative numbers",
            f"{where}.tolerance",
        )
    fixed = fixes_everything(givens, family, difficulty)
    if count > 1 and fixed:
        raise SpecError(
            source,
            f"the givens fix the whole question, so count = {count} would ask it {count} times",
            f"{where}.count",
        )
    answer_format = raw.get("format", "free")
    if answer_format not in ("free", "choice"):
        raise SpecError(source, "must be free or choice", f"{where}.format")
    if (
        answer_format == "choice"
        and family.choice_part is None
        and (type(family).choice_part_for is Family.choice_part_for)
    ):
        raise SpecError(source, f"{family_name} has no multiple-choice version", f"{where}.format")
    base_id = raw.get("id", f"q{index}")
    if not isinstance(base_id, str) or not _ID.fullmatch(base_id):
        raise SpecError(source, "must be a letter then letters, digits, - or _", f"{where}.id")
    title = _line(raw, "title", source, where + ".") or family.title
    ids = [base_id] if count == 1 else [f"{base_id}{_letter(n)}" for n in range(count)]
    return [
        QuestionSpec(
            qid,
            family_name,
            points,
            difficulty,
            title,
            givens,
            rubric,
            answer_format,
            tolerance,
            fixed,
        )
        for qid in ids
    ]


def _rubric_in_bounds(name: str, value: float, points: float, source: str, where: str) -> None:
    """Refuse a rubric number outside the question's points: beyond them a wrong answer would
    score more than the question is worth, or less than minus it."""
    most = format_points(points)
    if name == "wrong" and not -points <= value <= 0:
        sense = f"wrong is a penalty for a wrong answer: from -{most} to 0"
    elif name == "per_error" and not 0 < value <= points:  # 0 would give any answer all
        sense = f"per_error is the deduction per wrong or missed option: above 0, at most {most}"
    elif name == "floor" and not 0 <= value < points:  # a floor of all gives any answer all
        sense = f"floor is the least a wrong answer scores: from 0 to below {most}"
    else:
        return
    worth = f"{most} point{'' if points == 1 else 's'}"
    raise SpecError(source, f"{sense}, as the question is worth {worth} (not {value})", where)


def _no_question_twice(questions: list[QuestionSpec], source: str) -> None:
    """Refuse two entries whose givens fix one and the same question: an exam never asks
    an item twice."""
    seen: dict[tuple[str, str], str] = {}
    for question in questions:
        if not question.fixed:
            continue
        identity = (question.family, repr(sorted(question.givens.items())))
        if identity in seen:
            raise SpecError(
                source,
                f"asks the same question as {seen[identity]}: its givens fix it whole",
                f"question {question.id}",
            )
        seen[identity] = question.id


def _not_a_number(value: Any) -> bool:
    """Not a finite TOML number (TOML allows nan and inf; no points or rubric is either)."""
    return (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    )


# Letters a folder name spells in ASCII beyond dropping accents (Prüfung: prufung).
_FOLDED = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def _slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary."""
    letters = unicodedata.normalize("NFKD", text.lower().translate(_FOLDED))
    ascii_text = "".join(ch for ch in letters if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def _letter(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[n] if n < 26 else f"_{n + 1}"


# Texts go into every page: a control character (NUL marks slots in feedback frames) is a
# mistake in the spec, never wanted on a sheet. Line breaks and tabs are whitespace.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _text(data: dict[str, Any], key: str, source: str, where: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise SpecError(source, "is missing", where + key)
        return ""
    if not isinstance(value, str) or len(value) > 5000:
        raise SpecError(source, "must be a string (at most 5000 characters)", where + key)
    if _CONTROL.search(value):
        raise SpecError(source, "holds a control character", where + key)
    return value


def _line(data: dict[str, Any], key: str, source: str, where: str, required: bool = False) -> str:
    """A title or name (``_text``): one line, as a heading or a folder's name is, and not
    blank where it is required."""
    value = _text(data, key, source, where, required)
    if re.search("[\t\n\r\u2028\u2029]", value):
        raise SpecError(source, "must be one line", where + key)
    if required and not value.strip():
        raise SpecError(source, "must not be blank", where + key)
    return value


def _markdown(data: dict[str, Any], key: str, source: str, where: str) -> str:
    """A Markdown text (``_text``) whose formulas hold only TeX that may reach LaTeX."""
    text = _text(data, key, source, where)
    refuse_unsafe_tex(text, source, where + key)
    refuse_active_markup(text, source, where + key)
    return text


def refuse_active_markup(text: str, source: str, field: str) -> None:
    """Refuse raw HTML, links and images in a Markdown text (``generator.markdown_subset``)
    on one line naming the file and the field."""
    if (what := active_markup(text)) is not None:
        raise SpecError(source, f"{what}: instructions are Markdown text and formulas only", field)


def refuse_unsafe_tex(text: str, source: str, field: str) -> None:
    """Refuse a Markdown text with a formula outside the TeX subset LaTeX is given
    (``generator.tex_subset``), on one line naming the file, the field and the command."""
    if (why := refused_text(text)) is not None:
        raise SpecError(source, why, field)


def _no_unknown(data: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    for key in data:
        if key not in allowed:
            raise SpecError(
                source, f"unknown field (allowed: {', '.join(sorted(allowed))})", where + key
            )
