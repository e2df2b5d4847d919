"""The TeX a formula may hand to LaTeX: the commands KaTeX typesets that the sheets' preamble
(amsmath, amssymb) also knows, and nothing that reads or writes files, changes catcodes,
defines macros or touches registers.

A spec comes from a colleague, and a formula in it reaches pdflatex as the TeX it is: one
``\\input`` or ``\\openin`` would print a file of the instructor's machine (another student's
key) on a student's sheet. Every formula is checked against this subset when a spec is read
and again where Markdown becomes LaTeX, so nothing outside it reaches pdflatex.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.errors import quoted

_GREEK = """
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa lambda
mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega digamma
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
varGamma varDelta varTheta varLambda varXi varPi varSigma varUpsilon varPhi varPsi varOmega
"""
_OPERATORS = """
pm mp times div cdot ast star circ bullet oplus ominus otimes oslash odot cap cup sqcap sqcup
vee wedge land lor setminus smallsetminus wr diamond amalg uplus dagger ddagger triangleleft
triangleright bigtriangleup bigtriangledown ltimes rtimes boxplus boxminus boxtimes boxdot
dotplus centerdot intercal barwedge curlyvee curlywedge circledast circledcirc circleddash
sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes bigodot biguplus bigvee
bigwedge bigsqcup smallint
lim liminf limsup sup inf max min arg det gcd Pr exp log ln lg sin cos tan cot sec csc arcsin
arccos arctan sinh cosh tanh coth dim ker hom deg injlim projlim varinjlim varprojlim
varliminf varlimsup
operatorname limits nolimits bmod pmod mod pod
mathop mathbin mathrel mathord mathopen mathclose mathpunct mathinner
"""
_RELATIONS = """
le leq ge geq leqq geqq leqslant geqslant lneq gneq lneqq gneqq nleq ngeq nless ngtr lesssim
gtrsim lessapprox gtrapprox lessgtr gtrless ll gg lll ggg neq ne equiv approx approxeq sim
simeq nsim cong ncong propto varpropto prec succ preceq succeq nprec nsucc subset supset
subseteq supseteq subsetneq supsetneq nsubseteq nsupseteq sqsubset sqsupset sqsubseteq
sqsupseteq in ni notin owns perp parallel nparallel mid nmid shortmid models vdash dashv
vDash Vdash asymp doteq doteqdot triangleq eqsim bumpeq Bumpeq smile frown bowtie therefore
because colon
"""
_ARROWS = """
to gets leftarrow rightarrow Leftarrow Rightarrow leftrightarrow Leftrightarrow longleftarrow
longrightarrow Longleftarrow Longrightarrow longleftrightarrow Longleftrightarrow mapsto
longmapsto uparrow downarrow Uparrow Downarrow updownarrow Updownarrow nearrow searrow swarrow
nwarrow hookleftarrow hookrightarrow leftharpoonup rightharpoonup leftharpoondown
rightharpoondown rightleftharpoons leftrightarrows rightleftarrows iff implies impliedby
nleftarrow nrightarrow nLeftarrow nRightarrow xrightarrow xleftarrow
"""
_SYMBOLS = """
infty partial nabla forall exists nexists emptyset varnothing neg lnot top bot angle
measuredangle ell hbar hslash imath jmath Re Im aleph beth gimel wp prime backprime complement
dots ldots cdots vdots ddots dotsc dotsb dotsm dotsi dotso surd triangle square blacksquare
checkmark clubsuit diamondsuit heartsuit spadesuit flat natural sharp mho eth
lbrace rbrace lbrack rbrack langle rangle lceil rceil lfloor rfloor vert Vert lvert rvert
lVert rVert backslash ulcorner urcorner llcorner lrcorner
"""
_STRUCTURE = """
frac dfrac tfrac cfrac binom dbinom tbinom sqrt
left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr
bigm Bigm biggm Biggm
hat widehat tilde widetilde bar overline underline vec dot ddot dddot acute grave breve check
mathring overrightarrow overleftarrow overleftrightarrow underrightarrow underleftarrow
underbrace overbrace overset underset stackrel not boxed substack
mathbf mathrm mathit mathsf mathtt mathcal mathbb mathfrak mathnormal boldsymbol
text textbf textit textrm textsf texttt textnormal textup textmd emph
displaystyle textstyle scriptstyle scriptscriptstyle
quad qquad enspace thinspace medspace thickspace negthinspace negmedspace negthickspace
hspace phantom hphantom vphantom smash mathstrut hline
begin end
"""
# \\ breaks a matrix's rows; the accents and escaped specials are for \text{}
_CONTROL_SYMBOLS = set(",;:!> {}|\\_%$#&'\"^~=.`") | {"\n", "\t"}

COMMANDS = frozenset(
    " ".join((_GREEK, _OPERATORS, _RELATIONS, _ARROWS, _SYMBOLS, _STRUCTURE)).split()
)
# The environments KaTeX knows that amsmath also allows inside a formula (align or
# equation would start a display of their own, and fail there)
_MATH_ENVIRONMENTS = """
matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases aligned gathered alignedat
split array subarray
"""
ENVIRONMENTS = frozenset(_MATH_ENVIRONMENTS.split())

_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.|$)|[%#{}]", re.S)
# TeX reads ^^69 as i wherever it stands, inside a command's name too (\^^69nput is \input),
# so it is looked for before tokens; a control character pdflatex would stop at is, too
_BEFORE_TOKENS = re.compile(r"\^\^|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENVIRONMENT = re.compile(r"\s*\{([A-Za-z*]*)\}")


def refused(tex: str) -> str | None:
    """What the first thing in ``tex`` outside the subset is (``\\input``,
    ``\\begin{filecontents}``, ``^^``), or None when all of it may reach LaTeX."""
    if (sign := _BEFORE_TOKENS.search(tex)) is not None:
        if sign[0] == "^^":
            return "^^ (a character written by its code)"
        return f"the control character U+{ord(sign[0]):04X}"
    depth = 0
    for match in _TOKEN.finditer(tex):
        token = match[0]
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return "a } that closes no {"
        elif token == "%":
            return "% (a comment; write \\% for a percent sign)"
        elif token == "#":
            return "# (a macro parameter; write \\# for the sign)"
        elif token == "\\":
            return "a \\ at the end"
        elif not (token[1].isascii() and token[1].isalpha()):  # a control symbol
            if token[1] not in _CONTROL_SYMBOLS:
                return token
        elif token[1:] not in COMMANDS:
            return token
        elif token in ("\\begin", "\\end"):
            name = _ENVIRONMENT.match(tex, match.end())
            if name is None or name[1] not in ENVIRONMENTS:
                return f"{token}{{{name[1]}}}" if name else f"{token} without an environment"
    if depth:
        return "a { that nothing closes"
    return None


def markdown() -> MarkdownIt:
    """The Markdown parser of every text examgen typesets: only the CommonMark rules its
    texts use (an indented line, say, stays a paragraph line rather than becoming code, and
    parsing is a third faster than with every rule), and $formulas$."""
    rules = ["list", "table", "emphasis", "backticks", "escape", "entity", "heading", "newline"]
    parser = MarkdownIt("zero", {"html": False}).enable(rules)
    # "$5 and $6" stays text: a formula may not start or end with a space
    return parser.use(dollarmath_plugin, allow_space=False, double_inline=True)


@cache
def _parser() -> MarkdownIt:
    return markdown()


FORMULAS = ("math_inline", "math_inline_double", "math_block", "math_block_label")


def formulas(text: str) -> list[str]:
    """The TeX of every formula in a Markdown text, as LaTeX would be given it."""
    found = []
    for token in _parser().parse(text):
        if token.type in FORMULAS:
            found.append(token.content)
        found += [child.content for child in token.children or () if child.type in FORMULAS]
    return found


def refused_formula(text: str) -> tuple[str, str] | None:
    """The first formula of a Markdown text that holds TeX outside the subset, and what;
    None when every formula may reach LaTeX."""
    for formula in formulas(text):
        if (what := refused(formula)) is not None:
            return formula, what
    return None


def unsafe_formula(formula: str, what: str) -> str:
    """A refused formula, as every refusal says it: which formula, and what in it."""
    return (
        f"the formula {quoted(formula)} uses {what}, which examgen never gives LaTeX "
        "(docs/exam-spec.md lists the TeX a formula may use)"
    )


def refused_text(text: str) -> str | None:
    """Why a Markdown text may not reach LaTeX (``unsafe_formula`` of its first refused
    formula); None when every formula may."""
    found = refused_formula(text)
    return None if found is None else unsafe_formula(*found)
