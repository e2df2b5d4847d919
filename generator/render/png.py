"""A small PNG bar chart: bars, axes, and digit labels in a 3x5 pixel font. The standard
library's zlib is all a PNG needs, so no plotting library is pulled in for one chart."""

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


def _text(canvas: np.ndarray, text: str, x: int, y: int, color: tuple[int, int, int]) -> None:
    for n, char in enumerate(text):
        glyph = _DIGITS.get(char)
        if glyph is None:
            continue
        for row in range(5):
            for col in range(3):
                if glyph[row * 3 + col] == "1":
                    left = x + (n * 4 + col) * SCALE
                    top = y + row * SCALE
                    canvas[top : top + SCALE, left : left + SCALE] = color


def bar_chart(counts: list[int], labels: list[str], width: int = 640, height: int = 320) -> bytes:
    """Bars for ``counts``, each count above its bar and its label below."""
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)
    left, bottom, top = 20, height - 30, 30
    slot = (width - 2 * left) // max(len(counts), 1)
    tallest = max(max(counts), 1)
    for n, count in enumerate(counts):
        x = left + n * slot
        bar = int((bottom - top) * count / tallest)
        canvas[bottom - bar : bottom, x + 3 : x + slot - 3] = (66, 110, 180)
        _text(canvas, str(count), x + 4, bottom - bar - 5 * SCALE - 4, (40, 40, 40))
        _text(canvas, labels[n], x + 4, bottom + 6, (40, 40, 40))
    canvas[bottom : bottom + 2, left : width - left] = (40, 40, 40)
    return encode(canvas)
