"""An exam spec's ``[gradescope]`` table: how the Gradescope autograder
(``examgen export --format gradescope``) shows its results to students.

```toml
[gradescope]
visibility = "after_published"   # when students see each question's points, key and feedback
allow_groups = false             # whether a group may hand in one file
```

The table is recorded in the manifest's header as read, defaults filled in, and checked
again there, as an instructor may edit key.json by hand.
"""

from __future__ import annotations

from typing import Any

# Gradescope's own words for when a student sees a test's result (its autograder docs)
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULTS: dict[str, Any] = {"visibility": "after_published", "allow_groups": False}


class SettingError(ValueError):
    """A field of the table, ``field``, and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def read_settings(raw: Any) -> dict[str, Any]:
    """The ``[gradescope]`` table with defaults filled in; SettingError naming the field."""
    if not isinstance(raw, dict):
        raise SettingError("gradescope", 'must be a table such as { visibility = "visible" }')
    for name in raw:
        if name not in DEFAULTS:
            raise SettingError(
                f"gradescope.{name}", f"unknown field (allowed: {', '.join(DEFAULTS)})"
            )
    settings = {**DEFAULTS, **raw}
    if settings["visibility"] not in VISIBILITIES:
        raise SettingError("gradescope.visibility", f"must be one of {', '.join(VISIBILITIES)}")
    if not isinstance(settings["allow_groups"], bool):
        raise SettingError("gradescope.allow_groups", "must be true or false")
    return settings


# Where the autograder keeps what it reads, under Gradescope's /autograder/source (the zip's
# contents): written by ``exports.gradescope``, read by ``grading.autograder``.
AUTOGRADER_INDEX = "keys/index.json"  # the exam, these settings and its roster
AUTOGRADER_VARIANTS = "keys/variants"  # each variant's grading key, ID.json
AUTOGRADER_FORMAT = 1  # of the index: an autograder reads only its own
# results.json when examgen itself fails on an upload, or cannot start: the student reads
# this, the instructor why, on the standard output Gradescope shows instructors alone
AUTOGRADER_FAILED = {
    "score": 0,
    "output": (
        "The autograder could not grade this upload. This is not a fault of your file: "
        "your instructor will regrade it."
    ),
    "output_format": "text",
    "stdout_visibility": "hidden",
    "tests": [],
}
