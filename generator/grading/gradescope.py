"""Who Gradescope says handed a submission in, read from the files its downloads hold
beside the students' files:

- ``submission_metadata.json`` in a submission's folder, the format Gradescope documents
  for its autograders: ``users``, a list (several for a group submission), each with its
  ``name``, ``email``, Gradescope's own ``id`` and, where the course has student ids,
  ``sid``;
- ``submission_metadata.yml`` at the top of an "Export Submissions" download, one entry per
  submission folder: ``submission_ID:`` then ``:submitters:``, a list of ``:name:``,
  ``:sid:`` and ``:email:``. Ruby writes it; examgen has no YAML parser, so it reads
  exactly that shape and nothing else of the file.

Of the metadata files in the folders above a submission, the outermost counts: a student's
upload can plant one inside its own folder, never above it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import SubmissionError
from generator.files.reading import read_json, read_text

METADATA_JSON = "submission_metadata.json"
METADATA_YAML = "submission_metadata.yml"
_MOST_BYTES = 50_000_000  # an export's metadata holds every submission's scores too


@dataclass(frozen=True)
class Submitter:
    name: str
    sid: str
    email: str


@dataclass(frozen=True)
class Metadata:
    """What a metadata file says of one submission: its ``submitters``, or the ``problem``
    that kept it from being read."""

    source: str
    submitters: tuple[Submitter, ...] = ()
    problem: str | None = None


class GradescopeMetadata:
    """Finds and reads the metadata of submission files, each metadata file once."""

    def __init__(self) -> None:
        self._exists: dict[str, bool] = {}
        self._json: dict[str, Metadata] = {}
        self._yaml: dict[str, dict[str, list[dict[str, str]]] | str] = {}

    def of(self, source: str) -> Metadata | None:
        """The metadata of the submission file ``source``, from the outermost metadata
        file in the folders of its path as given; None when there is none."""
        folders = Path(source).parts[:-1]
        for depth in range(1, len(folders) + 1):
            folder = os.path.join(*folders[:depth])
            documented = os.path.join(folder, METADATA_JSON)
            if self._is_file(documented):
                return self._read_json(documented)
            export = os.path.join(folder, METADATA_YAML)
            if depth < len(folders) and self._is_file(export):
                found = self._read_yaml(export, folders[depth])
                if found is not None:
                    return found
        return None

    def _is_file(self, path: str) -> bool:
        if path not in self._exists:
            try:
                self._exists[path] = os.path.isfile(path)
            except (OSError, ValueError):
                self._exists[path] = False
        return self._exists[path]

    def _read_json(self, path: str) -> Metadata:
        if path not in self._json:
            self._json[path] = _documented(path)
        return self._json[path]

    def _read_yaml(self, path: str, folder: str) -> Metadata | None:
        if path not in self._yaml:
            try:
                self._yaml[path] = _export_entries(
                    read_text(Path(path), _MOST_BYTES, SubmissionError)
                )
            except SubmissionError as error:
                self._yaml[path] = str(error)
            except ValueError as error:
                self._yaml[path] = f"{path}: {error}"
        entries = self._yaml[path]
        if isinstance(entries, str):
            return Metadata(path, problem=entries)
        if folder not in entries:
            return None
        submitters = tuple(
            Submitter(f.get("name", ""), f.get("sid", ""), f.get("email", ""))
            for f in entries[folder]
        )
        return Metadata(path, submitters)


def _documented(path: str) -> Metadata:
    """submission_metadata.json, as Gradescope documents it."""
    try:
        data = read_json(Path(path), _MOST_BYTES, SubmissionError)
    except SubmissionError as error:
        return Metadata(path, problem=str(error))
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list) or not all(isinstance(user, dict) for user in users):
        return Metadata(path, problem=f"{path}: 'users' must be a list of objects")
    submitters = []
    for n, user in enumerate(users):
        fields = {name: _text(user.get(name)) for name in ("name", "sid", "email")}
        bad = next((name for name, value in fields.items() if value is None), None)
        if bad:
            return Metadata(path, problem=f"{path}: users[{n}].{bad} must be a string")
        submitters.append(Submitter(**fields))
    return Metadata(path, tuple(submitters))


def _text(value: Any) -> str | None:
    """A field as text: a student id may be written as a number; absent is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


# The lines of submission_metadata.yml read: a submission folder's key at the margin, its
# ":submitters:", and each submitter's "- :field: value" and ":field: value" lines.
_ENTRY = re.compile(r"([^\s:#'\"][^:]*):")
_ITEM = re.compile(r"( *)- :(\w+):(?: (.*))?")
_FIELD = re.compile(r"( *):(\w+):(?: (.*))?")
# What the reader above does not read, where a value starts: a tag (!!python/object), an
# anchor or alias (&a, *a), a flow collection or a block scalar. Better unread and said so
# than read wrong.
_UNREAD = re.compile(r"(?:^|:\s|-\s)\s*[!&*{\[|>]")


def _export_entries(text: str) -> dict[str, list[dict[str, str]]]:
    """Each submission folder's submitters, as fields by name, in an export's metadata."""
    entries: dict[str, list[dict[str, str]]] = {}
    submitters: list[dict[str, str]] | None = None
    listing, fields_at = False, -1
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _UNREAD.search(line):
            raise ValueError(
                f"line {number}: a YAML tag, anchor, alias or block, which Gradescope's "
                "export never writes: the file is not read"
            )
        entry = _ENTRY.fullmatch(line.rstrip())
        if entry:
            submitters = entries.setdefault(entry[1].strip(), [])
            listing = False
            continue
        if submitters is None:
            continue
        if line.strip() == ":submitters:":
            listing, fields_at = True, -1
            continue
        if not listing:
            continue
        item, field = _ITEM.fullmatch(line), _FIELD.fullmatch(line)
        if item:
            submitters.append({item[2]: _scalar(item[3])})
            fields_at = len(item[1]) + 2
        elif field and submitters and len(field[1]) == fields_at:
            submitters[-1][field[2]] = _scalar(field[3])
        else:
            listing = False  # the entry's next field: the submitters are all read
    return entries


def _scalar(text: str | None) -> str:
    """A YAML scalar as Ruby writes these: plain, 'single-quoted' or "double-quoted"."""
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            value = json.loads(text)
        except ValueError:
            return text[1:-1]
        return value if isinstance(value, str) else text[1:-1]
    return text
