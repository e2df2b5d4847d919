"""A question's scatter plot of 2-D points (a question file's ``[plot]``): inline SVG for
HTML pages and a plain LaTeX ``picture`` for sheets and PDFs, which needs no package.

Each point is drawn with its class's marker (a shape, so a black-and-white print tells the
classes apart) and numbered as the question's table numbers it; a query point is a cross.
The plot is made from the manifest's numbers only, so nothing in it is markup a file wrote.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from generator.formatting import short_number

MAX_POINTS = 60
_SIZE = 220  # SVG user units of the plotting square
_MARGIN = 28
_TEX_SIDE = 28  # mm: the square a sheet gives the plot
_MARKERS_SVG = (
    '<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#1f5fae"/>',
    '<rect x="{x0:.1f}" y="{y0:.1f}" width="8" height="8" fill="#c0392b"/>',
    '<path d="M{x:.1f},{ty:.1f} L{rx:.1f},{by:.1f} L{lx:.1f},{by:.1f} Z" fill="#2e8b57"/>',
    '<path d="M{x:.1f},{ty:.1f} L{rx:.1f},{y:.1f} L{x:.1f},{by:.1f} L{lx:.1f},{y:.1f} Z" '
    'fill="#8e44ad"/>',
)
_MARKERS_TEX = (r"\circle*{1.6}", r"\makebox(0,0){$\blacksquare$}",
                r"\makebox(0,0){$\blacktriangle$}", r"\makebox(0,0){$\blacklozenge$}")  # fmt: skip
_NAMES = ("dots", "squares", "triangles", "diamonds")


def read_plot(plot: Any) -> dict[str, Any] | None:
    """The plot a manifest holds, checked (a hand-edited key may hold anything); None when
    it is not one: the question then shows its table alone."""
    if not isinstance(plot, dict):
        return None
    points = plot.get("points")
    if (
        not isinstance(points, list)
        or not 1 <= len(points) <= MAX_POINTS
        or not all(isinstance(p, list) and len(p) == 2 and all(map(_finite, p)) for p in points)
    ):
        return None
    labels = plot.get("labels")
    if labels is not None and (
        not isinstance(labels, list)
        or len(labels) != len(points)
        or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in labels)
    ):
        return None
    query = plot.get("query")
    if query is not None and not (
        isinstance(query, list) and len(query) == 2 and all(map(_finite, query))
    ):
        return None
    return {"points": points, "labels": labels, "query": query}


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _classes(labels: list[Any] | None) -> list[Any]:
    """The distinct labels in their order of first appearance, one marker each."""
    if labels is None:
        return [None]
    return sorted(set(labels), key=lambda v: (str(type(v)), v))[: len(_MARKERS_SVG)]


def _frame(plot: dict[str, Any]) -> tuple[float, float, float]:
    """The lower-left corner and side of a square holding every point, a unit beyond."""
    coordinates = [*plot["points"], *([plot["query"]] if plot["query"] else [])]
    xs, ys = [p[0] for p in coordinates], [p[1] for p in coordinates]
    low_x, low_y = math.floor(min(xs)) - 1, math.floor(min(ys)) - 1
    side = max(math.ceil(max(xs)) + 1 - low_x, math.ceil(max(ys)) + 1 - low_y, 2)
    return low_x, low_y, side


def _ticks(low: float, side: float) -> list[int]:
    step = max(1, math.ceil(side / 6))
    first = math.ceil(low / step) * step
    return list(range(int(first), int(low + side) + 1, step))


def _legend(classes: list[Any], query: bool) -> list[str]:
    parts = [f"class {short(c)}: {_NAMES[n]}" for n, c in enumerate(classes) if c is not None]
    return parts + (["query: ×"] if query else [])


def short(value: Any) -> str:
    return value if isinstance(value, str) else short_number(value)


def scatter_svg(plot: dict[str, Any]) -> str:
    """The plot as an inline SVG element, in user units that scale with the page."""
    low_x, low_y, side = _frame(plot)
    scale = _SIZE / side
    width = height = _SIZE + 2 * _MARGIN

    def at(x: float, y: float) -> tuple[float, float]:
        return _MARGIN + (x - low_x) * scale, _MARGIN + _SIZE - (y - low_y) * scale

    shapes = [
        f'<rect x="{_MARGIN}" y="{_MARGIN}" width="{_SIZE}" height="{_SIZE}" '
        'fill="none" stroke="#888" stroke-width="1"/>'
    ]
    for tick in _ticks(low_x, side):
        x, y = at(tick, low_y)
        shapes.append(f'<text x="{x:.1f}" y="{y + 14:.1f}" text-anchor="middle">{tick}</text>')
    for tick in _ticks(low_y, side):
        x, y = at(low_x, tick)
        shapes.append(f'<text x="{x - 5:.1f}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    classes = _classes(plot["labels"])
    for n, (px, py) in enumerate(plot["points"]):
        label = None if plot["labels"] is None else plot["labels"][n]
        marker = _MARKERS_SVG[classes.index(label) if label in classes else 0]
        x, y = at(px, py)
        shapes.append(
            marker.format(x=x, y=y, x0=x - 4, y0=y - 4, ty=y - 5, by=y + 4, lx=x - 5, rx=x + 5)
        )
        shapes.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}">{n + 1}</text>')
    if plot["query"]:
        x, y = at(*plot["query"])
        shapes.append(
            f'<path d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} M{x - 5:.1f},'
            f'{y + 5:.1f} L{x + 5:.1f},{y - 5:.1f}" stroke="#000" stroke-width="2"/>'
        )
        shapes.append(f'<text x="{x + 7:.1f}" y="{y + 14:.1f}">q</text>')
    legend = escape("; ".join(_legend(classes, bool(plot["query"]))))
    body = "".join(shapes)
    return (
        f'<figure class="plot"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" font-size="11" role="img" '
        f'aria-label="scatter plot of the points">{body}</svg>'
        f"<figcaption>{legend}</figcaption></figure>"
    )


def scatter_latex(plot: dict[str, Any], escape_text: Any) -> str:
    """The plot as a LaTeX ``picture`` (no package needed), 28 mm square; ``escape_text``
    writes a class label as LaTeX text."""
    low_x, low_y, side = _frame(plot)
    unit = _TEX_SIDE / side  # mm per plot unit

    def at(x: float, y: float) -> str:
        return f"({(x - low_x) * unit:.2f},{(y - low_y) * unit:.2f})"

    classes, query = _classes(plot["labels"]), bool(plot["query"])

    # the legend to the right of the square, one entry a line: no line of the page below
    legend = [_escape_legend(entry, escape_text) for entry in _legend(classes, query)]
    lines = [
        r"{\setlength{\unitlength}{1mm}\footnotesize",
        rf"\begin{{picture}}({_TEX_SIDE + 26},{_TEX_SIDE + 6})(-6,-5)",
        rf"\put(0,0){{\framebox({_TEX_SIDE},{_TEX_SIDE}){{}}}}",
    ]
    for tick in _ticks(low_x, side):
        x = (tick - low_x) * unit
        lines.append(rf"\put({x:.2f},-3){{\makebox(0,0){{{tick}}}}}")
    for tick in _ticks(low_y, side):
        y = (tick - low_y) * unit
        lines.append(rf"\put(-2,{y:.2f}){{\makebox(0,0)[r]{{{tick}}}}}")
    for n, (px, py) in enumerate(plot["points"]):
        label = None if plot["labels"] is None else plot["labels"][n]
        marker = _MARKERS_TEX[classes.index(label) if label in classes else 0]
        lines.append(rf"\put{at(px, py)}{{{marker}}}")
        x, y = (px - low_x) * unit + 1.2, (py - low_y) * unit + 1.2
        lines.append(rf"\put({x:.2f},{y:.2f}){{\makebox(0,0)[bl]{{{n + 1}}}}}")
    if query:
        lines.append(rf"\put{at(*plot['query'])}{{\makebox(0,0){{$\times$}}}}")
    for n, entry in enumerate(legend):
        lines.append(
            rf"\put({_TEX_SIDE + 2},{_TEX_SIDE - 3 - 4 * n})"
            rf"{{\makebox(0,0)[l]{{\scriptsize {entry}}}}}"
        )
    lines.append(r"\end{picture}}\par")
    return "\n".join(lines)


def _escape_legend(entry: str, escape_text: Any) -> str:
    """A legend entry as LaTeX text; the query's cross as TeX's."""
    return "$\\times$".join(escape_text(piece) for piece in entry.split("×"))
