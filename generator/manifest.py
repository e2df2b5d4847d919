"""The manifest (``instructor/key.json``): its format version and reading it back."""

from __future__ import annotations

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
