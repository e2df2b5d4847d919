"""The stats page's bar chart as inline SVG: the browser sets its labels in the page's own
type, sharp on screen and in print, where the PNG beside it (``render.png``) has a pixel
font for lack of a font renderer."""

from __future__ import annotations

from html import escape


def bar_chart_svg(
    counts: list[int],
    labels: list[str],
    x_title: str = "score (% of the maximum)",
    y_title: str = "students",
    width: int = 640,
    height: int = 300,
) -> str:
    """Bars for ``counts``, each count above its bar and its label below, with axis titles,
    in ``width`` x ``height`` user units that scale with the page."""
    left, right, top, bottom = 8, 8, 34, height - 46
    slot = (width - left - right) / max(len(counts), 1)
    tallest = max([*counts, 1])
    shapes = []
    for n, (count, label) in enumerate(zip(counts, labels, strict=True)):
        x = left + n * slot
        bar = (bottom - top) * count / tallest
        middle = x + slot / 2
        if count:
            shapes.append(
                f'<rect x="{x + 4:.1f}" y="{bottom - bar:.1f}" width="{slot - 8:.1f}" '
                f'height="{bar:.1f}" fill="#4270b4"/>'
            )
        shapes.append(
            f'<text x="{middle:.1f}" y="{bottom - bar - 6:.1f}" text-anchor="middle">{count}</text>'
        )
        shapes.append(
            f'<text x="{middle:.1f}" y="{bottom + 18}" text-anchor="middle" '
            f'class="label">{escape(label.replace("-", "–"))}</text>'
        )
    described = ", ".join(
        f"{escape(label)}: {count}" for label, count in zip(labels, counts, strict=True)
    )
    return "\n".join(
        [
            f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(y_title)} by '
            f'{escape(x_title)}: {described}" font-size="14" fill="#222">',
            f'<text x="{left}" y="14" class="title">{escape(y_title)}</text>',
            *shapes,
            f'<line x1="{left}" y1="{bottom + 0.5}" x2="{width - right}" y2="{bottom + 0.5}" '
            'stroke="#222"/>',
            f'<text x="{width / 2:.1f}" y="{height - 6}" text-anchor="middle" class="title">'
            f"{escape(x_title)}</text>",
            "</svg>",
        ]
    )
