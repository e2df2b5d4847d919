"""Reading the files people give examgen (specs, rosters, submissions, keys): within a size
limit, as UTF-8, refusing what ``json.loads`` would quietly accept (duplicate keys), and
reporting every problem as one line naming the file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from generator.errors import KeyFileError, SpecError, SubmissionError

FileError = type[SpecError] | type[SubmissionError] | type[KeyFileError]


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) < len(pairs):  # a name given twice: find the first for the message
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def read_text(path: Path, limit: int, error: FileError) -> str:
    """The file's text, or ``error(path, reason)`` when it is missing, too big or not UTF-8."""
    source = str(path)
    try:
        data = read_bytes(path, limit + 1)
    except FileNotFoundError:
        raise error(source, "no such file") from None
    except IsADirectoryError:
        raise error(source, "is a directory, not a file") from None
    except OSError as problem:
        raise error(source, f"cannot read: {problem.strerror or problem}") from None
    if len(data) > limit:
        raise error(source, f"larger than the {limit:,}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(source, f"not UTF-8 text (byte {problem.start + 1})") from None


def read_bytes(path: Path, most: int, line: int = 0) -> bytes:
    """The file's first ``most`` bytes; with ``line``, only until its first line is in,
    reading ``line`` bytes first. Plain system calls: a class is thousands of small
    submissions and grading keys, and Python's file objects cost a tenth of reading one."""
    handle = os.open(path, os.O_RDONLY)
    try:
        chunks, got = [], 0
        # a regular file's size is known: one read of it, not of ``most`` bytes of memory
        size = line or os.fstat(handle).st_size + 1
        while got < most and (chunk := os.read(handle, min(size, most - got))):
            chunks.append(chunk)
            got += len(chunk)
            if line and b"\n" in chunk:
                break
            size = 1 << 16
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_json(path: Path, limit: int, error: FileError, unique_keys: bool = True) -> Any:
    """The file's JSON value; see ``read_text`` for what is refused before parsing.

    ``unique_keys`` refuses an object that names a key twice, which json.loads would quietly
    resolve to the last value; the check runs in Python for every object, so files examgen
    wrote itself (keys of large classes run to tens of megabytes) skip it.
    """
    source = str(path)
    text = read_text(path, limit, error)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates if unique_keys else None)
    except _DuplicateKey as problem:
        raise error(source, f"the key '{problem}' appears twice in one object") from None
    except json.JSONDecodeError as problem:
        raise error(
            source, f"not valid JSON: {problem.msg} (line {problem.lineno}, column {problem.colno})"
        ) from None
    except RecursionError:
        raise error(source, "JSON nested too deeply") from None
