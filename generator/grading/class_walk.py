"""Finding a class's submission files below the folders given: every ``*.json``, except in
the instructor's folders and in the folders examgen itself wrote (a grades folder, a run's
staging folder), which are passed over with a note.

A class folder is an unzipped upload and as hostile as any file in it: a folder too deep for
the system's path limit, a symlink loop, a folder that cannot be read or vanishes while it
is read, or a folder name that is not UTF-8 is one refused entry, named shortened and
escaped, and the walk goes on to grade everything else. The walk keeps its own list of
folders to read, so a tree thousands of folders deep cannot exhaust Python's stack.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import printable
from generator.files.reading import read_bytes
from generator.files.writing import RUN_LOCK
from generator.grading.gradescope import METADATA_JSON

# Files a hand-in platform writes beside the students' files: never a submission
# (uploader.py reads them to learn who handed a file in).
PLATFORM_FILES = frozenset({METADATA_JSON})
# How report.json, as grade writes it, begins: no submission begins so (it must hold
# exam_id, and "exams" is no field of one), so a folder holding one is a grades folder.
_REPORT_START = b'{"exams":'
_PATH_MAX = 4096  # Linux's PATH_MAX: a longer path cannot be opened at all


@dataclass(frozen=True)
class Refused:
    """A path the walk could not list or read past: ``path`` as report.json names it
    (escaped where its name is not UTF-8), why, and whether it is a folder (``regrade``
    walks a refused folder again)."""

    path: str
    error: str
    folder: bool


class Found(list[Path]):
    """The submission files found, in path order, with what the walk refused and the
    notes on the folders it passed over."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[Refused] = []
        self.notes: list[str] = []


def short_path(path: str, most: int = 120) -> str:
    """``path`` escaped for a terminal and, past ``most`` characters, cut in the middle:
    the start says which folder of the class, the end which file."""
    text = printable(path)
    if len(text) <= most:
        return text
    keep = (most - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def collect(paths: Iterable[Path]) -> Found:
    """The submission files: the files named, and every *.json below the folders named,
    except the instructor's own files and the folders examgen wrote."""
    found = Found()
    for path in paths:
        if _is_folder(path):
            _walk(path, found)
        else:
            found.append(path)  # read as a file: what cannot be read is refused then
    return found


def _is_folder(path: Path) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def _walk(root: Path, found: Found) -> None:
    files: list[tuple[tuple[str, ...], Path]] = []
    refused: list[Refused] = []
    misnamed: list[Path] = []
    folders = [str(root)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            refused.append(_refused_folder(folder, error))
            continue
        mark = _examgen_folder(folder, entries)
        if mark:
            found.notes.append(f"{short_path(folder)}: {mark}, not submissions: passed over")
            continue
        for entry in entries:
            name = entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError as error:
                refused.append(_refused_folder(entry.path, error))
                continue
            if is_folder:
                if name == "instructor":  # the instructor's own folder: keys, never read
                    continue
                if not _is_utf8(name):
                    # every file below would be named in a report that cannot hold it
                    refused.append(
                        Refused(
                            printable(entry.path),
                            f"{short_path(entry.path)}: the folder's name is not UTF-8; "
                            "rename it to grade the files in it",
                            True,
                        )
                    )
                    continue
                folders.append(entry.path)
            elif name.endswith(".json") and name not in PLATFORM_FILES:
                if len(os.fsencode(entry.path)) >= _PATH_MAX:
                    refused.append(
                        Refused(
                            printable(entry.path),
                            f"{short_path(entry.path)}: {_TOO_LONG}; move it to grade it",
                            False,
                        )
                    )
                    continue
                path = Path(entry.path)
                files.append((path.parts, path))
            elif _misnamed(name):
                misnamed.append(Path(entry.path))
    # sorted as paths sort, by their parts: a key, not the slow Path comparisons
    found += [path for _parts, path in sorted(files, key=lambda item: item[0])]
    found.refused += sorted(refused, key=lambda r: Path(r.path).parts)
    found.notes += [
        f"{short_path(str(path))}: not graded, as only files named *.json are read; "
        "rename it to grade it"
        for path in sorted(misnamed, key=lambda path: path.parts)
    ]


_TOO_LONG = f"the path is longer than the system's limit of {_PATH_MAX} bytes"
_REASONS = {
    errno.ENAMETOOLONG: _TOO_LONG,
    errno.ELOOP: "a loop of symbolic links",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "it vanished while the class was read",
    errno.ENOTDIR: "it was replaced by a file while the class was read",
}


def _refused_folder(folder: str, error: OSError) -> Refused:
    reason = _REASONS.get(error.errno or 0) or printable(error.strerror or str(error))
    message = f"{short_path(folder)}: cannot read the folder ({reason}); nothing in it is graded"
    return Refused(printable(folder), message, True)


def _examgen_folder(folder: str, entries: list[os.DirEntry[str]]) -> str | None:
    """What examgen wrote ``folder`` as, when it did: a grades folder (its report.json), or
    a run's staging folder (its run lock); else None."""
    names = {entry.name for entry in entries}
    if RUN_LOCK in names:
        return "a grading run's staging folder"
    if "report.json" in names:
        try:
            start = read_bytes(Path(folder, "report.json"), len(_REPORT_START))
        except OSError:
            return None
        if start == _REPORT_START:
            return "a grades folder examgen wrote"
    return None


def _misnamed(name: str) -> bool:
    """A name that a student meant as a submission but that no walk reads: the .json in
    another case (submission.JSON), or followed by more (submission.json.txt), or a
    submission saved under another extension (submission.txt)."""
    lowered = name.lower()
    return ".json" in lowered or lowered.startswith("submission")


def _is_utf8(name: str) -> bool:
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
