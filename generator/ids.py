"""The ids that name files and folders: exam ids, student ids and variant ids.

Every id examgen reads from a file (a roster, a key, a submission) is checked against these
before it becomes part of a path, so no id can reach outside the folder it names a file in:
they start with a letter or digit and hold only letters, digits, '.', '_' and '-'.
"""

from __future__ import annotations

import re
from typing import Any

# An exam id is the spec's slug (at most 40 characters) and a keyed hash; a little room
# beyond that for practice sets and future prefixes, well inside any file system's limit.
_EXAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_VARIANT_ID = re.compile(r"[0-9a-f]{10}")

STUDENT_ID_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
EXAM_ID_RULE = "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"


def is_exam_id(value: Any) -> bool:
    return isinstance(value, str) and _EXAM_ID.fullmatch(value) is not None


def is_student_id(value: Any) -> bool:
    return isinstance(value, str) and _STUDENT_ID.fullmatch(value) is not None


def is_variant_id(value: Any) -> bool:
    return isinstance(value, str) and _VARIANT_ID.fullmatch(value) is not None
