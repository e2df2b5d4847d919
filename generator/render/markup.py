"""The Markdown that family templates write, turned into HTML and into LaTeX.

Formulas are TeX between dollar signs, ``$...$`` inline and ``$$...$$`` on their own: KaTeX
typesets them in HTML, LaTeX itself in a PDF, and Markdown viewers show them as written.
Raw HTML in the text is never passed through: everything is escaped for its format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from generator.errors import ExamgenError
from generator.tex_subset import markdown, refused, unsafe_formula

# Labels, hints, options and the concept bank's items recur in every variant of a class:
# converting each text once makes an exam of a thousand variants several times faster.
_CACHED = 16384


@cache
def _parser() -> MarkdownIt:
    return markdown()


# One line that only escaping, `code` and $formulas$ change. Outside code and formulas: no
# emphasis star, escape, entity or table character, an underscore only inside a word (where
# it can neither open nor close emphasis), and no list marker first; as a paragraph or list
# item, no # first either (a heading). Most labels, hints, steps and questions are such a
# line, and markdown-it takes 60 µs or more to find that out for each.
_MARKUP_OUTSIDE = re.compile(r"[*`\\&|]|(?<![^\W_])_|_(?![^\W_])")
_LIST_START = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?: |$)")


def _simple_inline(text: str, formula: Callable[[str], str]) -> str | None:
    """The inline HTML markdown-it renders for such a line, or None for any other text."""
    text = text.strip(" ")
    # isprintable: no line break, tab or unusual space, whose handling differs
    if not text or not text.isprintable() or "$$" in text or _LIST_START.match(text):
        return None
    pieces = text.split("`")
    if len(pieces) % 2 == 0 or "``" in text:
        return None  # a lone backtick, or a longer run, which only a run as long closes
    html = []
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            inline = _text_and_formulas(piece, formula)
        elif piece and piece[0] != " " and piece[-1] != " ":
            # one backtick each side, and no space to trim: the code is shown as it is
            inline = f"<code>{escapeHtml(piece)}</code>"
        else:
            return None
        if inline is None:
            return None
        html.append(inline)
    return "".join(html)


def _text_and_formulas(text: str, formula: Callable[[str], str]) -> str | None:
    """Text outside code: plain words and whole $formulas$, or None."""
    pieces = text.split("$")
    if len(pieces) % 2 == 0:
        return None  # a lone dollar sign, or a formula that a code span would cut
    html = []
    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            if _MARKUP_OUTSIDE.search(piece):
                return None
            html.append(escapeHtml(piece))
        elif not piece or piece[0] == " " or piece[-1] in " \\":
            return None  # markdown-it would not read it as a formula
        else:
            html.append(formula(escapeHtml(piece)))
    return "".join(html)


def _simple_paragraph(text: str, formula: Callable[[str], str]) -> str | None:
    """The paragraph markdown-it renders for such a line, or for lines that are each such a
    line (a sentence wrapped in a question file); None for any other text."""
    lines = text.split("\n")
    if len(lines) > 1 and any(not line or line != line.strip(" ") for line in lines):
        return None  # a blank line ends the paragraph; spaces at a line's end may break it
    html = []
    for line in lines:
        # a formula or code span may not run over a line's end: each line holds whole ones
        inline = None if line.strip(" ").startswith("#") else _simple_inline(line, formula)
        if inline is None:
            return None
        html.append(inline)
    return "<p>" + "\n".join(html) + "</p>\n"


_ITEM = re.compile(r"(?:([-+*])|(\d{1,9})([.)])) (?! )(.*)")


def _simple_list(lines: list[str], formula: Callable[[str], str]) -> str | None:
    """The tight list markdown-it renders for lines that are each an item of one simple
    line, with one marker style; None for any other lines."""
    items = [_ITEM.fullmatch(line) for line in lines]
    if not all(items) or len({item[1] or item[3] for item in items}) != 1:
        return None
    html = []
    for item in items:
        inline = None if item[4].startswith("#") else _simple_inline(item[4], formula)
        if inline is None:
            return None
        html.append(f"<li>{inline}</li>\n")
    if items[0][1]:
        return f"<ul>\n{''.join(html)}</ul>\n"
    start = int(items[0][2])
    opening = "<ol>" if start == 1 else f'<ol start="{start}">'
    return f"{opening}\n{''.join(html)}</ol>\n"


_TABLE_RULE = re.compile(r"\|(?: *-+ *\|)+")
# A blank to fill in as a table cell writes it, its underscores escaped: \_\_\_\_
_ESCAPED_BLANK = re.compile(r"(?:\\_)+")


def _simple_table(lines: list[str], formula: Callable[[str], str]) -> str | None:
    """The table markdown-it renders for a header row, a rule of dashes (no alignment) and
    body rows, as many cells in each and each cell one simple line; None for other lines."""
    if len(lines) < 3 or not _TABLE_RULE.fullmatch(lines[1]):
        return None
    if "\\" in _ESCAPED_BLANK.sub("", "".join(lines)):
        return None  # a backslash may escape a pipe: only a blank's (\_\_\_) is read here
    width = lines[1].count("|") - 1
    rows = []
    for n, line in enumerate((lines[0], *lines[2:])):
        cells = line[1:-1].split("|")
        if len(line) < 2 or line[0] != "|" or line[-1] != "|" or len(cells) != width:
            return None
        tag = "td" if n else "th"
        html = []
        for cell in cells:
            cell = cell.strip(" ")
            if _ESCAPED_BLANK.fullmatch(cell):
                inline = "_" * (len(cell) // 2)
            else:
                inline = _simple_inline(cell, formula) if cell else ""
            if inline is None:
                return None
            html.append(f"<{tag}>{inline}</{tag}>\n")
        rows.append(f"<tr>\n{''.join(html)}</tr>\n")
    return f"<table>\n<thead>\n{rows[0]}</thead>\n<tbody>\n{''.join(rows[1:])}</tbody>\n</table>\n"


def _simple_markdown(text: str, formula: Callable[[str], str]) -> str | None:
    """What markdown-it renders for paragraphs of simple lines, tight simple lists and
    simple tables, separated by blank lines; None for any other text."""
    html = []
    after_list = False
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if block.startswith(" "):
            return None  # indented, it may continue a list item
        if block.startswith("|"):
            rendered, after_list = _simple_table(lines, formula), False
        elif not _LIST_START.match(block.strip(" ")):
            rendered, after_list = _simple_paragraph(block, formula), False
        elif after_list:
            return None  # two lists a blank line apart are one loose list
        else:
            rendered, after_list = _simple_list(lines, formula), True
        if rendered is None:
            return None
        html.append(rendered)
    return "".join(html)


def _inline_formula(tex: str) -> str:
    return f'<span class="math inline">{tex}</span>'


def _lms_formula(tex: str) -> str:
    return f"\\({tex}\\)"


# A blank to fill in, as a question's table writes one: a run of underscores (\_\_\_\_ in
# Markdown). HTML and LaTeX draw a box for it.
BLANK = re.compile(r"_{4,}")
_BLANK_HTML = '<span class="blank-box"></span>'
_LETTERED_LIST = re.compile(r"<ul>(\n<li>\(A\) (?:(?!</ul>).)*</ul>)", re.S)


@lru_cache(maxsize=_CACHED)
def to_html(text: str) -> str:
    """HTML for a Markdown text; formulas become ``<span class="math inline">`` and
    ``<div class="math block">`` holding the escaped TeX, for KaTeX to typeset, and blanks
    a box."""
    html = _simple_markdown(text, _inline_formula) or _parser().render(text)
    if "<li>(A) " in html:  # a multiple choice's options: lettered, without bullets
        html = _LETTERED_LIST.sub(lambda m: '<ul class="options">' + m[1], html)
    return BLANK.sub(_BLANK_HTML, html) if "____" in html else html


@cache
def _delimiting_parser() -> MarkdownIt:
    parser = markdown()

    def delimit(opening: str, closing: str) -> Any:
        return lambda self, tokens, idx, options, env: (
            f"{opening}{escapeHtml(tokens[idx].content.strip())}{closing}"
        )

    parser.add_render_rule("math_inline", delimit("\\(", "\\)"))
    parser.add_render_rule("math_inline_double", delimit("\\[", "\\]"))
    parser.add_render_rule("math_block", delimit("<p>\\[", "\\]</p>\n"))
    return parser


@lru_cache(maxsize=_CACHED)
def to_lms_html(text: str) -> str:
    """HTML for a learning platform: formulas as ``\\( \\)`` and ``\\[ \\]``, which
    Moodle's and Canvas's MathJax filters typeset."""
    return _simple_markdown(text, _lms_formula) or _delimiting_parser().render(text)


def to_inline_lms_html(text: str) -> str:
    """``to_lms_html`` for one line (an option, a label), without the paragraph around it."""
    return _unwrapped(to_lms_html(text))


def to_inline_html(text: str) -> str:
    """HTML for one line of Markdown (an option, a label), without the paragraph around it."""
    return _unwrapped(to_html(text))


def _unwrapped(html: str) -> str:
    """One paragraph's content; HTML of several paragraphs stays whole."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


# Characters outside ASCII that examgen's texts use, as LaTeX writes them: the LaTeX preamble
# declares each, so pdflatex reads the texts as they are.
UNICODE_LATEX = {
    "²": r"\ensuremath{^2}",
    "·": r"\ensuremath{\cdot}",
    "½": r"\ensuremath{\tfrac12}",
    "×": r"\ensuremath{\times}",
    "÷": r"\ensuremath{\div}",
    "ŷ": r"\ensuremath{\hat{y}}",
    "Δ": r"\ensuremath{\Delta}",
    "Σ": r"\ensuremath{\Sigma}",
    "α": r"\ensuremath{\alpha}",
    "β": r"\ensuremath{\beta}",
    "γ": r"\ensuremath{\gamma}",
    "δ": r"\ensuremath{\delta}",
    "ε": r"\ensuremath{\varepsilon}",
    "η": r"\ensuremath{\eta}",
    "θ": r"\ensuremath{\theta}",
    "λ": r"\ensuremath{\lambda}",
    "μ": r"\ensuremath{\mu}",
    "π": r"\ensuremath{\pi}",
    "ρ": r"\ensuremath{\rho}",
    "σ": r"\ensuremath{\sigma}",
    "τ": r"\ensuremath{\tau}",
    "ϕ": r"\ensuremath{\phi}",
    "φ": r"\ensuremath{\varphi}",
    "ᵀ": r"\ensuremath{^{\top}}",
    "‖": r"\ensuremath{\Vert}",
    "…": r"\ensuremath{\dots}",
    "←": r"\ensuremath{\leftarrow}",
    "→": r"\ensuremath{\rightarrow}",
    "∂": r"\ensuremath{\partial}",
    "∇": r"\ensuremath{\nabla}",
    "−": r"\ensuremath{-}",
    "√": r"\ensuremath{\surd}",
    "≈": r"\ensuremath{\approx}",
    "≠": r"\ensuremath{\neq}",
    "≤": r"\ensuremath{\leq}",
    "≥": r"\ensuremath{\geq}",
    "⊙": r"\ensuremath{\odot}",
    "∈": r"\ensuremath{\in}",
    "∑": r"\ensuremath{\sum}",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
    "–": "--",
    "—": "---",
    "é": r"\'e",
    "ü": r"\"u",
}

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


# Latin letters a name or a title may hold beyond ASCII. pdflatex with T1 fonts prints a
# letter with diacritics as the accent command on its base letter, so each is decomposed
# (Gödel, Erdős, Nguyễn, Čapek) rather than listed; these few have no decomposition.
_LATIN_LETTERS = {
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
    "đ": r"\dj{}",
    "Đ": r"\DJ{}",
    "ð": r"\dh{}",
    "Ð": r"\DH{}",
    "þ": r"\th{}",
    "Þ": r"\TH{}",
    "ı": r"\i{}",
    "ŋ": r"\ng{}",
    "Ŋ": r"\NG{}",
    "«": r"\guillemotleft{}",
    "»": r"\guillemotright{}",
    "¡": r"\textexclamdown{}",
    "¿": r"\textquestiondown{}",
}
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0326": "textcommabelow",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}
_BELOW = {"\u0323", "\u0326", "\u0327", "\u0328", "\u0331"}  # i and j keep their dot


def _latin_letter(ch: str) -> str | None:
    """LaTeX for a Latin letter with diacritics, or None for a character of another kind."""
    if ch in _LATIN_LETTERS:
        return _LATIN_LETTERS[ch]
    base, *marks = unicodedata.normalize("NFD", ch)
    if not (base.isascii() and base.isalpha()) or not marks:
        return None
    if base in "ij" and marks[0] not in _BELOW:
        base = "\\" + base  # the dotless letter under an accent above it, as in í
    latex = base
    for mark in marks:
        if mark not in _ACCENTS:
            return None
        latex = f"\\{_ACCENTS[mark]}{{{latex}}}"
    return latex


def _latex_char(ch: str) -> str | None:
    """One character of plain text as LaTeX, or None when pdflatex cannot print it."""
    if ch in _LATEX_SPECIAL:
        return _LATEX_SPECIAL[ch]
    if (ch < " " and ch not in "\t\n\r") or ch == "\x7f":
        return None  # pdflatex stops at a control character: say so before it runs
    if ord(ch) < 128 or ch in UNICODE_LATEX:
        return ch
    if ch == "\u00a0":
        return "~"
    return _latin_letter(ch)


def latex_unprintable(text: str) -> str | None:
    """The first character of ``text`` that pdflatex cannot print (``escape_latex`` would
    refuse it), or None."""
    composed = unicodedata.normalize("NFC", text)
    return next((ch for ch in composed if _latex_char(ch) is None), None)


class LatexError(ValueError):
    """A text holds a character LaTeX cannot typeset."""


def escape_latex(text: str) -> str:
    """Plain text as LaTeX: every special character escaped, every other character either
    ASCII or one the preamble declares."""
    out = []
    # composed, as a Mac may not have typed it: o and U+0308 become ö, which has LaTeX
    for ch in unicodedata.normalize("NFC", text):
        latex = _latex_char(ch)
        if latex is None:
            raise LatexError(f"no LaTeX for the character {ch!r} (U+{ord(ch):04X})")
        out.append(latex)
    return "".join(out)


_LONG_WORD = 24  # characters: longer than a name box's line holds


def breakable_latex(text: str) -> str:
    """Plain text as LaTeX (``escape_latex``) that may also break inside a word too long
    for its box, such as a 64-character student id or a name without spaces: TeX would
    otherwise run it past the box and the page. Each break is glue that may stretch a
    little, so a line of such a word can be filled to its width."""
    words = unicodedata.normalize("NFC", text).split(" ")
    return " ".join(
        escape_latex(word)
        if len(word) <= _LONG_WORD
        else r"\hspace{0pt plus 1pt}".join(escape_latex(ch) for ch in word)
        for word in words
    )


def unicode_declarations() -> str:
    """The preamble lines that let pdflatex read the declared characters."""
    return "\n".join(
        f"\\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{{latex}}}"
        for ch, latex in UNICODE_LATEX.items()
        if ch not in "“”‘’–—éü"  # inputenc knows these already
    )


class UnsafeTexError(ExamgenError):
    """A formula holds TeX outside the subset pdflatex is given (``generator.tex_subset``)."""


def _formula(tex: str) -> str:
    """A formula's TeX as LaTeX is given it: only when all of it is in the subset. A spec's
    formulas are checked when it is read; this stops any other source (a hand-edited key,
    a family's template) from handing pdflatex a file primitive."""
    what = refused(tex)
    if what is not None:
        raise UnsafeTexError(unsafe_formula(tex, what))
    return tex


@lru_cache(maxsize=_CACHED)
def to_latex(text: str) -> str:
    """LaTeX for a Markdown text: paragraphs, lists, tables, emphasis and code, with the
    formulas passed to LaTeX as the TeX they are, when that TeX is in the subset
    ``generator.tex_subset`` allows (an ``UnsafeTexError`` otherwise)."""
    return _Latex().blocks(_parser().parse(text)).strip() + "\n"


def to_inline_latex(text: str) -> str:
    return to_latex(text).strip()


class _Latex:
    """Walks markdown-it's token stream. Tables are gathered whole, because a tabular needs
    its column count before its first row."""

    def blocks(self, tokens: list[Token]) -> str:
        out: list[str] = []
        table: list[list[str]] | None = None
        row: list[str] = []
        lists: list[str] = []
        starts: list[int] = []
        for token in tokens:
            kind = token.type
            if kind == "inline":
                text = self.inline(token.children or [])
                if table is not None:
                    row.append(text)
                else:
                    out.append(text)
            elif kind == "paragraph_close" and table is None:
                out.append("\n\n" if not lists else "\n")
            elif kind == "heading_open":
                out.append("\\subsection*{" if token.tag in ("h1", "h2") else "\\paragraph*{")
            elif kind == "heading_close":
                out.append("}\n\n")
            elif kind in ("bullet_list_open", "ordered_list_open"):
                env = "itemize" if kind == "bullet_list_open" else "enumerate"
                lists.append(env)
                starts.append(len(out))
                out.append(f"\\begin{{{env}}}\n")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                out.append(f"\\end{{{lists.pop()}}}\n\n")
                start = starts.pop()
                out[start:] = [_lettered("".join(out[start:]))]
            elif kind == "list_item_open":
                out.append("\\item ")
            elif kind in ("math_block", "math_block_label"):
                out.append(f"\\[\n{_formula(token.content.strip())}\n\\]\n\n")
            elif kind == "hr":
                out.append("\\medskip\\hrule\\medskip\n\n")
            elif kind == "table_open":
                table = []
            elif kind == "tr_open":
                row = []
            elif kind == "tr_close" and table is not None:
                table.append(row)
            elif kind == "table_close" and table is not None:
                out.append(_tabular(table))
                table = None
        return "".join(out)

    def inline(self, tokens: list[Token]) -> str:
        out = []
        for token in tokens:
            kind = token.type
            if kind == "text":
                pieces = BLANK.split(_opening_quotes(token.content))
                out.append(r"\blank{}".join(escape_latex(piece) for piece in pieces))
            elif kind == "code_inline":
                out.append(f"\\texttt{{{escape_latex(token.content)}}}")
            elif kind == "math_inline":
                out.append(f"${_formula(token.content)}$")
            elif kind == "math_inline_double":
                out.append(f"\\[{_formula(token.content)}\\]")
            elif kind == "strong_open":
                out.append("\\textbf{")
            elif kind == "em_open":
                out.append("\\emph{")
            elif kind in ("strong_close", "em_close"):
                out.append("}")
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("\\\\\n")
            elif kind == "html_inline":
                out.append(escape_latex(token.content))
        return "".join(out)


# A straight quote that opens a quotation ('same'): after a space or bracket, or first,
# with its closing quote later in the text. TeX reads ' as a closing quote, so 'same'
# printed with two; ` is TeX's opening one. An apostrophe (CONV's, 's) has no pair.
_QUOTED = re.compile(r"(?:(?<=[\s(\[])|^)'(?=[^'\s][^']*')")


def _opening_quotes(text: str) -> str:
    return _QUOTED.sub("`", text)


_LETTERED_ITEM = re.compile(r"\\item \(([A-H])\) ")


def _lettered(latex: str) -> str:
    """A bullet list whose items start (A), (B), ... in order: the options of a multiple
    choice, set as the sheets' other options are, lettered by LaTeX and without bullets."""
    letters = "".join(_LETTERED_ITEM.findall(latex))
    if not latex.startswith("\\begin{itemize}") or letters != "ABCDEFGH"[: latex.count("\\item ")]:
        return latex
    body = latex[len("\\begin{itemize}") : -len("\\end{itemize}\n\n")]
    items = _LETTERED_ITEM.sub(lambda _: "\\item ", body)
    return f"\\begin{{options}}{items}\\end{{options}}\n\n"


def _tabular(rows: list[list[str]]) -> str:
    columns = max((len(r) for r in rows), default=1)
    lines = [f"\\begin{{tabular}}{{|{'l|' * columns}}}", "\\hline"]
    for n, row in enumerate(rows):
        cells = row + [""] * (columns - len(row))
        lines.append(" & ".join(cells) + " \\\\")
        if n == 0 or n == len(rows) - 1:
            lines.append("\\hline")
    lines.append("\\end{tabular}")
    return "\\par\\smallskip\n" + "\n".join(lines) + "\n\\par\\smallskip\n\n"
