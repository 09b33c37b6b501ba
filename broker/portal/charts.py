"""Horizontal bar charts as server-rendered SVG: no script, no library, no colour needed to read them.

A chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`, which says
every figure in words; each bar carries its value (and its series' name when there are several),
so colour only repeats what the text says (WCAG 1.1.1, 1.4.1). The page shows the same figures in
a table beside it. Each group's label has a line of its own above its bars, so a long label never clips. Only presentation attributes are used, never a style attribute, which the
portal's Content-Security-Policy refuses.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

# Drawn at about its own size beside nothing (portal.css: .chart), so 16 units are 16 pixels.
WIDTH = 640
VALUES = 130  # room after the longest bar for its value
LABEL, BAR, GAP = (
    24,
    24,
    14,
)  # each group: its label on a line of its own (long labels never clip), then its bars
LEGEND = 32
# Dark enough against white for a graphic's 3:1 (WCAG 1.4.11); the value text tells them apart anyway.
FILLS = ("#1d70b8", "#505a5f", "#00703c")
DASH = "\u2014"


@dataclass(frozen=True)
class Bar:
    """One group: its label and one value per series (None: no such figure, drawn as a dash, not as 0)."""

    label: str
    values: tuple[int | None, ...]


def bar_chart(chart_id: str, title: str, series: Sequence[str], bars: Sequence[Bar]) -> Markup:
    """The chart of `bars` (one value per name in `series`) as inline SVG; `chart_id` must be unique on the page."""
    if not series or len(series) > len(FILLS) or any(len(bar.values) != len(series) for bar in bars):
        raise ValueError(f"each bar needs one value for each of 1 to {len(FILLS)} series")
    legend = LEGEND if len(series) > 1 else 0
    group = LABEL + BAR * len(series) + GAP
    height = legend + group * len(bars)
    largest = max((value or 0 for bar in bars for value in bar.values), default=0)
    scale = (WIDTH - VALUES) / largest if largest else 0.0
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(series, bars))}</desc>',
    ]
    if legend:
        parts += _legend(series)
    for row, bar in enumerate(bars):
        top = legend + row * group
        parts.append(
            f'<text x="0" y="{top + LABEL - 6}" font-size="16" font-weight="bold" fill="#0b0c0c">'
            f"{escape(bar.label)}</text>"
        )
        for index, value in enumerate(bar.values):
            y = top + LABEL + index * BAR
            length = (value or 0) * scale
            name = f"{series[index]}: " if len(series) > 1 else ""
            parts.append(
                f'<rect x="0" y="{y + 2}" width="{length:.1f}" height="{BAR - 4}" fill="{FILLS[index]}"/>'
            )
            parts.append(
                f'<text x="{length + 6:.1f}" y="{y + BAR - 7}" font-size="15" fill="#0b0c0c">'
                f"{escape(name)}{_shown(value)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def describe(series: Sequence[str], bars: Sequence[Bar]) -> str:
    """Every figure of the chart in words, for its <desc>: "Subscriber data: EPOC 3, EPOC-PR 1; …"."""
    if len(series) == 1:
        return "; ".join(f"{bar.label}: {_shown(bar.values[0])}" for bar in bars)
    return "; ".join(
        f"{bar.label}: "
        + ", ".join(f"{name} {_shown(value)}" for name, value in zip(series, bar.values, strict=True))
        for bar in bars
    )


def _legend(series: Sequence[str]) -> list[str]:
    parts, x = [], 0
    for index, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="6" width="16" height="16" fill="{FILLS[index]}"/>')
        parts.append(f'<text x="{x + 22}" y="20" font-size="15" fill="#0b0c0c">{escape(name)}</text>')
        x += 22 + 10 * len(name) + 28
    return parts


def _shown(value: int | None) -> str:
    return DASH if value is None else str(value)
