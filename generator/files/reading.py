"""Reading the files people give examgen (specs, rosters, submissions, keys): regular files
only, within a size limit, as UTF-8 (a leading BOM, as Windows editors write, is dropped),
refusing what ``json.loads`` would quietly accept (duplicate keys, NaN and Infinity, lone
surrogate escapes, numbers too long to convert), and reporting every problem as one line
naming the file."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.errors import KeyFileError, SpecError, SubmissionError, quoted

FileError = type[SpecError] | type[SubmissionError] | type[KeyFileError]


class _DuplicateKey(ValueError):
    pass


class _NotJson(ValueError):
    """A constant strict JSON has not: NaN, Infinity or -Infinity."""


def _no_constants(name: str) -> Any:
    raise _NotJson(name)


# A \uD800-\uDFFF escape: only a high one followed by a low one is a character. Files
# seldom hold any, so strings are searched for a lone one only when the text has one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# NUL marks the slots of pre-laid-out feedback pages, and no text examgen prints holds it
_NUL_ESCAPE = re.compile(r"\\u0000")


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
    except NotAFile:
        raise error(source, "not a regular file (a FIFO, device or socket)") from None
    except OSError as problem:
        raise error(source, f"cannot read: {problem.strerror or problem}") from None
    if len(data) > limit:
        raise error(source, f"larger than the {limit:,}-byte limit")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as problem:
        raise error(source, f"not UTF-8 text (byte {problem.start + 1})") from None


class NotAFile(OSError):
    """The path is a FIFO, a device or a socket: reading it could block or never end."""


@contextmanager
def regular_file(path: Path) -> Iterator[tuple[int, os.stat_result]]:
    """The descriptor and status of the regular file at ``path``, closed on leaving. Opened
    without blocking, so a FIFO is refused (NotAFile), never waited on."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(handle)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(0, "is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(0, "not a regular file")
        yield handle, status
    finally:
        os.close(handle)


def read_bytes(path: Path, most: int) -> bytes:
    """The file's first ``most`` bytes (``regular_file``). Plain system calls: a class is
    thousands of small submissions and grading keys, and Python's file objects cost a tenth
    of reading one."""
    with regular_file(path) as (handle, status):
        chunks, got = [], 0
        # a regular file's size is known: one read of it, not of ``most`` bytes of memory
        size = status.st_size + 1
        while got < most and (chunk := os.read(handle, min(size, most - got))):
            chunks.append(chunk)
            got += len(chunk)
            size = 1 << 16
        return b"".join(chunks)


def read_json(path: Path, limit: int, error: FileError, unique_keys: bool = True) -> Any:
    """The file's JSON value; see ``read_text`` for what is refused before parsing.

    ``unique_keys`` refuses an object that names a key twice, which json.loads would quietly
    resolve to the last value; the check runs in Python for every object, so files examgen
    wrote itself (keys of large classes run to tens of megabytes) skip it.
    """
    return parse_json(read_text(path, limit, error), str(path), error, unique_keys)


def parse_json(text: str, source: str, error: FileError, unique_keys: bool = True) -> Any:
    """``text``'s JSON value, refused as ``read_json`` says, naming ``source``."""
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates if unique_keys else None,
            parse_constant=_no_constants,
        )
        lone_surrogate = bool(_SURROGATE_ESCAPE.search(text)) and _any_text(
            data, _has_lone_surrogate
        )
        nul = bool(_NUL_ESCAPE.search(text)) and _any_text(data, lambda t: "\x00" in t)
    except _DuplicateKey as problem:
        raise error(source, f"the key {quoted(problem)} appears twice in one object") from None
    except _NotJson as problem:
        raise error(source, f"not valid JSON: {problem} is not a JSON number") from None
    except json.JSONDecodeError as problem:
        raise error(
            source, f"not valid JSON: {problem.msg} (line {problem.lineno}, column {problem.colno})"
        ) from None
    except ValueError:  # the only other: Python's limit on digits in one integer
        raise error(source, "not valid JSON: a number has more than 4,300 digits") from None
    except RecursionError:
        raise error(source, "JSON nested too deeply") from None
    if lone_surrogate:
        raise error(source, "not valid JSON: a \\u escape names half a character (a surrogate)")
    if nul:
        raise error(source, "a text holds \\u0000, the NUL character, which no page can show")
    return data


def _any_text(value: Any, test: Callable[[str], bool]) -> bool:
    """Whether ``test`` holds for any string in a JSON value, a key or a value."""
    if isinstance(value, str):
        return test(value)
    if isinstance(value, dict):
        return any(test(key) or _any_text(item, test) for key, item in value.items())
    if isinstance(value, list):
        return any(_any_text(item, test) for item in value)
    return False


def _has_lone_surrogate(text: str) -> bool:
    return not text.isascii() and any("\ud800" <= c <= "\udfff" for c in text)
