"""The scripts HTML pages carry inside themselves, shipped with examgen so every page works
alone and offline: KaTeX and the scripts that run it, read answers and run the answer form."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path

from markupsafe import Markup

# What would end a <script> element, or start a comment that hides its end, early
_SCRIPT_END = re.compile(r"</script|<!--", re.IGNORECASE)

# The scripts HTML pages carry inside themselves, by name: every page KaTeX and typeset (it
# draws formulas as MathML, which needs no font or stylesheet); the answer form and the
# self-check page their own
INLINE_SCRIPTS = {
    "katex": "katex/katex.min.js",
    "typeset": "typeset.js",
    "answers": "answers.js",
    "form": "form.js",
    "selfcheck": "selfcheck.js",
}


def write_files(root: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write each file, by path under ``root``, making its folders."""
    for path, data in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@cache
def inline_scripts() -> dict[str, Markup]:
    """The pages' scripts, as text to put inside their <script> elements: each page then
    works from a copy of it alone, offline, loading nothing."""
    root = files("templates") / "assets"
    scripts = {}
    for name, path in INLINE_SCRIPTS.items():
        text = (root / path).read_text(encoding="utf-8")
        if _SCRIPT_END.search(text):
            raise RuntimeError(f"templates/assets/{path} cannot go inside a <script> element")
        scripts[name] = Markup(text)
    return scripts
