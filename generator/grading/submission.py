"""Reading submissions defensively: size, encoding, JSON, duplicate keys and structure are
all checked, and each problem is reported as one line naming the file."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.answers.types import AnswerType
from generator.errors import SubmissionError, quoted
from generator.files.reading import read_json
from generator.ids import EXAM_ID_RULE, is_exam_id

MAX_SUBMISSION_BYTES = 1_000_000

# When the answer form saved the file, by the student's own clock (UTC, to the second or
# the millisecond): shown in the gradebook so a late file can be seen, never trusted as proof.
_SAVED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z", re.ASCII)
SAVED_AT_EXAMPLE = "2026-05-14T09:30:00Z"


def _is_utc_time(value: Any) -> bool:
    """A real UTC time as the answer form writes it: 2026-13-45T99:99:99Z has the shape."""
    if not (isinstance(value, str) and _SAVED_AT.fullmatch(value)):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def read_submission(path: Path) -> dict[str, Any]:
    """A submission whose structure is checked; answers are checked against the key later."""
    data = read_json(path, MAX_SUBMISSION_BYTES, SubmissionError)
    source = str(path)
    if not isinstance(data, dict):
        raise SubmissionError(source, "expected a JSON object with exam_id, variant_id and answers")
    for field in ("exam_id", "variant_id", "answers"):
        if field not in data:
            raise SubmissionError(source, f"missing the field '{field}'")
    for field in ("exam_id", "variant_id", "student_id"):
        if field in data and not isinstance(data[field], str):
            raise SubmissionError(source, f"'{field}' must be a string")
    extra = set(data) - {"exam_id", "variant_id", "student_id", "name", "answers", "saved_at"}
    if extra:
        raise SubmissionError(source, f"unknown field '{sorted(extra)[0]}'")
    saved_at = data.get("saved_at")
    if saved_at is not None and not _is_utc_time(saved_at):
        raise SubmissionError(
            source,
            f"'saved_at' {quoted(str(saved_at))} is not a UTC time such as {SAVED_AT_EXAMPLE} "
            "(the answer form writes it; delete the field if you edited it)",
        )
    if not isinstance(data["answers"], dict):
        raise SubmissionError(source, "'answers' must be an object of question id -> parts")
    return data


def check_answers(
    source: str, answers: dict[str, Any], key: dict[str, Any], types: list[AnswerType]
) -> None:
    """Refuse answers to questions or parts the variant (its grading ``key``, whose answer
    ``types`` are built) does not have, or of a JSON type no answer can have, naming the
    question and part."""
    questions = {q["id"]: {part["id"]: part for part in q["parts"]} for q in key["questions"]}
    for qid, given in answers.items():
        if qid not in questions:
            raise SubmissionError(
                source, f"unknown question id {quoted(qid)} (exam has {', '.join(questions)})"
            )
        if not isinstance(given, dict):
            raise SubmissionError(source, f"question {qid}: expected an object of part -> answer")
        parts = questions[qid]
        for part, value in given.items():
            if part not in parts:
                raise SubmissionError(
                    source,
                    f"question {qid}: unknown part {quoted(part)} "
                    f"(parts: {', '.join(sorted(parts))})",
                )
            if type(value) is str:  # text is an answer of every type: most answers
                continue
            problem = types[parts[part]["type"]].json_problem(value)
            if problem:
                raise SubmissionError(source, f"question {qid}, part {part}: {problem}")


def find_key(submission: Path, exam_id: str, exams: Path) -> Path:
    """The key of ``exam_id``: ``exams/EXAM_ID/instructor/key.json``, in the instructor's
    folder of generated exams (``./output``, or ``--exams``). Never a key found beside or
    above the submission: a student's upload folder could carry one of their own making."""
    source = str(submission)
    if not is_exam_id(exam_id):
        raise SubmissionError(
            source, f"exam_id {quoted(exam_id)} is not an exam id ({EXAM_ID_RULE})"
        )
    candidate = exams / exam_id / "instructor" / "key.json"
    try:
        found = candidate.is_file()
    except OSError as error:
        raise SubmissionError(source, f"cannot look for its key: {error.strerror}") from None
    if not found:
        raise SubmissionError(
            source,
            f"no key for exam {quoted(exam_id)} under {exams}/ "
            "(pass --exams FOLDER or --key PATH/instructor/key.json)",
        )
    return candidate


def check_exam(exam_id: str, submission: dict[str, Any], source: str) -> None:
    if submission["exam_id"] != exam_id:
        raise SubmissionError(
            source,
            f"exam_id {quoted(submission['exam_id'])} is not this key's exam '{exam_id}'",
        )


def check_student(key: dict[str, Any], submission: dict[str, Any], source: str) -> None:
    """Refuse a submission for another exam, or one whose student is not the variant's."""
    check_exam(key["exam_id"], submission, source)
    claimed = submission.get("student_id")
    if claimed is not None and claimed != key["student_id"]:
        raise SubmissionError(
            source,
            f"variant '{key['variant_id']}' belongs to student '{key['student_id']}', "
            f"not {quoted(claimed)}",
        )
