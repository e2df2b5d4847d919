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
