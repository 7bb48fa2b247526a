"""Small inline SVG charts: drawn on the server, so the console needs no chart library."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def sparkline(values: Sequence[float], *, label: str, width: int = 160, height: int = 32) -> str:
    """A line of `values` left (oldest) to right (now), named `label` for a screen reader."""
    top = max(values, default=0) or 1
    step = width / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" role="img" aria-label="{escape(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(label)}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/></svg>'
    )


def bars(rows: Sequence[tuple[str, Sequence[tuple[str, float, str]]]], *, label: str) -> str:
    """Horizontal stacked bars: per row a name and its parts (name, value, css class)."""
    total = max((sum(v for _, v, _ in parts) for _, parts in rows), default=0) or 1
    bar_h, gap, left, width = 18, 8, 140, 420
    height = len(rows) * (bar_h + gap) + gap
    out = [
        f'<svg class="bars" role="img" aria-label="{escape(label)}" width="{left + width + 10}" '
        f'height="{height}" viewBox="0 0 {left + width + 10} {height}">'
        f"<title>{escape(label)}</title>"
    ]
    for i, (name, parts) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        out.append(
            f'<text x="{left - 6}" y="{y + bar_h - 5}" text-anchor="end" class="bar-label">'
            f"{escape(name[:20])}</text>"
        )
        x = float(left)
        for part, value, css in parts:
            w = width * value / total
            if w > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" class="{css}">'
                    f"<title>{escape(part)}: {value:g}</title></rect>"
                )
            x += w
    out.append("</svg>")
    return "".join(out)
