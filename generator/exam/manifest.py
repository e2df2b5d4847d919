"""The manifest (``instructor/key.json``): its format version and reading it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.errors import BrokenKeyError
from generator.exam.key_schema import check_key
from generator.files.reading import read_json
from generator.ids import is_variant_id

MANIFEST_FORMAT = 1
MAX_KEY_BYTES = 2_000_000_000


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


def is_fresh(derived: Path, key_file: Path) -> bool:
    """Whether a file derived from key.json was written after it: a hand edit of key.json,
    or a drop recorded there, makes every older derived file stale."""
    try:
        return derived.stat().st_mtime_ns >= key_file.stat().st_mtime_ns
    except OSError:
        return False


def fresh_shard(key_file: Path, variant_id: Any) -> Path | None:
    """The variant's own key file (instructor/variants/ID.zst) when it is fresh."""
    if is_variant_id(variant_id):
        shard = key_file.parent / "variants" / f"{variant_id}.zst"
        if is_fresh(shard, key_file):
            return shard
    return None


def roster_entry(variant: dict[str, Any]) -> dict[str, Any]:
    return {name: variant[name] for name in ("variant_id", "student_id", "name")}


def read_index(key_file: Path) -> dict[str, Any]:
    """The key without the variants' questions: the header and who sat which variant, all a
    gradebook needs. Read from instructor/index.json when fresh: a class's key.json runs to
    hundreds of megabytes."""
    index = key_file.parent / "index.json"
    if is_fresh(index, key_file):
        return read_key(index, roster_only=True)
    manifest = read_key(key_file)
    return {**manifest, "variants": [roster_entry(v) for v in manifest["variants"]]}
