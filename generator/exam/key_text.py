"""key.json as examgen writes it: for people to read and diff, and streamed for a class.

The header is indented; each variant is a block, a field a line, each question a block of
its own fields and each part on one line, so a key fix is one line of a diff. Indenting every
level would double the file (a class of 200 from 9 MB to 18 MB) for nothing a reader needs;
this costs a tenth more than compact JSON (docs/performance.md). ``KeyLayout`` spans leave
the blanks between blocks out, as ``scanned_layout`` does, so a key read back and written
again keeps every variant's digest.
"""

from __future__ import annotations

from typing import Any

from generator.exam.manifest import KeyLayout, written_layout
from generator.files.encoding import compact_json_bytes, to_json

# The bytes round the variants' blocks
KEY_LEAD = b"\n    "  # after the opening's "["
KEY_SEPARATOR = b",\n    "  # between two variants' blocks
KEY_TRAIL = b"\n  "  # after the last block
KEY_CLOSING = b"]\n}\n"


def key_opening(manifest: dict[str, Any]) -> str:
    """A key file's text up to its first variant: the header, indented, and
    ``"variants": [``. ``KEY_LEAD`` and the variants follow (``variant_text``), separated by
    ``KEY_SEPARATOR``, then ``KEY_TRAIL`` and ``KEY_CLOSING``: files of any size are written
    as a stream (``key_text``)."""
    header = {name: value for name, value in manifest.items() if name != "variants"}
    text = to_json({**header, "variants": []})
    return text[: -len("]\n}\n")]


def variant_text(variant: dict[str, Any]) -> bytes:
    """A variant as key.json holds it, inside the list of variants: a field a line, each
    question a block of its own fields, its parts one a line."""
    questions = [
        _block(
            [
                _field(
                    name, _list([_json(p) for p in value], 12) if name == "parts" else None, value
                )
                for name, value in question.items()
            ],
            8,
        )
        for question in variant.get("questions", [])
    ]
    fields = [
        _field(name, _list(questions, 8) if name == "questions" else None, value)
        for name, value in variant.items()
    ]
    return _block(fields, 4)


def _json(value: Any) -> bytes:
    return compact_json_bytes(value)


def _field(name: str, made: bytes | None, value: Any) -> bytes:
    return _json(name) + b": " + (made if made is not None else _json(value))


def _list(items: list[bytes], indent: int) -> bytes:
    if not items:
        return b"[]"
    pad = b"\n" + b" " * indent
    return b"[" + pad + (b"," + pad).join(items) + b"\n" + b" " * (indent - 2) + b"]"


def _block(fields: list[bytes], indent: int) -> bytes:
    pad = b"\n" + b" " * (indent + 2)
    return b"{" + pad + (b"," + pad).join(fields) + b"\n" + b" " * indent + b"}"


def key_text(manifest: dict[str, Any]) -> tuple[bytes, KeyLayout]:
    """key.json's bytes for ``manifest``, and where each part lies in them."""
    opening = key_opening(manifest).encode()
    texts = [variant_text(v) for v in manifest["variants"]]
    data = b"".join([opening, KEY_LEAD, KEY_SEPARATOR.join(texts), KEY_TRAIL, KEY_CLOSING])
    return data, key_layout(len(opening), [len(text) for text in texts])


def key_layout(opening: int, sizes: list[int]) -> KeyLayout:
    """Where the parts of a key.json written as ``key_text`` writes it lie."""
    blanks = len(KEY_SEPARATOR), len(KEY_LEAD), len(KEY_TRAIL)
    return written_layout(opening, sizes, len(KEY_CLOSING), *blanks)
