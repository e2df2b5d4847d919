"""A small PNG bar chart: bars, axes, labels and axis titles in a 3x5 pixel font. The
standard library's zlib is all a PNG needs, so no plotting library is pulled in for one
chart."""

from __future__ import annotations

import struct
import zlib

import numpy as np

_DIGITS = {  # 3x5 glyphs, rows top to bottom, bits left to right
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001111",
    "%": "101001010100101",
    "-": "000000111000000",
    "(": "010100100100010",
    ")": "010001001001010",
    "A": "010101111101101",
    "C": "111100100100111",
    "D": "110101101101110",
    "E": "111100110100111",
    "F": "111100110100100",
    "H": "101101111101101",
    "I": "111010010010111",
    "M": "101111111101101",
    "N": "110101101101101",
    "O": "111101101101111",
    "R": "110101110101101",
    "S": "111100111001111",
    "T": "111010010010010",
    "U": "101101101101111",
    "X": "101101010101101",
}
SCALE = 3  # pixels per font pixel


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode(pixels: np.ndarray) -> bytes:
    """PNG bytes of an H x W x 3 array of uint8."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def _text(
    canvas: np.ndarray,
    text: str,
    x: int,
    y: int,
    color: tuple[int, int, int],
    scale: int = SCALE,
) -> None:
    """``text`` with its top left at (``x``, ``y``); a space, or a character the font has
    not, leaves a gap."""
    for n, char in enumerate(text.upper()):
        glyph = _DIGITS.get(char)
        if glyph is None:
            continue
        for row in range(5):
            for col in range(3):
                if glyph[row * 3 + col] == "1":
                    left = x + (n * 4 + col) * scale
                    top = y + row * scale
                    canvas[top : top + scale, left : left + scale] = color


def text_width(text: str, scale: int = SCALE) -> int:
    return (4 * len(text) - 1) * scale


def bar_chart(
    counts: list[int],
    labels: list[str],
    width: int = 640,
    height: int = 340,
    x_title: str = "score (% of the maximum)",
    y_title: str = "students",
) -> bytes:
    """Bars for ``counts``, each count above its bar and its label below, with axis titles:
    ``y_title`` above the vertical axis, ``x_title`` under the labels."""
    ink = (40, 40, 40)
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)
    left, right, bottom, top = 24, 16, height - 44, 44
    slot = (width - left - right) // max(len(counts), 1)
    tallest = max(max(counts), 1)
    small = 2  # labels must fit their bar's width: 90-100 is six characters
    for n, count in enumerate(counts):
        x = left + n * slot
        bar = int((bottom - top) * count / tallest)
        canvas[bottom - bar : bottom, x + 3 : x + slot - 3] = (66, 110, 180)
        middle = x + slot // 2
        _text(canvas, str(count), middle - text_width(str(count)) // 2, bottom - bar - 19, ink)
        label = labels[n]
        _text(canvas, label, middle - text_width(label, small) // 2, bottom + 6, ink, small)
    canvas[bottom : bottom + 2, left : width - right] = ink  # the axes
    canvas[top - 8 : bottom + 2, left : left + 2] = ink
    _text(canvas, y_title, left, 8, ink, small)
    _text(canvas, x_title, (width - text_width(x_title, small)) // 2, height - 16, ink, small)
    return encode(canvas)
