"""The scripts HTML pages carry inside themselves, shipped with examgen so every page works
alone and offline: KaTeX and the scripts that run it, read answers and run the answer form.
Templates put the scripts' text in a page, and KaTeX's mark, which ``with_katex`` replaces
with KaTeX itself as the page is written."""

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

# Where a rendered page takes KaTeX. Its 270 kB are the same in every page, so they join a
# page as bytes when it is written (``with_katex``), encoded once: carried through each
# page's text, they cost a second of the 12 that 1,000 variants in md,html took.
KATEX_MARK = "<!--examgen:katex-->"


def write_files(root: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write each file, by path under ``root``, making its folders."""
    for path, data in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@cache
def inline_scripts() -> dict[str, Markup]:
    """The pages' scripts, as text to put inside their <script> elements: each page then
    works from a copy of it alone, offline, loading nothing. KaTeX's is its mark: a page
    written through ``with_katex`` carries KaTeX there."""
    scripts = {
        name: Markup(_script(path)) for name, path in INLINE_SCRIPTS.items() if name != "katex"
    }
    return {**scripts, "katex": Markup(KATEX_MARK)}


@cache
def _katex() -> bytes:
    return _script(INLINE_SCRIPTS["katex"]).encode()


def page_as_written(path: Path, text: str) -> bytes:
    """A rendered page as its file holds it: UTF-8, and for an HTML page KaTeX in place of
    its mark (``with_katex``)."""
    data = text.encode()
    return with_katex(data) if path.suffix == ".html" else data


def with_katex(page: bytes) -> bytes:
    """A rendered HTML page's bytes with KaTeX in place of its mark. The mark comes after
    everything the page shows, whose text is escaped: none of it can make a second one.
    Only for HTML: a Markdown or LaTeX page may quote the mark as text."""
    before, mark, after = page.rpartition(KATEX_MARK.encode())
    return b"".join((before, _katex(), after)) if mark else page


def _script(path: str) -> str:
    text = (files("templates") / "assets" / path).read_text(encoding="utf-8")
    if _SCRIPT_END.search(text):
        raise RuntimeError(f"templates/assets/{path} cannot go inside a <script> element")
    return text
