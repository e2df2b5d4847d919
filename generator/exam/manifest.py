"""The manifest (``instructor/key.json``): its format version, reading it back, and telling
whether a file derived from it is derived from it as it is now.

A derived file stores the SHA-256 of the bytes of key.json it was made from: a variant's
grading key (``instructor/variants/ID.zst``), of the key's header and that variant
(``variant_digest``); index.json, of the whole file (``key_digest``). A derived file whose
digest is not that of key.json's bytes now is stale, whatever its date says: an instructor's
hand edit changes the bytes, while a copy (``cp -r``, ``git clone``, unzip) gives old files
new dates. index.json also records where each variant's bytes lie in key.json (``KeyLayout``),
so checking one grading key reads and hashes its header and variant, some 50 kB, never the
hundreds of megabytes of a class's key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import BrokenKeyError
from generator.exam.key_schema import check_key
from generator.files.reading import read_json, regular_file
from generator.ids import is_variant_id

MANIFEST_FORMAT = 1
MAX_KEY_BYTES = 2_000_000_000

Span = tuple[int, int]  # bytes [start, end) of key.json


def read_key(path: Path, roster_only: bool = False) -> dict[str, Any]:
    """key.json, checked against the schema (``generator.exam.key_schema``); with
    ``roster_only``, index.json, whose variants are only who sat which."""
    data = read_json(path, MAX_KEY_BYTES, BrokenKeyError, unique_keys=False)
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(data.get("variants"), list)
        or not isinstance(data.get("questions"), list)
    ):
        raise BrokenKeyError(str(path), "not an examgen key file (instructor/key.json)")
    check_key(data, str(path), roster_only)
    return data


def is_exam_folder(folder: Path) -> bool:
    """Whether ``folder`` is an exam (or practice set) that generate wrote."""
    return (folder / "instructor" / "key.json").is_file()


def shard_path(key_file: Path, variant_id: Any) -> Path | None:
    """Where the variant's grading key is kept (instructor/variants/ID.zst); None for what
    is not a variant id, which must never name a path."""
    if is_variant_id(variant_id):
        return key_file.parent / "variants" / f"{variant_id}.zst"
    return None


@dataclass(frozen=True)
class KeyLayout:
    """Where the parts of a key.json lie: ``around``, the header, as the bytes before the
    first variant and those from the variants' closing bracket to the end (every field but
    the variants); ``variants``, each variant's bytes, in the key's order."""

    around: tuple[Span, Span]
    variants: tuple[Span, ...]

    def to_json(self) -> dict[str, Any]:
        return {"around": [list(span) for span in self.around], "variants": self.variants}


def written_layout(
    opening: int,
    sizes: list[int],
    closing: int,
    separator: int = 1,
    lead: int = 0,
    trail: int = 0,
) -> KeyLayout:
    """The layout of a key.json written as ``opening`` bytes (through the variants' ``[``),
    ``lead`` blank bytes, the variants of ``sizes`` bytes each, ``separator`` bytes between
    two, ``trail`` blank bytes, then ``closing`` bytes (from the ``]``): the spans
    ``scanned_layout`` finds in the same bytes."""
    spans, at = [], opening + lead
    for size in sizes:
        spans.append((at, at + size))
        at += size + separator
    end = (spans[-1][1] if spans else opening + lead) + trail
    return KeyLayout(((0, opening), (end, end + closing)), tuple(spans))


def layout_from_json(value: Any, variants: int) -> KeyLayout | None:
    """The layout index.json records, of a key of ``variants`` variants; None unless its
    spans are in order, without overlap, as a key.json's are."""
    if not isinstance(value, dict):
        return None
    around, spans = value.get("around"), value.get("variants")
    if not (isinstance(around, list) and isinstance(spans, list) and len(spans) == variants):
        return None
    if len(around) != 2:
        return None
    ends = [around[0], *spans, around[1]]
    if not all(
        type(span) is list and len(span) == 2 and all(type(end) is int for end in span)
        for span in ends
    ):
        return None
    flat = [end for span in ends for end in span]
    if flat[0] != 0 or flat != sorted(flat):
        return None
    first, last = ((start, end) for start, end in around)
    return KeyLayout((first, last), tuple((start, end) for start, end in spans))


_BLANK = re.compile(r"[ \t\n\r]*")


def scanned_layout(data: bytes) -> KeyLayout | None:
    """The layout of a key.json's bytes, however an instructor's editor laid it out; None
    when they are not a JSON object with a list of variants. As ``json.loads`` does, the
    last ``variants`` wins when a hand edit gives two."""
    # one character per byte: offsets in the text are offsets in the file, and no byte of a
    # UTF-8 sequence for a character beyond ASCII is a quote, bracket or backslash
    text = data.decode("latin-1")
    decoder = json.JSONDecoder()
    at = _BLANK.match(text, 3 if data.startswith(b"\xef\xbb\xbf") else 0).end()
    found = None
    try:
        if text[at : at + 1] != "{":
            return None
        at = _BLANK.match(text, at + 1).end()
        while text[at : at + 1] != "}":
            name, at = decoder.raw_decode(text, at)
            at = _BLANK.match(text, at).end()
            if type(name) is not str or text[at : at + 1] != ":":
                return None
            at = _BLANK.match(text, at + 1).end()
            if name == "variants" and text[at : at + 1] == "[":
                opening, spans = at + 1, []
                at = _BLANK.match(text, at + 1).end()
                while text[at : at + 1] != "]":
                    start = at
                    _, at = decoder.raw_decode(text, at)
                    spans.append((start, at))
                    at = _BLANK.match(text, at).end()
                    if text[at : at + 1] == ",":
                        at = _BLANK.match(text, at + 1).end()
                    elif text[at : at + 1] != "]":
                        return None
                found = (opening, at, spans)
                at += 1
            else:
                _, at = decoder.raw_decode(text, at)
            at = _BLANK.match(text, at).end()
            if text[at : at + 1] == ",":
                at = _BLANK.match(text, at + 1).end()
            elif text[at : at + 1] != "}":
                return None
    except (ValueError, RecursionError):
        return None
    if found is None:
        return None
    opening, closing, spans = found
    return KeyLayout(((0, opening), (closing, len(data))), tuple(spans))


def variant_digest(header: bytes, after: bytes, variant: bytes) -> str:
    """The digest a variant's grading key stores: of the bytes of key.json it was made
    from, the two parts of the header (``KeyLayout.around``) and the variant's, with a NUL,
    which JSON text never holds, between them."""
    digest = hashlib.sha256(header)
    for part in (after, variant):  # a class's variants run to 40 kB each: not copied again
        digest.update(b"\0")
        digest.update(part)
    return digest.hexdigest()


def digests(data: bytes, layout: KeyLayout) -> list[str]:
    """Every variant's digest (``variant_digest``), of a key.json's ``data`` laid out as
    ``layout`` says."""
    (a, b), (c, d) = layout.around
    header, after = data[a:b], data[c:d]
    return [variant_digest(header, after, data[s:e]) for s, e in layout.variants]


def key_digest(key_file: Path) -> str | None:
    """The SHA-256 of key.json's bytes as they are now; None when it cannot be read."""
    try:
        with regular_file(key_file) as (handle, _), open(handle, "rb", closefd=False) as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def index_fields(digest: str, layout: KeyLayout) -> dict[str, Any]:
    """What index.json records of the key.json it was made from: its SHA-256, ``digest``,
    and where each part lies, ``layout``."""
    return {"key_sha256": digest, "key_layout": layout.to_json()}


def roster_entry(variant: dict[str, Any]) -> dict[str, Any]:
    entry = {name: variant[name] for name in ("variant_id", "student_id", "name")}
    # a student's email and sid, where the roster gave them: who may hand the variant in
    return entry | {name: variant[name] for name in ROSTER_CONTACTS if name in variant}


ROSTER_CONTACTS = ("email", "sid")


def _read_index_file(index_file: Path) -> dict[str, Any] | None:
    """index.json, or None when it is missing or not one: it is only ever derived."""
    try:
        return read_key(index_file, roster_only=True)
    except BrokenKeyError:
        return None


def read_index(key_file: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """The key without the variants' questions: the header and who sat which variant, all a
    gradebook needs. Read from instructor/index.json when it was made from key.json as it is
    now and says what key.json says: a class's key.json runs to hundreds of megabytes, and
    hashing it takes a fortieth of the time reading it as a key does (7 ms against 290 ms
    for 300 variants). An index.json edited by hand is passed over, with a line in
    ``notes``: key.json says who sat which variant."""
    index_file = key_file.parent / "index.json"
    index = _read_index_file(index_file)
    if index is not None and index.get("key_sha256") == key_digest(key_file):
        problem = _index_problem(key_file, index)
        if problem is None:
            return {name: value for name, value in index.items() if name not in _INDEX_ONLY}
        if notes is not None:
            notes.append(f"{index_file}: {problem}; the roster is read from key.json instead")
    manifest = read_key(key_file)
    return {**manifest, "variants": [roster_entry(v) for v in manifest["variants"]]}


_ROSTER_FIELDS = ("variant_id", "student_id", "name", *ROSTER_CONTACTS)
_HEAD_BYTES = 2048  # of a variant in key.json: its roster fields, which come first


def _index_problem(key_file: Path, index: dict[str, Any]) -> str | None:
    """How ``index`` disagrees with the key.json whose digest it records (an index.json
    edited by hand: a roster that would move grades between students); None when its
    header is key.json's and each variant's roster fields are those where its layout says
    the variant lies. Reads key.json's header and the start of each variant: some 2 kB a
    student, never the whole file."""
    layout = layout_from_json(index.get("key_layout"), len(index["variants"]))
    if layout is None:
        return "its key_layout is not of its variants"
    try:
        with regular_file(key_file) as (handle, status):
            return _layout_problem(handle, status.st_size, layout, index)
    except OSError:
        return "key.json cannot be read"


def _layout_problem(handle: int, size: int, layout: KeyLayout, index: dict[str, Any]) -> str | None:
    """``_index_problem`` of key.json open as ``handle``, ``size`` bytes long."""
    try:
        if size != layout.around[1][1]:
            return "its key_layout is not key.json's"
        (a, b), (c, d) = layout.around
        head = (os.pread(handle, b - a, a) + os.pread(handle, d - c, c)).decode("utf-8-sig")
        header = json.loads(head)
        if not isinstance(header, dict) or {**header, "variants": None} != {
            **{name: value for name, value in index.items() if name not in _INDEX_ONLY},
            "variants": None,
        }:
            return "its header is not key.json's"
        for n, (span, entry) in enumerate(zip(layout.variants, index["variants"], strict=True)):
            if _roster_at(handle, span) != entry:
                return f"variants[{n}] is not key.json's variants[{n}]"
    except (OSError, ValueError, RecursionError):
        return "key.json is not where its key_layout says"
    return None


def _roster_at(handle: int, span: Span) -> dict[str, Any] | None:
    """The roster fields (``roster_entry``) of the variant at ``span`` of key.json, read
    from its start up to its questions; the whole variant when they do not come first."""
    start, end = span
    text = os.pread(handle, min(end - start, _HEAD_BYTES), start).decode("utf-8", "ignore")
    decoder = json.JSONDecoder()
    found: dict[str, Any] = {}
    try:
        if not text.startswith("{"):
            raise ValueError("not an object")
        at = _BLANK.match(text, 1).end()
        while text[at : at + 1] != "}":
            name, at = decoder.raw_decode(text, at)
            at = _BLANK.match(text, at).end()
            if text[at : at + 1] != ":":
                raise ValueError("not a field")
            if name == "questions":
                return found
            value, at = decoder.raw_decode(text, _BLANK.match(text, at + 1).end())
            if name in _ROSTER_FIELDS:
                found[name] = value
            at = _BLANK.match(text, at).end()
            at = _BLANK.match(text, at + 1).end() if text[at : at + 1] == "," else at
        return found
    except (ValueError, IndexError):  # cut short within the first bytes: read it whole
        variant = json.loads(os.pread(handle, end - start, start))
    if not isinstance(variant, dict):
        return None
    return {name: variant[name] for name in _ROSTER_FIELDS if name in variant}


_INDEX_ONLY = ("key_sha256", "key_layout")

# Per process: where each variant lies in key.json, as index.json says, by index.json's path
# and the file's inode and size. Only where to look: what is found there is hashed each time.
_PLACES: dict[Path, tuple[tuple[int, int], KeyLayout | None, dict[str, int]]] = {}


def _places(index_file: Path) -> tuple[KeyLayout | None, dict[str, int]]:
    try:
        status = os.stat(index_file)
    except OSError:
        return None, {}
    version = (status.st_ino, status.st_size)
    known = _PLACES.get(index_file)
    if known is None or known[0] != version:
        index = _read_index_file(index_file)
        layout, order = None, {}
        if index is not None:
            layout = layout_from_json(index.get("key_layout"), len(index["variants"]))
            order = {v["variant_id"]: n for n, v in enumerate(index["variants"])}
        if len(_PLACES) >= 16:
            _PLACES.clear()
        known = _PLACES[index_file] = (version, layout, order)
    return known[1], known[2]


def current_digest(key_file: Path, variant_id: str) -> str | None:
    """The digest (``variant_digest``) of ``variant_id``'s part of key.json as it is now,
    found where index.json says it lies; None when index.json does not say or key.json has
    another size than index.json recorded: then no grading key can be checked, and the
    caller reads key.json itself."""
    layout, order = _places(key_file.parent / "index.json")
    if layout is None or variant_id not in order:
        return None
    spans = [*layout.around, layout.variants[order[variant_id]]]
    try:
        with regular_file(key_file) as (handle, status):
            if status.st_size != layout.around[1][1]:
                return None
            parts = [os.pread(handle, end - start, start) for start, end in spans]
    except OSError:
        return None
    if [len(part) for part in parts] != [end - start for start, end in spans]:
        return None
    return variant_digest(*parts)
