"""The Markdown a text from a colleague may hold: text and formulas, no raw HTML, links or
images. sheet.md carries such a text as it is to every student, so a spec's instructions or
a question file's texts could otherwise put a script, a ``javascript:`` link or a tracking
image on every sheet (the HTML and PDF sheets print them as typed anyway)."""

from __future__ import annotations

from generator.errors import quoted


def active_markup(text: str) -> str | None:
    """What in a Markdown text is more than text and formulas, said for an error message
    ("raw HTML '<script>…'", "a link or image to '…'"); None when there is none."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # a javascript: link is refused, not left as text
    for token in parser.parse(text):
        for item in (token, *(token.children or [])):
            if item.type in ("html_block", "html_inline"):
                return f"raw HTML {quoted(item.content.strip(), 30)}"
            if item.type in ("link_open", "image"):
                target = item.attrGet("href") or item.attrGet("src")
                return f"a link or image to {quoted(target, 30)}"
    return None
