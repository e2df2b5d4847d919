"""The manifest (``instructor/key.json``): its format version and reading it back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from generator.errors import KeyFileError
from generator.input_files import read_json

MANIFEST_FORMAT = 1
MAX_KEY_BYTES = 2_000_000_000


def read_key(path: Path) -> dict[str, Any]:
    data = read_json(path, MAX_KEY_BYTES, KeyFileError, unique_keys=False)
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(data.get("variants"), list)
        or not isinstance(data.get("questions"), list)
    ):
        raise KeyFileError(str(path), "not an examgen key file (instructor/key.json)")
    return data


_VARIANT_ID = re.compile(r"[0-9a-f]{10}")


def read_key_for(key_file: Path, variant_id: Any) -> dict[str, Any]:
    """The key to grade one variant: its shard (instructor/variants/ID.json) when it is
    newer than key.json, else key.json itself, whose hand edits and recorded drops always
    win over a shard written before them."""
    if isinstance(variant_id, str) and _VARIANT_ID.fullmatch(variant_id):
        shard = key_file.parent / "variants" / f"{variant_id}.json"
        try:
            fresh = shard.stat().st_mtime_ns >= key_file.stat().st_mtime_ns
        except OSError:
            fresh = False
        if fresh:
            return read_key(shard)
    return read_key(key_file)
