"""Feedback pages laid out without the student's part, as grading keys hold them.

Generation renders each variant's feedback pages once with numbered slots where a student's
points and answers go (``generator.grading.feedback``); grading fills them. This module is the
layout's format alone, so reading a grading key needs no template engine.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FORMATS = ("md", "html")  # the pages of a grading key, in the order a shard holds them


@dataclass(frozen=True)
class Frame:
    """A page laid out without the student's part, in UTF-8: its ``text``, with the slots
    empty, and ``cuts``, where slot ``n`` goes in the text (``cuts[2n]``, and
    ``cuts[2n + 1]``, the same place). Slots come in the order of their numbers, all of them.
    The numbers are ``feedback``'s: 0 is the total, then the summary's points of each
    question, then per question its points, its table cells and one slot per part."""

    text: bytes
    cuts: array[int]

    def filled(self, values: list[tuple[int, bytes]]) -> bytes:
        """The page with each slot numbered in ``values``, in increasing order, holding
        the bytes given."""
        text, cuts = self.text, self.cuts
        pieces, done = [], 0  # where the text not yet copied begins
        for number, value in values:
            start = cuts[2 * number]
            if start < done:
                raise ValueError("slots filled out of order")  # examgen's bug
            pieces += (text[done:start], value)
            done = cuts[2 * number + 1]
        pieces.append(text[done:])
        return b"".join(pieces)


def cells(question: dict[str, Any]) -> list[str]:
    """The parts whose answers the feedback writes into the cells of the question's own
    table (the network table's blanks, ``feedback.feedback_frames``), in the table's order."""
    listed = question.get("cells")
    return listed if type(listed) is list and all(type(p) is str for p in listed) else []


def points_slots(questions: list[dict[str, Any]]) -> Iterator[int | None]:
    """The number of each question's points slot, its table cells' slots (``cells``) and
    then its parts' following it; None for a dropped question, whose page shows neither.
    The summary's slots, one per question not dropped, come first, after the total."""
    number = 1 + sum(1 for question in questions if not question["dropped"])
    for question in questions:
        if question["dropped"]:
            yield None
        else:
            yield number
            number += 1 + len(cells(question)) + len(question["parts"])


def slot_count(questions: list[dict[str, Any]]) -> int:
    """How many slots the feedback pages of a grading key's ``questions`` have: the total,
    the summary's line per question not dropped, and for each such question its points,
    its table cells' and its parts'."""
    kept = [q for q in questions if not q["dropped"]]
    return 1 + len(kept) + sum(1 + len(cells(q)) + len(q["parts"]) for q in kept)


def slot(number: int) -> str:
    """Slot ``number`` as a rendered page marks it: ``NUL number NUL``. examgen's texts
    hold no NUL (a spec's are refused)."""
    return f"\x00{number}\x00"


def read_frame(data: bytes, slots: int) -> Frame | None:
    """The frame of a rendered page, ``data``, its slots marked as ``slot`` marks them; None
    when it is not a page with slots 0 to ``slots`` - 1 in order."""
    pieces: list[Any] = data.split(b"\x00")
    if pieces[1::2] != [str(number).encode() for number in range(slots)]:
        return None
    texts = pieces[0::2]
    cuts, length = array("q"), 0
    for text in texts[:-1]:
        length += len(text)
        cuts += array("q", (length, length))
    return Frame(b"".join(texts), cuts)


def pages_bytes(frames: dict[str, Frame]) -> tuple[list[bytes], list[list[int]]]:
    """A variant's pages as a shard holds them, in ``FORMATS`` order: each page's text, and
    where its slots start and end (``Frame.cuts``, ``read_pages``). Grading finds the slots
    from these instead of searching the text for them: that search was a tenth of its
    work."""
    return [frames[name].text for name in FORMATS], [frames[name].cuts.tolist() for name in FORMATS]


def read_pages(
    data: bytes, start: int, sizes: Any, places: Any, slots: int
) -> dict[str, Frame] | None:
    """The pages, by format, that end ``data`` from byte ``start`` on (``pages_bytes``):
    texts of ``sizes`` bytes each, with ``slots`` slots starting and ending at ``places``.
    None when they are not."""
    if (
        type(sizes) is not list
        or type(places) is not list
        or not len(sizes) == len(places) == len(FORMATS)
        or not {type(size) for size in sizes} <= {int}
        or min(sizes) < 0
        or start + sum(sizes) != len(data)
    ):
        return None
    frames = {}
    for name, size, at in zip(FORMATS, sizes, places, strict=True):
        try:
            cuts = array("q", at)  # ints alone, as 64-bit integers
        except (TypeError, OverflowError):
            return None
        if len(cuts) != 2 * slots or (
            slots and (cuts[0] < 0 or cuts[-1] > size or at != sorted(at))
        ):
            return None
        frames[name] = Frame(data[start : start + size], cuts)
        start += size
    return frames
