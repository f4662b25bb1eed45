"""Server-rendered SVG charts for the admin (no JavaScript, no CDN)."""

from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

SEVERITY_COLOURS = {
    "debug": "#adb5bd",
    "info": "#74c0fc",
    "warning": "#f59f00",
    "error": "#e03131",
    "critical": "#862e9c",
}


def sparkline_svg(values: list[int], *, width: int = 120, height: int = 24) -> SafeString:
    """Return a small line chart of `values` (oldest first) with its total as the label."""
    total = sum(values)
    peak = max(values) if values else 0
    label = f"{total} in the last {len(values)} hours, peak {peak} per hour"
    if not values:
        return format_html('<span class="errors-spark-empty">{}</span>', label)
    step = width / max(len(values) - 1, 1)
    scale = (height - 2) / peak if peak else 0
    points = " ".join(f"{i * step:.1f},{height - 1 - v * scale:.1f}" for i, v in enumerate(values))
    return format_html(
        '<svg class="errors-spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{label}"><title>{label}</title>'
        '<polyline fill="none" stroke="#3b5bdb" stroke-width="1.5" points="{points}"/></svg>',
        w=width,
        h=height,
        label=label,
        points=points,
    )


def stacked_hours_svg(
    hours: list[datetime], series: dict[str, list[int]], *, width: int = 960, height: int = 220
) -> SafeString:
    """Return a stacked bar chart: one bar per hour, one colour per severity, with day ticks."""
    left, bottom, top = 40, 22, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    n = len(hours)
    totals = [sum(series[s][i] for s in series) for i in range(n)]
    peak = max(totals) if totals and max(totals) else 1
    bar_w = plot_w / max(n, 1)
    parts = [
        f'<svg class="errors-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="errors-chart-title" preserveAspectRatio="none">',
        f'<title id="errors-chart-title">Errors per hour by severity; peak {peak} per hour</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#adb5bd"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, hour in enumerate(hours):
        x = left + i * bar_w
        y = top + plot_h
        if hour.hour == 0:
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#e9ecef"/>'
                f'<text x="{x + 2:.1f}" y="{height - 6}" font-size="11">{hour:%a %d}</text>'
            )
        if not totals[i]:
            continue
        tip = escape(
            f"{hour:%Y-%m-%d %H}:00 UTC — "
            + ", ".join(f"{s} {series[s][i]}" for s in series if series[s][i])
        )
        parts.append(f"<g><title>{tip}</title>")
        for severity, values in series.items():
            v = values[i]
            if not v:
                continue
            h = v / peak * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 0.5, 0.5):.1f}" '
                f'height="{h:.1f}" fill="{SEVERITY_COLOURS.get(severity, "#868e96")}"/>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - only numbers, dates and escaped text
