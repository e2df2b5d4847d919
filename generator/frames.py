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
and its table rows slot ``2n + 2``. A file holds it as the text with each slot written
``NUL number NUL`` (``frame_bytes``): examgen's texts hold no NUL (a spec's are refused)."""

FORMATS = ("md", "html")  # the pages of a grading key, in the order a shard holds them


def slot(number: int) -> str:
    """Slot ``number`` as a rendered page marks it."""
    return f"\x00{number}\x00"


def read_frame(data: bytes, slots: int) -> Frame | None:
    """The frame written as ``data`` (``frame_bytes``), or None when it is not a page with
    slots below ``slots``."""
    pieces: list[Any] = data.split(b"\x00")
    try:
        numbers = list(map(int, pieces[1::2]))
    except ValueError:
        return None
    if len(pieces) % 2 == 0 or (numbers and not 0 <= min(numbers) <= max(numbers) < slots):
        return None
    pieces[1::2] = numbers
    return pieces


def frame_bytes(frame: Frame) -> bytes:
    return b"".join(piece if type(piece) is bytes else b"\x00%d\x00" % piece for piece in frame)


def pages_bytes(frames: dict[str, Frame]) -> list[bytes]:
    """A variant's pages as a shard holds them, one after the other in ``FORMATS`` order;
    their lengths tell them apart (``read_pages``)."""
    return [frame_bytes(frames[name]) for name in FORMATS]


def read_pages(data: bytes, sizes: Any, slots: int) -> dict[str, Frame] | None:
    """The pages, by format, in ``data`` (``pages_bytes``) of ``sizes`` bytes each; None
    when they are not pages of these lengths with slots below ``slots``."""
    if (
        type(sizes) is not list
        or len(sizes) != len(FORMATS)
        or not all(type(size) is int and size >= 0 for size in sizes)
        or sum(sizes) != len(data)
    ):
        return None
    frames, start = {}, 0
    for name, size in zip(FORMATS, sizes, strict=True):
        frame = read_frame(data[start : start + size], slots)
        if frame is None:
            return None
        frames[name] = frame
        start += size
    return frames
