"""TeX formulas as plain Unicode text, for the terminal, where nothing typesets them: the
macros examgen's question texts use become the symbols a reader expects (∂L / ∂s, ‖w‖^2,
θ ← θ - η ∇L). Sub- and superscripts keep their _ and ^, as Unicode has no subscript for
most letters, and a group of several characters is set in parentheses instead of braces:
``Σ_{j ≠ y_i}`` reads ``Σ_(j ≠ y_i)``, ``w^2`` stays ``w^2``."""

from __future__ import annotations

import re

_SYMBOLS = {
    "partial": "∂",
    "nabla": "∇",
    "theta": "θ",
    "delta": "δ",
    "eta": "η",
    "lambda": "λ",
    "sigma": "σ",
    "beta": "β",
    "gamma": "γ",
    "varepsilon": "ε",
    "sum": "Σ",
    "lVert": "‖",
    "rVert": "‖",
    "top": "ᵀ",
    "leftarrow": "←",
    "neq": "≠",
    "odot": "⊙",
    "cdot": "·",
    "ln": "ln",
    "max": "max",
    "tanh": "tanh",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "min": "min",
    "pi": "π",
    "times": "×",
    "mu": "μ",
    "alpha": "α",
    "epsilon": "ε",
    "rho": "ρ",
    "approx": "≈",
    "le": "≤",
    "ge": "≥",
    "to": "→",
    "in": "∈",
    "ldots": "…",
    "cdots": "⋯",
    "quad": "  ",
    "left": "",  # \left( and \right) size the parenthesis they stand before
    "right": "",
    ",": " ",  # a thin space
}
# macros whose argument is a word set upright or apart: the word alone
_NAMES = ("operatorname", "mathrm", "mathit", "text", "mathrel")
_TIGHT = ("partial", "nabla", "lVert")  # set against what follows: ∂L, ∇L, ‖w‖
_CLOSING = ("rVert",)  # set against what precedes: ‖w‖
_DEPTH = {"{": 1, "}": -1}
MATRIX_OPEN, MATRIX_CLOSE = "\\begin{bmatrix}", "\\end{bmatrix}"
_WORD = re.compile(r"[^\W_]+")
_MACRO = re.compile(r"\\([A-Za-z]+|.)")
_ATOM = re.compile(r"[\w.'∂∇θδηλσβγεᵀ]+")


def plain_formula(tex: str) -> str:
    """``tex``, a formula without its dollar signs, as plain text. A macro not listed here
    is kept as written, so nothing is lost."""
    out, i = [], 0
    while i < len(tex):
        if tex.startswith(MATRIX_OPEN, i):
            end = tex.find(MATRIX_CLOSE, i)
            end = len(tex) if end < 0 else end
            out.append(_plain_matrix(tex[i + len(MATRIX_OPEN) : end]))
            i = end + len(MATRIX_CLOSE)
            continue
        if tex.startswith("^\\top", i):
            out.append("ᵀ")  # a transpose reads as one mark, not a superscript
            i += 5
            continue
        if tex[i] in "_^" and tex.startswith("{", i + 1):
            mark = tex[i]
            group, i = _group(tex, i + 1)
            inner = plain_formula(group).strip()
            if mark == "^" and inner == "ᵀ":  # ^{\top}, a transpose
                out.append(inner)
            else:
                # a word needs no parentheses (W_11, n_in); anything else does: e^(s_k)
                out.append(mark + (inner if _WORD.fullmatch(inner) else f"({inner})"))
            continue
        if tex[i] in "{}":  # a bare group, as around a power's base: its braces go
            i += 1
            continue
        if tex[i] != "\\":
            out.append(tex[i])
            i += 1
            continue
        match = _MACRO.match(tex, i)
        if match is None:  # a backslash ends the text
            out.append(tex[i:])
            break
        name, i = match[1], match.end()
        if name in _SYMBOLS:
            if name in _CLOSING:
                while out and out[-1] == " ":
                    out.pop()
            out.append(_SYMBOLS[name])
            if name in _TIGHT:
                while i < len(tex) and tex[i] == " ":
                    i += 1
        elif name in _NAMES:
            group, i = _group(tex, i)
            out.append(plain_formula(group))
        elif name == "hat":
            group, i = _group(tex, i)
            out.append(plain_formula(group) + "\u0302")  # the combining circumflex: ŷ
        elif name == "sqrt":
            group, i = _group(tex, i)
            out.append("√" + _atom(plain_formula(group)))
        elif name == "frac":
            top, i = _group(tex, i)
            bottom, i = _group(tex, i)
            out.append(f"{_atom(plain_formula(top))}/{_atom(plain_formula(bottom))}")
        else:  # unknown: kept as written, its argument with its braces
            out.append(match[0])
            if tex.startswith("{", i):
                group, i = _group(tex, i)
                out.append("{" + plain_formula(group) + "}")
    # "∂L / ∂s" reads as one symbol and must not wrap at its spaces
    return re.sub(r" {2,}", " ", "".join(out)).replace(" / ", "/")


def matrix_cells(body: str) -> list[list[str]]:
    """A bmatrix's body (between its begin and end) as rows of plain-text entries."""
    return [[plain_formula(c).strip() for c in row.split("&")] for row in body.split("\\\\")]


def _plain_matrix(body: str) -> str:
    """A bmatrix's rows as the students type them: ``[1, 2; 3, 4]``."""
    return "[" + "; ".join(", ".join(row) for row in matrix_cells(body)) + "]"


def _group(tex: str, i: int) -> tuple[str, int]:
    """The argument of a macro at ``i``: a braced group's inside, else one character; and
    where it ends."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i == len(tex):
        return "", i
    if tex[i] != "{":
        return tex[i], i + 1
    depth = 0
    for j in range(i, len(tex)):
        depth += _DEPTH.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
    return tex[i + 1 :], len(tex)  # unbalanced: the rest


def _atom(text: str) -> str:
    """``text`` as one operand of ``/`` or ``√``: in parentheses unless it is one."""
    return text if _ATOM.fullmatch(text) else f"({text})"
