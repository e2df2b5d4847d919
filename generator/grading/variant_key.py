"""A variant's grading key: all that grading one submission and writing its feedback need.

Generation writes one per variant, as ``instructor/variants/ID.zst``, from that variant of
key.json (see ``exam_folder.files``). A class's key.json runs to hundreds of megabytes and a
variant's part of it to 40 kB, most of it givens and steps that grading never reads; the
grading key is the parts, and the feedback pages laid out with the questions and worked
solutions as the student's sheet and key showed them, so grading renders nothing::

    {"format": 14, "exam_id": ..., "title": ..., "variant_id": ..., "student_id": ...,
     "name": ..., "types": [{"kind": "integer"}, ...],
     "questions": [{"id": "q1", "family": ..., "title": ..., "points": 4, "dropped": false,
                    "parts": [{"id": "a", "type": 0, "key": 32, "shown": "32",
                               "mistakes": [...], "follows": {...},
                               "shown_escaped": [...]}]}],
     "feedback": {"md": Frame(b"# ...", array("q", [120, 120, ...])), "html": ...}}

A part's ``type`` indexes ``types``: a class's thousands of parts share a handful of answer
types. ``shown`` is the key as a person reads it. ``mistakes``, ``follows`` and
``tells_apart`` are copied from key.json when the part has them. ``shown_escaped`` is the
key as the feedback tables write it, in Markdown and HTML, where either differs from
``shown``: a class's keys are escaped once, at generation, and grading escapes only what
students wrote. ``feedback`` holds the pages with slots for the student's points and answers,
each part slot empty until grading fills it (``frames.Frame``). A key
built from key.json at grading time (``from_manifest``) has the pages and ``shown_escaped``
only when asked for; a shard holds the pages after its line of JSON (``shard_bytes``).

A shard's line of JSON also holds ``source``, the digest of the bytes of key.json it was made
from (``exam.manifest.variant_digest``). Grading uses a shard only when it is the variant's
own (its ``variant_id``) and its ``source`` is the digest of that variant's part of key.json
as it is now; any other, and a damaged one, is passed over for key.json, whatever the files'
dates: a swapped shard is another student's, and a copied folder's old shard ignores a key
fixed since.

A shard is one Zstandard frame. The pages are four fifths of it and differ from variant to
variant mostly in numbers, so a shard shrinks fivefold (97 kB to 17 kB for the default exam)
and unpacks in 50 µs, less than reading the unpacked bytes from the page cache cost; zlib
shrinks it fourfold and takes 220 µs, a fifth of grading a submission with feedback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import zstandard

from generator.answers.types import answer_type_from_json
from generator.errors import KeyFileError, SubmissionError, quoted
from generator.exam.manifest import current_digest, read_key, shard_path
from generator.files.encoding import compact_json_bytes
from generator.files.reading import read_bytes
from generator.grading.feedback import escaped_key, feedback_frames
from generator.grading.frames import pages_bytes, read_pages, slot_count
from generator.grading.submission import check_exam
from generator.ids import is_exam_id, is_student_id

# Shards of another format are passed over for key.json: change it when the layout changes.
KEY_FORMAT = 15

SHARD_SUFFIX = ".zst"
# what a part of key.json hands on to grading as it is: its known mistakes, its rule of error
# carried forward, the named mistakes it tells apart from its key (for stats and feedback),
# and the answers the instructor accepted besides the key (``adjustments``)
_COPIED = ("mistakes", "follows", "tells_apart", "accept")
# what a question of a variant hands on: the instructor's credit for everyone, manual points
# and the notes saying what was adjusted (``adjustments``)
_COPIED_QUESTION = ("full_credit", "manual", "adjusted")
_LEVEL = 3  # zstd's default: higher levels save under 10 % and take three times as long
_MAX_SHARD_BYTES = 64 << 20  # unpacked; the default exam's shards are 97 kB


def variant_key(
    header: dict[str, Any],
    variant: dict[str, Any],
    rendered: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The grading key of ``variant``, of the exam whose key.json header is ``header``;
    with the variant's ``rendered`` questions (``render.pages.rendered_questions``), its
    feedback texts too."""
    types: dict[bytes, int] = {}
    dropped = set(header.get("dropped", ()))
    meta = {q["id"]: q for q in header["questions"]}
    questions = []
    for n, question in enumerate(variant["questions"]):
        parts = []
        for m, part in enumerate(question["parts"]):
            signature = orjson.dumps(part["type"], option=orjson.OPT_SORT_KEYS)
            index = types.setdefault(signature, len(types))
            answer_type = answer_type_from_json(part["type"])
            entry = {
                "id": part["id"],
                "type": index,
                "key": part["key"],
                "shown": rendered[n]["parts"][m]["key"]  # rendering showed it already
                if rendered is not None
                else answer_type.display(part["key"]),
            }
            if rendered is not None:
                escaped = escaped_key(entry["shown"], part["key"])
                if escaped is not None:
                    entry["shown_escaped"] = escaped
            entry.update({name: part[name] for name in _COPIED if name in part})
            parts.append(entry)
        info = meta[question["id"]]
        entry = {
            "id": question["id"],
            "family": info["family"],
            "title": info["title"],
            "points": info["points"],
            **({"curve": question["curve"]} if "curve" in question else {}),  # regrade --curve
            # dropped for everyone, or (regrade --curve ...:drop) for a group of instances
            "dropped": question["id"] in dropped
            or question.get("dropped") is True
            or question.get("curve") == 0,
        }
        entry.update({name: question[name] for name in _COPIED_QUESTION if name in question})
        origin = _origin(question.get("params", {}))
        if origin:
            entry["origin"] = origin
        questions.append({**entry, "parts": parts})
    key = {
        "format": KEY_FORMAT,
        "exam_id": header["exam_id"],
        "title": header["title"],
        "variant_id": variant["variant_id"],
        "student_id": variant["student_id"],
        "name": variant.get("name", ""),
        "types": [orjson.loads(signature) for signature in types],
        "questions": questions,
    }
    if rendered is not None:
        key["feedback"] = feedback_frames(key, rendered)
    return key


def _origin(params: dict[str, Any]) -> dict[str, Any]:
    """What item analysis follows a question by across slots: its bank item, and the order
    a multiple-choice item's options were shown in."""
    origin = {name: params[name] for name in ("item", "order") if name in params}
    return origin if isinstance(origin.get("item"), str) else {}


def shard_bytes(key: dict[str, Any], source: str) -> bytes:
    """A grading key as its shard holds it, packed: a line of JSON, the key without its
    ``feedback`` pages but with their lengths in bytes (``page_bytes``), where their
    slots go (``page_slots``) and the digest of what it was made from (``source``), then
    the pages' texts (``frames.pages_bytes``). Grading without feedback parses only the
    first line; with feedback, the texts are cut at the slots it fills, never searched."""
    texts, places = pages_bytes(key["feedback"])
    head = {name: value for name, value in key.items() if name != "feedback"}
    head["source"] = source
    head["page_bytes"] = [len(text) for text in texts]
    head["page_slots"] = places
    data = b"".join([compact_json_bytes(head), b"\n", *texts])
    return zstandard.ZstdCompressor(level=_LEVEL).compress(data)


def _unpacked(packed: bytes) -> bytes:
    """The shard's bytes; ValueError when they are not one zstd frame of a sane size, so a
    damaged or planted file cannot make grading allocate gigabytes."""
    try:
        size = zstandard.frame_content_size(packed)
        if not 0 <= size <= _MAX_SHARD_BYTES:  # -1: the frame does not say
            raise ValueError("not a grading key")
        return zstandard.ZstdDecompressor().decompress(packed, max_output_size=size)
    except zstandard.ZstdError as error:
        raise ValueError(str(error)) from None


def read_variant_key(path: Path, feedback: bool = False) -> dict[str, Any] | None:
    """The grading key in the shard ``path`` (``shard_bytes``), with its feedback pages
    when asked for; None when an older examgen wrote it in another format: the caller then
    reads key.json."""
    return _read_shard(path, feedback)[0]


def shard_origin(path: Path) -> tuple[Any, Any]:
    """The variant id and ``source`` digest the shard ``path`` holds; (None, None) when it
    is missing, damaged or of another format: a shard that must be written again."""
    try:
        key, source = _read_shard(path)
    except KeyFileError:
        return None, None
    return (key.get("variant_id"), source) if key is not None else (None, None)


def _read_shard(path: Path, feedback: bool = False) -> tuple[dict[str, Any] | None, Any]:
    """``read_variant_key``'s key, without its ``source``, and that ``source``; (None,
    None) when the file is missing or of another format."""
    try:
        data = _unpacked(read_bytes(path, _MAX_SHARD_BYTES))
        end = data.find(b"\n")
        key = orjson.loads(memoryview(data)[: end if end >= 0 else len(data)])
        if isinstance(key, dict):
            sizes, places = key.pop("page_bytes", None), key.pop("page_slots", None)
            if key.get("format") == KEY_FORMAT and feedback:
                frames = read_pages(data, end + 1, sizes, places, slot_count(key["questions"]))
                if frames is None:
                    raise ValueError("not the feedback pages")
                key["feedback"] = frames
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise KeyFileError(str(path), f"cannot read: {error.strerror or error}") from None
    except (ValueError, TypeError, KeyError):
        raise KeyFileError(
            str(path), "not a grading key: delete it to grade from key.json"
        ) from None
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT:
        return None, None
    if not (is_exam_id(key.get("exam_id")) and is_student_id(key.get("student_id"))):
        # they name the feedback's folder and files: a hand edit must not reach outside
        raise KeyFileError(str(path), "not a grading key: delete it to grade from key.json")
    return key, key.pop("source", None)


def key_for(
    key_file: Path,
    submission: dict[str, Any],
    source: str,
    feedback: bool = False,
    read_whole: Callable[[Path], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The grading key of the submission ``source``'s variant: its shard when that was made
    from key.json as it is now (``checked_shard``), else built from key.json itself, read
    with ``read_whole`` (see ``from_manifest``). ``grade`` checks that the submission's exam
    and student are the key's."""
    key = checked_shard(key_file, submission["variant_id"], feedback)
    if key is None:
        manifest = (read_whole or read_key)(key_file)
        return from_manifest(manifest, submission, source, feedback)
    return key


def checked_shard(key_file: Path, variant_id: Any, feedback: bool = False) -> dict[str, Any] | None:
    """The grading key in ``variant_id``'s shard when it holds that variant, made from
    key.json's bytes as they are now; None otherwise, and when index.json cannot say where
    the variant lies in key.json, and when the shard cannot be read or is damaged: the
    shard is then never trusted, and the next regrade or export writes it again."""
    path = shard_path(key_file, variant_id)
    if path is None:
        return None
    now = current_digest(key_file, variant_id)
    if now is None:
        return None
    try:
        key, made_from = _read_shard(path, feedback)
    except KeyFileError:  # damaged (cut short, emptied, edited): passed over as a swapped one
        return None
    if key is None or key.get("variant_id") != variant_id or made_from != now:
        return None
    return key


def from_manifest(
    manifest: dict[str, Any], submission: dict[str, Any], source: str, feedback: bool = False
) -> dict[str, Any]:
    """The grading key, from a whole key.json, of the variant the submission ``source``
    names; with ``feedback``, its questions are rendered for the feedback texts. A
    submission of another exam is refused here, before its variant is looked for."""
    check_exam(manifest["exam_id"], submission, source)
    variant_id = submission["variant_id"]
    for variant in manifest["variants"]:
        if variant["variant_id"] == variant_id:
            break
    else:
        raise SubmissionError(source, f"variant_id {quoted(variant_id)} is not in the key")
    rendered = None
    if feedback:
        from generator.render.pages import rendered_questions

        rendered = rendered_questions(manifest, variant)
    return variant_key(manifest, variant, rendered)
