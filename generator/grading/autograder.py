"""Gradescope's autograder: the one file a student uploaded, graded into the
``results/results.json`` Gradescope reads (its autograder specification: a total, a test
per question with its ``score``, ``max_score``, ``name``, ``number`` and ``output``, and
when students may see them).

``run_autograder`` (``exports.gradescope``) runs ``python -m generator.grading.autograder
ROOT``, ROOT being Gradescope's ``/autograder``::

    ROOT/source/keys/index.json        the exam, its [gradescope] settings and its roster
    ROOT/source/keys/variants/ID.json  each variant's grading key
    ROOT/submission/                   what the student uploaded
    ROOT/submission_metadata.json      who uploaded it, as Gradescope says
    ROOT/results/results.json          written here, whatever the upload holds

An upload that cannot be graded as the student's own (not one file, not a submission, of
another exam, another student's variant, a group's when the exam is handed in alone) scores
0, with one line saying why as the result's ``output`` and as an always visible test
without points (as is the line saying a good upload was read), so the student can upload
again before the grades are published. Nothing in such a line names another student. When examgen
itself fails, the student gets 0 and a line saying it is not their file's fault, and the
instructor the traceback, on the standard output only instructors see.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

from generator.errors import ExamgenError, KeyFileError, SubmissionError, quoted
from generator.exam.gradescope_settings import (
    AUTOGRADER_FAILED,
    AUTOGRADER_FORMAT,
    AUTOGRADER_INDEX,
    AUTOGRADER_VARIANTS,
)
from generator.files.encoding import to_json
from generator.files.reading import read_json
from generator.formatting import counted, format_score, student_cell
from generator.grading.gradescope import METADATA_JSON, GradescopeMetadata, Submitter
from generator.grading.scoring import grade
from generator.grading.submission import check_exam, read_submission
from generator.grading.uploader import HandIns, Roster, contact_key
from generator.ids import is_variant_id

_MAX_KEY_BYTES = 64 << 20  # a class's index; a variant's grading key is some kilobytes
_MOST_LISTED = 1000  # entries of an upload counted before it is refused as too many
# what an archiver adds beside the files a student zipped: never counted as a second file
_ARCHIVER_FILES = {"__MACOSX", ".DS_Store", "Thumbs.db"}

_OWN_FILE = "hand in the submission.json that came with your own sheet"
_WHEN_SHOWN = {
    "visible": "Your points, the keys and feedback are below.",
    "after_due_date": "Your points, the keys and feedback are shown after the due date.",
    "after_published": (
        "Your points, the keys and feedback are shown when your instructor publishes the grades."
    ),
    "hidden": "Your instructor will tell you your points.",
}


class Refused(Exception):
    """Why an upload cannot be graded as the student's: one line, shown to the student."""


def main(argv: list[str] | None = None) -> int:
    """Grade the upload under the autograder's root (the first argument, else
    ``AUTOGRADER_ROOT``, else /autograder) and write its results.json. Always 0: whatever
    happens, the student gets a result, never a failed run."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else os.environ.get("AUTOGRADER_ROOT", "/autograder")).absolute()
    try:
        results = autograder_results(root)
    except Exception:  # examgen's own fault: the instructor reads why on stdout
        traceback.print_exc(file=sys.stdout)
        results = AUTOGRADER_FAILED
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / ".results.json.part"
    staged.write_text(to_json(results), encoding="utf-8")
    os.replace(staged, folder / "results.json")
    return 0


def autograder_results(root: Path) -> dict[str, Any]:
    """results.json for the upload under ``root``, graded or refused."""
    index = _read_index(root / "source" / AUTOGRADER_INDEX)
    try:
        key, report, upload = _graded(root, index)
    except Refused as refused:
        return _refused_results(index, str(refused))
    return _graded_results(index, key, report, upload)


def _read_index(path: Path) -> dict[str, Any]:
    index = read_json(path, _MAX_KEY_BYTES, KeyFileError)
    if not isinstance(index, dict) or index.get("format") != AUTOGRADER_FORMAT:
        raise KeyFileError(str(path), "not an examgen autograder's index: export it again")
    return index


def _graded(root: Path, index: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The variant's grading key, the report and the upload's name, of an upload that is
    the uploader's own; Refused saying why when it is not."""
    upload = _the_one_file(root / "submission")
    name = upload.relative_to(root / "submission").as_posix()
    # Gradescope's metadata is found by the path as given, the outermost first: this path
    # starts at the root's own folder, so the root's metadata is the one read, never one in
    # the folders the upload holds, nor above the root
    os.chdir(root.parent)
    source = str(Path(root.name, "submission", name))
    submission = _as_named(name, source, read_submission, Path(source))
    _as_named(name, source, check_exam, index["exam_id"], submission, source)
    variants = {v["variant_id"]: v for v in index["variants"]}
    variant_id = submission["variant_id"]
    if not is_variant_id(variant_id) or variant_id not in variants:
        raise Refused(
            f"{quoted(name)}: variant_id {quoted(variant_id)} is not a variant of this exam: "
            + _OWN_FILE
        )
    entry = variants[variant_id]
    if submission.get("student_id", entry["student_id"]) != entry["student_id"]:
        raise Refused(
            f"{quoted(name)}: its student_id is not its variant's (was it edited?): {_OWN_FILE}"
        )
    _check_uploader(index, entry, source)
    key_file = root / "source" / AUTOGRADER_VARIANTS / f"{variant_id}.json"
    key = read_json(key_file, _MAX_KEY_BYTES, KeyFileError)
    report = _as_named(name, source, grade, key, submission, source)
    return key, report, name


def _the_one_file(folder: Path) -> Path:
    """The file the student uploaded: Refused unless the upload is one regular file."""
    found: list[os.DirEntry[str]] = []
    folders = [str(folder)]
    try:
        while folders and len(found) <= _MOST_LISTED:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.name in _ARCHIVER_FILES or entry.name.startswith("._"):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    else:
                        found.append(entry)
    except OSError as error:  # Gradescope's folder, not the student's doing
        raise RuntimeError(f"cannot list the upload in {folder}: {error}") from None
    if not found:
        raise Refused(f"the upload holds no file: {_OWN_FILE}")
    if len(found) > 1:
        count = f"{len(found)}" if len(found) <= _MOST_LISTED else f"over {_MOST_LISTED}"
        raise Refused(f"the upload holds {count} files, not one: {_OWN_FILE}, alone")
    (entry,) = found
    if not entry.is_file(follow_symlinks=False):
        name = Path(entry.path).relative_to(folder).as_posix()
        raise Refused(f"{quoted(name)} is not a regular file (a link?): {_OWN_FILE}")
    return Path(entry.path)


def _as_named(name: str, source: str, check: Any, *args: Any) -> Any:
    """``check(*args)``, a SubmissionError from it Refused with the upload named as the
    student named it, rather than by the autograder's path to it."""
    try:
        return check(*args)
    except SubmissionError as error:
        text = str(error.args[0]) if error.args else str(error)
        if text.startswith(source):
            text = quoted(name) + text[len(source) :]
        raise Refused(str(ExamgenError(text))) from None


def _check_uploader(index: dict[str, Any], entry: dict[str, Any], source: str) -> None:
    """Refuse a variant the uploader may not hand in: a group's upload, unless the spec
    allows groups, and a variant the roster gives to someone else. The roster's email, or
    else sid, of the variant's student must be an uploader's when the roster has either for
    that student or for an uploader; otherwise ``grade``'s own check of who handed a file
    in (``uploader.HandIns``: a sid that is a roster id, or a name) decides."""
    metadata = GradescopeMetadata().of(source)
    if metadata is None or metadata.problem or not metadata.submitters:
        raise Refused(
            f"Gradescope's record of who uploaded this ({METADATA_JSON}) cannot be read: "
            "ask your instructor"
        )
    submitters = metadata.submitters
    if len(submitters) > 1 and not index["gradescope"]["allow_groups"]:
        raise Refused(
            "this exam is handed in alone, not by a group: upload it again without group members"
        )
    owners = _owners(index, submitters)
    student = entry["student_id"]
    if owners or "email" in entry or "sid" in entry:
        if student not in owners:
            raise Refused(_not_yours(submitters))
        return
    checks = HandIns({index["exam_id"]: index}).check(source, index["exam_id"], student)
    if any(c["layout"] == "gradescope" and "flag" in c for c in checks):
        raise Refused(_not_yours(submitters))


def _owners(index: dict[str, Any], submitters: tuple[Submitter, ...]) -> set[str]:
    """The roster's students whose email (in any case) or sid is an uploader's."""
    known = Roster.of(index).by_contact
    contacts = [
        contact_key(c, v) for s in submitters for c, v in (("email", s.email), ("sid", s.sid))
    ]
    return {known[c] for c in contacts if c[1] and c in known}


def _not_yours(submitters: tuple[Submitter, ...]) -> str:
    """The refusal of another student's variant, naming only the uploaders themselves."""
    accounts = ", ".join(s.email or s.sid or s.name for s in submitters)
    return (
        f"this file's variant is not on the roster under your Gradescope account "
        f"({quoted(accounts, 120)}): {_OWN_FILE}, or ask your instructor if it is yours"
    )


def _refused_results(index: dict[str, Any], reason: str) -> dict[str, Any]:
    """A score of 0 and the reason, shown at once; each question 0, shown as the spec says."""
    visibility = index["gradescope"]["visibility"]
    tests = [
        {
            **_test_header(number, question),
            "score": 0,
            "max_score": 0 if question["id"] in index["dropped"] else question["points"],
            "output": "Not graded: " + student_cell(reason),
            "output_format": "md",
            "visibility": visibility,
        }
        for number, question in enumerate(index["questions"], start=1)
    ]
    line = f"Your upload scores 0: {reason}"
    return {
        "score": 0,
        "output": line,
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": [_upload_test(line, passed=False), *tests],
        "extra_data": {"exam_id": index["exam_id"], "refused": reason},
    }


def _graded_results(
    index: dict[str, Any], key: dict[str, Any], report: dict[str, Any], upload: str
) -> dict[str, Any]:
    visibility = index["gradescope"]["visibility"]
    tests = []
    questions = zip(key["questions"], report["questions"], strict=True)
    for number, (question, graded) in enumerate(questions, start=1):
        tests.append(
            {
                **_test_header(number, question),
                "score": graded["points"],
                "max_score": graded["max_points"],
                "output": _question_output(question, graded),
                "output_format": "md",
                "visibility": visibility,
            }
        )
    line = f"{_received(upload, key, report)} {_WHEN_SHOWN[visibility]}"
    return {
        "score": report["points"],
        "output": line,
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": [_upload_test(line, passed=True), *tests],
        "extra_data": {name: report[name] for name in ("exam_id", "variant_id", "student_id")},
    }


def _upload_test(line: str, passed: bool) -> dict[str, Any]:
    """A test without points saying whether the upload was read as the student's, always
    visible: Gradescope's own pattern for a check students must see before the grades
    are published, so a refused upload can be mended in time."""
    return {
        "name": "Your upload",
        "number": "0",
        "status": "passed" if passed else "failed",
        "output": line,
        "output_format": "text",
        "visibility": "visible",
    }


def _test_header(number: int, question: dict[str, Any]) -> dict[str, Any]:
    return {"name": f"{question['id']}: {question['title']}", "number": str(number)}


def _received(upload: str, key: dict[str, Any], report: dict[str, Any]) -> str:
    """What the student is told at once, whatever the visibility: the file was read as
    theirs, and which parts are blank or unreadable (never which are right)."""
    parts = [(q["id"], p) for q in report["questions"] for p in q["parts"]]
    blank = [f"{qid} {p['id']}" for qid, p in parts if p["status"] == "blank"]
    unread = [f"{qid} {p['id']}" for qid, p in parts if p["status"] == "invalid"]
    line = (
        f"Received {quoted(upload)}: {key['title']}, variant {key['variant_id']}; "
        f"{len(parts) - len(blank)} of {counted(len(parts), 'part')} answered."
    )
    if blank:
        line += f" Blank: {_listed(blank)}."
    if unread:
        line += f" Not readable as an answer: {_listed(unread)}."
    return line


def _listed(names: list[str], most: int = 12) -> str:
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _question_output(question: dict[str, Any], graded: dict[str, Any]) -> str:
    """A question's feedback in Markdown, a line per part: the answer as the student wrote
    it (escaped: nothing in it is read as markup), the key, the points and the verdict."""
    if question["dropped"]:
        return "Dropped by your instructor: it counts for no one."
    lines = []
    for part, row in zip(question["parts"], graded["parts"], strict=True):
        answer = "(blank)" if row["status"] == "blank" else _answer_text(row["answer"])
        verdict = row["status"]
        if row["feedback"] and row["status"] != "blank":
            verdict += f": {row['feedback']}"
        lines.append(
            f"- **{student_cell(part['id'])}** · your answer: {student_cell(answer)} · "
            f"key: {student_cell(part['shown'])} · "
            f"{format_score(row['points'], row['max_points'])} · {student_cell(verdict)}"
        )
    return "\n".join(lines)


def _answer_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw if len(raw) <= 200 else raw[:200] + "…"
    text = to_json(raw, compact=True).strip()
    return text if len(text) <= 200 else text[:200] + "…"


if __name__ == "__main__":
    sys.exit(main())
