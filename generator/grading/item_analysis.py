"""Item analysis that follows the items, not the slots: each bank item (``lr-decay``) across
the slots variants drew it in, and each computed family across its questions, with how hard
it was, how well it separates strong students from weak, and what students answered; items
that behave like a flawed key come first, each with the ``regrade`` command that would fix it.

A shuffled exam puts ten bank statements in slot ``tfa``: its per-slot figures mix them, so
an answer distribution per slot says nothing. A report's question names its bank item
(``origin``, from key.json's ``params.item``), and a choice item the order its options were
shown in, so the answers are counted in the bank's own letters (A its first option) --
the letters ``regrade --key-fix ITEM=...`` takes.
"""

from __future__ import annotations

import math
import shlex
from collections import Counter, defaultdict
from typing import Any

from generator.errors import printable

UPPER_LOWER = 0.27  # Kelley's upper and lower groups
_LETTERS = "ABCDEFGHIJ"
# No item is called flawed on little evidence: a correlation over a handful of students swings
# past -0.2 by chance, and a strong group's choice needs a few of them.
_MIN_STUDENTS = 10
_NEGATIVE = -0.2
_MIN_STRONG = 3
_SHOWN = 6  # answers listed per item


def item_rows(report: dict[str, Any], grades: str = "GRADES") -> list[dict[str, Any]]:
    """Per bank item and per computed family: students, slots, difficulty, discrimination,
    the answers given (``answers``: share of students per answer, the key marked), and for
    an item that looks flawed the reason and the command that would fix it (``flag``,
    ``command``); the flawed first, the most negative discrimination first."""
    submissions = report["submissions"]
    totals = [s["points"] for s in submissions]
    order = sorted(range(len(submissions)), key=lambda i: totals[i])
    group = max(1, round(UPPER_LOWER * len(submissions)))
    upper, lower = set(order[-group:]), set(order[:group])
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for index, submission in enumerate(submissions):
        for question in submission["questions"]:
            if not question["parts"] or not question["max_points"]:
                continue  # dropped
            origin = question.get("origin") if isinstance(question.get("origin"), dict) else {}
            item = origin.get("item")
            kind, name = ("item", item) if isinstance(item, str) else ("family", question["family"])
            entry = entries.setdefault(
                (kind, name),
                {
                    "kind": kind,
                    "id": name,
                    "family": question["family"],
                    "slots": Counter(),
                    "scores": [],
                    "rest": [],
                    "upper": [],
                    "lower": [],
                    "answers": Counter(),
                    "options": Counter(),  # a choice item's: students choosing each
                    "choices": 0,  # how many options the item has
                    "upper_answers": Counter(),
                    "keys": Counter(),
                    "parts": Counter(),
                },
            )
            fraction = question["points"] / question["max_points"]
            entry["slots"][question["id"]] += 1
            entry["scores"].append(fraction)
            entry["rest"].append(totals[index] - question["points"])
            for part in question["parts"]:
                entry["parts"][part["id"]] += 1
            answer, key = _answer_and_key(question, origin, kind)
            entry["answers"][answer] += 1
            order = origin.get("order")
            if kind == "item" and isinstance(order, list) and set(answer) <= set(_LETTERS):
                entry["choices"] = len(order)
                entry["options"].update(ch for ch in answer if ch in _LETTERS[: len(order)])
            entry["keys"][key] += 1
            if index in upper:
                entry["upper"].append(fraction)
                entry["upper_answers"][answer] += 1
            if index in lower:
                entry["lower"].append(fraction)
    rows = [_row(entry, grades) for entry in entries.values()]
    rows.sort(key=lambda r: (r["flag"] is None, r["point_biserial"] or 0.0, r["kind"], r["id"]))
    return rows


def _answer_and_key(question: dict[str, Any], origin: dict[str, Any], kind: str) -> tuple[str, str]:
    """What the student answered and the key, as one text each: a bank item's in the
    bank's terms (true/false, the bank's option letters); a family's part by part."""
    parts = question["parts"]
    if kind == "item" and len(parts) == 1:
        part = parts[0]
        order = origin.get("order")
        return _bank(part.get("answer"), order), _bank(part.get("key"), order)
    # a report of examgen before 0.3 holds no key: every answer is then under one key, None
    shown = [f"{p['id']}={_text(p.get('answer'))}" for p in parts]
    keys = [f"{p['id']}={_text(p.get('key'))}" for p in parts]
    return "; ".join(shown), "; ".join(keys)


def _bank(value: Any, order: Any) -> str:
    """A true/false answer as true or false, a choice answer in the bank's letters; blank
    and anything else as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _text(value)
    if not isinstance(order, list):
        word = text.strip().lower().rstrip(".")
        return {"t": "true", "true": "true", "f": "false", "false": "false"}.get(word, text)
    letters = sorted({ch for ch in text.upper() if ch in _LETTERS[: len(order)]})
    if not letters or any(not (ch.isspace() or ch in ",;" or ch in letters) for ch in text.upper()):
        return text
    return "".join(sorted(_LETTERS[order[_LETTERS.index(ch)]] for ch in letters))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    return printable(" ".join(str(value).split())[:40])


def _row(entry: dict[str, Any], grades: str) -> dict[str, Any]:
    n = len(entry["scores"])
    key = entry["keys"].most_common(1)[0][0]
    one_key = len(entry["keys"]) == 1
    pb = correlation(entry["scores"], entry["rest"])
    upper = sum(entry["upper"]) / len(entry["upper"]) if entry["upper"] else 0.0
    lower = sum(entry["lower"]) / len(entry["lower"]) if entry["lower"] else 0.0
    answers = [
        {"answer": answer, "students": count, "share": count / n, "key": one_key and answer == key}
        for answer, count in entry["answers"].most_common(_SHOWN)
    ]
    row = {
        "kind": entry["kind"],
        "id": entry["id"],
        "family": entry["family"],
        "slots": sorted(entry["slots"]),
        "students": n,
        "difficulty": sum(entry["scores"]) / n,
        "point_biserial": pb,
        "upper_lower": upper - lower,
        "key": key if one_key else None,
        "answers": answers,
        # a multiple-choice item's options, in the bank's letters: the share choosing each
        "options": [
            {
                "option": letter,
                "share": entry["options"][letter] / n,
                "key": one_key and letter in key,
            }
            for letter in _LETTERS[: entry["choices"]]
        ],
        "flag": None,
        "command": None,
    }
    upper_answers = entry["upper_answers"]
    favourite, count = upper_answers.most_common(1)[0] if upper_answers else ("", 0)
    strong_wrong = (
        one_key
        and favourite not in (key, "(blank)")
        and count >= _MIN_STRONG
        and count > upper_answers.get(key, 0)
    )
    negative = pb is not None and pb <= _NEGATIVE
    if n >= _MIN_STUDENTS and (strong_wrong or negative):
        reasons = []
        if negative:
            reasons.append(f"negative discrimination ({pb:.2f})")
        if strong_wrong:
            reasons.append(f"the strongest students chose {favourite} over the key {key}")
        row["flag"] = "; ".join(reasons)
        row["command"] = _command(entry, key, favourite if strong_wrong else None, grades)
    return row


def _command(entry: dict[str, Any], key: str, favourite: str | None, grades: str) -> str:
    """The regrade that would settle a flawed-looking item: its key fixed to what the strong
    students chose, where that is one answer of one part; else full credit for everyone."""
    target = entry["id"] if entry["kind"] == "item" else sorted(entry["slots"])[0]
    parts = list(entry["parts"])
    action = f"--full-credit {shlex.quote(target)}"
    if favourite is not None and entry["kind"] == "item":
        action = f"--key-fix {shlex.quote(f'{target}={favourite}')}"
    elif favourite is not None and len(parts) == 1 and len(entry["slots"]) == 1:
        value = favourite.partition("=")[2]
        action = f"--accept {shlex.quote(f'{target}={value}')}"
    return f"examgen regrade {shlex.quote(grades)} {action}"


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's correlation of two lists (a question's scores and the rest of each total:
    the point-biserial discrimination); None for fewer than 3 students or no spread."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def slot_items(report: dict[str, Any]) -> dict[str, int]:
    """How many bank items each slot held across the class: a slot of several has no
    per-slot answer distribution worth reading."""
    held: dict[str, set[str]] = defaultdict(set)
    for submission in report["submissions"]:
        for question in submission["questions"]:
            origin = question.get("origin")
            if isinstance(origin, dict) and isinstance(origin.get("item"), str):
                held[question["id"]].add(origin["item"])
    return {slot: len(items) for slot, items in held.items()}


def items_text(rows: list[dict[str, Any]]) -> list[str]:
    """The terminal's lines: flawed-looking items first, each with its fixing command."""
    lines = ["By item (bank items across their slots, computed families across questions):"]
    for row in rows:
        pb = "–" if row["point_biserial"] is None else f"{row['point_biserial']:.2f}"
        where = ", ".join(row["slots"][:5]) + (", ..." if len(row["slots"]) > 5 else "")
        mark = "⚑ " if row["flag"] else "  "
        lines.append(
            f"{mark}{row['id']:<24} {row['students']:>5} students in {where}: difficulty "
            f"{row['difficulty']:.2f}, pt-biserial {pb}"
        )
        if row["options"]:
            shares = ", ".join(
                f"{o['option']}{' (key)' if o['key'] else ''} {100 * o['share']:.0f} %"
                for o in row["options"]
            )
            lines.append(f"      chose each option: {shares}")
        if row["kind"] == "item":
            shares = ", ".join(
                f"{a['answer']}{' (key)' if a['key'] else ''} {100 * a['share']:.0f} %"
                for a in row["answers"]
            )
            lines.append(f"      answers: {shares}")
        if row["flag"]:
            lines.append(f"      looks flawed: {row['flag']}")
            lines.append(f"      if the key is at fault: {row['command']}")
    return [printable(line) for line in lines]
