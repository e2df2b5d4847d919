"""After the exam: the instructor's adjustments of a class's keys and points, recorded in one
file beside the key (``instructor/adjustments.toml``) and applied to key.json by every
``regrade``, so grading, feedback, the readable keys and stats all read the adjusted key.

An adjustment names what an instructor knows, never a place in a file: a question id
(``tfa``), a part of one (``table.row2.shape``), a bank item (``lr-decay``, in whichever slot
each variant drew it), or a family (``conv_output_size``, ``conv_output_size.size``). It
applies to every variant where its target occurs:

- ``key_fix``: the part's key is VALUE; for a computed family, ``QID.GIVEN=VALUE`` solves
  each variant's question again with the given corrected;
- ``accept``: VALUE earns the marks too (several ``accept`` for several readings);
- ``full_credit``: the question's whole points for everyone;
- ``drop``: the question counts for no one;
- ``manual``: a student's points for a question, with a comment (work on paper).

The letters of a multiple-choice bank item name its options as the bank writes them (A the
first): each variant's shuffle is undone here. Applying is idempotent: what an earlier
application set (accepted answers, credit, manual points, notes, drops) is cleared and set
again from the file, and a key fix keeps the question as generated (``generated``) and
applies to that, so removing any entry from the file and regrading undoes it. A key fix
records the key it replaced (``was``) for the instructor to read.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import registry
from generator.answers.types import Invalid, answer_type_from_json
from generator.errors import ExamgenError, GivenError, KeyFileError, printable, quoted
from generator.exam.key_text import key_text
from generator.exam.manifest import read_key
from generator.family import plain_json, scaled_to_key
from generator.files.encoding import compact_json_bytes
from generator.files.reading import read_text
from generator.files.tables import csv_table
from generator.files.writing import write_file
from generator.formatting import format_points

ADJUSTMENTS = "adjustments.toml"
KINDS = ("key_fix", "accept", "full_credit", "drop")
_VALUED = ("key_fix", "accept")
_MAX_FILE_BYTES = 50_000_000
_LETTERS = "ABCDEFGHIJ"
_BANK_CHOICE = "concept_choice"
_BANK_TF = "concept_tf"
# what applying sets in a variant's question or part, cleared before each application
_SET_IN_QUESTION = ("full_credit", "manual", "dropped", "adjusted")
_SET_IN_PART = ("accept",)
# what a key fix rewrites in a question, kept as generated under _GENERATED
_FIXED = ("params", "answers", "steps", "parts")
_GENERATED = "generated"


class AdjustmentError(ExamgenError):
    """An adjustment that names nothing in the key, or a value its part cannot hold."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")


@dataclass
class Action:
    kind: str  # one of KINDS
    target: str
    value: str | None = None  # key_fix and accept: as the instructor wrote it
    was: str | None = None  # key_fix: the key it replaced, as a person reads it
    option: str = ""  # the command-line option that asked for it now; not recorded


@dataclass
class Manual:
    student: str
    question: str
    points: int | float
    comment: str = ""
    origin: str = ""  # the CSV file and line it was read from now; not recorded


@dataclass
class Adjustments:
    actions: list[Action] = field(default_factory=list)
    manual: list[Manual] = field(default_factory=list)

    def add(self, action: Action) -> None:
        """Record ``action``: a key fix replaces an earlier one of its target (keeping what
        the key first was), the same action twice is recorded once."""
        for n, earlier in enumerate(self.actions):
            if earlier.kind == action.kind == "key_fix" and earlier.target == action.target:
                fixed = Action("key_fix", action.target, action.value, earlier.was, action.option)
                self.actions[n] = fixed
                return
            if (earlier.kind, earlier.target, earlier.value) == (
                action.kind,
                action.target,
                action.value,
            ):
                return
        self.actions.append(action)

    def add_manual(self, rows: list[Manual]) -> None:
        """Record manual points: a row replaces an earlier one for its student and question."""
        fresh = {(row.student, row.question) for row in rows}
        self.manual = [m for m in self.manual if (m.student, m.question) not in fresh] + rows


# ---------------------------------------------------------------------------- the file


def adjustments_file(key_file: Path) -> Path:
    return key_file.parent / ADJUSTMENTS


def read_adjustments(path: Path) -> Adjustments:
    """The adjustments recorded in ``path``; none when it does not exist. A hand edit that
    broke it is refused on one line naming the entry and field."""
    if not path.exists():
        return Adjustments()
    source = str(path)
    text = read_text(path, _MAX_FILE_BYTES, KeyFileError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KeyFileError(source, f"not TOML: {error}") from None
    unknown = [name for name in data if name not in (*KINDS, "manual")]
    if unknown:
        raise KeyFileError(
            source, f"unknown table [[{unknown[0]}]] (known: {', '.join(KINDS)}, manual)"
        )
    found = Adjustments()
    for kind in KINDS:
        for n, entry in enumerate(_entries(data, kind, source)):
            where = f"{kind}[{n}]"
            _known_fields(entry, kind, where, source)
            target = _string(entry, "target", where, source)
            value = _string(entry, "value", where, source) if kind in _VALUED else None
            was = entry.get("was")
            if was is not None and not isinstance(was, str):
                raise KeyFileError(source, f"{where}.was must be a string")
            if kind == "key_fix" and any(a.target == target for a in found.actions):
                raise KeyFileError(source, f"{where}: a second key fix of {quoted(target)}")
            found.actions.append(Action(kind, target, value, was))
    for n, entry in enumerate(_entries(data, "manual", source)):
        where = f"manual[{n}]"
        _known_fields(entry, "manual", where, source)
        points = entry.get("points")
        if type(points) not in (int, float) or not math.isfinite(points):
            raise KeyFileError(source, f"{where}.points must be a number")
        comment = entry.get("comment", "")
        if not isinstance(comment, str):
            raise KeyFileError(source, f"{where}.comment must be a string")
        student = _string(entry, "student", where, source)
        question = _string(entry, "question", where, source)
        if any((m.student, m.question) == (student, question) for m in found.manual):
            raise KeyFileError(
                source, f"{where}: a second entry of {quoted(student)} for {quoted(question)}"
            )
        found.manual.append(Manual(student, question, points, comment))
    return found


_FIELDS = {
    "key_fix": ("target", "value", "was"),
    "accept": ("target", "value"),
    "full_credit": ("target",),
    "drop": ("target",),
    "manual": ("student", "question", "points", "comment"),
}


def _known_fields(entry: dict[str, Any], kind: str, where: str, source: str) -> None:
    """Refuse a field an entry of ``kind`` does not have: a hand edit's slip, such as
    ``vlaue``, would otherwise be dropped without a word."""
    for name in entry:
        if name not in _FIELDS[kind]:
            known = ", ".join(_FIELDS[kind])
            raise KeyFileError(
                source, f"{where}: unknown field {quoted(name)} of [[{kind}]] (fields: {known})"
            )


def _entries(data: dict[str, Any], kind: str, source: str) -> list[dict[str, Any]]:
    entries = data.get(kind, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise KeyFileError(source, f"{kind} must be an array of tables ([[{kind}]])")
    return entries


def _string(entry: dict[str, Any], name: str, where: str, source: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise KeyFileError(source, f"{where}.{name} must be a non-empty string")
    return value.strip()


_HEADER = """\
# The instructor's adjustments of this exam after it was sat. `examgen regrade` records
# each action here and applies them all to key.json every time it runs: edit or remove an
# entry and regrade to change it. Targets are question ids (tfa), parts (table.row2.shape),
# bank items (lr-decay) or families; a choice item's letters name its options as the bank
# writes them. `was` is the key a fix replaced.
"""


def adjustments_text(adjustments: Adjustments) -> str:
    """The file's TOML: a table per action, in the order they were recorded."""
    blocks = [_HEADER]
    for kind in KINDS:
        for action in (a for a in adjustments.actions if a.kind == kind):
            lines = [f"[[{kind}]]", f"target = {_toml(action.target)}"]
            if action.value is not None:
                lines.append(f"value = {_toml(action.value)}")
            if action.was is not None:
                lines.append(f"was = {_toml(action.was)}")
            blocks.append("\n".join(lines) + "\n")
    for row in adjustments.manual:
        lines = [
            "[[manual]]",
            f"student = {_toml(row.student)}",
            f"question = {_toml(row.question)}",
            f"points = {row.points!r}",
            f"comment = {_toml(row.comment)}",
        ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _toml(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML escapes."""
    return compact_json_bytes(text).decode().replace("\x7f", "\\u007f")


# ---------------------------------------------------------------------- what the CLI says


def parse_assignment(text: str, option: str) -> tuple[str, str]:
    """``ITEM=VALUE`` of ``--key-fix`` or ``--accept``."""
    target, equals, value = text.partition("=")
    if not equals or not target.strip() or not value.strip():
        raise AdjustmentError(option, f"{quoted(text)} must be ITEM=VALUE, such as lr-decay=false")
    return target.strip(), value.strip()


_STUDENT_COLUMNS = ("student", "student_id", "id", "sid", "student id", "sis user id")
_QUESTION_COLUMNS = ("question", "question_id", "qid")


def read_manual_csv(path: Path) -> list[Manual]:
    """The rows of a CSV of manual points: student, question, points, and an optional
    comment, under a header naming them (``student_id`` and ``Student ID`` are read as
    ``student``); a colleague's file, so anything odd is refused naming its line."""
    source = str(path)
    text = read_text(path, _MAX_FILE_BYTES, KeyFileError)
    header, rows = csv_table(text, source, KeyFileError)
    columns = [cell.strip().lower() for cell in header]

    def column(names: tuple[str, ...], what: str) -> int:
        for name in names:
            if name in columns:
                return columns.index(name)
        raise KeyFileError(
            source, f"line 1: the header names no {what} column ({', '.join(names[:2])})"
        )

    student, question = column(_STUDENT_COLUMNS, "student"), column(_QUESTION_COLUMNS, "question")
    points = column(("points", "score"), "points")
    comment = columns.index("comment") if "comment" in columns else None
    manual = []
    lines: dict[tuple[str, str], int] = {}  # the line of each student's question
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue

        def cell(at: int | None, cells: list[str] = cells) -> str:
            return cells[at].strip() if at is not None and at < len(cells) else ""

        value = cell(points).replace(",", ".") if ";" in text[:200] else cell(points)
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise KeyFileError(
                source, f"line {line}: points {quoted(cell(points))} must be a number"
            )
        comment_text = " ".join(cell(comment).split())
        if len(comment_text) > 500:
            raise KeyFileError(source, f"line {line}: a comment must be at most 500 characters")
        whole = int(number) if number.is_integer() else number
        row = Manual(cell(student), cell(question), whole, printable(comment_text))
        first = lines.setdefault((row.student, row.question), line)
        if first != line:  # which of the two the instructor meant is theirs to say
            raise KeyFileError(
                source,
                f"lines {first} and {line} both give points to {quoted(row.student)} for "
                f"{quoted(row.question)}: keep one",
            )
        row.origin = f"{source}: line {line}"
        manual.append(row)
    if not manual:
        raise KeyFileError(source, "no rows of points")
    return manual


# --------------------------------------------------------------------------- applying


@dataclass
class Hit:
    """Where a target occurs: a variant's question, its parts named or all, or a given."""

    variant: int
    question: int
    parts: list[str] | None  # None: every part of the question
    given: str | None = None


@dataclass
class Applied:
    changed: list[int]  # indexes of the variants whose part of key.json changed
    lines: list[str]  # what each action did, for the instructor
    resolved: list[int]  # indexes of variants solved again from a corrected given


def apply_adjustments(manifest: dict[str, Any], adjustments: Adjustments, source: str) -> Applied:
    """Apply every adjustment to ``manifest`` (key.json, read), in place; refuses, naming
    ``source`` (the adjustments file) and the entry, one that names nothing in the key or
    a value its part cannot hold."""
    before = [compact_json_bytes(v) for v in manifest["variants"]]
    for variant in manifest["variants"]:
        for question in variant["questions"]:
            # a key fix applies to the key as generated: an entry deleted from the file
            # leaves the question as it was made
            question.update(_generated(question, variant, source))
            for name in _SET_IN_QUESTION:
                question.pop(name, None)
            for part in question["parts"]:
                for name in _SET_IN_PART:
                    part.pop(name, None)
    lines: list[str] = []
    resolved: set[int] = set()
    dropped: list[str] = []  # from the file alone: a drop deleted from it is undone
    for n, action in enumerate(adjustments.actions):
        where = printable(action.option) or f"{source}: {action.kind}[{n}] {quoted(action.target)}"
        hits = resolve(manifest, action.target, where, action.kind == "key_fix")
        if action.kind == "drop" and action.target in _question_ids(manifest):
            dropped.append(action.target)
        lines.append(_apply(manifest, action, hits, where, resolved, dropped))
    manifest["dropped"] = [q for q in _question_ids(manifest) if q in dropped]
    if not manifest["dropped"]:
        del manifest["dropped"]
    by_student = {v["student_id"]: n for n, v in enumerate(manifest["variants"])}
    for n, row in enumerate(adjustments.manual):
        where = row.origin or f"{source}: manual[{n}]"
        lines.append(_apply_manual(manifest, row, by_student, where))
    after = [compact_json_bytes(v) for v in manifest["variants"]]
    changed = [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    return Applied(changed, [printable(line) for line in lines if line], sorted(resolved))


def _question_ids(manifest: dict[str, Any]) -> list[str]:
    return [q["id"] for q in manifest["questions"]]


def resolve(manifest: dict[str, Any], target: str, where: str, givens: bool = False) -> list[Hit]:
    """Every place ``target`` names: a question id, a bank item or a family, then
    optionally ``.PART`` (or, with ``givens``, ``.GIVEN`` of a computed family)."""
    ids = _question_ids(manifest)
    families = {q["id"]: q["family"] for q in manifest["questions"]}
    head, rest = (target, "") if target in ids else target.partition(".")[::2]
    if head in ids:
        slots = [(n, ids.index(head)) for n in range(len(manifest["variants"]))]
    elif head in families.values():
        slots = [
            (n, m)
            for n in range(len(manifest["variants"]))
            for m, qid in enumerate(ids)
            if families[qid] == head
        ]
    else:
        slots = [
            (n, m)
            for n, variant in enumerate(manifest["variants"])
            for m, question in enumerate(variant["questions"])
            if question.get("params", {}).get("item") == head
        ]
        if not slots:
            raise AdjustmentError(
                where,
                f"no question, bank item or family {quoted(head)} in the key "
                f"(questions: {', '.join(ids)})",
            )
    hits = []
    for n, m in slots:
        question = manifest["variants"][n]["questions"][m]
        part_ids = [p["id"] for p in question["parts"]]
        if not rest:
            hits.append(Hit(n, m, None))
        elif rest in part_ids:
            hits.append(Hit(n, m, [rest]))
        elif givens and registry.from_question_file(families[ids[m]]):
            # the question file is not kept with the exam: nothing could solve it again
            raise AdjustmentError(
                where,
                f"{quoted(rest)} is no part of {ids[m]} (parts: {', '.join(part_ids)}), and "
                f"{ids[m]} is from a question file, whose givens cannot be corrected after "
                f"the exam: fix its key ({ids[m]}.{part_ids[0]}=VALUE) or credit it instead",
            )
        elif givens and rest in registry.get(families[ids[m]]).givens:
            hits.append(Hit(n, m, None, rest))
        else:
            known = ", ".join(part_ids)
            also = " or a given of its family" if givens else ""
            raise AdjustmentError(
                where, f"{quoted(rest)} is no part{also} of {ids[m]} (parts: {known})"
            )
    return hits


def _apply(
    manifest: dict[str, Any],
    action: Action,
    hits: list[Hit],
    where: str,
    resolved: set[int],
    dropped: list[str],
) -> str:
    questions = [(manifest["variants"][h.variant]["questions"][h.question], h) for h in hits]
    slots = sorted(
        {manifest["questions"][h.question]["id"] for h in hits}, key=_question_ids(manifest).index
    )
    scope = f"in {len(hits)} variant{'s' if len(hits) != 1 else ''} ({', '.join(slots)})"
    if action.kind == "full_credit":
        for question, _ in questions:
            question["full_credit"] = True
            _note(
                question,
                "Full credit for everyone: the instructor credited this question after the exam.",
            )
        return f"full credit for {action.target} {scope}"
    if action.kind == "drop":
        for question, _ in questions:
            if action.target not in dropped:  # a whole question is dropped in the header
                question["dropped"] = True
        return f"dropped {action.target} {scope}"
    if action.kind == "key_fix" and hits and hits[0].given is not None:
        return _fix_given(manifest, action, hits, where, resolved, scope)
    value = action.value or ""
    items = sorted({str(q["params"]["item"]) for q, _ in questions if "item" in q["params"]})
    if len(items) > 1:
        shown = ", ".join(items[:3]) + (", ..." if len(items) > 3 else "")
        problem = f"it holds {len(items)} different bank items ({shown}): name the item"
        raise AdjustmentError(where, problem)
    olds: set[str] = set()
    for question, hit in questions:
        family = _family(manifest, hit)
        part = _one_part(question, hit, where)
        answer_type = answer_type_from_json(part["type"])
        shown = _to_variant(value, question, family, where)
        label = f"{question['id']}.{part['id']}"
        new = _key_value(part["type"], shown, f"{where}: {label}", part["key"])
        if action.kind == "accept":
            part.setdefault("accept", [])
            if new not in part["accept"]:
                part["accept"].append(new)
            shown = answer_type.display(new)
            _note(question, f"Also accepted for {part['id']} after the exam: {shown}.")
            continue
        old = part["key"]
        olds.add(_to_bank(answer_type.display(old), question, family))
        if answer_type.agrees(answer_type.read_key(new), answer_type.read_key(old)):
            continue  # the key as generated, or fixed by an earlier action of this file
        _keep_generated(question)
        _fix_key(question, family, part, old, new)
    if action.kind == "accept":
        return f"accepted {action.target} = {value} {scope}"
    if len(olds) > 1:
        raise AdjustmentError(
            where,
            f"its key differs between variants ({', '.join(sorted(olds)[:4])}): one value cannot "
            "fix them all; name a bank item, or a given of a computed family (QID.GIVEN=VALUE)",
        )
    if action.was is None and olds:
        action.was = olds.pop()
    return f"key of {action.target}: {value} (was {action.was}) {scope}"


def _generated(question: dict[str, Any], variant: dict[str, Any], source: str) -> dict[str, Any]:
    """What ``question`` held as generated, taken out of it: none when no key fix touched it;
    a hand edit that broke it is refused naming the variant and question."""
    kept = question.pop(_GENERATED, {})
    if not isinstance(kept, dict) or any(name not in _FIXED for name in kept):
        where = f"{variant.get('student_id')} {question.get('id')}"
        key_file = str(Path(source).parent / "key.json")  # beside the adjustments file
        raise KeyFileError(key_file, f"{where}: {_GENERATED} must hold {', '.join(_FIXED)} only")
    return kept


def _keep_generated(question: dict[str, Any]) -> None:
    """Keep what a key fix rewrites in ``question`` as generated, once, for the next
    application to start from."""
    if _GENERATED not in question:
        kept = {name: question[name] for name in _FIXED if name in question}
        question[_GENERATED] = copy.deepcopy(kept)


def _family(manifest: dict[str, Any], hit: Hit) -> str:
    return manifest["questions"][hit.question]["family"]


def _one_part(question: dict[str, Any], hit: Hit, where: str) -> dict[str, Any]:
    parts = question["parts"]
    if hit.parts is None and len(parts) > 1:
        names = ", ".join(f"{question['id']}.{p['id']}" for p in parts)
        raise AdjustmentError(where, f"{question['id']} has several parts: name one ({names})")
    wanted = hit.parts[0] if hit.parts else parts[0]["id"]
    return next(p for p in parts if p["id"] == wanted)


def _key_value(answer_type_json: dict[str, Any], text: str, where: str, old: Any = None) -> Any:
    """``text``, read by the part's own answer type, as key.json holds a key of that type: a
    number where the key it replaces, ``old``, was one (a spatial size of 28), a matrix as
    lists of numbers, else the text; refused, naming ``where``, when the type cannot read
    it back."""
    answer_type = answer_type_from_json(answer_type_json)
    value = answer_type.read(text)
    if isinstance(value, Invalid):
        raise AdjustmentError(
            where, f"{quoted(text)} is no {answer_type.kind} answer: {value.message}"
        )
    kind = answer_type_json["kind"]
    if kind in ("truefalse", "integer"):
        return value
    if kind == "multiselect":
        return "".join(sorted(value))
    if kind == "real":
        return value if isinstance(value, int) else float(value)
    if kind == "matrix":
        stored = _matrix_json(value)
        if isinstance(old, list) and _dimensions(stored) != _dimensions(old):
            raise AdjustmentError(where, f"{quoted(text)} is {_size(stored)}, the key {_size(old)}")
        return stored
    number = _given_value(text)
    if type(old) in (int, float) and type(number) in (int, float):
        stored: Any = number
    else:
        stored = text
    try:  # a key stored in a form its type cannot show or read back would break every page
        answer_type.display(stored)
        readable = answer_type.agrees(answer_type.read_key(stored), value)
    except (ValueError, TypeError, IndexError):
        readable = False
    if not readable:
        raise AdjustmentError(where, f"{quoted(text)} cannot be kept as a {kind} key")
    return stored


def _dimensions(key: list[Any]) -> tuple[int, ...]:
    """A vector's length, or a matrix's rows and the length of each row."""
    return (len(key), *(len(row) for row in key if isinstance(row, list)))


def _size(key: list[Any]) -> str:
    dimensions = _dimensions(key)
    if len(dimensions) == 1:
        return f"{dimensions[0]} entries"
    return f"{dimensions[0]}x{dimensions[1]}"


def _matrix_json(value: Any) -> Any:
    """A parsed vector or matrix as key.json holds one: lists of numbers, whole ones ints."""
    if isinstance(value, tuple):
        return [_matrix_json(item) for item in value]
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _to_variant(value: str, question: dict[str, Any], family: str, where: str) -> str:
    """A bank choice item's letters, as the bank writes its options, as this variant shows
    them; any other value as it is."""
    if family != _BANK_CHOICE:
        return value
    order = question["params"].get("order", [])
    letters = [ch for ch in value.upper() if not ch.isspace() and ch not in ",;"]
    shown = []
    for letter in letters:
        at = _LETTERS.find(letter)
        if at < 0 or at >= len(order):
            raise AdjustmentError(
                where,
                f"{quoted(value)} names no option of the item (A to {_LETTERS[len(order) - 1]})",
            )
        shown.append(_LETTERS[order.index(at)])
    return "".join(sorted(shown))


def _to_bank(shown: str, question: dict[str, Any], family: str) -> str:
    if family != _BANK_CHOICE:
        return shown
    order = question["params"].get("order", [])
    return "".join(
        sorted(_LETTERS[order[_LETTERS.index(ch)]] for ch in shown if ch in _LETTERS[: len(order)])
    )


def _fix_key(
    question: dict[str, Any], family: str, part: dict[str, Any], old: Any, new: Any
) -> None:
    """Give ``part`` the key ``new`` and make the question's answers and worked steps say
    it; where a step cannot be rewritten, say that it was written for the old key."""
    answer_type = answer_type_from_json(part["type"])
    old_text, new_text = answer_type.display(old), answer_type.display(new)
    part["key"] = new
    read_new = answer_type.read_key(new)
    known = part.get("mistakes", [])
    keyed = [m for m in known if answer_type.agrees(answer_type.read_key(m["value"]), read_new)]
    part["mistakes"] = [m for m in known if m not in keyed]
    if not part["mistakes"]:
        del part["mistakes"]
    for mistake in keyed:  # it gives the key now: this part no longer tells it apart
        diagnosis = mistake["diagnosis"]
        if diagnosis in part.get("tells_apart", []):
            part["tells_apart"].remove(diagnosis)
            part.setdefault("same_as_key", []).append(diagnosis)
    if "tells_apart" in part and not part["tells_apart"]:
        del part["tells_apart"]
    answers, steps = question.get("answers", {}), question.get("steps", [])
    note = f"{_key_of(question, part)} corrected after the exam: was {old_text}, now {new_text}."
    if family == _BANK_TF and steps:
        word = "True" if new else "False"
        explanation = (
            steps[0].split(". ", 1)[1] if steps[0].startswith(("True. ", "False. ")) else steps[0]
        )
        steps[0] = (
            f"{word}. (Corrected after the exam: the key was {old_text}; the explanation that "
            f"follows was written for that key.) {explanation}"
        )
        answers["answer"] = new
    elif family == _BANK_CHOICE and "options" in answers:
        answers["answer"] = new
        for n, option in enumerate(answers["options"]):
            verdict = "correct" if _LETTERS[n] in new else "not correct"
            steps[n] = f"{_LETTERS[n]}: {verdict} ({option})"
        steps.append(f"({note} The explanation above was written for the old key.)")
    else:
        if part["id"] in answers and answers[part["id"]] == old:
            answers[part["id"]] = new
        steps.append(f"({note} The steps above reach the old key.)")
    _note(question, note)


def _fix_given(
    manifest: dict[str, Any],
    action: Action,
    hits: list[Hit],
    where: str,
    resolved: set[int],
    scope: str,
) -> str:
    """Solve each hit's question again with the given corrected, with the family's own
    solver: its keys, answers and worked steps are the new givens'."""
    name = hits[0].given or ""
    for hit in hits:
        question = manifest["variants"][hit.variant]["questions"][hit.question]
        family = registry.get(_family(manifest, hit))
        if "choice" in question:
            raise AdjustmentError(
                where, f"{question['id']} was asked as multiple choice: fix its key letters instead"
            )
        raw = {**question["params"], name: _given_value(action.value or "")}
        try:
            params = family.read_givens(raw)
            solution = family.solved(params)
        except GivenError as error:
            raise AdjustmentError(where, str(error)) from None
        parts = {p.id: scaled_to_key(p) for p in family.parts(params, solution)}
        if sorted(parts) != sorted(p["id"] for p in question["parts"]):
            raise AdjustmentError(
                where, f"the corrected {name} changes the parts of {question['id']}"
            )
        if params == question["params"]:
            continue
        was = question["params"].get(name)
        _keep_generated(question)
        question["params"] = plain_json(params)
        question["answers"] = plain_json(solution.answers)
        question["steps"] = list(solution.steps)
        for part in question["parts"]:
            part["key"] = plain_json(parts[part["id"]].key)
            for stale in ("mistakes", "tells_apart", "same_as_key", "follows"):
                if stale in part and stale != "follows":
                    del part[stale]  # named for the old givens
            if "follows" in part and "input" in part["follows"]:
                part["follows"]["input"] = question["params"].get("input", part["follows"]["input"])
        _note(
            question,
            f"Solved again after the exam with {name} = {action.value} (the sheet said {was}).",
        )
        resolved.add(hit.variant)
        if action.was is None:
            action.was = str(was)
    return f"{action.target} = {action.value} (was {action.was}): solved again {scope}"


def _given_value(text: str) -> Any:
    """A given as typed: a number when it reads as one, else the text (readers take both)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _key_of(question: dict[str, Any], part: dict[str, Any]) -> str:
    return f"Key of {part['id']}" if len(question["parts"]) > 1 else "Key"


def _note(question: dict[str, Any], text: str) -> None:
    notes = question.setdefault("adjusted", [])
    if text not in notes:
        notes.append(text)


def _apply_manual(
    manifest: dict[str, Any], row: Manual, by_student: dict[str, int], where: str
) -> str:
    if row.student not in by_student:
        raise AdjustmentError(where, f"no student {quoted(row.student)} in the key")
    variant = manifest["variants"][by_student[row.student]]
    ids = _question_ids(manifest)
    if row.question not in ids:
        raise AdjustmentError(
            where, f"no question {quoted(row.question)} (questions: {', '.join(ids)})"
        )
    most = manifest["questions"][ids.index(row.question)]["points"]
    if not 0 <= row.points <= most:
        raise AdjustmentError(
            where, f"points {row.points:g} must be from 0 to {most:g}, the question's"
        )
    question = variant["questions"][ids.index(row.question)]
    question["manual"] = {"points": row.points, "comment": row.comment}
    text = f"Points set by the instructor: {format_points(row.points)} of {format_points(most)}"
    _note(question, text + (f". {row.comment}" if row.comment else "."))
    return ""


def adjust_key(
    key_file: Path, actions: list[Action], manual: list[Manual]
) -> tuple[dict[str, Any], Applied]:
    """Record ``actions`` and ``manual`` points in the adjustments file beside ``key_file``,
    apply every recorded adjustment to key.json, and write both where they changed, each
    atomically; key.json as it now is, and what applying did. Nothing is written when an
    adjustment is refused."""
    manifest = read_key(key_file)
    path = adjustments_file(key_file)
    recorded = read_adjustments(path)
    if not path.exists():
        # a drop an earlier examgen wrote into key.json itself, before this file recorded
        # adjustments: recorded now, or the first regrade would count the question again
        for question in manifest.get("dropped", []):
            recorded.add(Action("drop", question))
    for action in actions:
        recorded.add(action)
    recorded.add_manual(manual)
    dropped = list(manifest.get("dropped", []))
    applied = apply_adjustments(manifest, recorded, str(path))
    if applied.changed or manifest.get("dropped", []) != dropped:
        write_file(key_file, key_text(manifest)[0])
    if recorded.actions or recorded.manual or path.exists():
        text = adjustments_text(recorded).encode()
        if not path.exists() or read_text(path, _MAX_FILE_BYTES, KeyFileError).encode() != text:
            write_file(path, text)
    return manifest, applied
