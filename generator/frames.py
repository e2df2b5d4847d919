"""Feedback pages laid out without the student's part, as grading keys hold them.

Generation renders each variant's feedback pages once with numbered slots where a student's
points and answers go (``generator.feedback``); grading fills them. This module is the
layout's format alone, so reading a grading key needs no template engine.
"""

from __future__ import annotations

from typing import Any

Frame = list[bytes | int]
"""A page laid out without the student's part, in UTF-8: text, then the number of a slot,
then text, alternately. Slot 0 is the total; question ``n``'s points are slot ``2n + 1``
and its table rows slot ``2n + 2``. A rendered page marks a slot ``NUL number NUL``
(``slot``, ``read_frame``): examgen's texts hold no NUL (a spec's are refused). A grading
key's shard holds the text alone and where the slots go (``pages_bytes``)."""

FORMATS = ("md", "html")  # the pages of a grading key, in the order a shard holds them


def slot(number: int) -> str:
    """Slot ``number`` as a rendered page marks it."""
    return f"\x00{number}\x00"


def read_frame(data: bytes, slots: int) -> Frame | None:
    """The frame of a rendered page, ``data``, its slots marked as ``slot`` marks them; None
    when it is not a page with slots below ``slots``."""
    pieces: list[Any] = data.split(b"\x00")
    try:
        numbers = list(map(int, pieces[1::2]))
    except ValueError:
        return None
    if len(pieces) % 2 == 0 or (numbers and not 0 <= min(numbers) <= max(numbers) < slots):
        return None
    pieces[1::2] = numbers
    return pieces


def pages_bytes(frames: dict[str, Frame]) -> tuple[list[bytes], list[list[int]]]:
    """A variant's pages as a shard holds them, in ``FORMATS`` order: each page's text
    without its slots, and where the slots go, as a list of byte offset into the text then
    slot number, for each slot in order (``read_pages``). Grading finds the slots from the
    offsets instead of searching the text for them: that search was a tenth of its work."""
    texts, places = [], []
    for name in FORMATS:
        text, at, length = [], [], 0
        for piece in frames[name]:
            if type(piece) is bytes:
                text.append(piece)
                length += len(piece)
            else:
                at += (length, piece)
        texts.append(b"".join(text))
        places.append(at)
    return texts, places


def read_pages(
    data: bytes, start: int, sizes: Any, places: Any, slots: int
) -> dict[str, Frame] | None:
    """The pages, by format, that end ``data`` from byte ``start`` on (``pages_bytes``):
    texts of ``sizes`` bytes each, with slots at ``places``. None when they are not, or a
    slot's number is not below ``slots``."""
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
        if type(at) is not list or len(at) % 2 or not {type(n) for n in at} <= {int}:
            return None
        offsets, numbers = at[::2], at[1::2]
        if offsets and (
            offsets != sorted(offsets)
            or not 0 <= offsets[0] <= offsets[-1] <= size
            or not 0 <= min(numbers) <= max(numbers) < slots
        ):
            return None
        frame: Frame = []
        done = start  # where the text not yet in the frame begins
        for offset, number in zip(offsets, numbers, strict=True):
            frame += (data[done : start + offset], number)
            done = start + offset
        frame.append(data[done : start + size])
        frames[name] = frame
        start += size
    return frames
