"""Drill: one question at a time in the terminal, each answer checked at once with the
grader exams use. A wrong answer gets its diagnosis and a hint; a second wrong try shows the
answer and the step that computes it, and the worked solution follows once the question's
last part is answered, so it never gives away a part still to come. Families the student
misses come back more often, and at an easier level; mastered ones less often, and harder.

The session talks through ``Terminal``, so tests drive it with scripted answers, and saves
its progress after every question, so ``--resume`` continues where Ctrl-C stopped it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator import registry
from generator.answers.arithmetic import ArithmeticParseError, evaluate
from generator.answers.types import Score, answer_type_from_json
from generator.errors import ExamgenError
from generator.exam.assemble import Student, assemble_variant
from generator.exam.seeding import secret_key
from generator.exam.spec import ExamSpec, QuestionSpec
from generator.formatting import counted, known_mistake
from generator.grading.scoring import diagnose, score_part
from generator.practice.progress import Progress, Session
from generator.render.pages import render_question
from generator.render.terminal import terminal_text, terminal_width

MAX_COUNT = 500


class DrillError(ExamgenError):
    """Bad drill options: an unknown family or topic."""


@dataclass
class Terminal:
    """How the drill talks to a person. ``ask`` raises EOFError or KeyboardInterrupt when
    the person leaves; the drill then ends cleanly with its summary."""

    ask: Callable[[str], str]
    say: Callable[[str], None]


def choose_families(families: tuple[str, ...], topic: str | None) -> list[str]:
    """The families to drill: those named, else those of the topic, else all."""
    known = registry.names()
    for name in families:
        if name not in known:
            raise DrillError(f"--family: unknown family '{name}' (see `examgen families`)")
    if topic is not None:
        topics = sorted({registry.get(name).topic for name in known})
        if topic not in topics:
            raise DrillError(f"--topic: unknown topic '{topic}' (topics: {', '.join(topics)})")
        chosen = [n for n in (families or known) if registry.get(n).topic == topic]
        if not chosen:
            raise DrillError(f"no family named with --family is in the topic '{topic}'")
        return chosen
    return list(families) or known


def weight(mastery: float) -> float:
    """How often a family comes back: about 17 times as often when always missed as when
    mastered."""
    return 0.25 + 4 * (1 - mastery) ** 2


def difficulty(mastery: float) -> str:
    return "easy" if mastery < 0.35 else "hard" if mastery > 0.8 else "medium"


def next_family(progress: Progress, session: Session) -> str:
    """The family of question ``session.done + 1``: drawn by weight, not the same as the
    last one when there is a choice, and the same draw on every resume."""
    rng = random.Random(f"{session.seed}:{session.done}")
    candidates = [f for f in session.families if f != session.last] or session.families
    weights = [weight(progress.record(f).mastery) for f in candidates]
    return rng.choices(candidates, weights)[0]


def instance(session: Session, family: str, level: str, key: bytes) -> dict[str, Any]:
    """Question ``session.done + 1``, sampled and solved as an exam question is."""
    info = registry.get(family)
    question = QuestionSpec("q", family, 1, level, info.title)
    spec = ExamSpec("drill", "drill", "Drill", "", None, (question,), f"drill {family}")
    variant = assemble_variant(spec, key, "drill", Student(f"q{session.done + 1}"))
    return variant["questions"][0]


def run(
    progress: Progress, terminal: Terminal, save: Callable[[], None], key: bytes | None = None
) -> None:
    """Ask the session's remaining questions; the caller prints the summary."""
    session = progress.session
    assert session is not None
    key = key or secret_key(session.seed)
    while not session.finished:
        family = next_family(progress, session)
        level = difficulty(progress.record(family).mastery)
        question = instance(session, family, level, key)
        tally = ask_question(session.done + 1, session.count, family, level, question, terminal)
        progress.record(family).record(*tally)
        totals = session.tally.setdefault(family, [0, 0, 0])
        session.tally[family] = [a + b for a, b in zip(totals, tally, strict=True)]
        session.done += 1
        session.last = family
        save()


def ask_question(
    number: int, count: int, family: str, level: str, question: dict[str, Any], terminal: Terminal
) -> tuple[int, int, int]:
    """Ask every part of one question; parts right at the first try, after the hint, and
    missed."""
    info = registry.get(family)
    rendered = render_question(family, question)
    say = terminal.say
    heading = f"── Question {number} of {count} · {info.title} ({info.topic}, {level})"
    if len(heading) + 3 <= terminal_width():  # the closing rule only where it fits the line
        heading += " ──"
    say("\n" + terminal_text(heading) + "\n")
    say(terminal_text(rendered["question"]))
    if rendered["choice"]:
        letters = "ABCDEFGHIJ"
        for letter, option in zip(letters, rendered["choice"]["options"], strict=False):
            say(f"  ({letter}) {terminal_text(option)}")
    if any(part["type"]["kind"] == "expression" for part in question["parts"]):
        from generator.answers.equivalence import warm_up
        from generator.answers.guard import prepare

        prepare(warm_up)  # sympy loads while the student reads, not after they answer
    steps = [terminal_text(step, 10**6) for step in question["steps"]]  # one line each
    given: dict[str, Any] = {}
    by_id = {p["id"]: p for p in question["parts"]}
    right = hinted = missed = 0
    hints = {part["id"]: part["hint"] for part in rendered["parts"]}  # none gives a key away
    keys = tuple(str(p["key"]) for p in rendered["parts"])  # as shown: to mask in hints
    cursor = 0  # the worked step of the part before: the next part's is at or after it
    for position, part in enumerate(question["parts"]):
        answer_type = answer_type_from_json(part["type"])
        step = own_step(steps, answer_type, part, cursor)
        cursor = cursor if step is None else step
        # the answers of parts still to come stay hidden, unless one is shown already
        later = tuple(key for key in keys[position + 1 :] if key not in keys[: position + 1])
        label = f"{terminal_text(part['label'])} [{part['id']}]"
        say("\n" + terminal_text(f"{label}  ({hints[part['id']]})"))
        for attempt in (1, 2):
            raw = terminal.ask("second try> " if attempt == 2 else "> ").strip()
            given[part["id"]] = raw
            score = score_part(answer_type, raw, part, given, by_id)
            if score.status == "correct":
                say("✓ correct" + (f": {score.feedback}" if score.feedback else ""))
                right, hinted = (right + 1, hinted) if attempt == 1 else (right, hinted + 1)
                break
            if score.status == "blank":
                say("skipped")
            else:
                say(terminal_text(verdict(answer_type, raw, part, score, reveal=attempt == 2)))
            if attempt == 1 and score.status != "blank":
                clue = _hint(steps, step, answer_type, part, later)
                say(terminal_text(f"Hint: {clue}") if clue else "Think again: one more try.")
                continue
            missed += 1
            # the key is known now: later parts follow from it, not from the answer it replaced
            given[part["id"]] = part["key"]
            say(f"The answer: {answer_type.display(part['key'])}")
            if len(question["parts"]) > 1 and step is not None:
                shown = _masked(steps[step], later)
                say(terminal_text(f"Worked step: {shown}"))
            break
    if missed or hinted:
        say("\nWorked solution:\n" + terminal_text(rendered["solution"]))
    return right, hinted, missed


def own_step(
    steps: list[str], answer_type: Any, part: dict[str, Any], start: int = 0
) -> int | None:
    """Which worked step (``steps``, as plain text) computes ``part``'s key. Steps from
    ``start`` (the previous part's step: parts follow the solution's order, so a second
    POOL2 is the later step) come before the earlier ones; among them, one that states the
    key as a result, at the step's end or before its punctuation ("= 760", "depth is kept,
    16x16x10."), comes before one that only mentions it, and one opening with the part's
    label ("CONV3-32: ..." for "CONV3-32 (layer 5): activation volume") before the others,
    as like layers may share a shape."""
    key = _whole_word(str(answer_type.display(part["key"])))
    head = str(part.get("label", "")).split(" ")[0] + ":"
    ranked = []
    for i, text in enumerate(steps):
        found = [match.end() for match in key.finditer(text)]
        if found:
            result = any(_is_result(text, end) for end in found)
            ranked.append((i < start, not result, not text.startswith(head), i))
    return min(ranked)[-1] if ranked else None


def _is_result(text: str, end: int) -> bool:
    rest = text[end:]
    return rest == "" or (rest[0] in ".,;)" and rest[1:2] in ("", " "))


def part_hint(
    steps: list[str],
    answer_type: Any,
    part: dict[str, Any],
    others: tuple[str, ...] = (),
    start: int = 0,
) -> str | None:
    """The hint for one part: the worked step that computes its key, the result masked as
    ``?`` (ReLU'(-0.2) = ?), so the student sees the method for this part rather than the
    question's first step; ``others``, the keys of the parts still to come (as shown), are
    masked too (``start``: see ``own_step``). Else the first step, when there are
    several. None for true or false and for option letters, where a second try needs no
    method."""
    plain = [terminal_text(step, 10**6) for step in steps]
    return _hint(plain, own_step(plain, answer_type, part, start), answer_type, part, others)


def _hint(
    steps: list[str],
    index: int | None,
    answer_type: Any,
    part: dict[str, Any],
    others: tuple[str, ...],
) -> str | None:
    """``part_hint`` from the plain steps and the index of the part's own (``own_step``)."""
    if part["type"]["kind"] in ("truefalse", "multiselect"):
        return None
    if index is None:
        return steps[0] if len(steps) > 1 else None
    shown = str(answer_type.display(part["key"]))
    key = _whole_word(shown)
    text = steps[index]
    found = list(key.finditer(text))
    if len(shown) > 2:  # 1x10, 0.25: every mention gives it away
        text = key.sub("?", text)
    else:  # 0 or 1: the last is the result, an earlier one an input
        text = text[: found[-1].start()] + "?" + text[found[-1].end() :]
    text = _method_only(text, part["key"])
    return _masked(text, tuple(other for other in others if other != shown))


# A worked count such as "32x1x5x5 + 32 = ?": arithmetic in the course's style just before
# the masked result
_WORKED_ARITHMETIC = re.compile(r"(\d[\d.]*(?:\s*[x×*·+\-−/^]\s*\(?\d[\d.]*\)?)+)(\s*=\s*\?)")


def _method_only(text: str, key: Any) -> str:
    """``text`` with arithmetic that evaluates to the key shown by its shape alone
    (``?x?x?x? + ?``): a count typed as that arithmetic is graded right, so showing it
    would be the answer, while its shape is the method."""

    def shape(match: re.Match[str]) -> str:
        try:
            value = float(evaluate(match[1].replace("−", "-").replace("·", "*")))
            target = float(key)
        except (ArithmeticParseError, ZeroDivisionError, TypeError, ValueError, OverflowError):
            return match[0]
        if abs(value - target) > 1e-9 * max(1.0, abs(target)):
            return match[0]
        return re.sub(r"\d[\d.]*", "?", match[1]) + match[2]

    return _WORKED_ARITHMETIC.sub(shape, text)


def _masked(text: str, keys: tuple[str, ...]) -> str:
    """``text`` with each of ``keys`` shown as ``?``; keys of one or two characters (0, 1),
    as often an input as an answer, only where they stand as a result: at the step's end
    ("Pooling has no parameters: 0")."""
    for key in keys:
        if len(key) > 2:
            text = _whole_word(key).sub("?", text)
        else:
            found = [m for m in _whole_word(key).finditer(text) if _is_result(text, m.end())]
            for match in reversed(found):
                text = text[: match.start()] + "?" + text[match.end() :]
    return text


def _whole_word(text: str) -> re.Pattern[str]:
    """``text`` standing alone: not inside a longer number or word (0.25 in 0.255, 16 in
    16x16, 3 in -3, 128 in FC-128), though a sentence's period may follow it. A minus sign
    is either a hyphen or the U+2212 formulas print."""
    pattern = re.escape(text).replace(r"\-", "[-\u2212]")
    return re.compile(rf"(?<![\w.\-\u2212]){pattern}(?!\w|\.\d)", re.IGNORECASE)


def verdict(answer_type: Any, raw: str, part: dict[str, Any], score: Score, reveal: bool) -> str:
    """What a wrong answer gets: the known mistake it comes from, if any, and the grader's
    feedback unless it names the key before the answer is revealed."""
    if score.status == "invalid":
        return f"✗ cannot read that: {score.feedback}"
    value = answer_type.read_answer(raw)
    mistake = None if isinstance(value, Score) else diagnose(answer_type, value, part)
    head = "✗ not right"
    if score.status == "partial":
        head = f"✗ partly right ({float(score.fraction):.0%})"
    if mistake:
        return f"{head} ({known_mistake(mistake)})"
    if reveal or str(answer_type.display(part["key"])) not in score.feedback:
        return f"{head}: {terminal_text(score.feedback)}"
    return head


def summary(progress: Progress) -> list[str]:
    """Per family drilled in this session: parts right at once, after a hint, missed, and
    the mastery that decides how often the family comes back."""
    session = progress.session
    if session is None or not session.tally:
        return ["No question answered."]
    lines = [f"Summary: {session.done} of {counted(session.count, 'question')}"]
    width = max(len(f) for f in session.tally)
    lines.append(f"  {'family':<{width}}  right  after hint  missed  mastery")
    for family, (right, hinted, missed) in sorted(session.tally.items()):
        mastery = progress.record(family).mastery
        lines.append(f"  {family:<{width}}  {right:>5}  {hinted:>10}  {missed:>6}  {mastery:>6.0%}")
    return lines
