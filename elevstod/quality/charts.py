"""Charts as inline SVG, drawn on the server: they need no JavaScript and no inline style (the
CSP allows neither), and each stands beside a table with the same figures (WCAG 1.1.1)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
BAR = 18
GAP = 6
LABEL = 110
# One colour per support level, light to dark. Given as attributes as well as classes: the PDF
# renderer ignores CSS fill on SVG, the page's stylesheet may adjust them for a dark scheme.
LEVEL_CLASSES = ("chart-guidance", "chart-adaptations", "chart-special")
LEVEL_FILLS = ("#9ecae1", "#3182bd", "#08306b")
BAR_FILL = "#2b6a99"


def bars(caption_id: str, rows: Sequence[tuple[str, float | None]], maximum: float) -> SafeString:
    """Horizontal bars, one per row; a row without a value (suppressed or none) has no bar."""
    span = WIDTH - LABEL - 10
    items = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        length = 0 if not value or maximum <= 0 else max(1, round(span * value / maximum))
        items.append((LABEL - 4, y + BAR - 5, label, LABEL, y, length, BAR, BAR_FILL))
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar" fill="{}"></rect>',
        items,
    )
    return _svg(caption_id, len(rows), body)


def stacked(caption_id: str, rows: Sequence[tuple[str, Sequence[float]]]) -> SafeString:
    """One horizontal bar per row, split into the support levels' shares of its total."""
    span = WIDTH - LABEL - 10
    parts = []
    for index, (label, values) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
                LABEL - 4,
                y + BAR - 5,
                label,
            )
        )
        total = sum(values)
        x = float(LABEL)
        for css, fill, value in zip(LEVEL_CLASSES, LEVEL_FILLS, values, strict=False):
            if total <= 0 or value <= 0:
                continue
            width = span * value / total
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="{}" fill="{}"></rect>',
                    f"{x:.1f}",
                    y,
                    f"{width:.1f}",
                    BAR,
                    css,
                    fill,
                )
            )
            x += width
    return _svg(caption_id, len(rows), SafeString("".join(parts)))


def _svg(caption_id: str, rows: int, body: SafeString) -> SafeString:
    """The chart's frame: one bar's height and gap per row, labelled by its caption."""
    height = rows * (BAR + GAP) + GAP
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}">{}</svg>',
        caption_id,
        WIDTH,
        height,
        WIDTH,
        height,
        body,
    )
