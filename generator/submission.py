"""Reading submission and key files defensively: size, encoding, JSON, duplicate keys and
structure are all checked, and each problem is reported as one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.answers import json_type_problem
from generator.errors import KeyFileError, SubmissionError

MAX_SUBMISSION_BYTES = 1_000_000
MAX_KEY_BYTES = 2_000_000_000


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def read_json(path: Path, limit: int, error: type[SubmissionError] | type[KeyFileError]) -> Any:
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise error(source, "no such file") from None
    except IsADirectoryError:
        raise error(source, "is a directory, not a file") from None
    except OSError as problem:
        raise error(source, f"cannot read: {problem.strerror or problem}") from None
    if len(data) > limit:
        raise error(source, f"larger than the {limit:,}-byte limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(source, f"not UTF-8 text (byte {problem.start + 1})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as problem:
        raise error(source, f"the key '{problem}' appears twice in one object") from None
    except json.JSONDecodeError as problem:
        raise error(
            source, f"not valid JSON: {problem.msg} (line {problem.lineno}, column {problem.colno})"
        ) from None
    except RecursionError:
        raise error(source, "JSON nested too deeply") from None


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
    extra = set(data) - {"exam_id", "variant_id", "student_id", "name", "answers"}
    if extra:
        raise SubmissionError(source, f"unknown field '{sorted(extra)[0]}'")
    if not isinstance(data["answers"], dict):
        raise SubmissionError(source, "'answers' must be an object of question id -> parts")
    return data


def check_answers(source: str, answers: dict[str, Any], variant: dict[str, Any]) -> None:
    """Refuse answers to questions or parts the variant does not have, or of a JSON type no
    answer can have, naming the question and part."""
    parts = {q["id"]: {p["id"] for p in q["parts"]} for q in variant["questions"]}
    for qid, given in answers.items():
        if qid not in parts:
            raise SubmissionError(
                source, f"unknown question id '{qid}' (exam has {', '.join(parts)})"
            )
        if not isinstance(given, dict):
            raise SubmissionError(source, f"question {qid}: expected an object of part -> answer")
        for part, value in given.items():
            if part not in parts[qid]:
                raise SubmissionError(
                    source,
                    f"question {qid}: unknown part '{part}' "
                    f"(parts: {', '.join(sorted(parts[qid]))})",
                )
            problem = json_type_problem(value)
            if problem:
                raise SubmissionError(source, f"question {qid}, part {part}: {problem}")


def read_key(path: Path) -> dict[str, Any]:
    from generator.assemble import MANIFEST_FORMAT

    data = read_json(path, MAX_KEY_BYTES, KeyFileError)
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(data.get("variants"), list)
        or not isinstance(data.get("questions"), list)
    ):
        raise KeyFileError(str(path), "not an examgen key file (instructor/key.json)")
    return data


def find_key(submission: Path, exam_id: str, search: Path) -> Path:
    """The key of ``exam_id``: in an exam directory holding the submission, else under
    ``search`` (``./output`` by default)."""
    for parent in submission.resolve().parents:
        candidate = parent / "instructor" / "key.json"
        if candidate.is_file() and parent.name == exam_id:
            return candidate
    safe = exam_id.replace("/", "").replace("\\", "").lstrip(".")
    candidate = search / safe / "instructor" / "key.json"
    if safe and candidate.is_file():
        return candidate
    raise SubmissionError(
        str(submission),
        f"no key for exam '{exam_id[:60]}' under {search}/ (pass --key PATH/instructor/key.json)",
    )
