"""What an instructor's key.json must hold before anything reads it.

A key is examgen's own file, but instructors edit it by hand to correct a key or drop a
question, so grade, regrade and export read it against this schema first: a field
of the wrong type, a missing one or an id that could leave its folder is refused on one line
naming the field (``variants[3].questions[2].parts[0].key: ...``), never met halfway
through a class as a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from generator.answers.types import AnswerType, Shape, answer_type_from_json
from generator.errors import BrokenKeyError, GivenError, quoted
from generator.exam.gradescope_settings import SettingError, read_settings
from generator.families.common.notation import FC_OUTPUTS, LAYOUTS
from generator.ids import (
    EXAM_ID_RULE,
    STUDENT_ID_RULE,
    is_exam_id,
    is_student_id,
    is_variant_id,
)

MAX_POINTS = 1000  # a question's, as specs allow
MAX_CURVE = 10  # regrade --curve's factor of a question's points for a group; 0 drops it
MAX_FEATURES, MAX_FEATURE_TEXT = 16, 80  # a question's features: few, short names and values
_GIVES = ("shape", "params")
_ROUNDINGS = ("exact", "floor", "ceil")


class _Problem(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def check_key(data: Any, source: str, roster_only: bool = False) -> None:
    """Refuse, naming ``source`` and the field, a key.json (or, with ``roster_only``, an
    index.json, whose variants are only the roster) that examgen could not use."""
    try:
        _check_header(data, roster_only)
        _check_variants(data, roster_only)
    except _Problem as problem:
        raise BrokenKeyError(source, f"not a usable key: {problem}") from None


def _check_header(data: dict[str, Any], roster_only: bool) -> None:
    if not is_exam_id(data.get("exam_id")):
        raise _Problem("exam_id", f"must be {EXAM_ID_RULE}")
    _text(data, "title")
    for name in ("instructions", "seed"):
        if name in data and not isinstance(data[name], str):
            raise _Problem(name, "must be a string")
    questions = data["questions"]
    if not questions:
        raise _Problem("questions", "must list at least one question")
    seen: set[str] = set()
    for n, question in enumerate(questions):
        where = f"questions[{n}]"
        _object(question, where)
        qid = _text(question, "id", where)
        if not qid or qid in seen:
            raise _Problem(f"{where}.id", f"{quoted(qid)} is empty or used twice")
        seen.add(qid)
        family = _text(question, "family", where)
        if not roster_only:  # a gradebook names no family: grading imports none
            _family(family, f"{where}.family")
        _text(question, "title", where)
        points = question.get("points")
        if not _is_number(points) or not 0 < points <= MAX_POINTS:
            raise _Problem(f"{where}.points", f"must be a number above 0 and at most {MAX_POINTS}")
    if "gradescope" in data:  # the spec's [gradescope] table, as assemble recorded it
        try:
            if read_settings(data["gradescope"]) != data["gradescope"]:
                raise SettingError("gradescope", "must hold visibility and allow_groups")
        except SettingError as error:
            raise _Problem(error.field, str(error)) from None
    dropped = data.get("dropped", [])
    if not isinstance(dropped, list) or any(qid not in seen for qid in dropped):
        raise _Problem("dropped", "must be a list of the key's question ids")


def _check_variants(data: dict[str, Any], roster_only: bool) -> None:
    ids = [q["id"] for q in data["questions"]]
    readers = [] if roster_only else [_givens_reader(q["family"]) for q in data["questions"]]
    variants, students = set(), set()
    for n, variant in enumerate(data["variants"]):
        where = f"variants[{n}]"
        _object(variant, where)
        variant_id = variant.get("variant_id")
        if not is_variant_id(variant_id) or variant_id in variants:
            raise _Problem(f"{where}.variant_id", "must be 10 hex digits, unique in the key")
        variants.add(variant_id)
        student_id = variant.get("student_id")
        if not is_student_id(student_id) or student_id in students:
            raise _Problem(f"{where}.student_id", f"must be {STUDENT_ID_RULE}, unique in the key")
        students.add(student_id)
        _text(variant, "name", where)
        for name in ("email", "sid"):  # the roster's, when it had them: who hands it in
            if name in variant and not is_contact(variant[name]):
                raise _Problem(f"{where}.{name}", f"must be {CONTACT_RULE}")
        if not roster_only:
            _check_questions(variant.get("questions"), ids, f"{where}.questions", readers)


def _check_questions(
    questions: Any, ids: list[str], where: str, readers: list[Callable[[Any], Any] | None]
) -> None:
    if (
        not isinstance(questions, list)
        or [q.get("id") if isinstance(q, dict) else None for q in questions] != ids
    ):
        raise _Problem(where, f"must be the key's questions in order ({', '.join(ids)})")
    for n, question in enumerate(questions):
        here = f"{where}[{n}]"
        if not isinstance(question.get("params"), dict):
            raise _Problem(f"{here}.params", "must be an object")
        if readers[n] is not None:
            _check_givens(readers[n], question["params"], f"{here}.params")
        _check_features(question.get("features", {}), f"{here}.features")
        curve = question.get("curve", 1)
        if not _is_number(curve) or not 0 <= curve <= MAX_CURVE:
            raise _Problem(f"{here}.curve", f"must be a number from 0 to {MAX_CURVE}")
        parts = question.get("parts")
        if not isinstance(parts, list) or not parts:
            raise _Problem(f"{here}.parts", "must be a list of at least one part")
        for m, part in enumerate(parts):
            _object(part, f"{here}.parts[{m}]")
        part_ids = [part.get("id") for part in parts]
        for m, part in enumerate(parts):
            _check_part(part, part_ids, f"{here}.parts[{m}]")


def _givens_reader(family: str) -> Callable[[Any], Any] | None:
    """The family's own reader of its givens: the params that render a question, solve it
    again (regrade --key-fix) and check a follow-through must read as the family reads them.
    None for a question file's family: its key holds what is shown, and the file, when this
    run has read it (generate --calibrate), may have changed since the key was made."""
    from generator import registry

    if registry.from_question_file(family) or family not in registry.names():
        return None
    return registry.get(family).read_givens


def _check_givens(reader: Callable[[Any], Any], params: dict[str, Any], where: str) -> None:
    """Refuse params the family cannot read (a hand edit of a key), naming the given: some
    16 µs a question, 0.44 s for 1,000 students of 36 questions against 2.8 s to parse and
    check their key, paid only where key.json itself is read."""
    try:
        reader(params)
    except GivenError as error:
        given = error.given
        raise _Problem(f"{where}.{given}" if given else where, error.problem) from None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        # a value of a type the family's checks never meet from a spec (a list for a number)
        raise _Problem(where, f"the family cannot read them ({type(error).__name__})") from None


def _check_features(features: Any, where: str) -> None:
    """What groups the variant's instance with its siblings (``Family.features``): a few
    short names and values, shown by stats and read by ``generate --calibrate``."""
    if not isinstance(features, dict) or len(features) > MAX_FEATURES:
        raise _Problem(where, f"must be an object of at most {MAX_FEATURES} names and values")
    for name, value in features.items():
        if not (0 < len(name) <= MAX_FEATURE_TEXT and isinstance(value, str)):
            raise _Problem(where, f"{quoted(name)} must name a string value, both short")
        if len(value) > MAX_FEATURE_TEXT:
            raise _Problem(f"{where}.{name}", f"must be at most {MAX_FEATURE_TEXT} characters")


def _check_part(part: dict[str, Any], part_ids: list[Any], where: str) -> None:
    part_id = _text(part, "id", where)
    if not part_id or part_ids.count(part_id) > 1:
        raise _Problem(f"{where}.id", f"{quoted(part_id)} is empty or used twice")
    answer_type = _answer_type(part.get("type"), f"{where}.type")
    if "key" not in part:
        raise _Problem(f"{where}.key", "is missing")
    _readable(answer_type, part["key"], f"{where}.key")
    mistakes = part.get("mistakes", [])
    if not isinstance(mistakes, list):
        raise _Problem(f"{where}.mistakes", "must be a list of {value, diagnosis}")
    for n, mistake in enumerate(mistakes):
        here = f"{where}.mistakes[{n}]"
        _object(mistake, here)
        if "value" not in mistake:
            raise _Problem(f"{here}.value", "is missing")
        _readable(answer_type, mistake["value"], f"{here}.value")
        _text(mistake, "diagnosis", here)
    for name in ("tells_apart", "same_as_key"):  # named mistakes, by diagnosis
        listed = part.get(name, [])
        if not isinstance(listed, list) or not all(isinstance(d, str) for d in listed):
            raise _Problem(f"{where}.{name}", "must be a list of strings")
    if "follows" in part:
        _check_follows(part["follows"], part_ids, answer_type, f"{where}.follows")


def _check_follows(rule: Any, part_ids: list[Any], answer_type: AnswerType, where: str) -> None:
    """Error carried forward: a total of earlier rows, or a row computed from the one
    before through a layer (``generator.grading.follow_through``)."""
    # here, not at the top: layer specs bring numpy, which grading a class never imports
    from generator.families.common.layerspec import LayerSpecError, parse_layer

    _object(rule, where)
    if "sum_of" in rule:
        rows = rule["sum_of"]
        if not isinstance(rows, list) or not rows or any(row not in part_ids for row in rows):
            raise _Problem(f"{where}.sum_of", "must list parts of this question")
        return
    if rule.get("from") not in part_ids:
        raise _Problem(f"{where}.from", "must name a part of this question")
    try:
        parse_layer(rule.get("layer"))
    except LayerSpecError as error:
        raise _Problem(f"{where}.layer", str(error)) from None
    index = rule.get("index")
    if type(index) is not int or index < 1:
        raise _Problem(f"{where}.index", "must be a whole number from 1")
    if rule.get("rounding") not in _ROUNDINGS:
        raise _Problem(f"{where}.rounding", f"must be one of {', '.join(_ROUNDINGS)}")
    if rule.get("gives") not in _GIVES:
        raise _Problem(f"{where}.gives", f"must be one of {', '.join(_GIVES)}")
    _readable(Shape(), rule.get("input"), f"{where}.input")
    if rule.get("notation", "HxWxC") not in LAYOUTS:
        raise _Problem(f"{where}.notation", f"must be one of {', '.join(LAYOUTS)}")
    if rule.get("fc_outputs", "either") not in FC_OUTPUTS:
        raise _Problem(f"{where}.fc_outputs", f"must be one of {', '.join(FC_OUTPUTS)}")


def _answer_type(data: Any, where: str) -> AnswerType:
    if not isinstance(data, dict):
        raise _Problem(where, 'must be an answer type such as {"kind": "integer"}')
    for name, value in data.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise _Problem(f"{where}.{name}", "must be a finite number")
        if name in ("rtol", "atol") and not (_is_number(value) and value >= 0):
            raise _Problem(f"{where}.{name}", "must be a number of at least 0")
    try:
        built = answer_type_from_json(data)
    except (TypeError, ValueError, ArithmeticError, AttributeError) as error:
        raise _Problem(where, f"not an answer type examgen knows ({error})") from None
    _check_rubric(data, where)
    return built


# A rubric in key.json is a share of the part's points, bounded as the spec's rubric is by
# the question's (generator.exam.spec): a wrong answer never earns, nor costs more than the
# part, and a selection never scores above the part.
_RUBRIC_BOUNDS = {
    ("truefalse", "wrong"): (Fraction(-1), Fraction(0), "between -1 and 0, a share of the part"),
    ("multiselect", "per_error"): (Fraction(0), Fraction(1), "above 0 and at most 1"),
    ("multiselect", "floor"): (Fraction(0), Fraction(1), "at least 0 and below 1"),
}


def _check_rubric(data: dict[str, Any], where: str) -> None:
    for (kind, name), (low, high, rule) in _RUBRIC_BOUNDS.items():
        if data.get("kind") != kind or name not in data:
            continue
        value = Fraction(str(data[name]))
        inside = {
            "wrong": low <= value <= high,
            "per_error": low < value <= high,
            "floor": low <= value < high,
        }[name]
        if not inside:
            raise _Problem(f"{where}.{name}", f"must be {rule}")


def _readable(answer_type: AnswerType, value: Any, where: str) -> None:
    problem = answer_type.json_problem(value)
    if problem is None:
        try:
            answer_type.read_key(value)
            return
        except (TypeError, ValueError, ArithmeticError, AttributeError) as error:
            problem = str(error)
    raise _Problem(where, f"not a valid {answer_type.kind} ({problem})")


def _family(name: str, where: str) -> None:
    from generator import registry

    if name not in registry.names() and not registry.from_question_file(name):
        raise _Problem(where, f"{quoted(name)} is not a problem family examgen knows")


def _object(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise _Problem(where, "must be an object")


def _text(data: dict[str, Any], name: str, where: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise _Problem(f"{where}.{name}" if where else name, "must be a string")
    return value


CONTACT_RULE = "one word of at most 254 characters, without control characters"


def is_contact(value: Any) -> bool:
    """An email or sid, as a roster gives them (``exam.roster``)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 254
        and value.isprintable()
        and len(value.split()) == 1
        and value == value.strip()
    )


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)
