"""Who handed a submission in, where the hand-in path says so, checked against the student
whose variant the file holds: a file is graded as the variant inside it says, and one that
another student handed in is flagged for the instructor.

Three layouts say who handed a file in:

- **a student's folder:** the nearest folder above the file, in the path as given, named
  exactly as a roster student id (``handins/s1/submission.json``);
- **Gradescope:** the submission's metadata (``gradescope``): a submitter whose email (in
  any case) or ``sid`` is a roster student's ``email`` or ``sid`` column, else whose ``sid``
  is a roster id, or else whose name is exactly one roster student's name;
- **Canvas:** a download's file name, ``name_CANVASID_SUBMISSIONID_original.json`` (with
  ``_LATE`` after the name for a late one). Canvas's ids are not the roster's; its name part
  (the student's sortable name, letters and digits only: ``lovelaceada``) is matched against
  the roster's names, and names a student only when it is exactly one student's name, in
  any order of its words.

Anything else names no one and is not checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import quoted
from generator.grading.class_walk import short_path
from generator.grading.gradescope import GradescopeMetadata, Metadata

# Canvas's "Download Submissions": the name part holds no "_", its ids are digits only.
_CANVAS_NAME = re.compile(
    r"(?P<name>[^_]+)(?P<late>_LATE)?_(?P<user>[0-9]+)_(?P<submission>[0-9]+)_(?P<original>.+)"
)


def name_slug(text: str) -> str:
    """A name as letters and digits only, lower case, accents dropped: how Canvas spells a
    name in its file names, so 'Lovelace, Ada' and 'lovelaceada' meet."""
    return "".join(_words(text))


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


@dataclass
class Roster:
    """One exam's students, as the checks look them up."""

    ids: set[str]
    by_name: dict[str, set[str]]  # a name's words, joined in the roster's order
    by_slug: dict[str, set[str]]  # a name's words joined starting at any of them
    # ("email", casefolded) and ("sid", sid), from the roster's columns (unique there)
    by_contact: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, index: dict[str, Any]) -> Roster:
        roster = cls(set(), {}, {})
        for variant in index["variants"]:
            student, words = variant["student_id"], _words(variant.get("name") or "")
            roster.ids.add(student)
            for column in ("email", "sid"):
                if variant.get(column):
                    roster.by_contact[contact_key(column, variant[column])] = student
            if not words:
                continue
            roster.by_name.setdefault("".join(words), set()).add(student)
            # "Ada Lovelace" is "lovelaceada" in Canvas; "Anna van der Berg", "vanderberganna"
            for start in range(len(words)):
                slug = "".join(words[start:] + words[:start])
                roster.by_slug.setdefault(slug, set()).add(student)
        return roster


class HandIns:
    """What the hand-in paths of a class say, checked file by file (``check``)."""

    def __init__(self, indexes: dict[str, dict[str, Any]]) -> None:
        self._rosters = {exam_id: Roster.of(index) for exam_id, index in indexes.items()}
        self._gradescope = GradescopeMetadata()

    def check(self, source: str, exam_id: str, student: str) -> list[dict[str, Any]]:
        """What each layout that applies to the file ``source``, graded as ``student``'s
        variant of ``exam_id``, says: who handed it in, and a ``flag`` saying why when
        that is another student, or when it cannot be told from the platform's metadata."""
        roster = self._rosters[exam_id]
        found = [
            _in_folder(source, roster),
            _on_gradescope(self._gradescope.of(source), roster),
            _on_canvas(Path(source).name, roster),
        ]
        checked = []
        for entry in found:
            if entry is None:
                continue
            entry = {"submission": source, "student_id": student, **entry}
            by = entry.get("handed_in_by", [])
            if "problem" in entry:
                entry["flag"] = f"who handed it in cannot be told: {entry.pop('problem')}"
            elif by and student not in by:
                entry["flag"] = f"{_how(entry)}, but holds {student}'s variant"
            checked.append(entry)
        return checked


def _in_folder(source: str, roster: Roster) -> dict[str, Any] | None:
    folders = Path(source).parts[:-1]
    for depth in range(len(folders), 0, -1):
        if folders[depth - 1] in roster.ids:
            folder = str(Path(*folders[:depth]))
            return {"layout": "folder", "folder": folder, "handed_in_by": [folders[depth - 1]]}
    return None


def _on_gradescope(metadata: Metadata | None, roster: Roster) -> dict[str, Any] | None:
    if metadata is None:
        return None
    entry: dict[str, Any] = {"layout": "gradescope", "metadata": metadata.source}
    if metadata.problem:
        return {**entry, "problem": metadata.problem}
    by = []
    for submitter in metadata.submitters:
        contacts = [contact_key("email", submitter.email), contact_key("sid", submitter.sid)]
        known = [roster.by_contact[c] for c in contacts if c[1] and c in roster.by_contact]
        if known:
            by.append(known[0])
            continue
        if submitter.sid in roster.ids:
            by.append(submitter.sid)
            continue
        named = roster.by_name.get(name_slug(submitter.name), set())
        if len(named) == 1:
            by += named
    entry["submitters"] = [
        {"name": s.name, "sid": s.sid, "email": s.email} for s in metadata.submitters
    ]
    # a group hands in together: the file is theirs when each submitter is known
    known = len(by) == len(metadata.submitters)
    return {**entry, "handed_in_by": sorted(set(by)) if known else []}


def contact_key(column: str, value: str) -> tuple[str, str]:
    """How a roster's email or sid is looked up: an email in any case is one address."""
    return (column, value.casefold() if column == "email" else value)


def _on_canvas(name: str, roster: Roster) -> dict[str, Any] | None:
    parts = _CANVAS_NAME.fullmatch(name)
    if parts is None:
        return None
    named = roster.by_slug.get(parts["name"].lower(), set())
    return {
        "layout": "canvas",
        "canvas_name": parts["name"],
        "canvas_user_id": parts["user"],
        "canvas_submission_id": parts["submission"],
        "late": parts["late"] is not None,
        "handed_in_by": sorted(named) if len(named) == 1 else [],
    }


def _how(entry: dict[str, Any]) -> str:
    """How the instructor is told who handed a file in."""
    by = ", ".join(entry["handed_in_by"])
    if entry["layout"] == "folder":
        return f"handed in from {short_path(entry['folder'])}, {by}'s folder"
    if entry["layout"] == "canvas":
        return f"handed in on Canvas as {quoted(entry['canvas_name'])}, {by}'s name"
    sids = ", ".join(quoted(s["sid"]) for s in entry["submitters"] if s["sid"])
    return f"handed in on Gradescope by {by}" + (f" (sid {sids})" if sids else "")
